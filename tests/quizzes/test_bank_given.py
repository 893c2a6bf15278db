"""quizzes.bank: variants on given numbers (a calculator's setup) and the names of slips."""

from fractions import Fraction

import pytest

from quizzes import bank, checking


def fewest_layers(delta: Fraction, tau: Fraction) -> int:
    """Brute force: the fewest factors delta whose product is at or below tau."""
    k, product = 0, Fraction(1)
    while product > tau:
        k, product = k + 1, product * delta
    return k


@pytest.fixture(scope="module", autouse=True)
def warm():
    checking.warm_up()


@pytest.mark.parametrize(("delta", "tau"), [(0.85, 0.01), (0.5, 0.001), (0.99, 0.05)])
def test_given_numbers_make_a_variant_whose_answer_is_the_brute_force_one(delta, tau):
    given = bank.given_values("vg-depth-threshold", {"delta": delta, "tau": tau})
    variant = bank.variant("vg-depth-threshold", 0, given)
    assert variant.expected == fewest_layers(Fraction(str(delta)), Fraction(str(tau)))
    assert f"\\delta = {delta}" in variant.prompt


def test_given_numbers_are_exact_decimal_text_that_rebuilds_the_same_variant():
    given = bank.given_values("vg-depth-threshold", {"tau": "0.01", "delta": 0.85})
    assert given == (("delta", "0.85"), ("tau", "0.01"))
    again = bank.make_variant(bank.bank()["vg-depth-threshold"], 0, given)
    assert again.expected == bank.variant("vg-depth-threshold", 0, given).expected


def test_a_number_not_given_keeps_the_course_default():
    given = bank.given_values("vg-depth-threshold", {"delta": 0.85})
    variant = bank.variant("vg-depth-threshold", 0, given)
    assert variant.params["tau"] == bank.variant("vg-depth-threshold", 0).params["tau"]


def test_a_seeded_variant_is_the_same_with_or_without_the_new_route():
    question = bank.bank()["vg-depth-threshold"]
    for seed in (0, 3, 17):
        assert bank.variant(question.id, seed).params == bank.make_variant(question, seed).params
        assert bank.variant(question.id, seed).given == ()


def test_given_numbers_are_shown_with_their_symbols():
    given = bank.given_values("vg-depth-threshold", {"delta": 0.85, "tau": 0.01})
    assert bank.variant("vg-depth-threshold", 0, given).setup() == "δ = 0.85, τ = 0.01"


@pytest.mark.parametrize(
    ("question", "values", "says"),
    [
        ("vg-depth-threshold", {"delta": 1}, "don't give this question an answer"),
        ("vg-depth-threshold", {"delta": 0}, "don't give this question an answer"),
        ("vg-depth-threshold", {"depth": 3}, "no number called 'depth'"),
        ("vg-depth-threshold", {"delta": "0.8; import os"}, "plain number"),
        ("vg-depth-threshold", {"delta": float("nan")}, "plain number"),
        ("no-such-question", {}, "no question"),
        ("sep-ratio-value", {"D_K": 1}, "known wrong answer equals the right one"),
    ],
)
def test_numbers_that_cannot_make_a_fair_question_are_refused_with_a_reason(question, values, says):
    with pytest.raises(bank.BankError, match=says):
        bank.given_values(question, values)


def test_an_authored_distractor_is_named_by_its_first_clause():
    variant = bank.variant("vg-depth-threshold", 0)
    short = variant.expected - 1
    assert variant.slip(variant.check(str(short))) == "One layer short"


def test_an_automatic_slip_is_named_by_what_went_wrong():
    variant = bank.variant("vg-plain-six-layers", 0)
    layers, delta = variant.params["L"], variant.params["delta"]
    verdict = variant.check(f"({delta})^{layers - 2}")
    assert variant.slip(verdict) == "One factor of $\\delta$ too few"


def test_a_right_or_unmatched_answer_names_no_slip():
    variant = bank.variant("vg-depth-threshold", 0)
    assert variant.slip(variant.check(str(variant.expected))) is None
    assert variant.slip(variant.check(str(variant.expected + 7))) is None


def test_a_wrong_option_of_a_choice_question_is_named_too():
    question = next(
        q for q in bank.bank().values() if q.kind == "choice" and q.distractors and not q.parameters
    )
    variant = bank.variant(question.id, 0)
    wrong, message = variant.distractors[0]
    assert variant.slip(variant.check(wrong)) and variant.slip(variant.check(wrong)) in message


def test_a_very_short_first_clause_takes_the_next_one_too():
    assert bank._first_clause("Almost: one more layer. Try again.") == "Almost: one more layer"
    assert bank._first_clause("That is $a: b$, not c; see") == "That is $a: b$, not c"


def test_a_question_with_another_reading_still_names_the_slip_its_distractor_describes():
    variant = bank.variant("tl-lr-checkpoint", 0)
    head, decay = (dict(variant.params)[name] for name in ("head", "decay"))
    verdict = variant.check(f"{head} * {decay}")  # the group next to the head: d = 1
    assert not verdict.correct
    assert variant.slip(verdict) == "That is the group next to the head ($d = 1$)"
