"""The server process's settings that no page sees: cheap reruns, and topic pages drawn in turns.

Streamlit calls `gc.collect(2)` after every script run (`runner.postScriptGC`). With torch, SymPy,
pandas and Altair imported, that full collection walked millions of long-lived objects: about
0.3-0.5 s of server CPU per rerun here, even for an 8 ms page. `gc.freeze()` moves every object
alive now into a permanent generation the collector skips, so the collection after each rerun
walks only what was made since. Frozen objects are still freed when nothing refers to them; only
garbage cycles among them would stay. So the heap is frozen right after a collection, and only
when modules were imported since the last freeze: a few times in a server's life (the first
visit to a page imports torch, a live run imports more), never per rerun.
`runner.postScriptGC` is now off (.streamlit/config.toml): even with the heap frozen, the full
collection after every run walked every connected session's state, so a live class's polls cost
more as the class grew (45% of the server's CPU at 50 students); Python's own collector still
frees cycles, and the freeze keeps its occasional full passes short.

`remember_theme()` makes every run's `new_session` message cheap. Streamlit rebuilds it on every
run, fragment runs included, and fills its theme by scanning all of its config options once per
theme section (`config.get_options_for_section`): py-spy put that at a third of the server CPU of
an idle live-class poll, more than the poll's own code. The theme is fixed while a server runs
(config.toml is read at start, `st.set_option` may only set `client.*`, and no file watcher
reloads it), so each theme section's options are read once and a copy handed out after that.

`run_slot()` lets at most RUN_SLOTS (2; TUTOR_RUN_SLOTS sets it) topic pages draw at once; the
others wait their turn. A topic page's run is ~0.1 s of CPU: 150 students opening one together at
a lecture's start made 150 script threads share the core, each switching the GIL with the others
and with the event loop at every element, so every page finished near the end (p95 8-14 s for 150
arrivals within 20 s). In turns, most finish early (p95 2-4.5 s) for the same CPU. The light
pages (home, practice, the live class, the summary) and fragment reruns never wait. A run gives
its slot back while it waits for the imports or for a live run (`slot_released`), and one that
waited SLOT_WAIT_S goes ahead anyway, so a lost slot slows pages and never stops them.

`keep_finished_runs()` stops a fragment's rerun from swallowing the run that ended just before
it: in a live class of 150, one Send in about 500 was stored but its "Sent" never reached the
phone (the function says how).

`prewarm()` imports what the topic pages need (torch, torchvision, Altair: about
6 s here) on a background thread as the server starts, so the first student to open a topic page
on a warm server waits for the page, not for torch, and the page that starts the server (or wakes
a sleeping Cloud app) doesn't wait for the imports at all. Set TUTOR_PREWARM=0 to switch it off.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()
_frozen_modules = 0  # len(sys.modules) when the heap was last frozen

PREWARM_ENV = "TUTOR_PREWARM"
STAGES = {  # in order: what the pages without torch import (about 2 s), then the topic pages'
    "ui": (
        "pandas",
        "altair",
        "ui.charts",
        "ui.show",
        "core.skip_connections.results",
        "core.transfer_learning.formulas",
    ),
    "torch": (
        "torch",
        "torchvision.models",
        "core.skip_connections.experiments",
        "core.separable_convolutions.benchmark",
        "core.separable_convolutions.photo",
        "core.transfer_learning.lab",
        "core.transfer_learning.weights",
    ),
}
HEAVY = tuple(name for names in STAGES.values() for name in names)
READY = {stage: threading.Event() for stage in STAGES}  # each set once its imports are done
WARM = READY["torch"]  # the last stage: everything is in (or failed, or was switched off)
_started = False


def freeze_imports() -> None:
    """Collect, then freeze the heap, if modules were imported since the last freeze."""
    global _frozen_modules
    if len(sys.modules) == _frozen_modules:
        return
    with _LOCK:
        if len(sys.modules) == _frozen_modules:
            return
        gc.collect()
        gc.freeze()
        _frozen_modules = len(sys.modules)


RUN_SLOTS_ENV = "TUTOR_RUN_SLOTS"
SLOT_WAIT_S = 30.0  # a run that waited this long goes ahead anyway: a lost slot can't stall the app


def _run_slots() -> int:
    try:
        return max(1, int(os.environ.get(RUN_SLOTS_ENV, "") or 2))
    except ValueError:
        return 2


RUN_SLOTS = _run_slots()
_slots = threading.Semaphore(RUN_SLOTS)
_holding = threading.local()  # .slot: whether this script thread holds one of the slots


@contextmanager
def run_slot() -> Iterator[None]:
    """Hold one of the RUN_SLOTS slots while drawing a page (see the module docstring)."""
    take_slot()
    try:
        yield
    finally:
        give_slot()


def take_slot() -> None:
    """Wait for one of RUN_SLOTS slots (at most SLOT_WAIT_S); a thread holds at most one."""
    if not getattr(_holding, "slot", False):
        _holding.slot = _slots.acquire(timeout=SLOT_WAIT_S)


def give_slot() -> None:
    if getattr(_holding, "slot", False):
        _holding.slot = False
        _slots.release()


@contextmanager
def slot_released() -> Iterator[None]:
    """Let other runs have this thread's slot while it waits (for imports, a live run)."""
    held = getattr(_holding, "slot", False)
    give_slot()
    try:
        yield
    finally:
        if held:
            take_slot()


