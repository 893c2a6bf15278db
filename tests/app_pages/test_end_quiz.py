"""The end-of-topic quiz on each topic page: one question at a time, every question reachable."""

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizzes import bank

ROOT = Path(__file__).resolve().parents[2]
TOPICS = ("skip_connections", "separable_convolutions", "transfer_learning")


def _checks(at: AppTest) -> list[str]:
    """The box keys of every question box drawn (each box has one Check button)."""
    return [b.key.rsplit(":", 2)[0] for b in at.button if b.key and b.key.endswith(":check")]


@pytest.fixture(scope="module", params=TOPICS)
def walk(request):
    """Open the topic page, then pick every question of its end quiz in turn."""
    topic = request.param
    entry = str(ROOT / "streamlit_app.py")
    at = AppTest.from_file(entry, default_timeout=180).run()
    at.switch_page(f"app_pages/{topic}.py").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key=f"quiz-pick:{topic}")
    opened = _checks(at)
    shown = {}
    ids = _option_ids(picker)
    for question_id in ids:
        at.selectbox(key=f"quiz-pick:{topic}").select(question_id).run()
        assert not at.exception, at.exception
        end = [k for k in _checks(at) if k.startswith("quiz:")]
        shown[question_id] = (end, {m.value for m in at.markdown})
    return topic, opened, ids, shown


def _option_ids(picker) -> list[str]:
    """The question ids behind the picker's labels ("3. Title ✅")."""
    titles = {q.title: q.id for q in bank.bank().values()}
    ids = []
    for label in picker.options:
        title = label.split(". ", 1)[1].removesuffix(" ✅")
        ids.append(titles[title])
    return ids


def test_a_page_open_draws_one_question_of_the_end_quiz(walk):
    _, opened, _, _ = walk
    assert len([k for k in opened if k.startswith("quiz:")]) == 1


def _inline(topic: str) -> tuple[str, ...]:
    """The page's INLINE: the questions its sections ask, read from its source."""
    tree = ast.parse((ROOT / "app_pages" / f"{topic}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "INLINE":
            return ast.literal_eval(node.value)
    raise AssertionError(f"{topic} has no INLINE")


def test_every_question_of_the_topic_is_asked_once_in_a_section_or_the_end_quiz(walk):
    topic, opened, ids, _ = walk
    inline = _inline(topic)
    assert len(ids) == len(set(ids)) and not set(ids) & set(inline)
    assert sorted(inline + tuple(ids)) == sorted(q.id for q in bank.by_topic(topic))
    assert {k for k in opened if not k.startswith("quiz:")} <= set(inline)


def test_picking_a_question_draws_that_question_alone(walk):
    _, _, ids, shown = walk
    assert all(shown[qid][0] == [f"quiz:{qid}"] for qid in ids)


def test_the_course_questions_come_first_on_the_course_numbers(walk):
    topic, _, ids, shown = walk
    course = [q.id for q in bank.by_topic(topic) if q.course_question and q.id in ids]
    assert course and ids[: len(course)] == course
    assert all(bank.variant(qid, 0).prompt in shown[qid][1] for qid in course)


def test_at_least_eight_randomised_practice_questions_follow(walk):
    topic, _, ids, _ = walk
    practice = [bank.bank()[qid] for qid in ids if not bank.bank()[qid].course_question]
    assert sum(q.randomised and q.source != "checkpoint" for q in practice) >= 8


def test_next_and_previous_step_through_the_questions_and_stop_at_the_ends(new_app):
    at = new_app().run()
    at.switch_page("app_pages/skip_connections.py").run()
    pick = "quiz-pick:skip_connections"
    first = at.selectbox(key=pick).value
    assert at.button(key=f"{pick}:back").disabled
    at.button(key=f"{pick}:forward").click().run()
    second = at.selectbox(key=pick).value
    assert second != first and [k for k in _checks(at) if k.startswith("quiz:")] == [
        f"quiz:{second}"
    ]
    at.button(key=f"{pick}:back").click().run()
    assert at.selectbox(key=pick).value == first


def test_a_solved_question_is_marked_in_the_picker(new_app):
    at = new_app().run()
    at.switch_page("app_pages/skip_connections.py").run()
    pick = "quiz-pick:skip_connections"
    question_id = at.selectbox(key=pick).value
    variant = bank.variant(question_id, 0)
    assert variant.question.course_question and variant.question.kind != "choice"
    box = f"quiz:{question_id}:0"  # the course's numbers are seed 0
    at.text_input(key=f"{box}:answer").input(variant.answer_text())
    at.button(key=f"{box}:check").click().run()
    assert not at.exception, at.exception
    labels = at.selectbox(key=pick).options
    assert labels[0].endswith("✅") and not labels[1].endswith("✅")
