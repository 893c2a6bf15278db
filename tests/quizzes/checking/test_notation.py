"""Notation students type or paste (quizzes/checking/notation.py): understood, or refused aptly."""

import pytest

from quizzes.checking import check_answer, interpret
from quizzes.checking.notation import Refusal, fold, plain

N = ("N",)
NINE_N = "1/N + 1/9"
SHAPE = (8, 64, 8, 8)


@pytest.mark.parametrize(
    ("text", "expected", "variables"),
    [
        pytest.param(r"\frac{1}{N} + \frac{1}{9}", NINE_N, N, id="fractions"),
        pytest.param(r"\dfrac{1}{N}+\tfrac19", NINE_N, N, id="fraction variants and bare digits"),
        pytest.param(r"$\frac{1}{N} + \frac{1}{9}$", NINE_N, N, id="inside dollar signs"),
        pytest.param(r"D_{K}^{2}", "D_K**2", ("D_K",), id="subscript and superscript braces"),
        pytest.param(r"3 \cdot N", "3*N", N, id="cdot"),
        pytest.param(r"3 \times N", "3*N", N, id="times"),
        pytest.param(r"6 \div N", "6/N", N, id="div"),
        pytest.param(r"\left(N+1\right)^2", "(N+1)**2", N, id="left and right"),
        pytest.param(r"2\delta", "2*delta", ("delta",), id="a greek command"),
        pytest.param(r"\sqrt{N}", "sqrt(N)", N, id="square root"),
        pytest.param(r"\sqrt[3]{8}", 2, (), id="cube root"),
        pytest.param(r"{N+1}^2", "(N+1)**2", N, id="braces as grouping"),
        pytest.param(r"N\,N", "N**2", N, id="thin space"),
        pytest.param(r"\left|N - 10\right|", "10 - N", N, id="bars"),
        pytest.param(r"\log_{10}(1000)", 3, (), id="log to base ten"),
        pytest.param(r"\operatorname{ReLU}(N)", "N", N, id="operatorname"),
        pytest.param(r"44\text{ layers}", 44, (), id="a unit in text"),
        pytest.param(r"\approx 0.127", "73/576", (), id="approx"),
    ],
)
def test_pasted_latex_is_understood(text, expected, variables):
    verdict = check_answer(text, expected, variables=variables)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(r"\sum_{i} i", r"\sum can't be used", id="an unknown command"),
        pytest.param(r"\frac{1}{N", "a '{' is never closed", id="an unclosed brace"),
        pytest.param(r"N}", "a '}' has no matching '{'", id="a stray brace"),
        pytest.param(r"\frac{1}", "missing its argument", id="a missing argument"),
        pytest.param(r"D_{K+1}", "subscript can only hold", id="a subscript expression"),
        pytest.param(r"\log_{3}(9)", "base 10 or to base 2", id="a log to another base"),
        pytest.param("\\", "must start a LaTeX command", id="a lone backslash"),
    ],
)
def test_latex_outside_the_subset_is_refused_with_advice(text, reason):
    verdict = check_answer(text, 1, variables=N)
    assert verdict.interpreted is None
    assert reason in verdict.message


@pytest.mark.parametrize(
    "text", ["44 layers", "44 Layers", "44 params", "44 parameters", "44 weights", "44 blocks"]
)
def test_a_trailing_unit_word_is_dropped(text):
    assert check_answer(text, 44).correct


@pytest.mark.parametrize("text", ["8.41x", "8.41×", "8.41 x", "8.41X", "8.41-fold", "8.41 times"])
def test_a_speed_up_written_with_x_or_times_is_read_as_the_number(text):
    assert check_answer(text.replace("-fold", " fold"), 8.41).correct


@pytest.mark.parametrize("text", ["5124 FLOPs", "5124 MACs", "5124 multiply-adds"])
def test_counts_of_operations_keep_their_number(text):
    assert check_answer(text, 5124).correct


def test_a_declared_variable_is_never_dropped_as_a_unit():
    assert check_answer("2x", "2*x", variables=("x",)).correct
    assert not check_answer("2 x", 2, variables=("x",)).correct


@pytest.mark.parametrize("text", ["L = 44", "k=44", "≈ 44", "~44", "about 44", "L ≈ 44", "= 44"])
def test_a_leading_name_or_approximately_sign_is_dropped(text):
    assert check_answer(text, 44).correct


def test_a_leading_name_is_kept_when_the_value_mentions_it():
    assert "comparisons" in check_answer("N = 2N", 2, variables=N).message


@pytest.mark.parametrize(
    "text",
    ["torch.Size([8, 64, 8, 8])", "[8, 64, 8, 8]", "8x64x8x8", "8×64×8×8", "8 x 64 x 8 x 8"],
)
def test_a_shape_as_pytorch_prints_it_or_people_write_it_is_a_tuple(text):
    verdict = check_answer(text, SHAPE)
    assert verdict.correct, verdict.message
    assert verdict.interpreted == r"\left(8, 64, 8, 8\right)"


