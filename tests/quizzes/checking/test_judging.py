"""Judging (quizzes/checking/judging.py): the precision policy, sampling, tuples and messages."""

import pytest
import sympy as sp

from quizzes.checking import check_answer, judging, trusted
from quizzes.checking.reading import parse

RATIO = "73/576"  # 0.12674..., which the course writes as 0.127 and 12.7%
CLOSE = "Close: give at least 3 significant figures."
N = ("N",)


@pytest.mark.parametrize("text", ["0.127", "12.7%", "1.27e-1", "0.1267", "12.67 %", "≈ 0.127"])
def test_an_answer_rounded_as_the_course_rounds_is_correct(text):
    verdict = check_answer(text, RATIO)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("text", ["0.13", "13%", "1.3e-1", "0.1"])
def test_an_answer_rounded_to_too_few_figures_asks_for_more(text):
    verdict = check_answer(text, RATIO)
    assert not verdict.correct
    assert verdict.message == CLOSE
    assert verdict.interpreted


@pytest.mark.parametrize("text", ["0.128", "12.6%", "0.12", "0.1266"])
def test_an_answer_that_does_not_round_to_the_value_is_wrong(text):
    verdict = check_answer(text, RATIO)
    assert not verdict.correct
    assert "Not quite" in verdict.message


def test_an_expression_is_judged_by_its_value_not_by_rounding():
    assert not check_answer("0.1 + 0.027", RATIO).correct


def test_rounding_carries_into_the_next_power_of_ten():
    assert check_answer("0.100", "0.09996").correct
    assert not check_answer("0.100", "0.0999").correct


def test_rounding_applies_to_negative_and_large_values():
    assert check_answer("-0.127", "-73/576").correct
    assert check_answer("1.27e5", "126736.1").correct


def test_trailing_zeros_of_a_whole_number_are_not_significant():
    assert check_answer("1200", "1234.5").message == CLOSE
    assert check_answer("1230", "1234.5").correct


def test_a_smaller_rel_tol_asks_for_more_figures():
    assert check_answer("0.127", RATIO, rel_tol=1e-5).message == (
        "Close: give at least 5 significant figures."
    )
    assert check_answer("0.12674", RATIO, rel_tol=1e-5).correct


def test_no_rounding_is_accepted_when_rel_tol_is_zero():
    assert "not within 0%" in check_answer("0.127", RATIO, rel_tol=0).message


def test_an_integer_answer_stays_exact_whatever_the_figures():
    assert check_answer("1.21e6", 1206080).message.startswith("Not quite: you gave 1210000")


def test_each_entry_of_a_shape_follows_the_precision_policy():
    assert check_answer("(0.127, 12.7%)", (RATIO, RATIO)).correct
    assert check_answer("(0.127, 0.13)", (RATIO, RATIO)).message == (
        "Not quite: entry 2 of 2 is wrong."
    )


@pytest.mark.parametrize(
    ("rel_tol", "figures"), [(1e-3, 3), (1e-2, 3), (0.05, 3), (1e-4, 4), (2e-5, 5), (0, None)]
)
def test_the_figures_needed_follow_rel_tol(rel_tol, figures):
    assert judging.figures_needed(rel_tol) == figures


CASES = [
    pytest.param("(N+9)/9N", "(N + 9)/(9*N)", N, id="right"),
    pytest.param("(N+1)/N", "(N + 9)/(9*N)", N, id="wrong"),
    pytest.param("0.1111 + 1/N", "(N + 9)/(9*N)", N, id="within tolerance"),
    pytest.param("(N, N/2)", ("N", "N/2"), N, id="a shape"),
    pytest.param("0.13", RATIO, (), id="too few figures"),
    pytest.param("max(N, 3)^2", "N**2", N, id="a max"),
    pytest.param("2N", "N + 1", N, id="a distractor"),
]


