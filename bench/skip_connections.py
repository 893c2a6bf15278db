"""Render times of the skip-connections page and its default live degradation run.

`python -m bench.skip_connections`. Targets: first render under 5 s including the torch import,
warm rerun under 150 ms, the default live run (Train pressed with the defaults) at most 60 s on
2 CPU cores.
"""

import tempfile
from pathlib import Path

from bench import pages

PAGE = "app_pages/skip_connections.py"
CLICKS = ("deg_reveal",)  # make the prediction, so the whole page shows


def run() -> dict:
    """Cold render (fresh process), warm reruns, and the default live run from the Train button."""
    figures, _ = pages.page_figures(PAGE, "deg_run", CLICKS)
    with tempfile.TemporaryDirectory() as tmp:
        figures["warm_rerun_script"] = pages.script_ms(pages.harness_app(PAGE, Path(tmp), CLICKS))
    figures["targets"] = {"cold_render_s": 5, "warm_rerun_ms": 150, "live_run_s": 60}
    return figures


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
