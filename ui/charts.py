"""Every chart the app draws, built from core's plain data with Altair: colours and encodings once.

Each builder returns a `Figure`: the Altair chart, a one-sentence summary computed from the same
data (what the chart shows and its key value, for screen readers and for students who think in
numbers), and the rows behind it (shown as a table one click away). Colours come from the
Okabe-Ito palette, which stays distinguishable for the common kinds of colour blindness, and
every series that matters also differs in dash or shape, not in colour alone.
It deliberately leaves out Streamlit (ui.show draws a Figure) and any computation (core does it).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import altair as alt
import pandas as pd

from core.numbers import Rate, Times
from core.transfer_learning.strategy import LAB_RUNS

# Okabe & Ito (2008), "Color Universal Design": safe under deuteranopia, protanopia, tritanopia.
BLUE, VERMILLION, GREEN, ORANGE = "#0072B2", "#D55E00", "#009E73", "#E69F00"
PURPLE, SKY, GREY, BLACK = "#CC79A7", "#56B4E9", "#777777", "#000000"
FAMILIES = alt.Scale(domain=["plain", "residual"], range=[VERMILLION, BLUE])
FAMILY_DASHES = alt.Scale(domain=["plain", "residual"], range=[[6, 3], [1, 0]])
MEMORY_FORMATS = [BLUE, ORANGE]  # contiguous, channels_last
TARGET_LINES = [VERMILLION, GREEN]  # the reduction chart's target and ceiling
LAB_RUN_COLOURS = alt.Scale(domain=list(LAB_RUNS), range=[BLUE, ORANGE, SKY, BLACK, GREY])
LAB_RUN_DASHES = alt.Scale(
    domain=list(LAB_RUNS), range=[[1, 0], [6, 3], [2, 2], [8, 2, 2, 2], [4, 4]]
)
# A block of the backbone: frozen grey as in the course's figure; trainable blue; the head orange
# (the course's purple is too close to grey for deuteranopes).
STATES = alt.Scale(domain=["frozen", "trains", "new head"], range=["#BBBBBB", BLUE, ORANGE])
# Every set of colours one chart tells apart; a test checks each pair under colour blindness.
SERIES = {
    "plain and residual": FAMILIES.to_dict()["range"],
    "memory formats": MEMORY_FORMATS,
    "target and ceiling": TARGET_LINES,
    "strategies": LAB_RUN_COLOURS.to_dict()["range"],
    "frozen, trains and new head": STATES.to_dict()["range"],
}


class Figure(NamedTuple):
    """A chart, the sentence that says what it shows, and the data behind it."""

    chart: alt.TopLevelMixin
    summary: str
    data: list[dict]


def _family_encodings() -> dict:
    return {
        "color": alt.Color("family:N", scale=FAMILIES, title="network"),
        "strokeDash": alt.StrokeDash("family:N", scale=FAMILY_DASHES, title="network"),
    }


def _rule(value: float, field: str, label: str, colour: str) -> alt.Chart:
    """A dashed marker line at one value, with its label as a tooltip."""
    frame = pd.DataFrame({field: [value], "label": [label]})
    return (
        alt.Chart(frame)
        .mark_rule(strokeDash=[6, 4], color=colour, size=2)
        .encode(**{"x" if field in ("depth", "layers", "N") else "y": f"{field}:Q"})
        .encode(tooltip=["label", f"{field}:Q"])
    )


def degradation_errors(summary: list[dict], guess: int | None, onset: int | None) -> Figure:
    """Training error after training against depth, plain and residual, with a spread band."""
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
    base = alt.Chart(frame).encode(x=x, tooltip=tooltip)
    layers = [
        base.mark_area(opacity=0.15).encode(
            y="low:Q", y2="high:Q", color=alt.Color("family:N", scale=FAMILIES)
        ),
        base.mark_line(point=True).encode(
            y=alt.Y("mean:Q", axis=alt.Axis(format="%"), title="training error after training"),
            **_family_encodings(),
        ),
    ]
    if guess is not None:
        layers.append(_rule(guess, "depth", "your guess", GREY))
    if onset is not None:
        layers.append(_rule(onset, "depth", "measured onset", VERMILLION))
    deepest = frame["depth"].max()
    at = {r["family"]: r["mean"] for r in summary if r["depth"] == deepest}
    parted = (
        f"the plain networks first fall behind at depth {onset}"
        if onset
        else "the two families never part by more than the margin"
    )
    plain, residual = at.get("plain", float("nan")), at.get("residual", float("nan"))
    summary_text = (
        f"Training error against depth: {parted}; at depth {deepest} plain ends at "
        f"{plain:.1%} and residual at {residual:.1%}."
    )
    return Figure(alt.layer(*layers).properties(height=340), summary_text, summary)


def loss_curves(rows: list[dict], depth: int) -> Figure:
    """Mean training loss per Adam step, plain and residual, on a log scale."""
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line()
        .encode(
            x=alt.X("step:Q", title="Adam step"),
            y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="training loss (mean of seeds)"),
            tooltip=["family", "step", alt.Tooltip("loss:Q", format=".4f")],
            **_family_encodings(),
        )
        .properties(height=260)
    )
    last = {}
    for row in rows:
        last[row["family"]] = row["loss"]
    text = (
        f"Training loss per step at depth {depth}: "
        + " and ".join(f"{family} ends at {loss:.3g}" for family, loss in sorted(last.items()))
        + "."
    )
    return Figure(chart, text, rows)


def gradient_decay(rows: list[dict], tau: float, k: int) -> Figure:
    """delta^k against k on a log scale, with the threshold tau and where it is reached."""
    curve = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=12), color=BLUE)
        .encode(
            x=alt.X("layers:Q", title="layers the gradient has passed (k)"),
            y=alt.Y("fraction:Q", scale=alt.Scale(type="log"), title="fraction left, δ^k"),
            tooltip=["layers", alt.Tooltip("fraction:Q", format=".3e")],
        )
    )
    label = f"τ reached at k = {k}"
    chart = alt.layer(
        curve, _rule(tau, "fraction", label, VERMILLION), _rule(k, "layers", label, VERMILLION)
    ).properties(height=300)
    last = rows[-1]
    text = (
        f"The fraction of the gradient left after k layers falls from 1 to {last['fraction']:.3g} "
        f"at k = {last['layers']}, crossing τ = {tau:g} at k = {k}."
    )
    return Figure(chart, text, rows)


def gradient_flow(rows: list[dict]) -> Figure:
    """Each layer's weight-gradient norm at initialisation, plain and residual, on a log scale."""
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=alt.OverlayMarkDef(size=14))
        .encode(
            x=alt.X("layer:Q", title="layer (1 = next to the input)"),
            y=alt.Y("grad_norm:Q", scale=alt.Scale(type="log"), title="‖∂loss/∂W‖ at init"),
            tooltip=["family", "layer", alt.Tooltip("grad_norm:Q", format=".3e", title="norm")],
            **_family_encodings(),
        )
        .transform_filter("datum.grad_norm > 0")  # an underflowed zero has no log-scale point
        .properties(height=320)
    )
    parts = []
    for family in ("plain", "residual"):
        norms = [r for r in rows if r["family"] == family]
        first, last = norms[0]["grad_norm"], norms[-1]["grad_norm"]
        parts.append(f"{family} {first:.3g} at layer 1 against {last:.3g} at layer {len(norms)}")
    text = "Weight-gradient norm per layer at initialisation: " + "; ".join(parts) + "."
    return Figure(chart, text, rows)


