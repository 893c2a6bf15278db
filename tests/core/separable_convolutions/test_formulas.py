"""The separable-convolution formulas, held against real torch layers and FlopCounterMode.

Shapes are built on the meta device: torch derives parameter and FLOP counts from shapes alone,
so even wide layers cost nothing to count.
"""

import random
from fractions import Fraction

import pytest
import sympy as sp
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode
from torchvision.models.mobilenetv2 import InvertedResidual as TorchvisionInvertedResidual

from core import conv, course
from core.layers import params
from core.separable_convolutions import formulas as f
from core.separable_convolutions import inputs
from tests.reference import first_n_above

META = torch.device("meta")


def _random_shapes(count: int, seed: int) -> list[tuple[int, int, int, int, int, int]]:
    """(kernel, M, N, input side, stride, padding) tuples that fit, drawn with a fixed seed."""
    rng = random.Random(seed)
    shapes = []
    while len(shapes) < count:
        k = rng.choice([1, 3, 5, 7])
        size, padding = rng.randint(1, 64), rng.randint(0, 3)
        if k <= size + 2 * padding:
            m, n = rng.randint(1, 512), rng.randint(1, 512)
            shapes.append((k, m, n, size, rng.choice([1, 2, 3]), padding))
    return shapes


SHAPES = _random_shapes(24, seed=7)


