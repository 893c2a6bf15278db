"""Every page renders through the real entrypoint without an exception."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui import runtime

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_an_exception(open_page, page):
    at = open_page(page)
    assert at.title, "every page has a title"


def test_every_page_is_in_the_navigation():
    entry = (ROOT / "streamlit_app.py").read_text()
    assert PAGES and all(f'"{page}"' in entry for page in PAGES)


TORCH_FREE = [
    "app_pages/home.py",
    "app_pages/practice.py",
    "app_pages/summary.py",
    "app_pages/live_class.py",
]


@pytest.mark.parametrize("page", TORCH_FREE)
def test_a_page_without_experiments_does_not_import_torch(page):
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=60).run();"
        f"at.switch_page({page!r}).run();"
        "assert not at.exception, at.exception; assert at.title[0].value;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=os.environ | {runtime.PREWARM_ENV: "0"},  # the page's own imports, not the server's
    )
    assert out.stdout.strip().splitlines()[-1] == "False"
