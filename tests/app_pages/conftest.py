"""AppTest helpers: run the real entrypoint, then switch to a page."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ENTRYPOINT = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


@pytest.fixture
def new_app():
    """An AppTest of the entrypoint, not yet run (set query params or state first)."""
    return lambda: AppTest.from_file(ENTRYPOINT, default_timeout=120)


@pytest.fixture
def open_page(new_app):
    """Run the entrypoint with the given session state, then switch to a page."""

    def _open(page: str, **session) -> AppTest:
        at = new_app()
        for key, value in session.items():
            at.session_state[key] = value
        at.run()
        if page != "app_pages/home.py":
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return _open
