"""Skip connections (ResNet): degradation measured, gradients calculated and observed, shortcuts."""

import altair as alt
import pandas as pd
import streamlit as st
import sympy as sp

from core import experiments, formulas, models
from core.experiments import DegradationConfig
from quizzes import bank, widget

TOPIC = "skip_connections"
INLINE = ("vg-depth-threshold", "vg-hint-085", "skip-residual-output", "skip-projection-params")
COURSE_QUESTIONS = (
    "skip-q1-projection-shape",
    "skip-q1-projection-layer",
    "skip-q2-identity-gradient",
)
REVEALED = "_skip_degradation_revealed"  # the student has made their prediction
LIVE = "_skip_degradation_live"  # the last configuration this session trained
FAMILY_COLOURS = alt.Scale(domain=["plain", "residual"], range=["#d9534f", "#2f6fdf"])
INIT_LABELS = {"default": "PyTorch's default (uniform ±1/√fan-in)", "he": "He (gain-matched)"}


# ---- cached calls into core ----------------------------------------------------------------


@st.cache_data(show_spinner=False)
def shipped() -> dict:
    return experiments.load_result()


@st.cache_data(show_spinner=False, max_entries=16)
def sweep(config: DegradationConfig) -> dict:
    bar = st.progress(0.0)  # made here, so that a cache hit replays it whole
    progress = lambda done, what: bar.progress(done, text=what)  # noqa: E731
    return experiments.run_degradation(
        config, progress, budget_s=experiments.LIVE_BUDGET_S, limit_s=experiments.LIVE_LIMIT_S
    )


@st.cache_data(show_spinner=False, max_entries=64)
def threshold(factor: float, tau: float) -> tuple[int, list[str]]:
    return int(formulas.layers_to_threshold(factor, tau)), formulas.threshold_derivation(
        factor, tau
    )


@st.cache_data(show_spinner=False, max_entries=64)
def first_layer_fraction(factor: float, depth: int) -> str:
    return f"{sp.N(formulas.gradient_at_first_layer(factor, depth), 4)}"


@st.cache_data(show_spinner=False, max_entries=64)
def gradient_flow(depth: int, activation: str, init: str) -> list[dict]:
    return experiments.gradient_flow(depth, activation, init)


