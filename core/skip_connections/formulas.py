"""The skip-connections topic's formulas, written once as SymPy for prose, calculators and quizzes.

Every function takes plain numbers (int, float, str decimals or SymPy Rationals) and returns exact
SymPy values, so a test can hold them against torch; the course's own examples also come as
readings (core.numbers) whose text a page places as it is. Conventions,
stated once here and on the page:

- "L layers" are L weight layers. Each multiplies the backpropagated gradient by delta, and
  "what layer k receives" is the gradient at its output, which has passed the L - k layers above
  it: layer 1 receives g_1 = g_L delta^(L-1) (the course's own exercise 1(a)). What reaches the
  network's input, below layer 1, has passed all L layers: delta^L.
- "Layers to threshold" counts how many per-layer factors delta the gradient is multiplied by
  before the product is at or below the threshold tau.
- A basic block is two 3x3 conv + BN layers; its shortcut is the identity or a projection (a 1x1
  conv without bias, then BN). Every BatchNorm has a scale and a shift per channel.

It deliberately leaves out anything that needs torch, and the course's numbers (core.course).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from core import course
from core.conv import (
    BATCHNORM_PARAMS,
    D_K,
    STANDARD_PARAMS,
    M,
    N,
    batchnorm_params,
    conv_output_size,
    standard_params,
)
from core.conv import C as BN_CHANNELS
from core.numbers import Count, Figure, Number, Reading, approx, decimal_tex, derivation, exact

delta, tau = sp.symbols("delta tau", positive=True)
L = sp.Symbol("L", positive=True, integer=True)
C_in, C_out = sp.symbols("C_in C_out", positive=True, integer=True)
# Exercise 1's scalar model: K layers per residual block, n_B blocks.
LAYERS_PER_BLOCK = sp.Symbol("K", positive=True, integer=True)
BLOCKS = sp.Symbol("n_B", positive=True, integer=True)

# Vanishing gradients: a plain stack of L layers scales the gradient by delta per layer.
GRADIENT_AT_FIRST_LAYER = delta ** (L - 1)  # g_1 / g_L
LAYERS_TO_THRESHOLD = sp.ceiling(sp.log(tau) / sp.log(delta))  # smallest k with delta^k <= tau

# A basic block's parameters, and its projection shortcut's.
PROJECTION_PARAMS = STANDARD_PARAMS.subs({D_K: 1, M: C_in, N: C_out}) + BATCHNORM_PARAMS.subs(
    BN_CHANNELS, C_out
)
BLOCK_BRANCH_PARAMS = (
    STANDARD_PARAMS.subs({D_K: 3, M: C_in, N: C_out})
    + STANDARD_PARAMS.subs({D_K: 3, M: C_out, N: C_out})
    + 2 * BATCHNORM_PARAMS.subs(BN_CHANNELS, C_out)
)

# A residual block of K layers passes the gradient through the identity (factor 1) plus its branch
# (factor delta^K). Layer 1 is the first layer of block 1, inside that block's branch: what it
# receives has crossed the n_B - 1 blocks above (1 + delta^K each) and the K - 1 layers of its own
# branch above it (no skip passes layer 1's output). Multiplied out, it is a sum over paths, from
# the one that skips every block it can (delta^(K-1)) to the one through every layer above layer 1
# (delta^(K n_B - 1)), which is exactly what a plain stack of K n_B layers gives layer 1.
RESIDUAL_GRADIENT = (1 + delta**LAYERS_PER_BLOCK) ** (BLOCKS - 1) * delta ** (LAYERS_PER_BLOCK - 1)


def jacobian_product_tex() -> str:
    """LaTeX of backpropagation through a plain stack, and its bound when every factor is delta.

    With h_k = f_k(h_(k-1)) and J_k = dh_k / dh_(k-1), layer 1 receives the output gradient times
    the Jacobians of the L - 1 layers above it, in order.
    """
    return (
        r"g_1^{\top} = g_L^{\top}\, J_L\, J_{L-1} \cdots J_2, \qquad"
        rf"\|g_1\| \le {sp.latex(GRADIENT_AT_FIRST_LAYER)}\,\|g_L\|"
        r"\quad \text{when every } \|J_k\| \le \delta"
    )


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
    dt, tt = decimal_tex(d), decimal_tex(t)
    return [
        r"\delta^{k} \le \tau",
        r"k \log\delta \le \log\tau",
        r"k \ge \frac{\log\tau}{\log\delta}\quad(\log\delta < 0 \text{ flips the inequality})",
        rf"k \ge \frac{{\log {tt}}}{{\log {dt}}} = {sp.N(ratio, 6)}",
        rf"k = \left\lceil {sp.N(ratio, 6)} \right\rceil = {k}",
        rf"\text{{check: }} {dt}^{{{k}}} \approx {approx(d**k)} \le {tt}"
        rf" < {dt}^{{{k - 1}}} \approx {approx(d ** (k - 1))}",
    ]


def threshold_problem(threshold: Number) -> str | None:
    """Why the calculator cannot count layers to this threshold, in words; None when it can."""
    if not 0 < exact(threshold) < 1:
        return "Choose a threshold τ strictly between 0 and 1."
    return None


@dataclass(frozen=True)
class Hint:
    """The course's hint, worked out: its factor, its threshold, and the layers it takes."""

    factor: Figure
    threshold: Figure
    layers: Count


def course_hint() -> Hint:
    """How many layers of the course's hint factor bring the product to its threshold."""
    factor, threshold = course.HINT_FACTOR, course.HINT_THRESHOLD
    layers = layers_to_threshold(factor, threshold)
    return Hint(Figure(factor), Figure(threshold), Count(layers))


