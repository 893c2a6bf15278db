"""Judging an answer against the expected value, as a teacher would, and saying why in one sentence.

Numbers: integers exactly; other numbers within rel_tol, or, for a number typed with k >= 3
significant figures, when it is the expected value rounded to k figures (the course writes 0.127
and 12.7% for 0.12674); a question asks for more figures through a smaller rel_tol. Expressions
with variables: sampled at seeded points, then simplify. Tuples entry by entry. A wrong answer is
matched against the authored distractors, then named when it is a share typed in percent without
its % sign (20 for 1/5). The contract in `quizzes.checking` states the rules.
Left out: reading text (reading.py) and processes (pool.py); simplify runs only inside a worker,
where SIGPROF can interrupt it.
"""

from __future__ import annotations

import math
import random
import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from quizzes.checking.reading import Parsed, parse

REL_TOL = 1e-3  # relative tolerance for non-integer numbers and sampled values
ABS_FLOOR = 1e-12  # absolute tolerance near zero
INTEGER_FLOOR = 1e-40  # how close an irrational form must come to an integer answer
MIN_FIGURES = 3  # fewest significant figures a rounded answer may have
PRECISION = 50  # digits used to evaluate numbers and sample points
SAMPLES = 8  # random points at which expressions are compared
SAMPLE_RANGE = (1.5, 9.5)  # every variable is drawn from here, in steps of 0.01
SAMPLE_SEED = 20240607
SYMBOLIC_S = 0.2  # CPU budget for simplify inside the worker (CPU, so a busy machine gets as long)


class Outcome(NamedTuple):
    """How an answer compared, in a form that pickles back from the worker."""

    kind: str  # same, off, digits, other, whole, differs, count, entry, percent
    shown: str = ""  # the value given, the point of difference, or what the entries are
    given: int = 0
    total: int = 0


SAME = Outcome("same")
PERCENT = Outcome("percent")  # a share typed in percent without its % sign


@dataclass(frozen=True)
class Sampled:
    """An answer judged in-process: known by its exact value at each point, never as SymPy."""

    value_at: Callable[[Mapping[sp.Symbol, sp.Rational]], sp.Rational]  # raises _Undecided
    free_symbols: frozenset[sp.Symbol]


class _Undecided(Exception):
    """The in-process judge cannot decide; a worker must."""


class _Overrun(BaseException):
    """Raised by SIGPROF in the worker when simplify runs past its budget."""


def _finite(value: sp.Expr, digits: int) -> sp.Expr | None:
    """The value as a finite number to `digits` digits, or None (undefined, or beyond evalf)."""
    try:
        number = sp.N(value, digits)
    except (ArithmeticError, ValueError):
        return None
    return number if number.is_finite else None


def _show(value: sp.Expr) -> str:
    """A short plain-text form of a number for messages."""
    if value.is_Integer and abs(value) < 10**15:
        return str(value)
    number = _finite(value, 6)
    return "a value that can't be evaluated" if number is None else sp.sstr(number, full_prec=False)


def _close(answer: sp.Expr, expected: sp.Expr, rel_tol: float, floor: float = ABS_FLOOR) -> bool:
    """Whether two numbers agree within rel_tol of the expected one, or within floor."""
    gap, scale = _finite(answer - expected, PRECISION), _finite(expected, PRECISION)
    if gap is None or scale is None:
        return False
    return bool(abs(gap) <= floor) or bool(abs(gap) <= rel_tol * abs(scale))


def _fraction(value: sp.Expr) -> Fraction:
    """A SymPy number as an exact Fraction."""
    rational = sp.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _magnitude(x: Fraction) -> int:
    """The e with 10^e <= |x| < 10^(e+1), for x != 0."""
    x = abs(x)
    e = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def figures_needed(rel_tol: float) -> int | None:
    """Significant figures a rounded answer needs: 3, or more when rel_tol asks (1e-5 asks 5)."""
    if rel_tol <= 0:
        return None
    return max(MIN_FIGURES, math.ceil(-math.log10(rel_tol) - 1e-9))


def _rounds_to(answer: sp.Expr, expected: sp.Expr, figures: int) -> bool:
    """Whether the expected value rounded to `figures` significant figures is the answer."""
    value = expected if expected.is_Rational else _finite(expected, PRECISION)
    if value is None or value == 0 or not answer.is_Rational:
        return False
    x, a = _fraction(value), _fraction(answer)
    step = Fraction(10) ** (_magnitude(x) - figures + 1)
    return (a / step).denominator == 1 and abs(a - x) <= step / 2


