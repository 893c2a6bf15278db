"""Exercises 3, 4 and 7: what "run it" prints is what the bank's solutions state."""

import pytest

from core.separable_convolutions import exercises
from quizzes import bank


def answer(qid: str):
    return bank.variant(qid, 0).expected


def test_exercise_3s_run_counts_what_the_solutions_state():
    run = exercises.exercise3()
    assert run["standard_params"] == answer("sep-ex3-standard-params")
    assert run["separable_params"] == answer("sep-ex3-separable-params")
    assert run["reduction"] == pytest.approx(float(answer("sep-ex3-reduction")))
    assert run["standard_macs"] == answer("sep-standard-macs")
    assert run["separable_macs"] == answer("sep-ex3-separable-macs")


def test_exercise_4s_run_gives_the_shape_and_parameters_the_solutions_state():
    run = exercises.exercise4(exercises.Exercise4(min_run_time=0.01))
    shape = tuple(int(v) for v in answer("sep-ex4-shape"))
    assert run["shapes"] == {"DWSepConv": shape, "StandardConv": shape}
    assert run["params"]["DWSepConv"] == answer("sep-ex4-params")
    assert run["speedup"] > 0 and run["seconds"] > 0


def test_exercise_7s_run_reads_the_weights_the_solutions_state():
    run = exercises.exercise7()
    assert run["v1_weights"] == answer("sep-ex7-v1-params")
    assert run["v2_weights"] == answer("sep-inverted-residual-params")
    assert run["skip"] is True
