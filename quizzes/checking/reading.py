"""Reading student text into a checked syntax tree, its exact value where cheap, and SymPy.

After notation.plain, the text is checked against a character allow-list, split into tokens here
(numbers with their significant figures, names matched to the question's variables or split into
a product of them, functions and constants), checked for balanced brackets and |bars|, its digit
groups joined (1,206,080 and 1 206 080), given its implicit products (9N, CM, 2(N+1), and a/bc
read as a/(bc)), parsed by `ast.parse` (which executes nothing), checked against a node
allow-list and the size rules of operations.py, and only then built into SymPy by walking the
tree. Names reach `ast.parse` only as our identifiers (_0, _1, ...) or functions of the
allow-list, so a typed `lambda` or `__import__` is never Python.
Left out: notation (notation.py), sizes of operations (operations.py), judging (judging.py).
"""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import sympy as sp

from quizzes.checking import preview
from quizzes.checking.notation import Refusal, declared, fold, plain
from quizzes.checking.operations import (
    ALIASES,
    BINARY,
    CONSTANT_SIZE,
    CONSTANTS,
    FUNCTIONS,
    MAX_HEIGHT,
    NAME_SIZE,
    POSTFIX,
    Size,
    bounded,
    exact_size,
)

MAX_CHARS = 200
MAX_NODES = 100
MAX_DEPTH = 20  # brackets inside brackets
MAX_DIGITS = 30  # per number typed

_ALLOWED_CHARACTER = re.compile(r"[^A-Za-z0-9_+\-*/^%!|,.()\[\] ]")
_NUMBER = re.compile(
    r"(?P<mantissa>\d+\.?\d*|\.\d+)(?:(?:\s(?=[eE][-+]\d))?[eE](?P<exponent>[-+]?\d+))?"
)
_TOKEN = re.compile(
    rf"(?P<number>{_NUMBER.pattern})|(?P<name>[A-Za-z_]\w*)|(?P<sign>\*\*|[-+*/^%!|,()\[\]])"
)
_TIMES_X = re.compile(r"[xX] ?[\d.]")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")  # 1,206,080
_INDIAN = re.compile(r"[1-9]\d?(?:,\d\d)+,\d{3}(?:\.\d+)?")  # 12,06,080
_DIGIT_GROUPS = re.compile(r"[1-9]\d*(?:,\d+)*,\d{3}(?:,\d+)*(?:\.\d+)?")  # 1,206,08
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_SIGN_KINDS = {"(": "open", "[": "open", ")": "close", "]": "close", ",": "comma", "|": "bar"}
_PAIRS = {"(": ")", "[": "]", "|": "|"}
_COUNTS = {1: "one", 2: "two", 3: "three"}
_ENDS = {"number", "name", "close", "postfix"}  # tokens that can end an operand
_STARTS = {"number", "name", "function", "open"}  # tokens that can start one
_TYPED_FUNCTIONS = {name for name in FUNCTIONS if not name.startswith("_")} | set(ALIASES)
_LOOSE_FUNCTIONS = {fold(name): ALIASES.get(name, name) for name in _TYPED_FUNCTIONS}
_SCALES = {"k", "K", "M", "G", "B", "bn", "thousand", "million", "billion"}  # 1.2M, 1206k


class Token(NamedTuple):
    """One piece of the text: its kind, its text or meaning, and whether a space came before."""

    kind: str  # number, name, function, op, implicit, open, close, comma, bar, postfix
    text: str
    spaced: bool = False


class Atom(NamedTuple):
    """A number, variable or constant the student typed."""

    value: sp.Expr  # exact: Rational, Symbol, E or pi
    latex: str  # as typed, for the preview
    size: Size
    figures: int | None = None  # significant figures of a typed number
    variable: str | None = None  # the variable's name, for an atom that is one


# ------------------------------------------------------------------------------------ tokens


def _check_characters(text: str) -> None:
    """Refuse characters off the allow-list, with advice for '=' and comparisons."""
    bad = _ALLOWED_CHARACTER.search(text)
    if bad and bad[0] in "=<>≈":
        raise Refusal("Type just the value; '=' and comparisons can't be checked.")
    if bad:
        raise Refusal(f"The character {bad[0]!r} can't be used in an answer.")


