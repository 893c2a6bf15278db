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
    dt, tt = _decimal_tex(d), _decimal_tex(t)
    return [
        r"\delta^{k} \le \tau",
        r"k \log\delta \le \log\tau",
        r"k \ge \frac{\log\tau}{\log\delta}\quad(\log\delta < 0 \text{ flips the inequality})",
        rf"k \ge \frac{{\log {tt}}}{{\log {dt}}} = {sp.N(ratio, 6)}",
        rf"k = \left\lceil {sp.N(ratio, 6)} \right\rceil = {k}",
        rf"\text{{check: }} {dt}^{{{k}}} \approx {sp.N(d**k, 4)} \le {tt}"
        rf" < {dt}^{{{k - 1}}} \approx {sp.N(d ** (k - 1), 4)}",
    ]


def decimal_text(value: sp.Expr, max_chars: int = 12) -> str | None:
    """A rational as its exact decimal (9/10 -> "0.9") when that is short; otherwise None."""
    if not value.is_Rational:
        return None
    q = int(value.q)
    for p in (2, 5):
        while q % p == 0:
            q //= p
    if q != 1:
        return None
    text = format(sp.Float(value, 40), "f").rstrip("0").rstrip(".")
    return text if len(text) <= max_chars else None


def _decimal_tex(value: sp.Expr) -> str:
    """A number for a derivation: a short decimal when it has one, else SymPy's LaTeX."""
    return decimal_text(value) or rf"\left({sp.latex(value)}\right)"


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
# traffic, so the intensity is an upper bound). Exceptions to "exact SymPy values": reduction_curve
# gives floats for charts, and the *_problem functions give a sentence (or None) for a page.
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


# Residual blocks
# The ResNet basic block: two 3x3 conv + BN layers, and on the shortcut either the identity or a
# projection (1x1 conv, no bias, + BN). Every BatchNorm has a scale and a shift per channel.

C_in, C_out = sp.symbols("C_in C_out", positive=True, integer=True)
BATCHNORM_PARAMS = 2 * C_out
PROJECTION_PARAMS = STANDARD_PARAMS.subs({D_K: 1, M: C_in, N: C_out}) + BATCHNORM_PARAMS
BLOCK_BRANCH_PARAMS = (
    STANDARD_PARAMS.subs({D_K: 3, M: C_in, N: C_out})
    + STANDARD_PARAMS.subs({D_K: 3, M: C_out, N: C_out})
    + 2 * BATCHNORM_PARAMS
)

# Exercise 1's scalar model: each layer scales the gradient by delta; a residual block of K layers
# passes it through the identity (factor 1) plus the branch (factor delta^K), so B blocks give
# (1 + delta^K)^B, a sum over the 2^B paths from the identity-only path (1) to the full one.
LAYERS_PER_BLOCK, BLOCKS = sp.symbols("K B", positive=True, integer=True)
RESIDUAL_GRADIENT = (1 + delta**LAYERS_PER_BLOCK) ** BLOCKS


def batchnorm_params(channels: Number) -> sp.Integer:
    """Learned parameters of a BatchNorm layer: a scale and a shift per channel."""
    return BATCHNORM_PARAMS.subs(C_out, exact(channels))


def needs_projection(in_ch: Number, out_ch: Number, stride: Number) -> bool:
    """Whether the shortcut needs a projection: the block changes the channels or the map size.

    When the output map is larger than 1x1 this is exactly when the output shape differs from the
    input's; for a 1x1 output torch would broadcast a forgotten identity silently, without error.
    """
    return exact(in_ch) != exact(out_ch) or exact(stride) != 1


def projection_params(in_ch: Number, out_ch: Number) -> sp.Integer:
    """Parameters of a projection shortcut: a bias-free 1x1 conv (C_in C_out) plus BN (2 C_out)."""
    return PROJECTION_PARAMS.subs({C_in: exact(in_ch), C_out: exact(out_ch)})


def shortcut_params(in_ch: Number, out_ch: Number, stride: Number = 1) -> sp.Integer:
    """Parameters of a basic block's shortcut: a projection's if it needs one, else 0."""
    if needs_projection(in_ch, out_ch, stride):
        return projection_params(in_ch, out_ch)
    return sp.Integer(0)


def residual_block_params(in_ch: Number, out_ch: Number, stride: Number = 1) -> sp.Integer:
    """Parameters of a basic block: two 3x3 convs and two BNs, plus a projection if it needs one."""
    branch = BLOCK_BRANCH_PARAMS.subs({C_in: exact(in_ch), C_out: exact(out_ch)})
    if needs_projection(in_ch, out_ch, stride):
        return branch + projection_params(in_ch, out_ch)
    return branch


