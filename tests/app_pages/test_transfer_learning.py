"""The transfer-learning page through the entrypoint: widgets at their bounds, the lab, the quiz."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from core import course
from core.transfer_learning import formulas, lab
from core.transfer_learning.data import DEFECT_CLASSES, TRAIN_POOL_PER_CLASS
from quizzes import bank

PAGE = "app_pages/transfer_learning.py"
CLASSES = len(DEFECT_CLASSES)


@pytest.fixture(scope="module")
def at() -> AppTest:
    from pathlib import Path

    entry = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
    app = AppTest.from_file(entry, default_timeout=180).run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


@pytest.fixture
def changes(at):
    """Set widgets by key for one test and put them back afterwards."""
    touched = {}

    def change(values: dict) -> None:
        for key, value in values.items():
            touched.setdefault(key, at.session_state.get(key))
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception

    yield change
    for key, value in touched.items():
        if value is not None:
            at.session_state[key] = value
    at.run()


def _texts(elements) -> str:
    return " ".join(e.value for e in elements)


def answer(at, qid: str, option: str | None = None) -> None:
    """Answer an inline question on the course's numbers (its right option by default)."""
    variant = bank.variant(qid, 0)
    if variant.question.kind == "choice":
        at.radio(key=f"{qid}:0:answer").set_value(option or variant.expected)
    else:
        at.text_input(key=f"{qid}:0:answer").input(option or str(variant.expected))
    at.button(key=f"{qid}:0:check").click().run()
    assert not at.exception, at.exception


def rate_table(at):
    """The param_groups table (the rate chart's data table has no modules column)."""
    return next(df.value for df in at.dataframe if "modules" in df.value.columns)


def test_the_page_says_which_backbone_is_in_use(at):
    assert "Backbone in use" in _texts(at.info)


def test_the_strategy_b_strip_counts_what_the_architecture_table_derives(at):
    b = formulas.mobilenet_v2_trainable(course.CASE_UNFROZEN_BLOCKS, CLASSES)
    assert f"{b:,} of" in _texts(at.caption)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"tl_decay": 0.0}, "r must lie in (0, 1]"),
        ({"tl_decay": 2.0}, "r must lie in (0, 1]"),
        ({"tl_head_lr": 0.0}, "must be above 0"),
        ({"tl_groups": 0}, "groups"),
    ],
)
def test_bad_learning_rate_settings_get_a_message(at, changes, values, message):
    changes(values)
    assert message in _texts(at.warning)


def test_one_group_is_explained_as_strategy_a(at, changes):
    changes({"tl_groups": 1})
    assert "strategy A" in _texts(at.info)


def test_the_most_groups_build_real_optimizer_groups(at, changes):
    changes({"tl_groups": formulas.MAX_GROUPS})
    assert len(rate_table(at)) == formulas.MAX_GROUPS


def test_the_rates_shown_are_the_formulas_rates_in_torchs_param_groups(at, changes):
    changes({"tl_head_lr": 0.002, "tl_decay": 0.5, "tl_groups": 3})
    rates = [float(text) for text in rate_table(at)["learning rate"]]
    assert rates == pytest.approx([0.002, 0.001, 0.0005])


def test_small_backbone_rates_are_shown_as_a_student_writes_them_not_rounded_to_0(at, changes):
    changes({"tl_head_lr": 0.001, "tl_decay": 0.1, "tl_groups": 4})
    tables = [df.value for df in at.dataframe if "learning rate" in df.value.columns]
    assert len(tables) == 2  # torch's param_groups, and the rate chart's data
    for table in tables:
        assert table["learning rate"].tolist() == ["0.001", "1e-4", "1e-5", "1e-6"]


def test_the_rate_chart_says_how_many_times_slower_in_plain_numbers(at, changes):
    changes({"tl_head_lr": 0.001, "tl_decay": 0.1, "tl_groups": 4})
    caption = next(c.value for c in at.caption if c.value.startswith("Learning rate per group"))
    assert "1e-6" in caption and "1,000× slower" in caption and "e+" not in caption


def test_the_rate_chart_has_a_floor_below_its_smallest_rate_so_its_log_bars_draw(at, changes):
    changes({"tl_head_lr": 0.001, "tl_decay": 0.1, "tl_groups": 4})
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    rates = next(s for s in specs if s["encoding"]["y"]["field"] == "learning rate")
    assert 0 < rates["encoding"]["y2"]["datum"] < 1e-6


@pytest.mark.parametrize("images", [0, -1])
def test_no_images_gets_a_message_in_the_strategy_widget(at, changes, images):
    changes({"tl_images": max(images, 0)})
    assert "label some images" in _texts(at.warning)


@pytest.mark.parametrize("similarity", [0.0, 1.0])
def test_the_rule_answers_after_a_prediction_at_both_ends_of_similarity(at, changes, similarity):
    changes({"tl_images": 300, "tl_similarity": similarity, "tl_guess": "A"})
    if any(b.key == "tl_reveal" for b in at.button):  # once asked, the answer stays shown
        at.button(key="tl_reveal").click().run()
    assert not at.exception and "feature extraction" in _texts(at.success)


