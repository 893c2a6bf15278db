"""What the separable page's widgets may take, and why a value is refused, in one sentence.

Each function returns None when the values are fine, else the sentence the page shows.
It deliberately leaves out the formulas themselves (core.separable_convolutions.formulas).
"""

from __future__ import annotations

import sympy as sp

from core import course
from core.numbers import Number, exact
from core.separable_convolutions.formulas import cost_ratio, reduction_factor


def conv_shape_problem(
    kernel: Number,
    in_ch: Number,
    out_ch: Number,
    size: Number,
    stride: Number = 1,
    padding: Number = 0,
) -> str | None:
    """Why a convolution shape cannot be built, in one sentence; None when it is fine."""
    k, m, n, s, st, p = (exact(v) for v in (kernel, in_ch, out_ch, size, stride, padding))
    if min(k, m, n, s, st) < 1 or p < 0:
        return "Sizes, channels and stride must be at least 1, and padding at least 0."
    if max(m, n) > course.MAX_CHANNELS:
        return f"More than {course.MAX_CHANNELS:,} channels is beyond any layer of these networks."
    if k > s + 2 * p:
        return f"A {k}x{k} kernel does not fit in a {s}x{s} map padded by {p}."
    return None


def separable_problem(kernel: Number, out_ch: Number) -> str | None:
    """Why factorising saves nothing for this kernel and N, in one sentence; None when it saves."""
    if reduction_factor(kernel, out_ch) > 1:
        return None
    ratio = cost_ratio(kernel, out_ch)
    return (
        f"With D_K = {kernel} and N = {out_ch} the separable pair costs {sp.N(ratio, 3)} times the "
        "standard layer: a 1x1 kernel or a single output channel leaves nothing to factorise."
    )