@st.cache_data(show_spinner=False)
def jacobian_latex() -> dict:
    parts = formulas.residual_jacobian(formulas.EXAMPLE_W1, formulas.EXAMPLE_W2)
    return {
        "W1": sp.latex(parts["W1"]),
        "W2": sp.latex(parts["W2"]),
        "F": sp.latex(parts["F"]),
        "entries": formulas.jacobian_entries_latex(parts["dH"], "H"),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def jacobian_check(x0: tuple) -> dict:
    return experiments.jacobian_check(formulas.EXAMPLE_W1, formulas.EXAMPLE_W2, x0)


@st.cache_data(show_spinner=False, max_entries=64)
def block_report(in_shape: tuple, out_ch: int, stride: int, projection: bool | None) -> dict:
    return experiments.try_block(in_shape, out_ch, stride, projection)


@st.cache_data(show_spinner=False, max_entries=64)
def block_formulas(in_shape: tuple, out_ch: int, stride: int) -> dict:
    needed = formulas.needs_projection(in_shape[0], out_ch, stride)
    return {
        "shape": tuple(int(v) for v in formulas.block_output_shape(in_shape, out_ch, stride)),
        "projection": needed,
        "projection_params": int(formulas.projection_params(in_shape[0], out_ch)) if needed else 0,
        "block_params": int(formulas.residual_block_params(in_shape[0], out_ch, stride)),
    }


@st.cache_data(show_spinner=False, max_entries=64)
def diagram(in_ch: int, out_ch: int, stride: int) -> str:
    return models.block_diagram(models.ResidualBlock(in_ch, out_ch, stride))


@st.cache_data(show_spinner=False)
def small_resnet_tables() -> dict:
    batch, _, side, _ = models.CIFAR_INPUT
    model = models.small_resnet()
    rows = models.small_resnet_stages()
    expected = dict(formulas.small_resnet_shapes(batch, side))
    return {
        "rows": [
            {
                "stage": r["stage"],
                "module": r["module"],
                "output shape (torch)": str(r["output shape"]),
                "output shape (SymPy)": str(tuple(int(v) for v in expected[r["stage"]])),
                "parameters": r["params"],
                "projection": "yes" if r["projection"] else "",
            }
            for r in rows
        ],
        "torch_total": sum(r["params"] for r in rows),
        "sympy_total": int(formulas.small_resnet_params()),
        "diagram": models.block_diagram(model.blocks[0]),
        "input": str(models.CIFAR_INPUT),
        "side": side,
        "blocks": models.block_specs(model),
        "classes": model.fc.out_features,
    }


# ---- charts (layout only: every number comes from core) -----------------------------------


def error_chart(summary: list[dict], guess: int | None, onset: int | None) -> alt.LayerChart:
    frame = pd.DataFrame(summary)
    ticks = alt.Axis(values=sorted(frame["depth"].unique().tolist()))  # the depths trained, only
    x = alt.X(
        "depth:Q", scale=alt.Scale(type="log", base=2), axis=ticks, title="depth (linear layers)"
    )
    tooltip = [
        "family",
        "depth",
        alt.Tooltip("mean:Q", format=".1%", title="mean training error"),
        alt.Tooltip("low:Q", format=".1%", title="best seed"),
        alt.Tooltip("high:Q", format=".1%", title="worst seed"),
    ]
    colour = alt.Color("family:N", scale=FAMILY_COLOURS)
    base = alt.Chart(frame).encode(x=x, color=colour, tooltip=tooltip)
    layers = [
        base.mark_area(opacity=0.15).encode(y="low:Q", y2="high:Q"),
        base.mark_line(point=True).encode(
            y=alt.Y("mean:Q", axis=alt.Axis(format="%"), title="training error after training")
        ),
    ]
    marks = [("your guess", guess, "#555555"), ("measured onset", onset, "#d9534f")]
    for label, depth, colour_value in marks:
        if depth is not None:
            rule = pd.DataFrame({"depth": [depth], "label": [label]})
            layers.append(
                alt.Chart(rule)
                .mark_rule(strokeDash=[6, 4], color=colour_value, size=2)
                .encode(x="depth:Q", tooltip=["label", "depth"])
            )
    return alt.layer(*layers).properties(height=340)


def loss_chart(rows: list[dict]) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line()
        .encode(
            x=alt.X("step:Q", title="Adam step"),
            y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="training loss (mean of seeds)"),
            color=alt.Color("family:N", scale=FAMILY_COLOURS),
            tooltip=["family", "step", alt.Tooltip("loss:Q", format=".4f")],
        )
        .properties(height=260)
    )


def decay_chart(rows: list[dict], tau: float, k: int) -> alt.LayerChart:
    curve = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("layers:Q", title="layers the gradient has passed (k)"),
            y=alt.Y("fraction:Q", scale=alt.Scale(type="log"), title="fraction left, δ^k"),
            tooltip=["layers", alt.Tooltip("fraction:Q", format=".3e")],
        )
    )
    marks = pd.DataFrame({"fraction": [tau], "layers": [k], "label": [f"τ reached at k = {k}"]})
    threshold_rule = alt.Chart(marks).mark_rule(color="#d9534f", strokeDash=[6, 4])
    return alt.layer(
        curve,
        threshold_rule.encode(y="fraction:Q", tooltip=["label"]),
        threshold_rule.encode(x="layers:Q", tooltip=["label"]),
    ).properties(height=300)


def flow_chart(rows: list[dict]) -> alt.Chart:
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=alt.X("layer:Q", title="layer (1 = next to the input)"),
            y=alt.Y("grad_norm:Q", scale=alt.Scale(type="log"), title="‖∂loss/∂W‖ at init"),
            color=alt.Color("family:N", scale=FAMILY_COLOURS),
            tooltip=["family", "layer", alt.Tooltip("grad_norm:Q", format=".3e", title="norm")],
        )
        .transform_filter("datum.grad_norm > 0")  # an underflowed zero has no log-scale point
        .properties(height=320)
    )


CHARTS = {"error": error_chart, "loss": loss_chart, "decay": decay_chart, "flow": flow_chart}


@st.cache_data(show_spinner=False, max_entries=256)
def chart_spec(kind: str, *args) -> dict:
    """The Vega-Lite spec of one of the Altair charts above, validated once and then cached.

    Altair validates a layered chart's spec on every conversion (about 40 ms here), too slow to
    repeat on each rerun.
    """
    return CHARTS[kind](*args).to_dict()


