"""quizzes.classroom.tally: bars by meaning, named slips, unreadable advice, the report as CSV."""

import csv
import io

from quizzes import bank
from quizzes.classroom import count, csv_text, judge, report
from quizzes.classroom.store import Asked

POWER = "vg-plain-six-layers"  # the course's 0.7^5 = 0.16807
ROOM = [
    *("0.7^5", "0.7^5", "0.16807", "16.807%", "0.7⁵", "0.1681"),  # right; 0.1681 within 0.1%
    *("0.7^4", "0.7^4", "(0.7)^6"),  # two slips
    *("0,7", "x", "0,7"),  # unreadable
]


def room_tally(texts=ROOM):
    variant = bank.variant(POWER, 0)
    answers = [judge(variant, t) for t in texts]
    return count(answers, variant.question.kind, variant.question.rel_tol, joined=12)


def test_answers_that_mean_the_same_value_are_one_bar_labelled_by_the_most_common_reading():
    bars = room_tally().bars
    assert bars[0].count == 6 and bars[0].correct
    assert bars[0].label == "$0.7^{5}$"


def test_each_wrong_value_has_its_own_bar_and_the_bars_go_from_most_to_fewest():
    bars = room_tally().bars
    assert [b.count for b in bars] == [6, 2, 1]
    assert [b.correct for b in bars] == [True, False, False]


def test_slips_are_counted_by_name_most_common_first():
    slips = (("One factor of $\\delta$ too few", 2), ("That is $\\delta^L$", 1))
    assert room_tally().slips == slips


def test_unreadable_answers_are_counted_with_the_most_common_advice():
    tally = room_tally(["x", "0,7", "0,7"])
    assert tally.unreadable == 3 and tally.bars == ()
    assert tally.advice.startswith("Write decimals with a point")


def test_counts_and_the_share_correct_include_the_unreadable_answers():
    tally = room_tally()
    assert (tally.joined, tally.answered, tally.correct) == (12, 12, 6)
    assert tally.share == 0.5
    assert room_tally([]).share is None


def asked(position, question, seed=0, given=()):
    return Asked(position, position, question, seed, given, 0.0, None, 1.0, 2.0)


def test_the_report_has_a_row_per_question_with_its_counts_and_top_slips():
    variant = bank.variant(POWER, 0)
    given = bank.given_values("vg-depth-threshold", {"delta": 0.85, "tau": 0.01})
    history = [
        (asked(1, POWER), [judge(variant, t) for t in ROOM]),
        (asked(2, "vg-depth-threshold", given=given), []),
        (asked(3, POWER, seed=7), []),
    ]
    rows = report(history)
    assert [r.position for r in rows] == [1, 2, 3]
    assert (rows[0].answered, rows[0].correct, rows[0].unreadable) == (12, 6, 3)
    assert rows[0].slips[0] == ("One factor of $\\delta$ too few", 2)
    assert [r.numbers for r in rows] == ["the course's numbers", "δ = 0.85, τ = 0.01", "variant 7"]
    lines = list(csv.reader(io.StringIO(csv_text(rows))))
    assert lines[0][:3] == ["question", "id", "title"] and len(lines) == 4
    assert lines[1][4:7] == ["12", "6", "0.50"] and lines[2][6] == ""
