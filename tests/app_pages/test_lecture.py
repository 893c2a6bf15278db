"""Lecture mode: answers and solutions wait for the instructor, derivations go one step a click."""

import json

import pytest

from core.skip_connections import formulas
from quizzes import bank
from ui import lecture, quiz

PAGES = {  # a page, and a question box on it with its key
    "app_pages/skip_connections.py": "vg-depth-threshold",
    "app_pages/separable_convolutions.py": "sep-ratio-value",
    "app_pages/practice.py": "practice:vg-plain-six-layers",
    "app_pages/transfer_learning.py": "tl-lr-checkpoint",
    "app_pages/exercises.py": f"ex:{bank.exercises()[1][0].id}",
}


def _lecture(new_app, page, **session):
    at = new_app()
    at.query_params["lecture"] = "1"
    for key, value in session.items():
        at.session_state[key] = value
    at.run().switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _answer_wrong(at, key):
    seed = at.session_state[quiz.SEEDS][key]
    at.text_input(key=f"{key}:{seed}:answer").input("12345")
    at.button(key=f"{key}:{seed}:check").click().run()
    return bank.variant(key.rsplit(":", 1)[-1], seed)


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
def test_after_an_attempt_the_solution_waits_for_the_instructor(new_app, page):
    key = PAGES[page]
    at = _lecture(
        new_app,
        page,
        **{quiz.PRACTICE_CURRENT: "vg-plain-six-layers"} if "practice" in page else {},
    )
    variant = _answer_wrong(at, key)
    assert variant.solution[0] not in _text(at)
    assert "**Answer:**" not in _text(at)
    at.button(key=f"{key}:{variant.seed}:reveal").click().run()
    assert f"**Answer:** {variant.answer_text()}" in _text(at)
    assert any(variant.solution[0] in m.value for m in at.markdown)


def test_leaving_lecture_mode_keeps_progress_and_shows_the_student_view(new_app):
    page, key = "app_pages/skip_connections.py", "vg-depth-threshold"
    at = _lecture(new_app, page)
    _answer_wrong(at, key)
    at.sidebar.toggle(key=lecture.LECTURE).set_value(False).run()
    assert at.session_state[quiz.PROGRESS][key.rsplit(":", 1)[-1]].attempts == 1
    assert any(e.label == "Worked solution" for e in at.expander)


def test_a_derivation_opens_on_its_first_step_and_adds_one_per_click(new_app):
    at = _lecture(new_app, "app_pages/skip_connections.py")
    before = len(at.latex)
    at.button(key="vg-threshold:next").click().run()
    assert len(at.latex) == before + 1
    at.button(key="vg-threshold:again").click().run()
    assert len(at.latex) == before


def test_students_see_every_step_at_once(open_page):
    at = open_page("app_pages/skip_connections.py")
    factor, tau = formulas.calculator_inputs(
        at.number_input(key="vg_delta").value, at.number_input(key="vg_tau").value
    )
    steps = formulas.threshold_derivation(factor, tau)
    drawn = [f.value.strip("$\n") for f in at.latex]  # st.latex wraps each line in $$
    assert len(steps) > 1 and steps[0] in drawn
    start = drawn.index(steps[0])
    assert drawn[start : start + len(steps)] == steps
    assert not any((b.key or "").endswith(":next") for b in at.button)


def test_charts_use_larger_text_in_lecture_mode(new_app):
    at = _lecture(new_app, "app_pages/skip_connections.py")
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["config"]["axis"]["labelFontSize"] > 11
