"""Worker processes that run jobs under a deadline: the one place a process is started or killed.

A job is (function, args), pickled by reference. One "zygote" process (a fresh interpreter,
limited to WORKER_MEMORY) runs `prepare` once (a "module:function" that imports and exercises
what jobs need) and then forks a worker for each request, so a new worker is ready, and warm,
in milliseconds and shares the zygote's memory. A job
that overruns DEADLINE_S has its worker killed and replaced by a warm spare, and a new spare is
forked. A caller waits at most ACQUIRE_S for a ready worker (STARTUP_S until the zygote has
started), and a caller (`owner`) may have one job running at a time. This module imports no
SymPy and knows nothing about answers. Left out: queues and priorities: a caller that finds no
worker in time is refused.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

DEADLINE_S = 1.0  # per job; the worker is killed when it overruns
ACQUIRE_S = 0.6  # how long a caller waits for a ready worker
STARTUP_S = 20.0  # how long callers wait for the zygote's first start (importing SymPy)
POLL_S = 0.005  # how often a waiting caller looks for a ready worker
WORKER_MEMORY = 1 << 30  # address-space limit of the zygote and each worker, in bytes

_ROOT = str(Path(__file__).resolve().parents[2])  # the folder that holds quizzes/


class CheckerBusy(RuntimeError):
    """No worker was ready in time, or this caller already has a job running."""


class WorkerError(RuntimeError):
    """The worker died (killed from outside, or out of memory) or the job raised."""


def _work(connection: Connection) -> None:
    """A forked worker: report ready with its pid, then run jobs until the socket closes."""
    connection.send(("ready", os.getpid()))
    while True:
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, function(*args))
        except Exception as error:  # reported to the parent, which shows a polite sentence
            reply = (False, type(error).__name__)
        connection.send(reply)


def serve() -> None:
    """Zygote entry (`python pool.py ROOT FD MODULE:FUNCTION`): fork a worker per socket sent."""
    root, descriptor, prepare = sys.argv[1:]
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, hard))
    sys.path.insert(0, root)
    module, _, function = prepare.partition(":")
    getattr(importlib.import_module(module), function)()
    gc.freeze()  # keep the imported objects' pages shared with the workers
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # finished workers are reaped automatically
    control = socket.socket(fileno=int(descriptor))
    while True:
        try:
            _, descriptors, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            return
        if not descriptors:
            return
        if os.fork() == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _work(Connection(descriptors[0]))
            os._exit(0)
        os.close(descriptors[0])


class _Zygote:
    """The process that imports the job modules once and forks workers on request."""

    def __init__(self, prepare: str) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            command = [sys.executable, "-I", __file__, _ROOT, str(theirs.fileno()), prepare]
            self._process = subprocess.Popen(
                command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL
            )
        self._control = ours

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self._process.poll() is None

    def fork(self, theirs: socket.socket) -> None:
        """Ask for a worker on this socket; it reports ready once forked (requests queue up)."""
        socket.send_fds(self._control, [b"f"], [theirs.fileno()])

    def stop(self) -> None:
        """Kill the process and reap it."""
        self._process.kill()
        self._process.wait()
        self._control.close()


class Worker:
    """One forked worker, requested on creation; it is ready once it has sent its pid."""

    def __init__(self, zygote: _Zygote) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            zygote.fork(theirs)
        self._connection = Connection(ours.detach())
        self._pid: int | None = None

    def ready(self) -> bool:
        """Whether the worker has reported ready (without waiting)."""
        if self._pid is None:
            try:
                if self._connection.poll(0):
                    _, self._pid = self._connection.recv()
            except (OSError, EOFError):
                return False
        return self._pid is not None

    def dead(self) -> bool:
        """Whether a worker that was ready has died since."""
        if self._pid is None:
            return False
        try:
            os.kill(self._pid, 0)
        except ProcessLookupError:
            return True
        return False

    def run(self, job: tuple, deadline: float) -> tuple[bool, object]:
        """Send a job; (done, result or error name), TimeoutError after the deadline.

        OSError or EOFError mean the process died.
        """
        self._connection.send(job)
        if not self._connection.poll(deadline):
            raise TimeoutError
        return self._connection.recv()

    def kill(self) -> None:
        """Kill the process (a worker not yet forked exits when it finds the socket closed)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        self._connection.close()


