"""The gate on topic-page runs: at most RUN_SLOTS draw at once, the others wait their turn.

150 students opening a topic page together made 150 script threads share one core, so every page
finished late (p95 8-14 s at 150 arrivals in 20 s); in turns, most finish early (ui/runtime.py).
"""

import threading
import time

import pytest

from ui import runtime


@pytest.fixture
def slots(monkeypatch):
    """A fresh gate of 2 slots and a short wait, so one test can't leave slots held for another."""
    monkeypatch.setattr(runtime, "RUN_SLOTS", 2)
    monkeypatch.setattr(runtime, "_slots", threading.Semaphore(2))
    monkeypatch.setattr(runtime, "SLOT_WAIT_S", 5.0)
    return runtime


def _crowd(slots, n: int, body) -> int:
    """n threads each run body() holding a slot; the most that held one at the same time."""
    inside, most, lock = [0], [0], threading.Lock()

    def student():
        with slots.run_slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            body()
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=student) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return most[0]


def test_at_most_run_slots_pages_draw_at_once(slots):
    assert _crowd(slots, 8, lambda: time.sleep(0.05)) == 2


def test_a_thread_waiting_on_a_live_run_lets_the_others_draw(slots):
    def body():
        with slots.slot_released():  # the 6 wait here together only if each gave its slot back
            time.sleep(0.3)

    started = time.perf_counter()
    assert _crowd(slots, 6, body) == 6
    assert time.perf_counter() - started < 0.3 * 6 / 2  # in turns of 2 it would take 0.9 s


def test_a_slot_is_given_back_when_the_page_raises(slots):
    for _ in range(3):
        with pytest.raises(RuntimeError), slots.run_slot():
            raise RuntimeError("the page failed (or Streamlit stopped it for a rerun)")
    assert slots._slots.acquire(timeout=0) and slots._slots.acquire(timeout=0)


def test_a_lost_slot_delays_a_page_but_never_stalls_it(slots, monkeypatch):
    monkeypatch.setattr(slots, "SLOT_WAIT_S", 0.2)
    slots._slots.acquire()
    slots._slots.acquire()  # both slots lost (a thread that never gave its slot back)
    started = time.perf_counter()
    with slots.run_slot():
        pass
    assert 0.2 <= time.perf_counter() - started < 2
    assert not slots._slots.acquire(timeout=0)  # going ahead without a slot gave none back


@pytest.mark.parametrize(("said", "slots"), [("", 2), ("3", 3), ("0", 1), ("-4", 1), ("two", 2)])
def test_the_number_of_slots_comes_from_the_environment_or_is_two(monkeypatch, said, slots):
    monkeypatch.setenv(runtime.RUN_SLOTS_ENV, said)
    assert runtime._run_slots() == slots
