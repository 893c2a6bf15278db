"""Depthwise separable convolutions (MobileNet): costs, the ratio, a photo, a live benchmark."""

import altair as alt
import pandas as pd
import streamlit as st
import sympy as sp

from core import benchmark, data, formulas, models
from quizzes import widget

DEFAULT = benchmark.BenchmarkShape()  # the course's exercise 3: M = 64, N = 128, D_F = 56
KERNELS = [1, 3, 5, 7]
MAX_CH = formulas.MAX_CHANNELS
CHANNEL_STEPS = [8, 16, 32, 64, 128, 256, 512]
COLOURS = ["red", "green", "blue"]
REQUESTED = "_sep_bench_requested"  # benchmark shapes this session asked to time
INLINE = ("sep-double-channels", "sep-ratio-value")
COURSE_QUESTIONS = (
    "sep-standard-params",
    "sep-q1-separable-params",
    "sep-q1-reduction",
    "sep-q2-groups",
)


@st.cache_data(show_spinner=False, max_entries=256)
def count_rows(k: int, m: int, n: int, size: int, stride: int, padding: int) -> list[dict]:
    return benchmark.count_comparison(k, m, n, size, stride, padding)


@st.cache_data(show_spinner=False, max_entries=256)
def derivation(k: int, n: int) -> list[str]:
    return formulas.ratio_derivation(k, n)


@st.cache_data(show_spinner=False)
def course_examples() -> list[dict]:
    return formulas.course_examples()


@st.cache_data(show_spinner=False, max_entries=64)
def photo_stages(filters: tuple, mix: tuple) -> dict:
    return models.separable_photo(data.sample_photo(240), filters, mix)


@st.cache_data(show_spinner=False, max_entries=64)
def live_benchmark(shape: tuple, device: str, threads: int) -> dict:
    config = benchmark.BenchmarkConfig(threads=threads)
    return benchmark.run_benchmark(benchmark.BenchmarkShape(*shape), config, device)


@st.cache_data(show_spinner=False, max_entries=256)
def reduction_spec(k: int, n_max: int) -> dict:
    """The reduction-vs-N chart as a Vega-Lite spec (Altair builds it once per input)."""
    target = formulas.REDUCTION_TARGET
    curve = pd.DataFrame(formulas.reduction_curve(k, n_max))
    lines = pd.DataFrame(
        {
            "reduction": [target, float(formulas.reduction_ceiling(k))],
            "line": [f"{target}× target", "D_K² ceiling"],
        }
    )
    first = int(formulas.min_channels_for_reduction(k, target))
    base = alt.Chart(curve).encode(
        x=alt.X("N:Q", title="output channels N"),
        y=alt.Y("reduction:Q", title="reduction factor (standard / separable)"),
    )
    chart = (
        base.mark_line()
        + base.mark_point(size=20, opacity=0).encode(
            tooltip=[alt.Tooltip("N:Q"), alt.Tooltip("reduction:Q", format=".3f")]
        )
        + alt.Chart(lines)
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y="reduction:Q", color=alt.Color("line:N", title=None), tooltip=["line", "reduction"]
        )
        + alt.Chart(pd.DataFrame({"N": [first]}))
        .mark_rule(color="grey")
        .encode(x="N:Q", tooltip=[alt.Tooltip("N:Q", title="first N above target")])
    )
    return chart.to_dict()


@st.cache_data(show_spinner=False, max_entries=64)
def result_spec(shape: tuple, device: str, threads: int) -> dict:
    """A live result's bar chart (median, quartile whiskers) as a Vega-Lite spec."""
    result = live_benchmark(shape, device, threads)
    table = pd.DataFrame(benchmark.result_table(result))
    bars = alt.Chart(table).encode(
        x=alt.X("layer:N", sort=list(benchmark.LAYERS)),
        xOffset=alt.XOffset("memory format:N", sort=list(benchmark.MEMORY_FORMATS)),
        color=alt.Color("memory format:N", sort=list(benchmark.MEMORY_FORMATS)),
        tooltip=list(table.columns),
    )
    chart = bars.mark_bar(opacity=0.8).encode(y=alt.Y("median ms:Q", title="median ms per call"))
    chart += bars.mark_rule(color="black").encode(y="q25 ms:Q", y2="q75 ms:Q")
    return chart.properties(title=benchmark.label(result["environment"])).to_dict()


