"""The answer checker: the only code that reads student text.

Contract (other code and the tests rely on it):

    check_answer(text, expected, *, variables=(), rel_tol=1e-3, distractors=(), session=None)
        -> Verdict
    interpret(text, *, variables=(), expected=None) -> Interpretation
    meaning(text, expected, *, variables=(), rel_tol=1e-3, session=None) -> str | None
    equivalent(a, b, *, variables=(), rel_tol=1e-3) -> bool
    warm_up(*, wait=True) -> None
    evaluate_trusted(text, names) -> SymPy value of the bank's text

`expected`, `a`, `b` and the distractors are trusted (written by us): a SymPy expression, a
Python or SymPy number, SymPy text (N, S, E, I, Q, O are plain symbols in it), or a tuple/list
of these (a shape). Free symbols are matched to `variables` by name. A Verdict is `correct`,
one friendly sentence `message`, the LaTeX `interpreted` of what was read (None when the text
was refused or could not be checked: no attempt should be counted), and the index `distractor`
of the known wrong answer the text matched, whose message it then carries. check_answer and
interpret never raise. `session` names the caller (the widget passes its session id): a session
whose previous check is still running in a worker has its next one refused as busy.
`equivalent` raises CheckerBusy (no worker was free), TimeoutError (a worker overran) or
WorkerError (a worker died); the other functions turn these into a polite Verdict.

Judging, as a teacher would:
- Integers compare exactly (an irrational form must match to 1e-40 at 50 digits).
- Other numbers: correct within `rel_tol` (relative; absolute floor 1e-12), or when the
  student typed one number with k >= 3 significant figures (counted as typed: `0.127`, `12.7%`
  and `1.27e-1` have 3; `1200` has 2; `4.5×10^-5` has 2) and it equals the expected value
  rounded to k figures (0.127 and 12.7% are right for 0.12674; 0.128 is not). A question asks
  for more figures through its rel_tol: it needs max(3, ceil(-log10(rel_tol))) figures, so
  rel_tol 1e-5 needs 5. An answer that rounds right with too few figures is not correct:
  "Close: give at least 3 significant figures.". Answers that are expressions (`1/64 + 1/9`,
  `0.7^5`) are judged by value only, within rel_tol.
- Expressions with variables agree as functions: at 8 seeded points with every variable in
  [1.5, 9.5] (steps of 0.01), each within rel_tol; when a point disagrees, simplify (0.2 s of CPU
  budget) may still prove them equal, so a correct answer is never failed by simplify.
- Tuples entry by entry (same length, order matters), each entry under the rules above.
- A wrong answer that matches no distractor gets a sentence naming what is off, never the answer;
  a share typed in percent without its % sign (`20` for 1/5, `12.7` for 0.127) is told so.

Notation understood (anything else is refused with advice that fits what was typed):
`^` and `**`; implicit products `9N`, `2(N+1)`, `N D_K`, `CM` for declared C and M (a glued
name is split only when it can be read one way over the declared names: with D, K and D_K
declared, `DK` is refused), and `a/bc` read as a/(bc) (`1/9N` is 1/(9N), shown so in the
preview); `×` `·` `÷`, the Unicode minus, full-width forms; superscripts (`0.7⁵`, `10⁻⁴`);
scientific `5e-4`, `4.5 e-5`, `5×10^-4`; percentages `87%`; digits grouped in threes for a
single value, by commas `1,206,080` or by spaces, thin or no-break spaces `1 206 080` (`1,5`
is refused as a decimal comma, `12,06,080` and `1,206,08` with advice on grouping); a leading
`L =`, `≈`, `~`, `about`, and a trailing unit word (`44 layers`, `8.41x`), never a declared
variable; pasted LaTeX (`\\frac`, `\\sqrt`, `\\cdot`, `\\times`, `\\left(`, Greek, `^{}`, `_{}`,
`_\\text{}` and `_\\mathrm{}` so `\\eta_\\text{head}` is `eta_head`, `\\lceil` `\\lfloor`, braces);
names loosely (`Dk`, `d_k`, `DK` for a declared `D_K`, when unique); Greek letters and names
(`δ`, `delta`, `λ`, `μ0` for a declared `mu_0`); shapes in `()`, `[]`, bare `128, 16, 16`,
`torch.Size([8, 64, 8, 8])` and `8x64x8x8` (only when a shape is expected; otherwise `3×3×64`
is a product); constants `e` and `pi`; functions `sqrt exp log ln log10 log2 ceil floor abs
max min relu sigmoid σ tanh sin cos tan`, `|x|`, `⌈x⌉`, `⌊x⌋` and `n!`. Decimals are kept exact.

Refused (interpreted is None): empty text, more than 200 characters, unbalanced brackets or
ambiguous bars, unknown names ("Unknown name 'cosh'; this question knows N.") and glued names
that split more than one way, scale suffixes (`1.2M`, `1206k`: the exact count is asked for),
decimal commas, digit groups that are not threes, numbers side by side (a shape is told to use
commas, a single value an operator), floor division `//` (write a/b or floor(a/b)), '=' and
comparisons, and anything too large to evaluate quickly.

Safety: student text never reaches eval, exec, sympify or parse_expr, and SymPy never sees it
in the web process. It is translated to plain text (notation.py), checked against a character
allow-list, tokenised, parsed by `ast.parse` (which executes nothing) and checked against a node
allow-list and size bounds (reading.py, operations.py): 200 characters, 100 nodes, 20 nested
brackets, 30 digits per number, |exponent| <= 1000, n! for n <= 200, no exact intermediate over
1000 digits (counted exactly: 10^1000 has 1001), ceil/floor of an inexact value under 10^30,
roots of values under 10^300, angles under 10^6. The preview is printed from the checked tree
(preview.py). Answers whose values are rational (numbers, polynomials and ratios of them,
against such expected values) are judged in-process with exact arithmetic (judging.py);
everything else runs in a worker process (pool.py: forked from a warm zygote, limited to 1 GiB)
that is killed after 1.0 s and replaced at once by a warm spare. Every call returns within 2 s
once the workers have started (`warm_up()`; the first start imports SymPy, about 1 s).
Deliberately left out: complex numbers, scale suffixes (`5.1M params` is refused), nested
tuples, floor division, Indian digit grouping.
"""

