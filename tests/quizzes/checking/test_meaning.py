"""quizzes.checking.meaning: texts the checker reads as the same value share a key or a cluster."""

import threading
import time

import pytest

from quizzes import checking
from quizzes.checking import meaning
from quizzes.checking.meaning import clusters

N = ("N",)
DL = ("delta", "L")


def together(texts, expected, variables=(), rel_tol=checking.REL_TOL) -> bool:
    """Whether every text lands in one cluster."""
    keys = [meaning(t, expected, variables=variables, rel_tol=rel_tol) for t in texts]
    assert None not in keys, keys
    return len(clusters(keys, rel_tol)) == 1


def test_a_whole_number_typed_four_ways_has_one_key():
    keys = {meaning(t, 44) for t in ("44", "44 layers", "L = 44", "4.4e1", "88/2")}
    assert keys == {"44"}


def test_a_whole_number_and_a_value_just_off_it_are_two_bars():
    assert not together(["44", "44.01"], 44)


def test_a_power_its_decimal_and_its_percentage_share_a_bar():
    assert together(["0.9^44", "0.00969", "0.969%", "9.69e-3", "0.9**44"], "0.9**44")


def test_values_further_apart_than_the_tolerance_are_two_bars():
    assert not together(["0.9^44", "0.0098"], "0.9**44")
    assert not together(["0.9^44", "0.9^43"], "0.9**44")


def test_a_looser_tolerance_joins_what_a_strict_one_keeps_apart():
    assert together(["0.9^44", "0.0098"], "0.9**44", rel_tol=0.02)
    assert not together(["0.9^44", "0.0098"], "0.9**44", rel_tol=1e-3)


def test_irrational_values_are_valued_in_a_worker_and_meet_their_decimals():
    assert together(["sqrt(2)", "1.41421", "2^(1/2)"], "sqrt(2)")
    assert together(["log(0.01)/log(0.9)", "43.708"], "log(0.01)/log(0.9)")


def test_an_irrational_form_of_a_whole_number_is_that_whole_number():
    assert meaning("log(8)/log(2)", 3) == meaning("3", 3) == "3"


def test_equivalent_expressions_share_a_key_and_a_slip_does_not():
    same = {meaning(t, "delta**(L-1)", variables=DL) for t in ("delta^(L-1)", "δ^L/δ", "δ^(L-1)")}
    assert len(same) == 1
    assert meaning("delta^L", "delta**(L-1)", variables=DL) not in same


def test_a_rearranged_fraction_shares_the_key_of_the_course_form():
    assert meaning("(N+9)/(9N)", "(N+9)/(9*N)", variables=N) == meaning(
        "1/9 + 1/N", "(N+9)/(9*N)", variables=N
    )


def test_a_non_rational_expression_is_keyed_in_a_worker():
    assert meaning("sqrt(N)", "sqrt(N)", variables=N) == meaning("N^(1/2)", "sqrt(N)", variables=N)
    assert meaning("sqrt(N)", "sqrt(N)", variables=N) != meaning("N/2", "sqrt(N)", variables=N)


def test_shapes_written_three_ways_share_a_key_and_their_order_matters():
    shape = (128, 16, 16)
    keys = {meaning(t, shape) for t in ("(128, 16, 16)", "[128,16,16]", "128x16x16")}
    assert len(keys) == 1
    assert meaning("(16, 16, 128)", shape) not in keys


def test_an_undefined_value_gets_its_own_key():
    assert meaning("ln(-1)", 3) == "undefined"
    assert not together(["ln(-1)", "3"], 3)


@pytest.mark.parametrize("text", ["", "hello", "1,5", "(1+2", "N = 3 < 4", "9" * 300])
def test_text_the_checker_refuses_has_no_key(text):
    assert meaning(text, 1) is None


def test_a_payload_creates_nothing_and_has_no_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert meaning("__import__('os').system('touch PWNED')", 1, variables=N) is None
    assert list(tmp_path.iterdir()) == []


def test_a_session_whose_check_is_still_running_gets_no_key_at_once(slow_expected):
    thread = threading.Thread(
        target=checking.check_answer,
        args=("N", slow_expected),
        kwargs={"variables": N, "session": "a"},
    )
    thread.start()
    time.sleep(0.2)
    start = time.perf_counter()
    key = meaning("sqrt(N)", "sqrt(N)", variables=N, session="a")
    seconds = time.perf_counter() - start
    thread.join()
    assert key is None and seconds < 0.5
    assert meaning("sqrt(N)", "sqrt(N)", variables=N, session="a") is not None


def test_keys_that_are_not_ours_stay_apart_without_raising():
    assert clusters(["44", "nonsense", "(1, 2)", "44"]) == [["44"], ["nonsense"], ["(1, 2)"]]
