"""From what a student typed or pasted to plain answer text: the first step of reading.

It translates a bounded subset of pasted LaTeX, superscripts, full-width forms, Greek letters,
⌈x⌉ and ⌊x⌋ (ceil and floor) and the signs × · ÷ − into plain ASCII, and drops what surrounds a
value without changing it: a leading "L =", "≈", "~" or "about", a trailing unit word ("44
layers", "8.41x"), PyTorch's `torch.Size([...])`, and `8x64x8x8` when a shape is expected. What
it cannot translate it refuses with advice that fits what was typed. Left out: tokens, syntax
and values (reading.py).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence


class Refusal(Exception):
    """Student text that cannot be checked; the argument is the sentence to show."""


def fold(name: str) -> str:
    """A name compared loosely: case, underscores and the spelling 'lamda' ignored (DK = d_k)."""
    return name.lower().replace("_", "").replace("lamda", "lambda")


# ------------------------------------------------------------------------------ pasted LaTeX

_LATEX_NAME = re.compile(r"[A-Za-z]+|.", re.DOTALL)
_LATEX_NAMES = [  # commands that are already the name we read: Greek letters and functions
    *("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"),
    *("lambda", "mu", "nu", "xi", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "chi"),
    *("psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Upsilon", "Phi"),
    *("Psi", "Omega", "pi", "exp", "ln", "log", "sin", "cos", "tan", "tanh", "max", "min"),
    "sqrt",
]
_LATEX_WORDS = {
    **{name: name for name in _LATEX_NAMES},
    **{f"var{name}": name for name in ("epsilon", "theta", "rho", "sigma", "phi")},
    "cdot": "·",
    "times": "×",
    "div": "÷",
    "approx": "≈",
    "sim": "~",
    "%": "%",
    "{": "(",
    "}": ")",
    "|": "|",
    "vert": "|",
    "lceil": "⌈",
    "rceil": "⌉",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lvert": "|",
    "rvert": "|",
}
_LATEX_SPACES = {",", ";", ":", " ", "quad", "qquad"}
_LATEX_DROPPED = {
    "!",
    "left",
    "right",
    "big",
    "Big",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "displaystyle",
}
_LATEX_TEXT = {"text", "textrm", "mathrm", "mathit", "operatorname"}
_LATEX_FRACTIONS = {"frac", "dfrac", "tfrac"}


class _Latex:
    """A reader of the LaTeX subset; braces become brackets, commands become plain text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def sequence(self, closing: bool) -> str:
        """Translate up to the end, or up to the '}' that closes the group being read."""
        out = []
        while self.at < len(self.text):
            letter = self.text[self.at]
            if letter == "}":
                if not closing:
                    raise Refusal("The braces don't balance: a '}' has no matching '{'.")
                self.at += 1
                return "".join(out)
            if letter == "{":
                self.at += 1
                out.append(f"({self.sequence(closing=True)})")
            elif letter == "\\":
                out.append(self.command())
            elif letter == "_":  # a subscript is part of the name before it: \eta_\text{head}
                if out:
                    out[-1] = out[-1].rstrip()
                self.at += 1
                braced = self.text.startswith(("{", "\\"), self.at)
                out.append("_" + self.subscript() if braced else "_")
            else:
                out.append(letter)
                self.at += 1
        if closing:
            raise Refusal("The braces don't balance: a '{' is never closed.")
        return "".join(out)

    def argument(self) -> str:
        """One argument of a command: a {group}, a command, or a single character."""
        while self.text.startswith(" ", self.at):
            self.at += 1
        if self.at >= len(self.text):
            raise Refusal("A LaTeX command is missing its argument, like \\frac{1}{N}.")
        letter = self.text[self.at]
        if letter == "{":
            self.at += 1
            return self.sequence(closing=True)
        if letter == "\\":
            return self.command()
        self.at += 1
        return letter

    def subscript(self) -> str:
        """The letters and digits of a subscript, like the K of D_{K}."""
        inner = self.argument().strip()
        if not re.fullmatch(r"\w+", inner):
            raise Refusal("A subscript can only hold letters and digits, like D_{K}.")
        return inner

    def command(self) -> str:
        """The plain text for the command at the cursor (which is on the backslash)."""
        match = _LATEX_NAME.match(self.text, self.at + 1)
        if match is None:
            raise Refusal("A '\\' must start a LaTeX command, like \\frac{1}{N}.")
        self.at, name = match.end(), match[0]
        if name in _LATEX_FRACTIONS:
            numerator = self.argument()
            return f"(({numerator})/({self.argument()}))"
        if name == "sqrt" and self.text.startswith("[", self.at):
            end = self.text.find("]", self.at)
            if end < 0:
                raise Refusal("The brackets don't balance: a '[' is never closed.")
            degree, self.at = self.text[self.at + 1 : end], end + 1
            return f"(({self.argument()})^(1/({degree})))"
        if name == "log" and self.text.startswith("_", self.at):
            self.at += 1
            base = self.subscript()
            if base not in ("2", "10"):
                raise Refusal("Logarithms can be natural, to base 10 or to base 2.")
            return f" log{base} "
        if name in _LATEX_TEXT:
            return f" {self.argument()} "
        if name in _LATEX_SPACES:
            return " "
        if name in _LATEX_DROPPED:
            return ""
        if name in _LATEX_WORDS:
            return f" {_LATEX_WORDS[name]} "
        raise Refusal(f"The LaTeX command \\{name} can't be used in an answer.")


def _latex(text: str) -> str:
    """Translate pasted LaTeX ($...$ included) into plain text."""
    if len(text) > 1 and text[0] == text[-1] == "$":
        text = text.strip("$")
    return _Latex(text).sequence(closing=False)


# ------------------------------------------------------------------ Unicode, Greek and signs

