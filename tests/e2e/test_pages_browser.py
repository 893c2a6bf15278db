"""Every page loads in a real browser without an exception box; screenshots are kept.

`make screenshots` runs this with SCREENSHOT_DIR=docs to refresh the pictures the README uses.
"""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PAGES = {"home": "", "skip_connections": "skip_connections",
         "separable_convolutions": "separable_convolutions", "practice": "practice"}  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_in_the_browser_without_an_exception(page, app_url, settle, tmp_path, name):
    page.goto(f"{app_url}/{PAGES[name]}")
    settle(page, timeout=120_000)
    assert page.locator("h1").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    # Streamlit scrolls inside its own container: grow the window to the content to see it all.
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": min(height + 50, 20_000)})
    settle(page)
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
