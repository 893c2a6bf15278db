"""Every page renders through the real entrypoint without an exception."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_without_an_exception(open_page, page):
    at = open_page(page)
    assert at.title, "every page has a title"


def test_every_page_is_in_the_navigation():
    entry = (ROOT / "streamlit_app.py").read_text()
    assert all(f'"{page}"' in entry for page in PAGES)


def test_home_does_not_import_torch():
    code = (
        "import sys; from streamlit.testing.v1 import AppTest;"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=60).run();"
        "assert not at.exception, at.exception; assert at.title[0].value;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip().splitlines()[-1] == "False"
