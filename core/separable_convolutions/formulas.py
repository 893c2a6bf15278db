"""The separable-convolutions topic's formulas, written once as SymPy.

Every function takes plain numbers and returns exact SymPy values (conventions in core.conv:
weights without bias, MACs = multiply-adds, FLOPs = 2 MACs, D_F the output side). Counts are
weights only unless `batchnorm=True` (BatchNorm adds a scale and a shift per channel). Arithmetic
intensity assumes stride 1 and "same" padding, so the input and output maps are both D_F x D_F,
and that every tensor crosses memory exactly once (a lower bound on traffic, so the intensity is an
upper bound). The exceptions to "exact SymPy values": reduction_curve gives floats for a chart, and
the page's worked figures (layer_costs, threshold_reading, course_examples_reading) come as
readings (core.numbers) whose text a page places as it is.
It deliberately leaves out anything that needs torch, the course's numbers (core.course) and the
sentences that refuse a widget's values (core.separable_convolutions.inputs).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from core import course
from core.conv import (
    D_F,
    D_K,
    STANDARD_MACS,
    STANDARD_PARAMS,
    M,
    N,
    conv_output_size,
    conv_subs,
    standard_macs,
    standard_params,
)
from core.numbers import Count, Figure, Number, Percent, approx, derivation, exact, fmt

G = sp.Symbol("G", positive=True, integer=True)  # groups= of nn.Conv2d
t = sp.Symbol("t", positive=True, integer=True)  # MobileNetV2 expansion factor
B = sp.Symbol("B", positive=True, integer=True)  # batch size
b = sp.Symbol("b", positive=True, integer=True)  # bytes per element (4 for float32)

# Depthwise separable: one D_K x D_K filter per input channel, then a 1 x 1 mixing layer.
DEPTHWISE_PARAMS = D_K**2 * M
POINTWISE_PARAMS = M * N
DEPTHWISE_MACS = D_K**2 * M * D_F**2
POINTWISE_MACS = M * N * D_F**2
SEPARABLE_PARAMS = DEPTHWISE_PARAMS + POINTWISE_PARAMS
SEPARABLE_MACS = DEPTHWISE_MACS + POINTWISE_MACS

# The cost ratio separable / standard, derived rather than typed: it simplifies to 1/N + 1/D_K^2.
COST_RATIO = sp.expand(sp.simplify(SEPARABLE_MACS / STANDARD_MACS))

# A grouped convolution: each of N filters sees M/G input channels. G = 1 is the standard
# convolution; G = M with N = M is the depthwise one.
GROUPED_PARAMS = D_K**2 * (M / G) * N

# MobileNetV1 block: depthwise D_K x D_K + BN + ReLU6, pointwise 1 x 1 + BN + ReLU6.
V1_BLOCK_BN_PARAMS = 2 * (M + N)

# MobileNetV2 inverted residual: expand 1 x 1 to t M channels, depthwise, project 1 x 1 to N.
IR_EXPAND_PARAMS = M * (t * M)
IR_DEPTHWISE_PARAMS = D_K**2 * (t * M)
IR_PROJECT_PARAMS = (t * M) * N
IR_BN_PARAMS = 2 * (t * M + t * M + N)

# MobileNetV2's architecture (Sandler et al. 2018, Table 2; torchvision's
# inverted_residual_setting): a 3x3 stride-2 stem to 32 channels, then rows of n blocks of
# expansion t and c output channels, the first of a row with stride s, then a 1x1 convolution to
# 1280 channels, what the classifier sees. Models build from it; tests count from it.
MOBILENET_V2_STEM = 32
# t, c, n, s
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
MOBILENET_V2_LAST = 1280

# One layer's FLOPs over the bytes it must move: B images in and out, the weights once.
LAYER_MACS = {"standard": STANDARD_MACS, "depthwise": DEPTHWISE_MACS, "pointwise": POINTWISE_MACS}
LAYER_PARAMS = {
    "standard": STANDARD_PARAMS,
    "depthwise": DEPTHWISE_PARAMS,
    "pointwise": POINTWISE_PARAMS,
}
LAYER_OUT_CHANNELS = {"standard": N, "depthwise": M, "pointwise": N}
LAYER_FLOPS = {k: 2 * B * macs for k, macs in LAYER_MACS.items()}
LAYER_BYTES = {
    k: b * (B * (M + LAYER_OUT_CHANNELS[k]) * D_F**2 + LAYER_PARAMS[k]) for k in LAYER_MACS
}


def separable_params(kernel: Number, in_ch: Number, out_ch: Number) -> sp.Integer:
    """Weights of depthwise (D_K^2 M) plus pointwise (M N)."""
    return SEPARABLE_PARAMS.subs(conv_subs(kernel, in_ch, out_ch))


def separable_macs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number) -> sp.Integer:
    """Multiply-adds of depthwise plus pointwise: (D_K^2 M + M N) D_F^2."""
    return SEPARABLE_MACS.subs(conv_subs(kernel, in_ch, out_ch, out_size))


def cost_ratio(kernel: Number, out_ch: Number) -> sp.Rational:
    """Separable cost over standard cost: 1/N + 1/D_K^2 (the same for weights and MACs)."""
    return COST_RATIO.subs({D_K: exact(kernel), N: exact(out_ch)})


def reduction_factor(kernel: Number, out_ch: Number) -> sp.Rational:
    """How many times cheaper the separable pair is: 1 / (1/N + 1/D_K^2)."""
    return 1 / cost_ratio(kernel, out_ch)


def reduction_ceiling(kernel: Number) -> sp.Integer:
    """The limit of the reduction factor as N grows without bound (D_K^2), taken by SymPy."""
    return sp.limit(1 / COST_RATIO.subs(D_K, exact(kernel)), N, sp.oo)


def min_channels_for_reduction(kernel: Number, factor: Number) -> sp.Integer | None:
    """Smallest whole N whose reduction factor strictly exceeds `factor`; None if unreachable."""
    k, f = exact(kernel), exact(factor)
    if f <= 0:
        return sp.Integer(1)
    if f >= k**2:
        return None  # the reduction approaches D_K^2 but never reaches it
    n_real = sp.Symbol("n", positive=True)  # N relaxed to a real number to solve the equation
    n_star = sp.solve(sp.Eq(1 / (1 / n_real + 1 / k**2), f), n_real)[0]  # reduction equals f
    n = sp.floor(n_star) + 1
    while n > 1 and reduction_factor(k, n - 1) > f:
        n -= 1
    return sp.Integer(n)


def threshold_facts(kernel: Number, factor: Number) -> dict | None:
    """The smallest N beating `factor`, its reduction, and the reduction one channel earlier."""
    n = min_channels_for_reduction(kernel, factor)
    if n is None:
        return None
    return {
        "N": n,
        "reduction": reduction_factor(kernel, n),
        "previous N": n - 1,
        "previous reduction": reduction_factor(kernel, n - 1) if n > 1 else None,
    }


@dataclass(frozen=True)
class Threshold:
    """Where the reduction first beats a target, and what the course's hinted N gives instead."""

    n: int  # the smallest whole N whose reduction exceeds the target
    reduction: Figure  # at n
    previous_n: int
    previous_reduction: Figure  # at n - 1
    ceiling: int  # D_K^2, which the reduction approaches and never reaches
    inequality_tex: str
    hint_n: int  # the course's "plug in N = 9"
    hint_reduction: Figure