@st.cache_data(show_spinner=False)
def shipped_results() -> list[dict]:
    return benchmark.load_results(benchmark.SHIPPED_RESULTS)


@st.cache_data(show_spinner=False, max_entries=64)
def inverted_residual(c_in: int, c_out: int, stride: int, t: int) -> dict:
    block = models.InvertedResidual(c_in, c_out, stride, t)
    return {
        "counts": models.inverted_residual_counts(block),
        "diagram": models.block_diagram(block),
        "skip": block.use_skip,
        "kernel": block.depthwise[0].kernel_size[0],
    }


@st.cache_data(show_spinner=False)
def mobilenet_v2_plan() -> list[dict]:
    return models.block_plan(models.mobilenet_v2_blocks())


def show_table(rows, hide_index: bool = True) -> None:
    """A dataframe with thousands separators in its number columns."""
    frame = pd.DataFrame(rows)
    numbers = frame.select_dtypes("number").columns
    config = {c: st.column_config.NumberColumn(format="localized") for c in numbers}
    st.dataframe(frame, hide_index=hide_index, column_config=config)


def readable(value) -> str:
    """A table cell: integers with thousands separators, fractions as decimals, None blank."""
    if value is None:
        return ""
    if isinstance(value, int | sp.Integer):
        return f"{int(value):,}"
    return f"{float(value):.4g}" if isinstance(value, sp.Rational) else str(value)


def set_mixer(preset_key: str) -> None:
    """Copy a preset's weights into the mixer sliders."""
    weights = models.MIXER_PRESETS[st.session_state[preset_key]]
    for o, row in enumerate(weights):
        for i, w in enumerate(row):
            st.session_state[f"sep_mix_{o}{i}"] = float(w)


def standard_cost(k, m, n, size, stride, padding) -> None:
    st.latex(rf"\text{{weights}} = {sp.latex(formulas.STANDARD_PARAMS)}, \qquad"
             rf"\text{{multiply-adds}} = {sp.latex(formulas.STANDARD_MACS)}")  # fmt: skip
    problem = formulas.conv_shape_problem(k, m, n, size, stride, padding)
    if problem:
        st.warning(problem)
        return
    d_f = formulas.conv_output_size(size, k, stride, padding)
    st.markdown(
        f"With stride {stride} and padding {padding} the output map is $D_F = {d_f}$, so the "
        f"standard layer has **{readable(formulas.standard_params(k, m, n))}** weights and "
        f"needs **{readable(formulas.standard_macs(k, m, n, d_f))}** multiply-adds per image. "
        "Below, SymPy's counts beside torch's: weights from a real `nn.Conv2d`, FLOPs from "
        "`FlopCounterMode`."
    )
    show_table(count_rows(k, m, n, size, stride, padding))
    st.caption(
        "Units: one multiply-add is 2 FLOPs. `torch.utils.flop_counter.FlopCounterMode` counts "
        'FLOPs; the "GFLOPS" in torchvision\'s model tables are multiply-adds. Weights exclude '
        "bias, as in the MobileNet paper."
    )


def separable_cost(k, m, n, size, stride, padding) -> None:
    st.latex(rf"\text{{multiply-adds: depthwise}} = {sp.latex(formulas.DEPTHWISE_MACS)}, \qquad"
             rf"\text{{pointwise}} = {sp.latex(formulas.POINTWISE_MACS)}")  # fmt: skip
    problem = formulas.conv_shape_problem(k, m, n, size, stride, padding)
    problem = problem or formulas.separable_problem(k, n)
    if problem:
        st.warning(problem)
        return
    st.code(
        f"depthwise = nn.Conv2d({m}, {m}, {k}, stride={stride}, padding={padding}, "
        f"groups={m}, bias=False)\npointwise = nn.Conv2d({m}, {n}, 1, bias=False)",
        language="python",
    )
    st.markdown(
        f"`groups={m}` gives each of the {m} input channels its own {k}×{k} filter: "
        f"**{readable(formulas.separable_params(k, m, n))}** weights for the pair (the table above "
        "checks them against torch). Dividing the two cost expressions, SymPy finds:"
    )
    for step in derivation(k, n):
        st.latex(step)
    st.markdown(
        "The course text's worked examples, recomputed (blank where it gives no value). Its "
        '"87% reduction" is the saving, 1 − ratio; the reduction factor is 1 / ratio:'
    )
    examples = pd.DataFrame(course_examples(), dtype=object).set_index("example")
    st.dataframe(examples.T.map(readable), height="content")
    widget.question("sep-ratio-value")


