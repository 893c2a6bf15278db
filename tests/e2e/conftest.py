"""A real app server and a headless Chromium for the browser tests."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM") or next(
        (
            shutil.which(n)
            for n in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(n)
        ),
        None,
    )
    if found is None and os.environ.get("CI"):
        pytest.fail("CI needs Chromium for the browser tests (make test installs it with apt).")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server():
    """A new app server on a free loopback port, stopped on exit; yields its URL."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1",
        "--server.port", str(port),
    ]  # fmt: skip
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail("the app server did not answer its health check within 60 s")
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a live run can hold a busy server past its stop signal
            server.kill()
            server.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url():
    with app_server() as url:
        yield url


@pytest.fixture
def fresh_app_url():
    """A server no session has used yet: what a link opened the morning of a lecture meets."""
    with app_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found; install it (make test does, with apt) to run these")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=BROWSER_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


# The app's root says whether a script (or a fragment) is running. Streamlit 1.67 draws no status
# widget in this app's minimal toolbar, so that widget can't be waited on: measured, a topic page's
# 20 s first run never showed one.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_for_app(page, timeout=60_000):
    """Wait until a page is drawn (every page has a title) and its script has finished running.

    A rerun can start a moment after an action, so a short quiet spell without one is required,
    not just one look.
    """
    page.wait_for_selector("h1", timeout=timeout)
    quiet = 0
    deadline = time.monotonic() + timeout / 1000
    while quiet < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(300)
        if page.locator(IDLE).count():
            quiet += 1
        else:
            quiet = 0
            page.wait_for_selector(IDLE, timeout=timeout)


@pytest.fixture
def settle():
    """Call settle(page) after an action: it returns once the app has rerun."""
    return wait_for_app
