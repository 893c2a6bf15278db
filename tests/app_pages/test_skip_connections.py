"""The skip-connections page through the entrypoint: every widget at its bounds, no exception."""

import json

import pandas as pd
import pyarrow as pa
import pytest
import torch

from core import course
from core.skip_connections import formulas, models, results

PAGE = "app_pages/skip_connections.py"


@pytest.fixture
def page(open_page):
    return open_page(PAGE)


@pytest.fixture
def revealed(open_page):
    at = open_page(PAGE)
    return at.button(key="deg_reveal").click().run()


def _tables(at) -> list[pd.DataFrame]:
    """Every data set the page's charts carry (Streamlit ships them beside the spec, as Arrow)."""
    return [
        pa.ipc.open_stream(d.data.data).read_pandas()
        for chart in at.get("vega_lite_chart")
        for d in chart.proto.datasets
    ]


def _specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _has_tooltip(spec) -> bool:
    return "tooltip" in json.dumps(spec)


def test_degradation_chart_stays_hidden_until_the_prediction_is_made(page):
    assert "You guessed" not in _text(page)
    assert any("Make your guess" in i.value for i in page.info)


def test_revealing_marks_the_students_guess_on_the_chart(page):
    deepest = max(results.load_result()["config"]["depths"])
    page.select_slider(key="deg_guess").set_value(deepest).run()
    page.button(key="deg_reveal").click().run()
    assert not page.exception
    marks = [t for t in _tables(page) if "label" in t and (t["label"] == "your guess").any()]
    assert [int(t["depth"].item()) for t in marks] == [deepest]


def test_every_chart_is_altair_with_tooltips(revealed):
    specs = _specs(revealed)
    assert len(specs) >= 4
    assert all(_has_tooltip(spec) and "$schema" in spec for spec in specs)


def test_reveal_reports_the_shipped_errors_at_the_deepest_depth(revealed):
    shipped = results.load_result()
    deepest = max(shipped["config"]["depths"])
    plain = [
        r["train_error"]
        for r in shipped["results"]
        if r["depth"] == deepest and r["family"] == "plain"
    ]
    assert f"**{sum(plain) / len(plain):.1%}** training error" in _text(revealed)


@pytest.mark.parametrize("guess", ["first", "last"])
def test_prediction_slider_works_at_both_ends(page, guess):
    depths = results.load_result()["config"]["depths"]
    page.select_slider(key="deg_guess").set_value(depths[0 if guess == "first" else -1]).run()
    page.button(key="deg_reveal").click().run()
    assert not page.exception


def test_a_tiny_live_run_trains_and_draws_its_chart(revealed):
    charts_before = len(_specs(revealed))
    revealed.multiselect(key="deg_depths").set_value([2, 4])
    revealed.slider(key="deg_steps").set_value(course.MIN_STEPS)
    revealed.slider(key="deg_seeds").set_value(1)
    revealed.button(key="deg_run").click().run()
    assert not revealed.exception
    assert len(_specs(revealed)) == charts_before + 1


def test_a_finished_live_run_survives_reruns_from_the_cache(revealed):
    revealed.multiselect(key="deg_depths").set_value([2, 4])
    revealed.slider(key="deg_steps").set_value(course.MIN_STEPS)
    revealed.button(key="deg_run").click().run()
    charts = len(_specs(revealed))
    revealed.run()
    assert not revealed.exception
    assert len(_specs(revealed)) == charts


def test_a_live_run_past_the_time_limit_says_so_and_draws_no_empty_chart(revealed, monkeypatch):
    monkeypatch.setattr(course, "LIVE_LIMIT_S", 0.0)
    charts_before = len(_specs(revealed))
    revealed.multiselect(key="deg_depths").set_value([2, 6])
    revealed.slider(key="deg_steps").set_value(course.MIN_STEPS)
    revealed.slider(key="deg_seeds").set_value(2)
    revealed.button(key="deg_run").click().run()
    assert not revealed.exception
    assert any("Stopped to share the machine" in w.value for w in revealed.warning)
    assert len(_specs(revealed)) == charts_before