@st.fragment
def reduction_chart(k: int) -> None:
    target = formulas.REDUCTION_TARGET
    facts = formulas.threshold_facts(k, target)
    if facts is None:
        st.warning(
            f"With a {k}×{k} kernel the reduction never exceeds {target}×: its ceiling is "
            f"$D_K^2 = {formulas.reduction_ceiling(k)}$. Choose a larger kernel in section 1."
        )
        return
    st.markdown(
        f"**Predict first.** With $D_K = {k}$, from which $N$ does the separable pair need more "
        f"than {target}× fewer multiply-adds? Does the benefit keep growing with $N$?"
    )
    guess = st.number_input("Your prediction for N", 1, MAX_CH, None, key="sep_predict")
    if not st.toggle("Show SymPy's answer", key="sep_reveal", disabled=guess is None):
        st.info("Type a prediction to unlock the answer and the chart.")
        return
    hint_n = formulas.COURSE_HINT_N
    st.success(
        f"SymPy solves $1/(1/N + 1/{k}^2) > {target}$: the smallest whole $N$ is "
        f"**{facts['N']}** (reduction {readable(facts['reduction'])}×; at $N = "
        f"{facts['previous N']}$ it is {readable(facts['previous reduction'])}×). "
        f"You predicted {guess}."
    )
    st.markdown(
        f"The course's hint, *plug in N = {hint_n}*, gives a reduction of only "
        f"{readable(formulas.reduction_factor(k, hint_n))}×, so it cannot be the answer. The "
        f"benefit grows with $N$ but flattens: it approaches $D_K^2 = "
        f"{formulas.reduction_ceiling(k)}$ and never reaches it."
    )
    n_max = st.slider("Largest N on the chart", 16, MAX_CH, 256, key="sep_nmax")
    st.vega_lite_chart(spec=reduction_spec(k, n_max), width="stretch")
    st.caption(
        f"Reduction factor against N for a {k}×{k} kernel, with the {target}× target and the "
        "D_K² ceiling dashed; the grey line marks the first N above the target."
    )


@st.fragment
def photo_section() -> None:
    st.caption(data.PHOTO_CREDIT)
    filter_names = list(models.PHOTO_FILTERS)
    defaults = ["edges", "blur", "sharpen"]
    cols = st.columns(3)
    filters = tuple(
        col.selectbox(
            f"Depthwise filter, {c}", filter_names, filter_names.index(d), key=f"sep_f_{c}"
        )
        for col, c, d in zip(cols, COLOURS, defaults, strict=True)
    )
    preset_key = "sep_mix_preset"
    presets = list(models.MIXER_PRESETS)
    st.selectbox(
        "Pointwise mixer preset", presets, key=preset_key, on_change=set_mixer, args=(preset_key,)
    )
    if "sep_mix_00" not in st.session_state:
        set_mixer(preset_key)
    low, high = models.MIX_RANGE
    mix = []
    for col, colour, o in zip(st.columns(3), COLOURS, range(3), strict=True):
        col.markdown(f"**output {colour}** takes")
        mix.append(
            tuple(
                col.slider(f"of {src}", low, high, step=0.05, key=f"sep_mix_{o}{i}")
                for i, src in enumerate(COLOURS)
            )
        )
    stages = photo_stages(filters, tuple(mix))
    left, right = st.columns(2)
    left.image(data.sample_photo(240), caption="input (RGB)", width="stretch")
    right.image(stages["mixed"], caption="after the pointwise mixer", width="stretch")
    for col, colour, f, image in zip(st.columns(3), COLOURS, filters, stages["maps"], strict=True):
        col.image(image, caption=f"{colour} channel after {f}", width="stretch")
    st.caption(
        "Each depthwise map is one colour channel filtered on its own (maps shown clipped to "
        "0-1); the mixer never sees a neighbouring pixel, only the three values at each pixel."
    )


