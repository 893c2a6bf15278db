"""Timing helpers shared by the page benchmarks: cold render in a fresh process, warm reruns.

Cold renders run in a new interpreter, so no earlier benchmark has imported torch for them; they
time the page's first run after the home page's (for the home page, the server's first run).
Script times exec the page in a small harness that also times each st.fragment, so AppTest's
polling is not counted.
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = str(ROOT / "streamlit_app.py")
RERUNS = 10  # warm reruns timed per figure
COLD = """
import json, sys, time
import streamlit as st
from streamlit.testing.v1 import AppTest
app = AppTest.from_file({entry!r}, default_timeout=120)
if not {direct!r}:
    app.run()
start = time.perf_counter()
app.switch_page({page!r}).run()
assert not app.exception, app.exception
print(json.dumps({{"cold_s": time.perf_counter() - start, "torch": "torch" in sys.modules}}))
"""
HARNESS = """
import functools, json, time
import streamlit as st

fragment, times = st.fragment, {{}}


def timed(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times[fn.__name__] = time.perf_counter() - start

    return fragment(call)


st.fragment = timed
code = compile(open({page!r}).read(), {page!r}, "exec")
start = time.perf_counter()
exec(code, {{"__name__": "__main__"}})
st.session_state["_script_s"] = time.perf_counter() - start
st.session_state["_fragment_s"] = times
st.fragment = fragment
"""


def wall(action) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def cold_render(page: str, direct: bool = False) -> dict:
    """The page's first render in a fresh interpreter: seconds, and whether torch was imported.

    The page is opened from the home page, after the first run, as a student would; `direct`
    opens it as the server's first run instead (a link to it, or the home page itself). The
    entrypoint starts importing torch in the background after its first run (ui/runtime.py), so
    "torch" may be True for a page that does not import it.
    """
    code = COLD.format(entry=ENTRYPOINT, page=page, direct=direct)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        said = (out.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the cold render of {page} failed: {said[:300]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _click(app: AppTest, clicks: tuple[str, ...]) -> AppTest:
    for key in clicks:
        app.button(key=key).click().run()
    return app


def entry_app(page: str, clicks: tuple[str, ...] = ()) -> AppTest:
    """An AppTest through the real entrypoint, switched to the page, run, buttons clicked."""
    app = AppTest.from_file(ENTRYPOINT, default_timeout=120)
    return _click(app.run().switch_page(page).run(), clicks)


def harness_app(page: str, folder: Path, clicks: tuple[str, ...] = ()) -> AppTest:
    """An AppTest of the page alone inside the timing harness, run, buttons clicked."""
    harness = folder / "harness.py"
    harness.write_text(HARNESS.format(page=str(ROOT / page)))
    return _click(AppTest.from_file(str(harness), default_timeout=120).run(), clicks)


def script_ms(at: AppTest, fragment: str | None = None) -> dict:
    """Median and worst time over RERUNS reruns of the page, or of one fragment of it, in ms."""
    times = []
    for _ in range(RERUNS):
        at.run()
        seconds = at.session_state["_fragment_s"].get(fragment) if fragment else None
        times.append((seconds or at.session_state["_script_s"]) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def wall_ms(at: AppTest) -> dict:
    """Median and spread of RERUNS whole reruns through AppTest, in ms."""
    times = [wall(at.run) * 1000 for _ in range(RERUNS)]
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def page_figures(page: str, button: str, clicks: tuple[str, ...] = ()) -> tuple[dict, AppTest]:
    """Cold render, warm reruns (after `clicks`) and the wall time of pressing `button`.

    Returns the figures and the app, left on the page after the press.
    """
    cold = cold_render(page)
    st.cache_data.clear()
    app = entry_app(page, clicks)
    warm = wall_ms(app)
    live = wall(lambda: app.button(key=button).click().run())
    assert not app.exception, app.exception
    figures = {
        "cold_render_s": round(cold["cold_s"], 2),
        "cold_render_imported_torch": cold["torch"],
        "warm_rerun_wall": warm,
        "live_run_s": round(live, 2),
    }
    return figures, app
