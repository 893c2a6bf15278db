"""The answer checker: the only code that reads student text.

Contract (other code and the tests rely on it):

    check_answer(text, expected, *, variables=(), rel_tol=1e-3, distractors=()) -> Verdict
    interpret(text, *, variables=(), expected=None) -> Interpretation
    equivalent(a, b, *, variables=(), rel_tol=1e-3) -> bool
    warm_up(*, wait=True) -> None

`expected`, `a`, `b` and the distractors are trusted (written by us): a SymPy expression, a
Python or SymPy number, SymPy text (parsed with N, S, E, I, Q, O as plain symbols), or a
tuple/list of these. Their free symbols are matched to `variables` by name. A Verdict is
`correct`, one friendly sentence `message`, the LaTeX `interpreted` of what was read (None
when the text was refused or could not be checked: no attempt should be counted), and the
index `distractor` of the known wrong answer the text matched, whose message it then carries.

Rules: integers compare exactly (an irrational form must match to 1e-40 at 50 digits);
other numbers within `rel_tol` of the expected value, with an absolute floor of 1e-12;
expressions with variables must agree as functions: at 8 seeded points with every variable in
[1.5, 9.5] (steps of 0.01), each within `rel_tol`, and when a point disagrees
`simplify(a - b) == 0` (0.2 s budget) may still prove them equal, so the verdict is the same
as trying simplify first but a correct answer is never slowed or failed by simplify; tuples
element by element, same length, order matters.

Student text never reaches eval, exec, sympify or parse_expr. It is normalised (superscripts
first, then Unicode NFKC, then the signs × · ÷ − and Greek letters as names), checked
against a character allow-list, tokenised here (implicit products, `^`, `%` and `x` between
numbers), parsed with `ast.parse` (which executes nothing), checked against a node allow-list
and size bounds, and only then built into SymPy by walking the tree. Bounds: 200 characters,
100 nodes, 20 nested brackets, 30 digits per number, |exponent| <= 1000, and no exact
intermediate over 1000 digits (a variable counts as below 10). Plain rational answers against
plain numbers are judged in-process with exact arithmetic; everything else runs in a warm
worker process (a fresh interpreter, limited to 1 GiB) that is killed and replaced after
1.5 s, so every call returns within 2 s once a worker is warm (`warm_up()` starts one; a cold
start, importing SymPy, took about 0.25 s here).

Deliberately left out: factorials, trigonometry, complex answers, units, and nested tuples.
"""

from __future__ import annotations

import ast
import atexit
import functools
import itertools
import math
import operator
import queue
import random
import re
import resource
import signal
import socket
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NamedTuple

import sympy as sp
from sympy.parsing.sympy_parser import rationalize, standard_transformations

REL_TOL = 1e-3  # relative tolerance for non-integer numbers and sampled values
ABS_FLOOR = 1e-12  # absolute tolerance near zero
INTEGER_FLOOR = 1e-40  # how close an irrational form must come to an integer answer
PRECISION = 50  # digits used to evaluate numbers and sample points
SAMPLES = 8  # random points at which expressions are compared
SAMPLE_RANGE = (1.5, 9.5)  # every variable is drawn from here, in steps of 0.01
SAMPLE_SEED = 20240607
MAX_CHARS = 200
MAX_NODES = 100
MAX_DEPTH = 20  # brackets inside brackets
MAX_DIGITS = 30  # per number typed
MAX_EXPONENT = 1000  # largest |exponent| of a power, also for exp()
MAX_HEIGHT = 1000  # decimal digits of any exact intermediate, numerator or denominator
DEADLINE_S = 1.5  # per check in the worker; the worker is killed when it overruns
SYMBOLIC_S = 0.2  # budget for simplify inside the worker
STARTUP_S = 20.0  # a cold worker start (importing SymPy) may take this long at most
BUSY_S = 0.4  # how long a check waits for a free worker
POOL_SIZE = 2
WORKER_MEMORY = 1 << 30  # address-space limit of a worker process, in bytes

TIMEOUT = "That took too long to check; try a simpler form."
BUSY = "The checker is busy; please try again in a moment."
INTERNAL = "Something went wrong while checking; please try again."

LOG10_2 = math.log10(2)
LOG10_E = math.log10(math.e)
SHADOWED = ("N", "S", "E", "I", "Q", "O")  # SymPy names that trusted text means as symbols


@dataclass(frozen=True)
class Verdict:
    """The result of checking one answer."""

    correct: bool
    message: str
    interpreted: str | None
    distractor: int | None = None


@dataclass(frozen=True)
class Interpretation:
    """What the checker reads a text as, for the live preview."""

    ok: bool
    latex: str | None
    message: str


class _Refusal(Exception):
    """Student text that cannot be checked; the argument is the sentence to show."""


class _Busy(RuntimeError):
    """Every worker is in use."""


class _Overrun(BaseException):
    """Raised by SIGALRM in the worker when simplify runs past its budget."""