def _torch_flops(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops()


def _conv(m, n, k, stride=1, padding=0, groups=1) -> nn.Conv2d:
    return nn.Conv2d(m, n, k, stride, padding, groups=groups, bias=False, device=META)


def _torch_out_side(k, m, size, stride, padding) -> int:
    return _conv(m, 1, k, stride, padding)(torch.empty(1, m, size, size, device=META)).shape[-1]


@pytest.mark.parametrize(("k", "m", "n", "size", "stride", "padding"), SHAPES)
def test_standard_weights_equal_torch_numel(k, m, n, size, stride, padding):
    assert conv.standard_params(k, m, n) == params(_conv(m, n, k, stride, padding))


@pytest.mark.parametrize(("k", "m", "n", "size", "stride", "padding"), SHAPES)
def test_standard_flops_are_twice_the_multiply_adds_flopcountermode_counts(
    k, m, n, size, stride, padding
):
    x = torch.empty(1, m, size, size, device=META)
    d_f = _torch_out_side(k, m, size, stride, padding)
    assert 2 * conv.standard_macs(k, m, n, d_f) == _torch_flops(_conv(m, n, k, stride, padding), x)


@pytest.mark.parametrize(("k", "m", "n", "size", "stride", "padding"), SHAPES)
def test_separable_weights_equal_torch_numel_of_depthwise_plus_pointwise(
    k, m, n, size, stride, padding
):
    pair = nn.Sequential(_conv(m, m, k, stride, padding, groups=m), _conv(m, n, 1))
    assert f.separable_params(k, m, n) == params(pair)


@pytest.mark.parametrize(("k", "m", "n", "size", "stride", "padding"), SHAPES)
def test_separable_flops_agree_with_flopcountermode(k, m, n, size, stride, padding):
    pair = nn.Sequential(_conv(m, m, k, stride, padding, groups=m), _conv(m, n, 1))
    x = torch.empty(1, m, size, size, device=META)
    d_f = _torch_out_side(k, m, size, stride, padding)
    assert 2 * f.separable_macs(k, m, n, d_f) == _torch_flops(pair, x)


@pytest.mark.parametrize(("k", "m", "n", "size", "stride", "padding"), SHAPES)
def test_output_side_formula_agrees_with_torch(k, m, n, size, stride, padding):
    assert conv.conv_output_size(size, k, stride, padding) == _torch_out_side(
        k, m, size, stride, padding
    )


@pytest.mark.parametrize("seed", range(20))
def test_grouped_counts_agree_with_torch_for_any_divisor(seed):
    rng = random.Random(seed)
    g = rng.choice([1, 2, 4, 8, 16])
    m, n, k, size = g * rng.randint(1, 32), g * rng.randint(1, 32), rng.choice([1, 3, 5]), 9
    layer = _conv(m, n, k, padding=k // 2, groups=g)
    flops = _torch_flops(layer, torch.empty(1, m, size, size, device=META))
    grouped = f.grouped_params(k, m, n, g)
    assert (grouped, 2 * grouped * size**2) == (params(layer), flops)


def test_one_group_is_the_standard_convolution():
    assert sp.simplify(f.GROUPED_PARAMS.subs(f.G, 1) - conv.STANDARD_PARAMS) == 0


def test_as_many_groups_as_channels_is_the_depthwise_convolution():
    grouped = f.GROUPED_PARAMS.subs({f.G: conv.M, conv.N: conv.M})
    assert sp.simplify(grouped - f.DEPTHWISE_PARAMS) == 0


@pytest.mark.parametrize(("m", "n", "g"), [(6, 8, 4), (8, 6, 4), (8, 8, 0)])
def test_groups_are_refused_exactly_where_torch_refuses_them(m, n, g):
    with pytest.raises(ValueError):
        nn.Conv2d(m, n, 3, groups=g)
    with pytest.raises(ValueError, match="divisor"):
        f.grouped_params(3, m, n, g)


def test_course_exercise_mobilenet_v1_block_has_the_course_weight_count():
    assert f.mobilenet_v1_block_params(3, 32, 32) == 9 * 32 + 32 * 32


def test_course_exercise_inverted_residual_has_the_course_weight_count():
    assert f.inverted_residual_params(3, 32, 32, 6) == 32 * 192 + 9 * 192 + 192 * 32


def test_mobilenet_v1_block_with_batchnorm_matches_a_torch_block():
    m, n = 24, 40
    block = nn.Sequential(
        _conv(m, m, 3, padding=1, groups=m), nn.BatchNorm2d(m), _conv(m, n, 1), nn.BatchNorm2d(n)
    )
    assert f.mobilenet_v1_block_params(3, m, n, batchnorm=True) == params(block)


@pytest.mark.parametrize("seed", range(12))
def test_inverted_residual_matches_torchvision_with_batchnorm(seed):
    rng = random.Random(seed)
    m, n, t = rng.randint(1, 96), rng.randint(1, 96), rng.choice([1, 2, 4, 6])
    block = TorchvisionInvertedResidual(m, n, stride=rng.choice([1, 2]), expand_ratio=t)
    assert f.inverted_residual_params(3, m, n, t, batchnorm=True) == params(block)


@pytest.mark.parametrize("t", [1, 6])
def test_inverted_residual_weights_match_torchvision_conv_weights(t):
    block = TorchvisionInvertedResidual(16, 24, stride=1, expand_ratio=t)
    weights = sum(mod.weight.numel() for mod in block.modules() if isinstance(mod, nn.Conv2d))
    assert f.inverted_residual_params(3, 16, 24, t) == weights


def test_inverted_residual_hidden_width_is_torchvisions():
    block = TorchvisionInvertedResidual(32, 32, stride=1, expand_ratio=6)
    depthwise = next(c for c in block.modules() if isinstance(c, nn.Conv2d) and c.groups > 1)
    assert f.inverted_residual_breakdown(3, 32, 32, 6)["hidden"] == depthwise.in_channels


@pytest.mark.parametrize("layer", ["standard", "depthwise", "pointwise"])
@pytest.mark.parametrize("seed", range(4))
def test_layer_flops_and_bytes_are_flopcounter_flops_and_tensor_bytes(layer, seed):
    rng = random.Random(seed)
    batch, m, n, size = rng.randint(1, 4), rng.randint(1, 64), rng.randint(1, 64), 12
    layer_module = {
        "standard": _conv(m, n, 3, padding=1),
        "depthwise": _conv(m, m, 3, padding=1, groups=m),
        "pointwise": _conv(m, n, 1),
    }[layer]
    x = torch.empty(batch, m, size, size, device=META)
    y = layer_module(x)
    moved = sum(v.numel() * v.element_size() for v in (x, y, layer_module.weight))
    flops = _torch_flops(layer_module, x)
    assert (
        f.layer_flops(layer, 3, m, n, size, batch),
        f.layer_bytes(layer, 3, m, n, size, batch),
    ) == (flops, moved)


@pytest.mark.parametrize("seed", range(5))
def test_depthwise_intensity_stays_below_a_quarter_of_the_kernel_area_in_float32(seed):
    rng = random.Random(seed)
    k, m, size, batch = rng.choice([3, 5, 7]), rng.randint(1, 1024), rng.randint(1, 224), 8
    intensity = f.layer_flops("depthwise", k, m, m, size, batch) / f.layer_bytes(
        "depthwise", k, m, m, size, batch
    )
    assert intensity < Fraction(k * k, 4)


def test_depthwise_has_the_lowest_intensity_of_the_three_layers_at_the_course_shape():
    by_layer = {
        x: f.layer_flops(x, 3, 64, 128, 56) / f.layer_bytes(x, 3, 64, 128, 56) for x in f.LAYER_MACS
    }
    assert min(by_layer, key=by_layer.get) == "depthwise"


def test_reduction_curve_matches_exact_fractions():
    curve = f.reduction_curve(3, 300)
    exact = [float(1 / (Fraction(1, r["N"]) + Fraction(1, 9))) for r in curve]
    assert [r["reduction"] for r in curve] == pytest.approx(exact, rel=1e-12)


def test_reduction_curve_never_reaches_the_kernel_area():
    assert max(r["reduction"] for r in f.reduction_curve(5, 4096)) < 25


@pytest.mark.parametrize("seed", range(30))
def test_shape_problem_is_none_exactly_when_torch_can_run_the_convolution(seed):
    rng = random.Random(seed)
    k, size, padding, stride = rng.randint(1, 9), rng.randint(1, 8), rng.randint(0, 2), 1
    x = torch.empty(1, 2, size, size, device=META)
    try:
        _conv(2, 2, k, stride, padding)(x)
        runs = True
    except RuntimeError:
        runs = False
    assert (inputs.conv_shape_problem(k, 2, 2, size, stride, padding) is None) == runs


@pytest.mark.parametrize(
    "args",
    [(3, 0, 8, 8), (3, 8, -1, 8), (0, 8, 8, 8), (3, 8, 8, 0), (3, 8, 8, 8, 0), (3, 8, 8, 8, 1, -1)],
)
def test_zero_or_negative_sizes_are_a_shape_problem(args):
    assert "at least" in inputs.conv_shape_problem(*args)


def test_huge_channel_counts_are_a_shape_problem():
    assert "channels" in inputs.conv_shape_problem(3, 8, 10**6, 8)


def test_course_exercise_3_is_recomputed_with_the_course_values():
    row = next(r for r in f.course_examples() if r["example"] == "exercise 3")
    macs = 73_728 * 56**2
    assert (row["standard weights"], row["separable weights"], row["standard MACs"]) == (
        73_728,
        8_768,
        macs,
    )


def test_the_course_87_percent_reduction_is_the_saving_one_minus_the_ratio():
    row = next(r for r in f.course_examples() if r["example"] == "ratio for N = 64")
    assert (row["saving"], round(100 * row["saving"])) == (1 - Fraction(1, 64) - Fraction(1, 9), 87)


def test_course_examples_leave_blank_what_the_course_does_not_give():
    row = next(r for r in f.course_examples() if r["example"] == "Q1")
    assert row["standard MACs"] is None and row["separable weights"] == 9 * 128 + 128 * 256


@pytest.mark.parametrize(("kernel", "out_ch"), [(3, 1), (1, 64), (1, 1)])
def test_a_factorisation_that_saves_nothing_is_explained(kernel, out_ch):
    assert "nothing to factorise" in inputs.separable_problem(kernel, out_ch)


def test_two_output_channels_already_save_with_a_3x3_kernel():
    assert inputs.separable_problem(3, 2) is None


@pytest.mark.parametrize("kernel", [1, 3, 5, 7])
def test_the_reduction_ceiling_is_the_kernel_area(kernel):
    assert f.reduction_ceiling(kernel) == kernel * kernel


@pytest.mark.parametrize(("kernel", "factor"), [(3, 8), (3, 4), (5, 20), (7, 8)])
def test_threshold_facts_match_a_brute_force_search(kernel, factor):
    first = first_n_above(kernel, Fraction(factor))
    facts = f.threshold_facts(kernel, factor)
    previous = 1 / (Fraction(1, first - 1) + Fraction(1, kernel**2))
    assert (facts["N"], facts["previous reduction"]) == (first, previous)


@pytest.mark.parametrize("kernel, factor", [(3, 8), (3, 5), (5, 8), (5, 20), (7, 40)])
def test_min_channels_for_reduction_is_the_first_n_found_by_search(kernel, factor):
    assert f.min_channels_for_reduction(kernel, factor) == first_n_above(kernel, Fraction(factor))


def test_min_channels_for_reduction_is_none_at_or_beyond_the_kernel_ceiling():
    assert f.min_channels_for_reduction(3, 9) is None


def test_cost_ratio_is_derived_as_one_over_n_plus_one_over_kernel_squared():
    assert sp.simplify(f.COST_RATIO - (1 / conv.N + 1 / conv.D_K**2)) == 0


def test_the_course_hint_n_gives_less_than_the_target_reduction():
    hint = 1 / (Fraction(1, course.COURSE_HINT_N) + Fraction(1, 9))
    assert hint <= course.REDUCTION_TARGET


@pytest.mark.parametrize("shape", SHAPES[:6])
def test_layer_costs_are_torchs_counts_as_text(shape):
    k, m, n, size, stride, padding = shape
    costs = f.layer_costs(k, m, n, size, stride, padding)
    standard = _conv(m, n, k, stride, padding)
    separable = params(_conv(m, m, k, stride, padding, groups=m)) + params(_conv(m, n, 1))
    x = torch.empty(1, m, size, size, device=META)
    assert costs.out_size == _torch_out_side(k, m, size, stride, padding)
    assert costs.standard_params.text == f"{params(standard):,}"
    assert costs.separable_params.text == f"{separable:,}"
    assert costs.standard_macs.text == f"{_torch_flops(standard, x) // 2:,}"


def test_the_threshold_reading_sets_the_courses_hint_beside_the_answer():
    facts = f.threshold_reading(3, 8)
    first = first_n_above(3, Fraction(8))
    assert (facts.n, facts.previous_n, facts.ceiling, facts.hint_n) == (first, first - 1, 9, 9)
    assert facts.hint_reduction.text == "4.5"  # 1 / (1/9 + 1/9)


def test_the_course_examples_table_is_text_with_blanks_where_the_course_gives_nothing():
    examples = f.course_examples_reading()
    q1 = examples.table["Q1"]
    assert (q1["standard MACs"], q1["separable weights"]) == ("", f"{9 * 128 + 128 * 256:,}")
    assert (examples.saving.text, examples.reduction.text) == ("87%", "7.89")
