"""Reading (quizzes/checking/reading.py): tokens, names, commas, bars, products and bounds."""

import sys
from fractions import Fraction

import pytest

from quizzes.checking import check_answer, interpret, judging, trusted
from quizzes.checking.notation import Refusal
from quizzes.checking.reading import MAX_DEPTH, MAX_NODES, parse

N = ("N",)
CONV = ("N", "D_K", "M")


def value(text, single=True):
    """The exact value of a text with no variables."""
    return parse(text, (), single).sizes[0].exact


@pytest.mark.parametrize(
    ("text", "number"),
    [
        pytest.param("1,206,080", 1206080, id="thousands"),
        pytest.param("12,345.5", Fraction(24691, 2), id="thousands with decimals"),
        pytest.param("1,000,000 + 1", 1000001, id="inside an expression"),
        pytest.param("sqrt(1,000,000)", None, id="inside a function of one value"),
    ],
)
def test_groups_of_three_digits_after_commas_are_thousands_when_one_value_is_expected(text, number):
    assert value(text) == number
    assert check_answer(text, 1206080 if number == 1206080 else 1).interpreted


@pytest.mark.parametrize(("text", "shown"), [("1,5", "1.5"), ("1,50", "1.50"), ("0,125", "0.125")])
def test_a_comma_that_cannot_be_a_thousands_separator_is_a_decimal_comma(text, shown):
    assert f"like {shown} rather than {text}" in check_answer(text, 1).message


def test_commas_in_a_shape_still_separate_its_entries():
    assert check_answer("8,64,8,8", (8, 64, 8, 8)).correct
    assert check_answer("1,206,080", (1, 206, 80)).correct


def test_a_spaced_comma_in_a_single_answer_asks_to_leave_out_the_commas():
    assert "leave out the commas" in check_answer("1, 206", 1206).message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("max(0, N)", "N"), ("min(N, 10, 20)", "N"), ("max(1, 2, 3)", 3), ("max(1,5)", 5)],
)
def test_commas_part_the_values_of_a_function_of_several(text, expected):
    assert check_answer(text, expected, variables=N).correct


def test_a_comma_inside_a_function_of_one_value_names_the_function():
    assert "sqrt takes exactly one value" in check_answer("sqrt(1, 5)", 1).message


@pytest.mark.parametrize(
    ("text", "expected", "latex"),
    [
        pytest.param("1/9N", "1/(9*N)", r"\frac{1}{9 N}", id="a number and a name"),
        pytest.param("(N+9)/9N", "(N+9)/(9*N)", r"\frac{N + 9}{9 N}", id="after a bracket"),
        pytest.param("1/9N^2", "1/(9*N**2)", r"\frac{1}{9 N^{2}}", id="with a power"),
        pytest.param("1/2(N+1)", "1/(2*N+2)", r"\frac{1}{2 \left(N + 1\right)}", id="a bracket"),
        pytest.param("1/9 N", "N/9", r"\frac{1}{9} N", id="a space keeps the plain reading"),
        pytest.param("1/9*N", "N/9", r"\frac{1}{9} N", id="a star keeps the plain reading"),
    ],
)
def test_a_product_written_right_after_a_slash_is_the_whole_divisor(text, expected, latex):
    verdict = check_answer(text, expected, variables=N)
    assert verdict.correct, verdict.message
    assert verdict.interpreted == latex


@pytest.mark.parametrize("text", ["4.5 e-5", "4.5 E-5", "4.5e-5", "4.5×10⁻⁵", "4.5*10^-5"])
def test_scientific_notation_may_have_a_space_before_the_e(text):
    assert check_answer(text, 4.5e-5).correct


def test_a_spaced_e_between_spaced_signs_is_still_the_constant():
    assert check_answer("3 e - 1", "3*E - 1".replace("E", "exp(1)")).correct


@pytest.mark.parametrize("text", ["Dk", "d_k", "DK", "dk", "D_K"])
def test_a_declared_name_may_be_typed_loosely(text):
    assert check_answer(text, "D_K", variables=CONV).correct


