"""The checker's contract (quizzes/checking/__init__.py): verdicts, refusals, safety, latency."""

import dataclasses
import os
import signal
import threading
import time

import pytest
import sympy as sp

from quizzes import checking
from quizzes.checking import check_answer, equivalent, interpret
from quizzes.checking.hostile import HOSTILE

N = ("N",)
CONV = ("N", "D_K", "M")


ACCEPTED = [
    pytest.param("0.7^5", "0.7**5", (), id="caret power of a decimal"),
    pytest.param("0.7**5", sp.Rational(7, 10) ** 5, (), id="double-star power"),
    pytest.param("0.7⁵", 0.16807, (), id="superscript exponent"),
    pytest.param("0.16807", "(7/10)**5", (), id="the decimal value itself"),
    pytest.param("0.168", "(7/10)**5", (), id="rounded within a tenth of a percent"),
    pytest.param("3*3*128*64", 73728, (), id="star product"),
    pytest.param("3×3×128×64", 73728, (), id="times sign"),
    pytest.param("3·3·128·64", 73728, (), id="middle dot"),
    pytest.param("3 ÷ 4", 0.75, (), id="division sign"),
    pytest.param("3/4", 0.75, (), id="slash"),
    pytest.param("−3", -3, (), id="unicode minus"),
    pytest.param("5e-4", 0.0005, (), id="scientific lowercase e"),
    pytest.param("5E-4", 0.0005, (), id="scientific capital E"),
    pytest.param("5×10^-4", 0.0005, (), id="times ten to the power"),
    pytest.param("5*10**-4", 0.0005, (), id="star ten double-star"),
    pytest.param("5x10^-4", 0.0005, (), id="x between numbers"),
    pytest.param("10⁻⁴", 0.0001, (), id="superscript minus"),
    pytest.param("87%", 0.87, (), id="percent"),
    pytest.param("87.3 %", 0.873, (), id="percent after a space"),
    pytest.param("= 12", 12, (), id="leading equals sign"),
    pytest.param("12.", 12, (), id="trailing full stop"),
    pytest.param("sqrt(2)", "sqrt(2)", (), id="square root"),
    pytest.param("1.4142", "sqrt(2)", (), id="decimal of an irrational"),
    pytest.param("e^(-1)", "exp(-1)", (), id="constant e"),
    pytest.param("exp(-1)", "exp(-1)", (), id="exp function"),
    pytest.param("ln(2)", "log(2)", (), id="ln is the natural log"),
    pytest.param("log(2)", "log(2)", (), id="log is the natural log"),
    pytest.param("log10(1000)", 3, (), id="log10"),
    pytest.param("log2(8)", 3, (), id="log2"),
    pytest.param("ceil(7/2)", 4, (), id="ceil"),
    pytest.param("floor(7/2)", 3, (), id="floor"),
    pytest.param("pi/2", "pi/2", (), id="pi"),
    pytest.param("π/2", "pi/2", (), id="pi letter"),
    pytest.param("9N", "9*N", N, id="number times a variable"),
    pytest.param("2(N+1)", "2*N + 2", N, id="number before a bracket"),
    pytest.param("(N+1)(N+2)", "N**2 + 3*N + 2", N, id="bracket times bracket"),
    pytest.param("D_K^2 M N", "D_K**2*M*N", CONV, id="spaces between names multiply"),
    pytest.param("D_K² M N", "D_K**2*M*N", CONV, id="superscript on a name"),
    pytest.param("DK^2 M N", "D_K**2*M*N", CONV, id="underscore-less alias"),
    pytest.param("(N+9)/(9N)", "(N + 9)/(9*N)", N, id="typed like the course"),
    pytest.param("1/9 + 1/N", "(N + 9)/(9*N)", N, id="rearranged fraction"),
    pytest.param("0.7^L", "0.7**L", ("L",), id="variable exponent"),
    pytest.param("2δ", "2*delta", ("delta",), id="greek letter"),
    pytest.param("2 delta", "2*delta", ("delta",), id="greek name spelled out"),
    pytest.param("η_head/10", "eta_head/10", ("eta_head",), id="greek letter with underscore"),
    pytest.param("（1+2）", 3, (), id="full-width brackets"),
    pytest.param("１２", 12, (), id="full-width digits"),
]