@pytest.mark.parametrize("unfrozen", [0, formulas.MOBILENET_V2_BLOCKS])
def test_unfreezing_nothing_or_everything_counts_agree_with_the_table(at, changes, unfrozen):
    changes({"tl_unfrozen": unfrozen})
    count = formulas.mobilenet_v2_trainable(unfrozen, CLASSES)
    assert f"{count:,}" in _texts(at.markdown)


def test_the_forgotten_head_question_the_code_and_the_demo_use_one_class_count(open_page):
    at = open_page(PAGE)
    classes = bank.variant("tl-forgotten-head-silent", 0).params["classes"]
    head = f"nn.Linear({course.EXERCISE6_HEAD_IN}, {classes})"
    assert head in _texts(at.code) and f"on {classes} classes" in _texts(at.markdown)
    trainable = int(formulas.head_params(course.EXERCISE6_HEAD_IN, classes))
    assert f"{trainable:,}** parameters" in _texts(at.markdown)


def test_the_forgotten_head_demo_waits_for_an_answer_then_shows_the_silent_failure(open_page):
    at = open_page(PAGE)
    assert not [b for b in at.button if b.key == "tl_head_demo"]
    answer(at, "tl-forgotten-head-silent")
    at.button(key="tl_head_demo").click().run()
    assert "must be the same as input size" in _texts(at.code)
    assert "does not require grad" not in _texts(at.code)  # the course's Q2 waits for Q2
    assert "silent one" in _texts(at.warning)


def test_the_explanation_of_where_to_cut_waits_for_the_question_on_it(open_page):
    at = open_page(PAGE)
    assert "tuned to the pretraining classes" not in _texts(at.markdown)
    answer(at, "tl-features-cut")
    assert "tuned to the pretraining classes" in _texts(at.markdown)


def test_both_readings_of_the_checkpoint_are_stated_once_it_is_answered(open_page):
    at = open_page(PAGE)
    assert "1.35e-5" not in _texts(at.markdown) and "4.5e-5" not in _texts(at.markdown)
    answer(at, "tl-lr-checkpoint", "1.35e-5")
    assert "not one of the 3 groups" in _texts(at.success)
    assert "**4.5e-5**" in _texts(at.markdown) and "**1.35e-5**" in _texts(at.markdown)
    assert "agree only at" in _texts(at.markdown)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"tl_lab_per_class": 0}, ""),
        ({"tl_lab_per_class": TRAIN_POOL_PER_CLASS + 1}, ""),
        ({"tl_lab_strategies": []}, "at least one strategy"),
    ],
)
def test_lab_settings_at_their_bounds_get_a_message_never_an_exception(
    at, changes, values, message
):
    changes(values)
    assert at.warning and message in _texts(at.warning)


def test_a_tiny_lab_run_trains_and_reports_its_accuracy(at, changes):
    changes({"tl_lab_strategies": ["A"], "tl_lab_per_class": 2, "tl_lab_seed": 1})
    at.button(key="tl_lab_run").click().run()
    finals = next(df.value for df in at.dataframe if "final accuracy" in df.value.columns)
    accuracy = finals["final accuracy"].item()
    assert list(finals["strategy"]) == ["A"] and 0 <= float(accuracy.rstrip("%")) <= 100
    assert finals["steps"].item() == f"{lab.LabConfig().steps} of {lab.LabConfig().steps}"


def test_the_shipped_lab_table_is_the_one_on_disk(at):
    shipped = lab.load_table()
    assert shipped["backbone"] in _texts(at.markdown)


def test_the_takeaway_is_the_rule_in_three_lines(at):
    from core.transfer_learning import strategy

    assert strategy.takeaway() in _texts(at.markdown)
    assert "shifted domain: unfreeze" not in _texts(at.markdown)


BOUNDED = {  # widget key: its name in a link
    "tl_head_lr": "head_lr",
    "tl_decay": "r",
    "tl_groups": "groups",
    "tl_images": "images",
    "tl_similarity": "similarity",
    "tl_unfrozen": "unfrozen",
    "tl_lab_per_class": "per_class",
    "tl_lab_seed": "seed",
}


def _widget(at, key):
    return next(w for kind in ("number_input", "slider") for w in at.get(kind) if w.key == key)


@pytest.mark.parametrize("end", ["min", "max"])
def test_a_link_accepts_each_widgets_own_end_values(at, new_app, end):
    query = {}
    for key, name in BOUNDED.items():
        value = getattr(_widget(at, key), end)
        query[name] = str(int(value)) if float(value).is_integer() else f"{value:g}"
    linked = new_app()
    for name, text in query.items():
        linked.query_params[name] = text
    linked.run().switch_page(PAGE).run()
    assert not [w for w in linked.warning if w.icon == "🔗"], query