# ---------------------------------------------------------------------------- reading the text


class _Size(NamedTuple):
    """A static bound on a subtree, and its exact value when it is rational."""

    height: float  # bound on the decimal digits of the value and of its denominator
    exact: Fraction | None  # the value, when it is a plain rational


class _Atom(NamedTuple):
    """A number, variable or constant the student typed."""

    value: sp.Expr  # exact: Rational, Symbol, E or pi
    shown: sp.Expr  # as typed, for the preview
    size: _Size


class _Operation(NamedTuple):
    """How to build an operator or function in SymPy, and how to bound its size."""

    build: Callable[..., sp.Expr]  # (*args, evaluate) -> Expr
    size: Callable[..., _Size]  # (*sizes) -> _Size


_ALLOWED_CHARACTER = re.compile(r"[^A-Za-z0-9_+\-*/^%,.()\[\] ]")
_NUMBER = re.compile(r"(?P<mantissa>\d+\.?\d*|\.\d+)(?:[eE](?P<exponent>[-+]?\d+))?")
_TOKEN = re.compile(
    rf"(?P<number>{_NUMBER.pattern})|(?P<name>[A-Za-z_]\w*)|(?P<op>\*\*|[-+*/^%,()\[\]])"
)
_TIMES_X = re.compile(r"[xX] ?[\d.]")
_GREEK = re.compile(r"([\u0370-\u03ff])(?=([A-Za-z0-9\u0370-\u03ff])?)")
_GREEK_NAME = re.compile(r"GREEK (SMALL|CAPITAL) LETTER (\w+)")
_SIGNS = str.maketrans({"×": "*", "·": "*", "⋅": "*", "∙": "*", "÷": "/", "−": "-", "–": "-"})
_PAIRS = {"(": ")", "[": "]"}
_COUNTS = {1: "one", 2: "two", 3: "three"}
_ENDS = {"number", "name", "close", "percent"}  # tokens that can end an operand
_STARTS = {"number", "name", "function", "open"}  # tokens that can start one
_PERCENT = sp.Symbol(r"\%")  # only ever in the as-typed form


def _height(value: Fraction) -> float:
    """Decimal digits (log10) of the larger of numerator and denominator."""
    return math.log10(max(abs(value.numerator), value.denominator))


def _bounded(size: _Size) -> _Size:
    """Refuse a value too large to handle."""
    if size.height > MAX_HEIGHT:
        raise _Refusal("That number is too large to check.")
    return size


def _combined(a: _Size, b: _Size, combine: Callable, height: float) -> _Size:
    """The size of combining two values: exact when both are, else the given bound."""
    if a.exact is not None and b.exact is not None:
        value = combine(a.exact, b.exact)
        return _Size(_height(value), value)
    return _Size(height, None)


def _power_size(base: _Size, exponent: _Size) -> _Size:
    """Bound a power statically, refusing towers and huge exponents."""
    if exponent.exact is not None:
        reach = abs(exponent.exact)
    elif exponent.height <= math.log10(MAX_EXPONENT):
        reach = 10**exponent.height
    else:
        raise _Refusal("That power is too large to check.")
    if reach > MAX_EXPONENT or base.height * reach > MAX_HEIGHT:
        raise _Refusal("That power is too large to check.")
    if base.exact is not None and exponent.exact is not None and exponent.exact.denominator == 1:
        value = base.exact ** int(exponent.exact)
        return _Size(_height(value), value)
    return _Size(float(base.height * reach), None)


def _negate(x: sp.Expr, evaluate: bool) -> sp.Expr:
    """Minus x; a typed number shows as -3, anything else as - (x)."""
    if evaluate or (x.is_Number and not x.is_negative):
        return -x
    return sp.Mul(-1, x, evaluate=False)


def _subtract(a: sp.Expr, b: sp.Expr, evaluate: bool) -> sp.Expr:
    """a - b, shown as typed (3 - -2 stays so)."""
    return sp.Add(a, -b if evaluate else sp.Mul(-1, b, evaluate=False), evaluate=evaluate)


def _divide(a: sp.Expr, b: sp.Expr, evaluate: bool) -> sp.Expr:
    """a / b, shown as a fraction."""
    if (
        not evaluate
        and b.is_Pow
        and isinstance(b.base, sp.UnevaluatedExpr)
        and not b.exp.is_negative
    ):
        b = sp.Pow(b.base.args[0], b.exp, evaluate=False)  # a kept-whole base would print (10^5)^-1
    reciprocal = sp.Pow(b, -1, evaluate=evaluate)
    return reciprocal if a == 1 and not evaluate else sp.Mul(a, reciprocal, evaluate=evaluate)


def _power(a: sp.Expr, b: sp.Expr, evaluate: bool) -> sp.Expr:
    """a ^ b; a number base is kept whole in the shown form (10^{-4}, not 1/10000)."""
    if evaluate or not a.is_Number:
        return sp.Pow(a, b, evaluate=evaluate)
    return sp.Pow(sp.UnevaluatedExpr(a), b, evaluate=False)  # shows 10^{-4}, not 1/10000