def _unknown(word: str, variables: Sequence[str], after_number: bool) -> Refusal:
    """The refusal for a name the question does not know."""
    if after_number and word in _SCALES:
        return Refusal(f"Scale suffixes like {word!r} aren't read; type the exact count in digits.")
    if not variables:
        return Refusal(f"Unknown name {word!r}; this question expects a number, with no letters.")
    known = variables[0] if len(variables) == 1 else ", ".join(variables[:-1])
    known += f" and {variables[-1]}" if len(variables) > 1 else ""
    glued = re.fullmatch(r"(\D+?)(\d+)", word)
    if glued and declared(glued[1], variables):
        return Refusal(
            f"Unknown name {word!r}; for a product write {glued[2]} {glued[1]}, "
            f"as this question knows {known}."
        )
    return Refusal(f"Unknown name {word!r}; this question knows {known}.")


def _readings(word: str, variables: Sequence[str]) -> list[tuple[str, ...]]:
    """Up to two ways to read a word as declared names, loosely: Dk as D_K, CM as C times M.

    Each piece is one variable (folded names compared); a piece never starts or ends with '_'.
    """
    if not variables:
        return []
    folded = {fold(v): [w for w in variables if fold(w) == fold(v)] for v in variables}
    longest = max(map(len, folded))  # a piece has at most this many letters besides '_'

    @functools.cache
    def from_(start: int) -> tuple[tuple[str, ...], ...]:
        if start == len(word):
            return ((),)
        found: list[tuple[str, ...]] = []
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end]
            if len(piece) - piece.count("_") > longest:
                break
            if piece.startswith("_") or piece.endswith("_"):
                continue
            for name in folded.get(fold(piece), ()):
                found += [(name, *rest) for rest in from_(end)]
            if len(found) > 1:
                break
        return tuple(found[:2])

    return list(from_(0))


def _name_tokens(
    word: str, variables: Sequence[str], spaced: bool, after_number: bool
) -> list[Token]:
    """A typed name as a variable, constant or function, or a product of declared names (CM).

    Variables are matched loosely (Dk = D_K), and glued ones split, only when one reading fits.
    """
    if word in variables or word in CONSTANTS:
        return [Token("name", word, spaced)]
    if word in _TYPED_FUNCTIONS:
        return [Token("function", ALIASES.get(word, word), spaced)]
    readings = _readings(word, variables)
    if len(readings) > 1:
        shown = " or ".join(" ".join(reading) for reading in sorted(readings, key=len))
        raise Refusal(f"Unknown name {word!r}; it could mean {shown}, so type one of them.")
    if readings:
        return [Token("name", name, spaced and i == 0) for i, name in enumerate(readings[0])]
    if not word.startswith("_") and fold(word) in _LOOSE_FUNCTIONS:
        return [Token("function", _LOOSE_FUNCTIONS[fold(word)], spaced)]
    if fold(word) == "pi":
        return [Token("name", "pi", spaced)]
    raise _unknown(word, variables, after_number)


def _tokens(text: str, variables: Sequence[str]) -> list[Token]:
    """Split plain text into tokens; `x` between numbers is a times sign unless declared."""
    tokens: list[Token] = []
    position, spaced = 0, False
    while position < len(text):
        if text[position] == " ":
            position, spaced = position + 1, True
            continue
        if (
            tokens
            and tokens[-1].kind == "number"
            and not declared(text[position], variables)
            and _TIMES_X.match(text, position)
        ):
            tokens.append(Token("op", "*", spaced))
            position, spaced = position + 1, False
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise Refusal("A '.' must be part of a number, like 0.5.")
        word = match[0]
        if match.lastgroup == "number":
            tokens.append(Token("number", word, spaced))
        elif match.lastgroup == "name":
            after_number = bool(tokens) and tokens[-1].kind == "number"
            tokens += _name_tokens(word, variables, spaced, after_number)
        elif word in POSTFIX:
            tokens.append(Token("postfix", word, spaced))
        elif word == "/" and tokens and tokens[-1].text == "/":
            raise Refusal(
                "Floor division '//' isn't read; write a/b, or floor(a/b) for its whole part."
            )
        else:
            kind = _SIGN_KINDS.get(word, "op")
            tokens.append(Token(kind, "**" if word == "^" else word, spaced))
        position, spaced = match.end(), False
    return tokens


# ---------------------------------------------------------------- brackets, bars and commas


