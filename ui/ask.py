"""Ask the class: in lecture mode, a button that turns the setup on screen into a live question.

`button(question_id, values, key=...)` checks that the numbers on screen make a fair variant of
the bank question (bank.given_values: an answer of its kind that no known wrong answer equals),
and when pressed queues (question id, given numbers) in the session and opens the Live class
page, where the host opens answering with one more click. The variant is stored as those
numbers, so every server rebuilds it from the database. Outside lecture mode it draws nothing.
A quiz box can ask its own variant with `button(q.id, variant.params, key=...)`.
Left out: hosting (ui/classroom.py); which questions a page asks (the pages).
"""

from __future__ import annotations

from functools import lru_cache

import streamlit as st

from quizzes import bank
from ui import lecture

PAGE = "app_pages/live_class.py"
ASKING = "_live_asking"  # (question id, given) queued for the Live class page


@lru_cache(maxsize=512)
def _given(question_id: str, values: tuple) -> bank.Given | str:
    """The checked numbers, or why they can't be asked (cached: a rerun keeps its numbers)."""
    try:
        return bank.given_values(question_id, dict(values))
    except bank.BankError as error:
        return str(error)


def button(question_id: str, values: dict[str, object], *, key: str) -> None:
    """In lecture mode, an Ask the class button for a bank question on these numbers."""
    if not lecture.on():
        return
    given = _given(question_id, tuple(sorted((k, str(v)) for k, v in values.items())))
    if isinstance(given, str):
        st.caption(f"📡 This setup can't be asked as a live question: {given}")
        return
    variant = bank.variant(question_id, 0, given)
    if st.button(
        "📡 Ask the class",
        key=f"{key}:ask",
        help=f"Opens the Live class page ready to ask “{variant.question.title}” "
        f"at {variant.setup()}.",
    ):
        st.session_state[ASKING] = (question_id, given)
        st.switch_page(PAGE)
