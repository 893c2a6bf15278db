"""The skip-connections formulas against second routes: brute force in floats, and torch."""

import itertools
import math

import pytest
import sympy as sp
import torch
from torch import nn

from core import course
from core.layers import params
from core.skip_connections import formulas
from core.skip_connections.models import ResidualBlock, SmallResNet
from quizzes import bank
from tests.reference import smallest_k_by_multiplying


@pytest.mark.parametrize(
    "delta, tau", [(0.9, 0.01), (0.85, 0.01), (0.5, 0.001), (0.99, 0.05), (0.7, 0.2)]
)
def test_layers_to_threshold_matches_repeated_multiplication(delta, tau):
    assert formulas.layers_to_threshold(delta, tau) == smallest_k_by_multiplying(delta, tau)


def test_layers_to_threshold_counts_an_exact_hit_as_reached():
    # 0.1^2 is exactly 0.01, so two factors reach the threshold (at or below).
    assert formulas.layers_to_threshold("0.1", "0.01") == 2


@pytest.mark.parametrize("delta, tau", [(0, 0.01), (1, 0.01), (1.2, 0.01), (0.9, 0), (0.9, 1)])
def test_layers_to_threshold_refuses_values_outside_the_open_unit_interval(delta, tau):
    with pytest.raises(ValueError):
        formulas.layers_to_threshold(delta, tau)


def test_gradient_at_first_layer_is_exact_for_decimals():
    assert formulas.gradient_at_first_layer("0.7", 6) == sp.Rational(7, 10) ** 5
    assert math.isclose(float(formulas.gradient_at_first_layer(0.7, 6)), 0.7**5)


def test_threshold_derivation_ends_on_the_computed_depth():
    steps = formulas.threshold_derivation("0.9", "0.01")
    assert str(smallest_k_by_multiplying(0.9, 0.01)) in steps[-2]


@pytest.mark.parametrize("in_ch, out_ch", [(32, 64), (64, 128), (3, 5), (128, 64)])
def test_projection_params_match_a_1x1_convolution_and_batchnorm(in_ch, out_ch):
    shortcut = nn.Sequential(nn.Conv2d(in_ch, out_ch, 1, bias=False), nn.BatchNorm2d(out_ch))
    assert formulas.projection_params(in_ch, out_ch) == params(shortcut)


@pytest.mark.parametrize(
    "in_ch, out_ch, stride", [(32, 32, 1), (32, 64, 2), (64, 64, 2), (16, 48, 1), (7, 7, 3)]
)
def test_residual_block_params_match_the_torch_block(in_ch, out_ch, stride):
    block = ResidualBlock(in_ch, out_ch, stride)
    assert formulas.residual_block_params(in_ch, out_ch, stride) == params(block)


@pytest.mark.parametrize(
    "in_shape, out_ch, stride",
    [((64, 32, 32), 128, 2), ((32, 16, 16), 32, 1), ((8, 7, 9), 16, 2), ((4, 5, 5), 4, 3)],
)
def test_block_output_shape_matches_a_forward_pass(in_shape, out_ch, stride):
    block = ResidualBlock(in_shape[0], out_ch, stride).train(False)
    out = block(torch.randn(1, *in_shape))
    assert formulas.block_output_shape(in_shape, out_ch, stride) == tuple(out.shape[1:])


@pytest.mark.parametrize(
    "in_ch, out_ch, stride, side", list(itertools.product([4, 8], [4, 8], [1, 2, 3], [5, 8, 9]))
)
def test_needs_projection_exactly_when_an_identity_shortcut_cannot_be_added(
    in_ch, out_ch, stride, side
):
    block = ResidualBlock(in_ch, out_ch, stride, projection=False).train(False)
    try:
        block(torch.randn(1, in_ch, side, side))
        identity_works = True
    except RuntimeError:
        identity_works = False
    assert formulas.needs_projection(in_ch, out_ch, stride) is not identity_works


@pytest.mark.parametrize("side, width", [(32, 32), (33, 16), (64, 8), (9, 4)])
def test_small_resnet_shapes_match_forward_hooks(side, width):
    model = SmallResNet(width).train(False)
    seen = []
    for name in ("stem", "blocks.0", "blocks.1", "blocks.2", "avgpool", "flatten", "fc"):
        model.get_submodule(name).register_forward_hook(
            lambda _m, _i, out, name=name: seen.append((name, tuple(out.shape)))
        )
    model(torch.randn(2, 3, side, side))
    assert formulas.small_resnet_shapes(2, side, width) == seen


W1 = [[1, "0.5", -2], ["-0.5", 1, "1.5"]]  # (hidden 2, n 3)
W2 = [["0.3", -1], [2, "0.25"], [-1, 1]]  # (n 3, hidden 2)


def _as_tensor(rows) -> torch.Tensor:
    return torch.tensor([[float(v) for v in row] for row in rows], dtype=torch.float64)