def _brackets(tokens: list[Token]) -> list[Token]:
    """Check that brackets balance and nest at most MAX_DEPTH deep, reading |x| as abs(x).

    A bar closes the innermost open bar when it follows an operand; where it could also open a
    new one (|a|b|c|), the text is refused as ambiguous.
    """
    out: list[Token] = []
    stack: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind == "bar":
            closes = bool(stack) and stack[-1] == "|" and bool(out) and out[-1].kind in _ENDS
            after = tokens[index + 1].kind if index + 1 < len(tokens) else None
            if closes and after in _STARTS:
                raise Refusal("Those | bars can be read more than one way; write abs(...) instead.")
            if not closes:
                out.append(Token("function", "abs", token.spaced))
            token = Token("close" if closes else "open", "|", token.spaced)
        if token.kind == "open":
            stack.append(token.text)
            if len(stack) > MAX_DEPTH:
                raise Refusal(f"That has more than {MAX_DEPTH} brackets inside each other.")
        elif token.kind == "close":
            if not stack:
                opener = next(o for o, c in _PAIRS.items() if c == token.text)
                raise Refusal(
                    f"The brackets don't balance: a '{token.text}' has no matching '{opener}'."
                )
            opened = stack.pop()
            if _PAIRS[opened] != token.text:
                raise Refusal(
                    f"The brackets don't balance: a '{opened}' is closed by '{token.text}'."
                )
        out.append(token)
    if stack:
        count = stack.count(stack[-1])
        said = (
            f"one '{stack[-1]}' is"
            if count == 1
            else f"{_COUNTS.get(count, count)} '{stack[-1]}' are"
        )
        raise Refusal(f"The brackets don't balance: {said} never closed.")
    return out


def _run(tokens: list[Token], index: int, comma: bool) -> list[int]:
    """Indices of the numbers from index on that are joined as digit groups, by commas or spaces."""
    run, step = [index], 2 if comma else 1
    while run[-1] + step < len(tokens):
        separator, after = tokens[run[-1] + 1], tokens[run[-1] + step]
        if comma:
            joined = separator.kind == "comma" and not (separator.spaced or after.spaced)
        else:
            joined = after.spaced
        if after.kind != "number" or not joined:
            break
        run.append(run[-1] + step)
    return run


def _grouped(groups: list[str], separator: str) -> str | None:
    """The digits of groups of three (1,206,080 or 1 206 080), or None where it is no grouping.

    Groups meant as one number that are not threes (12,06,080 or 1,206,08) are refused.
    """
    typed, commas = separator.join(groups), ",".join(groups)
    if _THOUSANDS.fullmatch(commas):
        return "".join(groups)
    if len(groups) < 3 or not _DIGIT_GROUPS.fullmatch(commas):
        return None
    if _INDIAN.fullmatch(commas):
        whole, point, decimals = "".join(groups).partition(".")
        western = f"{int(whole):,}".replace(",", separator) + point + decimals
        raise Refusal(f"Group digits in threes from the right: {typed} is {western}.")
    raise Refusal(
        f"Digit groups after the first have three digits each; check the digits of {typed}."
    )


def _comma_refusal(tokens: list[Token], index: int) -> Refusal:
    """The refusal for a comma in a single answer: a decimal comma (1,5), or a list."""
    before = tokens[index - 1] if index > 0 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    lone = all(
        not 0 <= other < len(tokens) or tokens[other].kind != "comma"
        for other in (index - 2, index + 2)
    )
    if (
        lone
        and before is not None
        and after is not None
        and before.kind == after.kind == "number"
        and not (tokens[index].spaced or after.spaced)
    ):
        whole, part = before.text, after.text
        return Refusal(
            f"Write decimals with a point, like {whole}.{part} rather than {whole},{part}."
        )
    return Refusal("This question expects a single answer, so leave out the commas.")


def _digit_groups(tokens: list[Token], single: bool) -> list[Token]:
    """In a single answer, read 1,206,080 and 1 206 080 as one number; other commas part values."""
    if not single:
        return tokens
    out: list[Token] = []
    holds: list[int | None] = []  # per open bracket: how many values its function takes, if any
    index = 0
    while index < len(tokens):
        token = tokens[index]
        inside = holds[-1] if holds else None
        if token.kind == "open":
            called = bool(out) and out[-1].kind == "function"
            holds.append(FUNCTIONS[out[-1].text].arity if called else None)
        elif token.kind == "close":
            holds.pop()
        elif token.kind == "number":
            for separator in (",", " ") if inside != 0 else (" ",):  # max(1,500): two values
                run = _run(tokens, index, separator == ",")
                digits = _grouped([tokens[i].text for i in run], separator) if run[1:] else None
                if digits is not None:
                    token, index = Token("number", digits, token.spaced), run[-1]
                    break
        elif token.kind == "comma" and inside is None:
            raise _comma_refusal(tokens, index)
        out.append(token)
        index += 1
    return out


