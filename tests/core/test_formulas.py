"""core.formulas against second routes: brute force in floats, and torch's own layers."""

import math

import pytest
import sympy as sp

from core import formulas


def smallest_k_by_multiplying(delta: float, tau: float) -> int:
    product, k = 1.0, 0
    while product > tau:
        product *= delta
        k += 1
    return k


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


def test_cost_ratio_is_derived_as_one_over_n_plus_one_over_kernel_squared():
    assert sp.simplify(formulas.COST_RATIO - (1 / formulas.N + 1 / formulas.D_K**2)) == 0


@pytest.mark.parametrize("kernel, factor", [(3, 8), (3, 5), (5, 8), (5, 20), (7, 40)])
def test_min_channels_for_reduction_is_the_first_n_found_by_search(kernel, factor):
    first = next(n for n in range(1, 10_000) if 1 / (1 / n + 1 / kernel**2) > factor)
    assert formulas.min_channels_for_reduction(kernel, factor) == first


def test_min_channels_for_reduction_is_none_at_or_beyond_the_kernel_ceiling():
    assert formulas.min_channels_for_reduction(3, 9) is None


def test_threshold_derivation_ends_on_the_computed_depth():
    steps = formulas.threshold_derivation("0.9", "0.01")
    assert str(smallest_k_by_multiplying(0.9, 0.01)) in steps[-2]


@pytest.mark.parametrize(
    "size, kernel, stride, padding", [(32, 3, 1, 1), (32, 3, 2, 1), (7, 3, 2, 0), (56, 1, 1, 0)]
)
def test_conv_output_size_matches_torch(size, kernel, stride, padding):
    torch = pytest.importorskip("torch")
    conv = torch.nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
    out = conv(torch.zeros(1, 1, size, size))
    assert formulas.conv_output_size(size, kernel, stride, padding) == out.shape[-1]
