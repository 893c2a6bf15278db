"""What an answer means, as a key: texts the checker reads as the same value share one key.

A live class groups a room's answers by meaning, so `0.9^44`, `0.00969` and `0.969%` make one
bar. Contract:

    meaning(text, expected, *, variables=(), rel_tol=REL_TOL, session=None) -> str | None
    clusters(keys, rel_tol=REL_TOL) -> list[list[str]]

The key is plain text made here from the checked reading, never evaluated again:
- a number: a whole number below 10^15 as its digits (`44`); any other value rounded to
  `figures(rel_tol)` significant figures (5 for the default 1e-3: two more than the checker
  judges by) as `m.mmmme±k` (`9.6977e-3`);
- an expression in the question's variables: its values at POINTS fixed points (drawn once from
  the checker's sample range with every declared variable), each as above, joined by `;`;
- a shape: its entries as above, in brackets;
- `undefined` in place of a value that is not a finite real number.
None when the checker refuses the text, or cannot evaluate it in time (busy, overran, a worker
died): the caller keeps such an answer under its own reading.

`clusters` groups distinct keys as the checker would: two keys are together when every entry
agrees, whole numbers exactly and other values within rel_tol (absolute floor ABS_FLOOR), and
groups are joined through any chain of such pairs. So `0.00969` and `0.9^44` (0.0096977) share a
bar, `44` and `44.01` do not (a whole number is judged exactly), and `0.127` and `0.12674` are two
bars (the checker accepts the first by rounding, not by tolerance).

Same guarantees as check_answer: the text is read only by reading.parse (checked tree, size
bounds); values that are rational at every point are computed in-process with exact arithmetic;
anything else (roots, logarithms, fractional powers) is valued in a worker of the checker's pool
within its deadline, so every call returns within 2 s; it never raises.
Left out: whether the value is right (judging.py), and labels (the caller shows the reading).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from quizzes.checking import trusted
from quizzes.checking.judging import ABS_FLOOR, REL_TOL, SAMPLE_RANGE, SAMPLE_SEED, figures_needed
from quizzes.checking.notation import Refusal
from quizzes.checking.pool import CheckerBusy, WorkerError
from quizzes.checking.reading import Parsed, parse

POINTS = 4  # fixed points at which an expression's values make its key
EXACT_BELOW = 10**15  # whole numbers below this keep every digit
SPARE_FIGURES = 2  # figures a key keeps beyond those the checker judges by
ALL_FIGURES = 15  # figures kept when a question judges with rel_tol 0
NEAR_WHOLE = Fraction(1, 10**30)  # a worker's value this close to a whole number is that number
DIGITS = 40  # digits a worker evaluates a value to
UNDEFINED = "undefined"


def points(variables: Sequence[str]) -> list[dict[str, Fraction]]:
    """The fixed points, every declared variable in the checker's range in steps of 0.01."""
    low, high = (round(bound * 100) for bound in SAMPLE_RANGE)
    rng = random.Random(f"{SAMPLE_SEED}:meaning")
    names = sorted(variables)
    return [{name: Fraction(rng.randint(low, high), 100) for name in names} for _ in range(POINTS)]


def figures(rel_tol: float) -> int:
    """Significant figures a key keeps for a question judged within rel_tol."""
    needed = figures_needed(rel_tol)
    return ALL_FIGURES if needed is None else needed + SPARE_FIGURES


def _magnitude(x: Fraction) -> int:
    """The e with 10^e <= |x| < 10^(e+1), for x != 0."""
    x = abs(x)
    e = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e


def rounded(x: Fraction, figures: int) -> str:
    """A value's key: a whole number below EXACT_BELOW as digits, else `figures` figures."""
    if x.denominator == 1 and abs(x) < EXACT_BELOW:
        return str(x.numerator)
    e = _magnitude(x)
    mantissa = round(x / Fraction(10) ** (e - figures + 1))
    if abs(mantissa) == 10**figures:  # 9.996 to 3 figures is 10.0
        mantissa, e = mantissa // 10, e + 1
    digits = str(abs(mantissa))
    sign = "-" if mantissa < 0 else ""
    return f"{sign}{digits[0]}.{digits[1:]}e{e}"