def _log_base(base: int) -> Callable[[sp.Expr, bool], sp.Expr]:
    """A builder for the logarithm to a fixed base, as log(x) / log(base)."""

    def build(x: sp.Expr, evaluate: bool) -> sp.Expr:
        return _divide(sp.log(x, evaluate=evaluate), sp.log(base, evaluate=evaluate), evaluate)

    return build


def _log_size(a: _Size) -> _Size:
    """A logarithm is small: about 2.3 times the digits of its argument."""
    return _Size(1 + math.log10(1 + a.height), None)


def _rounded_size(rounding: Callable[[Fraction], int]) -> Callable[[_Size], _Size]:
    """The size rule of ceil or floor, exact when the argument is."""

    def size(a: _Size) -> _Size:
        return a if a.exact is None else _Size(a.height, Fraction(rounding(a.exact)))

    return size


_BINARY = {
    ast.Add: _Operation(
        lambda a, b, ev: sp.Add(a, b, evaluate=ev),
        lambda a, b: _combined(a, b, operator.add, a.height + b.height + LOG10_2),
    ),
    ast.Sub: _Operation(
        _subtract,
        lambda a, b: _combined(a, b, operator.sub, a.height + b.height + LOG10_2),
    ),
    ast.Mult: _Operation(
        lambda a, b, ev: sp.Mul(a, b, evaluate=ev),
        lambda a, b: _combined(a, b, operator.mul, a.height + b.height),
    ),
    ast.Div: _Operation(
        _divide,
        lambda a, b: _combined(a, b, operator.truediv, a.height + b.height),
    ),
    ast.Pow: _Operation(_power, _power_size),
}

_FUNCTIONS = {
    "sqrt": _Operation(lambda x, ev: sp.sqrt(x, evaluate=ev), lambda a: _Size(a.height / 2, None)),
    "exp": _Operation(
        lambda x, ev: sp.exp(x, evaluate=ev), lambda a: _power_size(_Size(LOG10_E, None), a)
    ),
    "log": _Operation(lambda x, ev: sp.log(x, evaluate=ev), _log_size),
    "log10": _Operation(_log_base(10), _log_size),
    "log2": _Operation(_log_base(2), _log_size),
    "ceil": _Operation(lambda x, ev: sp.ceiling(x, evaluate=ev), _rounded_size(math.ceil)),
    "floor": _Operation(lambda x, ev: sp.floor(x, evaluate=ev), _rounded_size(math.floor)),
    "_pct": _Operation(
        lambda x, ev: x / 100 if ev else sp.Mul(x, _PERCENT, evaluate=False),
        lambda a: _combined(a, _Size(2.0, Fraction(100)), operator.truediv, a.height + 2),
    ),
}
_FUNCTIONS["ln"] = _FUNCTIONS["log"]
_FUNCTION_NAMES = [name for name in _FUNCTIONS if not name.startswith("_")]
_CONSTANTS = {"e": sp.E, "pi": sp.pi}
_NAME_SIZE = _Size(1.0, None)  # variables are sampled below 10
_CONSTANT_SIZE = _Size(0.5, None)  # e and pi are below 10^0.5


def _superscripts(text: str) -> str:
    """Turn each run of superscript characters into ^(...), before NFKC flattens them."""
    pieces = []
    for raised, run in itertools.groupby(
        text, key=lambda ch: unicodedata.decomposition(ch).startswith("<super>")
    ):
        run = "".join(run)
        pieces.append(f"^({unicodedata.normalize('NFKC', run)})" if raised else run)
    return "".join(pieces)


def _greek(match: re.Match) -> str:
    """Spell a Greek letter as its name (δ -> delta), spaced from a following letter."""
    spelled = _GREEK_NAME.fullmatch(unicodedata.name(match[1], ""))
    if spelled is None:
        return match[1]
    name = spelled[2].lower() if spelled[1] == "SMALL" else spelled[2].capitalize()
    return name + (" " if match[2] else "")


def _normalise(text: str) -> str:
    """Superscripts, then NFKC, then signs and Greek; single spaces; no leading '=' or final '.'."""
    text = unicodedata.normalize("NFKC", _superscripts(text)).translate(_SIGNS)
    text = " ".join(_GREEK.sub(_greek, text).split())
    if text.startswith("="):
        text = text[1:].lstrip()
    return text.removesuffix(".").rstrip()


def _check_characters(text: str, single: bool) -> None:
    """Refuse characters off the allow-list, and commas where one value is expected."""
    bad = _ALLOWED_CHARACTER.search(text)
    if bad and bad[0] in "=<>":
        raise _Refusal("Type just the value; '=' and comparisons can't be checked.")
    if bad:
        raise _Refusal(f"The character {bad[0]!r} can't be used in an answer.")
    if single and "," in text:
        decimal = re.search(r"(\d+),(\d+)", text)
        if decimal:
            whole, part = decimal.groups()
            raise _Refusal(
                f"Write decimals with a point, like {whole}.{part} rather than {whole},{part}."
            )
        raise _Refusal("This question expects a single answer, so leave out the commas.")


