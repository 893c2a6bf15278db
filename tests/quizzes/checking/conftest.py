"""Shared by the checker's tests: warm workers, a slow trusted value, and the one-sentence rule."""

import time

import pytest
import sympy as sp

from quizzes import checking


@pytest.fixture(scope="session", autouse=True)
def warm_workers():
    checking.warm_up()


@pytest.fixture
def one_sentence():
    """A friendly sentence: capitalised, one full stop at the end, no traceback."""

    def check(message: str) -> bool:
        return (
            bool(message)
            and message[0].isupper()
            and message.endswith(".")
            and ". " not in message
            and "\n" not in message
            and "Traceback" not in message
        )

    return check


@pytest.fixture
def timed():
    """check_answer, returning (verdict, seconds)."""

    def check(text, expected, variables=(), **options):
        start = time.perf_counter()
        verdict = checking.check_answer(text, expected, variables=variables, **options)
        return verdict, time.perf_counter() - start

    return check


@pytest.fixture
def slow_expected():
    """A trusted value whose evaluation runs for many seconds, so its check overruns a worker."""
    k = sp.Symbol("k", integer=True, positive=True)
    return sp.Sum(sp.sin(sp.Symbol("N") * k) / k, (k, 1, sp.oo))