def first_layer_derivation(factor: Number, depth: Number) -> list[str]:
    """LaTeX steps of g_1 / g_L = delta^(L-1): the formula, the values, the result."""
    return derivation("g_1 / g_L", GRADIENT_AT_FIRST_LAYER, {delta: factor, L: depth})


def projection_derivation(in_ch: Number, out_ch: Number) -> list[str]:
    """LaTeX steps of a projection shortcut's parameters, C_in C_out + 2 C_out."""
    return derivation(r"\text{projection}", PROJECTION_PARAMS, {C_in: in_ch, C_out: out_ch})


def calculator_inputs(factor: Number, threshold: Number) -> tuple[sp.Rational, sp.Rational]:
    """delta and tau rounded to the calculator's decimal places, as exact rationals."""
    fp, tp = 10**course.CALCULATOR_FACTOR_PLACES, 10**course.CALCULATOR_THRESHOLD_PLACES
    return sp.Rational(round(exact(factor) * fp), fp), sp.Rational(round(exact(threshold) * tp), tp)


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


FLOAT_FLOOR_LOG10 = -300  # below 1e-300 a float underflows; the chart stops there


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


def sigmoid_max_slope() -> sp.Rational:
    """The largest slope of the logistic sigmoid, sigma'(0): why sigmoid stacks shrink gradients."""
    z = sp.Symbol("z", real=True)
    slope = sp.diff(1 / (1 + sp.exp(-z)), z)
    return sp.nsimplify(slope.subs(z, 0))


def sigmoid_max_slope_tex() -> str:
    """The sigmoid's largest slope as LaTeX (a fraction)."""
    return sp.latex(sigmoid_max_slope())


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
    return branch + shortcut_params(in_ch, out_ch, stride)


def block_output_shape(in_shape, out_ch: Number, stride: Number = 1) -> tuple:
    """(C, H, W) after a basic block: 3x3 convs with padding 1, the first with the given stride."""
    _, height, width = (exact(v) for v in in_shape)
    return (
        exact(out_ch),
        conv_output_size(height, 3, stride, 1),
        conv_output_size(width, 3, stride, 1),
    )


def block_summary(in_shape, out_ch: Number, stride: Number = 1) -> dict:
    """A block's output shape, whether it projects, and its shortcut and total parameters (ints)."""
    return {
        "shape": tuple(int(v) for v in block_output_shape(in_shape, out_ch, stride)),
        "projection": needs_projection(in_shape[0], out_ch, stride),
        "projection_params": int(shortcut_params(in_shape[0], out_ch, stride)),
        "block_params": int(residual_block_params(in_shape[0], out_ch, stride)),
    }


def residual_output(x, f) -> tuple:
    """H(x) = F(x) + x, element by element, for the branch output F(x) at the input x."""
    if len(x) != len(f):
        raise ValueError("x and F(x) must have the same length")
    return tuple(exact(a) + exact(b) for a, b in zip(x, f, strict=True))


def residual_gradient(factor: Number, blocks: Number, layers_per_block: Number = 2) -> sp.Expr:
    """What layer 1 of n_B residual blocks of K layers gets: (1 + delta^K)^(n_B-1) delta^(K-1)."""
    subs = {delta: exact(factor), LAYERS_PER_BLOCK: exact(layers_per_block), BLOCKS: exact(blocks)}
    return RESIDUAL_GRADIENT.subs(subs)


def scalar_residual_slope(w1: Number, w2: Number) -> sp.Expr:
    """dH/dx at x = 0 for the one-unit block H(x) = x + w2 tanh(w1 x): 1 + w1 w2."""
    x = sp.Symbol("x")
    h = x + exact(w2) * sp.tanh(exact(w1) * x)
    return sp.diff(h, x).subs(x, 0)


def checkpoint_vectors() -> tuple[Reading, Reading]:
    """The course checkpoint's input x and branch output F(x), each read as a list: [5, 2, 4]."""
    x, branch = course.CHECKPOINT_INPUT, course.CHECKPOINT_BRANCH
    return Reading(x, str(list(x))), Reading(branch, str(list(branch)))


@dataclass(frozen=True)
class CounterExample:
    """One unit H(x) = x + w2 tanh(w1 x) whose slope at 0, 1 + w1 w2, falls below the identity's."""

    w1: Figure
    w2: Figure
    slope: Figure


def counter_examples() -> tuple[CounterExample, ...]:
    """The course's counter-examples to 'the gradient at the + is never below 1', worked out."""
    return tuple(
        CounterExample(Figure(w1), Figure(w2), Figure(scalar_residual_slope(w1, w2)))
        for w1, w2 in course.COUNTER_EXAMPLES
    )


def saturating_point() -> tuple[Figure, Figure]:
    """A point where both of the example block's tanh units saturate: the range's corners."""
    low, high = course.EXAMPLE_X_RANGE
    return Figure(high), Figure(low)


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


def residual_jacobian_tex(w1, w2) -> dict:
    """The example block as LaTeX: W1, W2, F(x), and one line per entry of dH/dx (1-based)."""
    parts = residual_jacobian(w1, w2)
    jacobian = parts["dH"]
    return {
        "W1": sp.latex(parts["W1"]),
        "W2": sp.latex(parts["W2"]),
        "F": sp.latex(parts["F"]),
        "entries": [
            rf"\frac{{\partial H_{i + 1}}}{{\partial x_{j + 1}}} = {sp.latex(jacobian[i, j])}"
            for i in range(jacobian.rows)
            for j in range(jacobian.cols)
        ],
    }


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