@pytest.mark.parametrize("x0", [(0, 0, 0), ("0.2", "-0.4", "0.1"), (1, 2, -1)])
def test_residual_jacobian_matches_torch_autograd(x0):
    a, b = _as_tensor(W1), _as_tensor(W2)
    point = torch.tensor([float(v) for v in x0], dtype=torch.float64)
    expected = torch.autograd.functional.jacobian(lambda v: b @ torch.tanh(a @ v) + v, point)
    got = formulas.residual_jacobian_at(W1, W2, x0)
    assert torch.allclose(torch.tensor(sp.matrix2numpy(got.evalf(), dtype=float)), expected)


def test_residual_jacobian_is_the_jacobian_of_the_whole_block_taken_directly():
    parts = formulas.residual_jacobian(W1, W2)
    x = parts["x"]
    whole = (parts["F"] + x).jacobian(x)  # differentiate H = F(x) + x itself, not F then add I
    assert (parts["dH"] - whole).applyfunc(sp.simplify) == sp.zeros(3, 3)


def test_residual_jacobian_at_the_origin_is_w2_w1_plus_identity():
    expected = _as_tensor(W2) @ _as_tensor(W1) + torch.eye(3, dtype=torch.float64)
    got = formulas.residual_jacobian_at(W1, W2, (0, 0, 0))
    assert torch.allclose(torch.tensor(sp.matrix2numpy(got, dtype=float)), expected)


def test_residual_jacobian_refuses_mismatched_weights():
    with pytest.raises(ValueError):
        formulas.residual_jacobian(W1, W1)


@pytest.mark.parametrize("w1, w2", [(2, "0.5"), ("-1.5", 3), ("0.25", "-0.8")])
def test_scalar_residual_slope_matches_a_finite_difference(w1, w2):
    a, b, h = float(w1), float(w2), 1e-6
    block = lambda x: x + b * torch.tanh(torch.tensor(a * x)).item()  # noqa: E731
    numeric = (block(h) - block(-h)) / (2 * h)
    assert float(formulas.scalar_residual_slope(w1, w2)) == pytest.approx(numeric, rel=1e-6)


class _ScalarBlock(nn.Module):
    """A residual block of K one-unit linear layers, each weight delta: x + F(x)."""

    def __init__(self, delta: float, per_block: int):
        super().__init__()
        self.branch = nn.Sequential(
            *(nn.Linear(1, 1, bias=False, dtype=torch.float64) for _ in range(per_block))
        )
        for layer in self.branch:
            nn.init.constant_(layer.weight, delta)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.branch(x)


def _what_layer_one_receives(delta: float, blocks: int, per_block: int) -> float:
    """Backpropagate through a stack of residual blocks with autograd: d output / d h_1."""
    net = nn.Sequential(*(_ScalarBlock(delta, per_block) for _ in range(blocks)))
    h1 = []

    def keep(_module, _inputs, out):  # layer 1's output, kept with its gradient
        out.retain_grad()
        h1.append(out)

    net[0].branch[0].register_forward_hook(keep)
    net(torch.ones(1, 1, dtype=torch.float64)).sum().backward()
    return h1[0].grad.item()


@pytest.mark.parametrize("factor, blocks, per_block", [("0.7", 3, 2), ("0.9", 5, 2), ("0.5", 4, 3)])
def test_residual_gradient_is_what_autograd_gives_layer_one(factor, blocks, per_block):
    expected = _what_layer_one_receives(float(factor), blocks, per_block)
    got = formulas.residual_gradient(factor, blocks, per_block)
    assert float(got) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("factor, blocks, per_block", [("0.7", 3, 2), ("0.9", 5, 2), ("0.5", 4, 3)])
def test_residual_gradient_contains_the_plain_stacks_path_through_every_layer(
    factor, blocks, per_block
):
    d = sp.Rational(factor)
    crossings = itertools.product((0, per_block), repeat=blocks - 1)  # skip a block, or cross it
    paths = [d ** (per_block - 1 + sum(c)) for c in crossings]
    plain = formulas.gradient_at_first_layer(factor, blocks * per_block)
    assert plain in paths and formulas.residual_gradient(factor, blocks, per_block) == sum(paths)


def test_residual_output_adds_like_torch():
    x, f = ("0.5", 2, -1), (-2, -1, -3)
    expected = torch.tensor([0.5, 2.0, -1.0]) + torch.tensor([-2.0, -1.0, -3.0])
    assert [float(v) for v in formulas.residual_output(x, f)] == expected.tolist()


def test_residual_output_refuses_vectors_of_different_lengths():
    with pytest.raises(ValueError):
        formulas.residual_output((1, 2), (1, 2, 3))


@pytest.mark.parametrize("side, width", [(32, 32), (64, 16)])
def test_small_resnet_feature_shape_is_the_output_of_the_last_block(side, width):
    model = SmallResNet(width).train(False)
    with torch.no_grad():
        features = model.blocks(model.stem(torch.randn(3, 3, side, side)))
    assert formulas.small_resnet_feature_shape(3, side, width) == tuple(features.shape)