class Pool:
    """`size` workers shared by every thread and one warm spare; ready workers are reused first."""

    def __init__(self, size: int, prepare: str) -> None:
        self._size = size
        self._prepare = prepare  # "module:function" the zygote runs before forking
        self._lock = threading.Lock()
        self._zygote: _Zygote | None = None
        self._idle: list[Worker] = []  # most recently used last
        self._busy: set[Worker] = set()
        self._spare: Worker | None = None
        self._owners: set[str] = set()  # callers with a job running
        self._warmed = False  # some worker has been ready

    def _launch(self) -> None:
        """Start the zygote if it is not running, and request the workers it must fork (lock held).

        After a zygote died, the workers it had not forked yet are requested again.
        """
        if self._zygote is not None and self._zygote.alive():
            return
        if self._zygote is not None:
            self._zygote.stop()
        self._zygote = _Zygote(self._prepare)
        self._idle = [self._renewed(w) for w in self._idle]
        while len(self._idle) + len(self._busy) < self._size:
            self._idle.append(Worker(self._zygote))
        self._spare = self._renewed(self._spare) if self._spare else Worker(self._zygote)

    def _renewed(self, worker: Worker) -> Worker:
        """The worker if it is ready, else a new one requested from the zygote (lock held)."""
        if worker.ready():
            return worker
        worker.kill()
        return Worker(self._zygote)

    def _replace(self, worker: Worker) -> Worker:
        """Kill a worker, put the spare in its place and request a new spare (lock held)."""
        worker.kill()
        self._launch()
        replacement, self._spare = self._spare, Worker(self._zygote)
        return replacement

    def _acquire(self) -> Worker:
        """A ready idle worker, the most recently used first; dead idle ones are replaced."""
        limit = time.monotonic() + (ACQUIRE_S if self._warmed else STARTUP_S)
        with self._lock:
            self._launch()
        while True:
            with self._lock:
                self._idle = [self._replace(w) if w.dead() else w for w in self._idle]
                worker = next((w for w in reversed(self._idle) if w.ready()), None)
                if worker is not None:
                    self._idle.remove(worker)
                    self._busy.add(worker)
                    self._warmed = True
                    return worker
            if time.monotonic() > limit:
                raise CheckerBusy("no worker was ready in time")
            time.sleep(POLL_S)

    def call(self, function: Callable, *args: object, owner: str | None = None) -> object:
        """Run function(*args) in a worker within DEADLINE_S.

        Raises CheckerBusy (no ready worker in time, or `owner` already has a job running),
        TimeoutError (the job overran; its worker was replaced) or WorkerError.
        """
        with self._lock:
            if owner is not None and owner in self._owners:
                raise CheckerBusy("this caller already has a job running")
            if owner is not None:
                self._owners.add(owner)
        try:
            worker = self._acquire()
        except CheckerBusy:
            with self._lock:
                self._owners.discard(owner)
            raise
        lost = False
        try:
            done, result = worker.run((function, args), DEADLINE_S)
        except (TimeoutError, OSError, EOFError) as error:
            lost = True
            if isinstance(error, TimeoutError):
                raise
            raise WorkerError("the worker stopped") from error
        finally:
            with self._lock:
                self._busy.discard(worker)
                self._idle.append(self._replace(worker) if lost else worker)
                self._owners.discard(owner)
        if not done:
            raise WorkerError(f"the job raised {result}")
        return result

    def warm(self, wait: bool) -> None:
        """Start the zygote and the workers now; with `wait`, until every one is ready."""
        limit = time.monotonic() + STARTUP_S
        with self._lock:
            self._launch()
        while True:
            with self._lock:
                if not wait or all(w.ready() for w in (*self._idle, self._spare)):
                    self._warmed = self._warmed or wait
                    return
            if time.monotonic() > limit or not self._zygote.alive():
                raise WorkerError("the workers did not start (the zygote's error is on stderr)")
            time.sleep(POLL_S)

    def close(self) -> None:
        """Kill every worker and the zygote (at interpreter exit)."""
        with self._lock:
            for worker in (*self._idle, *self._busy, self._spare):
                if worker is not None:
                    worker.kill()
            if self._zygote is not None:
                self._zygote.stop()
            self._zygote, self._idle, self._busy, self._spare = None, [], set(), None


if __name__ == "__main__":
    serve()
