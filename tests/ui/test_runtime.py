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


DURING_PREWARM = """
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest
from ui import runtime
started, run = [], StreamlitPage.run

def recorded(page):  # which import stages had finished when a page's script began
    started.append(" ".join(str(runtime.READY[s].is_set()) for s in ("ui", "torch")))
    return run(page)

StreamlitPage.run = recorded
at = AppTest.from_file('streamlit_app.py', default_timeout=120).run()
assert runtime.prewarming(), "the imports finished before the next page was asked for"
for page in {pages!r}:
    at.switch_page(page).run()
    assert not at.exception, at.exception
print(*started[1:], sep="\\n")
"""


def stages_ready_when_opened(pages: tuple[str, ...]) -> list[str]:
    """For each page opened right after the first, the stages ready as its script began."""
    out = subprocess.run(
        [sys.executable, "-c", DURING_PREWARM.format(pages=pages)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {runtime.PREWARM_ENV: "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()


def test_a_topic_page_opened_while_torch_loads_waits_for_it_instead_of_racing_its_imports():
    pages = ("app_pages/skip_connections.py", "app_pages/transfer_learning.py")
    assert stages_ready_when_opened(pages) == ["True True", "True True"]


def test_the_summary_waits_for_pandas_and_altair_but_not_for_torch():
    assert stages_ready_when_opened(("app_pages/summary.py",)) == ["True False"]


def test_the_live_class_waits_for_no_background_import():
    assert stages_ready_when_opened(("app_pages/live_class.py",)) == ["False False"]


THEME = """
from streamlit import config
from streamlit.runtime import app_session
from streamlit.proto.NewSession_pb2 import CustomThemeConfig
config.get_config_options(force_reparse=True)
def theme():
    msg = CustomThemeConfig()
    app_session._populate_theme_msg(msg)
    return msg.SerializeToString()
before = theme()
from ui import runtime
runtime.remember_theme()
runtime.remember_theme()  # a second call wraps nothing twice
first, second = theme(), theme()
got = config.get_options_for_section("theme")
got["primaryColor"] = "#000000"  # a caller that changes what it got changes nothing kept
print(before == first == second, config.get_options_for_section("theme")["primaryColor"],
      config.get_options_for_section("server") == runtime._read_section("server"))
"""


def test_the_remembered_theme_is_streamlits_own_and_copies_are_handed_out():
    out = subprocess.run([sys.executable, "-c", THEME], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["True", "#2f6fdf", "True"]
