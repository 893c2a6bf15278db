"""The summary: the headline figures the home page shows, and references that say what they hold."""

import re

import pytest

from core.headline import headline
from core.transfer_learning import strategy


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


def test_the_summarys_transfer_rule_picks_what_the_rule_picks_for_small_unfamiliar_data(pages):
    brief = re.search(r"with few images(.*?); with more", pages["summary"], re.S)
    picked = strategy.recommend(strategy.SMALL_BELOW - 1, 0.0)["strategy"]
    assert brief and f"**{picked}**" in brief[1]
    assert "further domain unfreezes" not in pages["summary"]
