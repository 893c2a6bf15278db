"""The exercises page: eight exercises on the course's numbers, runnable code, solved marks."""

import pytest

from core.skip_connections import exercises as skip
from quizzes import bank, progress
from ui import quiz

PAGE = "app_pages/exercises.py"


@pytest.fixture
def page(open_page):
    return open_page(PAGE)


def test_the_page_has_the_courses_eight_exercises_in_order(page):
    numbers = [int(h.value.split()[1]) for h in page.header if h.value.startswith("Exercise")]
    assert numbers == list(range(1, 9)) == list(bank.exercises())


def test_every_part_is_asked_on_the_courses_numbers(page):
    shown = {m.value for m in page.markdown}
    for questions in bank.exercises().values():
        for q in questions:
            assert bank.variant(q.id, 0).prompt in shown, q.id


def test_each_coding_exercise_shows_its_reference_source(page):
    assert any("def residual_stack_gradient" in c.value for c in page.code)
    assert any("class DepthwiseSeparableConv" in c.value for c in page.code)


def test_run_it_prints_what_the_reference_code_computes(page):
    page.button(key="ex1-run").click().run()
    assert not page.exception
    assert "\n".join(skip.exercise1()["lines"]) in [c.value for c in page.code]


def test_an_exercise_is_marked_solved_once_every_part_is(open_page):
    first = bank.exercises()[1]
    record = {q.id: progress.Record(attempts=1, solved=True) for q in first}
    at = open_page(PAGE, **{quiz.PROGRESS: record})
    headers = [h.value for h in at.header if h.value.startswith("Exercise")]
    assert headers[0].endswith("✅") and not headers[1].endswith("✅")


def test_a_part_checked_on_the_page_counts_for_the_exercise(page):
    qid = bank.exercises()[1][0].id
    key = f"ex:{qid}"
    page.text_input(key=f"{key}:0:answer").input(str(bank.variant(qid, 0).expected))
    page.button(key=f"{key}:0:check").click().run()
    assert page.session_state[quiz.PROGRESS][qid].solved
