"""Skip connections (ResNet): degradation measured, gradients calculated and observed, shortcuts."""

import streamlit as st

from core import course
from core.skip_connections import experiments, formulas, models, results
from core.skip_connections.experiments import DegradationConfig
from ui import ask, charts, lecture, links, quiz, show
from ui.links import Link

TOPIC = "skip_connections"
INLINE = (
    "vg-depth-threshold",
    "vg-hint-085",
    "skip-residual-output",
    "skip-residual-learned",
    "skip-projection-params",
)
REVEALED = "_skip_degradation_revealed"  # the student has made their prediction
LIVE = "_skip_degradation_live"  # the last configuration this session asked to train
PAGE = "skip_connections"
CALCULATOR = (
    Link("vg_delta", "delta", "float", 0, course.MAX_CALCULATOR_FACTOR),
    Link("vg_depth", "L", "int", 1, course.MAX_CALCULATOR_DEPTH),
    Link("vg_tau", "tau", "float", 0, 1),
)
SWEEP = (
    Link("deg_depths", "depths", "ints", choices=experiments.DEPTH_CHOICES),
    Link("deg_activation", "act", "choice", choices=tuple(models.ACTIVATIONS)),
    Link("deg_bn", "bn", "bool"),
    Link("deg_lr", "lr", "choice", choices=course.LR_CHOICES),
    Link("deg_steps", "steps", "int", course.MIN_STEPS, course.MAX_STEPS, step=course.MIN_STEPS),
    Link("deg_seeds", "seeds", "int", 1, course.MAX_SEEDS),
)
FLOW = (
    Link(
        "gf_depth",
        "gf_depth",
        "int",
        course.PROBE_DEPTH_STEP,
        course.PROBE_MAX_DEPTH,
        step=course.PROBE_DEPTH_STEP,
    ),
    Link("gf_act", "gf_act", "choice", choices=tuple(models.ACTIVATIONS)),
    Link("gf_init", "gf_init", "choice", choices=tuple(models.INITS)),
)
JACOBIAN = tuple(Link(f"jac_x{i}", f"x{i}", "float", *course.EXAMPLE_X_RANGE) for i in (1, 2))
BLOCK = (
    Link("pj_c", "C", "int", 0, course.BLOCK_MAX_CHANNELS),
    Link("pj_h", "H", "int", 1, course.BLOCK_MAX_SIDE),
    Link("pj_w", "W", "int", 1, course.BLOCK_MAX_SIDE),
    Link("pj_out", "out", "int", 0, course.BLOCK_MAX_CHANNELS),
    Link("pj_stride", "stride", "int", 1, course.BLOCK_MAX_STRIDE),
)
PLATEAU_GUESSES = (
    "It falls a little, then stays flat near its best as depth grows",
    "It keeps falling steadily all the way to the deepest network",
    "It rises with depth like the plain network, only later",
)


