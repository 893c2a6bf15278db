"""Convolution arithmetic every topic uses, as SymPy: output side, weights, MACs, BatchNorm.

Conventions stated once here and on the pages: a "multiply-add" (MAC) is one multiplication plus
one addition, and FLOPs = 2 x MACs (torch's FlopCounterMode counts FLOPs; torchvision's "GFLOPS"
in its model docs are multiply-adds). Weights exclude bias, as in the MobileNet and ResNet papers
(a BatchNorm follows). D_F is the side of the OUTPUT feature map.
It deliberately leaves out anything that needs torch; tests compare these values with torch.
"""

from __future__ import annotations

import sympy as sp

from core.numbers import Number, exact

D_K, M, N, D_F = sp.symbols("D_K M N D_F", positive=True, integer=True)
C = sp.Symbol("C", positive=True, integer=True)  # channels of a BatchNorm

# Standard convolution: D_K x D_K kernel, M inputs, N outputs, D_F x D_F output map.
STANDARD_PARAMS = D_K**2 * M * N
STANDARD_MACS = D_K**2 * M * N * D_F**2
BATCHNORM_PARAMS = 2 * C  # a learned scale and shift per channel


def conv_output_size(size: Number, kernel: Number, stride: Number = 1, padding: Number = 0):
    """Side of a convolution's output map: floor((size + 2 padding - kernel) / stride) + 1."""
    s, k, st, p = (exact(v) for v in (size, kernel, stride, padding))
    return sp.floor((s + 2 * p - k) / st) + 1


def conv_subs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number = 1) -> dict:
    """The substitution {D_K, M, N, D_F} for one layer."""
    return {D_K: exact(kernel), M: exact(in_ch), N: exact(out_ch), D_F: exact(out_size)}


def standard_params(kernel: Number, in_ch: Number, out_ch: Number) -> sp.Integer:
    """Weights of a standard convolution: D_K^2 M N."""
    return STANDARD_PARAMS.subs(conv_subs(kernel, in_ch, out_ch))


def standard_macs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number) -> sp.Integer:
    """Multiply-adds of a standard convolution: D_K^2 M N D_F^2."""
    return STANDARD_MACS.subs(conv_subs(kernel, in_ch, out_ch, out_size))


def batchnorm_params(channels: Number) -> sp.Integer:
    """Learned parameters of a BatchNorm layer: a scale and a shift per channel."""
    return BATCHNORM_PARAMS.subs(C, exact(channels))
