"""Shared machinery for live torch work on a shared server: one run at a time, on one thread.

Every live experiment and benchmark in this process (the degradation sweep, the convolution
benchmark, the fine-tuning lab) runs inside `exclusive()`: torch's thread count is process-wide,
so two runs at once would slow and time each other. A caller that finds the lock taken is told so
once (`on_wait`) and waits up to a timeout, then gets `Busy`. `single_thread()` runs tiny models on
one thread with denormals flushed: measured here, a second thread on a busy core made small models
20-200x slower, and denormals made some deep runs 50x slower.
It deliberately leaves out any particular model, data set or training loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import torch

LIVE_LOCK = threading.Lock()  # one live run at a time in this process, across all sessions
WAIT_S = 120.0  # how long a live run waits for another session's run before giving up


class Busy(RuntimeError):
    """Another session's live run held the lock for longer than the caller would wait."""


@contextmanager
def exclusive(on_wait: Callable[[], None] | None = None, timeout: float = WAIT_S) -> Iterator[None]:
    """Hold LIVE_LOCK for the block; call on_wait once if it is taken, raise Busy after timeout."""
    if not LIVE_LOCK.acquire(blocking=False):
        if on_wait is not None:
            on_wait()
        if not LIVE_LOCK.acquire(timeout=timeout):
            raise Busy("Another live run is still going; try again in a moment.")
    try:
        yield
    finally:
        LIVE_LOCK.release()


@contextmanager
def threads(count: int, flush_denormal: bool = False) -> Iterator[None]:
    """Run the block with torch on `count` threads (denormals flushed if asked); restore both."""
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    if flush_denormal:
        torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
        if flush_denormal:
            torch.set_flush_denormal(False)


def single_thread() -> AbstractContextManager[None]:
    """One torch thread with denormals flushed: how tiny models train fastest here."""
    return threads(1, flush_denormal=True)
