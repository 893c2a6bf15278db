"""Every page's render times and live runs, and the memory a full tour leaves behind.

`python -m bench --only pages`. Per page in app_pages/:
- cold render: a fresh interpreter; the home page as the server's first run, any other page
  opened from the home page (bench/pages.py cold_render). Targets: 5 s for a page that imports
  torch (the topic pages and the exercises), 3 s for the others.
- warm first render: in this process, with what a running server has imported (ui.runtime's
  prewarm, awaited), st.cache_data emptied, a fresh AppTest session whose first run opens the page
  (a link to it). Target 3 s: a student on a warm server waits for the page, not for torch.
- warm rerun p50: RERUNS whole reruns of that session through AppTest (wall time, AppTest's own
  few ms included), after the clicks the page needs to show everything. Target 150 ms, what a
  click may cost (the target the practice and skip-connections benches set for a rerun).
- live run: the page's default live experiment, once, from its button press to the rerun done.
  Targets: the degradation run 12 s, the separable benchmark 10 s, the transfer-learning lab's
  default (strategies A and scratch, each stopped by 25 s, promised in 30 s: 60 s), and the
  exercises' slowest "Run it" 30 s (the page's promise for one live run). The lab's peak memory
  is the process's resident set, sampled every 10 ms while it runs.
Then the process's peak resident memory (ru_maxrss) after the tour, every live run included:
under 1.5 GB, Community Cloud's smaller memory limit being 1 GB to 2.7 GB. This process holds
no server, but its caches are emptied before each page, so a server's would be a little higher.
"""

from __future__ import annotations

import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench import pages
from bench.report import ROOT, Figure

MEMORY_TARGET_MB = 1500  # peak resident memory after a full tour, and during the lab
WARM_FIRST_TARGET_S = 3.0
RERUN_TARGET_MS = 150.0
COLD_TARGET_S = {True: 5.0, False: 3.0}  # by whether the page imports torch
NOISY = ("caching.cache_data_api", "scriptrunner_utils.script_run_context")  # loggers


@dataclass(frozen=True)
class Page:
    stem: str
    torch: bool = False  # imports torch to render (the cold render's target is 5 s, else 3 s)
    clicks: tuple[str, ...] = ()  # pressed before the reruns are timed, to show the whole page
    live: str | None = None  # the default live run's button
    live_target_s: float | None = None
    live_what: str = ""


PAGES = (
    Page("home"),
    Page("skip_connections", True, ("deg_reveal",), "deg_run", 12, "Train, defaults"),
    Page("separable_convolutions", True, (), "sep_b_run", 10, "benchmark, default shape"),
    Page("transfer_learning", True, (), "tl_lab_run", 60, "lab, default A + scratch"),
    Page("exercises", True, (), "-run", 30, "slowest Run it"),  # every key ending in -run
    Page("practice"),
    Page("summary"),
)


def every_page() -> list[Page]:
    """PAGES, and any other page file in app_pages/ with default settings, so none is missed."""
    known = {p.stem for p in PAGES}
    stems = sorted(p.stem for p in (ROOT / "app_pages").glob("*.py"))
    return [p for p in PAGES if p.stem in stems] + [Page(s) for s in stems if s not in known]


def _path(page: Page) -> str:
    return f"app_pages/{page.stem}.py"


def attempt(fn: Callable[[], float], failures: list[str], what: str) -> tuple[float | None, str]:
    """(fn(), "") or, when it raises, (None, why) with the failure recorded."""
    try:
        return fn(), ""
    except Exception as error:
        said = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0][:160]}"
        failures.append(f"{what}: {said}")
        return None, f"failed: {said}"


def _no_exception(app) -> None:
    if app.exception:
        raise RuntimeError(app.exception[0].message)


def cold(page: Page, failures: list[str]) -> Figure:
    value, note = attempt(
        lambda: pages.cold_render(_path(page), direct=page.stem == "home")["cold_s"],
        failures,
        f"{page.stem} cold render",
    )
    return Figure(page.stem, "cold render", value, "s", COLD_TARGET_S[page.torch], note=note)


def warm_server() -> float:
    """Import what a running server has imported by now (ui.runtime's prewarm); seconds taken."""
    from ui import runtime

    for name in NOISY:  # warnings about running outside a server, which this does on purpose
        logging.getLogger(f"streamlit.runtime.{name}").disabled = True

    start = time.perf_counter()
    runtime.prewarm()
    runtime.WARM.wait()
    return time.perf_counter() - start