def _compare_numbers(answer: sp.Expr, expected: sp.Expr, rel_tol: float, figures) -> Outcome:
    """Integers exactly; other numbers within rel_tol or rounded to the figures typed."""
    if expected.is_Integer and answer.is_Integer:
        return SAME if answer == expected else Outcome("other", _show(answer))
    if expected.is_Integer:
        exact = (  # log(8)/log(2) is 3; exp(10^-999) - 1 comes within the floor of 0, yet isn't
            not answer.is_Rational
            and (answer - expected).is_zero is not False
            and _close(answer, expected, 0.0, INTEGER_FLOOR)
        )
        return SAME if exact else Outcome("whole", _show(answer))
    if _close(answer, expected, rel_tol):
        return SAME
    needed = figures_needed(rel_tol)
    if figures and needed and _rounds_to(answer, expected, figures):
        return SAME if figures >= needed else Outcome("digits", total=needed)
    return Outcome("off", _show(answer))


def _at(answer, point: Mapping[sp.Symbol, sp.Rational]) -> sp.Expr:
    """The answer's value at a point."""
    return answer.value_at(point) if isinstance(answer, Sampled) else answer.xreplace(point)


def _differing_point(answer, expected: sp.Expr, rel_tol: float) -> str | None:
    """The first seeded point where the two disagree ('' if none could be compared)."""
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=str)
    low, high = (round(bound * 100) for bound in SAMPLE_RANGE)
    rng = random.Random(SAMPLE_SEED)
    compared = 0
    for _ in range(SAMPLES):
        point = {s: sp.Rational(rng.randint(low, high), 100) for s in symbols}
        reference = expected.xreplace(point)
        if isinstance(answer, Sampled) and not (reference.is_Number or reference is sp.zoo):
            raise _Undecided
        if _finite(reference, 15) is None:
            continue
        compared += 1
        if not _close(_at(answer, point), reference, rel_tol):
            return ", ".join(f"{s} = {_show(v)}" for s, v in point.items())
    return None if compared else ""


def _overrun(*_: object) -> None:
    """SIGPROF handler while simplify runs."""
    raise _Overrun


def _symbolically_zero(difference: sp.Expr) -> bool:
    """Whether simplify proves the difference zero within SYMBOLIC_S (worker main thread only)."""
    previous = signal.signal(signal.SIGPROF, _overrun)
    try:
        signal.setitimer(signal.ITIMER_PROF, SYMBOLIC_S)
        try:
            return sp.simplify(difference) == 0
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
    except _Overrun:
        return False
    finally:
        signal.signal(signal.SIGPROF, previous)


def compare(answer, expected, rel_tol: float, figures: tuple = (), symbolic=True) -> Outcome:
    """Compare an answer with a trusted expected value under the checker's rules.

    `figures` holds the significant figures typed, per entry (one entry for a single value).
    """
    if isinstance(expected, tuple):
        items = answer if isinstance(answer, tuple) else (answer,)  # (10) is one value
        noun = "numbers" if all(item.is_number for item in expected) else "values"
        if len(items) != len(expected):
            return Outcome("count", noun, len(items), len(expected))
        for position, (a, b) in enumerate(zip(items, expected, strict=True), 1):
            entry = figures[position - 1 : position]
            if compare(a, b, rel_tol, entry, symbolic) != SAME:
                return Outcome("entry", noun, position, len(expected))
        return SAME
    if isinstance(answer, tuple):
        return Outcome("count", "value", len(answer), 1)
    if not (answer.free_symbols or expected.free_symbols):
        return _compare_numbers(_at(answer, {}), expected, rel_tol, (*figures, None)[0])
    point = _differing_point(answer, expected, rel_tol)
    if point is None or (symbolic and _symbolically_zero(answer - expected)):
        return SAME
    return Outcome("differs", point)


def _in_percent(answer, expected, rel_tol: float, figures: tuple) -> bool:
    """Whether a number is a share (up to 1) given in percent but without the % sign: 20 for 1/5."""
    if isinstance(expected, tuple) or isinstance(answer, tuple):
        return False
    if answer.free_symbols or expected.free_symbols or not expected.is_positive or expected > 1:
        return False
    return _compare_numbers(_at(answer, {}) / 100, expected, rel_tol, (*figures, None)[0]) == SAME


