"""The server's start-up: heavy imports load in the background without holding up the first page."""

import os
import subprocess
import sys
from pathlib import Path

from ui import runtime

ROOT = Path(__file__).resolve().parents[2]

FIRST_PAGE = """
import sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file('streamlit_app.py', default_timeout=60).run()
assert not at.exception, at.exception
from ui import runtime
first_page_done_before_torch = not runtime.WARM.is_set()
assert runtime.WARM.wait(120), "the heavy imports never finished"
print(first_page_done_before_torch, all(name in sys.modules for name in runtime.HEAVY))
"""


def test_the_first_page_renders_while_torch_loads_and_the_imports_then_finish():
    env = os.environ | {runtime.PREWARM_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_PAGE], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True"]


def test_prewarm_switched_off_imports_nothing():
    code = (
        "import sys; from ui import runtime; runtime.prewarm();"
        "print(runtime.WARM.is_set(), 'torch' in sys.modules)"
    )
    env = os.environ | {runtime.PREWARM_ENV: "0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
    )
    assert out.stdout.split() == ["True", "False"]


TOPIC_DURING_PREWARM = """
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest
from ui import runtime
started, run = [], StreamlitPage.run

def recorded(page):  # whether the imports had finished when the page's script began
    started.append(runtime.WARM.is_set())
    return run(page)

StreamlitPage.run = recorded
at = AppTest.from_file('streamlit_app.py', default_timeout=120).run()
assert runtime.prewarming(), "the imports finished before the topic page was asked for"
for page in ('app_pages/skip_connections.py', 'app_pages/transfer_learning.py'):
    at.switch_page(page).run()
    assert not at.exception, at.exception
print(*started[1:])
"""


def test_a_topic_page_opened_while_torch_loads_waits_for_it_instead_of_racing_its_imports():
    env = os.environ | {runtime.PREWARM_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", TOPIC_DURING_PREWARM],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "True"]


SUMMARY_DURING_PREWARM = """
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest
from ui import runtime
started, run = [], StreamlitPage.run

def recorded(page):
    started.append((runtime.READY["ui"].is_set(), runtime.READY["torch"].is_set()))
    return run(page)

StreamlitPage.run = recorded
at = AppTest.from_file('streamlit_app.py', default_timeout=120).run()
at.switch_page('app_pages/summary.py').run()
assert not at.exception, at.exception
print(*started[1])
"""


def test_the_summary_waits_for_pandas_and_altair_but_not_for_torch():
    env = os.environ | {runtime.PREWARM_ENV: "1"}
    out = subprocess.run(
        [sys.executable, "-c", SUMMARY_DURING_PREWARM],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "False"]
