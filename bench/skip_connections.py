"""Render times of the skip-connections page and its default live degradation run.

`python -m bench.skip_connections`. Targets: first render under 5 s including the torch import,
warm rerun under 150 ms, the default live run (Train pressed with the defaults) at most 60 s on
2 CPU cores. The cold render runs in a fresh interpreter, so no earlier suite has imported torch
for it; it is the page's first run after the entrypoint (which does not import torch). Warm wall
times go through AppTest and the real entrypoint; script times exec the page itself in a
one-line harness, so AppTest's polling is not counted.
"""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGE = "app_pages/skip_connections.py"
REVEALED = "_skip_degradation_revealed"  # the page's flag for "prediction made"
RERUNS = 10  # warm reruns timed per figure
COLD = f"""
import json, sys, time
from streamlit.testing.v1 import AppTest
app = AppTest.from_file({str(ROOT / "streamlit_app.py")!r}, default_timeout=120).run()
app.session_state[{REVEALED!r}] = True
start = time.perf_counter()
app.switch_page({PAGE!r}).run()
assert not app.exception, app.exception
print(json.dumps({{"cold_s": time.perf_counter() - start, "torch": "torch" in sys.modules}}))
"""
HARNESS = """
import time
import streamlit as st
st.session_state[{revealed!r}] = True
code = compile(open({page!r}).read(), {page!r}, "exec")
start = time.perf_counter()
exec(code, {{"__name__": "__main__"}})
st.session_state["_script_s"] = time.perf_counter() - start
"""


def _wall(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _script_ms(at: AppTest) -> dict:
    """Median and worst script time over RERUNS reruns, in ms."""
    times = []
    for _ in range(RERUNS):
        at.run()
        times.append(at.session_state["_script_s"] * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def _cold_render() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> dict:
    """Cold render (fresh process), warm reruns, and the default live run from the Train button."""
    cold = _cold_render()
    st.cache_data.clear()
    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
    app.session_state[REVEALED] = True
    app.switch_page(PAGE).run()
    warm = [_wall(app.run) * 1000 for _ in range(RERUNS)]
    live = _wall(lambda: app.button(key="deg_run").click().run())
    assert not app.exception, app.exception
    with tempfile.TemporaryDirectory() as tmp:
        harness = Path(tmp) / "harness.py"
        harness.write_text(HARNESS.format(revealed=REVEALED, page=str(ROOT / PAGE)))
        page = AppTest.from_file(str(harness), default_timeout=120).run()
        warm_script = _script_ms(page)
    return {
        "cold_render_s": round(cold["cold_s"], 2),
        "cold_render_imported_torch": cold["torch"],
        "warm_rerun_wall_ms": round(statistics.median(warm), 1),
        "warm_rerun_wall_spread_ms": [round(min(warm), 1), round(max(warm), 1)],
        "warm_rerun_script": warm_script,
        "default_live_run_s": round(live, 2),
        "targets": {"cold_render_s": 5, "warm_rerun_ms": 150, "default_live_run_s": 60},
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
