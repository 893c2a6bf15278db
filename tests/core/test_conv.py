"""core.conv against torch's own layers, and core.numbers' exact reading and formatting."""

import pytest
import sympy as sp
import torch
from torch import nn

from core import conv
from core.layers import params
from core.numbers import approx, exact, fmt


@pytest.mark.parametrize(
    "size, kernel, stride, padding", [(32, 3, 1, 1), (32, 3, 2, 1), (7, 3, 2, 0), (56, 1, 1, 0)]
)
def test_conv_output_size_matches_torch(size, kernel, stride, padding):
    layer = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding)
    out = layer(torch.zeros(1, 1, size, size))
    assert conv.conv_output_size(size, kernel, stride, padding) == out.shape[-1]


@pytest.mark.parametrize("k, m, n", [(3, 64, 128), (1, 3, 5), (7, 16, 2)])
def test_standard_params_match_a_bias_free_conv2d(k, m, n):
    assert conv.standard_params(k, m, n) == params(nn.Conv2d(m, n, k, bias=False))


@pytest.mark.parametrize("channels", [1, 16, 64, 256])
def test_batchnorm_params_match_batchnorm2d(channels):
    assert conv.batchnorm_params(channels) == params(nn.BatchNorm2d(channels))


@pytest.mark.parametrize(
    "value, exact_value",
    [
        ("0.9", sp.Rational(9, 10)),
        (0.1, sp.Rational(1, 10)),
        (3, sp.Integer(3)),
        ("9/10", sp.Rational(9, 10)),
    ],
)
def test_exact_reads_decimals_without_float_error(value, exact_value):
    assert exact(value) == exact_value


@pytest.mark.parametrize(
    "value, spec, text",
    [
        (sp.Integer(73728), "", "73728"),
        (sp.Integer(73728), ",", "73,728"),
        (sp.Rational(16807, 100000), "", "0.16807"),
        (sp.Rational(73, 576), "", "0.1267"),
        (sp.Rational(73, 576), ",", "0.1267"),
        (sp.Rational(73, 576), ".1%", "12.7%"),
        ((sp.Integer(128), sp.Integer(16)), "", "(128, 16)"),
        (sp.Rational(1, 2), "latex", r"\frac{1}{2}"),
        (None, "", ""),
        (sp.Integer(-1), "paren", "(-1)"),
        (4089184256, ".2fG", "4.09"),
        (25557032, ".1fM", "25.6"),
        (sp.Rational(1, 2), "paren", "0.5"),
    ],
)
def test_values_are_formatted_for_reading(value, spec, text):
    assert fmt(value, spec) == text


@pytest.mark.parametrize(
    "value, text",
    [
        (sp.Rational(7, 10) ** 5, "0.1681"),
        (sp.Rational(4, 5) ** 49, r"1.784 \times 10^{-5}"),
        (sp.Integer(2) ** 9999, r"9.975 \times 10^{3009}"),
    ],
)
def test_approximations_are_latex_with_powers_of_ten_where_needed(value, text):
    assert approx(value) == text
