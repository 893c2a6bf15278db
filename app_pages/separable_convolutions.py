"""Depthwise separable convolutions (MobileNet): costs, the ratio, a photo, a live benchmark."""

import streamlit as st

from core import course
from core.data import PHOTO_CREDIT
from core.separable_convolutions import benchmark, claims, formulas, inputs, models, photo
from ui import ask, charts, lecture, links, quiz, show
from ui.links import Link

TOPIC = "separable_convolutions"
INLINE = ("sep-double-channels", "sep-ratio-value", "sep-saving-check")
DEFAULT = benchmark.BenchmarkShape()  # the course's exercise 3: M = 64, N = 128, D_F = 56
REQUESTED = "_sep_bench_requested"  # benchmarks this session asked to time
COUNTED = "_sep_networks_counted"  # the student asked torch to count the networks
PAGE = "separable_convolutions"
COSTS = (
    Link("sep_kernel", "D_K", "choice", choices=course.KERNEL_CHOICES),
    Link("sep_in", "M", "int", 1, course.MAX_CHANNELS),
    Link("sep_out", "N", "int", 1, course.MAX_CHANNELS),
    Link("sep_size", "side", "int", 1, course.MAX_INPUT_SIDE),
    Link("sep_stride", "stride", "int", 1, course.MAX_CONV_STRIDE),
    Link("sep_padding", "pad", "int", 0, course.MAX_CONV_PADDING),
)
PHOTO = (
    *(Link(f"sep_f_{c}", c, "choice", choices=tuple(photo.PHOTO_FILTERS)) for c in photo.CHANNELS),
    Link("sep_mix_preset", "mix", "choice", choices=tuple(photo.MIXER_PRESETS)),
)
BENCH = (
    Link("sep_b_batch", "batch", "choice", choices=course.BENCH_BATCHES),
    Link("sep_b_in", "bench_M", "choice", choices=course.BENCH_CHANNELS),
    Link("sep_b_out", "bench_N", "choice", choices=course.BENCH_CHANNELS),
    Link("sep_b_size", "D_F", "choice", choices=course.BENCH_SIDES),
    Link("sep_b_kernel", "bench_D_K", "choice", choices=course.BENCH_KERNELS),
)
IR_LOW, IR_HIGH, IR_STEP = course.IR_CHANNEL_RANGE  # the inverted residual's channel boxes
INVERTED = (
    Link("sep_ir_in", "ir_in", "int", IR_LOW, IR_HIGH, step=IR_STEP),
    Link("sep_ir_out", "ir_out", "int", IR_LOW, IR_HIGH, step=IR_STEP),
    Link("sep_ir_t", "t", "choice", choices=course.IR_EXPANSIONS),
    Link("sep_ir_stride", "ir_stride", "choice", choices=(1, 2)),
)


def why_it_matters() -> None:
    quote = course.QUOTE
    st.markdown(
        "**The problem.** A ResNet-50, the course's opening quote says, has "
        f"{claims.quoted_params()} million parameters and needs about "
        f"{quote['resnet50_gflops']} GFLOPs per image: fine in a data centre, but a 2015 phone "
        f"would take {quote['seconds_per_frame']} seconds per frame, where MobileNet manages "
        f"{quote['fps']} frames a second. **Predict:** can both speeds hold on the same phone?"
    )
    if not _networks_counted("Count the networks with torch", "sep_count_quote"):
        return
    check = claims.quote_check(show.cached(claims.network_costs))
    side, seconds, fps = course.IMAGE_SIDE, quote["seconds_per_frame"], quote["fps"]
    st.markdown(
        f"torch counts ResNet-50 at **{check.resnet_params}** parameters and "
        f"**{check.resnet_macs} G multiply-adds** per {side}×{side} image "
        f"({check.resnet_flops} GFLOPs as FlopCounterMode counts them): the "
        'quote\'s "GFLOPs" are multiply-adds. And the speeds do not fit one phone: ResNet-50 '
        f"needs only {check.work_ratio}× the work of MobileNet, while {seconds} s against "
        f"1/{fps} s is {check.speed_ratio}×. A phone that runs ResNet-50 in {seconds} s does "
        f"{check.implied_rate} G multiply-adds a second and would run MobileNet "
        f"at about {check.mobilenet_fps_at_that_rate} fps; {fps} fps needs "
        f"{check.rate_for_quoted_fps} G a second. The lesson stands (several "
        "times less work), the quote's speeds do not."
    )


