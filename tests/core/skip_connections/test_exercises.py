"""Exercises 1 and 2: what "run it" prints is what the bank's solutions state, on course numbers."""

import pytest

from core.skip_connections import exercises
from quizzes import bank


def answer(qid: str):
    return bank.variant(qid, 0).expected


def test_exercise_1s_autograd_run_gives_the_plain_answer():
    assert exercises.exercise1()["plain"] == pytest.approx(float(answer("vg-plain-six-layers")))


def test_exercise_1s_autograd_run_gives_the_residual_answer():
    run = exercises.exercise1()["residual"]
    assert run == pytest.approx(float(answer("skip-residual-gradient")))


def test_exercise_2s_run_gives_the_feature_shape_and_parameter_count():
    run = exercises.exercise2()
    assert run["features"] == tuple(int(v) for v in answer("skip-smallresnet-shape"))
    assert run["params"] == answer("skip-smallresnet-params")
    assert run["shapes"]["fc"] == str(tuple(int(v) for v in answer("skip-ex2-logits")))


def test_exercise_2s_run_projects_only_in_the_block_the_choice_names():
    assert exercises.exercise2()["projections"] == [False, True, False]
    assert bank.variant("skip-ex2-projection", 0).expected.startswith("Only the 32→64 block")
