"""The entrypoint: sidebar progress, lecture mode from a link, shared-link presets."""

from quizzes import bank, progress
from ui import quiz


def test_the_sidebar_lists_progress_for_every_topic_then_the_exercises(new_app):
    at = new_app().run()
    labels = [p.proto.text for p in at.sidebar.get("progress")]
    topics = [title for topic, title in bank.TOPICS.items() if bank.by_topic(topic)]
    assert [label.split(":")[0] for label in labels] == [*topics, "The week's exercises"]


def test_the_exercises_count_as_solved_when_every_part_is(new_app):
    at = new_app()
    first = next(iter(bank.exercises().values()))
    at.session_state[quiz.PROGRESS] = {
        q.id: progress.Record(attempts=1, solved=True) for q in first
    }
    at.run()
    label = at.sidebar.get("progress")[-1].proto.text
    assert label == f"The week's exercises: 1 of {len(bank.exercises())} solved"


def test_a_solved_question_shows_in_the_sidebar(new_app):
    at = new_app()
    qid = "vg-depth-threshold"
    at.session_state[quiz.PRACTICE_CURRENT] = qid
    at.session_state[quiz.SEEDS] = {quiz.practice_key(qid): 0}
    at.run().switch_page("app_pages/practice.py").run()
    at.text_input(key=f"{quiz.practice_key(qid)}:0:answer").input(
        str(bank.variant(qid, 0).expected)
    )
    at.button(key=f"{quiz.practice_key(qid)}:0:check").click().run()
    label = at.sidebar.get("progress")[0].proto.text
    assert label.startswith(bank.TOPICS["skip_connections"]) and ": 1 of" in label


def test_lecture_mode_starts_on_from_a_link(new_app):
    at = new_app()
    at.query_params["lecture"] = "1"
    at.run()
    assert at.sidebar.toggle(key="lecture_mode").value is True


def test_lecture_mode_starts_off(new_app):
    assert new_app().run().sidebar.toggle(key="lecture_mode").value is False


def test_a_link_to_an_unknown_question_is_ignored(new_app):
    at = new_app()
    at.query_params["question"] = "__import__('os')"
    at.run()
    assert not at.exception
    assert quiz.PRACTICE_CURRENT not in at.session_state
