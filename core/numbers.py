"""Exact numbers in, readable text out: the one place values are made exact and formatted.

`exact()` turns what a course, a widget or the bank gives (ints, floats, decimal strings, SymPy)
into an exact SymPy number, so 0.9 is 9/10 and powers stay exact. `fmt()` formats a computed value
for prose and tables (integers plain or with thousands separators, terminating decimals as
decimals, otherwise 4 significant figures); `approx()`, `value_tex()` and `derivation()` give
LaTeX for a page: a value, and the three steps formula, values put in, result.
A `Reading` is a computed figure with its display text already made (`Percent`, `Count`, `Figure`,
`Rate`, `Times`): core hands pages readings, and a page places them without formatting anything.
It deliberately leaves out any formula or any Streamlit code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

Number = int | float | str | sp.Expr
SI = {"k": 1e3, "M": 1e6, "G": 1e9}  # prefixes fmt may scale by


def exact(value: Number) -> sp.Expr:
    """Turn a number (decimal strings and floats included) into an exact SymPy number."""
    if isinstance(value, sp.Expr):
        return value
    if isinstance(value, float):
        return sp.Rational(repr(value))
    return sp.Rational(value)


def decimal_text(value: sp.Expr, max_chars: int = 12) -> str | None:
    """A rational as its exact decimal (9/10 -> "0.9") when that is short; otherwise None."""
    if not value.is_Rational:
        return None
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return None
    text = format(sp.Float(value, 40), "f").rstrip("0").rstrip(".")
    return text if len(text) <= max_chars else None


def decimal_tex(value: sp.Expr) -> str:
    """A number for a derivation: a short decimal if it has one, else SymPy's LaTeX in brackets."""
    return decimal_text(value) or rf"\left({sp.latex(value)}\right)"


def value_tex(value: object) -> str:
    """A computed value as LaTeX: whole numbers with thousands separators, short decimals as
    decimals, anything else to 4 significant figures."""
    value = value if isinstance(value, sp.Basic) else exact(value)
    if value.is_Integer:
        return f"{int(value):,}".replace(",", "{,}")
    return decimal_text(value) or approx(value)


def derivation(lhs: str, expr: sp.Expr, values: dict) -> list[str]:
    """Three LaTeX steps from SymPy: lhs = the formula, = the values put in, = the result."""
    exact_values = {symbol: exact(v) for symbol, v in values.items()}
    names = {
        symbol: rf"\left({decimal_tex(v)}\right)" if v.is_negative else decimal_tex(v)
        for symbol, v in exact_values.items()
    }
    result = expr.subs(exact_values)
    return [
        rf"{lhs} = {sp.latex(expr, mul_symbol='dot')}",
        rf"= {sp.latex(expr, mul_symbol='dot', symbol_names=names)}",
        rf"= {value_tex(result)}",
    ]


def approx(value: object, digits: int = 4) -> str:
    """A value to `digits` significant figures as LaTeX: 0.005726, or 1.784 \\times 10^{-5}."""
    text = str(sp.N(value, digits))  # SymPy keeps huge and tiny exponents that a float cannot
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def fmt(value: object, spec: str = "") -> str:
    """Format a computed value for reading: integers plain, exact decimals as decimals, else 4 s.f.

    `spec` is a Python format spec ("," for thousands separators, ".1%" ...), "latex", "paren"
    (a negative number in brackets, for a product such as 0.5 · (-1)), or a float spec ending in an
    SI prefix, which scales first (".2fG": 4089184256 -> "4.09"). Tuples are formatted entry by
    entry; None is blank; a float that is not finite (a measurement that overflowed) reads "nan"
    or "inf".
    """
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if spec[-1:] in SI:
        return format(float(value) / SI[spec[-1]], spec[:-1])
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v, spec) for v in value) + ")"
    if spec == "latex":
        return sp.latex(value)
    value = value if isinstance(value, sp.Basic) else exact(value)
    if spec == "paren":
        return f"({fmt(value)})" if value.is_negative else fmt(value)
    if not value.is_number:
        return str(value)
    if value.is_Integer:
        return format(int(value), spec)
    if spec and spec != ",":  # "," groups the digits of whole numbers only
        return format(float(value), spec)
    text = decimal_text(value)
    if text is not None:
        return text
    return f"{float(value):.4g}"


@dataclass(frozen=True)
class Reading:
    """A computed figure and its display text; a page places it and formats nothing."""

    value: object  # the figure itself, for charts and tests
    text: str

    def __str__(self) -> str:
        return self.text

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)


class Percent(Reading):
    """A share as a percentage: Percent(0.12674) reads "12.7%", Percent(0.5, 0) "50%"."""

    def __init__(self, value: object, places: int = 1) -> None:
        super().__init__(value, f"{float(value):.{places}%}")


class Count(Reading):
    """A whole number with thousands separators: Count(1206080) reads "1,206,080"."""

    def __init__(self, value: object) -> None:
        super().__init__(value, f"{int(value):,}")


class Figure(Reading):
    """Any other computed value as `fmt` writes it (exact decimals as decimals, else 4 s.f.)."""

    def __init__(self, value: object, spec: str = "") -> None:
        super().__init__(value, fmt(value, spec))


class Rate(Reading):
    """A learning rate as a student types it: 0.001 reads "0.001", 4.5e-05 "4.5e-5"."""

    def __init__(self, value: object) -> None:
        number = float(value)
        if number == 0 or 1e-3 <= abs(number) < 1e4:
            text = f"{number:.4g}"
        else:
            mantissa, exponent = f"{number:.3e}".split("e")
            text = f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
        super().__init__(value, text)


class Times(Reading):
    """A ratio as "how many times": Times(7.886) reads "7.89×", Times(1000) "1,000×"."""

    def __init__(self, value: object) -> None:
        number = float(value)
        text = f"{round(number):,}" if abs(number) >= 100 else f"{number:.3g}"
        super().__init__(value, text + "×")