def _key(values: list[list[str]], is_tuple: bool) -> str:
    """Per item, its values at each point; a tuple's items in brackets."""
    items = [";".join(item) for item in values]
    return f"({', '.join(items)})" if is_tuple else items[0]


def _in_process(parsed: Parsed, variables: Sequence[str], figures: int) -> str | None:
    """The key from exact values at every point, or None where one is not rational."""
    values = []
    for index in range(len(parsed.items)):
        at_points = []
        for point in points(variables) if variables else [{}]:
            value = parsed.value(index, point)
            if value is None:
                return None
            at_points.append(rounded(value, figures))
        values.append(at_points)
    return _key(values, parsed.is_tuple)


def _valued(value: sp.Expr, figures: int) -> str:
    """A worker's SymPy value as a key entry."""
    try:
        number = sp.N(value, DIGITS)
    except (ArithmeticError, ValueError):
        return UNDEFINED
    if not (number.is_real and number.is_finite):
        return UNDEFINED
    exact = Fraction(str(sp.Float(number, DIGITS)))
    whole = round(exact)
    if abs(exact - whole) <= NEAR_WHOLE * max(1, abs(whole)):
        exact = Fraction(whole)
    return rounded(exact, figures)


def _job(text: str, variables: tuple, single: bool, figures: int) -> str:
    """Worker job: read the text again, build its value and key it at every point."""
    parsed = parse(text, variables, single)
    built = parsed.build()
    items = built if parsed.is_tuple else (built,)
    values = []
    for item in items:
        at_points = []
        for point in points(variables) if variables else [{}]:
            symbols = {sp.Symbol(n, positive=True): sp.Rational(v) for n, v in point.items()}
            at_points.append(_valued(item.xreplace(symbols), figures))
        values.append(at_points)
    return _key(values, parsed.is_tuple)


def meaning(
    text: str,
    expected: object,
    *,
    variables: Sequence[str] = (),
    rel_tol: float = REL_TOL,
    session: str | None = None,
) -> str | None:
    """The key of what a student's text means for a question; None if it can't be read in time."""
    from quizzes.checking import _POOL  # the package's one pool; imported late, it imports us

    names, kept = tuple(variables), figures(rel_tol)
    try:
        single = not isinstance(trusted.expression(expected, names), tuple)
        parsed = parse(text, names, single)
        key = _in_process(parsed, names, kept)
        if key is None:
            key = _POOL.call(_job, text, names, single, kept, owner=session)
    except (Refusal, TimeoutError, CheckerBusy, WorkerError):
        return None
    except Exception:  # never a traceback: the caller keeps the answer under its reading
        return None
    return key


def _entries(key: str) -> list[int | float | None]:
    """A key's entries: whole numbers as int, other values as float, undefined as None."""
    found: list[int | float | None] = []
    for entry in key.strip("()").replace(";", ", ").split(", "):
        if entry == UNDEFINED:
            found.append(None)
        elif "e" in entry:
            found.append(float(entry))
        else:
            found.append(int(entry))
    return found


def _agree(a: list, b: list, rel_tol: float) -> bool:
    """Whether two keys' entries agree: whole numbers exactly, other values within rel_tol."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x is None or y is None or isinstance(x, int) or isinstance(y, int):
            if x != y or type(x) is not type(y):
                return False
        elif abs(x - y) > max(ABS_FLOOR, rel_tol * max(abs(x), abs(y))):
            return False
    return True


def clusters(keys: Sequence[str], rel_tol: float = REL_TOL) -> list[list[str]]:
    """Distinct keys grouped by agreement (joined through chains), in order of first appearance.

    Keys of one question only: they share their points. Keys that are not ours are their own group.
    """
    distinct = list(dict.fromkeys(keys))
    parent = list(range(len(distinct)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    parsed = []
    for key in distinct:
        try:
            parsed.append((key.startswith("("), _entries(key)))
        except ValueError:
            parsed.append((None, [key]))
    for i, (tuple_i, a) in enumerate(parsed):
        for j in range(i):
            tuple_j, b = parsed[j]
            if tuple_i is not None and tuple_i == tuple_j and _agree(a, b, rel_tol):
                parent[root(i)] = root(j)
    groups: dict[int, list[str]] = {}
    for i, key in enumerate(distinct):
        groups.setdefault(root(i), []).append(key)
    return list(groups.values())