def show_chart(kind: str, *args) -> None:
    st.vega_lite_chart(chart_spec(kind, *args), width="stretch")


# ---- sections -------------------------------------------------------------------------------


def degradation() -> None:
    st.header("1 · The degradation problem, measured")
    result = shipped()
    config = result["config"]
    st.markdown(
        "Around 2015 the belief was simple: more layers, better networks. Then people trained "
        "very deep *plain* networks (one layer after another, no shortcuts) and found that they "
        "fitted even their **training** data worse "
        "than shallower ones. That is not overfitting (which needs low training error); the "
        "deeper network could in principle copy the shallow one and make its extra layers "
        "identities, yet the optimiser does not find that solution. The ResNet paper called this "
        "*degradation*."
    )
    data = result["data"]
    st.markdown(
        f"Below is a real experiment, run by `python -m core.experiments degradation`: "
        f"multilayer perceptrons of width {config['width']} on {data['name']} "
        f"({data['samples']:,} images of {data['features']} pixels), "
        f"{config['activation']} activations, He initialisation, no "
        f"normalisation, Adam at {config['lr']}, batches of {config['batch_size']}, "
        f"**{config['steps']} steps for every depth**, {config['seeds']} seeds each. Residual "
        "networks group their layers in blocks of two that add their input back, "
        "$h \\mapsto h + F(h)$, where $F$, the block's *branch*, is its two layers. The last "
        "layer of each branch starts at zero, so every block starts out as the identity."
    )
    st.subheader("Predict first")
    guess = st.select_slider(
        "At which depth do you think the plain network starts to fit worse than the residual one?",
        options=config["depths"],
        key="deg_guess",
    )
    hint = bank.variant("vg-hint-085").params
    st.caption(
        f"The course's hint: if gradients shrink by about {float(hint['delta']):g} per layer, "
        f"how many layers until the product falls below {float(hint['tau']):g}? Section 2 works "
        "it out, and asks whether that predicts this chart."
    )
    if not st.session_state.get(REVEALED):
        st.button("Reveal the measurement", key="deg_reveal", on_click=reveal, type="primary")
        st.info("Make your guess with the slider, then reveal the measured result.")
        return
    summary = experiments.error_summary(result)
    onset = experiments.degradation_onset(result)
    deepest = max(config["depths"])
    at_deepest = experiments.at_depth(summary, deepest)
    show_chart("error", summary, guess, onset)
    st.markdown(
        f"You guessed depth **{guess}**. The plain network's training error first exceeds the "
        f"residual one's by more than {experiments.ONSET_MARGIN * 100:g} percentage points at "
        f"depth **{onset}**. At depth {deepest} the plain networks "
        f"end with **{at_deepest['plain']:.1%}** training error, the residual ones with "
        f"**{at_deepest['residual']:.1%}** (mean of {config['seeds']} seeds; the band spans the "
        f"best and worst seed). The sweep took {result['seconds']} s with torch "
        f"{result['torch']} on one CPU thread."
    )
    depth = st.select_slider(
        "Loss curves at depth", options=config["depths"], value=deepest, key="deg_curve_depth"
    )
    show_chart("loss", experiments.loss_curves(result, depth))
    with st.expander("Honest caveats, measured on this data"):
        st.markdown(
            "- Given several times as many steps, most plain networks without normalisation "
            "catch up: degradation here is about how hard the optimisation is, not a hard limit.\n"
            "- With BatchNorm (try it below, with a larger learning rate and fewer depths), the "
            "deepest plain network stays near chance while the residual one still fits.\n"
            "- Residual stacks without normalisation need their branches damped; with the branches "
            "not zero-initialised the deepest residual networks did much worse.\n"
            "- With sigmoid activations neither family learns in this budget."
        )
    run_it_yourself(result)


def reveal() -> None:
    st.session_state[REVEALED] = True


