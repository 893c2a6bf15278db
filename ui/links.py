"""Links that reproduce a setup: widget values read from the URL, and a link to copy.

A page declares which widgets a link may set, as `Link`s (widget key, query name, bounds from
core.course), like TensorFlow Playground keeps its state in its URL. `restore(links)` runs at the
top of the page: for a query string it has not applied yet in this session, every value that
parses and lies within bounds is put into its widget; anything else (hostile, absurd, unknown) is
left at its default and the page says which names were ignored. `share(links, key)` shows the
link to the current values, with a copy button, for an instructor to prepare before class.
`number`, `slider`, `select`, `selectbox`, `radio`, `multiselect` and `toggle` draw a widget from
its `Link`, so its bounds (or choices) are declared once.
A link opened on a fresh server and one opened mid-session do the same, because both come
through here.
It deliberately leaves out what the values mean: pages and core decide that.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

APPLIED = "_links_applied"  # query strings already applied, per page
# Setting a widget's value through session state before it is drawn is how a link applies; Streamlit
# logs a warning with a stack trace each time a widget also has a default. That is expected here.
logging.getLogger("streamlit.elements.lib.policies").setLevel(logging.ERROR)
MAX_TEXT = 200  # longer query values are refused unread
_NUMBER = re.compile(r"-?\d{1,9}(\.\d{1,12})?")


@dataclass(frozen=True)
class Link:
    """One widget a link may set: its key, the query name, and what values it accepts.

    kind is "int", "float", "choice" (one of `choices`, compared as text), "choices" (a comma list
    of them, for a multiselect), "ints" (a comma list of whole numbers from `choices`) or "bool"
    ("1" or "0"). An "int" link with a `step` accepts only low, low + step, ... up to high.
    """

    key: str
    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    step: int | None = None  # kind "int" only: the widget's step, and the values a link may set

    def parse(self, text: str) -> object | None:
        """The value a query string asks for, or None when it is not acceptable."""
        if len(text) > MAX_TEXT:
            return None
        if self.kind == "bool":
            return {"1": True, "0": False}.get(text)
        if self.kind == "choice":
            return next((c for c in self.choices if str(c) == text), None)
        if self.kind == "choices":
            by_name = {str(c): c for c in self.choices}
            picked = [by_name.get(part) for part in text.split(",")]
            return picked if picked and None not in picked else None
        if self.kind == "ints":
            parts = text.split(",")
            values = [int(p) for p in parts if p.isascii() and p.isdigit()]
            ok = len(values) == len(parts) and set(values) <= set(self.choices)
            return values if ok and values else None
        if not (text.isascii() and _NUMBER.fullmatch(text)):
            return None
        value = int(text) if self.kind == "int" and "." not in text else float(text)
        if self.kind == "int" and not isinstance(value, int):
            return None
        if not math.isfinite(value) or not self.low <= value <= self.high:
            return None
        if self.step and (value - self.low) % self.step:
            return None
        return value

    def show(self, value: object) -> str:
        """A widget's value as query text."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind in ("ints", "choices"):
            return ",".join(str(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(link: Link) -> tuple[float, float] | tuple[int, int]:
    """The link's bounds in its widget's type (Streamlit refuses ints and floats mixed)."""
    if link.kind == "int":
        return int(link.low), int(link.high)
    return float(link.low), float(link.high)


def _start(link: Link, value: object) -> object:
    """A starting value in the link's type: course numbers may be exact text such as "0.8"."""
    if value is None:
        return None
    return int(value) if link.kind == "int" else float(value)


def _step(link: Link) -> dict:
    return {"step": link.step} if link.step else {}


def number(link: Link, label: str, value: object, *, where=st, **options) -> float | int:
    """A number box whose bounds are the link's, so the URL and the widget can never disagree."""
    low, high = _bounds(link)
    start = _start(link, value)
    return where.number_input(label, low, high, start, key=link.key, **_step(link), **options)


def slider(link: Link, label: str, value: object, *, where=st, **options) -> float | int:
    """A slider over the link's bounds (kind "int" or "float")."""
    low, high = _bounds(link)
    start = _start(link, value)
    return where.slider(label, low, high, start, key=link.key, **_step(link), **options)


def select(link: Link, label: str, value: object, *, where=st, **options) -> object:
    """A select slider over the link's choices (kind "choice")."""
    return where.select_slider(label, link.choices, value, key=link.key, **options)


def selectbox(link: Link, label: str, value: object = None, *, where=st, **options) -> object:
    """A drop-down over the link's choices, starting on `value` (else the first choice)."""
    index = 0 if value is None else link.choices.index(value)
    return where.selectbox(label, link.choices, index, key=link.key, **options)


def radio(link: Link, label: str, value: object = None, *, where=st, **options) -> object:
    """Radio buttons over the link's choices, starting on `value` (else the first choice)."""
    index = 0 if value is None else link.choices.index(value)
    return where.radio(label, link.choices, index, key=link.key, **options)


def multiselect(link: Link, label: str, value, *, where=st, **options) -> list:
    """A multiselect over the link's choices (kind "ints" or "choices"), starting on `value`."""
    return where.multiselect(label, link.choices, default=list(value), key=link.key, **options)


def toggle(link: Link, label: str, value: bool = False, *, where=st, **options) -> bool:
    """A switch for a "bool" link."""
    return where.toggle(label, value, key=link.key, **options)


def restore(links: Sequence[Link], page: str) -> None:
    """Put a link's values into their widgets, once per query string; say what was ignored."""
    query = {k: st.query_params.get_all(k)[-1] for k in st.query_params}
    known = {link.name: link for link in links}
    mine = {name: text for name, text in query.items() if name in known}
    signature = tuple(sorted(mine.items()))
    applied = st.session_state.setdefault(APPLIED, {})
    if not mine or applied.get(page) == signature:
        return
    applied[page] = signature
    ignored = []
    for name, text in mine.items():
        value = known[name].parse(text)
        if value is None:
            ignored.append(name)
        else:
            st.session_state[known[name].key] = value
    if ignored:
        st.warning(
            f"This link's {', '.join(sorted(ignored))} could not be used (out of range or not a "
            "value this page accepts), so the defaults are shown there instead.",
            icon="🔗",
        )


def url(links: Sequence[Link]) -> str:
    """The link to this page with the current values of the given widgets."""
    values = {
        link.name: link.show(st.session_state[link.key])
        for link in links
        if st.session_state.get(link.key) is not None
    }
    return f"{st.context.url or ''}?{urlencode(values)}"


def share(links: Sequence[Link], key: str) -> None:
    """A small 'link to this setup' control: the URL of the current values, ready to copy."""
    with st.popover("🔗 Link to this setup", key=f"{key}-link"):
        st.caption("Anyone who opens this link sees these settings (add &lecture=1 for a room).")
        st.code(url(links), language="text", wrap_lines=True)
