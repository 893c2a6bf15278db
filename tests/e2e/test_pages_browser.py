"""Every page loads in a real browser without an exception box; screenshots are kept.

`make screenshots` runs this with SCREENSHOT_DIR=docs to refresh the pictures the README uses.
"""

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

PAGES = {"home": "", "skip_connections": "skip_connections",
         "separable_convolutions": "separable_convolutions",
         "transfer_learning": "transfer_learning", "exercises": "exercises",
         "practice": "practice?question=vg-plain-six-layers&seed=0", "summary": "summary",
         "skip_connections_lecture": "skip_connections?lecture=1"}  # fmt: skip


HEIGHT = "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"


def settled_height(page, tries: int = 40) -> int:
    """The content's height once charts and images have stopped growing it (three equal looks)."""
    heights = []
    for _ in range(tries):
        heights.append(page.evaluate(HEIGHT))
        if len(heights) >= 3 and len(set(heights[-3:])) == 1:
            break
        page.wait_for_timeout(700)
    return heights[-1]


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_in_the_browser_without_an_exception(page, app_url, settle, tmp_path, name):
    page.goto(f"{app_url}/{PAGES[name]}")
    settle(page, timeout=120_000)
    assert page.locator("h1").count() >= 1
    assert page.locator("[data-testid='stException']").count() == 0
    # Streamlit scrolls inside its own container: grow the window to the content to see it all.
    page.set_viewport_size({"width": 1280, "height": min(settled_height(page) + 50, 20_000)})
    settle(page)
    page.wait_for_timeout(1500)  # charts and images draw after the script has finished
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
