"""quizzes.progress: counting, summaries, and untrusted JSON import."""

import json
import random

import pytest

from quizzes import progress
from quizzes.progress import ProgressError, Record

IDS = ("a", "b", "c")


def exported(questions: dict) -> bytes:
    return json.dumps({"app": progress.APP, "version": 1, "questions": questions}).encode()


def test_first_correct_attempt_without_hints_counts_as_first_try():
    record = progress.record_attempt({}, "a", correct=True)
    assert record["a"] == Record(attempts=1, solved=True, hints_used=0, first_try=True)


def test_a_correct_answer_after_a_hint_is_solved_but_not_first_try():
    record = progress.record_attempt(progress.record_hint({}, "a"), "a", correct=True)
    assert record["a"].solved and not record["a"].first_try


def test_a_wrong_answer_after_solving_keeps_it_solved():
    record = progress.record_attempt({}, "a", correct=True)
    record = progress.record_attempt(record, "a", correct=False)
    assert record["a"].solved and record["a"].attempts == 2


def test_summary_counts_per_topic():
    record = progress.record_attempt({}, "a", correct=True)
    record = progress.record_attempt(record, "b", correct=False)
    rows = progress.summary(record, [("a", "t1"), ("b", "t1"), ("c", "t2")])
    assert rows["t1"] == {"questions": 2, "attempted": 2, "solved": 1, "first_try": 1}
    assert rows["t2"] == {"questions": 1, "attempted": 0, "solved": 0, "first_try": 0}


def test_export_then_import_loses_nothing():
    record = progress.record_attempt(progress.record_hint({}, "a"), "a", correct=True)
    record = progress.record_attempt(record, "b", correct=False)
    loaded, skipped = progress.import_json(progress.export_json(record), IDS)
    assert loaded == record and skipped == 0


def test_import_skips_questions_the_bank_no_longer_has():
    data = exported({"gone": {"attempts": 1, "solved": False, "hints_used": 0, "first_try": False}})
    assert progress.import_json(data, IDS) == ({}, 1)


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"x" * (progress.MAX_BYTES + 1), "too large"),
        (b"\xff\xfe not utf8", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (b"[1, 2, 3]", "not exported by this app"),
        (json.dumps({"app": "other", "version": 1, "questions": {}}).encode(), "not exported"),
        (json.dumps({"app": progress.APP, "version": 3, "questions": {}}).encode(), "version"),
        (
            json.dumps({"app": progress.APP, "version": 1, "questions": []}).encode(),
            "no 'questions'",
        ),
    ],
)
def test_import_refuses_files_that_are_not_progress_files(data, fragment):
    with pytest.raises(ProgressError, match=fragment):
        progress.import_json(data, IDS)


@pytest.mark.parametrize(
    "entry, fragment",
    [
        ({"attempts": 1, "solved": True}, "expected fields"),
        ({"attempts": 1, "solved": True, "hints_used": 0, "first_try": True, "x": 1}, "fields"),
        ({"attempts": -1, "solved": False, "hints_used": 0, "first_try": False}, "whole number"),
        ({"attempts": 1.5, "solved": False, "hints_used": 0, "first_try": False}, "whole number"),
        ({"attempts": True, "solved": False, "hints_used": 0, "first_try": False}, "whole number"),
        ({"attempts": 10**30, "solved": False, "hints_used": 0, "first_try": False}, "whole"),
        ({"attempts": 1, "solved": "yes", "hints_used": 0, "first_try": False}, "true or false"),
        ({"attempts": 0, "solved": True, "hints_used": 0, "first_try": False}, "without any"),
        ({"attempts": 2, "solved": False, "hints_used": 0, "first_try": True}, "not solved"),
        ("__import__('os')", "expected fields"),
    ],
)
def test_import_refuses_entries_that_break_the_schema(entry, fragment):
    with pytest.raises(ProgressError, match=fragment):
        progress.import_json(exported({"a": entry}), IDS)


def test_next_question_prefers_unsolved_questions():
    record = progress.record_attempt({}, "a", correct=True)
    picks = {progress.next_question(record, list(IDS), "b", random.Random(i)) for i in range(50)}
    assert picks == {"c"}


