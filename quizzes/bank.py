"""The question bank: load and validate `bank/*.toml`, make seeded variants, check answers.

Questions are trusted data written by us (format: `bank/FORMAT.md`). Their expected answers are
SymPy text over the question's parameters that may call, by name, the functions of `core.conv` and
of the question's own topic, `core.<topic>.formulas`, and name core.course's numbers, so prose,
calculators and quizzes share one source. Student text never comes here: it goes to
`quizzes.checking`, which alone reads it.

Variant 0 of a question uses every parameter's default (the course's numbers); variant s > 0
draws each parameter from its range with a generator seeded by (question id, s). A variant can
also be given its numbers (`given`, from `given_values`: a calculator's setup that a lecture asks
the class): each is exact decimal text, checked to give the question an answer that no known
wrong answer equals; the parameters not given keep their defaults. Either way a variant is
rebuilt from (question id, seed, given) alone, so any server can rebuild what another asked.
A question whose wording admits two readings (the course's own, often) lists the other reading's
answer under `readings`: it is accepted, with a message that says which reading it answers.
"""

from __future__ import annotations

import importlib
import inspect
import random
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

import sympy as sp

from core import conv, course
from core.numbers import Count, decimal_text, exact, fmt
from quizzes import checking, slips

BANK_DIR = Path(__file__).parent / "bank"
KINDS = ("number", "integer", "expression", "shape", "choice")
TOPICS = {
    "skip_connections": "Skip connections",
    "separable_convolutions": "Separable convolutions",
    "transfer_learning": "Transfer learning",
}
VARIANT_TRIES = 40  # draws per seed before a variant whose answer collides with a distractor wins
SHORT_SLIP = 12  # a distractor's first clause shorter than this is named with the next one too

_EXERCISE = re.compile(r"exercise (\d+)([a-z]?)")  # a source such as "exercise 3b"
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*(?::([^}]*))?\}\}")


@cache
def _formula_names(topic: str) -> dict:
    """What a topic's questions may name: core.conv's and the topic's formulas, core.course."""
    found: dict = {k: v for k, v in vars(course).items() if k.isupper()}
    for module in (conv, importlib.import_module(f"core.{topic}.formulas")):
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == module.__name__ and name[0] != "_":
                found[name] = fn
    return found


class BankError(ValueError):
    """A malformed question: the app refuses to start with one."""


Given = tuple[tuple[str, str], ...]  # a variant's own numbers: (parameter, exact decimal), sorted


@dataclass(frozen=True)
class Parameter:
    """A number a variant may change: a default plus either choices or a stepped range."""

    name: str
    default: sp.Expr
    choices: tuple[sp.Expr, ...] = ()
    low: sp.Expr | None = None
    high: sp.Expr | None = None
    step: sp.Expr | None = None

    def draw(self, rng: random.Random) -> sp.Expr:
        """One value from the choices or the stepped range."""
        if self.choices:
            return rng.choice(self.choices)
        count = int((self.high - self.low) / self.step)
        return self.low + self.step * rng.randint(0, count)


@dataclass(frozen=True)
class Distractor:
    """A known wrong answer, the message it earns, and when it applies (None: always)."""

    expected: str
    message: str
    when: str | None = None


@dataclass(frozen=True)
class Question:
    """One question as written in the bank."""

    id: str
    topic: str
    title: str
    kind: str
    prompt: str
    expected: str
    source: str = ""  # where the course asks it: "Q1", "checkpoint", "exercise 2"; "" if not
    variables: tuple[str, ...] = ()
    rel_tol: float = checking.REL_TOL
    options: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    solution: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    distractors: tuple[Distractor, ...] = ()
    readings: tuple[Distractor, ...] = ()  # other readings' answers: right, with their message

    @property
    def randomised(self) -> bool:
        """Whether new variants can differ from the course's numbers."""
        return bool(self.parameters)

    @property
    def course_question(self) -> bool:
        """Whether this is one of the course's end-of-topic questions (Q1, Q2)."""
        return self.source.startswith("Q")


