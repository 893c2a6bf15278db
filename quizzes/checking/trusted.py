"""Trusted values: the bank's SymPy text and the expected answers we write, never student text.

`evaluate_trusted` parses bank text (decimals become exact rationals); `expression` turns any
trusted value (SymPy, a Python number, SymPy text or a tuple of these) into SymPy with positive
symbols, parsing text once per (text, variables) with N, S, E, I, Q, O as plain symbols.
Left out: student text, which only reading.py reads.
"""

from __future__ import annotations

import functools

import sympy as sp
from sympy.parsing.sympy_parser import rationalize, standard_transformations

SHADOWED = ("N", "S", "E", "I", "Q", "O")  # SymPy names that trusted text means as symbols
_TRANSFORMS = (*standard_transformations, rationalize)


@functools.lru_cache(maxsize=512)
def _sympify_trusted(text: str, variables: tuple[str, ...]) -> object:
    """Parse trusted SymPy text (never student text) with N, S, E, I, Q, O as symbols."""
    local = {name: sp.Symbol(name) for name in (*SHADOWED, *variables)}
    return sp.parse_expr(text, local_dict=local)


def evaluate_trusted(text: str, names: dict) -> object:
    """Evaluate SymPy text that we wrote (the question bank's), never student text.

    Decimals become exact rationals; `names` supplies parameters, symbols and functions.
    """
    return sp.parse_expr(text, local_dict=names, transformations=_TRANSFORMS)


def expression(value: object, variables: tuple[str, ...]) -> sp.Expr | tuple:
    """A trusted value as SymPy, with its symbols made positive and matched by name."""
    if isinstance(value, str):
        value = _sympify_trusted(value, variables)
    if isinstance(value, tuple | list | sp.Tuple):
        return tuple(expression(item, variables) for item in value)
    expr = sp.sympify(value)
    return expr.xreplace({s: sp.Symbol(s.name, positive=True) for s in expr.free_symbols})