def test_sigmoid_max_slope_is_the_largest_slope_autograd_finds():
    z = torch.linspace(-6, 6, 1201, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    assert float(formulas.sigmoid_max_slope()) == pytest.approx(z.grad.max().item(), rel=1e-9)


@pytest.mark.parametrize(
    "factor, regime",
    [(0, "dead"), ("0.5", "vanishing"), (1, "steady"), ("1.01", "exploding"), (-1, "invalid")],
)
def test_gradient_regime_names_what_the_factor_does(factor, regime):
    assert formulas.gradient_regime(factor) == regime


def test_gradient_decay_curve_matches_repeated_multiplication():
    rows = formulas.gradient_decay_curve("0.9", 30)
    product, expected = 1.0, []
    for k in range(30):
        expected.append({"layers": k, "fraction": pytest.approx(product, rel=1e-9)})
        product *= 0.9
    assert rows == expected


def test_gradient_decay_curve_thins_out_deep_stacks_and_stops_before_underflow():
    rows = formulas.gradient_decay_curve("0.5", course.MAX_CALCULATOR_DEPTH)
    assert len(rows) <= 201
    assert all(r["fraction"] > 0 for r in rows)
    assert rows[-1]["fraction"] * 0.5 ** (rows[1]["layers"]) < 1e-300


def test_jacobian_entries_are_labelled_from_one():
    lines = formulas.residual_jacobian_tex(W1, W2)["entries"]
    assert len(lines) == 9
    assert lines[0].startswith(r"\frac{\partial H_1}{\partial x_1}")
    assert lines[-1].startswith(r"\frac{\partial H_3}{\partial x_3}")


@pytest.mark.parametrize(
    "in_ch, out_ch, stride", [(64, 64, 1), (64, 64, 2), (32, 64, 1), (64, 128, 2), (128, 32, 1)]
)
def test_shortcut_params_match_the_torch_blocks_shortcut(in_ch, out_ch, stride):
    assert formulas.shortcut_params(in_ch, out_ch, stride) == params(
        ResidualBlock(in_ch, out_ch, stride).shortcut
    )


@pytest.mark.parametrize(
    "typed, kept",
    [((0.9, 0.01), ("9/10", "1/100")), ((1e-300, 0.5), ("0", "1/2"))]
    + [((0.9999999, 0.00004), ("1", "0")), ((1.23456, 0.123456), ("247/200", "247/2000"))],
)
def test_calculator_keeps_the_decimal_places_its_widgets_show(typed, kept):
    assert formulas.calculator_inputs(*typed) == tuple(sp.Rational(v) for v in kept)


def test_the_slowest_threshold_the_calculator_allows_matches_repeated_multiplication():
    places = course.CALCULATOR_FACTOR_PLACES, course.CALCULATOR_THRESHOLD_PLACES
    factor, tau = 1 - sp.Rational(1, 10 ** places[0]), sp.Rational(1, 10 ** places[1])
    k = smallest_k_by_multiplying(factor, tau)
    assert formulas.layers_to_threshold(factor, tau) == k == 9206  # the bound its comment quotes


# The bank's fixed numbers (choice questions quote shapes and layers), recomputed by torch.


def test_course_q1s_projection_layer_maps_x_to_the_shape_of_f_of_x():
    x = torch.randn(1, 64, 32, 32)
    projection = nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False)
    wrong = nn.Conv2d(64, 128, kernel_size=3, stride=1, padding=1)
    branch_shape = formulas.block_output_shape((64, 32, 32), 128, 2)
    assert tuple(projection(x).shape[1:]) == branch_shape == (128, 16, 16)
    assert tuple(wrong(x).shape[1:]) != branch_shape


def test_only_the_option_keeping_the_shape_can_use_the_identity():
    question = bank.bank()["skip-identity-or-projection"]
    free = []
    for option in question.options:
        out_ch, stride = (int(word) for word in option.replace(",", "").split() if word.isdigit())
        if not formulas.needs_projection(64, out_ch, stride):
            free.append(option)
    assert free == [question.expected]


def test_the_course_hint_counts_layers_by_repeated_multiplication():
    hint = formulas.course_hint()
    layers = smallest_k_by_multiplying(float(course.HINT_FACTOR), float(course.HINT_THRESHOLD))
    assert (hint.factor.text, hint.threshold.text, hint.layers.value) == ("0.85", "0.01", layers)


def test_the_counter_examples_slopes_are_one_plus_w1_w2():
    for example, (w1, w2) in zip(formulas.counter_examples(), course.COUNTER_EXAMPLES, strict=True):
        assert float(example.slope.value) == 1 + float(w1) * float(w2)
        assert (example.w1.text, example.w2.text) == (w1, w2)


def test_the_checkpoint_reads_as_lists():
    x, branch = formulas.checkpoint_vectors()
    assert (x.text, branch.text) == ("[5, 2, 4]", "[-2, -1, -3]")


@pytest.mark.parametrize(("threshold", "refused"), [("0", True), ("1", True), ("0.05", False)])
def test_a_threshold_outside_zero_and_one_is_refused_in_words(threshold, refused):
    assert (formulas.threshold_problem(threshold) is not None) is refused
