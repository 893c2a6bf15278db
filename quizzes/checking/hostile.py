"""The corpus of hostile answers the checker is held to: code, payloads, towers and huge values.

Each must come back within 2 s with one polite sentence and never be marked correct; most are
refused unread (no attempt counted), a few are read and judged wrong (large but bounded
values). The checker's tests, the browser fault tests and the benchmarks (bench.check_latency,
bench.load) all use this one list. The app does not: it is data for checking the checker.
"""

from __future__ import annotations

from typing import NamedTuple

_N = ("N",)


class Hostile(NamedTuple):
    """One hostile answer, what it is checked against, and whether it must be refused unread."""

    id: str  # what it tries, as a test id
    text: str
    expected: object = 1
    variables: tuple[str, ...] = ()
    refused: bool = True  # False: it is read, and judged wrong

    @property
    def values(self) -> tuple[str, object, tuple[str, ...]]:
        """(text, expected, variables): the arguments of check_answer."""
        return self.text, self.expected, self.variables


HOSTILE = [
    # code and payloads
    Hostile("attribute access", "().__class__"),
    Hostile("dunder walk", "().__class__.__bases__[0].__subclasses__()"),
    Hostile("import", "__import__('os')"),
    Hostile("bare dunder name", "__import__"),
    Hostile("os.system", "__import__('os').system('touch PWNED')"),
    Hostile("pathlib touch", "__import__('pathlib').Path('PWNED').touch()"),
    Hostile("lambda", "lambda: 0"),
    Hostile("lambda with an argument", "lambda x: x"),
    Hostile("a string", "'os'"),
    Hostile("a double-quoted string", '"1"'),
    Hostile("a repeated string", "'a' * 10"),
    Hostile("bytes", "b'1'"),
    Hostile("complex literal", "1j"),
    Hostile("comprehension", "[x for x in (1, 2)]", (1, 2)),
    Hostile("dict", "{1: 2}"),
    Hostile("open a file", "open('x', 'w')"),
    Hostile("open a file to write", "open('PWNED', 'w')"),
    Hostile("open without quotes", "open(x)"),
    Hostile("eval", "eval(1)"),
    Hostile("eval of a string", "eval('1+1')", 2),
    Hostile("exec", "exec(1)"),
    Hostile("exec of a string", "exec('x=1')"),
    Hostile("getattr", "getattr(1, 2)"),
    Hostile("getattr of a name", "getattr(1, 'real')"),
    Hostile("keyword argument", "sqrt(x=2)"),
    Hostile("starred argument", "sqrt(*(2,))"),
    Hostile("subscript", "(2)[0]"),
    Hostile("conditional", "1 if 1 else 2"),
    Hostile("walrus", "(y := 2)"),
    Hostile("floor division", "2 // 1"),
    Hostile("matrix product", "2 @ 1"),
    Hostile("two statements", "1; 2"),
    Hostile("full-width dunder", "＿＿import＿＿"),
    Hostile("full-width call", "＿＿import＿＿（＇os＇）"),
    Hostile("full-width call with ascii quotes", "＿＿import＿＿（'os'）"),
    Hostile("an internal function name", "_pct(5)"),
    Hostile("a latex file include", r"\input{/etc/passwd}"),
    Hostile("unbalanced latex braces", r"\frac{\frac{\frac{1}{2}}{3}"),
    # values too large or too slow to evaluate
    Hostile("power tower", "9**9**9**9"),
    Hostile("caret tower", "10^10^10"),
    Hostile("huge exponent", "2^(10^7)"),
    Hostile("huge scientific", "1e999999999"),
    Hostile("tiny scientific", "1e-999999999"),
    Hostile("factorial", "100000!"),
    Hostile("factorial of a factorial", "(10!)!"),
    Hostile("huge exp", "exp(10^6)"),
    Hostile("huge angle", "sin(10^9)"),
    Hostile("a tower over a variable", "N^N^N", variables=_N),
    Hostile("exp of exp of exp", "exp(exp(exp(N)))", variables=_N),
    Hostile("rounding a huge irrational", "floor((1+sqrt(2))^999)"),
    Hostile("rounding a sum of roots", "ceil((sqrt(2)+sqrt(3))^999)"),
    Hostile("rounding to a thousand digits", "ceil(sqrt(2)*10^999)"),
    Hostile("pi to a thousand digits", "floor(pi * 10^990) / 10^990", "pi"),
    Hostile("a root of a thousand digits", "sqrt(10^998 + 1)"),
    Hostile("a root of a huge power", "sqrt(N^998 + 1)", "N", _N),
    Hostile("a difference of huge powers", "N^1000 - (N - 1)^1000", "N", _N),
    Hostile("an exact value of 588 digits", "2^1000 * 3^600 - 7^400", refused=False),
    Hostile("exp of a tiny value", "exp(10^-999) - 1", refused=False),
    Hostile(
        "nested roots",
        "sqrt(N + sqrt(N + sqrt(N + sqrt(N + sqrt(N)))))",
        "N",
        _N,
        refused=False,
    ),
    # long and deep text
    Hostile("200 nested brackets", "(" * 200 + "1" + ")" * 200),
    Hostile("25 nested brackets", "(" * 25 + "1" + ")" * 25),
    Hostile("20 nested brackets", "(" * 20 + "1" + ")" * 20, 2, refused=False),
    Hostile("30 nested bars", "|" * 30 + "1" + "|" * 30),
    Hostile("20 nested bars", "|" * 20 + "1" + "|" * 20, 2, refused=False),
    Hostile("30 nested braces", "{" * 30 + "1" + "}" * 30),
    Hostile("150 signs", "-" * 150 + "1"),
    Hostile("many nodes", "1+" * 99 + "1"),
    Hostile("a max of a hundred values", "max(" + "1," * 99 + "1)"),
    Hostile(
        "a max of 29 sines",
        "max(" + ",".join(f"sin({k}N)" for k in range(1, 30)) + ")",
        "N",
        _N,
    ),
    Hostile("10000 characters", "9" * 10_000),
    Hostile("a null byte", "\x00"),
    Hostile("a right-to-left override", "1\u202e2"),
]
