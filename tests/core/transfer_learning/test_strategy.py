"""The strategy rule on the course's scenarios, cs231n's four cases, and bad input."""

import re

import pytest

from core.transfer_learning import strategy
from core.transfer_learning.strategy import recommend, strategy_problem


@pytest.mark.parametrize("scenario", strategy.COURSE_SCENARIOS, ids=lambda s: s["case"])
def test_every_course_scenario_gets_a_strategy_the_course_accepts(scenario):
    assert recommend(scenario["images"], scenario["similarity"])["strategy"] in scenario["accepts"]


def test_small_and_similar_trains_a_head_on_the_last_layer():
    advice = recommend(200, 0.9)
    assert (advice["strategy"], advice["features_from"]) == ("A", "the last layer")


def test_small_and_different_trains_a_head_on_an_earlier_layer():
    advice = recommend(300, 0.1)
    assert (advice["strategy"], advice["features_from"]) == ("A", "an earlier layer")


def test_large_and_similar_fine_tunes_everything():
    assert recommend(100_000, 0.9)["strategy"] == "C"


def test_large_and_different_fine_tunes_everything():
    assert recommend(50_000, 0.0)["strategy"] == "C"


def test_the_case_study_size_is_medium_and_gets_b():
    assert recommend(1_200, 0.4)["strategy"] == "B"


@pytest.mark.parametrize(
    "images, similarity, size, similar",
    [
        (999, 0.2, "small", False),
        (1_000, 0.2, "medium", False),
        (9_999, 0.5, "medium", True),
        (10_000, 0.49, "large", False),
    ],
)
def test_the_tutors_thresholds_are_1000_and_10000_images_and_a_similarity_of_a_half(
    images, similarity, size, similar
):
    advice = recommend(images, similarity)
    assert (advice["size"], advice["similar"]) == (size, similar)


def test_the_quadrant_names_size_and_similarity():
    assert recommend(20_000, 0.2)["quadrant"] == "large data, different domain"


def test_the_reason_is_a_sentence():
    assert recommend(500, 0.8)["reason"].endswith(".")


@pytest.mark.parametrize(
    "images, similarity, words",
    [
        (0, 0.5, "no labelled images"),
        (-5, 0.5, "negative"),
        (100, -0.1, "0 (unrelated) to 1"),
        (100, 1.5, "0 (unrelated) to 1"),
        (100, float("nan"), "must be a number"),
        (2.5, 0.5, "whole number"),
        (10**9, 0.5, "at most"),
    ],
)
def test_bad_input_gets_one_sentence(images, similarity, words):
    assert words in strategy_problem(images, similarity)


def test_recommend_raises_the_same_sentence_for_bad_input():
    with pytest.raises(ValueError, match="no labelled images"):
        recommend(0, 0.5)


@pytest.mark.parametrize("line, images", [(0, 300), (1, 1_200), (2, 50_000)])
def test_each_line_of_the_takeaway_names_the_strategy_the_rule_picks_there(line, images):
    named = strategy.takeaway().splitlines()[line].split("**")[1]
    assert {recommend(images, s)["strategy"] for s in (0.0, 1.0)} == {named}


def test_the_thresholds_are_said_to_be_the_tutors_own():
    text = strategy.THRESHOLDS
    assert "this tutor's own" in text and "1,000" in text and "10,000" in text and "0.5" in text


@pytest.mark.parametrize("letter, unfrozen", [("A", 0), ("B", 3), ("C", 19)])
def test_each_strategy_unfreezes_its_blocks_and_reads_back_as_itself(letter, unfrozen):
    assert strategy.unfrozen_blocks(letter, 19) == unfrozen
    assert strategy.strategy_of(unfrozen, 19) == letter


@pytest.mark.parametrize("unfrozen", [1, 5, 18])
def test_any_partial_unfreezing_is_strategy_b(unfrozen):
    assert strategy.strategy_of(unfrozen, 19) == "B"


def test_an_unknown_letter_is_refused():
    with pytest.raises(ValueError, match="A, B or C"):
        strategy.unfrozen_blocks("D", 19)


def test_the_verdict_says_whether_the_prediction_was_right():
    assert "as you predicted" in strategy.verdict(300, 0.1, "A")
    assert "you predicted C" in strategy.verdict(300, 0.1, "C")


def test_the_one_sentence_rule_names_the_strategies_the_rule_picks_from_small_to_large():
    sizes = (strategy.SMALL_BELOW - 1, strategy.SMALL_BELOW, strategy.LARGE_FROM)
    picked = [strategy.recommend(n, 0.0)["strategy"] for n in sizes]
    assert re.findall(r"\*\*([ABC])\*\*", strategy.in_brief()) == picked
