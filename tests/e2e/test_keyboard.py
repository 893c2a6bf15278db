"""Keyboard-only use: without a mouse, a student can set a calculator and check an answer."""

import pytest
from playwright.sync_api import expect

from core import course
from core.numbers import approx
from core.skip_connections import formulas

pytestmark = pytest.mark.e2e


def test_a_number_input_and_a_quiz_box_work_from_the_keyboard(page, app_url, settle):
    page.goto(f"{app_url}/skip_connections")
    settle(page, timeout=120_000)
    depth = page.get_by_label("L, layers")
    depth.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")  # leaving the box commits the value
    settle(page)
    assert depth.input_value() == "30"
    start = course.CALCULATOR_START_FACTOR
    redrawn = approx(formulas.gradient_at_first_layer(start, 30))  # the derivation's result
    # the rerun may start after settle() saw the page idle, so wait for the redrawn result itself
    expect(page.locator(".katex", has_text=redrawn).first).to_be_visible(timeout=30_000)
    box = page.locator(".st-key-quiz-vg-depth-threshold")
    box.get_by_label("Your answer").focus()
    page.keyboard.type("12345")
    page.keyboard.press("Enter")
    settle(page)
    assert box.locator("[data-testid='stAlert']").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0


def test_a_button_is_pressed_with_the_keyboard(page, app_url, settle):
    page.goto(f"{app_url}/skip_connections")
    settle(page, timeout=120_000)
    page.get_by_role("button", name="Reveal the measurement").focus()
    page.keyboard.press("Enter")
    settle(page)
    assert page.get_by_text("You guessed depth").count() >= 1