_GREEK = re.compile(r"[\u0370-\u03ff]")
_GREEK_NAME = re.compile(r"GREEK (SMALL|CAPITAL) LETTER (\w+)")
_SIGNS = str.maketrans({"×": "*", "·": "*", "⋅": "*", "∙": "*", "÷": "/", "−": "-", "–": "-"})


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
    """Spell a Greek letter as its name (δ -> delta, λ -> lambda), spaced from letters around it.

    Digits stay attached, so μ0 reads as the name mu0 (which may be a declared mu_0).
    """
    spelled = _GREEK_NAME.fullmatch(unicodedata.name(match[0], ""))
    if spelled is None:
        return match[0]
    name = spelled[2].lower().replace("lamda", "lambda")
    name = name if spelled[1] == "SMALL" else name.capitalize()
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return before + name + after


_ROUNDINGS = {"⌈": ("ceil", "⌉"), "⌊": ("floor", "⌋")}  # opener: (function, closer)
_ROUNDING_OPENERS = {closer: opener for opener, (_, closer) in _ROUNDINGS.items()}


def _roundings(text: str) -> str:
    """Read ⌈x⌉ as ceil(x) and ⌊x⌋ as floor(x), refusing brackets that do not pair."""
    out, opened = [], []
    for letter in text:
        if letter in _ROUNDINGS:
            opened.append(letter)
            out.append(f" {_ROUNDINGS[letter][0]}(")
        elif letter in _ROUNDING_OPENERS:
            if not opened:
                opener = _ROUNDING_OPENERS[letter]
                raise Refusal(
                    f"The brackets don't balance: a '{letter}' has no matching '{opener}'."
                )
            opener = opened.pop()
            if _ROUNDINGS[opener][1] != letter:
                raise Refusal(f"The brackets don't balance: a '{opener}' is closed by '{letter}'.")
            out.append(")")
        else:
            out.append(letter)
    if opened:
        raise Refusal(f"The brackets don't balance: a '{opened[-1]}' is never closed.")
    return "".join(out)


# ------------------------------------------------------------- what surrounds a value

_APPROXIMATELY = re.compile(
    r"(?:≈|~|approximately|approx\.?|about|roughly|around)\s*(?P<rest>.+)", re.IGNORECASE
)
_NAMED = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*(?:=|≈)(?!=)\s*(?P<rest>.+)")
_UNIT_WORDS = (
    "layers? | params? | parameters? | weights? | channels? | blocks? | images? | filters?"
    " | kernels? | neurons? | pixels? | times | fold | flops? | macs? | multiply-adds?"
    " | mult-adds? | madds? | multiplications? | multiplies | additions? | operations? | ops"
)
_UNIT = re.compile(
    rf"(?P<value>.*?)(?:(?<=[\d)\]%])\s*(?P<sign>[x×])|\s*(?<=[\d)\]%\s])(?P<word>{_UNIT_WORDS}))",
    re.IGNORECASE | re.VERBOSE,
)
_TORCH_SIZE = re.compile(r"(?:torch\s*\.\s*)?Size\s*\((?P<inner>.*)\)")
_SHAPE_BY_X = re.compile(r"(?P<open>[(\[]?)\s*\d+(?:\s*[x×X]\s*\d+)+\s*(?P<close>[)\]]?)")
_COMPARISON = re.compile(r"=|<|>|≈")


def declared(word: str, variables: Sequence[str]) -> bool:
    """Whether a word is (loosely) one of the question's variables."""
    return any(fold(word) == fold(v) for v in variables)


def _without_name(text: str) -> str:
    """Drop a leading 'L =' when what follows is the value (not mentioning L, no second '=')."""
    named = _NAMED.fullmatch(text)
    if named is None or _COMPARISON.search(named["rest"]):
        return text
    if re.search(rf"(?<![A-Za-z_]){re.escape(named['name'])}(?!\w)", named["rest"]):
        return text
    return named["rest"]


def _without_approximately(text: str, variables: Sequence[str]) -> str:
    """Drop a leading ≈, ~, about, approx., roughly or around."""
    approximately = _APPROXIMATELY.fullmatch(text)
    word = text.split(maxsplit=1)[0]
    if approximately is None or (word.isalpha() and declared(word, variables)):
        return text
    return approximately["rest"]


def _without_unit(text: str, variables: Sequence[str]) -> str:
    """Drop a trailing unit word (44 layers, 8.41x), never a name the question declares."""
    unit = _UNIT.fullmatch(text)
    if unit is None or not unit["value"].strip():
        return text
    if declared(unit["sign"] or unit["word"], variables):
        return text
    return unit["value"].rstrip()


def _as_shape(text: str) -> str:
    """Read torch.Size([8, 64]) and 8x64x8x8 as the tuples they are."""
    size = _TORCH_SIZE.fullmatch(text)
    if size is not None:
        return size["inner"].strip()
    shape = _SHAPE_BY_X.fullmatch(text)
    if shape is not None and (shape["open"] + shape["close"]) in ("", "()", "[]"):
        return re.sub(r"\s*[x×X]\s*", ", ", text)
    return text


def plain(text: str, variables: Sequence[str], single: bool) -> str:
    """Plain ASCII answer text, with what surrounds the value dropped (see the module docstring)."""
    if any(sign in text for sign in "\\{}$"):
        text = _latex(text)
    text = _roundings(unicodedata.normalize("NFKC", _superscripts(text)))
    text = " ".join(_GREEK.sub(_greek, text).split())
    text = text.removeprefix("=").lstrip()
    text = _without_approximately(_without_name(text), variables)
    text = _without_unit(text.removesuffix(".").rstrip(), variables)
    if not single:
        text = _as_shape(text)
    return text.translate(_SIGNS)
