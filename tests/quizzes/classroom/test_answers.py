"""quizzes.classroom.answers: a student's text judged once, by the checker every quiz box uses."""

import threading
import time

import sympy as sp

from quizzes import bank, checking
from quizzes.classroom import judge
from quizzes.classroom.answers import UNREAD

POWER = "vg-plain-six-layers"  # the course's 0.7^5


def test_a_right_answer_keeps_its_text_reading_and_meaning():
    judged = judge(bank.variant(POWER, 0), " 0.7^5 ")
    assert judged.correct and judged.text == "0.7^5" and judged.reading == "0.7^{5}"
    assert judged.meaning == checking.meaning("0.16807", "0.16807")


def test_a_slip_is_stored_by_name_and_an_authored_distractor_by_its_clause():
    variant = bank.variant(POWER, 0)
    assert judge(variant, "0.7^4").slip == "One factor of $\\delta$ too few"
    assert judge(variant, "0.7^6").slip == "That is $\\delta^L$"


def test_an_unreadable_answer_keeps_the_checkers_advice_and_no_meaning():
    judged = judge(bank.variant(POWER, 0), "0,7^5")
    assert judged.reading is None and judged.meaning is None and not judged.correct
    assert judged.message.startswith("Write decimals with a point")


def test_hostile_text_goes_through_the_same_checker_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    judged = judge(bank.variant(POWER, 0), "__import__('os').system('touch PWNED')")
    assert judged.reading is None and not judged.correct
    assert list(tmp_path.iterdir()) == []


def test_a_choice_is_its_option_and_anything_else_is_unreadable():
    question = next(q for q in bank.bank().values() if q.kind == "choice" and not q.parameters)
    variant = bank.variant(question.id, 0)
    right = judge(variant, variant.expected)
    assert right.correct and right.reading == right.meaning == variant.expected
    assert judge(variant, "<script>").reading is None


def test_a_busy_checker_gives_nothing_to_store_so_the_page_sends_again():
    k = sp.Symbol("k", integer=True, positive=True)
    slow_expected = sp.Sum(sp.sin(sp.Symbol("N") * k) / k, (k, 1, sp.oo))  # overruns a worker
    variant = bank.variant("vg-product-expression", 0)
    thread = threading.Thread(
        target=checking.check_answer,
        args=("N", slow_expected),
        kwargs={"variables": ("N",), "session": "busy"},
    )
    thread.start()
    time.sleep(0.2)
    judged = judge(variant, "sqrt(delta)^(2L-2)", session="busy")
    thread.join()
    assert judged is None


def test_a_reading_whose_meaning_timed_out_is_still_grouped_by_the_reading(monkeypatch):
    monkeypatch.setattr(checking, "meaning", lambda *args, **kwargs: None)
    judged = judge(bank.variant(POWER, 0), "0.7^5")
    assert judged.meaning == UNREAD + judged.reading
