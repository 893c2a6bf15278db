"""Freezing, counting, heads and parameter groups on torchvision's real mobilenet_v2."""

import pytest
import torch

from core.course import EXERCISE6_CLASSES
from core.transfer_learning import formulas, models
from core.transfer_learning.models import (
    block_table,
    freeze_for_strategy,
    mobilenet_v2,
    param_groups,
    replace_head,
    trainable_parameters,
)

TABLE = (formulas.MOBILENET_V2_STAGES, formulas.MOBILENET_V2_STEM, formulas.MOBILENET_V2_LAST)


@pytest.fixture(scope="module")
def built():
    return mobilenet_v2()


@pytest.fixture(scope="module")
def model():
    """A four-class MobileNetV2; every test that needs a freezing sets all of it first."""
    return replace_head(mobilenet_v2(), EXERCISE6_CLASSES)


@pytest.fixture(scope="module")
def facts():
    return models.last_three_blocks_facts()


def test_every_block_counts_what_the_architecture_table_derives(built):
    torch_counts = [row["parameters"] for row in block_table(built)]
    assert torch_counts == formulas.table_block_params(*TABLE)


@pytest.mark.parametrize("unfrozen", [0, 1, 3, 7, 19])
def test_trainable_count_matches_the_table_for_every_number_of_unfrozen_blocks(model, unfrozen):
    freeze_for_strategy(model, unfrozen)
    assert trainable_parameters(model) == formulas.table_trainable(
        *TABLE, unfrozen, EXERCISE6_CLASSES
    )


def test_strategy_a_trains_only_the_5124_head_parameters(model):
    freeze_for_strategy(model, "A")
    assert trainable_parameters(model) == 5124


def test_strategy_b_trains_the_last_three_blocks_and_the_head(model):
    freeze_for_strategy(model, "B")
    assert [row["trainable"] for row in block_table(model)] == [False] * 16 + [True] * 3


def test_strategy_c_trains_every_parameter(model):
    freeze_for_strategy(model, "C")
    assert trainable_parameters(model) == sum(p.numel() for p in model.parameters())


def test_each_strategy_strip_freezes_what_its_strategy_says():
    strips = models.strategy_strips(EXERCISE6_CLASSES)
    trains = {s.letter: sum(r["state"] == "trains" for r in s.rows) for s in strips}
    assert trains == {"A": 0, "B": 3, "C": 19}


def test_the_param_groups_table_writes_small_rates_as_a_student_would():
    rows = models.optimiser_groups("1e-3", "0.1", 4, EXERCISE6_CLASSES)
    assert [r["learning rate"] for r in rows] == ["0.001", "1e-4", "1e-5", "1e-6"]


def test_the_strategy_strips_count_a_b_and_c_from_requires_grad():
    strips = models.strategy_strips(EXERCISE6_CLASSES)
    counts = {
        s.letter: sum(r["parameters"] for r in s.rows if r["state"] != "frozen") for s in strips
    }
    assert counts == {"A": 5124, "B": 1_206_080 + 5124, "C": 2_223_872 + 5124}


def test_unfreezing_more_blocks_than_exist_gets_a_sentence(model):
    assert "0 to 19 blocks" in models.freeze_problem(model, 20)


def test_unfreezing_none_or_all_blocks_is_allowed(model):
    assert models.freeze_problem(model, 0) is None and models.freeze_problem(model, 19) is None


def test_an_unknown_strategy_letter_is_refused(model):
    with pytest.raises(ValueError, match="A, B or C"):
        freeze_for_strategy(model, "D")


def test_the_last_three_blocks_are_two_inverted_residuals_and_a_1x1_convolution(facts):
    kinds = [m["kind"] for m in facts.modules]
    assert kinds == ["InvertedResidual", "InvertedResidual", "Conv2dNormActivation"]


def test_the_last_three_blocks_hold_1206080_parameters_not_500k(facts):
    assert (facts.indices, facts.parameters.value) == ([16, 17, 18], 1_206_080)
    assert facts.course_parameters.value == 500_000


def test_the_course_and_torch_agree_on_the_5124_parameter_head(facts):
    assert facts.head_parameters.value == facts.course_head_parameters.value == 5124


def test_block_table_reads_stride_and_expansion_from_the_modules(built):
    row = block_table(built)[2]
    assert (row["kind"], row["in_channels"], row["out_channels"]) == ("InvertedResidual", 16, 24)
    assert (row["stride"], row["expansion"]) == (2, 6)


def test_the_new_head_has_dropout_0_2_and_1280_inputs(model):
    dropout, linear = model.classifier
    assert (dropout.p, linear.in_features, linear.out_features) == (0.2, 1280, 4)