def reduction(rows: list[dict], kernel: int, target: int, ceiling: int, first: int) -> Figure:
    """Reduction factor against N, with the target, the D_K^2 ceiling and the first N above it."""
    curve = alt.Chart(pd.DataFrame(rows)).encode(
        x=alt.X("N:Q", title="output channels N"),
        y=alt.Y("reduction:Q", title="reduction factor (standard / separable)"),
    )
    lines = pd.DataFrame(
        {"reduction": [target, ceiling], "line": [f"{target}× target", "D_K² ceiling"]}
    )
    chart = (
        curve.mark_line(color=BLUE)
        + curve.mark_point(size=20, opacity=0).encode(
            tooltip=[alt.Tooltip("N:Q"), alt.Tooltip("reduction:Q", format=".3f")]
        )
        + alt.Chart(lines)
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y="reduction:Q",
            color=alt.Color("line:N", title=None, scale=alt.Scale(range=TARGET_LINES)),
            tooltip=["line", "reduction"],
        )
        + _rule(first, "N", "first N above target", GREY)
    )
    last = rows[-1]
    text = (
        f"Reduction factor of a {kernel}×{kernel} separable pair against N: it first exceeds "
        f"{target}× at N = {first} and reaches {last['reduction']:.2f}× at N = {last['N']}, "
        f"approaching the ceiling of {ceiling}×."
    )
    return Figure(chart, text, rows)