def _networks_counted(label: str, key: str) -> bool:
    """Whether the student has asked torch to count the course's networks (a button until then)."""
    if st.session_state.get(COUNTED) or st.button(label, key=key):
        st.session_state[COUNTED] = True
        return True
    st.caption("torch builds ResNet-50 and both MobileNets on the meta device and counts them.")
    return False


def analogy() -> None:
    st.markdown(
        "> **An analogy.** A standard convolution is one cook who, for every dish, looks at "
        "every ingredient at once while cooking it. A depthwise separable convolution splits the "
        "kitchen: one cook per ingredient prepares it on its own (the depthwise stage: spatial "
        "filtering, channel by channel), then one chef blends the prepared ingredients into "
        "each dish (the pointwise stage: a 1×1 convolution that mixes channels)."
    )


def costs() -> None:
    st.header("1. What a standard convolution costs")
    tex = show.cached(formulas.cost_formulas_tex)
    start = course.CALCULATOR_CONV
    kernel_link, *number_links = COSTS
    cols = st.columns(len(COSTS))
    k = links.select(kernel_link, "kernel D_K", start["D_K"], where=cols[0])
    labels = ("input channels M", "output channels N", "input side", "stride", "padding")
    starts = ("M", "N", "size", "stride", "padding")
    m, n, size, stride, padding = (
        links.number(link, label, start[name], where=column)
        for link, label, name, column in zip(number_links, labels, starts, cols[1:], strict=True)
    )
    links.share(COSTS, "sep-costs")
    st.latex(rf"\text{{weights}} = {tex['standard_params']}, \qquad"
             rf"\text{{multiply-adds}} = {tex['standard_macs']}")  # fmt: skip
    problem = inputs.conv_shape_problem(k, m, n, size, stride, padding)
    if problem:
        st.warning(problem)
    else:
        standard_cost(k, m, n, size, stride, padding)
        ask.button("sep-standard-params", {"D_K": k, "M": m, "N": n}, key="sep")
    quiz.question("sep-double-channels")
    st.header("2. Depthwise, then pointwise")
    st.latex(rf"\text{{multiply-adds: depthwise}} = {tex['depthwise_macs']}, \qquad"
             rf"\text{{pointwise}} = {tex['pointwise_macs']}")  # fmt: skip
    problem = problem or inputs.separable_problem(k, n)
    if problem:
        st.warning(problem)
    else:
        separable_cost(k, m, n, size, stride, padding)
        ask.button("sep-ratio-value", {"N": n, "D_K": k}, key="sep-ratio")
    quiz.question("sep-ratio-value")
    quiz.question("sep-saving-check")
    worked_examples()
    st.header("3. Reduction against N")
    reduction_chart(k)


def standard_cost(k: int, m: int, n: int, size: int, stride: int, padding: int) -> None:
    costs = show.cached(formulas.layer_costs, k, m, n, size, stride, padding)
    d_f = costs.out_size
    st.markdown(f"With stride {stride} and padding {padding} the output map is $D_F = {d_f}$:")
    lecture.steps(show.cached(formulas.standard_cost_derivation, k, m, n, d_f), "sep-standard")
    st.markdown(
        f"So the standard layer has **{costs.standard_params}** weights and "
        f"needs **{costs.standard_macs}** multiply-adds per image. "
        "Below, SymPy's counts beside torch's: weights from a real `nn.Conv2d`, FLOPs from "
        "`FlopCounterMode`."
    )
    show.table(show.cached(benchmark.count_comparison, k, m, n, size, stride, padding))
    st.caption(
        "Units: one multiply-add is 2 FLOPs. `torch.utils.flop_counter.FlopCounterMode` counts "
        'FLOPs; the "GFLOPS" in torchvision\'s model tables are multiply-adds. Weights exclude '
        "bias, as in the MobileNet paper."
    )


