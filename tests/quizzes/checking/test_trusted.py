"""Trusted values (quizzes/checking/trusted.py): the bank's SymPy text and our expected answers."""

import sympy as sp

from quizzes.checking import evaluate_trusted, trusted


def test_bank_text_keeps_decimals_exact():
    assert evaluate_trusted("0.7**5", {}) == sp.Rational(16807, 100000)


def test_bank_text_uses_the_names_it_is_given():
    assert evaluate_trusted("twice(a)", {"twice": lambda x: 2 * x, "a": 3}) == 6


def test_sympy_names_are_plain_symbols_in_expected_text():
    value = trusted.expression("N + E + S", ("N",))
    assert {str(s) for s in value.free_symbols} == {"N", "E", "S"}


def test_symbols_are_made_positive_and_matched_by_name():
    value = trusted.expression(sp.Symbol("N", integer=True) + 1, ("N",))
    assert value == sp.Symbol("N", positive=True) + 1


def test_a_list_or_sympy_tuple_becomes_a_tuple():
    assert trusted.expression([1, "N"], ("N",)) == trusted.expression(
        sp.Tuple(1, sp.Symbol("N")), ("N",)
    )
    assert isinstance(trusted.expression([1, 2], ()), tuple)


def test_expected_text_is_parsed_once():
    trusted.expression("N**2 + 1", ("N",))
    hits = trusted._sympify_trusted.cache_info().hits
    trusted.expression("N**2 + 1", ("N",))
    assert trusted._sympify_trusted.cache_info().hits == hits + 1
