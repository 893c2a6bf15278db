"""Discriminative learning rates and MobileNetV2's counts from its architecture table."""

import pytest
import sympy as sp

from core.transfer_learning import formulas
from core.transfer_learning.formulas import learning_rate_problem


def test_checkpoint_gives_the_earliest_of_three_groups_4_5e_minus_5():
    assert formulas.earliest_learning_rate("5e-4", "0.3", 3) == sp.Rational(45, 10**6)


def test_group_rates_are_head_rate_times_r_to_the_distance():
    assert formulas.group_learning_rates("1e-3", "0.5", 4) == [
        sp.Rational(1, 1000),
        sp.Rational(1, 2000),
        sp.Rational(1, 4000),
        sp.Rational(1, 8000),
    ]


def test_the_head_keeps_its_own_rate():
    assert formulas.group_learning_rates("0.0005", "0.1", 5)[0] == sp.Rational(1, 2000)


def test_reading_the_head_as_outside_the_groups_gives_r_cubed():
    assert formulas.checkpoint().outside.value == sp.Rational(5, 10**4) * sp.Rational(3, 10) ** 3


def test_the_checkpoint_reads_4_5e_minus_5_with_the_head_counted_and_1_35e_minus_5_without():
    check = formulas.checkpoint()
    assert (check.counted.text, check.outside.text) == ("4.5e-5", "1.35e-5")
    assert (check.counted_distance.value, check.outside_distance.value) == (2, 3)


def test_the_course_formula_read_literally_gives_the_head_its_own_rate_at_l_equals_L():
    at_head = formulas.COURSE_LEARNING_RATE.subs({formulas.index_l: formulas.groups_L})
    assert at_head == formulas.eta_head


def test_the_statements_say_they_agree_only_at_r_0_1():
    text = formulas.statements_text()
    assert "agree only at $r = 0.1$" in text and "4× to 100× slower" in text


def test_the_rate_rows_write_every_rate_as_a_student_would():
    rows = formulas.rate_rows("1e-3", "0.1", 4)
    assert [r["rate"] for r in rows] == ["0.001", "1e-4", "1e-5", "1e-6"]
    assert [r["group"] for r in rows] == ["head", "d = 1", "d = 2", "d = 3"]


def test_ratio_to_head_is_r_to_the_minus_distance():
    assert formulas.ratio_to_head("0.1", 2) == 100


def test_ten_times_lower_on_the_backbone_is_one_step_of_r_0_1():
    assert formulas.course_statements()[0]["ratios"] == [10]


def test_ten_to_a_hundred_times_is_r_0_1_over_two_steps():
    assert formulas.course_statements()[1]["ratios"] == [10, 100]


def test_r_from_0_1_to_0_5_puts_the_earliest_of_three_groups_4_to_100_times_below():
    assert formulas.course_statements()[2]["ratios"] == [4, 100]


@pytest.mark.parametrize(
    "head_lr, decay, groups, words",
    [
        ("1e-3", "0", 3, "(0, 1]"),
        ("1e-3", "1.5", 3, "(0, 1]"),
        ("1e-3", "-0.2", 3, "(0, 1]"),
        ("0", "0.3", 3, "above 0"),
        ("-1e-3", "0.3", 3, "above 0"),
        ("1e-3", "0.3", 0, "1 to 20 groups"),
        ("1e-3", "0.3", 21, "1 to 20 groups"),
        (float("nan"), "0.3", 3, "numbers"),
        ("fast", "0.3", 3, "numbers"),
    ],
)
def test_bad_rates_get_one_sentence(head_lr, decay, groups, words):
    problem = learning_rate_problem(head_lr, decay, groups)
    assert words in problem and problem.endswith(".")


def test_r_of_exactly_1_is_allowed():
    assert learning_rate_problem("1e-3", "1", 3) is None


def test_more_backbone_groups_than_unfrozen_blocks_is_refused():
    assert "at least 3 unfrozen blocks" in learning_rate_problem("1e-3", "0.3", 4, 2)


def test_unfrozen_blocks_without_a_backbone_group_are_refused():
    assert "2 or more groups" in learning_rate_problem("1e-3", "0.3", 1, 3)


def test_one_group_is_valid_but_noted_as_strategy_a():
    assert learning_rate_problem("1e-3", "0.3", 1) is None
    assert "strategy A" in formulas.learning_rate_note("0.3", 1)


def test_r_of_1_is_noted_as_not_discriminative():
    assert "head's rate" in formulas.learning_rate_note("1", 3)


def test_the_table_gives_mobilenet_v2_nineteen_blocks():
    blocks = formulas.table_block_params(
        formulas.MOBILENET_V2_STAGES, formulas.MOBILENET_V2_STEM, formulas.MOBILENET_V2_LAST
    )
    assert len(blocks) == formulas.MOBILENET_V2_BLOCKS == 19


def test_the_table_gives_the_stem_3x3x3x32_weights_and_64_batchnorm_parameters():
    stem = formulas.table_block_params(formulas.MOBILENET_V2_STAGES, 32, 1280)[0]
    assert stem == 3 * 3 * 3 * 32 + 2 * 32


def test_a_four_class_head_on_1280_features_has_5124_parameters():
    assert formulas.head_params(1280, 4) == 5124
