"""The course's formulas, written once as SymPy, for prose, calculators and quizzes alike.

Every function takes plain numbers (int, float, str decimals or SymPy Rationals) and returns
exact SymPy values, so a page can format them and a test can hold them against torch.
Conventions stated once here and on the pages:

- A "multiply-add" (MAC) is one multiplication plus one addition. FLOPs = 2 x MACs; torch's
  FlopCounterMode counts FLOPs, torchvision's "GFLOPS" in its model docs are multiply-adds.
- Convolution costs count the weights only (bias=False, as in the MobileNet paper); D_F is the
  side of the OUTPUT feature map.
- "Layers to threshold" counts how many per-layer factors delta the gradient is multiplied by
  before the product is at or below the threshold tau.

It deliberately leaves out anything that needs torch; tests compare these values with torch.
"""

from __future__ import annotations

import sympy as sp

Number = int | float | str | sp.Expr

delta, tau = sp.symbols("delta tau", positive=True)
L = sp.Symbol("L", positive=True, integer=True)
D_K, M, N, D_F = sp.symbols("D_K M N D_F", positive=True, integer=True)

# Vanishing gradients: a plain stack of L layers scales the gradient by delta per layer.
GRADIENT_AT_FIRST_LAYER = delta ** (L - 1)  # g_1 / g_L
LAYERS_TO_THRESHOLD = sp.ceiling(sp.log(tau) / sp.log(delta))  # smallest k with delta^k <= tau

# Standard convolution: D_K x D_K kernel, M inputs, N outputs, D_F x D_F output map.
STANDARD_PARAMS = D_K**2 * M * N
STANDARD_MACS = D_K**2 * M * N * D_F**2

# Depthwise separable: one D_K x D_K filter per input channel, then a 1 x 1 mixing layer.
DEPTHWISE_PARAMS = D_K**2 * M
POINTWISE_PARAMS = M * N
DEPTHWISE_MACS = D_K**2 * M * D_F**2
POINTWISE_MACS = M * N * D_F**2
SEPARABLE_PARAMS = DEPTHWISE_PARAMS + POINTWISE_PARAMS
SEPARABLE_MACS = DEPTHWISE_MACS + POINTWISE_MACS

# The cost ratio separable / standard, derived rather than typed: it simplifies to 1/N + 1/D_K^2.
COST_RATIO = sp.expand(sp.simplify(SEPARABLE_MACS / STANDARD_MACS))


def exact(value: Number) -> sp.Expr:
    """Turn a number (decimal strings and floats included) into an exact SymPy number."""
    if isinstance(value, sp.Expr):
        return value
    if isinstance(value, float):
        return sp.Rational(repr(value))
    return sp.Rational(value)


def gradient_at_first_layer(factor: Number, depth: Number) -> sp.Expr:
    """Fraction of the output gradient that reaches layer 1 of a plain stack: delta^(L-1)."""
    return GRADIENT_AT_FIRST_LAYER.subs({delta: exact(factor), L: exact(depth)})


def layers_to_threshold(factor: Number, threshold: Number) -> sp.Integer:
    """Fewest per-layer factors delta whose product is at or below tau (0 < delta, tau < 1)."""
    d, t = exact(factor), exact(threshold)
    if not (0 < d < 1 and 0 < t < 1):
        raise ValueError("delta and tau must both lie strictly between 0 and 1")
    k = sp.Integer(LAYERS_TO_THRESHOLD.subs({delta: d, tau: t}))
    # The ceiling of a ratio of logs is evaluated numerically; settle it exactly.
    while k > 1 and d ** (k - 1) <= t:
        k -= 1
    while d**k > t:
        k += 1
    return k


def threshold_derivation(factor: Number, threshold: Number) -> list[str]:
    """LaTeX steps from delta^k <= tau to the number of layers, for the given values."""
    d, t = exact(factor), exact(threshold)
    k = layers_to_threshold(d, t)
    ratio = sp.log(t) / sp.log(d)
    return [
        r"\delta^{k} \le \tau",
        r"k \log\delta \le \log\tau",
        r"k \ge \frac{\log\tau}{\log\delta}\quad(\log\delta < 0 \text{ flips the inequality})",
        rf"k \ge \frac{{\log {sp.latex(t)}}}{{\log {sp.latex(d)}}} = {sp.N(ratio, 6)}",
        rf"k = \left\lceil {sp.N(ratio, 6)} \right\rceil = {k}",
        rf"\text{{check: }} {sp.latex(d)}^{{{k}}} \approx {sp.N(d**k, 4)} \le {sp.latex(t)}"
        rf" < {sp.latex(d)}^{{{k - 1}}} \approx {sp.N(d ** (k - 1), 4)}",
    ]


