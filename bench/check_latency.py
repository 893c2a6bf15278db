"""Answer-checker latency, fairness under attack, worker memory: `python -m bench.check_latency`.

Targets: ordinary answers median under 10 ms and p99 under 150 ms; every call, hostile ones and
a worker replacement included, under 2 s; while another session sends slow answers as fast as
it can, other students' answers stay under 300 ms (in-process) and 1 s (in a worker). The
workers are warmed up first, then each list is timed a few times over.
"""

import os
import statistics
import threading
import time
from pathlib import Path

import sympy as sp

from quizzes.checking import BUSY, check_answer, warm_up
from quizzes.checking.hostile import HOSTILE

REPEATS = 5  # each ordinary case is timed this many times
ATTACK_S = 5.0  # how long the fairness experiment runs

N_VARS = ("N",)
CONV_VARS = ("N", "D_K", "M")
RATIO = "73/576"  # written 0.127 and 12.7% in the course

# (text, expected, variables): numbers, expressions and shapes, right and wrong
ORDINARY = [
    ("0.7^5", "(7/10)**5", ()),
    ("0.16807", "(7/10)**5", ()),
    ("0.17", "(7/10)**5", ()),
    ("0.7⁵", "(7/10)**5", ()),
    ("73728", 73728, ()),
    ("73728.0", 73728, ()),
    ("7.3728e4", 73728, ()),
    ("73728.4", 73728, ()),
    ("3*3*128*64", 73728, ()),
    ("87%", 0.87, ()),
    ("0.87", 0.87, ()),
    ("5×10^-4", 5e-4, ()),
    ("1/9 + 1/256", "1/9 + 1/256", ()),
    ("8.7", "1/(1/9 + 1/256)", ()),
    ("sqrt(2)", "sqrt(2)", ()),
    ("1.414", "sqrt(2)", ()),
    ("e^-1", "exp(-1)", ()),
    ("(N+9)/(9N)", "(N + 9)/(9*N)", N_VARS),
    ("1/9 + 1/N", "(N + 9)/(9*N)", N_VARS),
    ("(N+1)/N", "(N + 9)/(9*N)", N_VARS),
    ("9N", "9*N", N_VARS),
    ("2(N+1)", "2*N + 2", N_VARS),
    ("(N+1)(N+2)", "N**2 + 3*N + 2", N_VARS),
    ("N^2 + 2N + 1", "N**2 + 3*N + 2", N_VARS),
    ("D_K^2 M N", "D_K**2*M*N", CONV_VARS),
    ("D_K² M N", "D_K**2*M*N", CONV_VARS),
    ("D_K^2 M + M N", "D_K**2*M + M*N", CONV_VARS),
    ("D_K^2 M N", "D_K**2*M + M*N", CONV_VARS),
    ("1/N + 1/D_K^2", "(D_K**2*M + M*N)/(D_K**2*M*N)", CONV_VARS),
    ("0.7^N", "0.7**N", N_VARS),
    ("(128, 16, 16)", (128, 16, 16), ()),
    ("128, 16, 16", (128, 16, 16), ()),
    ("[128, 16, 16]", (128, 16, 16), ()),
    ("(16, 128, 16)", (128, 16, 16), ()),
    ("(128, 16)", (128, 16, 16), ()),
    ("(N, 16, 16)", ("N", 16, 16), N_VARS),
    ("0,87", 0.87, ()),
    ("cosh(N)", "N", N_VARS),
    ("(N+1", "N + 1", N_VARS),
    ("", 1, ()),
]

# (text, expected, variables): what students paste or type, and the functions of this field
NOTATION = [
    ("0.127", RATIO, ()),
    ("12.7%", RATIO, ()),
    ("0.13", RATIO, ()),
    ("1,206,080", 1206080, ()),
    ("44 layers", 44, ()),
    ("8.41x", 8.41, ()),
    ("L = 44", 44, ()),
    ("≈ 0.127", RATIO, ()),
    (r"\frac{1}{N} + \frac{1}{9}", "1/N + 1/9", N_VARS),
    (r"D_{K}^{2} \cdot M", "D_K**2*M", CONV_VARS),
    ("dk^2 m", "D_K**2*M", CONV_VARS),
    ("torch.Size([8, 64, 8, 8])", (8, 64, 8, 8), ()),
    ("8×64×8×8", (8, 64, 8, 8), ()),
    ("1/9N", "1/(9*N)", N_VARS),
    ("4.5 e-5", 4.5e-5, ()),
    ("max(0, N - 5)", "Max(0, N - 5)", N_VARS),
    ("relu(N - 5)", "Max(0, N - 5)", N_VARS),
    ("σ(0)", 0.5, ()),
    ("tanh(N)", "tanh(N)", N_VARS),
    ("|N - 10|", "Abs(N - 10)", N_VARS),
    ("5!", 120, ()),
    ("sin(pi/6)", 0.5, ()),
]


