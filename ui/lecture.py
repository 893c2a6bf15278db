"""Lecture mode: what an instructor at a projector needs, and nothing a student loses by it.

- `on()`: whether lecture mode is on (the sidebar toggle, or a link with ?lecture=1).
- `style()`: larger text, formulas, numbers and tables for the back row.
- `chart_config()`: larger axis and legend text for Vega-Lite charts in lecture mode.
- `steps(lines, key)`: a derivation from SymPy. Students see every step; in lecture mode it opens
  on the first step and the instructor reveals one more per click, so the room can predict each.
Quiz boxes (ui/quiz.py) hide hints, answers and solutions until the instructor reveals them.
Leaving lecture mode only changes how things are drawn: progress and answers stay.
It deliberately leaves out what is taught: pages decide that.
"""

from __future__ import annotations

import streamlit as st

LECTURE = "lecture_mode"  # the sidebar toggle's key: answers and solutions wait for the instructor

CSS = """<style>
html, .stMarkdown, .stMarkdown p, .stMarkdown li, .stAlert p, label p {font-size: 1.3rem;}
h1 {font-size: 3rem;} h2 {font-size: 2.2rem;} h3 {font-size: 1.8rem;}
.katex {font-size: 1.45em;}
.stCaption, [data-testid="stCaptionContainer"] {font-size: 1.1rem;}
[data-testid="stDataFrame"] {zoom: 1.25;}
</style>"""
FONT = 17  # chart text size in lecture mode, from 11 by default


def on() -> bool:
    """Whether lecture mode is on for this session."""
    return bool(st.session_state.get(LECTURE))


def style() -> None:
    """Enlarge text, formulas and tables when lecture mode is on."""
    if on():
        st.html(CSS)


def chart_config() -> dict:
    """Vega-Lite config with projector-sized text in lecture mode; empty otherwise."""
    if not on():
        return {}
    text = {"labelFontSize": FONT, "titleFontSize": FONT + 2}
    return {"axis": text, "legend": text, "title": {"fontSize": FONT + 3}}


def _reset(state: str) -> None:
    st.session_state[state] = 1


def _more(state: str) -> None:
    st.session_state[state] += 1


def steps(lines: list[str], key: str) -> None:
    """Draw a derivation, one LaTeX line a step; in lecture mode, one more step per click."""
    if not on():
        for line in lines:
            st.latex(line)
        return
    state = f"_steps:{key}:{hash(tuple(lines))}"  # new inputs start the derivation afresh
    shown = min(st.session_state.setdefault(state, 1), len(lines))
    for line in lines[:shown]:
        st.latex(line)
    row = st.container(horizontal=True)
    row.button(
        f"Next step ({shown} of {len(lines)})",
        key=f"{key}:next",
        on_click=_more,
        args=(state,),
        disabled=shown == len(lines),
        type="primary",
    )
    row.button("Start over", key=f"{key}:again", on_click=_reset, args=(state,))