def _literal(text: str) -> _Atom:
    """An exact number and its as-typed form, refusing too many digits or a huge exponent."""
    mantissa, exponent = _NUMBER.fullmatch(text).group("mantissa", "exponent")
    whole, _, decimals = mantissa.partition(".")
    digits = whole + decimals
    if len(digits) > MAX_DIGITS:
        raise _Refusal(f"Numbers can have at most {MAX_DIGITS} digits.")
    power = int(exponent or "0") if len((exponent or "").lstrip("+-0")) <= 5 else math.inf
    if abs(power) > MAX_HEIGHT + MAX_DIGITS:
        raise _Refusal("That number has too many digits to check.")
    value = Fraction(int(digits)) * Fraction(10) ** (power - len(decimals))
    size = _bounded(_Size(_height(value), value))
    shown = sp.Float(mantissa, max(15, len(digits))) if "." in mantissa else sp.Integer(digits)
    if exponent is not None:
        ten = sp.Pow(sp.UnevaluatedExpr(sp.Integer(10)), power, evaluate=False)
        shown = sp.Mul(shown, ten, evaluate=False)
    return _Atom(sp.Rational(value.numerator, value.denominator), shown, size)


def _vocabulary(variables: tuple[str, ...]) -> dict[str, str]:
    """Map each typeable name to a variable (DK for D_K if unambiguous), constant or function."""
    taken = set(variables) | set(_FUNCTION_NAMES) | set(_CONSTANTS)
    aliases = [(v.replace("_", ""), v) for v in variables if "_" in v]
    counts = {alias: sum(a == alias for a, _ in aliases) for alias, _ in aliases}
    names = {alias: v for alias, v in aliases if counts[alias] == 1 and alias not in taken}
    names |= {name: name for name in (*_CONSTANTS, *_FUNCTION_NAMES) if name not in variables}
    return names | {v: v for v in variables}


def _unknown(name: str, variables: tuple[str, ...]) -> _Refusal:
    """The refusal for a name the question does not know."""
    if not variables:
        return _Refusal(f"Unknown name {name!r}; this question expects a number, with no letters.")
    known = variables[0] if len(variables) == 1 else ", ".join(variables[:-1])
    known += f" and {variables[-1]}" if len(variables) > 1 else ""
    return _Refusal(f"Unknown name {name!r}; this question knows {known}.")


def _tokens(text: str, variables: tuple[str, ...], atoms: dict[str, _Atom]) -> list[tuple]:
    """Split normalised text into (kind, source) tokens; numbers and names become atoms."""
    names = _vocabulary(variables)
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        letter = text[position]
        if letter == " ":
            position += 1
            continue
        if (
            tokens
            and tokens[-1][0] == "number"
            and letter not in variables
            and _TIMES_X.match(text, position)
        ):
            tokens.append(("op", "*"))
            position += 1
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise _Refusal("A '.' must be part of a number, like 0.5.")
        position, word = match.end(), match[0]
        if match.lastgroup == "number":
            tokens.append(("number", _store(atoms, _literal(word))))
        elif match.lastgroup == "name":
            tokens.append(_name_token(names.get(word), word, variables, atoms))
        elif word in _PAIRS:
            tokens.append(("open", word))
        elif word in _PAIRS.values():
            tokens.append(("close", word))
        elif word == "%":
            tokens.append(("percent", word))
        else:
            tokens.append(("op", "**" if word == "^" else word))
    return tokens


def _store(atoms: dict[str, _Atom], atom: _Atom) -> str:
    """Keep an atom under a fresh identifier (_0, _1, ...) that students cannot type."""
    key = f"_{len(atoms)}"
    atoms[key] = atom
    return key


def _name_token(meaning: str | None, word: str, variables: tuple, atoms: dict) -> tuple:
    """The token for a typed name: a variable or constant atom, or a function."""
    if meaning is None:
        raise _unknown(word, variables)
    if meaning in variables:
        symbol = sp.Symbol(meaning, positive=True)
        return ("name", _store(atoms, _Atom(symbol, symbol, _NAME_SIZE)))
    if meaning in _CONSTANTS:
        constant = _CONSTANTS[meaning]
        return ("name", _store(atoms, _Atom(constant, constant, _CONSTANT_SIZE)))
    return ("function", meaning)