def _slow_expected() -> sp.Expr:
    """A trusted value whose evaluation runs for many seconds, so its check overruns a worker."""
    k = sp.Symbol("k", integer=True, positive=True)
    return sp.Sum(sp.sin(sp.Symbol("N") * k) / k, (k, 1, sp.oo))


def _summary(times: list[tuple[float, str]]) -> dict:
    """Median, p99 and max in ms, the count, and the slowest case."""
    millis = sorted(ms for ms, _ in times)
    p99 = (
        statistics.quantiles(millis, n=100, method="inclusive")[98]
        if len(millis) > 1
        else millis[0]
    )
    worst_ms, worst = max(times)
    return {
        "median_ms": round(statistics.median(millis), 2),
        "p99_ms": round(p99, 2),
        "max_ms": round(worst_ms, 2),
        "n": len(millis),
        "worst": worst[:60],
    }


def _timed(text: str, expected: object, variables: tuple, session: str | None = None) -> tuple:
    """(milliseconds, verdict) of one check."""
    start = time.perf_counter()
    verdict = check_answer(text, expected, variables=variables, session=session)
    return (time.perf_counter() - start) * 1000, verdict


def time_checks(cases: list[tuple[str, object, tuple[str, ...]]]) -> dict:
    """Time check_answer on each case."""
    return _summary([(_timed(*case)[0], case[0]) for case in cases])


def time_replacements(rounds: int = 3) -> dict:
    """A check whose worker overruns and is killed, then at once a check that needs a worker."""
    overruns, next_checks = [], []
    for _ in range(rounds):
        overruns.append((_timed("N", _slow_expected(), N_VARS)[0], "N"))
        next_checks.append((_timed("0.7^N", "0.7**N", N_VARS)[0], "0.7^N"))
    return {"overrun": _summary(overruns), "next_check": _summary(next_checks)}


def fairness(attackers: int = 2) -> dict:
    """Other students' checks while threads of one session send slow checks as fast as they can."""
    stop = threading.Event()
    sent = []

    def attack() -> None:
        while not stop.is_set():
            sent.append(_timed("N", _slow_expected(), N_VARS, "attacker")[1].message)

    threads = [threading.Thread(target=attack) for _ in range(attackers)]
    for thread in threads:
        thread.start()
    checks = {"in process": [], "in a worker": []}
    busy = 0
    deadline = time.monotonic() + ATTACK_S
    while time.monotonic() < deadline:
        for kind, case in [
            ("in process", ("0.7^5", "0.7**5", ())),
            ("in process", ("(N+9)/9N", "(N + 9)/(9*N)", N_VARS)),
            ("in a worker", ("0.7^N", "0.7**N", N_VARS)),
        ]:
            ms, verdict = _timed(*case, session="student")
            checks[kind].append((ms, case[0]))
            busy += verdict.message == BUSY
    stop.set()
    for thread in threads:
        thread.join()
    return {
        **{kind: _summary(times) for kind, times in checks.items()},
        "student_refused_busy": busy,
        "attacks_sent": len(sent),
        "attacks_refused_busy": sent.count(BUSY),
    }


def worker_memory() -> dict:
    """Resident and proportional memory (MB) of the zygote and each worker it forked."""

    def children(pid: int) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == str(pid):
                found.append(int(stat.parent.name))
        return found

    def megabytes(pid: int) -> dict:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        fields = {line.split()[0]: int(line.split()[1]) for line in lines[1:]}
        return {"rss": round(fields["Rss:"] / 1024), "pss": round(fields["Pss:"] / 1024)}

    report = {}
    for zygote in children(os.getpid()):
        report["zygote"] = megabytes(zygote)
        report["workers"] = [megabytes(worker) for worker in children(zygote)]
    return report


def bank_cases(seeds: range = range(5)) -> list[tuple[str, object, tuple[str, ...]]]:
    """Every typed question's reference answer and distractors, as a student would type them."""
    from quizzes import bank

    cases = []
    for q in bank.bank().values():
        if q.kind == "choice":
            continue
        for seed in seeds:
            v = bank.variant(q.id, seed)
            for value in (v.expected, *(wrong for wrong, _ in v.distractors)):
                text = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
                cases.append((text, v.expected, q.variables))
    return cases


def run() -> dict:
    """Warm the workers up, then time each list, replacements and fairness; measure memory."""
    warm_up()
    return {
        "bank": time_checks(bank_cases()),
        "ordinary": time_checks(ORDINARY * REPEATS),
        "notation": time_checks(NOTATION * REPEATS),
        "hostile": time_checks([hostile.values for hostile in HOSTILE]),
        "replacement": time_replacements(),
        "fairness": fairness(),
        "memory_mb": worker_memory(),
    }


if __name__ == "__main__":
    for name, result in run().items():
        if "median_ms" not in result:
            print(f"{name:11} {result}")
            continue
        print(
            f"{name:11} median {result['median_ms']:7.2f} ms   p99 {result['p99_ms']:7.2f} ms   "
            f"max {result['max_ms']:7.2f} ms   n {result['n']:4}   worst {result['worst']!r}"
        )