@dataclass(frozen=True)
class Variant:
    """A question with its numbers chosen, its answer computed and its text filled in."""

    question: Question
    seed: int
    params: dict = field(hash=False)
    expected: object = field(hash=False)
    prompt: str = ""
    hints: tuple[str, ...] = ()
    solution: tuple[str, ...] = ()
    distractors: tuple[tuple[object, str], ...] = field(default=(), hash=False)
    options: tuple[str, ...] = ()  # a choice question's options, shuffled per variant
    slips: tuple[tuple[object, str], ...] = field(default=(), hash=False)  # tried last
    readings: tuple[tuple[object, str], ...] = field(default=(), hash=False)  # also right
    given: Given = ()  # the numbers it was given instead of a seed's (seed is then 0)

    def check(self, text: str, session: str | None = None) -> checking.Verdict:
        """Check a student's answer (text for typed kinds, the option's text for choice).

        `session` names the student, so one student's slow answers cannot hold up the others.
        """
        q = self.question
        if q.kind == "choice":
            return _check_choice(self, text)
        verdict = checking.check_answer(
            text,
            self.expected,
            variables=q.variables,
            rel_tol=q.rel_tol,
            distractors=self.readings + self.distractors + self.slips,
            session=session,
        )
        if verdict.distractor is None:
            return verdict
        if verdict.distractor < len(self.readings):
            return replace(verdict, correct=True, distractor=None)  # another reading's answer
        shifted = verdict.distractor - len(self.readings)  # an index into distractors + slips
        return replace(verdict, distractor=shifted)

    def answer_text(self) -> str:
        """The expected answer as Markdown: an option, a formula, a shape or a number."""
        kind, value = self.question.kind, self.expected
        if kind == "choice":
            return value
        if kind == "expression" or (kind == "number" and not decimal_text(value)):
            approx = "" if kind == "expression" else rf" \approx {fmt(value)}"
            return f"${sp.latex(value)}{approx}$"
        return fmt(value, ",")

    def interpret(self, text: str) -> checking.Interpretation:
        """What the checker understands the text as, without judging it."""
        return checking.interpret(text, variables=self.question.variables, expected=self.expected)

    def slip(self, verdict: checking.Verdict) -> str | None:
        """A short name for the known wrong answer a verdict matched (authored or a slip); None.

        An authored distractor is named by its message's first clause ("One layer short"), an
        automatic slip by what it did ("One factor of $\\delta$ too few").
        """
        index = verdict.distractor
        if verdict.correct or index is None:
            return None
        if index >= len(self.distractors):
            what = self.slips[index - len(self.distractors)][1]
            what = what.removeprefix(slips.LEAD).removesuffix(".")
            return what[:1].upper() + what[1:]
        return _first_clause(self.distractors[index][1])

    def setup(self) -> str:
        """Its given numbers as text ("δ = 0.85, τ = 0.01"); empty for a seeded variant."""
        return ", ".join(f"{sp.pretty(sp.Symbol(name))} = {text}" for name, text in self.given)


def _check_choice(variant: Variant, chosen: str | None) -> checking.Verdict:
    if not chosen or chosen not in variant.options:
        return checking.Verdict(False, "Pick one of the options first.", None)
    if chosen == variant.expected:
        return checking.Verdict(True, "Correct.", None)
    for index, (wrong, message) in enumerate(variant.distractors):
        if chosen == wrong:
            return checking.Verdict(False, message, None, index)
    return checking.Verdict(False, "Not this one; read the options again.", None)


