"""The question bank: every question tests itself over many seeded variants."""

import math
import textwrap
import tomllib

import pytest
import sympy as sp

from quizzes import bank
from ui import quiz

QUESTIONS = list(bank.bank().values())
SEEDS = range(20)


def typed(value) -> str:
    """How a careful student would type a trusted value."""
    if isinstance(value, tuple):
        return "(" + ", ".join(typed(v) for v in value) + ")"
    return str(value)


VARIANTS = [pytest.param(q.id, s, id=f"{q.id}-{s}") for q in QUESTIONS for s in SEEDS]


def test_the_bank_covers_both_topics_so_far():
    topics = {q.topic for q in QUESTIONS}
    assert {"skip_connections", "separable_convolutions"} <= topics


@pytest.mark.parametrize("qid, seed", VARIANTS)
def test_the_reference_answer_is_accepted(qid, seed):
    v = bank.variant(qid, seed)
    answer = v.expected if v.question.kind == "choice" else typed(v.expected)
    verdict = v.check(answer)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("qid, seed", VARIANTS)
def test_each_distractor_is_rejected_with_its_own_message(qid, seed):
    v = bank.variant(qid, seed)
    for wrong, message in v.distractors:
        answer = wrong if v.question.kind == "choice" else typed(wrong)
        verdict = v.check(answer)
        assert not verdict.correct
        assert verdict.message == message


@pytest.mark.parametrize("qid, seed", VARIANTS)
def test_prompt_hints_and_solution_render_without_leftover_fields(qid, seed):
    v = bank.variant(qid, seed)
    for text in (v.prompt, *v.hints, *v.solution):
        assert text.strip() and "{{" not in text and "}}" not in text.replace("}}}", "")


def test_variant_zero_uses_the_course_numbers():
    v = bank.variant("vg-depth-threshold", 0)
    assert v.params == {"delta": sp.Rational(9, 10), "tau": sp.Rational(1, 100)}
    assert v.expected == math.ceil(math.log(0.01) / math.log(0.9))


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.randomised], ids=lambda q: q.id)
def test_randomised_questions_really_vary(q):
    assert len({tuple(bank.variant(q.id, s).params.values()) for s in SEEDS}) > 1


@pytest.mark.parametrize(
    "qid, seed, expected",
    [
        ("sep-standard-params", 0, 3 * 3 * 128 * 256),
        ("sep-ratio-value", 0, 1 / 64 + 1 / 9),
        ("vg-plain-six-layers", 0, 0.7**5),
    ],
)
def test_course_answers_match_a_hand_calculation(qid, seed, expected):
    assert math.isclose(float(bank.variant(qid, seed).expected), expected, rel_tol=1e-12)


def test_practice_preset_accepts_a_known_question_and_a_small_seed():
    assert bank.practice_preset("vg-depth-threshold", "17") == ("vg-depth-threshold", 17)
    assert bank.practice_preset("vg-depth-threshold", None) == ("vg-depth-threshold", 0)


@pytest.mark.parametrize(
    "qid, seed",
    [("nope", "1"), (None, None), ("vg-depth-threshold", "-1"), ("vg-depth-threshold", "1e9"),
     ("vg-depth-threshold", "٣"), ("vg-depth-threshold", "9" * 50)],
)  # fmt: skip
def test_practice_preset_refuses_anything_else(qid, seed):
    assert bank.practice_preset(qid, seed) is None


GOOD = """
[[question]]
id = "t-one"
topic = "skip_connections"
title = "t"
kind = "integer"
prompt = "What is {{a}} + 1?"
expected = "a + 1"
hints = ["add one"]
solution = ["{{a}} + 1 = {{answer}}"]
[question.parameters]
a = { default = 2, min = 1, max = 9, step = 1 }
"""


def write_bank(tmp_path, text):
    (tmp_path / "skip_connections.toml").write_text(textwrap.dedent(text))
    return tmp_path


def test_a_well_formed_question_loads(tmp_path):
    loaded = bank.load_bank(write_bank(tmp_path, GOOD))
    assert bank.make_variant(loaded["t-one"], 0).solution == ("2 + 1 = 3",)


