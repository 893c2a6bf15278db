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


def test_a_reference_source_is_read_once_and_never_by_two_threads_at_once(monkeypatch):
    """getsource runs ast.parse, which CPython 3.11 can't run in two threads at once (ui/show)."""
    import inspect
    import threading
    import time

    from core import conv

    reading, most, calls = [0], [0], []

    def getsource(obj):
        reading[0] += 1
        most[0] = max(most[0], reading[0])
        time.sleep(0.05)
        calls.append(obj)
        reading[0] -= 1
        return "source"

    monkeypatch.setattr(inspect, "getsource", getsource)
    monkeypatch.setattr(show, "_SOURCES", {})
    objects = [conv.standard_params, conv.conv_output_size]
    threads = [threading.Thread(target=show.source_text, args=(o,)) for o in objects * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 1
    assert sorted(map(id, calls)) == sorted(map(id, objects))