def degradation() -> None:
    st.header("1 · The degradation problem, measured")
    result = show.cached(results.load_result)
    shipped = show.cached(results.shipped_degradation)
    hint = show.cached(formulas.course_hint)
    st.markdown(
        "By 2014 (VGG, GoogLeNet) the lesson seemed simple: deeper networks are better. Then "
        "people trained very deep *plain* networks, one layer after another with no shortcuts, "
        "and found that they fitted even their **training** data worse than shallower ones. That "
        "is not overfitting (which needs low training error); the deeper network could in "
        "principle copy the shallow one and make its extra layers identities, yet the optimiser "
        "does not find that solution. The ResNet paper (He et al., December 2015, arXiv "
        "1512.03385) called this *degradation*, and fixed it with one addition per block."
    )
    st.markdown(
        "> **An analogy.** Picture the gradient as traffic driving back from the output to the "
        "first layer. In a plain network every layer is a toll booth on the only road: each one "
        "slows the traffic down, and after dozens of booths almost nothing gets through. A skip "
        "connection builds a bypass around every block, so part of the traffic skips the booths "
        "entirely; where the bypass rejoins the road (the **+**), the two flows merge."
    )
    st.markdown(
        f"Below is a real experiment, run by "
        f"`python -m core.skip_connections.experiments degradation`: "
        f"multilayer perceptrons of width {shipped.width} on {shipped.data} "
        f"({shipped.samples} images of {shipped.features} pixels), "
        f"{shipped.activation} activations, He initialisation, no "
        f"normalisation, Adam at {shipped.lr}, batches of {shipped.batch_size}, "
        f"**{shipped.steps} steps for every depth**, {shipped.seeds} seeds each. Residual "
        "networks group their layers in blocks of two that add their input back, "
        "$h \\mapsto h + F(h)$, where $F$, the block's *branch*, is its two layers. The last "
        "layer of each branch starts at zero, so every block starts out as the identity."
    )
    st.subheader("Predict first")
    guess = st.select_slider(
        "At which depth do you think the plain network starts to fit worse than the residual one?",
        options=shipped.depths,
        key="deg_guess",
    )
    plateau_guess = st.radio(
        "And the residual network: what does its training error do as it gets deeper?",
        PLATEAU_GUESSES,
        index=None,
        key="deg_plateau_guess",
    )
    st.caption(
        f"The course's hint: if gradients shrink by about {hint.factor} per layer, "
        f"how many layers until the product falls below {hint.threshold}? Section 2 "
        "works it out, and asks whether that predicts this chart."
    )
    if not st.session_state.get(REVEALED):
        st.button("Reveal the measurement", key="deg_reveal", on_click=_reveal, type="primary")
        st.info("Make your guess with the slider, then reveal the measured result.")
        return
    summary = results.error_summary(result)
    show.figure(charts.degradation_errors, summary, guess, shipped.onset, key="deg-errors")
    st.markdown(
        f"You guessed depth **{guess}**. The plain network's training error first exceeds the "
        f"residual one's by more than {shipped.onset_margin} (percentage points) at "
        f"depth **{shipped.onset}**. At depth {shipped.deepest} the plain networks "
        f"end with **{shipped.plain_error}** training error, the residual ones with "
        f"**{shipped.residual_error}** (mean of {shipped.seeds} seeds; the band spans the "
        f"best and worst seed). The sweep took {shipped.seconds} s with torch "
        f"{shipped.torch} on one CPU thread."
    )
    said = f"You said: *{plateau_guess.lower()}*. " if plateau_guess else ""
    st.markdown(
        f"**The residual plateau.** {said}Measured: the residual networks' error is at most "
        f"{shipped.plateau_worst} (the shallowest, which is short of capacity), and from depth "
        f"**{shipped.plateau_from}** to {shipped.deepest} it stays within "
        f"{shipped.plateau_margin} (a percentage point) of its best, {shipped.plateau_best}: "
        "extra residual blocks cost nothing, because each can stay close to the identity."
    )
    depth = st.select_slider(
        "Loss curves at depth", options=shipped.depths, value=shipped.deepest, key="deg_curve_depth"
    )
    show.figure(charts.loss_curves, results.loss_curves(result, depth), depth, key="deg-loss")
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


def _reveal() -> None:
    st.session_state[REVEALED] = True


