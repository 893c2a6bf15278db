"""A quiz box reruns alone, yet what its check changes elsewhere still shows at once."""

import re

import pytest
from playwright.sync_api import expect

from quizzes import bank

pytestmark = pytest.mark.e2e

QID = "vg-hint-085"  # the skip page hides a comparison until this question is attempted


def test_a_first_attempt_opens_the_gated_section_and_a_solve_updates_the_sidebar(
    page, app_url, settle
):
    page.goto(f"{app_url}/skip_connections")
    settle(page, timeout=120_000)
    box = page.locator(f".st-key-quiz-{QID}")
    answer = box.get_by_label("Your answer")
    gate = page.get_by_text("Answer the hint's question")
    expect(gate).to_have_count(1)
    answer.fill("3")
    answer.press("Enter")
    settle(page)
    expect(gate).to_have_count(0)  # the page outside the box was drawn again
    answer.fill("4")
    answer.press("Enter")  # a second wrong attempt: the box alone
    settle(page)
    expect(box.locator("[data-testid='stAlert']").first).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_contain_text(re.compile(r"Skip connections: 0 of \d+ solved"))
    answer.fill(str(bank.variant(QID, 0).expected))
    answer.press("Enter")
    settle(page)
    expect(box).to_contain_text("Correct")
    expect(sidebar).to_contain_text(re.compile(r"Skip connections: 1 of \d+ solved"))
    assert page.locator("[data-testid='stException']").count() == 0