from __future__ import annotations

import atexit
from collections.abc import Sequence
from dataclasses import dataclass

from quizzes.checking import judging, reading, trusted
from quizzes.checking.judging import REL_TOL
from quizzes.checking.meaning import meaning
from quizzes.checking.notation import Refusal
from quizzes.checking.pool import CheckerBusy, Pool, WorkerError
from quizzes.checking.reading import MAX_CHARS
from quizzes.checking.trusted import evaluate_trusted

__all__ = [
    "BUSY",
    "INTERNAL",
    "MAX_CHARS",
    "REL_TOL",
    "TIMEOUT",
    "CheckerBusy",
    "Interpretation",
    "Verdict",
    "WorkerError",
    "check_answer",
    "equivalent",
    "evaluate_trusted",
    "interpret",
    "meaning",
    "warm_up",
]

POOL_SIZE = 2  # workers serving checks, besides the warm spare (each about 55 MB resident)

TIMEOUT = "That took too long to check; try a simpler form."
BUSY = "The checker is busy; please try again in a moment."
INTERNAL = "Something went wrong while checking; please try again."


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


_POOL = Pool(POOL_SIZE, prepare="quizzes.checking.judging:rehearse")
atexit.register(_POOL.close)


def warm_up(*, wait: bool = True) -> None:
    """Start the worker processes now, so the first real check does not wait for SymPy to load.

    With wait=False they are launched in the background and this returns at once.
    """
    _POOL.warm(wait)


def interpret(
    text: str, *, variables: Sequence[str] = (), expected: object = None
) -> Interpretation:
    """Read a student's text for the live preview, without judging it; never raises.

    `expected` is optional and only tells the shape: with a single expected value, commas are
    read as thousands separators or refused (as decimal commas); without it a comma-separated
    text is read as a tuple.
    """
    names = tuple(variables)
    try:
        single = expected is not None and not isinstance(trusted.expression(expected, names), tuple)
        latex = reading.parse(text, names, single).latex()
    except Refusal as refusal:
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
    session: str | None = None,
) -> Verdict:
    """Judge a student's text against a trusted expected value; never raises."""
    names = tuple(variables)
    try:
        target = trusted.expression(expected, names)
        single = not isinstance(target, tuple)
        parsed = reading.parse(text, names, single)
        interpreted = parsed.latex()
        others = tuple(trusted.expression(value, names) for value, _ in distractors)
        judged = judging.judge_in_process(parsed, target, others, rel_tol)
        if judged is None:
            job = (text, names, single, target, others, rel_tol)
            judged = _POOL.call(judging.judge_text, *job, owner=session)
        outcome, hit = judged
    except Refusal as refusal:
        return Verdict(False, str(refusal), None)
    except TimeoutError:
        return Verdict(False, TIMEOUT, None)
    except CheckerBusy:
        return Verdict(False, BUSY, None)
    except Exception:  # never a traceback on the page
        return Verdict(False, INTERNAL, None)
    if hit is not None:
        return Verdict(False, distractors[hit][1], interpreted, hit)
    return Verdict(outcome == judging.SAME, judging.message(outcome, rel_tol), interpreted)


def equivalent(
    a: object, b: object, *, variables: Sequence[str] = (), rel_tol: float = REL_TOL
) -> bool:
    """Whether two trusted values agree under the checker's rules (b plays the expected answer).

    Raises CheckerBusy, TimeoutError or WorkerError when a worker is needed and fails.
    """
    names = tuple(variables)
    first, second = trusted.expression(a, names), trusted.expression(b, names)
    if judging.is_number(first) and judging.is_number(second):
        return judging.compare(first, second, rel_tol) == judging.SAME
    return _POOL.call(judging.compare, first, second, rel_tol) == judging.SAME