# ----------------------------------------------------------------- products and postfix signs


def _side_by_side(tokens: list[Token], index: int, single: bool) -> Refusal:
    """The refusal for numbers side by side: a shape's entries want commas, a value an operator."""
    if single:
        return Refusal(
            "Two numbers stand side by side; put an operator between them, "
            "or group one number's digits in threes, like 1 206 080."
        )
    start = end = index
    while start > 0 and tokens[start - 1].kind == "number":
        start -= 1
    while end + 1 < len(tokens) and tokens[end + 1].kind == "number":
        end += 1
    numbers = ", ".join(token.text for token in tokens[start : end + 1])
    return Refusal(f"Separate the entries with commas, like ({numbers}).")


def _with_products(tokens: list[Token], single: bool) -> list[Token]:
    """Insert the multiplications implied by 9N, 2(N+1), (N+1)(N+2) and N D_K."""
    out: list[Token] = []
    for index, token in enumerate(tokens):
        before = out[-1].kind if out else None
        if before == "function" and token.kind != "open":
            raise Refusal(f"Write {out[-1].text} with brackets, like {out[-1].text}(2).")
        if before == "number" and token.kind == "number":
            raise _side_by_side(tokens, index, single)
        if token.kind == "postfix" and before not in _ENDS:
            example = "87%" if token.text == "%" else "5!"
            raise Refusal(f"A '{token.text}' must follow a number, like {example}.")
        if before in _ENDS and token.kind in _STARTS:
            out.append(Token("implicit", "*", token.spaced))
        out.append(token)
    if out and out[-1].kind == "function":
        raise Refusal(f"Write {out[-1].text} with brackets, like {out[-1].text}(2).")
    return out


