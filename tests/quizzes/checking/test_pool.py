"""Worker processes (quizzes/checking/pool.py): deadlines, replacement, deaths, fairness."""

import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from quizzes.checking import pool
from quizzes.checking.pool import CheckerBusy, Pool, WorkerError


@pytest.fixture
def workers():
    """A pool of two workers that preload nothing, ready."""
    started = Pool(2, prepare="gc:collect")
    started.warm(wait=True)
    yield started
    started.close()


def run_in_thread(function, *args):
    """Start function(*args) in a thread; the thread and a dict that will hold its outcome."""
    outcome = {}

    def target():
        start = time.perf_counter()
        try:
            outcome["result"] = function(*args)
        except Exception as error:
            outcome["error"] = error
        outcome["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def test_a_job_runs_in_another_process_and_returns_its_result(workers):
    assert workers.call(os.getpid) != os.getpid()
    assert workers.call(math.hypot, 3, 4) == 5


def test_a_job_that_raises_is_reported_and_its_worker_kept(workers):
    pid = workers.call(os.getpid)
    with pytest.raises(WorkerError, match="ValueError"):
        workers.call(math.sqrt, -1)
    assert workers.call(os.getpid) == pid


def test_an_overrunning_job_is_stopped_at_the_deadline_and_its_worker_killed(workers):
    pid = workers.call(os.getpid)
    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        workers.call(time.sleep, 5)
    assert time.perf_counter() - start < pool.DEADLINE_S + 0.2
    time.sleep(0.05)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_spare_takes_an_overrun_workers_place_at_once(workers):
    with pytest.raises(TimeoutError):
        workers.call(time.sleep, 5)
    start = time.perf_counter()
    workers.call(os.getpid)
    assert time.perf_counter() - start < 0.1


def test_a_worker_killed_mid_job_is_reported_quickly_and_replaced(workers):
    pid = workers.call(os.getpid)  # the worker used last takes the next job
    thread, outcome = run_in_thread(workers.call, time.sleep, 5)
    time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    thread.join()
    assert isinstance(outcome["error"], WorkerError)
    assert outcome["seconds"] < 0.5
    assert workers.call(os.getpid) not in (pid, None)


def test_a_worker_killed_while_idle_is_replaced_before_its_next_job(workers):
    pid = workers.call(os.getpid)
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.05)
    assert workers.call(os.getpid) != pid


def test_a_dead_zygote_is_started_again_when_a_worker_must_be_replaced(workers):
    workers._zygote._process.kill()
    with pytest.raises(TimeoutError):
        workers.call(time.sleep, 5)
    time.sleep(1)
    assert workers.call(math.hypot, 3, 4) == 5


def test_a_caller_with_a_job_running_is_refused_at_once(workers):
    thread, _ = run_in_thread(lambda: workers.call(time.sleep, 0.5, owner="a"))
    time.sleep(0.1)
    start = time.perf_counter()
    with pytest.raises(CheckerBusy):
        workers.call(os.getpid, owner="a")
    assert time.perf_counter() - start < 0.05
    assert workers.call(os.getpid, owner="b")
    thread.join()


def test_a_caller_waits_a_moment_for_a_busy_pool_then_is_refused(workers):
    threads = [run_in_thread(workers.call, time.sleep, 0.9)[0] for _ in range(2)]
    time.sleep(0.1)
    start = time.perf_counter()
    with pytest.raises(CheckerBusy):
        workers.call(os.getpid)
    assert pool.ACQUIRE_S <= time.perf_counter() - start < pool.ACQUIRE_S + 0.2
    for thread in threads:
        thread.join()


def test_the_pool_module_imports_no_sympy():
    path = Path(pool.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('pool', {str(path)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print('sympy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