def conv_output_size(size: Number, kernel: Number, stride: Number = 1, padding: Number = 0):
    """Side of a convolution's output map: floor((size + 2 padding - kernel) / stride) + 1."""
    s, k, st, p = (exact(v) for v in (size, kernel, stride, padding))
    return sp.floor((s + 2 * p - k) / st) + 1


def _conv_subs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number = 1) -> dict:
    return {D_K: exact(kernel), M: exact(in_ch), N: exact(out_ch), D_F: exact(out_size)}


def standard_params(kernel: Number, in_ch: Number, out_ch: Number) -> sp.Integer:
    """Weights of a standard convolution: D_K^2 M N."""
    return STANDARD_PARAMS.subs(_conv_subs(kernel, in_ch, out_ch))


def separable_params(kernel: Number, in_ch: Number, out_ch: Number) -> sp.Integer:
    """Weights of depthwise (D_K^2 M) plus pointwise (M N)."""
    return SEPARABLE_PARAMS.subs(_conv_subs(kernel, in_ch, out_ch))


def standard_macs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number) -> sp.Integer:
    """Multiply-adds of a standard convolution: D_K^2 M N D_F^2."""
    return STANDARD_MACS.subs(_conv_subs(kernel, in_ch, out_ch, out_size))


def separable_macs(kernel: Number, in_ch: Number, out_ch: Number, out_size: Number) -> sp.Integer:
    """Multiply-adds of depthwise plus pointwise: (D_K^2 M + M N) D_F^2."""
    return SEPARABLE_MACS.subs(_conv_subs(kernel, in_ch, out_ch, out_size))


def cost_ratio(kernel: Number, out_ch: Number) -> sp.Rational:
    """Separable cost over standard cost: 1/N + 1/D_K^2 (the same for weights and MACs)."""
    return COST_RATIO.subs({D_K: exact(kernel), N: exact(out_ch)})


def reduction_factor(kernel: Number, out_ch: Number) -> sp.Rational:
    """How many times cheaper the separable pair is: 1 / (1/N + 1/D_K^2)."""
    return 1 / cost_ratio(kernel, out_ch)


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


def ratio_derivation(kernel: Number, out_ch: Number) -> list[str]:
    """LaTeX steps from the two cost expressions to the ratio, symbolic then numeric."""
    k, n = exact(kernel), exact(out_ch)
    r = cost_ratio(k, n)
    return [
        rf"\frac{{{sp.latex(SEPARABLE_MACS)}}}{{{sp.latex(STANDARD_MACS)}}}",
        rf"= \frac{{{sp.latex(sp.factor(SEPARABLE_MACS))}}}{{{sp.latex(STANDARD_MACS)}}}",
        rf"= {sp.latex(COST_RATIO)}",
        rf"= \frac{{1}}{{{sp.latex(n)}}} + \frac{{1}}{{{sp.latex(k)}^2}} = {sp.latex(r)}"
        rf" \approx {sp.N(r, 4)}",
        rf"\text{{reduction}} = 1 / {sp.N(r, 4)} \approx {sp.N(1 / r, 4)}\times",
    ]


# ---------------------------------------------------------------------------------------------
# Separable convolutions: grouped convolutions, MobileNet blocks, arithmetic intensity.
# Counts are weights only unless `batchnorm=True` (BatchNorm adds a scale and a shift per
# channel). Arithmetic intensity assumes stride 1 and "same" padding, so the input and output
# maps are both D_F x D_F, and that every tensor crosses memory exactly once (a lower bound on
# traffic, so the intensity is an upper bound).
# ---------------------------------------------------------------------------------------------

G = sp.Symbol("G", positive=True, integer=True)  # groups= of nn.Conv2d
t = sp.Symbol("t", positive=True, integer=True)  # MobileNetV2 expansion factor
B = sp.Symbol("B", positive=True, integer=True)  # batch size
b = sp.Symbol("b", positive=True, integer=True)  # bytes per element (4 for float32)