@st.fragment
def run_it_yourself(shipped: dict) -> None:
    st.subheader("Run it yourself")
    default = DegradationConfig()
    depths_link, activation_link, bn_link, lr_link, steps_link, seeds_link = SWEEP
    with st.form("deg_form"):
        depths = links.multiselect(depths_link, "Depths", default.depths)
        left, right = st.columns(2)
        activation = links.selectbox(activation_link, "Activation", where=left)
        batch_norm = links.toggle(bn_link, "BatchNorm in every layer", where=left)
        lr = links.select(lr_link, "Adam learning rate", default.lr, where=left)
        steps = links.slider(steps_link, "Steps", default.steps, where=right)
        seeds = links.slider(seeds_link, "Seeds", default.seeds, where=right)
        submitted = st.form_submit_button("Train", key="deg_run", type="primary")
    if submitted:
        config = DegradationConfig(
            depths=depths,
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
            f"{experiments.estimate(default)} s."
        )
        return
    label = f"Training (about {experiments.estimate(config)} s on a quiet machine)…"
    result = show.live(experiments.live_degradation, config, label=label)
    if result is None:
        return
    if result["stopped_early"]:
        budget, limit = experiments.live_limits()
        st.warning(
            f"Stopped to share the machine: no network starts after {budget} s, and one still "
            f"training at {limit} s is dropped, so the deepest depths are missing. Use fewer "
            "steps, seeds or depths."
        )
    if not result["results"]:
        return
    summary = results.error_summary(result)
    onset = results.degradation_onset(result)
    show.figure(charts.degradation_errors, summary, None, onset, key="deg-live")
    if result["config"] == shipped["config"]:
        st.caption("Same settings and seeds as the shipped run above.")
    links.share(SWEEP, "deg")


def vanishing() -> None:
    st.header("2 · Vanishing gradients, calculated")
    st.markdown(
        "Backpropagation multiplies the gradient by one Jacobian per layer, from the output "
        "back. Write $h_k$ for layer $k$'s output and $J_k = \\partial h_k / \\partial h_{k-1}$ "
        "for its Jacobian; then what layer 1 receives is the output gradient times the "
        "Jacobians of every layer above it:"
    )
    st.latex(formulas.jacobian_product_tex())
    st.markdown(
        "In the simplest model each layer scales the gradient by the same factor $\\delta$ (a "
        f"sigmoid's slope is at most ${show.cached(formulas.sigmoid_max_slope_tex)}$, for "
        "instance), and after passing $k$ layers $\\delta^k$ of it is left."
    )
    st.info(
        "**How this page counts.** A network of $L$ layers has $L$ weight layers. *What layer "
        "$k$ receives* is the gradient at its output, which has passed the $L - k$ layers above "
        "it; so layer 1 receives $g_1 = \\delta^{L-1} g_L$, as in the course's exercise 1. What "
        "reaches the network's input, below layer 1, has passed all $L$ layers: $\\delta^L g_L$. "
        "Every question on this page uses this convention.",
        icon="📏",
    )
    quiz.question("vg-depth-threshold")
    st.markdown(
        "The calculator works any such question out step by step. It starts on other numbers "
        "than the question above, so try it on the question's own once you've answered."
    )
    threshold_calculator()
    quiz.question("vg-hint-085")
    if not quiz.attempted("vg-hint-085"):
        st.caption("Answer the hint's question to compare it with the measured onset.")
        return
    shipped = show.cached(results.shipped_degradation)
    hint = show.cached(formulas.course_hint)
    st.markdown(
        f"The course's hint uses δ = {hint.factor}: the product falls to "
        f"{hint.threshold} or below after **{hint.layers} layers**. Does the plain network "
        f"degrade there? In section 1 it first fell behind at depth **{shipped.onset}**. With He "
        "initialisation a ReLU layer does not shrink the gradient by a fixed factor, so this "
        "cartoon cannot predict the depth; the next section measures real gradients."
    )


