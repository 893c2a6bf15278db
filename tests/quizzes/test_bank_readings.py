"""A question whose wording admits two readings accepts the other's answer and says which it is."""

import pytest

from quizzes import bank


def load(reading: str = "a") -> bank.Question:
    """A small question whose other reading's answer is `reading`, validated as the bank loads."""
    raw = {
        "id": "t-two-readings",
        "topic": "skip_connections",
        "title": "t",
        "kind": "integer",
        "prompt": "How many groups of {{a}} are there, counting the head or not?",
        "expected": "a + 1",
        "hints": ["count"],
        "solution": ["{{answer}}"],
        "parameters": {"a": {"default": 2, "min": 1, "max": 9, "step": 1}},
        "readings": [{"expected": reading, "message": "Right if the head is not counted."}],
    }
    return bank._question(raw, "skip_connections", "test")


def test_the_other_readings_answer_is_right_with_its_own_message():
    verdict = bank.make_variant(load(), 0).check("2")
    assert verdict.correct and verdict.message == "Right if the head is not counted."


def test_the_expected_answer_is_still_right_and_a_third_answer_wrong():
    variant = bank.make_variant(load(), 0)
    assert variant.check("3").correct and not variant.check("4").correct


def test_a_reading_that_equals_the_answer_fails_loudly():
    with pytest.raises(bank.BankError, match="another reading's answer does"):
        load(reading="a + 1")


def test_the_checkpoint_accepts_4_5e_minus_5_and_1_35e_minus_5():
    variant = bank.variant("tl-lr-checkpoint", 0)
    counted, outside = variant.check("4.5e-5"), variant.check("1.35e-5")
    assert counted.correct and outside.correct
    assert "not one of the 3 groups" in outside.message


@pytest.mark.parametrize("seed", range(1, 8))
def test_every_checkpoint_variant_accepts_both_readings(seed):
    variant = bank.variant("tl-lr-checkpoint", seed)
    head, decay, groups = (variant.params[k] for k in ("head", "decay", "groups"))
    assert variant.check(f"({head}) * ({decay})^{groups - 1}").correct
    assert variant.check(f"({head}) * ({decay})^{groups}").correct
    assert not variant.check(f"({head}) * ({decay})").correct
