"""A prepared link, opened on a server that has just started, shows the setup it names."""

import pytest
from playwright.sync_api import expect

from core import course

pytestmark = pytest.mark.e2e


def test_a_preset_link_on_a_fresh_server_opens_with_its_values(page, fresh_app_url, settle):
    page.goto(f"{fresh_app_url}/skip_connections?L=30&delta=0.7&lecture=1")
    settle(page, timeout=120_000)
    expect(page.get_by_label("L, layers")).to_have_value("30")
    delta = f"{0.7:.{course.CALCULATOR_FACTOR_PLACES}f}"  # as the box formats it
    expect(page.get_by_label("δ, the factor per layer")).to_have_value(delta)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_role("switch", name="Lecture mode").is_checked()
    page.goto(f"{fresh_app_url}/transfer_learning?images=500&similarity=0.8")
    settle(page, timeout=120_000)
    expect(page.get_by_label("labelled images")).to_have_value("500")
    assert page.locator("[data-testid='stException']").count() == 0