def _first_clause(message: str) -> str:
    """A message up to its first ': ', '; ' or '. ' outside $...$ (two clauses if very short)."""
    maths, cuts = False, []
    for i, character in enumerate(message):
        maths ^= character == "$"
        if not maths and message[i : i + 2] in (": ", "; ", ". "):
            cuts.append(i)
    ends = [*cuts, len(message.rstrip("."))]
    head = message[: ends[0]]
    return message[: ends[1]] if len(head) < SHORT_SLIP and len(ends) > 1 else head


def evaluate(text: str, names: dict, topic: str) -> object:
    """Evaluate trusted bank text of a topic over the given names; tuples come back as tuples."""
    value = checking.evaluate_trusted(text, {**_formula_names(topic), **names})
    if isinstance(value, sp.Tuple | tuple | list):
        return tuple(sp.nsimplify(v) if isinstance(v, float) else v for v in value)
    if isinstance(value, int) and not isinstance(value, bool):  # a count from plain Python
        return sp.Integer(value)
    if isinstance(value, str):  # core.course writes exact decimals as text: "0.1"
        return exact(value)
    return value


def fill(template: str, names: dict) -> str:
    """Replace each {{name}} or {{name:spec}} in a template by its formatted value."""

    def sub(match: re.Match) -> str:
        name, spec = match.group(1), (match.group(2) or "").strip()
        if name not in names:
            raise BankError(f"template uses unknown name {{{{{name}}}}}")
        return fmt(names[name], spec)

    return _TEMPLATE.sub(sub, template)


def make_variant(question: Question, seed: int = 0, given: Given = ()) -> Variant:
    """The question with seeded numbers (seed 0: the defaults) or given ones, answer and text."""
    if given:
        params = {p.name: p.default for p in question.parameters}
        params |= {name: exact(text) for name, text in given}
        variant = _build(question, 0, params)
        return replace(variant, slips=_slips(variant), given=given)
    rng = random.Random(f"{question.id}:{seed}")
    for attempt in range(VARIANT_TRIES):
        params = {p.name: (p.default if seed == 0 else p.draw(rng)) for p in question.parameters}
        variant = _build(question, seed, params)
        if seed == 0 or not _collides(variant) or attempt == VARIANT_TRIES - 1:
            return replace(variant, slips=_slips(variant))
    raise AssertionError("unreachable")


def _slips(variant: Variant) -> tuple[tuple[object, str], ...]:
    """The slips of the expected formula at this variant's numbers that are not already known."""
    q = variant.question
    if q.kind in ("choice", "shape"):
        return ()
    symbols = {name: sp.Symbol(name) for name in (*variant.params, *q.variables)}
    try:
        values = {name: evaluate(text, symbols, q.topic) for name, text in q.values}
        formula = evaluate(q.expected, {**symbols, **values}, q.topic)
    except Exception:  # a formula that needs numbers (a search, a comparison) has no slips
        return ()
    if not isinstance(formula, sp.Expr) or not formula.free_symbols:
        return ()
    values = {symbols[name]: value for name, value in variant.params.items()}
    known = (variant.expected, *(value for value, _ in variant.distractors + variant.readings))
    return tuple(
        (value, message)
        for value, message in slips.slips(formula, values)
        if not any(_same(value, other, q) for other in known)
    )


def _same(a: object, b: object, q: Question) -> bool:
    """Whether two trusted values agree under the checker's rules (a busy checker says yes)."""
    try:
        return checking.equivalent(a, b, variables=q.variables, rel_tol=q.rel_tol)
    except (checking.CheckerBusy, checking.WorkerError, TimeoutError):
        return True