def block_output_shape(in_shape, out_ch: Number, stride: Number = 1) -> tuple:
    """(C, H, W) after a basic block: 3x3 convs with padding 1, the first with the given stride."""
    _, height, width = (exact(v) for v in in_shape)
    return (
        exact(out_ch),
        conv_output_size(height, 3, stride, 1),
        conv_output_size(width, 3, stride, 1),
    )


def residual_output(x, f) -> tuple:
    """H(x) = F(x) + x, element by element, for the branch output F(x) at the input x."""
    if len(x) != len(f):
        raise ValueError("x and F(x) must have the same length")
    return tuple(exact(a) + exact(b) for a, b in zip(x, f, strict=True))


def residual_gradient(factor: Number, blocks: Number, layers_per_block: Number = 2) -> sp.Expr:
    """Scalar model of the gradient through B residual blocks of K layers: (1 + delta^K)^B."""
    subs = {delta: exact(factor), LAYERS_PER_BLOCK: exact(layers_per_block), BLOCKS: exact(blocks)}
    return RESIDUAL_GRADIENT.subs(subs)


def scalar_residual_slope(w1: Number, w2: Number) -> sp.Expr:
    """dH/dx at x = 0 for the one-unit block H(x) = x + w2 tanh(w1 x): 1 + w1 w2."""
    x = sp.Symbol("x")
    h = x + exact(w2) * sp.tanh(exact(w1) * x)
    return sp.diff(h, x).subs(x, 0)


def residual_jacobian(w1, w2) -> dict:
    """The block H(x) = F(x) + x with F(x) = W2 tanh(W1 x), and its Jacobians, as SymPy matrices.

    Returns W1, W2, x (input symbols), F, dF/dx and dH/dx = dF/dx + I; W1 is (hidden, n) and W2
    (n, hidden).
    """
    a = sp.Matrix([[exact(v) for v in row] for row in w1])
    b = sp.Matrix([[exact(v) for v in row] for row in w2])
    if b.shape != (a.shape[1], a.shape[0]):
        raise ValueError("W2 must have the transposed shape of W1 so that F(x) has x's shape")
    x = sp.Matrix(sp.symbols(f"x_1:{a.shape[1] + 1}"))
    f = b * (a * x).applyfunc(sp.tanh)
    jac_f = f.jacobian(x)
    return {"W1": a, "W2": b, "x": x, "F": f, "dF": jac_f, "dH": jac_f + sp.eye(a.shape[1])}


def jacobian_entries_latex(jacobian: sp.Matrix, name: str = "H") -> list[str]:
    """One LaTeX line per entry: dH_i/dx_j = ..., with 1-based indices as in the prose."""
    return [
        rf"\frac{{\partial {name}_{i + 1}}}{{\partial x_{j + 1}}} = {sp.latex(jacobian[i, j])}"
        for i in range(jacobian.rows)
        for j in range(jacobian.cols)
    ]


def residual_jacobian_at(w1, w2, x0) -> sp.Matrix:
    """dH/dx = dF/dx + I of the block above, at the point x0 (exact, with tanh of rationals)."""
    parts = residual_jacobian(w1, w2)
    return parts["dH"].subs(dict(zip(parts["x"], (exact(v) for v in x0), strict=True)))


def small_resnet_params(width: Number = 32, classes: Number = 10) -> sp.Integer:
    """Parameters of SmallResNet: stem conv + BN, blocks (w,w,1) (w,2w,2) (2w,2w,1), linear head."""
    w, k = exact(width), exact(classes)
    stem = standard_params(3, 3, w) + batchnorm_params(w)
    blocks = (
        residual_block_params(w, w, 1)
        + residual_block_params(w, 2 * w, 2)
        + residual_block_params(2 * w, 2 * w, 1)
    )
    return stem + blocks + 2 * w * k + k


def small_resnet_shapes(
    batch: Number = 8, side: Number = 32, width: Number = 32, classes: Number = 10
) -> list[tuple]:
    """(stage, shape) of SmallResNet on a (batch, 3, side, side) input, stem to head."""
    b, w = exact(batch), exact(width)
    s1 = sp.floor(conv_output_size(side, 3, 1, 1) / 2)  # the 3x3 conv keeps the side; pool halves
    c1, h1, _ = block_output_shape((w, s1, s1), w, 1)
    c2, h2, _ = block_output_shape((c1, h1, h1), 2 * w, 2)
    c3, h3, _ = block_output_shape((c2, h2, h2), 2 * w, 1)
    return [
        ("stem", (b, w, s1, s1)),
        ("blocks.0", (b, c1, h1, h1)),
        ("blocks.1", (b, c2, h2, h2)),
        ("blocks.2", (b, c3, h3, h3)),
        ("avgpool", (b, c3, 1, 1)),
        ("flatten", (b, c3)),
        ("fc", (b, exact(classes))),
    ]


