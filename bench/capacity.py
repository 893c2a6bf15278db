"""`make capacity`: the capacity curve, scenarios `selfstudy` and `class` at 10 to 200 students.

Each point is one run of the protocol driver (bench/protocol.py) against a fresh server pinned to
one core: p95 latency, server CPU per action and peak server memory (PSS). The knee is the
largest number of students whose p95 is still within KNEE_P95_S with no error and nothing lost,
at that size and every smaller one;
beyond it the server's one core is saturated and latency grows with the queue. Writes
bench/results/capacity.json (read by `make bench`, which shows its rows and flags regressions)
and docs/capacity.svg (three panels against students, the knee marked).
Left out: the scenarios themselves (bench/protocol.py) and any page or server code.
"""

from __future__ import annotations

import argparse
import json
import sys
from html import escape
from pathlib import Path

from bench import protocol

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "capacity.json"
CHART = ROOT / "docs" / "capacity.svg"
STUDENTS = (10, 50, 100, 150, 200)
SCENARIOS = ("selfstudy", "class")
KNEE_P95_S = 3.0  # the host view's budget in the live class; a page action should feel as quick
SECONDS = 30.0  # selfstudy's length at every point


def point(result: dict) -> dict:
    """The figures of one run that the curve keeps."""
    return {
        "students": result["students"],
        "actions": result["actions"],
        "errors": result["errors"],
        "lost": result["lost"],
        "p95_s": result["latency_s"].get("p95"),
        "cpu_s_per_action": result["server_cpu_s_per_action"],
        "peak_memory_mb": result["peak_server_pss_mb"],
        **(_class(result["class"]) if "class" in result else {}),
        "error_samples": result["error_samples"][:3],  # what went wrong, so a rerun can look
    }


def _class(figures: dict) -> dict:
    """A live class's answers sent, stored and lost, and the host view's p95 lag behind them."""
    return {
        "answers_sent": figures["answers_sent"],
        "stored": figures["stored"],
        "answers_lost": figures["lost"],
        "answer_to_host_view_p95_s": figures["answer_to_host_view_s"].get("p95"),
        "refresh_cpu_ms": (figures.get("polls") or {}).get("cpu_ms_per_refresh"),
    }


def knee(points: list[dict]) -> int | None:
    """The most students served within KNEE_P95_S, with no error and nothing lost, at that
    size and at every smaller one measured."""
    served = None
    for p in sorted(points, key=lambda p: p["students"]):
        if p["errors"] or p["lost"] or (p["p95_s"] or 1e9) > KNEE_P95_S:
            break
        served = p["students"]
    return served


def measure(scenarios=SCENARIOS, students=STUDENTS, log=print) -> dict:
    """Run every point; {scenario: {"points": [...], "knee": N}}."""
    curve = {}
    for scenario in scenarios:
        points = []
        for n in students:
            log(f"capacity: {scenario}, {n} students")
            config = protocol.Config(scenario=scenario, students=n, seconds=SECONDS)
            result = protocol.run(config)
            points.append(point(result))
            log(protocol.line(result))
            if "class" in result:
                log(protocol.class_line(result))
                log(protocol.polls_line(result))
        curve[scenario] = {"points": points, "knee": knee(points)}
    return curve


TARGETS = {  # issue 16's targets on this machine: p95 (s), CPU per action (s), peak memory (MB)
    "selfstudy": (None, 0.1, 1500),
    "class": (1.0, None, 1500),
}
REFRESH_TARGET_MS = 5.0  # issue 16: one live-class refresh (a phone's poll, the host's panel)


def figures(curve: dict) -> list:
    """The curve as `make bench` rows, one group per scenario and number of students."""
    from bench.report import Figure

    rows = []
    for scenario, c in curve.items():
        p95, cpu, memory = TARGETS.get(scenario, (None, None, None))
        for p in c["points"]:
            group = f"capacity {scenario} {p['students']}"
            note = f"{p['errors']} errors, {p['lost']} lost" if p["errors"] or p["lost"] else ""
            rows += [
                Figure(group, "p95", p["p95_s"], "s", p95, note=note),
                Figure(group, "CPU per action", p["cpu_s_per_action"], "s", cpu),
                Figure(group, "peak memory", p["peak_memory_mb"], "MB", memory),
            ]
            if p.get("refresh_cpu_ms") is not None:  # class points measured since it was added
                rows.append(
                    Figure(group, "CPU per refresh", p["refresh_cpu_ms"], "ms", REFRESH_TARGET_MS)
                )
    return rows