def threshold_reading(kernel: Number, factor: Number) -> Threshold | None:
    """threshold_facts and the course's hint as the page states them; None if unreachable."""
    facts = threshold_facts(kernel, factor)
    if facts is None:
        return None
    hint_n = course.COURSE_HINT_N
    return Threshold(
        n=int(facts["N"]),
        reduction=Figure(facts["reduction"]),
        previous_n=int(facts["previous N"]),
        previous_reduction=Figure(facts["previous reduction"]),
        ceiling=int(reduction_ceiling(kernel)),
        inequality_tex=reduction_inequality_tex(kernel, factor),
        hint_n=hint_n,
        hint_reduction=Figure(reduction_factor(kernel, hint_n)),
    )


def reduction_inequality_tex(kernel: Number, factor: Number) -> str:
    """LaTeX of 'the reduction exceeds factor' for this kernel, N left as the unknown."""
    return rf"{sp.latex(1 / COST_RATIO.subs(D_K, exact(kernel)))} > {sp.latex(exact(factor))}"


def ratio_derivation(kernel: Number, out_ch: Number) -> list[str]:
    """LaTeX steps from the two cost expressions to the ratio, symbolic then numeric."""
    k, n = exact(kernel), exact(out_ch)
    r = cost_ratio(k, n)
    return [
        rf"\frac{{{sp.latex(SEPARABLE_MACS)}}}{{{sp.latex(STANDARD_MACS)}}}",
        rf"= \frac{{{sp.latex(sp.factor(SEPARABLE_MACS))}}}{{{sp.latex(STANDARD_MACS)}}}",
        rf"= {sp.latex(COST_RATIO)}",
        rf"= \frac{{1}}{{{sp.latex(n)}}} + \frac{{1}}{{{sp.latex(k)}^2}} = {sp.latex(r)}"
        rf" \approx {approx(r)}",
        rf"\text{{reduction}} = 1 / {approx(r)} \approx {approx(1 / r)}\times",
    ]


