"""The separable-convolutions page through the real entrypoint: widgets, guards, benchmark, quiz.

One app session serves the whole module (opening the page costs a torch import); every test that
changes a widget puts it back, so the tests don't depend on their order.
"""

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pyarrow as pa
import pytest
import torch
from streamlit.testing.v1 import AppTest

from core import course, training
from core.separable_convolutions import benchmark
from tests.reference import first_n_above

ROOT = Path(__file__).resolve().parents[2]
PAGE = "app_pages/separable_convolutions.py"
TINY = {"sep_b_batch": 1, "sep_b_in": 8, "sep_b_out": 8, "sep_b_size": 7, "sep_b_kernel": 3}


@dataclass(frozen=True)
class QuickConfig(benchmark.BenchmarkConfig):
    """The page's benchmark, shortened for the test suite (no timing is asserted)."""

    min_run_time: float = 0.005
    min_runs: int = 2
    warmup: int = 1
    lock_timeout: float = 0.05


@pytest.fixture(scope="module")
def at() -> AppTest:
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _find(at: AppTest, key: str):
    for kind in ("number_input", "select_slider", "slider", "selectbox", "toggle", "radio"):
        for w in getattr(at, kind):
            if w.key == key:
                return w
    raise KeyError(key)


def _set(at: AppTest, values: dict) -> None:
    for key, value in values.items():
        _find(at, key).set_value(value)
    at.run()


@pytest.fixture
def changes(at):
    """Set widgets for one test and restore them afterwards."""
    touched = {}

    def apply(values: dict) -> None:
        for key in values:
            touched.setdefault(key, _find(at, key).value)
        _set(at, values)

    yield apply
    for key in reversed(list(touched)):
        try:
            _find(at, key).set_value(touched[key])
        except KeyError:  # the widget sits behind a guard that is closed now
            continue
    at.run()


def _texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def _table(at: AppTest, first_column: str):
    return next(df.value for df in at.dataframe if df.value.columns[0] == first_column)


def test_the_page_renders_its_seven_sections(at):
    assert [h.value.split(".")[0] for h in at.header] == [str(i) for i in range(1, 8)]


def test_the_standard_weight_count_shown_is_dk2_m_n_for_the_default_widgets(at):
    start = course.CALCULATOR_CONV
    table = _table(at, "quantity").set_index("quantity")
    weights = start["D_K"] ** 2 * start["M"] * start["N"]
    assert table.loc["standard weights", ["SymPy", "torch"]].tolist() == [weights] * 2


def test_flop_counts_at_the_largest_channel_counts_are_twice_the_multiply_adds(at, changes):
    changes({"sep_in": 4096, "sep_out": 4096, "sep_size": 8, "sep_padding": 1})
    table = _table(at, "quantity").set_index("quantity")
    assert table.loc["standard FLOPs", "torch"] == 2 * 9 * 4096 * 4096 * 8 * 8


BOUNDS = [
    ("sep_kernel", 1), ("sep_kernel", 7), ("sep_in", 1), ("sep_in", 4096), ("sep_out", 1),
    ("sep_out", 4096), ("sep_size", 1), ("sep_size", 1024), ("sep_stride", 1), ("sep_stride", 4),
    ("sep_padding", 0), ("sep_padding", 3), ("sep_mix_00", -2.0), ("sep_mix_22", 2.0),
    ("sep_b_batch", 8), ("sep_b_in", 512), ("sep_b_out", 512), ("sep_b_size", 112),
    ("sep_b_kernel", 7), ("sep_ir_in", 8), ("sep_ir_in", 512), ("sep_ir_out", 8),
    ("sep_ir_out", 512), ("sep_ir_t", 1), ("sep_ir_t", 6), ("sep_ir_stride", 2),
    ("sep_b_thr", benchmark.available_threads()[-1]), ("sep_f_red", "edges"),
    ("sep_mix_preset", "sepia"), ("sep_mix_preset", "swap red and blue"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "value"), BOUNDS)