def _matching(tokens: list[Token], index: int) -> int:
    """Index of the bracket that closes the one opened at index."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += {"open": 1, "close": -1}.get(tokens[position].kind, 0)
        if depth == 0:
            return position
    return len(tokens) - 1


def _operand_end(tokens: list[Token], index: int) -> int:
    """Index just past the operand starting at index, with its postfix signs and powers."""
    if index >= len(tokens) or tokens[index].kind not in _STARTS:
        return index
    if tokens[index].kind == "function":
        index += 1
    if tokens[index].kind == "open":
        index = _matching(tokens, index)
    index += 1
    while index < len(tokens) and tokens[index].kind == "postfix":
        index += 1
    if index < len(tokens) and tokens[index].text == "**":
        exponent = index + 1
        while exponent < len(tokens) and tokens[exponent].text in ("+", "-"):
            exponent += 1
        if exponent < len(tokens) and tokens[exponent].kind in _STARTS:
            return _operand_end(tokens, exponent)
    return index


def _after_slash(tokens: list[Token]) -> list[Token]:
    """Read a/bc as a/(bc): a product written without spaces right after a slash is the divisor."""
    out = list(tokens)
    for index in range(len(out) - 1, -1, -1):
        if out[index].kind != "op" or out[index].text != "/":
            continue
        end = grouped = _operand_end(out, index + 1)
        while grouped < len(out) and out[grouped].kind == "implicit" and not out[grouped].spaced:
            grouped = _operand_end(out, grouped + 1)
        if grouped > end:
            out[grouped:grouped] = [Token("close", ")")]
            out[index + 1 : index + 1] = [Token("open", "(")]
    return out


def _operand_start(tokens: list[Token]) -> int:
    """Index where the operand ending the token list begins (a bracket may follow a function)."""
    index = len(tokens) - 1
    if tokens[index].kind != "close":
        return index
    depth = 0
    while True:
        depth += {"close": 1, "open": -1}.get(tokens[index].kind, 0)
        if depth == 0:
            break
        index -= 1
    return index - 1 if index > 0 and tokens[index - 1].kind == "function" else index


def _with_postfix(tokens: list[Token]) -> list[Token]:
    """Rewrite 'x %' as _pct(x) and 'n !' as _fact(n), binding to the operand just before."""
    out: list[Token] = []
    for token in tokens:
        if token.kind == "postfix":
            start = _operand_start(out)
            out[start:start] = [Token("function", POSTFIX[token.text]), Token("open", "(")]
            out.append(Token("close", ")"))
        else:
            out.append(token)
    return out


# ------------------------------------------------------------------------- atoms and source


def _literal(text: str) -> Atom:
    """An exact number, its as-typed form and significant figures; too many digits are refused."""
    mantissa, exponent = _NUMBER.fullmatch(text).group("mantissa", "exponent")
    whole, _, decimals = mantissa.partition(".")
    digits = whole + decimals
    if len(digits) > MAX_DIGITS:
        raise Refusal(f"Numbers can have at most {MAX_DIGITS} digits.")
    power = int(exponent or "0") if len((exponent or "").lstrip("+-0")) <= 5 else math.inf
    if abs(power) > MAX_HEIGHT + MAX_DIGITS:
        raise Refusal("That number has too many digits to check.")
    value = Fraction(int(digits)) * Fraction(10) ** (power - len(decimals))
    shown = mantissa if not mantissa.startswith(".") else "0" + mantissa
    if exponent is not None:
        shown += rf" \cdot 10^{{{power}}}"
    significant = digits.lstrip("0")
    figures = len(significant if "." in mantissa else significant.rstrip("0")) or None
    exact = sp.Rational(value.numerator, value.denominator)
    return Atom(exact, shown, exact_size(value), figures)


def _name_atom(name: str, variables: Sequence[str]) -> Atom:
    """A variable (a positive symbol) or a constant."""
    if name in variables:
        symbol = sp.Symbol(name, positive=True)
        return Atom(symbol, sp.latex(symbol), NAME_SIZE, variable=name)
    return Atom(CONSTANTS[name], sp.latex(CONSTANTS[name]), CONSTANT_SIZE)


def _source(tokens: list[Token], variables: Sequence[str], atoms: dict[str, Atom]) -> str:
    """Python source for ast.parse: numbers and names become identifiers _0, _1, ... in atoms."""
    words = []
    for token in tokens:
        if token.kind in ("number", "name"):
            key = f"_{len(atoms)}"
            number = token.kind == "number"
            atoms[key] = _literal(token.text) if number else _name_atom(token.text, variables)
            words.append(key)
        elif token.text == "|":
            words.append("(" if token.kind == "open" else ")")
        else:
            words.append(token.text)
    return " ".join(words)


# ------------------------------------------------------------------------------ the tree


def _measure(node: ast.AST, atoms: Mapping[str, Atom]) -> Size:
    """Bound a subtree's size, refusing any node that is not on the allow-list."""
    if isinstance(node, ast.Name) and node.id in atoms:
        return atoms[node.id].size
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        size = _measure(node.operand, atoms)
        if isinstance(node.op, ast.USub) and size.exact is not None:
            return Size(size.height, -size.exact)
        return size
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _measure(node.left, atoms), _measure(node.right, atoms)
        try:
            return bounded(BINARY[_OPERATORS[type(node.op)]].size(left, right))
        except ZeroDivisionError:
            raise Refusal("That divides by zero.") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _measure_call(node, atoms)
    if isinstance(node, ast.Tuple | ast.List):
        raise Refusal("A list of values can only be the whole answer, like (128, 16, 16).")
    raise Refusal("I couldn't read that as a formula.")


def _measure_call(node: ast.Call, atoms: Mapping[str, Atom]) -> Size:
    """Bound a function call: a known function, plain values, as many as it takes."""
    name = node.func.id
    if name not in FUNCTIONS or node.keywords:
        raise Refusal("I couldn't read that as a formula.")
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise Refusal("I couldn't read that as a formula.")
    arity = FUNCTIONS[name].arity
    if arity and len(node.args) != arity:
        raise Refusal(f"The function {name} takes exactly one value in its brackets.")
    if not node.args:
        raise Refusal(f"The function {name} needs at least one value in its brackets.")
    try:
        return bounded(FUNCTIONS[name].size(*(_measure(arg, atoms) for arg in node.args)))
    except ZeroDivisionError:
        raise Refusal("That divides by zero.") from None


def _build(node: ast.AST, atoms: Mapping[str, Atom]) -> sp.Expr:
    """Build the SymPy value of a measured subtree (in a worker: SymPy may evaluate at length)."""
    if isinstance(node, ast.Name):
        return atoms[node.id].value
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand, atoms)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _build(node.left, atoms), _build(node.right, atoms)
        return BINARY[_OPERATORS[type(node.op)]].build(left, right)
    return FUNCTIONS[node.func.id].build(*(_build(arg, atoms) for arg in node.args))