@st.fragment
def threshold_calculator() -> None:
    factor_link, depth_link, tau_link = CALCULATOR
    left, middle, right = st.columns(3)
    factor = links.number(
        factor_link,
        "δ, the factor per layer",
        course.CALCULATOR_START_FACTOR,
        where=left,
        step=course.CALCULATOR_FACTOR_STEP,
        format=course.CALCULATOR_FACTOR_FORMAT,
    )
    depth = links.number(depth_link, "L, layers", course.CALCULATOR_DEPTH, where=middle)
    tau = links.number(
        tau_link,
        "τ, the threshold",
        course.CALCULATOR_START_THRESHOLD,
        where=right,
        step=course.CALCULATOR_THRESHOLD_STEP,
        format=course.CALCULATOR_THRESHOLD_FORMAT,
    )
    links.share(CALCULATOR, "vg")
    factor, tau = formulas.calculator_inputs(factor, tau)  # rounded to the places shown
    ask.button("vg-depth-threshold", {"delta": factor, "tau": tau}, key="vg")
    st.markdown("What layer 1 receives:")
    lecture.steps(show.cached(formulas.first_layer_derivation, factor, depth), "vg-first")
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
    problem = formulas.threshold_problem(tau)
    if problem:
        st.warning(problem)
        return
    k = show.cached(formulas.layers_to_threshold, factor, tau)
    st.markdown("How many layers until the gradient is at or below τ:")
    lecture.steps(show.cached(formulas.threshold_derivation, factor, tau), "vg-threshold")
    st.markdown(f"The gradient is at or below τ after **{k} layers**.")
    curve = show.cached(formulas.gradient_decay_curve, factor, depth)
    show.figure(charts.gradient_decay, curve, float(tau), int(k), key="vg-decay")