def _build(question: Question, seed: int, params: dict) -> Variant:
    symbols = {v: sp.Symbol(v) for v in question.variables}
    names = {**params, **symbols}
    topic, choice = question.topic, question.kind == "choice"
    values = {name: evaluate(text, names, topic) for name, text in question.values}
    names |= values  # the answer may use a value (a course number that no variant changes)
    context = {**params, **values}

    def answer(text: str) -> object:  # a choice is an option's text, filled in like the prompt
        return fill(text, context) if choice else evaluate(text, names, topic)

    expected = answer(question.expected)
    context["answer"] = expected
    distractors, readings = (
        tuple(
            (answer(d.expected), fill(d.message, context))
            for d in listed
            if d.when is None or bool(evaluate(d.when, names, topic))
        )
        for listed in (question.distractors, question.readings)
    )
    options = [fill(option, context) for option in question.options]
    random.Random(f"{question.id}:{seed}:options").shuffle(options)  # no "first is right" tell
    return Variant(
        question=question,
        seed=seed,
        params=params,
        expected=expected,
        prompt=fill(question.prompt, context),
        hints=tuple(fill(h, context) for h in question.hints),
        solution=tuple(fill(s, context) for s in question.solution),
        distractors=distractors,
        options=tuple(options),
        readings=readings,
    )


def _collides(variant: Variant) -> bool:
    """Whether a distractor equals the answer for these numbers (so it can't be told apart)."""
    q = variant.question
    if q.kind == "choice":
        return False
    # a busy checker counts as a collision: new numbers are drawn, and the last try is kept
    known = variant.distractors + variant.readings
    return any(_same(value, variant.expected, q) for value, _ in known)


def _course_value(default: object) -> sp.Expr:
    """A parameter's default: a number, or SymPy text over core.course's names (its own numbers)."""
    if isinstance(default, str):
        names = {k: v for k, v in vars(course).items() if k.isupper()}
        return exact(str(checking.evaluate_trusted(default, names)))
    return exact(str(default))


def _parameter(name: str, spec: object, where: str) -> Parameter:
    if not isinstance(spec, dict) or "default" not in spec:
        raise BankError(f"{where}: parameter {name!r} needs a table with a default")
    try:
        default = _course_value(spec["default"])
    except Exception as error:  # our own text failed: say where, loudly
        raise BankError(f"{where}: the default of {name!r} cannot be read: {error}") from error
    if "choices" in spec:
        choices = tuple(exact(str(c)) for c in spec["choices"])
        if default not in choices:
            raise BankError(f"{where}: default of {name!r} is not among its choices")
        return Parameter(name, default, choices=choices)
    try:
        low, high, step = (exact(str(spec[k])) for k in ("min", "max", "step"))
    except KeyError as missing:
        raise BankError(f"{where}: parameter {name!r} needs choices or min, max and step") from (
            missing
        )
    if not (step > 0 and low <= default <= high):
        raise BankError(f"{where}: parameter {name!r} has a bad range")
    return Parameter(name, default, low=low, high=high, step=step)


def _distractor(raw: object, where: str) -> Distractor:
    if not isinstance(raw, dict) or not {"expected", "message"} <= set(raw) <= {
        "expected",
        "message",
        "when",
    }:
        raise BankError(f"{where}: a distractor has expected, message and optionally when")
    return Distractor(raw["expected"], raw["message"], raw.get("when"))


def _question(raw: dict, topic: str, where: str, build: bool = True) -> Question:
    required = ("id", "topic", "title", "kind", "prompt", "expected")
    missing = [k for k in required if not isinstance(raw.get(k), str) or not raw.get(k).strip()]
    if missing:
        raise BankError(f"{where}: missing or empty {', '.join(missing)}")
    where = f"{where} ({raw['id']})"
    if raw["topic"] != topic:
        raise BankError(f"{where}: topic {raw['topic']!r} does not match its file {topic!r}")
    if raw["kind"] not in KINDS:
        raise BankError(f"{where}: kind must be one of {', '.join(KINDS)}")
    allowed = {
        "id", "topic", "title", "kind", "prompt", "expected", "source", "variables", "rel_tol",
        "options", "hints", "solution", "parameters", "values", "distractors", "readings",
    }  # fmt: skip
    unknown = set(raw) - allowed
    if unknown:
        raise BankError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    question = Question(
        id=raw["id"],
        topic=topic,
        title=raw["title"],
        kind=raw["kind"],
        prompt=raw["prompt"],
        expected=raw["expected"],
        source=raw.get("source", ""),
        variables=tuple(raw.get("variables", ())),
        rel_tol=float(raw.get("rel_tol", checking.REL_TOL)),
        options=tuple(raw.get("options", ())),
        hints=tuple(raw.get("hints", ())),
        solution=tuple(raw.get("solution", ())),
        parameters=tuple(
            _parameter(name, spec, where) for name, spec in raw.get("parameters", {}).items()
        ),
        values=tuple(raw.get("values", {}).items()),
        distractors=tuple(_distractor(d, where) for d in raw.get("distractors", ())),
        readings=tuple(_distractor(d, where) for d in raw.get("readings", ())),
    )
    _validate(question, where, build)
    return question