def test_next_question_moves_on_when_everything_is_solved():
    record = {qid: Record(attempts=1, solved=True, first_try=True) for qid in IDS}
    picks = {progress.next_question(record, list(IDS), "a", random.Random(i)) for i in range(50)}
    assert picks == {"b", "c"}


def test_next_question_of_an_empty_pool_is_none():
    assert progress.next_question({}, [], None, random.Random(0)) is None


def test_a_group_counts_as_solved_only_when_every_question_in_it_is():
    record = progress.record_attempt(progress.record_attempt({}, "a", True), "b", False)
    groups = {1: ["a"], 2: ["a", "b"], 3: ["c"]}
    assert progress.solved_groups(record, groups) == [1]


def test_a_tally_counts_the_solved_questions_of_a_pool():
    record = {"a": Record(attempts=2, solved=True), "b": Record(attempts=1)}
    tally = progress.tally(record, ["a", "b", "c"])
    assert (tally.share, tally.text) == (1 / 3, "1 of 3 solved in these topics")


def test_the_import_message_says_how_many_questions_it_read_and_skipped():
    one = {"a": Record()}
    assert progress.loaded_message(one, 0) == "Loaded progress for 1 question."
    assert progress.loaded_message({**one, "b": Record()}, 3).startswith(
        "Loaded progress for 2 questions. 3 entries"
    )


def version2(questions: dict) -> bytes:
    return json.dumps({"app": progress.APP, "version": 2, "questions": questions}).encode()


ENTRY = {"attempts": 3, "solved": True, "hints_used": 0, "first_try": False}


def test_a_wrong_answer_counts_the_slip_it_made():
    record = progress.record_attempt({}, "a", correct=False, slip="One layer short")
    record = progress.record_attempt(record, "a", correct=False, slip="One layer short")
    record = progress.record_attempt(record, "a", correct=True)
    assert record["a"].slips == (("One layer short", 2),) and record["a"].attempts == 3


def test_slips_survive_export_and_import():
    record = progress.record_attempt({}, "a", correct=False, slip="A factor of 2 too many")
    loaded, _ = progress.import_json(progress.export_json(record), IDS)
    assert loaded["a"].slips == (("A factor of 2 too many", 1),)


def test_a_version_1_file_still_imports_with_no_slips():
    data = exported({"a": {"attempts": 1, "solved": True, "hints_used": 0, "first_try": True}})
    loaded, _ = progress.import_json(data, IDS)
    assert loaded["a"] == Record(attempts=1, solved=True, first_try=True)


@pytest.mark.parametrize(
    "slips, fragment",
    [
        ({"x": 4}, "more slips than attempts"),
        ({"x": 0}, "short names"),
        ({"x": "2"}, "short names"),
        ({"": 1}, "short names"),
        ({"x" * 201: 1}, "short names"),
        ({f"s{i}": 1 for i in range(51)}, "short names"),
        (["x"], "short names"),
    ],
)
def test_import_refuses_slips_that_break_the_schema(slips, fragment):
    with pytest.raises(ProgressError, match=fragment):
        progress.import_json(version2({"a": ENTRY | {"slips": slips}}), IDS)


def test_a_version_2_entry_without_slips_is_refused():
    with pytest.raises(ProgressError, match="expected fields"):
        progress.import_json(version2({"a": ENTRY}), IDS)


def test_the_class_report_counts_students_not_attempts():
    one = progress.record_attempt({}, "a", correct=False, slip="short")
    one = progress.record_attempt(one, "a", correct=False, slip="short")
    two = progress.record_attempt(progress.record_attempt({}, "a", False, "short"), "a", True)
    three = progress.record_attempt({}, "b", correct=True)
    report = progress.class_report([one, two, three])
    assert report["a"]["attempted"] == 2 and report["a"]["solved"] == 1
    assert report["a"]["slips"] == {"short": 2}
    assert report["b"] == {"attempted": 1, "solved": 1, "slips": {}}