def small_resnet_feature_shape(batch: Number = 8, side: Number = 32, width: Number = 32) -> tuple:
    """Shape after SmallResNet's three blocks, before pooling: (batch, 2 width, side/4, side/4)."""
    return dict(small_resnet_shapes(batch, side, width))["blocks.2"]


# A concrete two-unit residual block for the page and the quiz: F(x) = W2 tanh(W1 x).
EXAMPLE_W1 = (("1", "-2"), ("0.5", "1"))
EXAMPLE_W2 = (("2", "0.5"), ("-1", "1"))
EXAMPLE_X0 = ("0.3", "-0.2")
EXAMPLE_X_RANGE = (-5, 5)  # where the page lets the student move x0


def sigmoid_max_slope() -> sp.Rational:
    """The largest slope of the logistic sigmoid, sigma'(0): why sigmoid stacks shrink gradients."""
    z = sp.Symbol("z", real=True)
    slope = sp.diff(1 / (1 + sp.exp(-z)), z)
    return sp.nsimplify(slope.subs(z, 0))


# The vanishing-gradient calculator: its inputs are bounded by these; odd values get a message.
MAX_CALCULATOR_DEPTH = 10_000
MAX_CALCULATOR_FACTOR = 2  # above 1 so that exploding factors can be tried too
CALCULATOR_DEPTH = 50  # the starting depth: deep enough to show the 1% crossing at delta = 0.9
FLOAT_FLOOR_LOG10 = -300  # below 1e-300 a float underflows; the chart stops there
# Decimal places the calculator keeps. Exact powers of finer inputs can take minutes (1e-300 to
# the 9,999th has three million digits); with these, delta^k <= tau needs k <= 9,206 at most.
CALCULATOR_FACTOR_PLACES = 3
CALCULATOR_THRESHOLD_PLACES = 4


def calculator_inputs(factor: Number, threshold: Number) -> tuple[sp.Rational, sp.Rational]:
    """delta and tau rounded to the calculator's decimal places, as exact rationals."""
    return (
        sp.Rational(
            round(exact(factor) * 10**CALCULATOR_FACTOR_PLACES), 10**CALCULATOR_FACTOR_PLACES
        ),
        sp.Rational(
            round(exact(threshold) * 10**CALCULATOR_THRESHOLD_PLACES),
            10**CALCULATOR_THRESHOLD_PLACES,
        ),
    )


def gradient_regime(factor: Number) -> str:
    """What a per-layer factor does to a gradient: invalid, dead, vanishing, steady or exploding."""
    d = exact(factor)
    if d < 0:
        return "invalid"
    if d == 0:
        return "dead"
    if d < 1:
        return "vanishing"
    return "steady" if d == 1 else "exploding"


def gradient_decay_curve(factor: Number, depth: Number, points: int = 200) -> list[dict]:
    """(layers, delta^layers) for up to `points` layer counts from 0 to depth - 1, as floats.

    For 0 < delta < 1. Points below 1e-300 are left out (a float would underflow there), so a
    log-scale chart never meets a zero.
    """
    log_d, top = float(sp.log(exact(factor), 10)), int(exact(depth)) - 1
    step = max(1, -(-top // points))  # ceil(top / points)
    rows = []
    for k in [*range(0, top, step), top]:
        if k * log_d < FLOAT_FLOOR_LOG10:
            break
        rows.append({"layers": k, "fraction": 10 ** (k * log_d)})
    return rows


REDUCTION_TARGET = 8  # the course asks from which N the reduction exceeds 8x
COURSE_HINT_N = 9  # the course's hint "plug in N = 9", which does not answer its own question

# The course text's worked examples, recomputed by course_examples(); None where it gives no value.
COURSE_EXAMPLES = (
    ("ratio for N = 64", {"D_K": 3, "M": None, "N": 64, "D_F": None}),
    ("exercise 3", {"D_K": 3, "M": 64, "N": 128, "D_F": 56}),
    ("Q1", {"D_K": 3, "M": 128, "N": 256, "D_F": None}),
)


def course_examples() -> list[dict]:
    """The course's worked examples: weights, multiply-adds, ratio and reduction, where defined."""
    rows = []
    for name, v in COURSE_EXAMPLES:
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


def separable_problem(kernel: Number, out_ch: Number) -> str | None:
    """Why factorising saves nothing for this kernel and N, in one sentence; None when it saves."""
    if reduction_factor(kernel, out_ch) > 1:
        return None
    ratio = cost_ratio(kernel, out_ch)
    return (
        f"With D_K = {kernel} and N = {out_ch} the separable pair costs {sp.N(ratio, 3)} times the "
        "standard layer: a 1x1 kernel or a single output channel leaves nothing to factorise."
    )


def reduction_ceiling(kernel: Number) -> sp.Integer:
    """The limit of the reduction factor as N grows without bound (D_K^2), taken by SymPy."""
    return sp.limit(1 / COST_RATIO.subs(D_K, exact(kernel)), N, sp.oo)


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
