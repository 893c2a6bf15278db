"""MobileNet blocks against the course's shapes, torchvision's own blocks, and plain numpy."""

import random

import numpy as np
import pytest
import torch
from torch import nn
from torchvision.models import mobilenet_v2
from torchvision.models.mobilenetv2 import InvertedResidual as TorchvisionInvertedResidual

from core import models
from core.data import sample_photo


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


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
    assert _numel(models.StandardConv(m, n)) == 9 * m * n + 2 * n


def test_separable_block_has_the_parameters_of_its_torch_layers():
    m, n = 24, 40
    reference = nn.Sequential(
        nn.Conv2d(m, m, 3, padding=1, groups=m, bias=False),
        nn.BatchNorm2d(m),
        nn.Conv2d(m, n, 1, bias=False),
        nn.BatchNorm2d(n),
    )
    assert _numel(models.DepthwiseSeparableConv(m, n)) == _numel(reference)


@pytest.mark.parametrize("seed", range(8))
def test_inverted_residual_has_torchvisions_parameter_count(seed):
    rng = random.Random(seed)
    m, n, stride, t = rng.randint(1, 64), rng.randint(1, 64), rng.choice([1, 2]), rng.choice([1, 6])
    ours = models.InvertedResidual(m, n, stride, t)
    assert _numel(ours) == _numel(TorchvisionInvertedResidual(m, n, stride, t))


@pytest.mark.parametrize(
    ("m", "n", "stride", "t"), [(16, 16, 1, 6), (16, 24, 2, 6), (16, 16, 1, 1)]
)
def test_inverted_residual_computes_what_torchvisions_block_computes(m, n, stride, t):
    torch.manual_seed(0)
    reference = TorchvisionInvertedResidual(m, n, stride, t).eval()
    for bn in (mod for mod in reference.modules() if isinstance(mod, nn.BatchNorm2d)):
        nn.init.uniform_(bn.running_mean, -1, 1)  # non-trivial statistics, so order matters
        nn.init.uniform_(bn.running_var, 0.5, 2)
    ours = models.InvertedResidual(m, n, stride, t).eval()
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
    block = models.InvertedResidual(8, 8, 1, 6).eval()
    nn.init.zeros_(block.project[1].weight)  # the last BatchNorm outputs its zero shift
    x = torch.randn(1, 8, 5, 5)
    with torch.no_grad():
        torch.testing.assert_close(block(x), x)


def test_the_stage_table_builds_torchvisions_mobilenet_v2_body():
    body = mobilenet_v2().features[1:-1]  # after the stem, before the last 1x1 convolution
    assert _numel(models.mobilenet_v2_blocks()) == _numel(body)


def test_block_plan_marks_the_same_skips_as_torchvision():
    body = mobilenet_v2().features[1:-1]
    plan = models.block_plan(models.mobilenet_v2_blocks())
    assert [row["skip"] for row in plan] == [block.use_res_connect for block in body]


def test_diagram_of_a_block_with_a_skip_adds_the_input_to_the_branch():
    dot = models.block_diagram(models.InvertedResidual(32, 32, 1, 6))
    assert "x -> add;" in dot


def test_diagram_names_the_depthwise_layer_and_its_groups():
    dot = models.block_diagram(models.InvertedResidual(32, 32, 1, 6))  # hidden width 6 * 32
    assert "depthwise Conv2d 192→192, 3×3, groups=192, stride 1" in dot


def test_diagram_labels_an_ordinary_convolution_without_groups():
    dot = models.block_diagram(models.InvertedResidual(32, 32, 1, 6))
    assert "expand.0\\nConv2d 32→192, 1×1, stride 1" in dot


def test_diagram_of_a_block_without_a_skip_has_no_addition():
    dot = models.block_diagram(models.InvertedResidual(32, 64, 2, 6))
    assert 'label="+"' not in dot


PHOTO = np.asarray(sample_photo(48))
IDENTITY = models.MIXER_PRESETS["identity"]


def test_the_sample_photo_is_colour_and_scaled_to_the_width_asked():
    assert (PHOTO.shape[1], PHOTO.shape[2], PHOTO.dtype) == (48, 3, np.uint8)


def test_identity_filters_and_identity_mixer_give_back_the_photo():
    out = models.separable_photo(PHOTO, ["identity"] * 3, IDENTITY)
    np.testing.assert_array_equal(out["mixed"], PHOTO)


def test_the_depthwise_stage_keeps_the_colour_channels_apart():
    changed = PHOTO.copy()
    changed[..., 1] = 255 - changed[..., 1]
    before = models.separable_photo(PHOTO, ["edges", "blur", "sharpen"], IDENTITY)["maps"]
    after = models.separable_photo(changed, ["edges", "blur", "sharpen"], IDENTITY)["maps"]
    assert [np.array_equal(a, b) for a, b in zip(before, after, strict=True)] == [True, False, True]


def test_the_blur_map_is_a_binomial_average_of_the_edge_padded_channel():
    red = np.pad(PHOTO[..., 0].astype(float) / 255, 1, mode="edge")
    h, w = PHOTO.shape[:2]
    taps = np.outer([1, 2, 1], [1, 2, 1]) / 16
    blur = sum(taps[i, j] * red[i : i + h, j : j + w] for i in range(3) for j in range(3))
    out = models.separable_photo(PHOTO, ["blur", "identity", "identity"], IDENTITY)["maps"][0]
    assert np.abs(out.astype(int) - np.round(blur * 255)).max() <= 1


def test_the_pointwise_stage_mixes_each_pixel_by_the_weights():
    mix = models.MIXER_PRESETS["sepia"]
    expected = np.clip(np.einsum("oc,hwc->hwo", np.array(mix), PHOTO / 255), 0, 1)
    out = models.separable_photo(PHOTO, ["identity"] * 3, mix)["mixed"]
    assert np.abs(out.astype(int) - np.round(expected * 255)).max() <= 1


def test_an_unknown_filter_is_refused():
    with pytest.raises(ValueError, match="filters"):
        models.separable_photo(PHOTO, ["emboss", "blur", "blur"], IDENTITY)


def test_mixer_weights_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="between"):
        models.separable_photo(PHOTO, ["blur"] * 3, [[9, 0, 0], [0, 1, 0], [0, 0, 1]])


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