def run_it_yourself(shipped_result: dict) -> None:
    st.subheader("Run it yourself")
    default = DegradationConfig()
    with st.form("deg_form"):
        depths = st.multiselect(
            "Depths", experiments.DEPTH_CHOICES, default=list(default.depths), key="deg_depths"
        )
        left, right = st.columns(2)
        activation = left.selectbox("Activation", list(models.ACTIVATIONS), key="deg_activation")
        batch_norm = left.toggle("BatchNorm in every layer", key="deg_bn")
        lr = left.select_slider(
            "Adam learning rate", experiments.LR_CHOICES, value=default.lr, key="deg_lr"
        )
        steps = right.slider(
            "Steps",
            experiments.MIN_STEPS,
            experiments.MAX_STEPS,
            default.steps,
            step=experiments.MIN_STEPS,
            key="deg_steps",
        )
        seeds = right.slider("Seeds", 1, experiments.MAX_SEEDS, default.seeds, key="deg_seeds")
        submitted = st.form_submit_button("Train", key="deg_run", type="primary")
    if submitted:
        config = DegradationConfig(
            depths=tuple(sorted(depths)),
            seeds=seeds,
            steps=steps,
            lr=lr,
            activation=activation,
            batch_norm=batch_norm,
        )
        problems = config.problems()
        if problems:
            st.warning(" ".join(problems))
            return
        st.session_state[LIVE] = config
    config = st.session_state.get(LIVE)
    if config is None:
        st.info(
            "Choose settings and press Train. The defaults reproduce the chart above in about "
            f"{experiments.estimate_seconds(default):.0f} s."
        )
        return
    estimate = experiments.estimate_seconds(config)
    with st.status(f"Training (about {estimate:.0f} s on a quiet machine)…") as status:
        result = sweep(config)
        status.update(label=f"Trained in {result['seconds']} s", state="complete", expanded=False)
    if result["stopped_early"]:
        st.warning(
            f"Stopped to share the machine: no network starts after {experiments.LIVE_BUDGET_S:.0f}"
            f" s, and one still training at {experiments.LIVE_LIMIT_S:.0f} s is dropped, so the "
            "deepest depths are missing. Use fewer steps, seeds or depths."
        )
    if not result["results"]:
        return
    summary = experiments.error_summary(result)
    onset = experiments.degradation_onset(result)
    show_chart("error", summary, None, onset)
    if result["config"] == shipped_result["config"]:
        st.caption("Same settings and seeds as the shipped run above.")


def vanishing() -> None:
    st.header("2 · Vanishing gradients, calculated")
    st.markdown(
        "Backpropagation multiplies the gradient by one Jacobian per layer. In the simplest "
        "model each layer scales it by the same factor $\\delta$ (a sigmoid's slope is at most "
        f"${sp.latex(formulas.sigmoid_max_slope())}$, for instance). After passing $k$ layers, "
        "$\\delta^k$ of it is left, and the first layer of an $L$-layer stack receives "
        "$g_1 = g_L\\,\\delta^{L-1}$."
    )
    widget.question("vg-depth-threshold")
    course = bank.variant("vg-depth-threshold").params
    left, middle, right = st.columns(3)
    factor = left.number_input(
        "δ, the factor per layer",
        min_value=0.0,
        max_value=float(formulas.MAX_CALCULATOR_FACTOR),
        value=float(course["delta"]),
        step=0.01,
        format=f"%.{formulas.CALCULATOR_FACTOR_PLACES}f",
        key="vg_delta",
    )
    depth = middle.number_input(
        "L, layers",
        min_value=1,
        max_value=formulas.MAX_CALCULATOR_DEPTH,
        value=formulas.CALCULATOR_DEPTH,
        key="vg_depth",
    )
    tau = right.number_input(
        "τ, the threshold",
        min_value=0.0,
        max_value=1.0,
        value=float(course["tau"]),
        step=0.001,
        format=f"%.{formulas.CALCULATOR_THRESHOLD_PLACES}f",
        key="vg_tau",
    )
    factor, tau = (float(v) for v in formulas.calculator_inputs(factor, tau))  # places shown
    st.markdown(
        f"At layer 1: $g_1 / g_L = \\delta^{{L-1}} = {factor:g}^{{{depth} - 1}} \\approx "
        f"{first_layer_fraction(factor, depth)}$."
    )
    regime = formulas.gradient_regime(factor)
    if regime != "vanishing":
        st.info(
            {
                "dead": "δ = 0: every layer blocks the gradient completely, so nothing reaches "
                "the earlier layers at all.",
                "steady": "δ = 1: the gradient passes every layer unchanged and never falls "
                "below a threshold.",
                "exploding": "δ > 1: the product grows with depth instead (exploding "
                "gradients), so it never falls below a threshold.",
            }[regime]
        )
        return
    if tau <= 0 or tau >= 1:
        st.warning("Choose a threshold τ strictly between 0 and 1.")
        return
    k, steps = threshold(factor, tau)
    st.markdown(f"The gradient is at or below τ after **{k} layers**:")
    for step in steps:
        st.latex(step)
    show_chart("decay", formulas.gradient_decay_curve(factor, depth), tau, k)
    hint = bank.variant("vg-hint-085")
    onset = experiments.degradation_onset(shipped())
    st.markdown(
        f"The course's hint uses δ = {float(hint.params['delta']):g}: the product falls to "
        f"{float(hint.params['tau']):g} or below after **{hint.expected} layers**. Does the plain "
        f"network degrade there? In section 1 "
        f"it first fell behind at depth **{onset}**. With He initialisation a ReLU layer does not "
        "shrink the gradient by a fixed factor, so this cartoon cannot predict the depth; the "
        "next section measures real gradients."
    )
    widget.question("vg-hint-085")