_THEME: dict[str, dict] = {}
_read_section = None  # Streamlit's own config.get_options_for_section, once remember_theme ran


def remember_theme() -> None:
    """Read each theme section's config options once per process (see the module docstring)."""
    from streamlit import config

    if getattr(config.get_options_for_section, "remembers_theme", False):
        return
    global _read_section
    _read_section = read = config.get_options_for_section

    def get_options_for_section(section: str) -> dict:
        if not section.startswith("theme"):
            return read(section)
        if section not in _THEME:
            _THEME[section] = read(section)
        return dict(_THEME[section])

    get_options_for_section.remembers_theme = True
    config.get_options_for_section = get_options_for_section


_FINISHED = "_tutor_finished_runners"  # AppSession attribute: runners replaced after they ended


def keep_finished_runs() -> None:
    """Deliver the last messages of a script run that ended just before a fragment's rerun came.

    Streamlit's script thread hands each message to the server's event loop, which sends it on
    later. When a fragment's rerun (a Send press, a poll's tick) reaches the loop after the
    thread finished its run but before the loop took that run's messages, AppSession starts a
    new ScriptRunner and then drops every event of the old one as stale: the finished run's
    elements and its script_finished never reach the browser. In a live class of 150 that was
    one Send in 500: the answer stored, the phone never told "Sent". Those events were made
    before the new runner existed and reach the loop before any of its own, so they are
    delivered in order; a runner stopped to make way for a full rerun (fastReruns) is still cut
    off, as Streamlit means it to be. Patches AppSession once per process.
    """
    from weakref import WeakSet

    from streamlit import config
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.scriptrunner import ScriptRunnerEvent

    if getattr(AppSession.request_rerun, "keeps_finished_runs", False):
        return
    request_rerun = AppSession.request_rerun
    handle = AppSession._handle_scriptrunner_event_on_event_loop

    def request_rerun_keeping(self, client_state) -> None:
        before = self._scriptrunner
        request_rerun(self, client_state)
        if before is None or self._scriptrunner is before:  # every poll tick: nothing to keep
            return
        fragment = bool(client_state is not None and client_state.fragment_id)
        if fragment or not config.get_option("runner.fastReruns"):
            # `before` refused the rerun: it had stopped by itself, its run over
            self.__dict__.setdefault(_FINISHED, WeakSet()).add(before)

    def handle_keeping(self, sender, event, *args, **kwargs) -> None:
        finished = self.__dict__.get(_FINISHED)
        if finished and sender in finished and sender is not self._scriptrunner:
            if event == ScriptRunnerEvent.SHUTDOWN:  # its last event: the session has moved on
                finished.discard(sender)
                return
            sender = self._scriptrunner  # handled as the current runner's, in the order made
        handle(self, sender, event, *args, **kwargs)

    request_rerun_keeping.keeps_finished_runs = True
    AppSession.request_rerun = request_rerun_keeping
    AppSession._handle_scriptrunner_event_on_event_loop = handle_keeping


def prewarm() -> None:
    """Start importing HEAVY on a daemon thread, once per process; returns at once."""
    global _started
    with _LOCK:
        if _started:
            return
        _started = True
    if os.environ.get(PREWARM_ENV) == "0":
        for ready in READY.values():
            ready.set()
        return
    threading.Thread(target=_import_heavy, name="prewarm", daemon=True).start()


def _import_heavy() -> None:
    try:
        for stage, names in STAGES.items():
            for name in names:
                importlib.import_module(name)
            READY[stage].set()
        freeze_imports()
    except Exception:  # a page that needs the module will import it, and say what went wrong
        logging.getLogger(__name__).exception("prewarming the imports failed")
    finally:
        for ready in READY.values():
            ready.set()


def prewarming(stage: str = "torch") -> bool:
    """Whether the prewarm thread is still importing `stage` or a stage before it."""
    return _started and not READY[stage].is_set()


def await_prewarm(stage: str = "torch", timeout: float = 120) -> None:
    """Wait until a running prewarm has imported `stage` (at once if none is running).

    Two threads importing the same not-yet-loaded packages can each hold a module lock the other
    needs (Python then raises _DeadlockError in one of them: seen with narwhals under Altair), so
    a page waits here for the stage that imports what it imports rather than racing it.
    """
    if prewarming(stage):
        READY[stage].wait(timeout)