def test_a_loose_name_is_not_matched_when_two_variables_fit():
    assert "Unknown name 'dk'" in check_answer("dk", "D_K", variables=("D_K", "Dk")).message


@pytest.mark.parametrize("text", ["ReLU(-2)", "Sqrt(4) - 2", "LN(1)", "Max(0, -1)", "PI - pi"])
def test_function_names_may_be_typed_in_any_case(text):
    assert check_answer(text, 0).correct


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("|N - 10|", "10 - N", id="a difference"),
        pytest.param("||N - 10| - 20|", "N + 10", id="nested"),
        pytest.param("|N - 10||N - 20|", "(10 - N)*(20 - N)", id="a product of two"),
        pytest.param("2|N - 10|", "20 - 2*N", id="after a number"),
        pytest.param("|-N|", "N", id="a sign inside"),
    ],
)
def test_bars_are_absolute_values(text, expected):
    assert check_answer(text, expected, variables=N).correct


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("|N|N|N|", "read more than one way", id="ambiguous"),
        pytest.param("|N", "one '|' is never closed", id="unclosed"),
        pytest.param("(|N)|", "'|' is closed by ')'", id="crossed with a bracket"),
    ],
)
def test_bars_that_do_not_pair_clearly_are_refused(text, reason):
    verdict = check_answer(text, 1, variables=N)
    assert verdict.interpreted is None
    assert reason in verdict.message


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("0.127", 3),
        ("12.7%", 3),
        ("1.27e-1", 3),
        ("-0.127", 3),
        ("0.1270", 4),
        ("1200", 2),
        ("1206080", 6),
        ("1,206,080", 6),
        ("4.5×10^-5", 2),
        ("4.5 e-5", 2),
        (".5", 1),
        ("0", None),
        ("0.7^5", None),
        ("1/8", None),
        ("2*0.5", None),
    ],
)
def test_significant_figures_are_counted_as_typed(text, figures):
    assert parse(text, (), True).figures == (figures,)


def test_each_entry_of_a_shape_has_its_own_figures():
    assert parse("(0.127, 0.13, N)", N, False).figures == (3, 2, None)


def test_a_variable_is_bound_to_exact_values_at_a_point():
    parsed = parse("(N + 9)/9N", N, True)
    assert parsed.value(0, {"N": Fraction(3)}) == Fraction(12, 27)
    assert parsed.value(0, {}) is None


def test_a_value_that_is_not_rational_has_no_exact_value_at_a_point():
    assert parse("sqrt(N)", N, True).value(0, {"N": Fraction(2)}) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "brackets inside"),
        pytest.param("+".join(["1"] * (MAX_NODES // 2 + 1)), "too long to check"),
        pytest.param("2^2000", "too large"),
        pytest.param("1e2000", "too many digits"),
    ],
)
def test_sizes_are_bounded_before_anything_is_evaluated(text, reason):
    with pytest.raises(Refusal, match=reason):
        parse(text, (), True)


def test_reading_judging_and_previewing_student_text_executes_no_code():
    """An audit hook sees every eval and exec of a string (sympify and parse_expr end in one).

    Code run from files (a module SymPy imports lazily) is not what this guards against.
    """
    texts = ["(N+1)(N+2) + 0.7^5", r"\frac{1}{N} + |N - 2|", "max(0, N) + 5! + 12.7%"]
    expected = trusted.expression("N", N)
    executed = []
    watching = False

    def hook(event, args):
        if watching and event == "exec" and not args[0].co_filename.endswith(".py"):
            executed.append(args[0].co_filename)

    def read_all():
        for text in texts:
            parsed = parse(text, N, True)
            parsed.latex()
            interpret(text, variables=N)
            judging.judge_in_process(parsed, expected, (), 1e-3)
            judging.judge_text(text, N, True, expected, (), 1e-3)  # what a worker runs

    sys.addaudithook(hook)
    read_all()  # lazy imports and caches first, outside the watch
    watching = True
    read_all()
    watching = False
    assert executed == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1 206 080", id="spaces"),
        pytest.param("1\u2009206\u2009080", id="thin spaces"),
        pytest.param("1\u202f206\u202f080", id="narrow no-break spaces"),
        pytest.param("1\u00a0206\u00a0080", id="no-break spaces"),
    ],
)
def test_groups_of_three_digits_after_spaces_are_one_number_when_one_value_is_expected(text):
    verdict = check_answer(text, 1206080)
    assert verdict.correct, verdict.message
    assert verdict.interpreted == "1206080"