def gradient_flow_section() -> None:
    st.header("3 · Gradient flow, observed")
    st.markdown(
        "Here is the product of Jacobians happening in torch: the norm of each layer's weight "
        "gradient at initialisation, for a plain stack and a residual stack of the same depth "
        f"(cross-entropy on {experiments.PROBE_BATCH} digits, no normalisation, and the residual "
        "branches are *not* zero-initialised, so the identity path has to do the work)."
    )
    left, middle, right = st.columns(3)
    depth = left.slider(
        "Depth", 2, experiments.PROBE_MAX_DEPTH, experiments.PROBE_DEPTH, step=2, key="gf_depth"
    )
    names = list(models.ACTIVATIONS)
    activation = middle.selectbox("Activation", names, index=names.index("relu"), key="gf_act")
    init = right.radio(
        "Initialisation", list(INIT_LABELS), format_func=INIT_LABELS.get, key="gf_init"
    )
    rows = gradient_flow(depth, activation, init)
    show_chart("flow", rows)
    for family in ("plain", "residual"):
        dead = experiments.underflowed_layers(rows, family)
        if dead:
            st.warning(
                f"{family.capitalize()}: {len(dead)} layers have a gradient of exactly 0 "
                f"(it underflowed float32), from layer {min(dead)} to {max(dead)}; the chart "
                "cannot show them on a log scale."
            )
            continue
        st.markdown(
            f"{family.capitalize()}: layer 1 receives "
            f"**{experiments.first_to_last_ratio(rows, family):.3g}** times the gradient of the "
            "last layer."
        )
    st.info(
        "Try ReLU with He initialisation: the plain stack keeps its gradient at initialisation, "
        "yet section 1 shows the same kind of network degrading. Vanishing gradients and "
        "degradation are related but different problems; the ResNet paper says so too. Identity "
        "shortcuts help with both, but neither explains the other completely."
    )