def standard_cost_derivation(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number):
    """LaTeX steps for a standard layer's weights, then its multiply-adds."""
    values = {D_K: kernel, M: in_ch, N: out_ch, D_F: out_size}
    return derivation(r"\text{weights}", STANDARD_PARAMS, values) + derivation(
        r"\text{multiply-adds}", STANDARD_MACS, values
    )


def inverted_residual_derivation(kernel: Number, in_ch: Number, out_ch: Number, expansion: Number):
    """LaTeX steps for an inverted residual's weights (t = 1 has no expand layer)."""
    layers = IR_DEPTHWISE_PARAMS + IR_PROJECT_PARAMS
    weights = layers if exact(expansion) == 1 else IR_EXPAND_PARAMS + layers
    values = {D_K: kernel, M: in_ch, N: out_ch, t: expansion}
    return derivation(r"\text{weights}", weights, values)


def cost_formulas_tex() -> dict[str, str]:
    """The cost expressions as LaTeX, for the page's headline formulas."""
    names = {
        "standard_params": STANDARD_PARAMS,
        "standard_macs": STANDARD_MACS,
        "depthwise_macs": DEPTHWISE_MACS,
        "pointwise_macs": POINTWISE_MACS,
        "ratio": COST_RATIO,
    }
    return {name: sp.latex(expr) for name, expr in names.items()}


def grouped_params(kernel: Number, in_ch: Number, out_ch: Number, groups: Number) -> sp.Integer:
    """Weights of nn.Conv2d(M, N, D_K, groups=G): D_K^2 (M/G) N; G must divide M and N."""
    m, n, g = exact(in_ch), exact(out_ch), exact(groups)
    if g < 1 or m % g or n % g:
        raise ValueError("groups must be a positive divisor of both channel counts")
    return GROUPED_PARAMS.subs({D_K: exact(kernel), M: m, N: n, G: g})


def mobilenet_v1_block_params(
    kernel: Number, in_ch: Number, out_ch: Number, batchnorm: bool = False
) -> sp.Integer:
    """Weights of a MobileNetV1 block (depthwise + pointwise), plus 2(M + N) with BatchNorm."""
    total = SEPARABLE_PARAMS + (V1_BLOCK_BN_PARAMS if batchnorm else 0)
    return total.subs(conv_subs(kernel, in_ch, out_ch))


def inverted_residual_breakdown(
    kernel: Number, in_ch: Number, out_ch: Number, expansion: Number
) -> dict[str, sp.Integer]:
    """Hidden width and per-layer weights of an inverted residual; t = 1 has no expand layer."""
    subs = {**conv_subs(kernel, in_ch, out_ch), t: exact(expansion)}
    has_expand = exact(expansion) != 1  # as in torchvision: t = 1 goes straight to depthwise
    return {
        "hidden": (t * M).subs(subs),
        "expand": IR_EXPAND_PARAMS.subs(subs) if has_expand else sp.Integer(0),
        "depthwise": IR_DEPTHWISE_PARAMS.subs(subs),
        "project": IR_PROJECT_PARAMS.subs(subs),
        "batchnorm": (IR_BN_PARAMS if has_expand else IR_BN_PARAMS - 2 * t * M).subs(subs),
    }


def inverted_residual_params(
    kernel: Number, in_ch: Number, out_ch: Number, expansion: Number, batchnorm: bool = False
) -> sp.Integer:
    """Weights of expand (t M^2) + depthwise (D_K^2 t M) + project (t M N), BatchNorm optional."""
    parts = inverted_residual_breakdown(kernel, in_ch, out_ch, expansion)
    weights = parts["expand"] + parts["depthwise"] + parts["project"]
    return weights + (parts["batchnorm"] if batchnorm else 0)