@pytest.mark.parametrize("end", ["first", "last"])
def test_loss_curve_slider_works_at_both_ends(revealed, end):
    depths = results.load_result()["config"]["depths"]
    revealed.select_slider(key="deg_curve_depth").set_value(depths[0 if end == "first" else -1])
    revealed.run()
    assert not revealed.exception
    assert any("step" in t and "loss" in t for t in _tables(revealed))


def test_a_live_run_without_depths_gets_a_warning(revealed):
    revealed.multiselect(key="deg_depths").set_value([])
    revealed.button(key="deg_run").click().run()
    assert not revealed.exception
    assert any("at least one depth" in w.value for w in revealed.warning)


def test_a_live_run_over_the_time_bound_is_refused(revealed):
    revealed.slider(key="deg_steps").set_value(course.MAX_STEPS)
    revealed.slider(key="deg_seeds").set_value(course.MAX_SEEDS)
    revealed.toggle(key="deg_bn").set_value(True)
    revealed.button(key="deg_run").click().run()
    assert not revealed.exception
    assert any("largest allowed" in w.value for w in revealed.warning)


def test_calculator_answers_the_course_question_by_repeated_multiplication(page):
    product, k = 1.0, 0
    while product > 0.01:
        product, k = product * 0.9, k + 1
    page.number_input(key="vg_delta").set_value(0.9)
    page.number_input(key="vg_tau").set_value(0.01).run()
    assert f"after **{k} layers**" in _text(page)


@pytest.mark.parametrize(
    "delta, depth, tau",
    [
        (0.0, 50, 0.01),
        (1.0, 50, 0.01),
        (float(course.MAX_CALCULATOR_FACTOR), 50, 0.01),
        (0.9, 1, 0.01),
        (0.9, course.MAX_CALCULATOR_DEPTH, 0.01),
        (0.9, 50, 0.0),
        (0.9, 50, 1.0),
        (0.001, course.MAX_CALCULATOR_DEPTH, 0.5),
    ],
)
def test_calculator_edge_values_get_a_message_or_a_result_never_an_exception(
    page, delta, depth, tau
):
    page.number_input(key="vg_delta").set_value(delta)
    page.number_input(key="vg_depth").set_value(depth)
    page.number_input(key="vg_tau").set_value(tau).run()
    assert not page.exception


@pytest.mark.parametrize("delta, tau", [(1e-300, 0.5), (0.9999999, 0.0001), (0.999, 0.0001)])
def test_calculator_inputs_finer_than_shown_are_rounded_not_powered_for_minutes(page, delta, tau):
    page.number_input(key="vg_depth").set_value(course.MAX_CALCULATOR_DEPTH)
    page.number_input(key="vg_delta").set_value(delta)
    page.number_input(key="vg_tau").set_value(tau).run(timeout=20)
    assert not page.exception


@pytest.mark.parametrize("bad_delta", [0.0, 1.0, 1.5])
def test_calculator_explains_factors_that_do_not_vanish(page, bad_delta):
    page.number_input(key="vg_delta").set_value(bad_delta).run()
    assert any("δ" in i.value for i in page.info)


@pytest.mark.parametrize("activation", list(models.ACTIVATIONS))
@pytest.mark.parametrize("init", ["default", "he"])
@pytest.mark.parametrize("depth", [2, course.PROBE_MAX_DEPTH])
def test_gradient_flow_renders_every_setting(page, activation, init, depth):
    page.slider(key="gf_depth").set_value(depth)
    page.selectbox(key="gf_act").set_value(activation)
    page.radio(key="gf_init").set_value(init).run()
    assert not page.exception


def test_gradient_flow_warns_about_underflowed_layers_instead_of_plotting_zeros(page):
    page.slider(key="gf_depth").set_value(course.PROBE_DEPTH)
    page.selectbox(key="gf_act").set_value("sigmoid")
    page.radio(key="gf_init").set_value("default").run()
    assert any("underflowed" in w.value for w in page.warning)


