"""The answer checker's figures and the server's CPU per student action, as report Figures.

- checker (`python -m bench --only checker`, bench/check_latency.py): ordinary answers and every
  bank answer p99 under 150 ms; every hostile input, and the check that follows a worker killed
  for overrunning, under 2 s; while one session floods the checker with slow answers, other
  students' answers stay under 300 ms in process and 1 s in a worker (the slowest of each).
- server CPU (`python -m bench --only load`, bench/load.py `--scenario home|topic`): a real
  server, one headless-Chromium student rerunning the home page, then the separable-convolutions
  page, ACTIONS times each; the server's own CPU seconds (its process tree, from /proc) per rerun.
  Target 0.2 s: ten students acting every 2 s are 5 actions a second, one core's worth at 0.2 s
  each. Each scenario runs `python -m bench.load` in a child process, as that driver renices and
  pins the process it runs in. Needs Playwright and Chromium (`make load` sets them up); without
  them the figures are reported as not measured.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import ROOT, Figure

ACTIONS = 20  # reruns per load scenario (about 45 s each here, warm-up included)
CPU_TARGET_S = 0.2
NO_BROWSER = "not measured: needs Chromium (make load)"
SCENARIOS = {"home": "home rerun", "topic": "topic page rerun"}


def checker() -> list[Figure]:
    """Warm the workers up, then time ordinary, bank and hostile answers, replacements, fairness."""
    from bench import check_latency as c
    from quizzes.checking import warm_up
    from quizzes.checking.hostile import HOSTILE

    warm_up()
    ordinary = c.time_checks(c.ORDINARY * c.REPEATS)
    every = c.time_checks(c.bank_cases())
    hostile = c.time_checks([case.values for case in HOSTILE])
    replaced = c.time_replacements()
    fair = c.fairness()
    slowest_replaced = max(replaced["overrun"]["max_ms"], replaced["next_check"]["max_ms"])
    busy = f"students refused as busy: {fair['student_refused_busy']}"
    return [
        Figure("answer checker", "ordinary p99", ordinary["p99_ms"], "ms", 150,
               note=f"median {ordinary['median_ms']} ms, n {ordinary['n']}"),
        Figure("answer checker", "bank answers p99", every["p99_ms"], "ms", 150,
               note=f"every typed question's answers, n {every['n']}"),
        Figure("answer checker", "hostile max", hostile["max_ms"], "ms", 2000,
               note=f"slowest: {hostile['worst'][:30]!r}"),
        Figure("answer checker", "worker replaced max", slowest_replaced, "ms", 2000,
               note="an overrun killed, and the next check"),
        Figure("answer checker", "fairness in process max", fair["in process"]["max_ms"], "ms",
               300, note=f"under a flood of slow answers; {busy}"),
        Figure("answer checker", "fairness in worker max", fair["in a worker"]["max_ms"], "ms",
               1000, note="under a flood of slow answers"),
    ]  # fmt: skip


def browser_missing() -> str | None:
    """Why the load scenarios cannot run here, or None when they can."""
    from bench.load import CHROMIUM

    if importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists():
        return NO_BROWSER
    return None


def server_cpu(log=print) -> tuple[list[Figure], list[str]]:
    """The server's CPU seconds per rerun of the home page and of a topic page."""
    missing = browser_missing()
    if missing:
        return [Figure("server CPU per action", label, None, "s", CPU_TARGET_S, note=missing)
                for label in SCENARIOS.values()], []  # fmt: skip
    figures, failures = [], []
    for scenario, label in SCENARIOS.items():
        log(f"server CPU: {label}, {ACTIONS} reruns")
        value, note = None, ""
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "load.json"
            cmd = [sys.executable, "-m", "bench.load", "--scenario", scenario,
                   "--actions", str(ACTIONS), "--out", str(out)]  # fmt: skip
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
            if out.exists():
                result = json.loads(out.read_text())
                value = result["server_cpu_s_per_action"]
                latency, load = result["latency_s"].get("p50"), result["isolation"]["load_average"]
                note = f"browser latency p50 {latency} s; load {load}"
                if result["errors"] or result["exception_boxes"]:  # then the CPU means little
                    said = (result["error_samples"] or ["exception box"])[0][:80]
                    note = f"not counted: {result['errors']} errors ({said}); {note}"
                    value = None
                    failures.append(f"server CPU {scenario}: {said}")
            else:
                said = (done.stderr.strip().splitlines() or ["no output"])[-1][:160]
                note = f"failed: {said}"
                failures.append(f"server CPU {scenario}: {said}")
        figures.append(Figure("server CPU per action", label, value, "s", CPU_TARGET_S, note=note))
    return figures, failures
