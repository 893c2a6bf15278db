"""The operators and functions an answer may use: how each is built in SymPy and bounded in size.

Every operation has a builder (its SymPy value, built only inside a worker) and a size rule, run
in the web process before SymPy sees anything: it bounds the value's digits statically, computes
the value exactly when it is a plain rational, and refuses what would be too large or too slow.
Left out: reading text into a tree (reading.py) and comparing values (judging.py).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from quizzes.checking.notation import Refusal

MAX_EXPONENT = 1000  # largest |exponent| of a power, also for exp(), sigmoid() and tanh()
MAX_HEIGHT = 1000  # decimal digits of any exact intermediate, numerator or denominator
MAX_FACTORIAL = 200  # largest n for n!
MAX_ROUNDED = 30  # digits of an inexact value that ceil or floor may round (more is slow)
MAX_ROOTED = 300  # digits of a value whose root may be taken (a larger one is slow to reduce)
MAX_ANGLE = 6  # digits of the argument of sin, cos and tan

_TOO_MANY_DIGITS = 10**MAX_HEIGHT  # the smallest whole number with more than MAX_HEIGHT digits
LOG10_2 = math.log10(2)
LOG10_E = math.log10(math.e)


class Size(NamedTuple):
    """A static bound on a subtree, and its exact value when it is a plain rational."""

    height: float  # bound on the decimal digits of the value and of its denominator
    exact: Fraction | None  # the value, when it is a plain rational


class Operation(NamedTuple):
    """How to build an operator or function in SymPy, and how to bound its size."""

    build: Callable[..., sp.Expr]  # (*args) -> the evaluated SymPy value
    size: Callable[..., Size]  # (*sizes) -> Size
    arity: int = 1  # how many values it takes; 0 for one or more


def exact_size(value: Fraction) -> Size:
    """The size of a known rational: log10 of the larger of its two parts.

    Past MAX_HEIGHT digits it is refused, counting digits exactly: 10^1000 has 1001, though its
    log10 is only 1000.
    """
    largest = max(abs(value.numerator), value.denominator)
    if largest >= _TOO_MANY_DIGITS:
        raise Refusal("That number is too large to check.")
    return bounded(Size(math.log10(largest), value))


def bounded(size: Size) -> Size:
    """Refuse a value too large to handle."""
    if size.height > MAX_HEIGHT:
        raise Refusal("That number is too large to check.")
    return size


def _combined(a: Size, b: Size, combine: Callable, height: float) -> Size:
    """The size of combining two values: exact when both are, else the given bound."""
    if a.exact is not None and b.exact is not None:
        return exact_size(combine(a.exact, b.exact))
    return Size(height, None)


def _power_size(base: Size, exponent: Size) -> Size:
    """Bound a power statically, refusing towers and huge exponents."""
    if exponent.exact is not None:
        reach = abs(exponent.exact)
    elif exponent.height <= math.log10(MAX_EXPONENT):
        reach = 10**exponent.height
    else:
        raise Refusal("That power is too large to check.")
    if reach > MAX_EXPONENT or base.height * reach > MAX_HEIGHT:
        raise Refusal("That power is too large to check.")
    whole = exponent.exact is not None and exponent.exact.denominator == 1
    if not whole and base.height > MAX_ROOTED:
        raise Refusal("That root is too large to check.")
    if base.exact is not None and whole:
        return exact_size(base.exact ** int(exponent.exact))
    return Size(float(base.height * reach), None)


def _exp_size(a: Size) -> Size:
    """e to the power a."""
    return _power_size(Size(LOG10_E, None), a)


def _squashed_size(a: Size) -> Size:
    """sigmoid or tanh: bounded like exp of the argument, and as small as the argument near 0."""
    return Size(max(_exp_size(a).height, a.height), None)


def _log_size(a: Size) -> Size:
    """A logarithm is small: about 2.3 times the digits of its argument."""
    return Size(1 + math.log10(1 + a.height), None)


def _angle_size(a: Size) -> Size:
    """sin, cos or tan: the argument must be small enough to reduce quickly (|x| < 10^6)."""
    large = abs(a.exact) >= 10**MAX_ANGLE if a.exact is not None else a.height > MAX_ANGLE
    if large:
        raise Refusal("That angle is too large to check.")
    return Size(a.height + 1, None)


def _rounded_size(rounding: Callable[[Fraction], int]) -> Callable[[Size], Size]:
    """The size rule of ceil or floor: exact for a rational, refused for a huge inexact value."""

    def size(a: Size) -> Size:
        if a.exact is not None:
            return exact_size(Fraction(rounding(a.exact)))
        if a.height > MAX_ROUNDED:
            raise Refusal("That value is too large to round; try a simpler form.")
        return a

    return size


def _same_size(function: Callable[[Fraction], Fraction]) -> Callable[[Size], Size]:
    """The size rule of abs or relu: exact when the argument is, else as large as it."""
    return lambda a: a if a.exact is None else exact_size(function(a.exact))


def _extreme_size(choose: Callable) -> Callable[..., Size]:
    """The size rule of max or min: exact when every value is, else as large as the largest."""

    def size(*sizes: Size) -> Size:
        if all(s.exact is not None for s in sizes):
            return exact_size(choose(s.exact for s in sizes))
        return Size(max(s.height for s in sizes), None)

    return size


def _factorial_size(a: Size) -> Size:
    """n! for a whole n from 0 to MAX_FACTORIAL, computed exactly; anything else is refused."""
    n = a.exact
    if n is None or n.denominator != 1 or not 0 <= n <= MAX_FACTORIAL:
        raise Refusal(f"Factorials can be checked for whole numbers from 0 to {MAX_FACTORIAL}.")
    return exact_size(Fraction(math.factorial(int(n))))


def _log_base(base: int) -> Callable[[sp.Expr], sp.Expr]:
    """A builder for the logarithm to a fixed base, as log(x) / log(base)."""
    return lambda x: sp.log(x) / sp.log(base)


BINARY = {
    "+": Operation(
        operator.add, lambda a, b: _combined(a, b, operator.add, a.height + b.height + LOG10_2)
    ),
    "-": Operation(
        operator.sub, lambda a, b: _combined(a, b, operator.sub, a.height + b.height + LOG10_2)
    ),
    "*": Operation(operator.mul, lambda a, b: _combined(a, b, operator.mul, a.height + b.height)),
    "/": Operation(
        operator.truediv, lambda a, b: _combined(a, b, operator.truediv, a.height + b.height)
    ),
    "**": Operation(sp.Pow, _power_size),
}
FUNCTIONS = {
    "sqrt": Operation(sp.sqrt, lambda a: _power_size(a, Size(0.0, Fraction(1, 2)))),
    "exp": Operation(sp.exp, _exp_size),
    "log": Operation(sp.log, _log_size),
    "log10": Operation(_log_base(10), _log_size),
    "log2": Operation(_log_base(2), _log_size),
    "ceil": Operation(sp.ceiling, _rounded_size(math.ceil)),
    "floor": Operation(sp.floor, _rounded_size(math.floor)),
    "abs": Operation(sp.Abs, _same_size(abs)),
    "max": Operation(sp.Max, _extreme_size(max), arity=0),
    "min": Operation(sp.Min, _extreme_size(min), arity=0),
    "relu": Operation(lambda x: sp.Max(0, x), _same_size(lambda x: max(x, 0))),
    "sigmoid": Operation(lambda x: 1 / (1 + sp.exp(-x)), _squashed_size),
    "tanh": Operation(sp.tanh, _squashed_size),
    "sin": Operation(sp.sin, _angle_size),
    "cos": Operation(sp.cos, _angle_size),
    "tan": Operation(sp.tan, _angle_size),
    "_pct": Operation(
        lambda x: x / 100,
        lambda a: _combined(a, Size(2.0, Fraction(100)), operator.truediv, a.height + 2),
    ),
    "_fact": Operation(sp.factorial, _factorial_size),
}
ALIASES = {"ln": "log", "sigma": "sigmoid"}  # other names students type for a function
POSTFIX = {"%": "_pct", "!": "_fact"}  # signs written after their operand
CONSTANTS = {"e": sp.E, "pi": sp.pi}
NAME_SIZE = Size(1.0, None)  # variables are sampled below 10
CONSTANT_SIZE = Size(0.5, None)  # e and pi are below 10^0.5