def judge(
    answer, target, others: Sequence, rel_tol: float, figures=(), symbolic=True, percent_sign=False
) -> tuple:
    """The outcome against the expected value, and the index of the first distractor matched.

    A wrong share typed in percent without its % sign (`percent_sign` False) is named as such
    when no distractor matched.
    """
    outcome = compare(answer, target, rel_tol, figures, symbolic)
    if outcome == SAME:
        return outcome, None
    for index, other in enumerate(others):
        if compare(answer, other, rel_tol, figures, symbolic=False) == SAME:
            return outcome, index
    if not percent_sign and _in_percent(answer, target, rel_tol, figures):
        return PERCENT, None
    return outcome, None


def rehearse() -> None:
    """Judge a few answers once, so that SymPy's lazy imports and caches are warm before a fork.

    simplify is first called without a time budget: an alarm must not cut an import short.
    """
    n = sp.Symbol("N", positive=True)
    sp.simplify((n**2 - 1) / (n - 1) - n - 1)
    for text in ("(N^2 - 1)/(N - 1)", "sqrt(N) + 0.7^N - ln(N)", "max(N, 1) + |N| + 2!"):
        judge_text(text, ("N",), True, n + 1, (), REL_TOL)


def judge_text(text: str, variables: tuple, single: bool, target, others, rel_tol: float) -> tuple:
    """Worker job: read the text again, build its value and judge it."""
    parsed = parse(text, variables, single)
    signed = parsed.percent_sign
    return judge(parsed.build(), target, others, rel_tol, parsed.figures, percent_sign=signed)


def is_number(value) -> bool:
    """Whether a trusted value is a plain number (or a tuple of them), compared in-process."""
    if isinstance(value, tuple):
        return all(is_number(item) for item in value)
    return value.is_Number


def _cheap(value) -> bool:
    """Whether a trusted value is a number or a rational function, so sampling it is exact."""
    if isinstance(value, tuple):
        return all(_cheap(item) for item in value)
    if value.is_Number:
        return True
    return bool(value.free_symbols) and value.is_rational_function(*value.free_symbols)


def _sampled(parsed: Parsed, index: int) -> Sampled:
    """Item `index` of a parsed answer, valued exactly at each point in-process."""

    def value_at(point: Mapping[sp.Symbol, sp.Rational]) -> sp.Rational:
        value = parsed.value(index, {s.name: _fraction(v) for s, v in point.items()})
        if value is None:
            raise _Undecided
        return sp.Rational(value.numerator, value.denominator)

    names = parsed.names[index]
    return Sampled(value_at, frozenset(sp.Symbol(name, positive=True) for name in names))


def judge_in_process(parsed: Parsed, target, others: Sequence, rel_tol: float) -> tuple | None:
    """Judge without a worker when every value is rational (numbers, polynomials, ratios of them).

    Exact rational arithmetic on bounded sizes is fast, and at such points it is decisive, so
    simplify is never needed. Returns None when a worker must judge instead.
    """
    if not all(_cheap(value) for value in (target, *others)):
        return None
    items = tuple(_sampled(parsed, i) for i in range(len(parsed.items)))
    answer = items if parsed.is_tuple else items[0]
    try:
        signed = parsed.percent_sign
        return judge(answer, target, others, rel_tol, parsed.figures, False, percent_sign=signed)
    except _Undecided:
        return None


def message(outcome: Outcome, rel_tol: float) -> str:
    """One friendly sentence for an outcome, never revealing the answer."""
    if outcome.kind == "same":
        return "Correct."
    if outcome.kind == "off":
        within = f"{rel_tol * 100:g}%"
        return f"Not quite: you gave {outcome.shown}, which is not within {within} of the answer."
    if outcome.kind == "digits":
        return f"Close: give at least {outcome.total} significant figures."
    if outcome.kind == "other":
        return f"Not quite: you gave {outcome.shown}, which is not the answer."
    if outcome.kind == "whole":
        return f"Not quite: you gave {outcome.shown}, but the answer is an exact whole number."
    if outcome.kind == "differs" and outcome.shown:
        return f"Not equivalent: your expression differs from the answer at {outcome.shown}."
    if outcome.kind == "differs":
        return "Not equivalent: your expression does not match the answer."
    if outcome.kind == "percent":
        return (
            "Not quite: your answer is what you get with the value in percent "
            "but without the % sign."
        )
    if outcome.kind == "count":
        return f"Not quite: expected {outcome.total} {outcome.shown}, you gave {outcome.given}."
    return f"Not quite: entry {outcome.given} of {outcome.total} is wrong."
