"""The transfer-learning page through the entrypoint: widgets at their bounds, the lab, the quiz."""

import pytest
from streamlit.testing.v1 import AppTest

from core import course
from core.transfer_learning import formulas, lab, models
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


def test_the_page_says_which_backbone_is_in_use(at):
    assert "Backbone in use" in _texts(at.info)


def test_the_strategy_strips_count_what_requires_grad_counts(at):
    b = next(
        r
        for r in models.strategy_counts(course.CASE_UNFROZEN_BLOCKS, CLASSES)
        if r["strategy"] == "B"
    )
    assert f"{b['trainable']:,} of" in _texts(at.caption)


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
    groups = next(df.value for df in at.dataframe if "lr" in df.value.columns)
    assert len(groups) == formulas.MAX_GROUPS


def test_the_rates_shown_are_the_formulas_rates_in_torchs_param_groups(at, changes):
    changes({"tl_head_lr": 0.002, "tl_decay": 0.5, "tl_groups": 3})
    groups = next(df.value for df in at.dataframe if "lr" in df.value.columns)
    assert groups["lr"].tolist() == pytest.approx([0.002, 0.001, 0.0005])


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


def test_the_forgotten_head_demo_shows_both_failures_and_the_silent_one(at):
    at.button(key="tl_head_demo").click().run()
    code = _texts(at.code)
    assert "must be the same as input size" in code and "does not require grad" in code
    assert "silent one" in _texts(at.warning)


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
    assert list(finals["strategy"]) == ["A"] and 0 <= finals["final accuracy"].item() <= 1


def test_the_course_q1_and_q2_are_asked_on_the_course_numbers(at):
    shown = {m.value for m in at.markdown}
    course_questions = [q for q in bank.by_topic("transfer_learning") if q.course_question]
    assert len(course_questions) == 2
    assert all(bank.variant(q.id, 0).prompt in shown for q in course_questions)


def test_the_end_quiz_has_at_least_eight_randomised_questions(at):
    titles = {m.value for m in at.markdown}
    shown = [q for q in bank.by_topic("transfer_learning") if f"**{q.title}**" in titles]
    assert sum(q.randomised and not q.course_question for q in shown) >= 8


def test_the_shipped_lab_table_is_the_one_on_disk(at):
    shipped = lab.load_table()
    assert shipped["backbone"] in _texts(at.markdown)
