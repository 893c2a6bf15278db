"""Exercises 5, 6 and 8: what "run it" prints is what the bank's solutions state."""

import pytest

from core.transfer_learning import exercises
from quizzes import bank


def answer(qid: str):
    return bank.variant(qid, 0).expected


def test_exercise_5s_rule_picks_the_strategy_each_scenario_question_expects():
    run = exercises.exercise5()
    expected = [answer(f"tl-ex5-s{i}")[0] for i in (1, 2, 3)]  # "A: ...", "B: ...", "C: ..."
    assert run["strategies"] == expected
    assert run["backbone_lr"] == answer("tl-ex5-backbone-lr")


def test_exercise_6s_steps_count_what_the_solutions_state():
    run = exercises.exercise6_steps()
    assert run["frozen"] == answer("tl-ex6-frozen")
    assert run["head"] == answer("tl-head-params")
    assert run["unfrozen"] == answer("tl-ex6-last-three")
    assert run["rates"] == pytest.approx([1e-3, 1e-4])


def test_exercise_8s_pipeline_runs_with_the_batches_groups_and_chance_the_solutions_state():
    config = exercises.Exercise8(input_shape=(20, 3, 32, 32))  # the course's 224 px takes ~20 s
    run = exercises.exercise8(config)
    assert run["batches"] == run["expected_batches"] == 2
    assert run["groups"] == answer("tl-ex8-groups")
    assert run["chance"] == pytest.approx(float(answer("tl-ex8-chance")))
    assert answer("tl-ex8-batches") == exercises.Exercise8().input_shape[0] // 16 + 1