def separable_cost(k: int, m: int, n: int, size: int, stride: int, padding: int) -> None:
    costs = show.cached(formulas.layer_costs, k, m, n, size, stride, padding)
    st.code(
        f"depthwise = nn.Conv2d({m}, {m}, {k}, stride={stride}, padding={padding}, "
        f"groups={m}, bias=False)\npointwise = nn.Conv2d({m}, {n}, 1, bias=False)",
        language="python",
    )
    st.markdown(
        f"`groups={m}` gives each of the {m} input channels its own {k}×{k} filter: "
        f"**{costs.separable_params}** weights for the pair (the table "
        "above checks them against torch). Here is a MobileNetV1 block as torch runs it, traced "
        "from its `forward`: the depthwise stage (`groups=` the channel count) filters each "
        "channel alone, BatchNorm and ReLU6, then the pointwise 1×1 stage mixes the channels."
    )
    st.graphviz_chart(show.cached(models.separable_block_diagram, *course.BLOCK_FIGURE))
    st.markdown("Dividing the two cost expressions, SymPy finds:")
    lecture.steps(show.cached(formulas.ratio_derivation, k, n), "sep-ratio")


def worked_examples() -> None:
    answered = quiz.attempted("sep-ratio-value") and quiz.attempted("sep-saving-check")
    if not (answered or st.toggle("Show the course's worked examples", key="sep_examples")):
        st.caption(
            "The course's worked examples, recomputed, appear here once you have answered the two "
            "questions above (or ask for them with the switch): they contain both answers."
        )
        return
    examples = show.cached(formulas.course_examples_reading)
    st.markdown(
        "The course text's worked examples, recomputed (blank where it gives no value). Its "
        f'"{examples.saving} reduction" is the saving, 1 − ratio; the reduction '
        "factor is 1 / ratio:"
    )
    st.dataframe(examples.table, height="content")
    low, high = course.COURSE_REDUCTION_RANGE
    st.warning(
        f'**The course says "{low}–{high}×".** At its own example, $N = '
        f"{examples.out_channels}$ and $D_K = {examples.kernel}$, the reduction is "
        f"**{examples.reduction}×**, under {low}×. The reduction passes {low}× only for wider "
        f"layers (section 3 finds where), and never reaches its ceiling of "
        f"{examples.ceiling}×.",
        icon="📐",
    )


@st.fragment
def reduction_chart(k: int) -> None:
    target = course.REDUCTION_TARGET
    facts = show.cached(formulas.threshold_reading, k, target)
    if facts is None:
        ceiling = show.cached(formulas.reduction_ceiling, k)
        st.warning(
            f"With a {k}×{k} kernel the reduction never exceeds {target}×: its ceiling is "
            f"$D_K^2 = {ceiling}$. Choose a larger kernel in section 1."
        )
        return
    st.markdown(
        f"**Predict first.** With $D_K = {k}$, from which $N$ does the separable pair need more "
        f"than {target}× fewer multiply-adds? Does the benefit keep growing with $N$?"
    )
    guess = st.number_input(
        "Your prediction for N", 1, course.MAX_CHANNELS, None, key="sep_predict"
    )
    if not st.toggle("Show SymPy's answer", key="sep_reveal", disabled=guess is None):
        st.info("Type a prediction to unlock the answer and the chart.")
        return
    st.success(
        f"SymPy solves ${facts.inequality_tex}$: the smallest whole $N$ "
        f"is **{facts.n}** (reduction {facts.reduction}×; at $N = "
        f"{facts.previous_n}$ it is {facts.previous_reduction}×). "
        f"You predicted {guess}."
    )
    st.markdown(
        f"The course's hint, *plug in N = {facts.hint_n}*, gives a reduction of only "
        f"{facts.hint_reduction}×, so it cannot be the answer. The "
        f"benefit grows with $N$ but flattens: it approaches $D_K^2 = {facts.ceiling}$ and never "
        "reaches it."
    )
    n_max = st.slider(
        "Largest N on the chart", 16, course.MAX_CHANNELS, course.CHART_MAX_N, key="sep_nmax"
    )
    curve = show.cached(formulas.reduction_curve, k, n_max)
    show.figure(charts.reduction, curve, k, target, facts.ceiling, facts.n, key="sep-red")


