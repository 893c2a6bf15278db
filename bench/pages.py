"""Timing helpers shared by the page benchmarks: cold render in a fresh process, warm reruns.

Cold renders run in a new interpreter, so no earlier benchmark has imported torch for them; they
time the page's first run after the home page's (for the home page, the server's first run).
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

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


def wall_ms(at: AppTest) -> dict:
    """Median and spread of RERUNS whole reruns through AppTest, in ms."""
    times = [wall(at.run) * 1000 for _ in range(RERUNS)]
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }
