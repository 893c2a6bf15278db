"""The shared live-run machinery: one run at a time, a message while waiting, threads restored."""

import threading

import pytest
import torch

from core import training


def test_a_free_lock_is_taken_without_calling_on_wait():
    waits = []
    with training.exclusive(lambda: waits.append(1)):
        assert training.LIVE_LOCK.locked()
    assert waits == [] and not training.LIVE_LOCK.locked()


def test_a_taken_lock_calls_on_wait_once_then_gives_up_with_busy():
    waits = []
    with training.LIVE_LOCK, pytest.raises(training.Busy):  # noqa: SIM117
        with training.exclusive(lambda: waits.append(1), timeout=0.05):
            pass
    assert waits == [1]


def test_a_waiting_run_starts_as_soon_as_the_other_ends():
    order = []
    training.LIVE_LOCK.acquire()
    timer = threading.Timer(0.1, training.LIVE_LOCK.release)
    timer.start()
    with training.exclusive(lambda: order.append("waited"), timeout=5):
        order.append("ran")
    timer.join()
    assert order == ["waited", "ran"]


@pytest.fixture
def three_threads():
    """torch on 3 threads for the test, so a count of 1 must come from the code under test."""
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    yield
    torch.set_num_threads(before)


def _denormal_survives() -> bool:
    """Whether a float32 denormal survives arithmetic (flushing it gives 0)."""
    return (torch.tensor([1e-39], dtype=torch.float32) * 1).item() != 0


def test_single_thread_runs_on_one_thread_then_restores_the_count_even_after_a_failure(
    three_threads,
):
    with pytest.raises(RuntimeError), training.single_thread():
        assert torch.get_num_threads() == 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == 3


def test_single_thread_flushes_denormals_then_stops_flushing(three_threads):
    if not torch.set_flush_denormal(False):
        pytest.skip("this CPU cannot flush denormals")
    assert _denormal_survives()
    with training.single_thread():
        assert not _denormal_survives()
    assert _denormal_survives()
