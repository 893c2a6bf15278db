"""Every chart builder: a real Vega-Lite spec, tooltips, and a summary computed from its data."""

import pytest

from ui import charts

SUMMARY = [
    {"family": f, "depth": d, "mean": m, "low": m, "high": m}
    for f, d, m in [
        ("plain", 2, 0.01),
        ("residual", 2, 0.01),
        ("plain", 64, 0.48),
        ("residual", 64, 0.002),
    ]
]
FLOW = [
    {"family": f, "layer": k, "grad_norm": g}
    for f, g0 in (("plain", 1e-6), ("residual", 0.5))
    for k, g in ((1, g0), (2, 1.0))
]
BENCH = [
    {"layer": layer, "memory format": fmt, "median ms": ms, "q25 ms": ms, "q75 ms": ms}
    for layer, fmt, ms in [("standard", "contiguous", 4.0), ("separable", "contiguous", 1.0)]
]

FIGURES = {
    "degradation_errors": (SUMMARY, 20, 16),
    "loss_curves": ([{"family": "plain", "step": 10, "loss": 2.0}], 64),
    "gradient_decay": (
        [{"layers": 0, "fraction": 1.0}, {"layers": 50, "fraction": 0.005}],
        0.01,
        44,
    ),
    "gradient_flow": (FLOW,),
    "reduction": ([{"N": 1, "reduction": 0.9}, {"N": 256, "reduction": 8.7}], 3, 8, 9, 73),
    "benchmark_times": (BENCH, "CPU", ("standard", "separable"), ("contiguous",)),
}


@pytest.mark.parametrize("name", FIGURES)
def test_every_figure_is_a_valid_spec_with_tooltips_a_summary_and_its_data(name):
    figure = getattr(charts, name)(*FIGURES[name])
    spec = figure.chart.to_dict()  # Altair validates the spec against Vega-Lite's schema
    assert "$schema" in spec and "tooltip" in str(spec)
    assert figure.summary.endswith(".") and len(figure.summary.split(". ")) == 1
    assert figure.data == FIGURES[name][0]


def test_the_degradation_summary_names_where_the_curves_part_and_the_deepest_errors():
    text = charts.degradation_errors(SUMMARY, None, 16).summary
    assert "depth 16" in text and "48.0%" in text and "0.2%" in text


def test_the_gradient_flow_summary_gives_layer_one_against_the_last_layer_per_family():
    text = charts.gradient_flow(FLOW).summary
    assert "plain 1e-06 at layer 1 against 1 at layer 2" in text


def test_the_benchmark_summary_names_the_fastest_and_slowest_layer():
    text = charts.benchmark_times(BENCH, "CPU", ("standard", "separable"), ("contiguous",)).summary
    assert "fastest separable" in text and "slowest standard" in text


def test_plain_and_residual_differ_in_dash_as_well_as_colour():
    spec = charts.gradient_flow(FLOW).chart.to_dict()
    assert spec["encoding"]["strokeDash"]["field"] == "family"


OKABE_ITO = {"plain": "#D55E00", "residual": "#0072B2"}  # vermillion, blue: Okabe & Ito (2008)


def family_colours(spec) -> list[dict]:
    """Every colour mapping of the family field in a Vega-Lite spec, layers included."""
    if isinstance(spec, list):
        return [m for item in spec for m in family_colours(item)]
    if not isinstance(spec, dict):
        return []
    found = family_colours(list(spec.values()))
    colour = spec.get("color")
    if isinstance(colour, dict) and colour.get("field") == "family":
        scale = colour.get("scale", {})  # no scale: Vega-Lite's default colours
        found.append(dict(zip(scale.get("domain", ()), scale.get("range", ()), strict=True)))
    return found


@pytest.mark.parametrize("name", ["degradation_errors", "loss_curves", "gradient_flow"])
def test_every_family_chart_draws_plain_vermillion_and_residual_blue(name):
    spec = getattr(charts, name)(*FIGURES[name]).chart.to_dict()
    colours = family_colours(spec)
    assert colours and all(c == OKABE_ITO for c in colours), colours


def test_the_degradation_chart_draws_the_seed_band_under_the_mean_line():
    chart = charts.degradation_errors(SUMMARY, None, None).chart.to_dict()
    assert [layer["mark"]["type"] for layer in chart["layer"]] == ["area", "line"]


STRIP = [
    {"name": "features.1", "kind": "InvertedResidual", "parameters": 928, "state": "frozen"},
    {"name": "features.17", "kind": "InvertedResidual", "parameters": 473_920, "state": "trains"},
    {"name": "classifier", "kind": "new head", "parameters": 6_405, "state": "new head"},
]


def test_the_block_strip_labels_every_decade_so_928_cannot_pass_for_half_of_473920():
    y = charts.block_strip(STRIP).chart.to_dict()["encoding"]["y"]
    assert y["scale"]["type"] == "log"
    assert y["axis"]["values"] == [100, 1_000, 10_000, 100_000, 1_000_000]


def test_the_block_strips_bars_rise_from_the_lowest_decade_not_from_zero():
    encoding = charts.block_strip(STRIP).chart.to_dict()["encoding"]
    assert encoding["y2"]["datum"] == 100 < min(r["parameters"] for r in STRIP)