@pytest.mark.parametrize(("text", "expected", "variables"), ACCEPTED)
def test_an_equivalent_form_is_accepted(text, expected, variables):
    verdict = check_answer(text, expected, variables=variables)
    assert verdict.correct, verdict.message
    assert verdict.message == "Correct."
    assert verdict.interpreted


REJECTED = [
    pytest.param("0.18", "0.7**5", (), "not within 0.1%", id="a rounded decimal off by more"),
    pytest.param("73728.4", 73728, (), "exact whole number", id="a close decimal for an integer"),
    pytest.param("73729", 73728, (), "not the answer", id="a neighbouring integer"),
    pytest.param("1.42", "sqrt(2)", (), "not within 0.1%", id="a wrongly rounded irrational"),
    pytest.param("(N+1)/N", "(N + 9)/(9*N)", N, "differs from the answer at N =", id="wrong"),
    pytest.param("N^2", 4, N, "differs from the answer at N =", id="a letter for a number"),
    pytest.param("D_K^2 M", "D_K**2*M*N", CONV, "differs", id="a missing factor"),
]


@pytest.mark.parametrize(("text", "expected", "variables", "reason"), REJECTED)
def test_a_near_miss_is_rejected_with_its_reason(text, expected, variables, reason, one_sentence):
    verdict = check_answer(text, expected, variables=variables)
    assert not verdict.correct
    assert reason in verdict.message
    assert one_sentence(verdict.message)
    assert verdict.interpreted


@pytest.mark.parametrize("text", ["73728.0", "7.3728e4", "73728", "2^13*9", "73728.000"])
def test_an_integer_is_matched_exactly_by_any_exact_form(text):
    assert check_answer(text, 73728).correct


@pytest.mark.parametrize("text", ["73728.001", "73727.9999999999", "7.37281e4", "7.37e4"])
def test_an_integer_refuses_any_nearby_decimal(text):
    assert not check_answer(text, 73728, rel_tol=0.1).correct


def test_a_declared_x_is_a_variable_not_a_times_sign():
    assert check_answer("2x", "2*x", variables=("x",)).correct
    assert not check_answer("2x3", 6, variables=("x",)).correct


def test_decimals_are_kept_exact_so_a_power_equals_its_value():
    assert check_answer("0.7^5", sp.Rational(16807, 100000), rel_tol=0).correct


def test_an_irrational_form_of_an_integer_is_accepted():
    assert check_answer("log(8)/log(2)", 3).correct


def test_an_irrational_form_that_only_comes_close_to_an_integer_is_rejected():
    assert not check_answer("e^(pi sqrt(163))", 262537412640768744).correct


@pytest.mark.parametrize("text", ["exp(10^-999) - 1", "cos(10^-60) - 1", "log(exp(10^-99))"])
def test_a_form_provably_not_the_integer_is_rejected_however_close(text):
    """Within 1e-40 of 0 is not 0: the load test's hostile students had these judged correct."""
    assert not check_answer(text, 0).correct


@pytest.mark.parametrize("text", ["log(0)", "1/(N - N)", "tan(pi/2)", "exp(10^-999) - 1"])
def test_a_value_that_cannot_be_evaluated_is_judged_wrong_politely(text, timed, one_sentence):
    verdict, seconds = timed(text, 1, N)
    assert not verdict.correct
    assert one_sentence(verdict.message)
    assert seconds < 2


def test_the_tolerance_is_relative_to_the_answer():
    assert check_answer("1001", 1000.5, rel_tol=1e-3).correct
    assert not check_answer("1002", 1000.5, rel_tol=1e-3).correct


def test_a_tiny_answer_is_compared_with_an_absolute_floor():
    assert check_answer("0", 1e-13).correct


def test_a_wrong_number_message_does_not_reveal_the_answer():
    verdict = check_answer("0.18", "0.7**5")
    assert "0.168" not in verdict.message and "16807" not in verdict.message


def test_expressions_that_simplify_cannot_equate_are_decided_by_sampling():
    answer, expected = "sqrt(N + 2 sqrt(N - 1))", "1 + sqrt(N - 1)"
    n = sp.Symbol("N", positive=True)
    assert sp.simplify(sp.sqrt(n + 2 * sp.sqrt(n - 1)) - 1 - sp.sqrt(n - 1)) != 0
    assert check_answer(answer, expected, variables=N).correct