# A grouped convolution: each of N filters sees M/G input channels. G = 1 is the standard
# convolution; G = M with N = M is the depthwise one.
GROUPED_PARAMS = D_K**2 * (M / G) * N
GROUPED_MACS = GROUPED_PARAMS * D_F**2

# MobileNetV1 block: depthwise D_K x D_K + BN + ReLU6, pointwise 1 x 1 + BN + ReLU6.
V1_BLOCK_BN_PARAMS = 2 * (M + N)

# MobileNetV2 inverted residual: expand 1 x 1 to t M channels, depthwise, project 1 x 1 to N.
IR_EXPAND_PARAMS = M * (t * M)
IR_DEPTHWISE_PARAMS = D_K**2 * (t * M)
IR_PROJECT_PARAMS = (t * M) * N
INVERTED_RESIDUAL_PARAMS = IR_EXPAND_PARAMS + IR_DEPTHWISE_PARAMS + IR_PROJECT_PARAMS
IR_BN_PARAMS = 2 * (t * M + t * M + N)

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
LAYER_INTENSITY = {k: LAYER_FLOPS[k] / LAYER_BYTES[k] for k in LAYER_MACS}

MAX_CHANNELS = 4096  # wider than any layer of MobileNet or ResNet; beyond it is a typo


def grouped_params(kernel: Number, in_ch: Number, out_ch: Number, groups: Number) -> sp.Integer:
    """Weights of nn.Conv2d(M, N, D_K, groups=G): D_K^2 (M/G) N; G must divide M and N."""
    m, n, g = exact(in_ch), exact(out_ch), exact(groups)
    if g < 1 or m % g or n % g:
        raise ValueError("groups must be a positive divisor of both channel counts")
    return GROUPED_PARAMS.subs({D_K: exact(kernel), M: m, N: n, G: g})


def grouped_macs(
    kernel: Number, in_ch: Number, out_ch: Number, groups: Number, out_size: Number
) -> sp.Integer:
    """Multiply-adds of a grouped convolution: D_K^2 (M/G) N D_F^2."""
    return grouped_params(kernel, in_ch, out_ch, groups) * exact(out_size) ** 2


def mobilenet_v1_block_params(
    kernel: Number, in_ch: Number, out_ch: Number, batchnorm: bool = False
) -> sp.Integer:
    """Weights of a MobileNetV1 block (depthwise + pointwise), plus 2(M + N) with BatchNorm."""
    total = SEPARABLE_PARAMS + (V1_BLOCK_BN_PARAMS if batchnorm else 0)
    return total.subs(_conv_subs(kernel, in_ch, out_ch))


def inverted_residual_breakdown(
    kernel: Number, in_ch: Number, out_ch: Number, expansion: Number
) -> dict[str, sp.Integer]:
    """Hidden width and per-layer weights of an inverted residual; t = 1 has no expand layer."""
    subs = {**_conv_subs(kernel, in_ch, out_ch), t: exact(expansion)}
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
    return {**_conv_subs(kernel, in_ch, out_ch, size), B: exact(batch), b: exact(bytes_per_element)}


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


def arithmetic_intensity(
    layer: str,
    kernel: Number,
    in_ch: Number,
    out_ch: Number,
    size: Number,
    batch: Number = 1,
    bytes_per_element: Number = 4,
) -> sp.Rational:
    """FLOPs per byte moved for one layer; low values mean memory, not arithmetic, sets the pace."""
    subs = _layer_subs(kernel, in_ch, out_ch, size, batch, bytes_per_element)
    return LAYER_INTENSITY[layer].subs(subs)


def reduction_curve(kernel: Number, n_max: int) -> dict[str, list[float]]:
    """Reduction factor 1 / (1/N + 1/D_K^2) for N = 1..n_max, as floats for a chart."""
    reduction = sp.lambdify(N, 1 / COST_RATIO.subs(D_K, exact(kernel)))
    ns = list(range(1, n_max + 1))
    return {"N": ns, "reduction": [float(reduction(n)) for n in ns]}


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
    if max(m, n) > MAX_CHANNELS:
        return f"More than {MAX_CHANNELS:,} channels is beyond any layer of these networks."
    if k > s + 2 * p:
        return f"A {k}x{k} kernel does not fit in a {s}x{s} map padded by {p}."
    return None