def _validate(q: Question, where: str, build: bool = True) -> None:
    if not q.hints or not q.solution:
        raise BankError(f"{where}: every question needs hints and solution steps")
    if q.kind == "choice":
        if q.expected not in q.options or len(q.options) < 2:
            raise BankError(f"{where}: a choice question's expected must be one of its options")
        if any(d.expected not in q.options for d in q.distractors):
            raise BankError(f"{where}: a choice distractor must be one of the options")
    if q.readings and q.kind == "choice":
        raise BankError(f"{where}: a choice question has one right option, not other readings")
    if q.kind == "expression" and not q.variables:
        raise BankError(f"{where}: an expression question needs variables")
    names = {p.name for p in q.parameters} | set(q.variables)
    if len(names) != len(q.parameters) + len(q.variables):
        raise BankError(f"{where}: a name is both a parameter and a variable")
    if not build:
        return
    try:
        variant = make_variant(q, 0)
    except BankError as error:
        raise BankError(f"{where}: {error}") from error
    except Exception as error:  # the bank's own SymPy text failed: say where, loudly
        raise BankError(f"{where}: cannot evaluate its answer or values: {error}") from error
    _validate_answer(variant, where)


def _validate_answer(variant: Variant, where: str) -> None:
    q, expected = variant.question, variant.expected
    if q.kind == "integer" and not (isinstance(expected, sp.Basic) and expected.is_Integer):
        raise BankError(f"{where}: an integer question's answer is {expected}")
    if q.kind == "shape" and not isinstance(expected, tuple):
        raise BankError(f"{where}: a shape question's answer must be a tuple")
    if q.kind in ("number", "integer") and not (
        isinstance(expected, sp.Basic) and expected.is_number
    ):
        raise BankError(f"{where}: a {q.kind} question's answer must be a number")
    if q.kind == "expression":
        unknown = {str(s) for s in expected.free_symbols} - set(q.variables)
        if unknown:
            raise BankError(f"{where}: the answer uses undeclared names {sorted(unknown)}")
    if _collides(variant):
        raise BankError(
            f"{where}: a distractor equals the answer for the course's numbers "
            "(or another reading's answer does)"
        )


def load_bank(directory: Path = BANK_DIR, build: bool = True) -> dict[str, Question]:
    """Every question in the bank, validated, by id in file then bank order.

    With `build`, each question's course-number variant is also built and checked (its answer,
    values, distractors and slips evaluate; no distractor equals the answer): about 4 s of SymPy
    and checker-worker time for the whole bank, which `make test` pays, not a waking server.
    """
    questions: dict[str, Question] = {}
    for path in sorted(directory.glob("*.toml")):
        topic = path.stem
        if topic not in TOPICS:
            raise BankError(f"{path.name}: unknown topic; add it to quizzes.bank.TOPICS")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise BankError(f"{path.name}: {error}") from error
        for i, entry in enumerate(raw.get("question", ())):
            question = _question(entry, topic, f"{path.name} question {i + 1}", build)
            if question.id in questions:
                raise BankError(f"{path.name}: duplicate id {question.id!r}")
            questions[question.id] = question
    return questions


