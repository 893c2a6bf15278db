"""The transfer-learning page in a real browser: it loads, says its backbone, and the lab trains."""

import pytest

pytestmark = pytest.mark.e2e


def test_the_lab_runs_one_configuration_in_the_browser(page, app_url, settle):
    page.goto(f"{app_url}/transfer_learning?strategies=A&per_class=5&seed=2")
    page.get_by_text("Backbone in use").first.wait_for(timeout=180_000)
    train = page.get_by_role("button", name="Train")
    train.wait_for(timeout=180_000)
    settle(page, timeout=180_000)
    train.click()
    page.get_by_text("final accuracy").first.wait_for(state="attached", timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
