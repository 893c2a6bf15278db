"""Readings: computed figures whose display text a page places without formatting."""

import pytest

from core.numbers import Count, Figure, Percent, Rate, Times


@pytest.mark.parametrize(
    ("reading", "text"),
    [
        (Percent(0.12674), "12.7%"),
        (Percent(0.5, 0), "50%"),
        (Count(1_206_080), "1,206,080"),
        (Figure("0.9"), "0.9"),
        (Figure(1 / 3), "0.3333"),
        (Rate(4.5e-5), "4.5e-5"),
        (Rate(1.35e-5), "1.35e-5"),
        (Rate(1e-3), "0.001"),
        (Rate(0.0), "0"),
        (Times(7.8857), "7.89×"),
        (Times(1000.0), "1,000×"),
    ],
)
def test_a_reading_reads_as_a_student_would_write_it(reading, text):
    assert f"{reading}" == text == str(reading)


def test_a_rate_never_reads_as_zero_however_small():
    assert Rate(3e-9).text == "3e-9"


def test_a_reading_keeps_its_value_for_charts_and_tests():
    assert Percent(0.25).value == 0.25 and Count(7).value == 7


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_measurement_that_overflowed_reads_as_python_writes_it(value):
    assert Figure(value, ".3g").text == f"{value:.3g}"