def residual_block() -> None:
    st.header("4 · The residual block")
    st.markdown(
        "A residual block does not learn the mapping $H(\\mathbf{x})$ it should produce; it "
        "learns the difference $F(\\mathbf{x}) = H(\\mathbf{x}) - \\mathbf{x}$ and adds the input "
        "back: $H(\\mathbf{x}) = F(\\mathbf{x}) + \\mathbf{x}$. Differentiating gives "
        "$\\dfrac{\\partial H}{\\partial \\mathbf{x}} = \\dfrac{\\partial F}{\\partial \\mathbf{x}}"
        " + \\mathbf{I}$: whatever the branch does, the gradient also flows through the identity."
    )
    widget.question("skip-residual-output")
    st.subheader("A concrete block, differentiated two ways")
    tex = jacobian_latex()
    st.markdown("Take $F(\\mathbf{x}) = W_2 \\tanh(W_1 \\mathbf{x})$ with two units and")
    st.latex(rf"W_1 = {tex['W1']}, \qquad W_2 = {tex['W2']},")
    st.latex(rf"F(\mathbf{{x}}) = {tex['F']}")
    st.markdown(
        "By the chain rule $\\dfrac{\\partial H}{\\partial \\mathbf{x}} = W_2\\,"
        "\\operatorname{diag}\\!\\left(1 - \\tanh^2(W_1\\mathbf{x})\\right) W_1 + \\mathbf{I}$; "
        "SymPy differentiates $H$ entry by entry:"
    )
    for entry in tex["entries"]:
        st.latex(entry)
    st.markdown("Evaluate it at a point of your choice and compare with torch's autograd:")
    left, right = st.columns(2)
    low, high = (float(v) for v in formulas.EXAMPLE_X_RANGE)
    x1 = left.number_input("x₁", low, high, float(formulas.EXAMPLE_X0[0]), step=0.1, key="jac_x1")
    x2 = right.number_input("x₂", low, high, float(formulas.EXAMPLE_X0[1]), step=0.1, key="jac_x2")
    check = jacobian_check((x1, x2))
    left, right = st.columns(2)
    left.markdown("**SymPy** (exact, then evaluated)")
    left.dataframe(pd.DataFrame(check["sympy"]), hide_index=True)
    right.markdown("**torch.autograd.functional.jacobian** (float64)")
    right.dataframe(pd.DataFrame(check["torch"]), hide_index=True)
    st.caption(f"Largest difference between the two: {check['max_difference']:.1e}")
    st.markdown(
        f"Where $\\tanh$ saturates (try $x_1 = {high:g}$, $x_2 = {low:g}$) the branch's "
        "$\\partial F/\\partial\\mathbf{x}$ fades, and the identity keeps the Jacobian close "
        "to $\\mathbf{I}$ instead of close to zero. It makes a vanishing product very unlikely, "
        "not impossible: if $\\partial F/\\partial\\mathbf{x}$ had an eigenvalue of exactly "
        "$-1$, the sum would be singular."
    )
    st.subheader("The block as torch runs it")
    tables = small_resnet_tables()
    st.markdown(
        "Traced with `torch.fx` from the first block of the SmallResNet below: the branch "
        "(conv, BN, ReLU, conv, BN) and the identity meet at the **+**."
    )
    st.graphviz_chart(tables["diagram"])


def projections() -> None:
    st.header("5 · Projection shortcuts")
    st.markdown(
        "The addition needs $F(\\mathbf{x})$ and $\\mathbf{x}$ to have the same shape. A block "
        "that changes the number of channels, or shrinks the map with a stride, puts a "
        "*projection* on the shortcut: a 1×1 convolution (no bias) with the same stride, then "
        "BatchNorm. Blocks that keep the shape use the free identity."
    )
    q1 = bank.variant("skip-q1-projection-shape")
    cols = st.columns(5)
    channels = cols[0].number_input(
        "Input channels C", 0, experiments.MAX_CHANNELS, int(q1.params["C"]), key="pj_c"
    )
    height = cols[1].number_input(
        "Height H", 1, experiments.MAX_SIDE, int(q1.params["H"]), key="pj_h"
    )
    width = cols[2].number_input(
        "Width W", 1, experiments.MAX_SIDE, int(q1.params["H"]), key="pj_w"
    )
    out_ch = cols[3].number_input(
        "Output channels", 0, experiments.MAX_CHANNELS, int(q1.expected[0]), key="pj_out"
    )
    stride = cols[4].number_input(
        "Stride", 1, experiments.MAX_STRIDE, int(q1.params["s"]), key="pj_stride"
    )
    in_shape = (channels, height, width)
    problems = experiments.block_problems(in_shape, out_ch, stride)
    if problems:
        st.warning(" ".join(problems))
        return
    for note in experiments.block_notes(in_shape, out_ch, stride):
        st.info(note)
    sym = block_formulas(in_shape, out_ch, stride)
    report = block_report(in_shape, out_ch, stride, None)
    st.markdown(
        f"Output shape: **{sym['shape']}** by the convolution arithmetic, "
        f"**{report['output_shape']}** from an instantiated `ResidualBlock`. "
        + (
            f"The shape changes, so the shortcut is a projection with "
            f"**{sym['projection_params']:,}** parameters (torch counts "
            f"{report['shortcut_params']:,}):"
            if sym["projection"]
            else "The shape is kept, so the shortcut is the identity, with no parameters."
        )
    )
    if report["projection"]:
        st.code(report["shortcut"], language="text")
    st.markdown(
        f"The whole block has **{sym['block_params']:,}** parameters (torch: "
        f"{report['block_params']:,})."
    )
    st.graphviz_chart(diagram(channels, out_ch, stride))
    if st.button("Forget the projection", key="pj_forget"):
        forgotten = block_report(in_shape, out_ch, stride, False)
        if forgotten["error"]:
            st.error("torch stops at the addition `out + identity`:")
            st.code(forgotten["error"], language="text")
            st.caption(
                f"The branch gives {forgotten['branch_shape']}, the identity passes {in_shape} "
                "on unchanged. torch compares the dimensions from the last one backwards and "
                "names the first that differs."
            )
        elif forgotten["broadcast"]:
            st.warning(
                f"No error, and that is worse: the branch's map is {forgotten['branch_shape']}, "
                f"so torch silently *broadcast* it against the input, giving "
                f"{forgotten['output_shape']}: a wrong result without a message."
            )
        else:
            st.success("This block keeps the shape, so the identity shortcut adds without error.")
    widget.question("skip-projection-params")