@st.fragment
def benchmark_section() -> None:
    cols = st.columns(6)
    batch = cols[0].select_slider("batch", [1, 2, 4, 8], DEFAULT.batch, key="sep_b_batch")
    m = cols[1].select_slider("M", CHANNEL_STEPS, DEFAULT.in_ch, key="sep_b_in")
    n = cols[2].select_slider("N", CHANNEL_STEPS, DEFAULT.out_ch, key="sep_b_out")
    size = cols[3].select_slider("D_F", [7, 14, 28, 56, 112], DEFAULT.size, key="sep_b_size")
    k = cols[4].select_slider("D_K", [3, 5, 7], DEFAULT.kernel, key="sep_b_kernel")
    threads = cols[5].select_slider(
        "threads", benchmark.available_threads(), benchmark.BenchmarkConfig.threads, key="sep_b_thr"
    )
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
    show_table(benchmark.intensity_table(shape))
    device = benchmark.best_device()
    key = (*vars(shape).values(), device, threads)
    requested = st.session_state.setdefault(REQUESTED, set())
    if st.button("Run the live benchmark", key="sep_b_run", type="primary"):
        requested.add(key)
    if key in requested:
        if benchmark.LOCK.locked():
            st.info("Another session's benchmark is running; yours starts as soon as it ends.")
        try:
            layers, formats = len(benchmark.LAYERS), len(benchmark.MEMORY_FORMATS)
            with st.spinner(f"Timing {layers} layers in {formats} memory formats…"):
                result = live_benchmark(tuple(vars(shape).values()), device, threads)
        except benchmark.BenchmarkBusy as busy:
            st.warning(str(busy))
            return
        show_result(result, result_spec(tuple(vars(shape).values()), device, threads))
    else:
        st.info("Press the button to time this shape here (a few seconds; results are cached).")
    st.caption(
        "One benchmark runs at a time for everyone using this app. The thread count is set for "
        "the whole app while it runs and put back when it ends, even if it fails."
    )
    shipped = shipped_results()
    if shipped:
        st.markdown("**Shipped results** (`python -m core.benchmark`, measured offline):")
        show_table(benchmark.summary_table(shipped))


def show_result(result: dict, spec: dict) -> None:
    st.markdown(f"**Live result**, {benchmark.label(result['environment'])}, {result['measured']}")
    st.vega_lite_chart(spec=spec, width="stretch")
    show_table(benchmark.result_table(result))
    s = result["summary"]
    for fmt in benchmark.MEMORY_FORMATS:
        f = s[fmt]
        st.markdown(
            f"- **{fmt}**: speed-up of separable over standard {f['speedup']:.2f}× (quartiles "
            f"{f['speedup_low']:.2f}-{f['speedup_high']:.2f}×), where the FLOP ratio promises "
            f"{f['flop_ratio']:.2f}×."
        )
    gain = s["channels_last_speedup"]
    st.markdown(
        f"- **channels_last** over contiguous: depthwise {gain['depthwise']:.2f}×, pointwise "
        f"{gain['pointwise']:.2f}×, standard {gain['standard']:.2f}× (above 1 means faster)."
    )
    gap = benchmark.gap_facts(result)
    st.markdown(
        f"**Why the gap** (contiguous format, each stage timed alone): the depthwise stage does "
        f"only {gap['depthwise_flop_share']:.1%} of the pair's FLOPs but takes "
        f"{gap['depthwise_time_share']:.0%} of its time. It runs at "
        f"{gap['depthwise_gflop_per_s']:.1f} GFLOP/s against the standard layer's "
        f"{gap['standard_gflop_per_s']:.1f}, because it does {gap['depthwise_intensity']:.1f} "
        f"FLOPs per byte moved against {gap['standard_intensity']:.0f}: memory traffic, not "
        "arithmetic, sets its pace, so cutting its FLOPs saves less time than the FLOP ratio "
        "promises. On a shared machine timings vary from run to run, hence medians and quartiles."
    )