def _is_power_of_ten(node: ast.AST, atoms: Mapping[str, Atom]) -> bool:
    """Whether a subtree is 10^n for a typed whole n, as in 4.5×10^-5."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow)):
        return False
    exponent = node.right.operand if isinstance(node.right, ast.UnaryOp) else node.right
    return (
        isinstance(node.left, ast.Name)
        and atoms[node.left.id].value == 10
        and isinstance(exponent, ast.Name)
        and atoms[exponent.id].figures is not None
        and atoms[exponent.id].value.is_Integer
    )


def _figures(node: ast.AST, atoms: Mapping[str, Atom]) -> int | None:
    """Significant figures of an item typed as one number (-0.127, 12.7%, 4.5×10^-5), else None."""
    if isinstance(node, ast.Name):
        return atoms[node.id].figures
    if isinstance(node, ast.UnaryOp):
        return _figures(node.operand, atoms)
    if isinstance(node, ast.Call) and node.func.id == "_pct":
        return _figures(node.args[0], atoms)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _figures(node.left, atoms) if _is_power_of_ten(node.right, atoms) else None
    return None


@dataclass(frozen=True)
class Parsed:
    """Student text that passed every check: its items, atoms, sizes and typed precision."""

    items: tuple[ast.expr, ...]
    is_tuple: bool
    atoms: dict[str, Atom]
    sizes: tuple[Size, ...]
    figures: tuple[int | None, ...]  # per item: significant figures when typed as one number
    percent_sign: bool  # whether a % sign was typed anywhere
    names: tuple[frozenset[str], ...]  # per item: the variables it uses

    def build(self) -> sp.Expr | tuple:
        """The SymPy value (only in a worker)."""
        built = tuple(_build(item, self.atoms) for item in self.items)
        return built if self.is_tuple else built[0]

    def value(self, index: int, point: Mapping[str, Fraction]) -> Fraction | None:
        """Item `index` exactly, with the variables at `point`; None where it is not rational."""
        try:
            atoms = {
                key: atom._replace(size=exact_size(point[atom.variable]))
                if atom.variable in point
                else atom
                for key, atom in self.atoms.items()
            }
            return _measure(self.items[index], atoms).exact
        except Refusal:
            return None

    def latex(self) -> str:
        """LaTeX of what was read; a percentage also shows its value."""
        names = {key: atom.latex for key, atom in self.atoms.items()}
        text = preview.latex(self.items, self.is_tuple, names)
        value = self.sizes[0].exact
        if not self.is_tuple and r"\%" in text and value is not None:
            text += f" = {float(value):.15g}"
        return text


def parse(text: str, variables: Sequence[str], single: bool) -> Parsed:
    """Read student text under every check, or raise Refusal with the reason."""
    if not isinstance(text, str) or not text.strip():
        raise Refusal("Type an answer first.")
    too_long = Refusal(f"That is longer than {MAX_CHARS} characters; type a shorter answer.")
    if len(text.strip()) > MAX_CHARS:
        raise too_long
    cleaned = plain(text.strip(), variables, single)
    if not cleaned:
        raise Refusal("Type an answer first.")
    if len(cleaned) > MAX_CHARS:
        raise too_long
    _check_characters(cleaned)
    tokens = _digit_groups(_brackets(_tokens(cleaned, variables)), single)
    atoms: dict[str, Atom] = {}
    source = _source(_with_postfix(_after_slash(_with_products(tokens, single))), variables, atoms)
    try:
        body = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise Refusal("I couldn't read that; check for a missing number or operator.") from None
    if sum(isinstance(node, ast.expr) for node in ast.walk(body)) > MAX_NODES:
        raise Refusal("That formula is too long to check; try a simpler form.")
    is_tuple = isinstance(body, ast.Tuple | ast.List)
    if is_tuple and single:
        raise Refusal("This question expects a single answer, not a list.")
    items = tuple(body.elts) if is_tuple else (body,)
    if not items:
        raise Refusal("There is nothing inside the brackets.")
    return Parsed(
        items,
        is_tuple,
        atoms,
        tuple(_measure(item, atoms) for item in items),
        tuple(_figures(item, atoms) for item in items),
        any(token.kind == "postfix" and token.text == "%" for token in tokens),
        tuple(
            frozenset(
                atoms[node.id].variable
                for node in ast.walk(item)
                if isinstance(node, ast.Name) and node.id in atoms and atoms[node.id].variable
            )
            for item in items
        ),
    )
