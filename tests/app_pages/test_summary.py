"""The summary: the headline figures the home page shows, and references that say what they hold."""

import re

import pytest

from core.headline import headline


@pytest.fixture
def pages(open_page):
    """The summary's and the home page's text."""
    return {
        name: " ".join(m.value for m in open_page(f"app_pages/{name}.py").markdown)
        for name in ("summary", "home")
    }


def test_home_and_summary_place_the_same_headline_figures(pages):
    figures = headline()
    for reading in (figures.first_layer, figures.ratio, figures.factor, figures.depth):
        for text in pages.values():
            assert re.search(rf"(?<![\d.]){re.escape(str(reading))}(?![\d%])", text), reading


def test_the_resnet_reference_calls_option_a_zero_padding_not_a_projection(pages):
    option_a = re.search(r"option A(.*?)option B", pages["summary"], re.S)
    assert option_a and "zero" in option_a[1] and "project" not in option_a[1]
    assert "projection shortcuts (options A and B)" not in pages["summary"]