def _layer_subs(kernel, in_ch, out_ch, size, batch, bytes_per_element) -> dict:
    return {**conv_subs(kernel, in_ch, out_ch, size), B: exact(batch), b: exact(bytes_per_element)}


def layer_flops(
    layer: str, kernel: Number, in_ch: Number, out_ch: Number, size: Number, batch: Number = 1
) -> sp.Integer:
    """FLOPs (2 per multiply-add) of one 'standard', 'depthwise' or 'pointwise' layer."""
    return LAYER_FLOPS[layer].subs(_layer_subs(kernel, in_ch, out_ch, size, batch, 1))


def layer_bytes(
    layer: str,
    kernel: Number,
    in_ch: Number,
    out_ch: Number,
    size: Number,
    batch: Number = 1,
    bytes_per_element: Number = 4,
) -> sp.Integer:
    """Least bytes a layer moves: its input and output maps and its weights, each once."""
    subs = _layer_subs(kernel, in_ch, out_ch, size, batch, bytes_per_element)
    return LAYER_BYTES[layer].subs(subs)


def reduction_curve(kernel: Number, n_max: int) -> list[dict]:
    """Reduction factor 1 / (1/N + 1/D_K^2) for N = 1..n_max, as float rows for a chart."""
    reduction = sp.lambdify(N, 1 / COST_RATIO.subs(D_K, exact(kernel)))
    return [{"N": n, "reduction": float(reduction(n))} for n in range(1, n_max + 1)]


@dataclass(frozen=True)
class LayerCosts:
    """A standard layer's output side, weights and multiply-adds; its separable pair's weights."""

    out_size: int  # D_F
    standard_params: Count
    standard_macs: Count  # per image
    separable_params: Count


def layer_costs(
    kernel: Number, in_ch: Number, out_ch: Number, size: Number, stride: Number, padding: Number
) -> LayerCosts:
    """The calculator's costs for a convolution that inputs.conv_shape_problem accepts."""
    d_f = conv_output_size(size, kernel, stride, padding)
    return LayerCosts(
        out_size=int(d_f),
        standard_params=Count(standard_params(kernel, in_ch, out_ch)),
        standard_macs=Count(standard_macs(kernel, in_ch, out_ch, d_f)),
        separable_params=Count(separable_params(kernel, in_ch, out_ch)),
    )


def course_examples() -> list[dict]:
    """The course's worked examples: weights, multiply-adds, ratio and reduction, where defined."""
    rows = []
    for name, v in course.SEPARABLE_EXAMPLES:
        k, m, n, d_f = v["D_K"], v["M"], v["N"], v["D_F"]
        row = {"example": name, **v}
        row["standard weights"] = standard_params(k, m, n) if m else None
        row["separable weights"] = separable_params(k, m, n) if m else None
        row["standard MACs"] = standard_macs(k, m, n, d_f) if m and d_f else None
        row["separable MACs"] = separable_macs(k, m, n, d_f) if m and d_f else None
        row["ratio"] = cost_ratio(k, n)
        row["saving"] = 1 - row["ratio"]  # the course's "87% reduction" is this saving
        row["reduction"] = reduction_factor(k, n)
        rows.append(row)
    return rows


@dataclass(frozen=True)
class CourseExamples:
    """The course's worked examples as the page shows them, and its first example's figures."""

    table: dict[str, dict[str, str]]  # per example, each figure as text (blank where none is given)
    saving: Percent  # the first example's 1 - ratio: the course's "87% reduction"
    out_channels: int  # the first example's N and D_K
    kernel: int
    reduction: Figure  # its reduction factor, 1 / ratio
    ceiling: Figure  # D_K^2, which the reduction never reaches


def course_examples_reading() -> CourseExamples:
    """course_examples read into a table of text and the first example's figures."""
    examples = course_examples()
    first = examples[0]
    table = {
        row["example"]: {k: fmt(v, ",") for k, v in row.items() if k != "example"}
        for row in examples
    }
    return CourseExamples(
        table=table,
        saving=Percent(first["saving"], 0),
        out_channels=first["N"],
        kernel=first["D_K"],
        reduction=Figure(first["reduction"]),
        ceiling=Figure(reduction_ceiling(first["D_K"])),
    )