def benchmark_times(rows: list[dict], title: str, layers, formats) -> Figure:
    """Median time per call of each layer in each memory format, with quartile whiskers."""
    frame = pd.DataFrame(rows)
    bars = alt.Chart(frame).encode(
        x=alt.X("layer:N", sort=list(layers)),
        xOffset=alt.XOffset("memory format:N", sort=list(formats)),
        color=alt.Color(
            "memory format:N", sort=list(formats), scale=alt.Scale(range=MEMORY_FORMATS)
        ),
        tooltip=list(frame.columns),
    )
    chart = bars.mark_bar(opacity=0.8).encode(y=alt.Y("median ms:Q", title="median ms per call"))
    chart += bars.mark_rule(color=BLACK).encode(y="q25 ms:Q", y2="q75 ms:Q")
    fastest = min(rows, key=lambda r: r["median ms"])
    slowest = max(rows, key=lambda r: r["median ms"])
    text = (
        f"Median milliseconds per call: fastest {fastest['layer']} ({fastest['memory format']}, "
        f"{fastest['median ms']:.3g} ms), slowest {slowest['layer']} "
        f"({slowest['memory format']}, {slowest['median ms']:.3g} ms)."
    )
    return Figure(chart.properties(title=title), text, rows)


def decades(values) -> list[float]:
    """Powers of ten from the one below the smallest value up to the one above the largest: the
    ticks of a log axis, and its floor for bars (a bar on a log scale cannot start at 0)."""
    low = math.ceil(math.log10(min(values))) - 1
    high = max(math.ceil(math.log10(max(values))), low + 1)
    return [10.0**k for k in range(low, high + 1)]


def _log_y(field: str, ticks: list[float], title: str, label_format: str) -> dict:
    """A log-scale y over whole decades, every decade labelled, bars drawn up from the lowest."""
    return {
        "y": alt.Y(
            f"{field}:Q",
            scale=alt.Scale(type="log", domain=[ticks[0], ticks[-1]], nice=False),
            axis=alt.Axis(values=ticks, format=label_format),
            title=title,
        ),
        "y2": alt.datum(ticks[0]),
    }


def block_strip(rows: list[dict]) -> Figure:
    """The backbone's blocks left to right, coloured frozen, trains or new head, sized by weight."""
    frame = pd.DataFrame(rows)
    ticks = decades(frame["parameters"])
    chart = (
        alt.Chart(frame)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("name:N", sort=list(frame["name"]), title=None, axis=alt.Axis(labelAngle=-60)),
            **_log_y("parameters", ticks, "parameters (log scale)", ","),
            color=alt.Color("state:N", scale=STATES, title=None),
            opacity=alt.condition("datum.state == 'frozen'", alt.value(0.7), alt.value(1.0)),
            tooltip=["name", "kind", "state", alt.Tooltip("parameters:Q", format=",")],
        )
        .properties(height=220)
    )
    trains = frame[frame["state"] != "frozen"]
    text = (
        f"{len(frame)} parts from input to output: {len(frame) - len(trains)} frozen and "
        f"{len(trains)} training, the new head included; {int(trains['parameters'].sum()):,} of "
        f"{int(frame['parameters'].sum()):,} parameters train."
    )
    return Figure(chart, text, rows)


