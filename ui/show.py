"""The Streamlit side of every page: cached calls into core, charts, tables, live runs.

- `cached(fn, *args)`: any core function, cached across sessions by st.cache_data (a copy per
  call, so a page may not mutate what it gets; results are plain data that pickle).
- `figure(builder, *args)`: a ui.charts Figure, its Vega-Lite spec built once per input (Altair
  validates a layered spec in about 40 ms), with its summary sentence and its data one click away.
- `sections(parts)`: a page's sections, each a fragment of its own.
- `table(rows)`: a dataframe with thousands separators in its number columns.
- `live(fn, config, label=...)`: the one pattern for long-running work: a status box with a
  progress bar, a message while another session's run holds core.training's lock, a polite
  warning if it stays busy, and the result kept per configuration for every session (the newest
  LIVE_RESULTS). `fn(config, progress=..., on_wait=...)` is a core function returning plain data
  with its wall time under "seconds"; config is a frozen dataclass.
It deliberately leaves out page text and any computation (core does that).
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd
import streamlit as st
import sympy as sp

from ui import charts, lecture, runtime

_CACHED: dict[Callable, Callable] = {}


def cached(fn: Callable, *args, **kwargs):
    """fn(*args, **kwargs) through st.cache_data, shared by every session.

    Exact SymPy numbers are passed as their text ("9/10"), which core.numbers.exact reads back
    exactly. The cache's key is a digest of the pickled call (`_key`): Streamlit's own hasher
    walks nested arguments in Python, a fifth of a topic page's open here.
    """
    args, kwargs = _hashable(args), dict(zip(kwargs, _hashable(kwargs.values()), strict=True))
    key = _key(fn.__module__, fn.__qualname__, args, kwargs)
    if key is not None:
        return _call(key, fn, args, kwargs)
    wrapper = _CACHED.get(fn)  # arguments that don't pickle: Streamlit hashes them itself
    if wrapper is None:
        wrapper = _CACHED[fn] = st.cache_data(show_spinner=False, max_entries=256)(fn)
    return wrapper(*args, **kwargs)


def _key(*parts) -> str | None:
    """A digest of the pickled parts, or None when they don't pickle.

    Equal values that pickle differently (a dict in another order) only miss the cache; values
    that differ never pickle alike, so a key never returns another call's result.
    """
    try:
        return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=20).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


@st.cache_data(show_spinner=False, max_entries=2048)
def _call(key: str, _fn: Callable, _args: tuple, _kwargs: dict):
    """One cached call of any core function, found by `key` (arguments with _ aren't hashed)."""
    return _fn(*_args, **_kwargs)


def _hashable(values) -> tuple:
    """Arguments with SymPy numbers as exact text, inside tuples too."""
    return tuple(
        str(v) if isinstance(v, sp.Basic) else _hashable(v) if isinstance(v, tuple) else v
        for v in values
    )


@st.cache_data(show_spinner=False, max_entries=256)
def _figure(key: str, builder: str, _args: tuple) -> tuple[dict, str, list[dict]]:
    """A chart's Vega-Lite spec, summary and data, validated once per input (found by key)."""
    made = getattr(charts, builder)(*_args)
    return made.chart.to_dict(), made.summary, made.data


def figure(builder: Callable[..., charts.Figure], *args, key: str) -> None:
    """Draw a ui.charts figure: the chart, its one-sentence summary, and its data in a popover."""
    digest = _key(builder.__name__, args) or repr((builder.__name__, args))
    spec, summary, data = _figure(digest, builder.__name__, args)
    config = lecture.chart_config()
    if config:
        spec = {**spec, "config": {**spec.get("config", {}), **config}}
    with st.container(key=f"figure-{key}"):  # a test finds every chart inside one of these
        st.vega_lite_chart(spec, width="stretch")
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(summary)
        with right.popover("Data", width="stretch", key=f"{key}-data"):
            table(data)


def sections(parts: tuple[Callable[[], None], ...]) -> None:
    """Draw a page's sections in order, each an st.fragment: a widget reruns its own section,
    not the page (a topic page's full run is several times a section's). A section whose widget
    must change another part asks for st.rerun(scope="app"), as a quiz check does."""
    for part in parts:
        st.fragment(part)()


_SOURCES: dict[object, str] = {}
_SOURCE_LOCK = threading.Lock()


def source_text(obj) -> str:
    """inspect.getsource(obj), read once per server and never in two threads at once.

    getsource parses the module with ast.parse, and CPython 3.11's AST builder keeps its recursion
    depth per interpreter, not per thread: two script threads parsing at once raised
    "SystemError: AST constructor recursion depth mismatch" on the exercises page under load
    (python/cpython#106905). The source cannot change while the server runs.
    """
    with _SOURCE_LOCK:
        if obj not in _SOURCES:
            _SOURCES[obj] = inspect.getsource(obj)
        return _SOURCES[obj]


def source(*objects) -> None:
    """The real source code of functions or classes from core, as the reference to read."""
    for obj in objects:
        st.code(source_text(obj), language="python")


def table(rows, hide_index: bool = True) -> None:
    """A dataframe with thousands separators in its number columns."""
    frame = pd.DataFrame(rows)
    numbers = frame.select_dtypes("number").columns
    config = {c: st.column_config.NumberColumn(format="localized") for c in numbers}
    st.dataframe(frame, hide_index=hide_index, column_config=config)


LIVE_RESULTS = 32  # live results kept for all sessions, the oldest dropped first
_RESULTS: OrderedDict[tuple, dict] = OrderedDict()
_RESULTS_LOCK = threading.Lock()


def _live(fn: Callable, config, progress, on_wait) -> dict:
    """fn(config) once per (function, configuration) for every session; a copy each time."""
    key = (fn.__module__, fn.__qualname__, config)
    with _RESULTS_LOCK:
        found = _RESULTS.get(key)
    if found is None:
        found = fn(config, progress=progress, on_wait=on_wait)
        with _RESULTS_LOCK:
            _RESULTS[key] = found
            while len(_RESULTS) > LIVE_RESULTS:
                _RESULTS.popitem(last=False)
    return copy.deepcopy(found)


def live(fn: Callable, config, *, label: str) -> dict | None:
    """Run fn(config) with a progress bar and a waiting message; None (with a warning) if busy."""
    from core import training  # torch loads only once a live run is asked for

    with st.status(label, expanded=True) as status:
        note, bar = st.empty(), st.progress(0.0)

        def on_wait() -> None:
            note.info("Another student's live run is going; yours starts as soon as it ends.")

        try:
            with runtime.slot_released():  # other students' pages draw while this one trains
                result = _live(
                    fn,
                    config,
                    lambda done, what: bar.progress(min(max(done, 0.0), 1.0), text=what),
                    on_wait,
                )
        except training.Busy as busy:
            status.update(label="Busy", state="error", expanded=True)
            bar.empty()
            st.warning(str(busy))
            return None
        note.empty()
        bar.empty()
        status.update(label=f"Done in {result['seconds']} s", state="complete", expanded=False)
    return result