def gradient_flow() -> None:
    st.header("3 · Gradient flow, observed")
    st.markdown(
        "Here is the product of Jacobians happening in torch: the norm of each layer's weight "
        "gradient at initialisation, for a plain stack and a residual stack of the same depth "
        f"(cross-entropy on {course.PROBE_BATCH} digits, no normalisation, and the residual "
        "branches are *not* zero-initialised, so the identity path has to do the work)."
    )
    depth_link, activation_link, init_link = FLOW
    left, middle, right = st.columns(3)
    depth = links.slider(depth_link, "Depth", course.PROBE_DEPTH, where=left)
    activation = links.selectbox(activation_link, "Activation", "relu", where=middle)
    init = links.radio(init_link, "Initialisation", where=right, format_func=models.INITS.get)
    links.share(FLOW, "gf")
    rows = show.cached(experiments.gradient_flow, depth, activation, init)
    show.figure(charts.gradient_flow, rows, key="gf-chart")
    for flow in experiments.flow_readings(rows):
        if flow.ratio is None:
            st.warning(
                f"{flow.family}: {flow.underflowed} layers have a gradient of exactly 0 "
                f"(it underflowed float32), from layer {flow.first_underflowed} to "
                f"{flow.last_underflowed}; the chart cannot show them on a log scale."
            )
            continue
        st.markdown(
            f"{flow.family}: layer 1 receives **{flow.ratio}** times the gradient of the last "
            "layer."
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
    st.markdown(
        "In code the whole idea is one line. A plain block ends with `out = F(x)`; a residual "
        "block ends with `out = F(x) + x`, or in torchvision's words `out += identity`. That "
        "addition is a path for the gradient through every block, which is why networks of 50, "
        "100 or 1,000 layers train where plain stacks of the same depth stall."
    )
    x0, branch = formulas.checkpoint_vectors()
    st.caption(
        f"The course's checkpoint gives the branch's output, $F(\\mathbf{{x}}) = {branch}$, "
        f"but never says what $\\mathbf{{x}}$ is; the questions below take $\\mathbf{{x}} = "
        f"{x0}$ on the course's numbers."
    )
    quiz.question("skip-residual-output")
    quiz.question("skip-residual-learned")
    st.subheader("A concrete block, differentiated two ways")
    tex = show.cached(formulas.residual_jacobian_tex, course.EXAMPLE_W1, course.EXAMPLE_W2)
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
    jacobian_check()
    overstated()
    st.subheader("The block as torch runs it")
    resnet = show.cached(experiments.small_resnet_reading)
    st.markdown(
        "Traced with `torch.fx` from the first block of the SmallResNet below: the branch "
        "(conv, BN, ReLU, conv, BN) and the identity meet at the **+**."
    )
    st.graphviz_chart(resnet.diagram)


@st.fragment
def jacobian_check() -> None:
    st.markdown("Evaluate it at a point of your choice and compare with torch's autograd:")
    columns = st.columns(2)
    x1, x2 = (
        links.number(link, label, start, where=column, step=course.EXAMPLE_X_STEP)
        for link, label, start, column in zip(
            JACOBIAN, ("x₁", "x₂"), course.EXAMPLE_X0, columns, strict=True
        )
    )
    links.share(JACOBIAN, "jac")
    check = show.cached(experiments.jacobian_check, course.EXAMPLE_W1, course.EXAMPLE_W2, (x1, x2))
    left, right = st.columns(2)
    left.markdown("**SymPy** (exact, then evaluated)")
    left.dataframe(check.sympy, hide_index=True)
    right.markdown("**torch.autograd.functional.jacobian** (float64)")
    right.dataframe(check.torch, hide_index=True)
    st.caption(f"Largest difference between the two: {check.max_difference}")
    x1_saturated, x2_saturated = formulas.saturating_point()
    st.markdown(
        f"Where $\\tanh$ saturates (try $x_1 = {x1_saturated}$, $x_2 = {x2_saturated}$) the "
        "branch's "
        "$\\partial F/\\partial\\mathbf{x}$ fades, and the identity keeps the Jacobian close "
        "to $\\mathbf{I}$ instead of close to zero. It makes a vanishing product very unlikely, "
        "not impossible: if $\\partial F/\\partial\\mathbf{x}$ had an eigenvalue of exactly "
        "$-1$, the sum would be singular."
    )


def overstated() -> None:
    st.markdown("**Where the course overstates it.**")
    zero, negative = show.cached(formulas.counter_examples)
    st.markdown(
        "The course calls the gradient at the **+** node, $\\partial F/\\partial\\mathbf{x} + "
        "\\mathbf{I}$, *never zero*, and its summary says $\\partial H/\\partial\\mathbf{x} \\ge "
        "\\mathbf{I}$. Both are too strong. Take one unit, $H(x) = x + w_2 \\tanh(w_1 x)$: SymPy "
        "differentiates its slope at $x = 0$ to $1 + w_1 w_2$. With "
        f"$w_1 = {zero.w1}, w_2 = {zero.w2}$ the slope is **{zero.slope}**, and with "
        f"$w_1 = {negative.w1}, w_2 = {negative.w2}$ it is **{negative.slope}**: below the "
        "identity's 1, "
        "even negative. The identity guarantees a *path* for the gradient, not a floor under it "
        "(and for matrices '≥' has no plain meaning). What makes residual networks train in "
        "practice is that learned branches rarely cancel the identity, so most of the gradient "
        "gets through."
    )


def projections() -> None:
    st.header("5 · Projection shortcuts")
    st.markdown(
        "The addition needs $F(\\mathbf{x})$ and $\\mathbf{x}$ to have the same shape. A block "
        "that changes the number of channels, or shrinks the map with a stride, puts a "
        "*projection* on the shortcut: a 1×1 convolution (no bias) with the same stride, then "
        "BatchNorm. Blocks that keep the shape use the free identity."
    )
    projection_explorer()
    quiz.question("skip-projection-params")


@st.fragment
def projection_explorer() -> None:
    start = course.BLOCK_START
    labels = ("Input channels C", "Height H", "Width W", "Output channels", "Stride")
    channels, height, width, out_ch, stride = (
        links.number(link, label, start[link.name], where=column)  # BLOCK_START is by link name
        for link, label, column in zip(BLOCK, labels, st.columns(len(BLOCK)), strict=True)
    )
    links.share(BLOCK, "pj")
    in_shape = (channels, height, width)
    problems = experiments.block_problems(in_shape, out_ch, stride)
    if problems:
        st.warning(" ".join(problems))
        return
    for note in experiments.block_notes(in_shape, out_ch, stride):
        st.info(note)
    ask.button("skip-shortcut-params", {"C_in": channels, "C_out": out_ch, "s": stride}, key="pj")
    block = show.cached(experiments.block_reading, in_shape, out_ch, stride)
    st.markdown(
        f"Output shape: **{block.shape}** by the convolution arithmetic, "
        f"**{block.torch_shape}** from an instantiated `ResidualBlock`. "
        + (
            f"The shape changes, so the shortcut is a projection with "
            f"**{block.projection_params}** parameters (torch counts "
            f"{block.torch_shortcut_params}):"
            if block.projection
            else "The shape is kept, so the shortcut is the identity, with no parameters."
        )
    )
    if block.torch_projection:
        st.code(block.shortcut, language="text")
        lecture.steps(show.cached(formulas.projection_derivation, channels, out_ch), "pj-params")
    st.markdown(
        f"The whole block has **{block.block_params}** parameters (torch: "
        f"{block.torch_block_params})."
    )
    st.graphviz_chart(show.cached(experiments.block_diagram_for, channels, out_ch, stride))
    if not st.button("Forget the projection", key="pj_forget"):
        return
    forgotten = show.cached(experiments.try_block, in_shape, out_ch, stride, False)
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


def small_resnet() -> None:
    st.header("6 · A small ResNet for CIFAR-10")
    resnet = show.cached(experiments.small_resnet_reading)
    kernel, padding, chain = resnet.stem_kernel, resnet.stem_padding, resnet.chain
    st.markdown(
        f"The course's exercise builds a small ResNet for {resnet.side}×{resnet.side} "
        f"colour images and {resnet.classes} classes, but its stated shapes and its "
        "projection placement do not fit one network. This tutor uses one consistent "
        f"architecture (`core.skip_connections.models.SmallResNet`): a {kernel}×{kernel} stem "
        f"convolution to {resnet.stem_channels} channels with BatchNorm, ReLU and a max-pool "
        f"that halves the side, then basic blocks {chain}, global average pooling and a linear "
        "layer. The "
        "max-pool does the first downsampling, so only one block changes the shape, and **only "
        "a block that changes the shape needs a projection**."
    )
    st.markdown(f"Every stage's output for a batch `torch.randn{resnet.input}`:")
    show.table(resnet.rows)
    st.markdown(
        f"Parameters: **{resnet.torch_total}** counted by torch "
        f"(`sum(p.numel() for p in model.parameters())`), **{resnet.sympy_total}** by "
        "the SymPy formulas."
    )
    with st.expander("Exercise 2, as this tutor states it"):
        st.markdown(
            f"1. Write `ResidualBlock(in_ch, out_ch, stride)`: two {kernel}×{kernel} "
            f"convolutions (padding {padding}, no bias), each with BatchNorm, ReLU after the "
            "first and after the addition, and a shortcut that is the identity unless the shape "
            "changes, then a 1×1 convolution with the block's stride (no bias) and BatchNorm.\n"
            f"2. Build the SmallResNet above: the stem, blocks {chain}, "
            f"`nn.AdaptiveAvgPool2d(1)`, flatten, `nn.Linear({resnet.last_channels}, "
            f"{resnet.classes})`.\n"
            f"3. Pass `torch.randn{resnet.input}` through it and print every stage's shape; "
            "compare with the table.\n"
            "4. Count the parameters with `sum(p.numel() for p in model.parameters())` and check "
            "the count stage by stage."
        )


def segmentation_case_and_quiz() -> None:
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
    quiz.end_of_topic(TOPIC, inline=INLINE)


SECTIONS = (
    degradation,
    vanishing,
    gradient_flow,
    residual_block,
    projections,
    small_resnet,
    segmentation_case_and_quiz,
)

links.restore(CALCULATOR + SWEEP + FLOW + JACOBIAN + BLOCK, PAGE)
st.title("Skip connections (ResNet)")
st.markdown(
    "Why stacking more layers once made networks worse, and how adding the input back, "
    "`out = F(x) + x`, fixed it. Every number on this page is computed: by torch, by SymPy, or "
    "by a real training run."
)
show.sections(SECTIONS)