def _check_brackets(tokens: list[tuple]) -> None:
    """Refuse unbalanced or too deeply nested brackets."""
    stack: list[str] = []
    for kind, text in tokens:
        if kind == "open":
            stack.append(text)
            if len(stack) > MAX_DEPTH:
                raise _Refusal(f"That has more than {MAX_DEPTH} brackets inside each other.")
        elif kind == "close":
            if not stack:
                opener = next(o for o, c in _PAIRS.items() if c == text)
                raise _Refusal(
                    f"The brackets don't balance: a '{text}' has no matching '{opener}'."
                )
            opened = stack.pop()
            if _PAIRS[opened] != text:
                raise _Refusal(f"The brackets don't balance: a '{opened}' is closed by '{text}'.")
    if stack:
        count = stack.count(stack[-1])
        said = (
            f"one '{stack[-1]}' is"
            if count == 1
            else f"{_COUNTS.get(count, count)} '{stack[-1]}' are"
        )
        raise _Refusal(f"The brackets don't balance: {said} never closed.")


def _with_products(tokens: list[tuple]) -> list[tuple]:
    """Insert the multiplications implied by 9N, 2(N+1), (N+1)(N+2) and N D_K."""
    out: list[tuple] = []
    for token in tokens:
        before = out[-1][0] if out else None
        if before == "function" and token[0] != "open":
            raise _Refusal(f"Write {out[-1][1]} with brackets, like {out[-1][1]}(2).")
        if before == "number" and token[0] == "number":
            raise _Refusal("Two numbers stand side by side; put an operator between them.")
        if token[0] == "percent" and before not in _ENDS:
            raise _Refusal("A '%' must follow a number, like 87%.")
        if before in _ENDS and token[0] in _STARTS:
            out.append(("op", "*"))
        out.append(token)
    if out and out[-1][0] == "function":
        raise _Refusal(f"Write {out[-1][1]} with brackets, like {out[-1][1]}(2).")
    return out


def _operand_start(tokens: list[tuple]) -> int:
    """Index where the operand ending the token list begins (a bracket may follow a function)."""
    index = len(tokens) - 1
    if tokens[index][0] != "close":
        return index
    depth = 0
    while True:
        depth += {"close": 1, "open": -1}.get(tokens[index][0], 0)
        if depth == 0:
            break
        index -= 1
    return index - 1 if index > 0 and tokens[index - 1][0] == "function" else index


def _with_percent(tokens: list[tuple]) -> list[tuple]:
    """Rewrite 'x %' as _pct(x), so the percent binds to the operand just before it."""
    out: list[tuple] = []
    for token in tokens:
        if token[0] == "percent":
            start = _operand_start(out)
            out[start:start] = [("function", "_pct"), ("open", "(")]
            out.append(("close", ")"))
        else:
            out.append(token)
    return out


def _measure(node: ast.AST, atoms: dict[str, _Atom]) -> _Size:
    """Bound a subtree's size, refusing any node that is not on the allow-list."""
    if isinstance(node, ast.Name) and node.id in atoms:
        return atoms[node.id].size
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        size = _measure(node.operand, atoms)
        if isinstance(node.op, ast.USub) and size.exact is not None:
            return _Size(size.height, -size.exact)
        return size
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _measure(node.left, atoms), _measure(node.right, atoms)
        try:
            return _bounded(_BINARY[type(node.op)].size(left, right))
        except ZeroDivisionError:
            raise _Refusal("That divides by zero.") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id not in _FUNCTIONS:
            raise _Refusal("I couldn't read that as a formula.")
        if len(node.args) != 1 or node.keywords:
            raise _Refusal(f"The function {node.func.id} takes exactly one value in its brackets.")
        return _bounded(_FUNCTIONS[node.func.id].size(_measure(node.args[0], atoms)))
    if isinstance(node, ast.Tuple | ast.List):
        raise _Refusal("A list of values can only be the whole answer, like (128, 16, 16).")
    raise _Refusal("I couldn't read that as a formula.")


def _build(node: ast.AST, atoms: dict[str, _Atom], evaluate: bool) -> sp.Expr:
    """Build SymPy from a measured subtree: the value, or the as-typed form for display."""
    if isinstance(node, ast.Name):
        atom = atoms[node.id]
        return atom.value if evaluate else atom.shown
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, atoms, evaluate)
        return _negate(operand, evaluate) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _build(node.left, atoms, evaluate), _build(node.right, atoms, evaluate)
        return _BINARY[type(node.op)].build(left, right, evaluate)
    return _FUNCTIONS[node.func.id].build(_build(node.args[0], atoms, evaluate), evaluate)


