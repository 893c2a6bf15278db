"""The exercises page: eight exercises on the course's numbers, runnable code, solved marks."""

import pytest

from core.skip_connections import exercises as skip
from core.transfer_learning import exercises as transfer
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


def attempted(number: int) -> dict:
    """Session state in which every part of one exercise has been tried once."""
    return {quiz.PROGRESS: {q.id: progress.Record(attempts=1) for q in bank.exercises()[number]}}


def printed(at, run) -> bool:
    """Whether what a reference run prints (Ex5: "S1: ... -> A", the answers) is on the page."""
    return "\n".join(run()["lines"]) in [c.value for c in at.code]


def test_run_it_prints_what_the_reference_code_computes_once_the_parts_are_tried(open_page):
    at = open_page(PAGE, **attempted(1))
    at.button(key="ex1-run").click().run()
    assert not at.exception
    assert printed(at, skip.exercise1)


@pytest.mark.parametrize("number", [5, 6])
def test_run_it_waits_until_every_part_of_its_exercise_is_tried(open_page, number):
    at = open_page(PAGE, **attempted(number))
    ready = {b.key for b in at.button if b.key.endswith("-run")}
    fresh = {b.key for b in open_page(PAGE).button if b.key.endswith("-run")}
    assert ready - fresh == {f"ex{number}-run"}


def test_a_run_prints_nothing_before_an_attempt_even_if_it_ran_earlier(open_page):
    assert not printed(open_page(PAGE, _ex5_ran=True), transfer.exercise5)
    assert printed(open_page(PAGE, _ex5_ran=True, **attempted(5)), transfer.exercise5)


def test_the_student_may_ask_to_run_it_before_answering(page):
    page.toggle(key="ex5-early").set_value(True).run()
    page.button(key="ex5-run").click().run()
    assert printed(page, transfer.exercise5)


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