@pytest.mark.parametrize("x", course.EXAMPLE_X_RANGE)
def test_jacobian_agrees_with_autograd_at_the_input_bounds(page, x):
    page.number_input(key="jac_x1").set_value(float(x))
    page.number_input(key="jac_x2").set_value(float(x)).run()
    caption = next(c.value for c in page.caption if "Largest difference" in c.value)
    assert float(caption.rsplit(" ", 1)[-1]) < 1e-9


def _block(at, c, h, w, out, stride):
    at.number_input(key="pj_c").set_value(c)
    at.number_input(key="pj_h").set_value(h)
    at.number_input(key="pj_w").set_value(w)
    at.number_input(key="pj_out").set_value(out)
    return at.number_input(key="pj_stride").set_value(stride).run()


def test_forgetting_the_projection_shows_torchs_own_message(page):
    _block(page, 64, 32, 32, 128, 2).button(key="pj_forget").click().run()
    assert not page.exception
    assert any("must match the size of tensor" in c.value for c in page.code)
    assert page.error
    branch = tuple(int(v) for v in formulas.block_output_shape((64, 32, 32), 128, 2))
    assert any(f"The branch gives {branch}" in c.value for c in page.caption)


def test_forgetting_an_unneeded_projection_is_fine(page):
    _block(page, 64, 32, 32, 64, 1).button(key="pj_forget").click().run()
    assert page.success and not page.error


def test_forgetting_the_projection_on_a_one_pixel_map_warns_about_broadcasting(page):
    _block(page, 4, 2, 2, 4, 2).button(key="pj_forget").click().run()
    assert any("broadcast" in w.value for w in page.warning)


@pytest.mark.parametrize(
    "c, h, w, out, stride, message",
    [
        (0, 32, 32, 64, 1, "Channels must be"),
        (64, 32, 32, 0, 1, "Channels must be"),
        (
            course.BLOCK_MAX_CHANNELS,
            course.BLOCK_MAX_SIDE,
            course.BLOCK_MAX_SIDE,
            8,
            1,
            "too large",
        ),
        (1, 1, 1, 1, course.BLOCK_MAX_STRIDE, "single pixel"),
        (3, 7, 5, 8, 2, "rounds"),
    ],
)
def test_projection_settings_at_their_bounds_get_a_message_never_an_exception(
    page, c, h, w, out, stride, message
):
    _block(page, c, h, w, out, stride)
    assert not page.exception
    assert any(message in m.value for m in [*page.warning, *page.info])


@pytest.mark.parametrize("c, h, w, out, stride", [(1, 1, 1, 1, 8), (3, 7, 5, 8, 2)])
def test_odd_and_collapsed_maps_still_get_their_computed_shape(page, c, h, w, out, stride):
    _block(page, c, h, w, out, stride)
    shape = tuple(int(v) for v in formulas.block_output_shape((c, h, w), out, stride))
    assert f"Output shape: **{shape}**" in _text(page)


def test_zero_channels_are_refused_with_a_message(page):
    _block(page, 0, 32, 32, 64, 1)
    assert any("Channels" in w.value for w in page.warning)


def test_small_resnet_total_is_torchs_own_count(page):
    total = sum(p.numel() for p in models.SmallResNet().parameters())
    assert f"**{total:,}** counted by torch" in _text(page)


def test_small_resnet_table_shapes_match_a_forward_pass(page):
    model = models.SmallResNet().train(False)
    with torch.no_grad():
        out = model.stem(torch.randn(course.CIFAR_INPUT))
    table = page.dataframe[-1].value
    assert table.loc[table["stage"] == "stem", "output shape (torch)"].item() == str(
        tuple(out.shape)
    )
    assert (table["output shape (torch)"] == table["output shape (SymPy)"]).all()