@cache
def bank() -> dict[str, Question]:
    """The shipped bank, loaded once per process; each variant is built when a page asks for it.

    The full build (`load_bank()`) runs in the test suite (tests/quizzes/test_bank.py), so a
    server's start-up, and a sleeping Cloud app waking, doesn't wait about 4 s for it.
    """
    return load_bank(build=False)


def by_topic(topic: str) -> list[Question]:
    """The questions of one topic, in bank order."""
    return [q for q in bank().values() if q.topic == topic]


def exercises() -> dict[int, list[Question]]:
    """The course's exercises by number, each with its questions in the order of their parts."""
    found: dict[int, list[tuple[str, Question]]] = {}
    for q in bank().values():
        part = _EXERCISE.fullmatch(q.source)
        if part:
            found.setdefault(int(part[1]), []).append((part[2], q))
    return {
        n: [q for _, q in sorted(parts, key=lambda p: p[0])] for n, parts in sorted(found.items())
    }


def topics_with_questions() -> list[str]:
    """The topics that have questions, in TOPICS order."""
    return [t for t in TOPICS if by_topic(t)]


def pool(topics) -> list[str]:
    """The ids of every question of the given topics, topic by topic in bank order."""
    return [q.id for t in topics for q in by_topic(t)]


@dataclass(frozen=True)
class Sizes:
    """How much the bank holds, as the home page states it."""

    questions: Count  # over every topic
    exercises: Count  # the course's exercises


def sizes() -> Sizes:
    """The bank's questions over every topic, and the number of the course's exercises."""
    return Sizes(Count(len(pool(TOPICS))), Count(len(exercises())))


@lru_cache(maxsize=4096)  # bounded: every "New numbers" click on a public server adds a seed
def variant(question_id: str, seed: int = 0, given: Given = ()) -> Variant:
    """A cached variant of a shipped question: seeded, or on numbers from `given_values`."""
    return make_variant(bank()[question_id], seed, given)


def given_values(question_id: str, values: dict[str, object]) -> Given:
    """Numbers for a variant (a calculator's setup), checked; BankError says why they can't be.

    Each value is a number (an int, a float as displayed, a decimal string or a SymPy number);
    the names must be the question's parameters. The variant they make must have an answer of
    its kind that no known wrong answer equals, else its class could not be told apart.
    """
    question = bank().get(question_id)
    if question is None:
        raise BankError(f"There is no question {question_id!r} in the bank.")
    names = {p.name for p in question.parameters}
    unknown = sorted(set(values) - names)
    if unknown:
        raise BankError(f"This question has no number called {unknown[0]!r}.")
    try:
        numbers = {name: exact(value) for name, value in values.items()}
    except (TypeError, ValueError):
        raise BankError("Each value must be a plain number.") from None
    if not all(n.is_Rational for n in numbers.values()):
        raise BankError("Each value must be a plain number.")
    given = tuple(sorted((name, decimal_text(n, 30) or str(n)) for name, n in numbers.items()))
    no_answer = BankError("These numbers don't give this question an answer.")
    try:
        built = variant(question_id, 0, given)
    except Exception:  # the formula has no answer here (a threshold of 1, a depth of 0...)
        raise no_answer from None
    try:
        _validate_answer(built, question_id)
    except BankError:
        if _collides(built):
            raise BankError(
                "At these numbers a known wrong answer equals the right one; change a number."
            ) from None
        raise no_answer from None
    return given


def practice_preset(question_id: str | None, seed: str | None) -> tuple[str, int] | None:
    """Validate a shared link's ?question=...&seed=... (untrusted strings); None if unusable."""
    if question_id not in bank():
        return None
    if seed is None:
        return question_id, 0
    if not (seed.isascii() and seed.isdigit() and len(seed) <= 6):
        return None
    return question_id, int(seed)