def photo_section() -> None:
    st.header("4. What each stage sees")
    st.caption(PHOTO_CREDIT)
    *filter_links, preset_link = PHOTO
    cols = st.columns(len(photo.CHANNELS))
    filters = tuple(
        links.selectbox(link, f"Depthwise filter, {c}", d, where=col)
        for link, col, c, d in zip(
            filter_links, cols, photo.CHANNELS, photo.DEFAULT_FILTERS, strict=True
        )
    )
    links.share(PHOTO, "sep-photo")
    links.selectbox(
        preset_link, "Pointwise mixer preset", on_change=_set_mixer, args=(preset_link.key,)
    )
    if "sep_mix_00" not in st.session_state:
        _set_mixer(preset_link.key)
    low, high = photo.MIX_RANGE
    mix = []
    for o, (col, colour) in enumerate(zip(st.columns(3), photo.CHANNELS, strict=True)):
        col.markdown(f"**output {colour}** takes")
        mix.append(
            tuple(
                col.slider(f"of {src}", low, high, step=0.05, key=f"sep_mix_{o}{i}")
                for i, src in enumerate(photo.CHANNELS)
            )
        )
    stages = show.cached(photo.filtered_photo, course.PHOTO_WIDTH, filters, tuple(mix))
    left, right = st.columns(2)
    left.image(stages["input"], caption="input (RGB)", width="stretch")
    right.image(stages["mixed"], caption="after the pointwise mixer", width="stretch")
    maps = zip(st.columns(3), photo.CHANNELS, filters, stages["maps"], strict=True)
    for col, colour, name, image in maps:
        col.image(image, caption=f"{colour} channel after {name}", width="stretch")
    st.caption(
        "Each depthwise map is one colour channel filtered on its own (maps shown clipped to "
        "0-1); the mixer never sees a neighbouring pixel, only the three values at each pixel."
    )


def _set_mixer(preset_key: str) -> None:
    """Copy a preset's weights into the mixer sliders."""
    weights = photo.MIXER_PRESETS[st.session_state[preset_key]]
    for o, row in enumerate(weights):
        for i, w in enumerate(row):
            st.session_state[f"sep_mix_{o}{i}"] = float(w)


def benchmark_section() -> None:
    st.header("5. Live benchmark: does the FLOP saving become a speed-up?")
    *cols, threads_column = st.columns(len(BENCH) + 1)
    starts = (DEFAULT.batch, DEFAULT.in_ch, DEFAULT.out_ch, DEFAULT.size, DEFAULT.kernel)
    batch, m, n, size, k = (
        links.select(link, label, value, where=column)
        for link, label, value, column in zip(
            BENCH, ("batch", "M", "N", "D_F", "D_K"), starts, cols, strict=True
        )
    )
    threads = threads_column.select_slider(
        "threads", benchmark.available_threads(), benchmark.BenchmarkConfig.threads, key="sep_b_thr"
    )
    links.share(BENCH, "sep-bench")
    shape = benchmark.BenchmarkShape(batch, m, n, size, k)
    problem = benchmark.shape_problem(shape, benchmark.BenchmarkConfig(threads=threads))
    if problem:
        st.warning(problem)
        return
    st.markdown(
        "**Before timing**, the arithmetic intensity of each layer: FLOPs per byte it must move "
        "at least (input, output and weights once each). A processor does far more arithmetic "
        "per second than it moves bytes, so a layer with few FLOPs per byte waits on memory."
    )
    show.table(show.cached(benchmark.intensity_table, shape))
    request = benchmark.LiveBenchmark(shape, benchmark.best_device(), threads)
    requested = st.session_state.setdefault(REQUESTED, set())
    if st.button("Run the live benchmark", key="sep_b_run", type="primary"):
        requested.add(request)
    if request in requested:
        layers, formats = len(benchmark.LAYERS), len(benchmark.MEMORY_FORMATS)
        label = f"Timing {layers} layers in {formats} memory formats…"
        result = show.live(benchmark.live_benchmark, request, label=label)
        if result is not None:
            live_result(result)
    else:
        st.info("Press the button to time this shape here (a few seconds; results are cached).")
    st.caption(
        "One live run goes at a time for everyone using this app. The thread count is set for "
        "the whole app while it runs and put back when it ends, even if it fails."
    )
    shipped = show.cached(benchmark.load_results, benchmark.SHIPPED_RESULTS)
    if shipped:
        st.markdown(
            "**Shipped results** (`python -m core.separable_convolutions.benchmark`, measured "
            "offline):"
        )
        show.table(benchmark.summary_table(shipped))