@pytest.mark.parametrize(
    "change, fragment",
    [
        (('kind = "integer"', 'kind = "essay"'), "kind must be one of"),
        (('title = "t"\n', ""), "missing or empty title"),
        (('expected = "a + 1"', 'expected = "a +"'), "cannot evaluate"),
        (('expected = "a + 1"', 'expected = "a / 3"'), "integer question's answer"),
        (("{{a}} + 1 = {{answer}}", "{{b}}"), "unknown name"),
        (("default = 2", "default = 20"), "bad range"),
        (('hints = ["add one"]', "hints = []"), "needs hints"),
        (('topic = "skip_connections"', 'topic = "other"'), "does not match"),
        (('title = "t"', 'title = "t"\ncolour = "red"'), "unknown fields"),
        (
            ('[question.parameters]', '[[question.distractors]]\nexpected = "1 + a"\n'
             'message = "m"\n[question.parameters]'),
            "distractor equals the answer",
        ),
    ],
)  # fmt: skip
def test_a_malformed_question_fails_loudly(tmp_path, change, fragment):
    with pytest.raises(bank.BankError, match=fragment):
        bank.load_bank(write_bank(tmp_path, GOOD.replace(*change)))


def test_the_full_build_keeps_every_question_written_in_the_bank_files():
    written = [
        entry["id"]
        for path in sorted(bank.BANK_DIR.glob("*.toml"))
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["question"]
    ]
    built = bank.load_bank()  # the full build the server skips at start-up
    assert written and list(built) == written


def test_a_server_start_loads_the_bank_without_building_a_variant(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a variant was built while loading")

    monkeypatch.setattr(bank, "make_variant", refuse)
    assert list(bank.load_bank(write_bank(tmp_path, GOOD), build=False)) == ["t-one"]
    with pytest.raises(bank.BankError, match="built while loading"):
        bank.load_bank(write_bank(tmp_path, GOOD))  # the full build does build one


def test_a_duplicate_id_fails_loudly(tmp_path):
    with pytest.raises(bank.BankError, match="duplicate id"):
        bank.load_bank(write_bank(tmp_path, GOOD + GOOD))


def test_a_file_that_is_not_toml_fails_loudly(tmp_path):
    with pytest.raises(bank.BankError, match="skip_connections.toml"):
        bank.load_bank(write_bank(tmp_path, "[[question]\nid = "))


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.kind == "choice"], ids=lambda q: q.id)
def test_choice_options_are_shuffled_so_the_right_one_moves(q):
    variants = [bank.variant(q.id, s) for s in SEEDS]
    assert len({v.options.index(v.expected) for v in variants}) > 1
    assert all(len(set(v.options)) == len(q.options) for v in variants)


TYPED = [p for p in VARIANTS if bank.bank()[p.values[0]].kind != "choice"]


@pytest.mark.parametrize("qid, seed", TYPED)
def test_no_answer_box_example_is_the_answer(qid, seed):
    v = bank.variant(qid, seed)
    for example in quiz.EXAMPLES[v.question.kind]:
        readable = v.interpret(example).ok or v.question.kind == "expression"  # other names
        assert readable, f"the example {example!r} is not even readable"
        assert not v.check(example).correct, f"the example {example!r} answers {qid}"


@pytest.mark.parametrize("qid, seed", VARIANTS)
def test_every_slip_is_wrong_and_named(qid, seed):
    v = bank.variant(qid, seed)
    messages = {m for _, m in (*v.distractors, *v.slips)}
    for wrong, _ in v.slips:
        verdict = v.check(typed(wrong))
        assert not verdict.correct and verdict.message in messages, (typed(wrong), verdict)


@pytest.mark.parametrize(
    "qid, answer, slip",
    [
        ("vg-plain-six-layers", "0.7^4", "one factor of $\\delta$ too few"),
        ("sep-ratio-value", "1/9", "the term $\\frac{1}{N}$ left out"),
        ("sep-standard-params", "128*256", "$D_{K}^{2}$ left out"),
        ("vg-plain-six-layers", "16.807", "in percent but without the % sign"),
    ],
)
def test_a_slip_no_one_authored_is_named(qid, answer, slip):
    verdict = bank.variant(qid, 0).check(answer)
    assert not verdict.correct and slip in verdict.message


CHOICES = [
    pytest.param(q.id, s, id=f"{q.id}-{s}") for q in QUESTIONS if q.kind == "choice" for s in SEEDS
]


@pytest.mark.parametrize("qid, seed", CHOICES)
def test_no_choice_question_gives_its_answer_away_by_being_the_longest_option(qid, seed):
    variant = bank.variant(qid, seed)
    others = [len(o) for o in variant.options if o != variant.expected]
    assert len(variant.expected) <= max(others), variant.expected


def test_the_banks_sizes_count_every_question_and_exercise():
    sizes = bank.sizes()
    assert sizes.questions.value == len(bank.bank()) == len(bank.pool(bank.TOPICS))
    assert sizes.exercises.value == len(
        {q.source.split()[1][0] for q in bank.bank().values() if q.source.startswith("exercise")}
    )