def svg(curve: dict) -> str:
    """Three panels against students (p95, CPU per action, peak memory), the knee marked."""
    panels = (
        ("p95 latency (s)", "p95_s"),
        ("server CPU per action (s)", "cpu_s_per_action"),
        ("peak server memory (MB)", "peak_memory_mb"),
    )
    colours = {"selfstudy": "#2f6fdf", "class": "#d9622b"}
    width, height, pad = 300, 220, 46
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{3 * width}" height="{height + 40}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    most = max((p["students"] for c in curve.values() for p in c["points"]), default=1)
    for i, (title, field) in enumerate(panels):
        x0 = i * width
        values = [p[field] for c in curve.values() for p in c["points"] if p[field] is not None]
        top = max(values, default=1) * 1.1 or 1

        def x(n: float, x0: int = x0) -> float:
            return x0 + pad + (width - pad - 12) * n / most

        def y(v: float, top: float = top) -> float:
            return height - pad + 20 - (height - pad) * v / top

        out.append(f'<text x="{x0 + width / 2}" y="14" text-anchor="middle" '
                   f'font-weight="bold">{escape(title)}</text>')  # fmt: skip
        out.append(f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(most)}" y2="{y(0)}" stroke="#888"/>')
        out.append(f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(0)}" y2="{y(top)}" stroke="#888"/>')
        for tick in (0, top / 2 / 1.1, top / 1.1):
            out.append(f'<text x="{x(0) - 4}" y="{y(tick) + 4}" text-anchor="end">'
                       f"{tick:.4g}</text>")  # fmt: skip
        for n in sorted({p["students"] for c in curve.values() for p in c["points"]}):
            out.append(f'<text x="{x(n)}" y="{y(0) + 14}" text-anchor="middle">{n}</text>')
        out.append(f'<text x="{x0 + width / 2}" y="{height + 32}" text-anchor="middle">'
                   "students</text>")  # fmt: skip
        if field == "p95_s":
            out.append(f'<line x1="{x(0)}" y1="{y(KNEE_P95_S)}" x2="{x(most)}" '
                       f'y2="{y(KNEE_P95_S)}" stroke="#999" stroke-dasharray="4 3"/>')  # fmt: skip
        for scenario, c in curve.items():
            pts = [(p["students"], p[field]) for p in c["points"] if p[field] is not None]
            colour = colours.get(scenario, "#333")
            path = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in pts)
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                       'stroke-width="2"/>')  # fmt: skip
            for n, v in pts:
                out.append(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
            if c["knee"] is not None:
                out.append(f'<line x1="{x(c["knee"])}" y1="{y(0)}" x2="{x(c["knee"])}" '
                           f'y2="{y(top)}" stroke="{colour}" stroke-dasharray="2 3"/>')  # fmt: skip
    legend = " · ".join(
        f'<tspan fill="{colours.get(s, "#333")}" font-weight="bold">{escape(s)}</tspan> '
        f"(knee {c['knee'] if c['knee'] is not None else 'below the first point'})"
        for s, c in curve.items()
    )
    note = f"dashed grey: p95 budget {KNEE_P95_S:g} s; dotted: each knee"
    out.append(f'<text x="{3 * width / 2}" y="{height + 16}" text-anchor="middle">'
               f"{legend}; {note}</text>")  # fmt: skip
    out.append("</svg>")
    return "\n".join(out) + "\n"


def table(curve: dict) -> str:
    """The curve as a Markdown table, for the README and the closing note."""
    rows = [
        "| scenario | students | actions | errors | lost | p95 (s) | CPU/action (s) | peak MB "
        "| CPU/refresh (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario, c in curve.items():
        for p in c["points"]:
            refresh = p.get("refresh_cpu_ms")
            rows.append(
                f"| {scenario} | {p['students']} | {p['actions']} | {p['errors']} | {p['lost']} "
                f"| {p['p95_s']} | {p['cpu_s_per_action']} | {p['peak_memory_mb']} "
                f"| {'–' if refresh is None else refresh} |"
            )
    return "\n".join(rows)


def save(curve: dict) -> None:
    """Write the curve's JSON and its chart."""
    RESULTS.write_text(json.dumps(curve, indent=2) + "\n")
    CHART.write_text(svg(curve))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--students", nargs="+", type=int, default=list(STUDENTS))
    args = parser.parse_args(argv)
    curve = measure(tuple(args.scenarios), tuple(args.students))
    if RESULTS.exists():  # a scenario not rerun keeps its last curve
        curve = json.loads(RESULTS.read_text()) | curve
    save(curve)
    print(table(curve))
    for scenario, c in curve.items():
        print(f"{scenario}: knee at {c['knee']} students (p95 within {KNEE_P95_S:g} s)")
    print(f"written: {RESULTS.relative_to(ROOT)}, {CHART.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