@pytest.mark.parametrize(("text", "expected", "variables"), CASES)
def test_the_in_process_judge_agrees_with_the_worker_judge(text, expected, variables):
    target = trusted.expression(expected, variables)
    single = not isinstance(target, tuple)
    others = (trusted.expression("2*N", variables),)
    parsed = parse(text, variables, single)
    in_process = judging.judge_in_process(parsed, target, others, 1e-3)
    assert in_process is not None
    assert in_process == judging.judge_text(text, variables, single, target, others, 1e-3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sqrt(N)", "N"), ("N", "sqrt(N)"), ("0.7^N", "0.7**N"), ("N", "exp(N)"), ("pi", 3)],
)
def test_a_value_that_is_not_rational_is_left_to_a_worker(text, expected):
    parsed = parse(text, N, True)
    assert judging.judge_in_process(parsed, trusted.expression(expected, N), (), 1e-3) is None


def test_an_answer_undefined_at_a_sample_point_is_left_to_a_worker():
    parsed = parse("(N^2 - 7.26^2)/(N - 7.26)", N, True)  # N = 7.26 is the first point drawn
    expected = trusted.expression("N + 7.26", N)
    assert judging.judge_in_process(parsed, expected, (), 1e-3) is None


def test_a_differing_expression_is_shown_at_a_seeded_point():
    outcome, _ = judging.judge_text("N + 1", N, True, trusted.expression("N", N), (), 1e-3)
    assert outcome.kind == "differs" and outcome.shown.startswith("N = ")


def test_simplify_proves_what_sampling_within_tolerance_cannot():
    n = sp.Symbol("N", positive=True)
    assert judging.compare(sp.sqrt(n) ** 2, n + sp.Rational(1, 10**6), 1e-3) == judging.SAME
    assert judging.compare(n, n + sp.Rational(1, 10), 1e-3).kind == "differs"


@pytest.mark.parametrize(
    "outcome",
    [
        judging.SAME,
        judging.Outcome("off", "0.2"),
        judging.Outcome("digits", total=3),
        judging.Outcome("other", "7"),
        judging.Outcome("whole", "7.5"),
        judging.Outcome("differs", "N = 2"),
        judging.Outcome("differs"),
        judging.Outcome("count", "numbers", 2, 3),
        judging.Outcome("entry", "numbers", 2, 3),
        judging.Outcome("percent"),
    ],
    ids=lambda outcome: outcome.kind,
)
def test_every_outcome_has_one_friendly_sentence(outcome, one_sentence):
    assert one_sentence(judging.message(outcome, 1e-3))


def test_one_value_is_compared_with_a_one_entry_shape_without_an_internal_error():
    verdict = check_answer(
        "(10)", (sp.Integer(8), sp.Integer(10)), distractors=[((sp.Integer(10),), "one entry")]
    )
    assert verdict.message == "one entry"


PERCENT = "Not quite: your answer is what you get with the value in percent but without the % sign."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("20", "1/5", id="a fifth"),
        pytest.param("87", 0.87, id="a decimal share"),
        pytest.param("12.7", RATIO, id="rounded as the course rounds"),
        pytest.param("100", 1, id="all of it"),
        pytest.param("31.8", "1/pi", id="judged in a worker"),
    ],
)
def test_a_share_typed_as_a_percentage_without_its_sign_is_told_so(text, expected):
    verdict = check_answer(text, expected)
    assert verdict.message == PERCENT
    assert verdict.interpreted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2000%", "1/5", id="the sign typed"),
        pytest.param("250", 2.5, id="not a share"),
        pytest.param("21", "1/5", id="not a hundred times"),
        pytest.param("13", RATIO, id="too few figures"),
    ],
)
def test_other_numbers_are_not_told_about_a_percent_sign(text, expected):
    assert "percent" not in check_answer(text, expected).message


def test_an_authored_distractor_is_named_before_a_missing_percent_sign():
    verdict = check_answer("20", "1/5", distractors=[(20, "That is a count, not a share.")])
    assert verdict.message == "That is a count, not a share."