@dataclass(frozen=True)
class _Parsed:
    """Student text that passed every check: its items, atoms and sizes."""

    items: tuple[ast.expr, ...]
    is_tuple: bool
    atoms: dict[str, _Atom]
    sizes: tuple[_Size, ...]

    def build(self, evaluate: bool) -> sp.Expr | tuple:
        """The SymPy value (evaluate=True), or the as-typed form."""
        built = tuple(_build(item, self.atoms, evaluate) for item in self.items)
        return built if self.is_tuple else built[0]

    def exact(self) -> sp.Rational | tuple | None:
        """The exact rational value(s) when no evaluation is needed, else None."""
        if any(size.exact is None for size in self.sizes):
            return None
        values = tuple(sp.Rational(s.exact.numerator, s.exact.denominator) for s in self.sizes)
        return values if self.is_tuple else values[0]

    def latex(self) -> str:
        """LaTeX of what was read; a percentage also shows its value."""
        shown = self.build(evaluate=False)
        if self.is_tuple:
            return r"\left(" + ", ".join(sp.latex(x, order="none") for x in shown) + r"\right)"
        text = sp.latex(shown, order="none")
        if shown.has(_PERCENT) and self.sizes[0].exact is not None:
            text += " = " + sp.latex(sp.Float(self.exact(), 15))
        return text


def _parse(text: str, variables: tuple[str, ...], single: bool) -> _Parsed:
    """Read student text under every check, or raise _Refusal with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise _Refusal("Type an answer first.")
    if len(text.strip()) > MAX_CHARS:
        raise _Refusal(f"That is longer than {MAX_CHARS} characters; type a shorter answer.")
    cleaned = _normalise(text.strip())
    if not cleaned:
        raise _Refusal("Type an answer first.")
    _check_characters(cleaned, single)
    atoms: dict[str, _Atom] = {}
    tokens = _tokens(cleaned, variables, atoms)
    _check_brackets(tokens)
    source = " ".join(source for _, source in _with_percent(_with_products(tokens)))
    try:
        body = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise _Refusal("I couldn't read that; check for a missing number or operator.") from None
    if sum(isinstance(node, ast.expr) for node in ast.walk(body)) > MAX_NODES:
        raise _Refusal("That formula is too long to check; try a simpler form.")
    is_tuple = isinstance(body, ast.Tuple | ast.List)
    if is_tuple and single:
        raise _Refusal("This question expects a single answer, not a list.")
    items = tuple(body.elts) if is_tuple else (body,)
    if not items:
        raise _Refusal("There is nothing inside the brackets.")
    return _Parsed(items, is_tuple, atoms, tuple(_measure(item, atoms) for item in items))


# ------------------------------------------------------------------------------- comparing


class _Outcome(NamedTuple):
    """How an answer compared, in a form that pickles back from the worker."""

    kind: str  # same, off, other, whole, differs, count, entry
    shown: str = ""  # the value given, the point of difference, or what the entries are
    given: int = 0
    total: int = 0


_SAME = _Outcome("same")


_TRUSTED_TRANSFORMS = (*standard_transformations, rationalize)


@functools.lru_cache(maxsize=512)
def _sympify_trusted(text: str, variables: tuple[str, ...]) -> object:
    """Parse trusted SymPy text (never student text) with N, S, E, I, Q, O as symbols."""
    local = {name: sp.Symbol(name) for name in (*SHADOWED, *variables)}
    return sp.parse_expr(text, local_dict=local)


def evaluate_trusted(text: str, names: dict) -> object:
    """Evaluate SymPy text that we wrote (the question bank's), never student text.

    Decimals become exact rationals; `names` supplies parameters, symbols and functions.
    """
    return sp.parse_expr(text, local_dict=names, transformations=_TRUSTED_TRANSFORMS)


def _trusted(value: object, variables: tuple[str, ...]) -> sp.Expr | tuple:
    """A trusted value as SymPy, with its symbols made positive and matched by name."""
    if isinstance(value, str):
        value = _sympify_trusted(value, variables)
    if isinstance(value, tuple | list | sp.Tuple):
        return tuple(_trusted(item, variables) for item in value)
    expr = sp.sympify(value)
    return expr.xreplace({s: sp.Symbol(s.name, positive=True) for s in expr.free_symbols})


def _is_exact(value: sp.Expr | tuple) -> bool:
    """Whether a value is a plain number (or tuple of them), safe to compare in-process."""
    if isinstance(value, tuple):
        return all(_is_exact(item) for item in value)
    return value.is_Number


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


def _compare_numbers(answer: sp.Expr, expected: sp.Expr, rel_tol: float) -> _Outcome:
    """Integers exactly, other numbers within rel_tol."""
    if expected.is_Integer and answer.is_Integer:
        return _SAME if answer == expected else _Outcome("other", _show(answer))
    if expected.is_Integer:
        exact = not answer.is_Rational and _close(answer, expected, 0.0, INTEGER_FLOOR)
        return _SAME if exact else _Outcome("whole", _show(answer))
    return _SAME if _close(answer, expected, rel_tol) else _Outcome("off", _show(answer))


def _differing_point(answer: sp.Expr, expected: sp.Expr, rel_tol: float) -> str | None:
    """The first seeded point where the two disagree ('' if none could be compared)."""
    symbols = sorted(answer.free_symbols | expected.free_symbols, key=str)
    low, high = (round(bound * 100) for bound in SAMPLE_RANGE)
    rng = random.Random(SAMPLE_SEED)
    compared = 0
    for _ in range(SAMPLES):
        point = {s: sp.Rational(rng.randint(low, high), 100) for s in symbols}
        reference = expected.xreplace(point)
        if _finite(reference, 15) is None:
            continue
        compared += 1
        if not _close(answer.xreplace(point), reference, rel_tol):
            return ", ".join(f"{s} = {_show(v)}" for s, v in point.items())
    return None if compared else ""


def _overrun(*_: object) -> None:
    """SIGALRM handler in the worker."""
    raise _Overrun


def _symbolically_zero(difference: sp.Expr) -> bool:
    """Whether simplify proves the difference zero within SYMBOLIC_S (worker only: SIGALRM)."""
    try:
        signal.setitimer(signal.ITIMER_REAL, SYMBOLIC_S)
        try:
            return sp.simplify(difference) == 0
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Overrun:
        return False


def _compare(answer, expected, rel_tol: float, symbolic: bool = True) -> _Outcome:
    """Compare an answer with a trusted expected value under the checker's rules."""
    if isinstance(expected, tuple):
        given = len(answer) if isinstance(answer, tuple) else 1
        noun = "numbers" if all(item.is_number for item in expected) else "values"
        if given != len(expected):
            return _Outcome("count", noun, given, len(expected))
        for position, (a, b) in enumerate(zip(answer, expected, strict=True), 1):
            if _compare(a, b, rel_tol, symbolic).kind != "same":
                return _Outcome("entry", noun, position, len(expected))
        return _SAME
    if isinstance(answer, tuple):
        return _Outcome("count", "value", len(answer), 1)
    if not (answer.free_symbols or expected.free_symbols):
        return _compare_numbers(answer, expected, rel_tol)
    point = _differing_point(answer, expected, rel_tol)
    if point is None or (symbolic and _symbolically_zero(answer - expected)):
        return _SAME
    return _Outcome("differs", point)


def _judge(answer, target, others: tuple, rel_tol: float) -> tuple[_Outcome, int | None]:
    """The outcome against the expected value, and the first distractor matched when wrong."""
    outcome = _compare(answer, target, rel_tol)
    if outcome.kind == "same":
        return outcome, None
    matches = (
        i for i, other in enumerate(others) if _compare(answer, other, rel_tol, False) == _SAME
    )
    return outcome, next(matches, None)


def _judge_text(text: str, variables: tuple, single: bool, target, others, rel_tol: float):
    """Worker job: read the text again, build its value and judge it."""
    answer = _parse(text, variables, single).build(evaluate=True)
    return _judge(answer, target, others, rel_tol)


def _message(outcome: _Outcome, rel_tol: float) -> str:
    """One friendly sentence for an outcome, never revealing the answer."""
    if outcome.kind == "same":
        return "Correct."
    if outcome.kind == "off":
        within = f"{rel_tol * 100:g}%"
        return f"Not quite: you gave {outcome.shown}, which is not within {within} of the answer."
    if outcome.kind == "other":
        return f"Not quite: you gave {outcome.shown}, which is not the answer."
    if outcome.kind == "whole":
        return f"Not quite: you gave {outcome.shown}, but the answer is an exact whole number."
    if outcome.kind == "differs" and outcome.shown:
        return f"Not equivalent: your expression differs from the answer at {outcome.shown}."
    if outcome.kind == "differs":
        return "Not equivalent: your expression does not match the answer."
    if outcome.kind == "count":
        return f"Not quite: expected {outcome.total} {outcome.shown}, you gave {outcome.given}."
    return f"Not quite: entry {outcome.given} of {outcome.total} is wrong."


# ------------------------------------------------------------------------------- the worker


_ROOT = str(Path(__file__).resolve().parent.parent)  # the folder that holds quizzes/
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); import quizzes.checking as c; c._serve()"