@st.fragment
def inverted_residual_section() -> None:
    cols = st.columns(4)
    c_in = cols[0].number_input("input channels", 8, 512, 32, step=8, key="sep_ir_in")
    c_out = cols[1].number_input("output channels", 8, 512, 32, step=8, key="sep_ir_out")
    t = cols[2].select_slider("expansion t", [1, 2, 3, 4, 6], 6, key="sep_ir_t")
    stride = cols[3].radio("stride", [1, 2], key="sep_ir_stride", horizontal=True)
    block = inverted_residual(c_in, c_out, stride, t)
    kernel = block["kernel"]
    sympy_counts = formulas.inverted_residual_breakdown(kernel, c_in, c_out, t)
    table = pd.DataFrame({"SymPy": sympy_counts, "torch (built block)": block["counts"]})
    left, right = st.columns([3, 2])
    with left:
        show_table(table.astype(int), hide_index=False)
    ir_weights = formulas.inverted_residual_params(kernel, c_in, c_out, t)
    v1_weights = formulas.mobilenet_v1_block_params(kernel, c_in, c_out)
    if sympy_counts["hidden"] == c_in:
        trade = "With t = 1 there is no expand layer, so the count equals a MobileNetV1 block's."
    else:
        trade = (
            f"The expansion costs weights, and buys a depthwise filter over "
            f"{sympy_counts['hidden']} channels instead of {c_in}."
        )
    left.markdown(
        f"Convolution weights: **{readable(ir_weights)}**, against **{readable(v1_weights)}** "
        f"for a MobileNetV1 block ({c_in} → {c_out}). {trade}"
    )
    if block["skip"]:
        left.success("Stride 1 and equal channel counts: the input is added to the output.")
    else:
        left.info(
            "No skip: the output's shape differs from the input's. MobileNetV2 adds no "
            "projection here; it would cost the very weights the block is built to save."
        )
    right.graphviz_chart(block["diagram"])
    with st.expander("Where MobileNetV2 adds skips (its stage table, built as modules)"):
        show_table(mobilenet_v2_plan())


st.title("Depthwise separable convolutions (MobileNet)")
st.markdown(
    "A standard convolution asks every filter to look at every channel and every neighbour at "
    "once. MobileNet splits the job: a **depthwise** stage filters each channel on its own "
    "(where to look), then a **pointwise** 1×1 stage mixes channels (what to combine). Here you "
    "count what that saves, watch it on a photo, and time it on this machine."
)

st.header("1. What a standard convolution costs")
cols = st.columns(6)
k = cols[0].select_slider("kernel D_K", KERNELS, DEFAULT.kernel, key="sep_kernel")
m = cols[1].number_input("input channels M", 1, MAX_CH, DEFAULT.in_ch, key="sep_in")
n = cols[2].number_input("output channels N", 1, MAX_CH, DEFAULT.out_ch, key="sep_out")
size = cols[3].number_input("input side", 1, 1024, DEFAULT.size, key="sep_size")
stride = cols[4].number_input("stride", 1, 4, 1, key="sep_stride")
padding = cols[5].number_input("padding", 0, 3, 1, key="sep_padding")
standard_cost(k, m, n, size, stride, padding)
widget.question("sep-double-channels")

st.header("2. Depthwise, then pointwise")
separable_cost(k, m, n, size, stride, padding)

st.header("3. Reduction against N")
reduction_chart(k)

st.header("4. What each stage sees")
photo_section()

st.header("5. Live benchmark: does the FLOP saving become a speed-up?")
benchmark_section()

st.header("6. Inverted residuals (MobileNetV2)")
inverted_residual_section()

st.header("7. Case study and checks")
st.markdown(
    "A packaging plant inspected its products with a ResNet-based defect detector that needed a "
    "GPU beside every line. Rebuilt on MobileNetV2's depthwise separable blocks, the detector ran "
    "faster than before on a small single-board computer, still caught most defects, and the "
    "GPUs could go: cheap enough to put a camera on every line. The saving you computed above, "
    "repeated in every layer, is a large part of what made that possible; the benchmark shows "
    "why the gain in seconds is smaller than the gain in FLOPs."
)
st.subheader("The course's questions")
for qid in COURSE_QUESTIONS:
    widget.question(qid)
st.subheader("More practice (fresh numbers)")
widget.topic_quiz("separable_convolutions", exclude=INLINE + COURSE_QUESTIONS)