def test_an_expression_within_tolerance_at_every_point_is_accepted():
    assert check_answer("0.1111 + 1/N", "(N + 9)/(9*N)", variables=N).correct


def test_an_expression_undefined_at_a_sample_point_is_still_proved_equal():
    assert check_answer("(N^2 - 7.26^2)/(N - 7.26)", "N + 7.26", variables=N).correct


def test_expected_symbols_are_matched_by_name_whatever_their_assumptions():
    n = sp.Symbol("N", integer=True)
    assert check_answer("9N", 9 * n, variables=N).correct


@pytest.mark.parametrize(
    ("text", "correct"),
    [
        pytest.param("(128, 16, 16)", True, id="round brackets"),
        pytest.param("[128, 16, 16]", True, id="square brackets"),
        pytest.param("128, 16, 16", True, id="bare commas"),
        pytest.param("128,16,16,", True, id="a trailing comma"),
        pytest.param("(16, 128, 16)", False, id="order matters"),
    ],
)
def test_a_shape_is_compared_element_by_element(text, correct):
    assert check_answer(text, (128, 16, 16)).correct is correct


def test_a_shape_of_the_wrong_length_says_how_many_were_expected():
    verdict = check_answer("(128, 16)", (128, 16, 16))
    assert verdict.message == "Not quite: expected 3 numbers, you gave 2."


def test_a_single_value_for_a_shape_says_how_many_were_expected():
    assert "expected 3 numbers, you gave 1" in check_answer("128", (128, 16, 16)).message


def test_a_wrong_entry_of_a_shape_is_named_by_position():
    verdict = check_answer("(128, 16, 15)", (128, 16, 16))
    assert verdict.message == "Not quite: entry 3 of 3 is wrong."


def test_a_shape_may_hold_expressions():
    assert check_answer("(N, N/2, 16)", ("N", "N/2", 16), variables=N).correct


def test_a_shape_is_shown_as_a_tuple():
    assert check_answer("128, 16, 16", (128, 16, 16)).interpreted == r"\left(128, 16, 16\right)"


REFUSED = [
    pytest.param("", 1, (), "Type an answer first", id="empty"),
    pytest.param("   ", 1, (), "Type an answer first", id="whitespace"),
    pytest.param("(N+1", 1, N, "one '(' is never closed", id="an unclosed bracket"),
    pytest.param("((N+1", 1, N, "two '(' are never closed", id="two unclosed brackets"),
    pytest.param("N+1)", 1, N, "a ')' has no matching '('", id="a stray closing bracket"),
    pytest.param("(N+1]", 1, N, "'(' is closed by ']'", id="mismatched brackets"),
    pytest.param("cosh(N)", 1, N, "unknown name 'cosh'; this question knows N", id="unknown"),
    pytest.param("x + 1", 1, (), "a number, with no letters", id="a letter in a number"),
    pytest.param("D_K + Q", 1, CONV, "knows N, D_K and M", id="lists what it knows"),
    pytest.param("0,87", 0.87, (), "like 0.87 rather than 0,87", id="decimal comma"),
    pytest.param("3,5", 3.5, (), "like 3.5 rather than 3,5", id="another decimal comma"),
    pytest.param("(1, 2)", 1, (), "expects a single answer", id="a list for a number"),
    pytest.param("1" * 201, 1, (), "longer than 200 characters", id="too long"),
    pytest.param("N == 2", 2, N, "comparisons can't be checked", id="comparison"),
    pytest.param("N = N + 1", 2, N, "comparisons can't be checked", id="an equation"),
    pytest.param("2 = N", 2, N, "comparisons can't be checked", id="a value named afterwards"),
    pytest.param("N < 2", 2, N, "comparisons can't be checked", id="less than"),
    pytest.param("2 3", 6, (), "side by side", id="two numbers in a row"),
    pytest.param("sqrt 2", 1, (), "Write sqrt with brackets", id="a function without brackets"),
    pytest.param("sqrt()", 1, (), "takes exactly one value", id="an empty function call"),
    pytest.param("2 +", 2, (), "couldn't read", id="a dangling operator"),
    pytest.param("1/0", 1, (), "divides by zero", id="division by zero"),
    pytest.param("1" * 31, 1, (), "at most 30 digits", id="too many digits"),
    pytest.param("%5", 1, (), "must follow a number", id="a leading percent"),
    pytest.param("[1, (2, 3)]", (1, 2), (), "only be the whole answer", id="a nested list"),
    pytest.param("()", (1, 2), (), "nothing inside the brackets", id="empty brackets"),
]


