"""Every chart's colours stay apart for the common kinds of colour blindness.

Each colour a chart uses to tell series apart is passed through the Machado, Oliveira & Fernandes
(2009) simulation of full protanopia, deuteranopia and tritanopia (linear RGB), then compared in
CIELAB: every pair must stay at least MIN_DELTA_E apart (CIE76; about 2 is just noticeable, and
20 is clearly different at a glance).
"""

import itertools

import numpy as np
import pytest

from ui import charts

MIN_DELTA_E = 20
SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
         [0.004733, 0.691367, 0.303900]]
    ),
}  # fmt: skip
XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
WHITE = XYZ.sum(axis=1)


def linear(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    t = np.clip(XYZ @ np.clip(rgb_linear, 0, 1), 0, None) / WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a: str, b: str, vision: np.ndarray) -> float:
    return float(np.linalg.norm(lab(vision @ linear(a)) - lab(vision @ linear(b))))


CASES = [
    pytest.param(name, a, b, vision, id=f"{name}: {a} vs {b}, {vision}")
    for name, colours in charts.SERIES.items()
    for a, b in itertools.combinations(colours, 2)
    for vision in SIMULATIONS
]


@pytest.mark.parametrize("series, a, b, vision", CASES)
def test_series_colours_stay_apart_under_colour_blindness(series, a, b, vision):
    assert delta_e(a, b, SIMULATIONS[vision]) >= MIN_DELTA_E


def test_the_check_tells_red_from_green_only_with_normal_vision():
    red, green = "#FF0000", "#00B000"  # the classic pair that deuteranopes confuse
    assert delta_e(red, green, SIMULATIONS["normal"]) >= MIN_DELTA_E
    assert delta_e(red, green, SIMULATIONS["deuteranopia"]) < MIN_DELTA_E
