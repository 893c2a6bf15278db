"""Render times of the separable-convolutions page and its default live benchmark.

`python -m bench.separable_convolutions`. Targets: the default live benchmark (button press to
result) at most 10 s on 2 CPU cores; the benchmark section showing a cached result under 50 ms.
The section is an st.fragment, so in a browser its widgets rerun it alone.
"""

import tempfile
from pathlib import Path

import streamlit as st

from bench import pages

PAGE = "app_pages/separable_convolutions.py"


def run() -> dict:
    """Cold render, warm rerun, default live benchmark, and the cached view after it."""
    cold = pages.cold_render(PAGE)
    st.cache_data.clear()
    app = pages.entry_app(PAGE)
    warm = pages.wall_ms(app)
    live = pages.wall(lambda: app.button(key="sep_b_run").click().run())
    assert not app.exception, app.exception
    with tempfile.TemporaryDirectory() as tmp:
        page = pages.harness_app(PAGE, Path(tmp))
        warm_script = pages.script_ms(page)
        page.button(key="sep_b_run").click().run()  # cached by now: the same shape and device
        cached_script = pages.script_ms(page)
        cached_fragment = pages.script_ms(page, "benchmark_section")
    return {
        "cold_render_s": round(cold["cold_s"], 2),
        "cold_render_imported_torch": cold["torch"],
        "warm_rerun_wall": warm,
        "warm_rerun_script": warm_script,
        "default_live_benchmark_s": round(live, 2),
        "cached_benchmark_page_script": cached_script,
        "cached_benchmark_fragment": cached_fragment,
        "targets": {"default_live_benchmark_s": 10, "cached_benchmark_fragment_ms": 50},
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