def live_result(result: dict) -> None:
    label = benchmark.label(result["environment"])
    st.markdown(f"**Live result**, {label}, {result['measured']}")
    rows = benchmark.result_table(result)
    show.figure(
        charts.benchmark_times,
        rows,
        label,
        benchmark.LAYERS,
        tuple(benchmark.MEMORY_FORMATS),
        key="sep-bench",
    )
    reading = benchmark.live_reading(result)
    for f in reading.speedups:
        st.markdown(
            f"- **{f.memory_format}**: speed-up of separable over standard {f.speedup}× "
            f"(quartiles {f.low}-{f.high}×), where the FLOP ratio promises {f.flop_ratio}×."
        )
    gain = reading.channels_last
    st.markdown(
        f"- **channels_last** over contiguous: depthwise {gain['depthwise']}×, pointwise "
        f"{gain['pointwise']}×, standard {gain['standard']}× (above 1 means faster)."
    )
    st.markdown(
        f"**Why the gap** (contiguous format, each stage timed alone): the depthwise stage does "
        f"only {reading.depthwise_flop_share} of the pair's FLOPs but takes "
        f"{reading.depthwise_time_share} of its time. It runs at "
        f"{reading.depthwise_gflop_per_s} GFLOP/s against the standard layer's "
        f"{reading.standard_gflop_per_s}, because it does {reading.depthwise_intensity} "
        f"FLOPs per byte moved against {reading.standard_intensity}: memory traffic, not "
        "arithmetic, sets its pace, so cutting its FLOPs saves less time than the FLOP ratio "
        "promises. On a shared machine timings vary from run to run, hence medians and quartiles."
    )


def inverted_residuals() -> None:
    st.header("6. Inverted residuals (MobileNetV2)")
    in_link, out_link, t_link, stride_link = INVERTED
    start = course.IR_START
    cols = st.columns(len(INVERTED))
    c_in = links.number(in_link, "input channels", start["in"], where=cols[0])
    c_out = links.number(out_link, "output channels", start["out"], where=cols[1])
    t = links.select(t_link, "expansion t", start["t"], where=cols[2])
    stride = links.radio(stride_link, "stride", where=cols[3], horizontal=True)
    links.share(INVERTED, "sep-ir")
    block = show.cached(models.inverted_residual_reading, c_in, c_out, stride, t)
    left, right = st.columns([3, 2])
    with left:
        show.table(block.rows)
    if block.expands:
        trade = (
            f"The expansion costs weights, and buys a depthwise filter over "
            f"{block.hidden} channels instead of {c_in}."
        )
    else:
        trade = "With t = 1 there is no expand layer, so the count equals a MobileNetV1 block's."
    with left:
        lecture.steps(
            show.cached(formulas.inverted_residual_derivation, block.kernel, c_in, c_out, t),
            "sep-ir",
        )
    left.markdown(
        f"Convolution weights: **{block.weights}**, against **{block.v1_weights}** "
        f"for a MobileNetV1 block ({c_in} → {c_out}). {trade}"
    )
    if block.skip:
        left.success("Stride 1 and equal channel counts: the input is added to the output.")
    else:
        left.info(
            "No skip: the output's shape differs from the input's. MobileNetV2 adds no "
            "projection here; it would cost the very weights the block is built to save."
        )
    right.graphviz_chart(block.diagram)
    resnet, mobile = show.cached(claims.bottleneck_chains)
    st.markdown(
        "**Why *inverted*.** ResNet-50's bottleneck block squeezes a wide tensor, works on it "
        "narrow, then widens it again, and its skip joins the *wide* ends: channels "
        f"{resnet}. MobileNetV2 does the reverse: it widens a narrow "
        "tensor, filters it wide with a cheap depthwise convolution, and narrows it again, so "
        f"its skip joins the *narrow* ends: {mobile} (both read from the "
        "built modules). The tensors passed between blocks, and kept in memory, stay small; the "
        "projection back down has no activation, so the narrow tensor loses no information to "
        "a ReLU."
    )
    with st.expander("Where MobileNetV2 adds skips (its stage table, built as modules)"):
        show.table(show.cached(models.mobilenet_v2_plan))


