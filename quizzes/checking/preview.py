"""LaTeX of what was read, printed from the checked syntax tree, for "we read your answer as".

It is plain string work over at most MAX_NODES nodes, so the preview never asks SymPy anything
about student text (building even an unevaluated SymPy form can make SymPy evaluate, for
minutes, in the web process). Numbers print as typed, variables as SymPy prints their names.
Left out: reading (reading.py) and values (judging.py).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

_SUM, _NEGATIVE, _PRODUCT, _FRACTION, _POWER, _ATOM = range(6)  # binding strength, weakest first
_SIGNS = {ast.Add: "+", ast.Sub: "-"}
_NAMED_FUNCTIONS = {
    "log": r"\log",
    "log10": r"\log_{10}",
    "log2": r"\log_{2}",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
    "relu": r"\operatorname{relu}",
}
_DELIMITED = {
    "abs": (r"\left|{", r"}\right|"),
    "ceil": (r"\left\lceil{", r"}\right\rceil"),
    "floor": (r"\left\lfloor{", r"}\right\rfloor"),
}


def _wrapped(printed: tuple[str, int], weakest: int) -> str:
    """The text, in brackets if it binds more weakly than `weakest`."""
    text, strength = printed
    return text if strength >= weakest else rf"\left({text}\right)"


def _call(node: ast.Call, names: Mapping[str, str]) -> tuple[str, int]:
    """A function call as LaTeX."""
    name = node.func.id
    arguments = [_latex(arg, names) for arg in node.args]
    inner = ", ".join(text for text, _ in arguments)
    if name == "sqrt":
        return rf"\sqrt{{{inner}}}", _ATOM
    if name == "exp":
        return rf"e^{{{inner}}}", _POWER
    if name in _DELIMITED:
        opening, closing = _DELIMITED[name]
        return opening + inner + closing, _ATOM
    if name in ("max", "min"):
        return rf"\{name}\left({inner}\right)", _ATOM
    if name == "_pct":
        return rf"{_wrapped(arguments[0], _PRODUCT)} \%", _PRODUCT
    if name == "_fact":
        return f"{_wrapped(arguments[0], _ATOM)}!", _ATOM
    return rf"{_NAMED_FUNCTIONS[name]}{{\left({inner} \right)}}", _ATOM


def _latex(node: ast.AST, names: Mapping[str, str]) -> tuple[str, int]:
    """A checked subtree as (LaTeX, binding strength)."""
    if isinstance(node, ast.Name):
        text = names[node.id]
        return text, _PRODUCT if r"\cdot" in text else _ATOM  # 5 \cdot 10^{-4} is a product
    if isinstance(node, ast.UnaryOp):
        operand = _latex(node.operand, names)
        if isinstance(node.op, ast.UAdd):
            return operand
        return f"-{_wrapped(operand, _PRODUCT)}", _NEGATIVE
    if isinstance(node, ast.Call):
        return _call(node, names)
    left, right = _latex(node.left, names), _latex(node.right, names)
    if type(node.op) in _SIGNS:
        weakest = _NEGATIVE if isinstance(node.op, ast.Sub) else _SUM
        return f"{left[0]} {_SIGNS[type(node.op)]} {_wrapped(right, weakest)}", _SUM
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{left[0]}}}{{{right[0]}}}", _FRACTION
    if isinstance(node.op, ast.Pow):
        return f"{_wrapped(left, _ATOM)}^{{{right[0]}}}", _POWER
    factor = _wrapped(right, _PRODUCT)
    joint = r" \cdot " if factor[0].isdigit() or factor.startswith(r"\frac") else " "
    return _wrapped(left, _NEGATIVE) + joint + factor, _PRODUCT


def latex(items: tuple[ast.expr, ...], is_tuple: bool, names: Mapping[str, str]) -> str:
    """LaTeX of a checked answer; `names` maps each atom identifier to its LaTeX."""
    printed = [_latex(item, names)[0] for item in items]
    return rf"\left({', '.join(printed)}\right)" if is_tuple else printed[0]