def test_a_widget_at_its_bound_renders_without_an_exception(at, changes, key, value):
    changes({key: value})
    assert not at.exception


@pytest.mark.parametrize(("predict", "n_max"), [(1, 16), (4096, 4096), (1, 4096)])
@pytest.mark.parametrize("kernel", [3, 7])
def test_the_prediction_and_chart_range_at_their_bounds_render(at, changes, kernel, predict, n_max):
    changes({"sep_kernel": kernel, "sep_predict": predict})
    changes({"sep_reveal": True})
    changes({"sep_nmax": n_max})
    assert not at.exception and "SymPy solves" in _texts(at.success)


WORST = {"sep_kernel": 7, "sep_in": 4096, "sep_out": 4096, "sep_size": 1024, "sep_padding": 3}


def test_the_largest_layer_the_calculator_allows_is_counted_without_an_exception(at, changes):
    changes(WORST)
    table = _table(at, "quantity").set_index("quantity")
    assert not at.exception and table["agree"].all()


@pytest.mark.parametrize(
    "values",
    [
        {"sep_kernel": 7, "sep_size": 1, "sep_padding": 0},  # kernel larger than the map
        {"sep_kernel": 7, "sep_size": 1, "sep_padding": 3},  # fits only thanks to padding
        {"sep_in": 1, "sep_out": 1},  # N = 1 and M = 1
        {"sep_kernel": 1, "sep_out": 1},  # nothing to factorise, twice over
        {"sep_size": 1, "sep_stride": 4, "sep_kernel": 1, "sep_padding": 0},
    ],
)
def test_edge_combinations_get_a_message_or_a_result_never_an_exception(at, changes, values):
    changes(values)
    assert not at.exception


def test_a_kernel_larger_than_the_padded_map_gets_a_warning(at, changes):
    changes({"sep_kernel": 7, "sep_size": 2, "sep_padding": 0})
    assert "does not fit" in _texts(at.warning)


def test_one_output_channel_is_explained_in_the_separable_section(at, changes):
    changes({"sep_out": 1})
    assert "nothing to factorise" in _texts(at.warning)


def test_a_1x1_kernel_is_explained_in_the_reduction_section(at, changes):
    changes({"sep_kernel": 1})
    assert "never exceeds" in _texts(at.warning)


def test_the_answer_stays_hidden_until_the_student_predicts(at):
    assert "SymPy solves" not in _texts(at.success) and _find(at, "sep_reveal").disabled


def test_after_a_prediction_the_threshold_shown_matches_a_brute_force_search(at, changes):
    changes({"sep_predict": 9})
    changes({"sep_reveal": True})
    assert f"**{first_n_above(3, 8)}**" in _texts(at.success)


def _chart_frames(chart) -> list:
    return [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]


def test_the_reduction_chart_marks_the_8x_target_and_the_dk2_ceiling(at, changes):
    changes({"sep_predict": 9})
    changes({"sep_reveal": True})
    frames = _chart_frames(at.get("vega_lite_chart")[0])
    lines = next(f for f in frames if "line" in f.columns)
    assert sorted(lines["reduction"]) == [8, 9]


def test_the_reduction_chart_has_tooltips(at, changes):
    changes({"sep_predict": 9})
    changes({"sep_reveal": True})
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    marks = spec["layer"][1:]  # the line itself has none; its points, rules and targets do
    assert marks and all("tooltip" in layer["encoding"] for layer in marks)


def test_the_grey_preset_sets_every_mixer_row_to_the_luma_weights(at, changes):
    changes({"sep_mix_preset": "grey (luma)"})
    weights = [[_find(at, f"sep_mix_{o}{i}").value for i in range(3)] for o in range(3)]
    assert weights == [[0.299, 0.587, 0.114]] * 3