def strategy_map(regions: list[dict], point: dict | None) -> Figure:
    """Strategy A, B or C for each (images, similarity) region, and the student's own case."""
    frame = pd.DataFrame(regions)
    x = alt.X("images_low:Q", scale=alt.Scale(type="log"), title="labelled images")
    y = alt.Y("similarity_low:Q", scale=alt.Scale(domain=[0, 1]), title="similarity to ImageNet")
    base = alt.Chart(frame).encode(
        x=x,
        x2="images_high:Q",
        y=y,
        y2="similarity_high:Q",
        color=alt.Color("strategy:N", scale=LAB_RUN_COLOURS, title="strategy"),
        tooltip=["strategy", "name"],
    )
    layers = [
        base.mark_rect(opacity=0.35),
        base.mark_text(fontSize=18, fontWeight="bold").encode(
            x=alt.X("images_mid:Q", scale=alt.Scale(type="log")),
            y="similarity_mid:Q",
            text="strategy:N",
            color=alt.value(BLACK),
        ),
    ]
    text = "Strategy by data size and similarity: " + "; ".join(
        f"{r['strategy']} where {r['where']}" for r in regions
    )
    if point:
        mark = pd.DataFrame([point])
        layers.append(
            alt.Chart(mark)
            .mark_point(shape="diamond", size=260, filled=True, color=BLACK)
            .encode(
                x=alt.X("images:Q", scale=alt.Scale(type="log")),
                y="similarity:Q",
                tooltip=["images", "similarity", "strategy"],
            )
        )
        text += (
            f"; your case, {point['images']:,} images at similarity {point['similarity']:g}, is "
            f"{point['strategy']}"
        )
    return Figure(alt.layer(*layers).properties(height=320), text + ".", regions)


def learning_rates(rows: list[dict]) -> Figure:
    """One bar per parameter group, its learning rate on a log scale, the head first."""
    frame = pd.DataFrame(rows)
    ticks = decades(frame["learning rate"])
    chart = (
        alt.Chart(frame)
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X("group:N", sort=list(frame["group"]), title=None),
            **_log_y("learning rate", ticks, "learning rate (log scale)", "~e"),
            tooltip=["group", alt.Tooltip("rate:N", title="learning rate")],
        )
        .properties(height=260)
    )
    head, last = rows[0], rows[-1]
    text = f"Learning rate per group: {head['group']} at {Rate(head['learning rate'])}"
    if len(rows) > 1:
        slower = Times(head["learning rate"] / last["learning rate"])
        text += f", down to {Rate(last['learning rate'])} for {last['group']}, {slower} slower"
    shown = [{"group": r["group"], "learning rate": r["rate"]} for r in rows]  # 1e-4, not 0
    return Figure(chart, text + ".", shown)


def lab_curves(rows: list[dict]) -> Figure:
    """Validation accuracy per epoch for each strategy the lab ran."""
    chart = (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("accuracy:Q", axis=alt.Axis(format="%"), title="validation accuracy"),
            color=alt.Color("strategy:N", scale=LAB_RUN_COLOURS),
            strokeDash=alt.StrokeDash("strategy:N", scale=LAB_RUN_DASHES),
            tooltip=["strategy", "epoch", alt.Tooltip("accuracy:Q", format=".1%")],
        )
        .properties(height=300)
    )
    final = {}
    for row in rows:
        final[row["strategy"]] = row["accuracy"]
    text = (
        "Validation accuracy by epoch; final: "
        + ", ".join(f"{s} {a:.1%}" for s, a in sorted(final.items(), key=lambda item: -item[1]))
        + "."
    )
    return Figure(chart, text, rows)


def lab_table(rows: list[dict]) -> Figure:
    """Mean final accuracy against training images per class, one line per strategy, seed band."""
    frame = pd.DataFrame(rows)
    sizes = [frame["per_class"].min(), frame["per_class"].max()]  # not log's round 1 to 1,000
    x = alt.X(
        "per_class:Q",
        scale=alt.Scale(type="log", domain=sizes, nice=False),
        title="training images per class",
    )
    legend = alt.Legend(symbolOpacity=1)  # the lines' colours, not the pale bands'
    base = alt.Chart(frame).encode(
        x=x, color=alt.Color("strategy:N", scale=LAB_RUN_COLOURS, legend=legend)
    )
    chart = alt.layer(
        base.mark_area(opacity=0.15).encode(y="low:Q", y2="high:Q"),
        base.mark_line(point=True).encode(
            y=alt.Y("mean:Q", axis=alt.Axis(format="%"), title="validation accuracy (mean)"),
            strokeDash=alt.StrokeDash("strategy:N", scale=LAB_RUN_DASHES),
            tooltip=["strategy", "per_class", alt.Tooltip("mean:Q", format=".1%"), "seeds"],
        ),
    ).properties(height=320)
    fewest = frame["per_class"].min()
    at = {r["strategy"]: r["mean"] for r in rows if r["per_class"] == fewest}
    text = (
        f"Accuracy against images per class; with {fewest} per class A reaches "
        f"{at.get('A', float('nan')):.1%} where training from scratch reaches "
        f"{at.get('scratch', float('nan')):.1%}."
    )
    return Figure(chart, text, rows)