@pytest.mark.parametrize(("text", "expected", "variables", "reason"), REFUSED)
def test_malformed_input_is_refused_with_its_reason(
    text, expected, variables, reason, one_sentence
):
    verdict = check_answer(text, expected, variables=variables)
    assert not verdict.correct
    assert verdict.interpreted is None
    assert reason.lower() in verdict.message.lower()
    assert one_sentence(verdict.message)


@pytest.mark.parametrize("hostile", [pytest.param(h, id=h.id) for h in HOSTILE])
def test_hostile_input_is_answered_quickly_and_politely_and_never_marked_correct(
    hostile, timed, one_sentence
):
    verdict, seconds = timed(*hostile.values)
    assert seconds < 2
    assert not verdict.correct
    assert (verdict.interpreted is None) is hostile.refused
    assert one_sentence(verdict.message)


@pytest.mark.parametrize("text", ["N^N^N", "2^(N^4)", "exp(exp(exp(N)))", "tanh(N^N^N)"])
def test_a_tower_over_variables_is_refused(text, timed):
    verdict, seconds = timed(text, 1, N)
    assert seconds < 2
    assert "too large" in verdict.message
    assert verdict.interpreted is None


@pytest.mark.parametrize(
    "payload",
    [
        "__import__('pathlib').Path('PWNED').touch()",
        "open('PWNED', 'w')",
        "__import__('os').system('touch PWNED')",
        "N.__class__",
    ],
)
def test_a_payload_that_would_create_a_file_creates_nothing(payload, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    verdict = check_answer(payload, 1, variables=N)
    preview = interpret(payload, variables=N)
    assert not verdict.correct and not preview.ok
    assert list(tmp_path.iterdir()) == []


def test_a_worker_overrun_is_reported_and_the_spare_serves_the_next_check(slow_expected, timed):
    verdict, seconds = timed("N", slow_expected, N)
    assert verdict.message == checking.TIMEOUT
    assert verdict.interpreted is None
    assert seconds < 1.5
    verdict, seconds = timed("0.7^N", "0.7**N", N)
    assert verdict.correct
    assert seconds < 0.5


def test_a_worker_killed_mid_check_gives_a_polite_message_and_the_next_check_works(
    slow_expected, timed
):
    pid = checking._POOL.call(os.getpid)  # the worker used last takes the next job
    outcome = {}
    thread = threading.Thread(
        target=lambda: outcome.update(result=timed("N", slow_expected, N, session="s"))
    )
    thread.start()
    time.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    thread.join()
    verdict, seconds = outcome["result"]
    assert verdict.message == checking.INTERNAL and verdict.interpreted is None
    assert seconds < 1
    verdict, seconds = timed("0.7^N", "0.7**N", N, session="s")
    assert verdict.correct and seconds < 0.5


def test_a_worker_killed_while_idle_is_replaced_before_the_next_check(timed):
    os.kill(checking._POOL.call(os.getpid), signal.SIGKILL)
    time.sleep(0.05)
    verdict, seconds = timed("0.7^N", "0.7**N", N)
    assert verdict.correct and seconds < 0.5


def test_a_session_with_a_check_running_in_a_worker_has_its_next_one_refused(slow_expected, timed):
    thread = threading.Thread(target=timed, args=("N", slow_expected, N), kwargs={"session": "a"})
    thread.start()
    time.sleep(0.2)
    mine, seconds = timed("0.7^N", "0.7**N", N, session="a")
    other, _ = timed("0.7^N", "0.7**N", N, session="b")
    thread.join()
    assert mine.message == checking.BUSY and mine.interpreted is None and seconds < 0.1
    assert other.correct


def test_ordinary_checks_stay_fast_while_another_thread_sends_slow_checks(slow_expected, timed):
    stop = threading.Event()

    def attack():
        while not stop.is_set():
            timed("N", slow_expected, N, session="attacker")

    attackers = [threading.Thread(target=attack) for _ in range(2)]
    for attacker in attackers:
        attacker.start()
    results = []
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            results.append(timed("0.7^5", "0.7**5", session="student"))
            results.append(timed("(N+9)/9N", "(N + 9)/(9*N)", N, session="student"))
            results.append(timed("0.7^N", "0.7**N", N, session="student"))
    finally:
        stop.set()
        for attacker in attackers:
            attacker.join()
    assert all(verdict.correct for verdict, _ in results), [v.message for v, _ in results]
    assert max(seconds for _, seconds in results[0::3] + results[1::3]) < 0.3
    assert max(seconds for _, seconds in results[2::3]) < 1


def test_checks_from_several_threads_all_get_verdicts():
    results = []

    def work(k):
        results.append(check_answer(f"{k}N + sqrt(N)^2", f"{k + 1}*N", variables=N).correct)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 6


def test_an_internal_error_becomes_a_polite_sentence():
    verdict = check_answer("1", object())
    assert verdict.message == checking.INTERNAL
    assert verdict.interpreted is None


def test_a_matching_distractor_gives_its_own_message_and_index():
    distractors = [("N + 3", "You added three."), ("N + 2", "You added two, not one.")]
    verdict = check_answer("2 + N", "N + 1", variables=N, distractors=distractors)
    assert not verdict.correct
    assert (verdict.message, verdict.distractor) == ("You added two, not one.", 1)
    assert verdict.interpreted


def test_a_distractor_is_matched_in_a_worker_too():
    distractors = [("sqrt(N)", "That is the square root.")]
    verdict = check_answer("N^(1/2)", "N**2", variables=N, distractors=distractors)
    assert verdict.distractor == 0


def test_a_numeric_distractor_is_matched_in_process():
    verdict = check_answer("0.7*5", "0.7**5", distractors=[(3.5, "That is 0.7 times 5.")])
    assert verdict.distractor == 0


def test_a_correct_answer_never_matches_a_distractor():
    verdict = check_answer("N + 1", "N + 1", variables=N, distractors=[("N + 1", "Oops.")])
    assert verdict.correct and verdict.distractor is None


def test_a_wrong_answer_matching_no_distractor_has_no_index():
    verdict = check_answer("N + 5", "N + 1", variables=N, distractors=[("N + 2", "Two.")])
    assert verdict.distractor is None


def test_a_verdict_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        check_answer("1", 1).correct = False


def test_the_preview_refuses_with_the_same_reason_as_the_check():
    preview = interpret("cosh(N)", variables=N)
    assert not preview.ok and preview.latex is None
    assert preview.message == check_answer("cosh(N)", 1, variables=N).message


def test_the_preview_reads_commas_as_a_tuple_unless_told_one_value_is_expected():
    assert interpret("0,87").ok
    assert "decimals with a point" in interpret("0,87", expected=0.87).message


@pytest.mark.parametrize(
    ("a", "b", "variables", "same"),
    [
        pytest.param("N + 1", "1 + N", N, True, id="reordered"),
        pytest.param("N + 1", "N + 2", N, False, id="different"),
        pytest.param("0.7**5", 0.16807, (), True, id="a power and its value"),
        pytest.param(73728, 73729, (), False, id="integers exactly"),
        pytest.param((1, 2), [1, 2], (), True, id="tuple and list"),
        pytest.param("E*N", "N*E", ("E", "N"), True, id="E as a plain symbol"),
    ],
)
def test_equivalent_compares_trusted_values(a, b, variables, same):
    assert equivalent(a, b, variables=variables) is same


def test_equivalent_raises_timeout_when_a_worker_overruns(slow_expected):
    with pytest.raises(TimeoutError):
        equivalent("N", slow_expected, variables=N)


def test_warming_up_without_waiting_returns_at_once_and_checks_still_work():
    start = time.perf_counter()
    checking.warm_up(wait=False)
    assert time.perf_counter() - start < 0.5
    assert check_answer("(N+9)/(9N)", "1/N + 1/9", variables=("N",)).correct
