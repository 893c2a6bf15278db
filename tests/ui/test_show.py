"""show.cached's key: a digest of the pickled call, so no two different calls share a result."""

import threading

from ui import show


def test_different_arguments_never_share_a_key():
    calls = [(1,), (1.0,), (True,), ("1",), ((1, 2),), ((2, 1),), ({"a": 1},), ({"a": 1.0},)]
    keys = [show._key("core.x", "f", args, {}) for args in calls]
    assert len(set(keys)) == len(keys)


def test_the_same_call_has_the_same_key_and_the_function_is_part_of_it():
    assert show._key("m", "f", (3, "a"), {"k": 2}) == show._key("m", "f", (3, "a"), {"k": 2})
    assert show._key("m", "f", (3,), {}) != show._key("m", "g", (3,), {})


def test_arguments_that_do_not_pickle_have_no_key_and_fall_back_to_streamlits_hasher():
    assert show._key("m", "f", (threading.Lock(),), {}) is None