def _serve() -> None:
    """Worker entry: run (function, args) jobs from the parent until the socket closes."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, hard))
    signal.signal(signal.SIGALRM, _overrun)
    connection = Connection(int(sys.argv[2]))
    connection.send("ready")
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            reply = (True, function(*args))
        except Exception as error:  # reported to the parent, which shows a polite sentence
            reply = (False, type(error).__name__)
        connection.send(reply)


class _Worker:
    """One worker process: a fresh interpreter (so no __main__ is re-run), kept warm."""

    def __init__(self) -> None:
        self._process: subprocess.Popen | None = None
        self._connection: Connection | None = None
        self._ready = False

    def launch(self) -> None:
        """Start the process without waiting; it imports SymPy in the background."""
        if self._process is not None:
            return
        ours, theirs = socket.socketpair()
        with ours, theirs:
            command = [sys.executable, "-I", "-c", _BOOT, _ROOT, str(theirs.fileno())]
            self._process = subprocess.Popen(
                command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL
            )
            self._connection = Connection(ours.detach())
        self._ready = False

    def start(self) -> None:
        """Launch if needed and wait until the process is ready for jobs."""
        self.launch()
        if self._ready:
            return
        if not self._connection.poll(STARTUP_S) or self._connection.recv() != "ready":
            self.stop()
            raise RuntimeError("the checking worker did not start")
        self._ready = True

    def call(self, job: tuple, deadline: float) -> object:
        """Run a job; on overrun kill the process, launch a replacement and raise TimeoutError."""
        self.start()
        try:
            self._connection.send(job)
            if not self._connection.poll(deadline):
                raise TimeoutError
            done, result = self._connection.recv()
        except (OSError, EOFError, TimeoutError):
            self.stop()
            self.launch()
            raise
        if not done:
            raise RuntimeError(f"the checking worker failed: {result}")
        return result

    def stop(self) -> None:
        """Kill the process, if any."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=1)
            self._connection.close()
            self._process = self._connection = None