def test_a_product_with_times_signs_stays_a_product_when_one_value_is_expected():
    assert check_answer("3×3×64", 576).correct
    assert check_answer("3x3x64", 576).correct


def test_superscripts_are_read_before_unicode_normalisation_flattens_them():
    assert plain("0.7⁵", (), True) == "0.7^(5)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("１２", 12, id="digits"),
        pytest.param("－３", -3, id="minus"),
        pytest.param("１／２", 0.5, id="slash"),
        pytest.param("２＊３＋１", 7, id="star and plus"),
        pytest.param("２＾３", 8, id="caret"),
        pytest.param("８７％", 0.87, id="percent"),
        pytest.param("０．５", 0.5, id="decimal point"),
    ],
)
def test_full_width_digits_and_signs_are_read(text, expected):
    assert check_answer(text, expected).correct


@pytest.mark.parametrize(
    ("text", "expected", "variables"),
    [
        pytest.param("μ0", "mu_0", ("mu_0",), id="a greek letter with a digit"),
        pytest.param("δ2", "delta2", ("delta2",), id="a declared name with a digit"),
        pytest.param("2λ", "2*lamda", ("lamda",), id="lambda as sympy spells it"),
        pytest.param("lambda/2", "lamda/2", ("lamda",), id="lambda typed out"),
        pytest.param("Nδ", "N*delta", ("N", "delta"), id="a greek letter after a name"),
        pytest.param("µ0", "mu_0", ("mu_0",), id="the micro sign"),
    ],
)
def test_greek_letters_become_names(text, expected, variables):
    assert check_answer(text, expected, variables=variables).correct


def test_a_greek_letter_glued_to_a_digit_gets_advice_when_only_the_letter_is_declared():
    message = check_answer("δ2", "2*delta", variables=("delta",)).message
    assert "for a product write 2 delta" in message


def test_a_keyword_like_lambda_never_reaches_the_parser_as_python():
    assert interpret("λ", variables=("lamda",)).latex == r"\lambda"
    assert not interpret("lambda: 0", variables=("lamda",)).ok


def test_loose_names_ignore_case_underscores_and_the_spelling_of_lambda():
    assert fold("D_K") == fold("dk") == fold("Dk")
    assert fold("lambda") == fold("lamda")


def test_latex_with_unbalanced_braces_raises_a_refusal():
    with pytest.raises(Refusal):
        plain(r"\frac{1}{2", (), True)


@pytest.mark.parametrize(
    ("text", "expected", "latex"),
    [
        pytest.param("⌈7/2⌉", 4, r"\left\lceil{\frac{7}{2}}\right\rceil", id="ceiling"),
        pytest.param("⌊7/2⌋", 3, r"\left\lfloor{\frac{7}{2}}\right\rfloor", id="floor"),
        pytest.param(r"\lceil 7/2 \rceil", 4, r"\left\lceil{\frac{7}{2}}\right\rceil", id="latex"),
        pytest.param(
            r"2\left\lfloor \frac{7}{2} \right\rfloor",
            6,
            r"2 \left\lfloor{\frac{7}{2}}\right\rfloor",
            id="latex with left and right",
        ),
    ],
)
def test_ceiling_and_floor_brackets_are_read_as_ceil_and_floor(text, expected, latex):
    verdict = check_answer(text, expected)
    assert verdict.correct, verdict.message
    assert verdict.interpreted == latex


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("⌈7/2⌋", "a '⌈' is closed by '⌋'", id="crossed"),
        pytest.param("⌈7/2", "a '⌈' is never closed", id="unclosed"),
        pytest.param("7/2⌉", "a '⌉' has no matching '⌈'", id="stray"),
    ],
)
def test_ceiling_and_floor_brackets_that_do_not_pair_are_refused(text, reason):
    verdict = check_answer(text, 4)
    assert verdict.interpreted is None
    assert reason in verdict.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(r"\eta_\text{head}", "eta_head", id="text"),
        pytest.param(r"\eta_{\text{head}}", "eta_head", id="text in braces"),
        pytest.param(r"\eta_\mathrm{head}", "eta_head", id="mathrm"),
        pytest.param(r"\eta_{head}", "eta_head", id="plain braces"),
        pytest.param(r"$\eta_\text{head}\, r^2$", "eta_head*r**2", id="in a formula"),
    ],
)
def test_a_pasted_subscript_is_part_of_the_name_before_it(text, expected):
    verdict = check_answer(text, expected, variables=("eta_head", "r"))
    assert verdict.correct, verdict.message