def takeaway() -> None:
    st.header("7. The takeaway, checked")
    low, high = course.COURSE_REDUCTION_RANGE
    st.markdown(
        "Depthwise separable convolution splits *where to look* (depthwise, one channel at a "
        "time) from *what to combine* (pointwise, across channels). The course sums it up as "
        f'"{low}–{high}× fewer operations with less than '
        f'{claims.accuracy_claim()} accuracy loss on ImageNet". Both halves can '
        "be checked."
    )
    if not _networks_counted("Check the takeaway with torch", "sep_count_takeaway"):
        return
    costs = show.cached(claims.network_costs)
    check = claims.takeaway_check(costs, course.RATIO_KERNEL, course.RATIO_OUT_CHANNELS)
    st.markdown(
        f"- **Operations.** For one layer the formula gives {check.reduction}× at the "
        f"course's own $N = {course.RATIO_OUT_CHANNELS}$; for the whole MobileNet, built from "
        f"its paper's Table 1 and counted by torch, the separable network needs "
        f"{check.separable_macs} M multiply-adds and {check.separable_params} "
        f"M parameters, against {check.conv_macs} M and "
        f"{check.conv_params} M when every block is a standard convolution: "
        f"**{check.network_mac_ratio}×** fewer operations, "
        + ("within" if check.network_in_range else "outside")
        + " the course's range.\n"
        f"- **Accuracy.** The paper's Table 4 ({course.MOBILENET_SOURCE}, cited, not recomputed) "
        f"gives {check.accuracy_conv} top-1 for the standard-convolution network and "
        f"{check.accuracy_separable} for MobileNet: a loss of "
        f"**{check.accuracy_loss}** (percentage points), a little *more* than the course's "
        f'"less than {check.course_loss_bound}".'
    )
    case_study(costs)


def case_study(costs: dict) -> None:
    check = claims.case_check(costs)
    fps = course.CASE_FPS
    st.subheader("Case study")
    st.markdown(
        "A packaging plant inspected its products with a ResNet-based defect detector that "
        f"needed a GPU beside every line and ran at {fps['resnet']} frames a second. Rebuilt on "
        f"MobileNetV2's depthwise separable blocks, it ran at {fps['mobilenet_v2']} frames a "
        f"second on a Raspberry Pi 4 with {check.recall} defect recall, and the "
        "GPUs could go. **Checked against torch's counts:** MobileNetV2 needs "
        f"{check.v2_macs} M multiply-adds per {course.IMAGE_SIDE}×"
        f"{course.IMAGE_SIDE} image, {check.work_ratio}× fewer than ResNet-50, so "
        f"{fps['mobilenet_v2']} frames a second is {check.mobilenet_v2_rate} G "
        f"multiply-adds a second, against {check.resnet_rate} G for ResNet-50 at "
        f"{fps['resnet']}. That is within reach of a small ARM board only with the usual tricks "
        "the case does not mention (8-bit weights, a smaller input); the live benchmark above "
        "shows why seconds shrink less than operations."
    )


def end_of_topic_quiz() -> None:
    quiz.end_of_topic(TOPIC, inline=INLINE)


SECTIONS = (
    why_it_matters,
    analogy,
    costs,
    photo_section,
    benchmark_section,
    inverted_residuals,
    takeaway,
    end_of_topic_quiz,
)

links.restore(COSTS + PHOTO + BENCH + INVERTED, PAGE)
st.title("Depthwise separable convolutions (MobileNet)")
st.markdown(
    "A standard convolution asks every filter to look at every channel and every neighbour at "
    "once. MobileNet splits the job: a **depthwise** stage filters each channel on its own "
    "(where to look), then a **pointwise** 1×1 stage mixes channels (what to combine). Here you "
    "count what that saves, watch it on a photo, and time it on this machine."
)
show.sections(SECTIONS)