class _Pool:
    """A few workers shared by every thread; the most recently used is reused first."""

    def __init__(self, size: int) -> None:
        self._workers = [_Worker() for _ in range(size)]
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        for worker in self._workers:
            self._idle.put(worker)

    def call(self, function: Callable, *args: object) -> object:
        """Run function(*args) in a free worker within DEADLINE_S."""
        try:
            worker = self._idle.get(timeout=BUSY_S)
        except queue.Empty:
            raise _Busy from None
        try:
            return worker.call((function, args), DEADLINE_S)
        finally:
            self._idle.put(worker)

    def warm(self) -> None:
        """Start one worker now."""
        worker = self._idle.get()
        try:
            worker.start()
        finally:
            self._idle.put(worker)

    def launch_idle(self) -> None:
        """Launch every idle worker's process without waiting (cheap when already running)."""
        taken = []
        try:
            while True:
                taken.append(self._idle.get_nowait())
        except queue.Empty:
            pass
        try:
            for worker in taken:
                worker.launch()
        finally:
            for worker in reversed(taken):
                self._idle.put(worker)

    def close(self) -> None:
        """Stop every worker (at interpreter exit)."""
        for worker in self._workers:
            worker.stop()


_POOL = _Pool(POOL_SIZE)
atexit.register(_POOL.close)


# ------------------------------------------------------------------------------- public API


def warm_up(*, wait: bool = True) -> None:
    """Start worker processes now, so the first real check does not wait for SymPy to load.

    With wait=False the processes are launched in the background and this returns at once.
    """
    if wait:
        _POOL.warm()
    else:
        _POOL.launch_idle()


def interpret(
    text: str, *, variables: Sequence[str] = (), expected: object = None
) -> Interpretation:
    """Read a student's text for the live preview, without judging it; never raises.

    `expected` is optional and only tells the shape: with a single expected value, commas are
    refused (as decimal commas); without it a comma-separated text is read as a tuple.
    """
    names = tuple(variables)
    try:
        single = expected is not None and not isinstance(_trusted(expected, names), tuple)
        latex = _parse(text, names, single).latex()
    except _Refusal as refusal:
        return Interpretation(False, None, str(refusal))
    except Exception:  # never a traceback on the page
        return Interpretation(False, None, INTERNAL)
    return Interpretation(True, latex, "Understood.")


def check_answer(
    text: str,
    expected: object,
    *,
    variables: Sequence[str] = (),
    rel_tol: float = REL_TOL,
    distractors: Sequence[tuple[object, str]] = (),
) -> Verdict:
    """Judge a student's text against a trusted expected value; never raises."""
    names = tuple(variables)
    try:
        target = _trusted(expected, names)
        single = not isinstance(target, tuple)
        parsed = _parse(text, names, single)
        interpreted = parsed.latex()
        others = tuple(_trusted(value, names) for value, _ in distractors)
        answer = parsed.exact()
        if answer is not None and _is_exact(target) and all(_is_exact(o) for o in others):
            outcome, hit = _judge(answer, target, others, rel_tol)
        else:
            outcome, hit = _POOL.call(_judge_text, text, names, single, target, others, rel_tol)
    except _Refusal as refusal:
        return Verdict(False, str(refusal), None)
    except TimeoutError:
        return Verdict(False, TIMEOUT, None)
    except _Busy:
        return Verdict(False, BUSY, None)
    except Exception:  # never a traceback on the page
        return Verdict(False, INTERNAL, None)
    if hit is not None:
        return Verdict(False, distractors[hit][1], interpreted, hit)
    return Verdict(outcome.kind == "same", _message(outcome, rel_tol), interpreted)


def equivalent(
    a: object, b: object, *, variables: Sequence[str] = (), rel_tol: float = REL_TOL
) -> bool:
    """Whether two trusted values agree under the checker's rules (b plays the expected answer).

    Raises TimeoutError if the worker overran its deadline.
    """
    names = tuple(variables)
    first, second = _trusted(a, names), _trusted(b, names)
    if _is_exact(first) and _is_exact(second):
        return _compare(first, second, rel_tol) == _SAME
    return _POOL.call(_compare, first, second, rel_tol) == _SAME
