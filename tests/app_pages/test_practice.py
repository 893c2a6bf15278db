"""The practice page: answers right, wrong, malformed and hostile, and progress import."""

import pytest

from quizzes import bank, progress
from ui import quiz

PAGE = "app_pages/practice.py"
QID = "vg-depth-threshold"


def open_on(open_page, qid=QID, seed=0):
    at = open_page(
        PAGE,
        **{quiz.PRACTICE_CURRENT: qid, quiz.SEEDS: {quiz.practice_key(qid): seed}},
    )
    return at, bank.variant(qid, seed)


def answer(at, variant, text, button="check"):
    key = f"{quiz.practice_key(variant.question.id)}:{variant.seed}"
    at.text_input(key=f"{key}:answer").input(text)
    at.button(key=f"{key}:{button}").click().run()
    assert not at.exception, at.exception
    return at


def test_a_right_answer_is_marked_correct_and_counted(open_page):
    at, v = open_on(open_page)
    answer(at, v, str(v.expected))
    assert at.success[0].value.startswith("Correct")
    assert at.session_state[quiz.PROGRESS][QID].first_try


def test_a_wrong_answer_says_so_without_giving_the_answer(open_page):
    at, v = open_on(open_page)
    answer(at, v, str(v.expected + 7))
    assert len(at.error) == 1 and str(v.expected) not in at.error[0].value
    assert not at.session_state[quiz.PROGRESS][QID].solved


def test_a_known_mistake_gets_its_targeted_message(open_page):
    at, v = open_on(open_page)
    answer(at, v, str(v.expected - 1))
    assert at.error[0].value.startswith(v.distractors[0][1])


@pytest.mark.parametrize("text", ["", "44,", "(44", "cosh(44)", "__import__('os').getcwd()"])
def test_malformed_or_hostile_input_is_refused_without_costing_an_attempt(open_page, text):
    at, v = open_on(open_page)
    answer(at, v, text)
    assert len(at.warning) == 1 and "No attempt was counted" in at.warning[0].value
    assert QID not in at.session_state[quiz.PROGRESS]


def test_preview_shows_what_was_understood_without_an_attempt(open_page):
    at, v = open_on(open_page, "vg-plain-six-layers")
    answer(at, v, "0.7⁵", button="preview")
    assert "We read your answer as" in at.info[0].value
    assert "vg-plain-six-layers" not in at.session_state[quiz.PROGRESS]


def test_hints_come_one_at_a_time_and_are_counted(open_page):
    at, v = open_on(open_page)
    at.button(key=f"{quiz.practice_key(QID)}:0:hint").click().run()
    assert any("Hint 1." in m.value for m in at.markdown)
    assert not any("Hint 2." in m.value for m in at.markdown)
    assert at.session_state[quiz.PROGRESS][QID].hints_used == 1


def test_the_solution_appears_only_after_a_first_attempt(open_page):
    at, v = open_on(open_page)
    assert not at.expander
    answer(at, v, "1")
    assert at.expander[0].label == "Worked solution"


def test_new_numbers_shows_and_checks_a_new_variant(open_page):
    at, v = open_on(open_page)
    assert v.prompt in [m.value for m in at.markdown]
    at.button(key=f"{quiz.practice_key(QID)}:0:new").click().run()
    fresh = bank.variant(QID, at.session_state[quiz.SEEDS][quiz.practice_key(QID)])
    shown = [m.value for m in at.markdown]
    assert fresh.expected != v.expected and fresh.prompt in shown and v.prompt not in shown
    answer(at, fresh, str(fresh.expected))
    assert at.success[0].value.startswith("Correct")


def test_next_question_moves_to_another_question(open_page):
    at, _ = open_on(open_page)
    at.button(key="practice_next").click().run()
    assert at.session_state[quiz.PRACTICE_CURRENT] != QID


def test_the_topic_filter_limits_the_pool(open_page):
    at, _ = open_on(open_page)
    at.multiselect(key="practice_topics").set_value(["separable_convolutions"]).run()
    assert bank.bank()[at.session_state[quiz.PRACTICE_CURRENT]].topic == ("separable_convolutions")


def test_an_empty_topic_filter_gets_a_message(open_page):
    at, _ = open_on(open_page)
    at.multiselect(key="practice_topics").set_value([]).run()
    assert "Pick at least one topic" in at.info[0].value


def test_a_shared_link_opens_its_question_on_given_numbers(new_app):
    at = new_app()
    at.query_params["question"] = "sep-ratio-value"
    at.query_params["seed"] = "5"
    at.run()
    at.switch_page(PAGE).run()
    assert at.session_state[quiz.PRACTICE_CURRENT] == "sep-ratio-value"
    assert bank.variant("sep-ratio-value", 5).prompt.split("\n")[0] in " ".join(
        m.value for m in at.markdown
    )


def test_progress_export_is_a_valid_progress_file(open_page):
    at, v = open_on(open_page)
    answer(at, v, str(v.expected))
    record = at.session_state[quiz.PROGRESS]
    loaded, _ = progress.import_json(progress.export_json(record), bank.bank().keys())
    assert loaded == record


def test_a_choice_question_is_answered_with_its_radio(open_page):
    qid = next(q.id for q in bank.bank().values() if q.kind == "choice")
    at, v = open_on(open_page, qid, seed=3)
    key = f"{quiz.practice_key(qid)}:3"
    at.radio(key=f"{key}:answer").set_value(v.expected)
    at.button(key=f"{key}:check").click().run()
    assert at.success[0].value.startswith("Correct")


def test_a_known_wrong_choice_gets_its_message(open_page):
    q = next(q for q in bank.bank().values() if q.kind == "choice" and q.distractors)
    at, v = open_on(open_page, q.id, seed=3)
    key = f"{quiz.practice_key(q.id)}:3"
    wrong, message = v.distractors[0]
    at.radio(key=f"{key}:answer").set_value(wrong)
    at.button(key=f"{key}:check").click().run()
    assert at.error[0].value.startswith(message)


def test_checking_a_choice_with_nothing_picked_costs_no_attempt(open_page):
    qid = next(q.id for q in bank.bank().values() if q.kind == "choice")
    at, _ = open_on(open_page, qid, seed=3)
    at.button(key=f"{quiz.practice_key(qid)}:3:check").click().run()
    assert "Pick one of the options" in at.warning[0].value
    assert qid not in at.session_state[quiz.PROGRESS]