def visit(page: Page, failures: list[str]) -> list[Figure]:
    """Warm first render, warm rerun p50 and the live run of one page, in this process."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    app = AppTest.from_file(pages.ENTRYPOINT, default_timeout=300)

    def first() -> float:
        seconds = pages.wall(lambda: app.switch_page(_path(page)).run())
        _no_exception(app)
        return seconds

    def rerun() -> float:
        for key in page.clicks:
            app.button(key=key).click().run()
        _no_exception(app)
        return pages.wall_ms(app)["median_ms"]

    value, note = attempt(first, failures, f"{page.stem} warm first render")
    figures = [Figure(page.stem, "warm first render", value, "s", WARM_FIRST_TARGET_S, note=note)]
    if value is None:
        return figures
    value, note = attempt(rerun, failures, f"{page.stem} warm rerun")
    figures.append(Figure(page.stem, "warm rerun p50", value, "ms", RERUN_TARGET_MS, note=note))
    if page.live is None or value is None:
        return figures
    if page.stem == "exercises":
        return figures + run_every(app, page, failures)
    if page.stem == "transfer_learning":
        return figures + lab_run(app, page, failures)
    value, note = attempt(lambda: press(app, page.live), failures, f"{page.stem} live run")
    note = "; ".join(filter(None, (page.live_what, note)))
    return figures + [Figure(page.stem, "live run", value, "s", page.live_target_s, note=note)]


def press(app, key: str) -> float:
    """Seconds from pressing the button to the rerun done; raises on an exception or busy box."""
    seconds = pages.wall(lambda: app.button(key=key).click().run())
    _no_exception(app)
    if any("Another live run is still going" in w.value for w in app.warning):
        raise RuntimeError("the live run was refused as busy")
    return seconds


def lab_run(app, page: Page, failures: list[str]) -> list[Figure]:
    """The fine-tuning lab's default run: its wall time, and the process's peak memory during it."""
    from core.transfer_learning import lab

    with lab.peak_memory() as memory:
        value, note = attempt(lambda: press(app, page.live), failures, "lab live run")
    peak = memory["peak_mb"] if value is not None else None
    added = f"{memory['peak_mb'] - memory['start_mb']:+.0f} MB during the run" if peak else ""
    return [
        Figure(page.stem, "live run", value, "s", page.live_target_s, note=note or page.live_what),
        Figure(page.stem, "lab peak memory", peak, "MB", MEMORY_TARGET_MB, note=note or added),
    ]


def run_every(app, page: Page, failures: list[str]) -> list[Figure]:
    """Press every "Run it" on the page once; the slowest, the total in the note.

    A "Run it" waits until its exercise's parts have been tried or its "Run it now" toggle is
    on (app_pages/exercises.py), so the toggles are switched on first.
    """
    early = [t for t in app.toggle if t.key and t.key.endswith("-early")]
    if early:
        for toggle in early:
            toggle.set_value(True)
        app.run()
        _no_exception(app)
    keys = [b.key for b in app.button if b.key and b.key.endswith(page.live)]
    times = {}
    for key in keys:
        value, note = attempt(lambda key=key: press(app, key), failures, f"exercises {key}")
        if value is None:
            return [Figure(page.stem, "live run", None, "s", page.live_target_s, note=note)]
        times[key] = value
    if not times:
        return [Figure(page.stem, "live run", None, "s", page.live_target_s, note="no Run it")]
    slowest = max(times, key=times.get)
    note = f"slowest Run it of {len(times)} ({slowest}); all: {sum(times.values()):.1f} s"
    return [Figure(page.stem, "live run", times[slowest], "s", page.live_target_s, note=note)]


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(log: Callable[[str], None] = print) -> tuple[list[Figure], list[str]]:
    """Cold renders, then the warm tour in this process, then the peak memory; the figures."""
    failures: list[str] = []
    found = every_page()
    figures: dict[str, list[Figure]] = {p.stem: [] for p in found}
    for page in found:
        log(f"cold render: {page.stem}")
        figures[page.stem].append(cold(page, failures))
    log(f"warming up as a server does: {warm_server():.1f} s")
    for page in found:
        log(f"warm tour: {page.stem}")
        figures[page.stem] += visit(page, failures)
    tour = Figure(
        "memory",
        "peak after the tour",
        round(peak_memory_mb()),
        "MB",
        MEMORY_TARGET_MB,
        note="this process's ru_maxrss: every page, every live run once",
    )
    return [f for page in found for f in figures[page.stem]] + [tour], failures
