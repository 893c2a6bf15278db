"""MobileNet blocks against the course's shapes, torchvision's own blocks, and plain numpy."""

import random

import pytest
import torch
from torch import nn
from torchvision.models import mobilenet_v2
from torchvision.models.mobilenetv2 import InvertedResidual as TorchvisionInvertedResidual

from core.layers import block_diagram, params
from core.separable_convolutions import models


def _copy_weights(source: nn.Module, target: nn.Module) -> None:
    """Copy parameters and buffers in order: both blocks list their layers in forward order."""
    with torch.no_grad():
        for a, b in zip(source.parameters(), target.parameters(), strict=True):
            b.copy_(a)
        for a, b in zip(source.buffers(), target.buffers(), strict=True):
            b.copy_(a)


def test_course_exercise_separable_and_standard_blocks_give_the_same_output_shape():
    x = torch.randn(2, 64, 112, 112)
    with torch.no_grad():
        shapes = {
            tuple(m(x).shape) for m in (models.DWSepConv(64, 128), models.StandardConv(64, 128))
        }
    assert shapes == {(2, 128, 112, 112)}


def test_the_depthwise_step_has_one_group_per_input_channel():
    assert models.DepthwiseSeparableConv(48, 96).depthwise.groups == 48


def test_a_separable_block_with_stride_two_halves_the_map():
    with torch.no_grad():
        out = models.DepthwiseSeparableConv(8, 16, stride=2)(torch.randn(1, 8, 20, 20))
    assert out.shape == (1, 16, 10, 10)


def test_standard_block_parameters_are_its_weights_plus_a_batchnorm_scale_and_shift():
    m, n = 24, 40
    assert params(models.StandardConv(m, n)) == 9 * m * n + 2 * n


def test_separable_block_has_the_parameters_of_its_torch_layers():
    m, n = 24, 40
    reference = nn.Sequential(
        nn.Conv2d(m, m, 3, padding=1, groups=m, bias=False),
        nn.BatchNorm2d(m),
        nn.Conv2d(m, n, 1, bias=False),
        nn.BatchNorm2d(n),
    )
    assert params(models.DepthwiseSeparableConv(m, n)) == params(reference)


@pytest.mark.parametrize("seed", range(8))
def test_inverted_residual_has_torchvisions_parameter_count(seed):
    rng = random.Random(seed)
    m, n, stride, t = rng.randint(1, 64), rng.randint(1, 64), rng.choice([1, 2]), rng.choice([1, 6])
    ours = models.InvertedResidual(m, n, stride, t)
    assert params(ours) == params(TorchvisionInvertedResidual(m, n, stride, t))


@pytest.mark.parametrize(
    ("m", "n", "stride", "t"), [(16, 16, 1, 6), (16, 24, 2, 6), (16, 16, 1, 1)]
)
def test_inverted_residual_computes_what_torchvisions_block_computes(m, n, stride, t):
    torch.manual_seed(0)
    reference = TorchvisionInvertedResidual(m, n, stride, t).train(False)
    for bn in (mod for mod in reference.modules() if isinstance(mod, nn.BatchNorm2d)):
        nn.init.uniform_(bn.running_mean, -1, 1)  # non-trivial statistics, so order matters
        nn.init.uniform_(bn.running_var, 0.5, 2)
    ours = models.InvertedResidual(m, n, stride, t).train(False)
    _copy_weights(reference, ours)
    x = torch.randn(2, m, 9, 9)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), reference(x))


@pytest.mark.parametrize(
    ("m", "n", "stride", "skip"),
    [(16, 16, 1, True), (16, 16, 2, False), (16, 24, 1, False), (16, 24, 2, False)],
)
def test_the_skip_is_used_exactly_when_stride_is_one_and_channels_match(m, n, stride, skip):
    assert models.InvertedResidual(m, n, stride).use_skip is skip


def test_a_block_whose_branch_outputs_zero_passes_its_input_through_the_skip():
    block = models.InvertedResidual(8, 8, 1, 6).train(False)
    nn.init.zeros_(block.project[1].weight)  # the last BatchNorm outputs its zero shift
    x = torch.randn(1, 8, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(block(x), x)


def test_the_stage_table_builds_torchvisions_mobilenet_v2_body():
    body = mobilenet_v2().features[1:-1]  # after the stem, before the last 1x1 convolution
    assert params(models.mobilenet_v2_blocks()) == params(body)


def test_block_plan_marks_the_same_skips_as_torchvision():
    body = mobilenet_v2().features[1:-1]
    plan = models.block_plan(models.mobilenet_v2_blocks())
    assert [row["skip"] for row in plan] == [block.use_res_connect for block in body]


def test_diagram_of_a_block_with_a_skip_adds_the_input_to_the_branch():
    dot = block_diagram(models.InvertedResidual(32, 32, 1, 6))
    assert "x -> add;" in dot


def test_diagram_names_the_depthwise_layer_and_its_groups():
    dot = block_diagram(models.InvertedResidual(32, 32, 1, 6))  # hidden width 6 * 32
    assert "depthwise Conv2d 192→192, 3×3, groups=192, stride 1" in dot


def test_diagram_labels_an_ordinary_convolution_without_groups():
    dot = block_diagram(models.InvertedResidual(32, 32, 1, 6))
    assert "expand.0\\nConv2d 32→192, 1×1, stride 1" in dot


def test_diagram_of_a_block_without_a_skip_has_no_addition():
    dot = block_diagram(models.InvertedResidual(32, 64, 2, 6))
    assert 'label="+"' not in dot


@pytest.mark.parametrize("t", [1, 6])
def test_inverted_residual_counts_read_torchvisions_layer_sizes(t):
    reference = TorchvisionInvertedResidual(16, 24, 1, t)
    convs = [m for m in reference.modules() if isinstance(m, nn.Conv2d)]
    expand = convs[0].weight.numel() if t != 1 else 0
    bn = sum(
        p.numel()
        for m in reference.modules()
        if isinstance(m, nn.BatchNorm2d)
        for p in m.parameters()
    )
    counts = models.inverted_residual_counts(models.InvertedResidual(16, 24, 1, t))
    assert counts == {
        "hidden": convs[-2].in_channels,
        "expand": expand,
        "depthwise": convs[-2].weight.numel(),
        "project": convs[-1].weight.numel(),
        "batchnorm": bn,
    }


@pytest.mark.parametrize(("in_ch", "out_ch", "stride", "t"), [(24, 24, 1, 6), (24, 32, 2, 1)])
def test_an_inverted_residual_reading_counts_the_built_blocks_convolution_weights(
    in_ch, out_ch, stride, t
):
    reading = models.inverted_residual_reading(in_ch, out_ch, stride, t)
    block = models.InvertedResidual(in_ch, out_ch, stride, t)
    convs = sum(m.weight.numel() for m in block.modules() if isinstance(m, nn.Conv2d))
    assert reading.weights.text == f"{convs:,}"
    assert reading.expands is (t > 1) and reading.skip is block.use_skip
    assert all(row["SymPy"] == row["torch (built block)"] for row in reading.rows)