def test_the_photo_section_shows_the_input_the_mix_and_three_channel_maps(at):
    assert len(at.get("image")) == 5


def test_a_benchmark_shape_over_the_budget_is_refused_with_a_message(at, changes):
    changes({"sep_b_batch": 8, "sep_b_in": 512, "sep_b_out": 512, "sep_b_size": 112})
    assert "budget" in _texts(at.warning) and "sep_b_run" not in [b.key for b in at.button]


def test_the_live_benchmark_shows_a_result_labelled_with_its_environment(at, changes, monkeypatch):
    monkeypatch.setattr(benchmark, "BenchmarkConfig", QuickConfig)
    changes(TINY)
    at.button(key="sep_b_run").click().run()
    shown = _texts(at.markdown)
    assert "Live result" in shown and "1 thread" in shown and torch.__version__ in shown


def test_the_live_result_explains_the_gap_with_the_depthwise_share_of_flops(
    at, changes, monkeypatch
):
    monkeypatch.setattr(benchmark, "BenchmarkConfig", QuickConfig)
    changes(TINY)
    at.button(key="sep_b_run").click().run()
    m, n, k = TINY["sep_b_in"], TINY["sep_b_out"], TINY["sep_b_kernel"]
    share = Fraction(k * k * m, k * k * m + m * n)  # depthwise MACs over the pair's
    assert f"only {float(share):.1%} of the pair's FLOPs" in _texts(at.markdown)


def test_a_live_benchmark_puts_the_apps_thread_count_back(at, changes, monkeypatch):
    monkeypatch.setattr(benchmark, "BenchmarkConfig", QuickConfig)
    before = torch.get_num_threads()
    changes({**TINY, "sep_b_out": 32, "sep_b_thr": 1})
    at.button(key="sep_b_run").click().run()
    assert "Live result" in _texts(at.markdown) and torch.get_num_threads() == before


def test_a_benchmark_requested_while_another_runs_gets_a_message(at, changes, monkeypatch):
    monkeypatch.setattr(benchmark, "BenchmarkConfig", QuickConfig)
    changes({**TINY, "sep_b_out": 16})
    with training.LIVE_LOCK:
        at.button(key="sep_b_run").click().run()
    assert "Another student's live run" in _texts(at.info) and "still going" in _texts(at.warning)


def test_the_inverted_residual_table_counts_the_starting_block_by_hand(at):
    table = _table(at, "part").set_index("part")
    c_in, c_out, t = course.IR_START["in"], course.IR_START["out"], course.IR_START["t"]
    expected = {"expand": c_in * t * c_in, "depthwise": 9 * t * c_in, "project": t * c_in * c_out}
    assert {k: tuple(table.loc[k]) for k in expected} == {k: (v, v) for k, v in expected.items()}


def test_a_stride_two_block_has_no_addition_in_its_diagram(at, changes):
    changes({"sep_ir_stride": 2})
    assert 'label="+"' not in at.get("graphviz_chart")[0].proto.spec


def test_the_course_examples_stay_hidden_until_asked_for(at):
    assert not any("ratio for N = 64" in df.value.columns for df in at.dataframe)


def test_the_course_87_percent_is_shown_as_the_saving_of_its_example(at, changes):
    changes({"sep_examples": True})
    table = next(df.value for df in at.dataframe if "ratio for N = 64" in df.value.columns)
    assert round(100 * float(table.loc["saving", "ratio for N = 64"])) == 87


def test_torch_builds_the_networks_only_once_the_student_asks(open_page, monkeypatch):
    from core.separable_convolutions import claims

    built = []
    costs = claims.network_costs
    monkeypatch.setattr(claims, "network_costs", lambda: built.append(1) or costs())
    fresh = open_page(PAGE)
    assert built == []
    fresh.button(key="sep_count_quote").click().run()
    assert built and any("torch counts ResNet-50" in m.value for m in fresh.markdown)
