"""The week's headline figures, read once for the home page and the summary to place.

One `headline()` gives both pages the same readings: how much gradient reaches the first layer of
the course's plain stack, what the course's separable layer costs against a standard one, and the
three formulas the summary prints.
It deliberately leaves out measured results (core.skip_connections.results reads those) and any
page text.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from core import course
from core.numbers import Count, Figure, Percent
from core.separable_convolutions import formulas as separable
from core.skip_connections import formulas as skip
from core.transfer_learning import formulas as transfer


@dataclass(frozen=True)
class Headline:
    """The figures and formulas both the home page and the summary place."""

    factor: Figure  # the course's per-layer gradient factor
    depth: Count  # layers of the plain stack
    first_layer: Percent  # the share of the gradient that reaches layer 1
    kernel: Count  # the course's separable example: kernel side and output channels
    out_channels: Count
    ratio: Percent  # separable cost over standard cost
    reduction: Figure  # standard cost over separable cost, how many times
    ceiling: Figure  # what the reduction approaches as the layer widens
    gradient_tex: str  # g_1 / g_L
    ratio_tex: str  # separable / standard
    rate_tex: str  # eta_d


def headline() -> Headline:
    """The headline readings, from the topics' SymPy formulas on the course's numbers."""
    factor, depth = course.GRADIENT_FACTOR, course.CALCULATOR_DEPTH
    kernel, out_channels = course.RATIO_KERNEL, course.RATIO_OUT_CHANNELS
    return Headline(
        factor=Figure(factor),
        depth=Count(depth),
        first_layer=Percent(skip.gradient_at_first_layer(factor, depth), 2),
        kernel=Count(kernel),
        out_channels=Count(out_channels),
        ratio=Percent(separable.cost_ratio(kernel, out_channels)),
        reduction=Figure(separable.reduction_factor(kernel, out_channels)),
        ceiling=Figure(separable.reduction_ceiling(kernel)),
        gradient_tex=sp.latex(skip.GRADIENT_AT_FIRST_LAYER),
        ratio_tex=sp.latex(separable.COST_RATIO),
        rate_tex=sp.latex(transfer.LEARNING_RATE),
    )
