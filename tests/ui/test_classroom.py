"""The class row shared by every session on a server: one read per TTL, a failed read not kept."""

import time

import pytest

from ui import classroom as live


def test_a_value_is_shared_within_its_ttl_and_read_again_after_it():
    reads = []
    shared = live._Shared(lambda code: reads.append(code) or len(reads), ttl=0.2, max_entries=10)
    assert shared("A") == shared("A") == 1
    assert shared("B") == 2
    time.sleep(0.25)
    assert shared("A") == 3


def test_a_read_that_fails_is_not_kept():
    outcomes = [RuntimeError("database away"), "row"]

    def read(code):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    shared = live._Shared(read, ttl=60, max_entries=10)
    with pytest.raises(RuntimeError):
        shared("A")
    assert shared("A") == "row"


def test_the_oldest_entry_goes_first_when_full_and_clear_empties_it():
    reads = []
    shared = live._Shared(lambda code: reads.append(code) or code, ttl=60, max_entries=2)
    shared("A"), shared("B"), shared("C")  # A is dropped
    shared("B"), shared("A")
    assert reads == ["A", "B", "C", "A"]
    shared.clear()
    shared("B")
    assert reads[-1] == "B"
