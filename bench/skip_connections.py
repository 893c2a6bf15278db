"""Render times of the skip-connections page and its default live degradation run.

`python -m bench.skip_connections`. Targets: first render under 5 s including the torch import,
warm rerun under 150 ms, the default live run (Train pressed with the defaults) at most 60 s on
2 CPU cores.
"""

import tempfile
from pathlib import Path

import streamlit as st

from bench import pages

PAGE = "app_pages/skip_connections.py"
STATE = {"_skip_degradation_revealed": True}  # the page's flag for "prediction made"


def run() -> dict:
    """Cold render (fresh process), warm reruns, and the default live run from the Train button."""
    cold = pages.cold_render(PAGE, STATE)
    st.cache_data.clear()
    app = pages.entry_app(PAGE, STATE)
    warm = pages.wall_ms(app)
    live = pages.wall(lambda: app.button(key="deg_run").click().run())
    assert not app.exception, app.exception
    with tempfile.TemporaryDirectory() as tmp:
        warm_script = pages.script_ms(pages.harness_app(PAGE, Path(tmp), STATE))
    return {
        "cold_render_s": round(cold["cold_s"], 2),
        "cold_render_imported_torch": cold["torch"],
        "warm_rerun_wall": warm,
        "warm_rerun_script": warm_script,
        "default_live_run_s": round(live, 2),
        "targets": {"cold_render_s": 5, "warm_rerun_ms": 150, "default_live_run_s": 60},
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