def small_resnet() -> None:
    st.header("6 · A small ResNet for CIFAR-10")
    tables = small_resnet_tables()
    blocks = tables["blocks"]
    stem, last = blocks[0]["in_ch"], blocks[-1]["out_ch"]
    chain = ", ".join(
        f"{b['in_ch']}→{b['out_ch']} (stride {b['stride']}"
        + (", projection)" if b["projection"] else ")")
        for b in blocks
    )
    st.markdown(
        f"The course's exercise builds a small ResNet for {tables['side']}×{tables['side']} "
        f"colour images and {tables['classes']} classes, but its stated shapes and its "
        "projection placement do not fit one network. This tutor uses one consistent "
        f"architecture (`core.models.SmallResNet`): a 3×3 stem convolution to {stem} channels "
        f"with BatchNorm, ReLU and a max-pool that halves the side, then basic blocks {chain}, "
        "global average pooling and a linear layer. The max-pool does the first downsampling, "
        "so only one block changes the shape, and **only a block that changes the shape needs "
        "a projection**."
    )
    st.markdown(f"Every stage's output for a batch `torch.randn{tables['input']}`:")
    st.dataframe(pd.DataFrame(tables["rows"]), hide_index=True)
    st.markdown(
        f"Parameters: **{tables['torch_total']:,}** counted by torch "
        f"(`sum(p.numel() for p in model.parameters())`), **{tables['sympy_total']:,}** by "
        "the SymPy formulas."
    )
    with st.expander("Exercise 2, as this tutor states it"):
        st.markdown(
            "1. Write `ResidualBlock(in_ch, out_ch, stride)`: two 3×3 convolutions (padding 1, no "
            "bias), each with BatchNorm, ReLU after the first and after the addition, and a "
            "shortcut that is the identity unless the shape changes, then a 1×1 convolution with "
            "the block's stride (no bias) and BatchNorm.\n"
            f"2. Build the SmallResNet above: the stem, blocks {chain}, "
            f"`nn.AdaptiveAvgPool2d(1)`, flatten, `nn.Linear({last}, {tables['classes']})`.\n"
            f"3. Pass `torch.randn{tables['input']}` through it and print every stage's shape; "
            "compare with the table.\n"
            "4. Count the parameters with `sum(p.numel() for p in model.parameters())` and check "
            "the count stage by stage."
        )


def case_and_quiz() -> None:
    st.header("7 · Case study and checks")
    st.markdown(
        "**Medical image segmentation.** nnU-Net is a widely used framework that configures a "
        "U-Net for a new segmentation task (organs or tumours in CT and MRI) on its own. Its "
        "authors later found that giving the encoder *residual* blocks ('ResEnc' presets) "
        "improved results across many data sets. Such tasks often have only a few hundred "
        "annotated 3D volumes, so every training run counts: shortcuts make deeper encoders "
        "train reliably instead of stalling, which is the same effect as in section 1, at a "
        "much larger scale. (The course text describes this as swapping in ResNet-50 backbones; "
        "the published presets use residual encoder stages instead.)"
    )
    st.subheader("End-of-topic quiz")
    st.markdown("The course's own questions, on its numbers:")
    for question_id in COURSE_QUESTIONS:
        widget.question(question_id, key=f"quiz:{question_id}")
    st.markdown("More practice, on fresh numbers each time (press *New numbers* for another set):")
    widget.topic_quiz(TOPIC, exclude=INLINE + COURSE_QUESTIONS)


st.title("Skip connections (ResNet)")
st.markdown(
    "Why stacking more layers once made networks worse, and how adding the input back, "
    "`out = F(x) + x`, fixed it. Every number on this page is computed: by torch, by SymPy, or "
    "by a real training run."
)
degradation()
vanishing()
gradient_flow_section()
residual_block()
projections()
small_resnet()
case_and_quiz()
