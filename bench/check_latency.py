"""Latency of the answer checker on ordinary and hostile answers: `python -m bench.check_latency`.

Targets: ordinary answers median under 10 ms and p99 under 150 ms; every call, hostile ones
included, under 2 s. The worker is warmed up first, then each list is timed a few times over.
"""

import statistics
import time

from quizzes.checking import check_answer, warm_up

REPEATS = 5  # each ordinary case is timed this many times

N_VARS = ("N",)
CONV_VARS = ("N", "D_K", "M")

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
    ("sin(N)", "N", N_VARS),
    ("(N+1", "N + 1", N_VARS),
    ("", 1, ()),
]

# (text, expected, variables): each must be refused or judged within 2 s, executing nothing
HOSTILE = [
    ("().__class__", 1, ()),
    ("().__class__.__bases__[0].__subclasses__()", 1, ()),
    ("__import__('os').system('touch PWNED')", 1, ()),
    ("__import__('pathlib').Path('PWNED').touch()", 1, ()),
    ("open('PWNED', 'w')", 1, ()),
    ("eval('1+1')", 2, ()),
    ("exec('x=1')", 1, ()),
    ("getattr(1, 'real')", 1, ()),
    ("lambda: 0", 1, ()),
    ("[x for x in (1, 2)]", (1, 2), ()),
    ("'a' * 10", 1, ()),
    ("＿＿import＿＿（'os'）", 1, ()),
    ("＿＿import＿＿", 1, ()),
    ("9**9**9**9", 1, ()),
    ("10^10^10", 1, ()),
    ("2^(10^7)", 1, ()),
    ("1e999999999", 1, ()),
    ("100000!", 1, ()),
    ("N^N^N", 1, N_VARS),
    ("exp(exp(exp(N)))", 1, N_VARS),
    ("(" * 200 + "1" + ")" * 200, 1, ()),
    ("(" * 20 + "1" + ")" * 20, 1, ()),
    ("9" * 10_000, 1, ()),
    ("-" * 150 + "1", 1, ()),
    ("2^1000 * 3^600 - 7^400", 1, ()),
    ("floor(pi * 10^990) / 10^990", "pi", ()),
    ("sqrt(N + sqrt(N + sqrt(N + sqrt(N + sqrt(N)))))", "N", N_VARS),
    ("N^1000 - (N - 1)^1000", "N", N_VARS),
]


def time_checks(cases: list[tuple[str, object, tuple[str, ...]]]) -> dict:
    """Time check_answer on each case: median, p99 and max in ms, the count and the slowest."""
    times = []
    for text, expected, variables in cases:
        start = time.perf_counter()
        check_answer(text, expected, variables=variables)
        times.append(((time.perf_counter() - start) * 1000, text))
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
    """Warm the worker up, then time the bank's answers, the ordinary ones and the hostile ones."""
    warm_up()
    return {
        "bank": time_checks(bank_cases()),
        "ordinary": time_checks(ORDINARY * REPEATS),
        "hostile": time_checks(HOSTILE),
    }


if __name__ == "__main__":
    for name, result in run().items():
        print(
            f"{name:9} median {result['median_ms']:7.2f} ms   p99 {result['p99_ms']:7.2f} ms   "
            f"max {result['max_ms']:7.2f} ms   n {result['n']:4}   worst {result['worst']!r}"
        )
