"""Operators and functions (quizzes/checking/operations.py): values, exactness and size bounds."""

from fractions import Fraction

import pytest

from quizzes.checking import check_answer
from quizzes.checking.notation import Refusal
from quizzes.checking.reading import parse

N = ("N",)


@pytest.mark.parametrize(
    ("text", "expected", "variables"),
    [
        pytest.param("max(1, 2, 3)", 3, (), id="max of several"),
        pytest.param("min(4, 2, 3)", 2, (), id="min of several"),
        pytest.param("max(N, 2N)", "2*N", N, id="max of expressions"),
        pytest.param("relu(-2)", 0, (), id="relu of a negative"),
        pytest.param("relu(2.5)", 2.5, (), id="relu of a positive"),
        pytest.param("relu(N - 5)", "Max(0, N - 5)", N, id="relu of an expression"),
        pytest.param("sigmoid(0)", 0.5, (), id="sigmoid"),
        pytest.param("σ(0)", 0.5, (), id="sigma letter"),
        pytest.param("sigmoid(N)", "1/(1 + exp(-N))", N, id="sigmoid of a variable"),
        pytest.param("tanh(0.5)", "tanh(1/2)", (), id="tanh"),
        pytest.param("abs(-3)", 3, (), id="abs"),
        pytest.param("|−3|", 3, (), id="bars"),
        pytest.param("sin(pi/6)", 0.5, (), id="sin"),
        pytest.param("cos(0)", 1, (), id="cos"),
        pytest.param("tan(pi/4)", 1, (), id="tan"),
        pytest.param("5!", 120, (), id="factorial"),
        pytest.param("0!", 1, (), id="factorial of zero"),
        pytest.param("3!!", 720, (), id="factorial of a factorial"),
        pytest.param("2^3!", 64, (), id="factorial binds before a power"),
        pytest.param("exp(1)", "exp(1)", (), id="exp"),
        pytest.param("ln(e^2)", 2, (), id="ln"),
        pytest.param("log(e)", 1, (), id="log"),
        pytest.param("log10(1000)", 3, (), id="log10"),
        pytest.param("log2(8)", 3, (), id="log2"),
    ],
)
def test_a_function_of_the_field_is_understood(text, expected, variables):
    verdict = check_answer(text, expected, variables=variables)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize(
    ("text", "exact"),
    [("max(1, 5/2)", Fraction(5, 2)), ("min(1, -3)", -3), ("|-7/2|", Fraction(7, 2)),
     ("relu(-1)", 0), ("10!", 3628800), ("floor(7/2)", 3), ("87%", Fraction(87, 100))],
)  # fmt: skip
def test_a_function_of_rational_values_is_computed_exactly_before_any_worker(text, exact):
    assert parse(text, (), True).sizes[0].exact == exact


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("201!", "whole numbers from 0 to 200", id="a factorial over 200"),
        pytest.param("2.5!", "whole numbers from 0 to 200", id="a factorial of a fraction"),
        pytest.param("(-1)!", "whole numbers from 0 to 200", id="a factorial of a negative"),
        pytest.param("N!", "whole numbers from 0 to 200", id="a factorial of a variable"),
        pytest.param("sin(10^7)", "angle is too large", id="a huge angle"),
        pytest.param("cos(N^7)", "angle is too large", id="a huge angle over a variable"),
        pytest.param("sigmoid(-10^4)", "too large", id="sigmoid of a huge value"),
        pytest.param("tanh(10^4)", "too large", id="tanh of a huge value"),
        pytest.param("exp(10^4)", "too large", id="exp of a huge value"),
        pytest.param("floor(pi*10^40)", "too large to round", id="rounding a huge inexact value"),
        pytest.param("sqrt(N^500 + 1)", "root is too large", id="a root of a huge value"),
        pytest.param("(10^400 + 1)^(1/3)", "root is too large", id="a cube root of a huge value"),
        pytest.param("max()", "needs at least one value", id="max of nothing"),
        pytest.param("abs(1, 2)", "takes exactly one value", id="abs of two values"),
    ],
)
def test_a_function_beyond_its_bounds_is_refused_before_evaluation(text, reason):
    with pytest.raises(Refusal, match=reason):
        parse(text, N, True)


def test_rounding_an_inexact_value_below_the_bound_is_allowed():
    assert check_answer("floor(pi*10^20)", 314159265358979323846).correct


@pytest.mark.parametrize("text", ["9*10^999", "1/(9*10^999)", "9*10^999 - 9*10^999 + 1"])
def test_an_exact_intermediate_of_1000_digits_is_read(text):
    assert parse(text, (), True).sizes[0].exact is not None


@pytest.mark.parametrize(
    "text", ["10^1000", "10^999*10", "1/10^1000", "10^1000 - 10^1000 + 1", "1e1000"]
)
def test_an_exact_intermediate_of_1001_digits_is_refused(text):
    with pytest.raises(Refusal, match="too large|too many digits"):
        parse(text, (), True)
