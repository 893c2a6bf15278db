"""Topic pages in a real browser: a checkpoint question answered through the page itself."""

import pytest

from quizzes import bank

pytestmark = pytest.mark.e2e

CHECKPOINTS = [
    ("skip_connections", "vg-depth-threshold"),
    ("separable_convolutions", "sep-ratio-value"),
]


@pytest.mark.parametrize("path, qid", CHECKPOINTS)
def test_a_checkpoint_question_is_answered_on_its_topic_page(page, app_url, settle, path, qid):
    page.goto(f"{app_url}/{path}")
    settle(page, timeout=120_000)
    box = page.locator(f".st-key-quiz-{qid}")
    answer = box.get_by_label("Your answer")
    answer.fill("1/0")
    answer.press("Enter")
    settle(page)
    assert "No attempt was counted" in box.locator("[data-testid='stAlert']").inner_text()
    answer.fill(str(bank.variant(qid, 0).expected))
    answer.press("Enter")
    settle(page)
    assert "Correct" in box.locator("[data-testid='stAlertContentSuccess']").inner_text()
    assert page.locator("[data-testid='stException']").count() == 0
