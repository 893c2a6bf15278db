"""The preview (quizzes/checking/preview.py): LaTeX of what was read, printed without SymPy."""

import time

import pytest

from quizzes.checking import interpret

CONV = ("N", "D_K", "M")


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        pytest.param("(N+9)/(9N)", r"\frac{N + 9}{9 N}", id="a fraction"),
        pytest.param("0.7⁵", "0.7^{5}", id="a superscript"),
        pytest.param("5×10^-4", r"5 \cdot 10^{-4}", id="scientific"),
        pytest.param("5e-4", r"5 \cdot 10^{-4}", id="scientific with e"),
        pytest.param("(5e-4)^2", r"\left(5 \cdot 10^{-4}\right)^{2}", id="scientific as a base"),
        pytest.param("87%", r"87 \% = 0.87", id="a percentage with its value"),
        pytest.param("3 - -2", "3 - -2", id="signs as typed"),
        pytest.param("-2N", "-2 N", id="a leading minus"),
        pytest.param("N - (N + 1)", r"N - \left(N + 1\right)", id="a bracket that matters"),
        pytest.param("N - (N - 1)", r"N - \left(N - 1\right)", id="a subtracted difference"),
        pytest.param("(-2)^2", r"\left(-2\right)^{2}", id="a negative base"),
        pytest.param("(1/2)^2", r"\left(\frac{1}{2}\right)^{2}", id="a fraction as a base"),
        pytest.param("2(N+1)", r"2 \left(N + 1\right)", id="a number before a bracket"),
        pytest.param("3*3*64", r"3 \cdot 3 \cdot 64", id="numbers multiplied"),
        pytest.param("D_K²", "D_{K}^{2}", id="a subscripted name"),
        pytest.param("7/10^5", r"\frac{7}{10^{5}}", id="a power of ten under a fraction bar"),
        pytest.param("1/9N", r"\frac{1}{9 N}", id="a product after a slash"),
        pytest.param("|N - 1|", r"\left|{N - 1}\right|", id="bars"),
        pytest.param("max(0, N)", r"\max\left(0, N\right)", id="a function of two values"),
        pytest.param("relu(N)", r"\operatorname{relu}{\left(N \right)}", id="relu"),
        pytest.param("σ(N)", r"\sigma{\left(N \right)}", id="sigmoid"),
        pytest.param("log10(N)", r"\log_{10}{\left(N \right)}", id="log10"),
        pytest.param("floor(N/2)", r"\left\lfloor{\frac{N}{2}}\right\rfloor", id="floor"),
        pytest.param("sqrt(N)", r"\sqrt{N}", id="a square root"),
        pytest.param("5!", "5!", id="a factorial"),
        pytest.param("(N+1)N", r"\left(N + 1\right) N", id="a bracket times a name"),
        pytest.param("e^N", "e^{N}", id="the constant e"),
        pytest.param("exp(N)^2", r"\left(e^{N}\right)^{2}", id="exp as a base"),
        pytest.param("pi/2", r"\frac{\pi}{2}", id="pi"),
        pytest.param(".5", "0.5", id="a leading point"),
        pytest.param("12.50", "12.50", id="trailing zeros as typed"),
    ],
)
def test_the_preview_shows_what_was_read(text, latex):
    preview = interpret(text, variables=CONV)
    assert preview.ok and preview.latex == latex


@pytest.mark.parametrize("text", ["exp(10^-999) - 1", "sin(10^-300) + 1", "|e^(10^-999)| - 1"])
def test_the_preview_of_a_value_slow_to_evaluate_returns_at_once(text):
    start = time.perf_counter()
    assert interpret(text).ok
    assert time.perf_counter() - start < 0.1