def test_param_groups_give_each_group_head_lr_times_r_to_the_distance(model):
    freeze_for_strategy(model, 6)
    groups = param_groups(model, "5e-4", "0.3", 3)
    expected = [float(v) for v in formulas.group_learning_rates("5e-4", "0.3", 3)]
    assert [g["lr"] for g in groups] == pytest.approx(expected)


def test_param_group_rates_are_r_to_the_d_by_hand(model):
    freeze_for_strategy(model, 4)
    rates = [g["lr"] for g in param_groups(model, 1e-3, 0.1, 3)]
    assert rates == pytest.approx([1e-3, 1e-4, 1e-5])


def test_backbone_groups_run_back_from_the_head_in_contiguous_blocks(model):
    freeze_for_strategy(model, 3)
    groups = param_groups(model, 1e-3, 0.1, 3)
    assert [g["modules"] for g in groups] == [
        ["classifier"],
        ["features.17", "features.18"],
        ["features.16"],
    ]


def test_frozen_blocks_are_in_no_group_and_every_trainable_parameter_is_in_one(model):
    freeze_for_strategy(model, 5)
    grouped = [p for g in param_groups(model, 1e-3, 0.1, 4) for p in g["params"]]
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert len(grouped) == len(trainable) and {id(p) for p in grouped} == {id(p) for p in trainable}


def test_describe_groups_reads_the_optimisers_groups_back(model):
    freeze_for_strategy(model, 3)
    optimiser = torch.optim.Adam(param_groups(model, 1e-3, 0.1, 2))
    rows = models.describe_groups(optimiser)
    assert [(r["modules"], r["parameters"], r["lr"]) for r in rows] == [
        ("classifier", 5124, 1e-3),
        ("features.16, features.17, features.18", 1_206_080, pytest.approx(1e-4)),
    ]


def test_more_groups_than_unfrozen_blocks_is_refused(model):
    freeze_for_strategy(model, 1)
    with pytest.raises(ValueError, match="unfrozen blocks"):
        param_groups(model, 1e-3, 0.1, 3)


@pytest.fixture(scope="module")
def demo():
    torch.set_num_threads(1)
    return models.forgotten_head_demo()


def _run(code: str) -> torch.nn.Module:
    """The page's code, run as written (random weights: no count depends on them)."""
    from torchvision.models import MobileNet_V2_Weights

    names = {
        "mobilenet_v2": lambda weights: models.mobilenet_v2(),
        "MobileNet_V2_Weights": MobileNet_V2_Weights,
        "nn": torch.nn,
    }
    exec(code, names)  # trusted: our own page's code
    return names["model"]


def test_the_new_head_code_trains_exactly_the_new_head():
    shown = models.new_head(EXERCISE6_CLASSES)
    assert trainable_parameters(_run(shown.code)) == shown.trainable.value == 5124


def test_the_new_head_code_without_its_last_line_still_trains_the_old_classifier():
    code = models.new_head(EXERCISE6_CLASSES).code.splitlines()[:-1]
    assert trainable_parameters(_run("\n".join(code))) == 1280 * 1000 + 1000


def test_the_forgotten_head_raises_a_size_mismatch_against_four_class_targets(demo):
    assert "torch.Size([8, 4])" in demo.shape_error
    assert "torch.Size([8, 1000])" in demo.shape_error


def test_the_silent_failure_trains_with_falling_loss_far_above_a_four_way_start(demo):
    losses = demo.losses
    assert losses[-1] < losses[0] and losses[-1] > 2 * demo.chance_loss_classes


def test_the_silent_failure_starts_with_predictions_outside_the_four_classes(demo):
    assert demo.outside_before > 0.5


def test_the_silent_failure_trains_the_1000_way_classifier_not_5124_parameters(demo):
    assert (demo.trainable.value, demo.trainable_with_new_head.value) == (1_281_000, 5124)


def test_feature_maps_give_uint8_channels_at_three_depths(built):
    x = torch.randn(1, 3, 64, 64)
    rows = models.feature_maps(built, x, channels=2)
    assert [r["index"] for r in rows] == [1, 13, 17]
    assert all(c["image"].dtype.name == "uint8" for r in rows for c in r["channels"])


def test_feature_maps_get_smaller_with_depth(built):
    rows = models.feature_maps(built, torch.randn(1, 3, 64, 64), channels=1)
    sides = [r["shape"][1] for r in rows]
    assert sides == sorted(sides, reverse=True) and sides[0] > sides[-1]


def test_the_small_backbone_counts_what_its_table_derives():
    small = models.small_mobilenet_v2(12)
    derived = formulas.table_block_params(
        models.SMALL_SETTING, models.SMALL_STEM, models.SMALL_LAST
    )
    assert [row["parameters"] for row in block_table(small)] == derived