def test_spaced_digit_groups_may_end_in_decimals_and_keep_their_figures():
    assert check_answer("33 920", 33920).correct
    assert value("12 345.5") == Fraction(24691, 2)
    assert parse("1 206 080", (), True).figures == (6,)


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        pytest.param("12,06,080", "in threes from the right: 12,06,080 is 1,206,080", id="indian"),
        pytest.param("12 06 080", "in threes from the right: 12 06 080 is 1 206 080", id="indian"),
        pytest.param("1,206,08", "three digits each; check the digits of 1,206,08", id="dropped"),
        pytest.param("1 206 08", "three digits each; check the digits of 1 206 08", id="dropped"),
        pytest.param("1,2060,800", "three digits each", id="a group of four"),
    ],
)
def test_digit_groups_that_are_not_threes_get_advice_on_grouping(text, advice):
    verdict = check_answer(text, 1206080)
    assert verdict.interpreted is None
    assert advice in verdict.message
    assert "decimal" not in verdict.message and "operator" not in verdict.message


def test_numbers_side_by_side_in_a_shape_are_told_to_take_commas():
    verdict = check_answer("(64 16 16)", (64, 16, 16))
    assert verdict.interpreted is None
    assert verdict.message == "Separate the entries with commas, like (64, 16, 16)."


def test_floor_division_is_refused_with_what_to_write_instead():
    verdict = check_answer("7//2", 3)
    assert verdict.interpreted is None
    assert verdict.message == (
        "Floor division '//' isn't read; write a/b, or floor(a/b) for its whole part."
    )


@pytest.mark.parametrize("text", ["1.2M", "1206k", "1.2 M", "1.2 million", "1.2M params", "3B"])
def test_a_scale_suffix_is_refused_with_a_request_for_the_exact_count(text):
    verdict = check_answer(text, 1206080)
    assert verdict.interpreted is None
    assert "aren't read; type the exact count in digits" in verdict.message


def test_a_declared_name_after_a_number_is_a_product_not_a_scale():
    assert check_answer("1.2M", "6*M/5", variables=("M",)).correct


@pytest.mark.parametrize(
    ("text", "expected", "variables", "latex"),
    [
        pytest.param("CM", "C*M", ("C", "M"), "C M", id="two names"),
        pytest.param("2CM^2", "2*C*M**2", ("C", "M"), "2 C M^{2}", id="with a number and power"),
        pytest.param("NDkM", "N*D_K*M", CONV, "N D_{K} M", id="a loosely typed piece"),
        pytest.param("1/CM", "1/(C*M)", ("C", "M"), r"\frac{1}{C M}", id="after a slash"),
    ],
)
def test_glued_declared_names_are_a_product_when_they_split_one_way(
    text, expected, variables, latex
):
    verdict = check_answer(text, expected, variables=variables)
    assert verdict.correct, verdict.message
    assert verdict.interpreted == latex


@pytest.mark.parametrize(
    ("text", "variables", "readings"),
    [
        pytest.param("DK", ("D", "K", "D_K"), "D_K or D K", id="a name or a product"),
        pytest.param("ABC", ("A", "AB", "BC", "C"), "A BC or AB C", id="two products"),
    ],
)
def test_glued_names_that_split_more_than_one_way_are_refused(text, variables, readings):
    verdict = check_answer(text, "1", variables=variables)
    assert verdict.interpreted is None
    assert f"it could mean {readings}" in verdict.message
