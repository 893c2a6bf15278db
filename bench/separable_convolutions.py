"""Render times of the separable-convolutions page and its default live benchmark.

`python -m bench.separable_convolutions`. Targets: the default live benchmark (button press to
result) at most 10 s on 2 CPU cores; the benchmark section showing a cached result under 50 ms.
The section is an st.fragment, so in a browser its widgets rerun it alone.
"""

import tempfile
from pathlib import Path

from bench import pages

PAGE = "app_pages/separable_convolutions.py"


def run() -> dict:
    """Cold render, warm rerun, default live benchmark, and the cached view after it."""
    figures, _ = pages.page_figures(PAGE, "sep_b_run")
    with tempfile.TemporaryDirectory() as tmp:
        page = pages.harness_app(PAGE, Path(tmp))
        figures["warm_rerun_script"] = pages.script_ms(page)
        page.button(key="sep_b_run").click().run()  # cached by now: the same shape and device
        figures["cached_benchmark_page_script"] = pages.script_ms(page)
        figures["cached_benchmark_fragment"] = pages.script_ms(page, "benchmark_section")
    figures["targets"] = {"live_run_s": 10, "cached_benchmark_fragment_ms": 50}
    return figures


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
