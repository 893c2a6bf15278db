"""Entrypoint: page config, navigation over app_pages/, sidebar with progress and lecture mode."""

import streamlit as st

from quizzes import bank, checking
from ui import lecture, quiz, runtime

runtime.remember_theme()  # every run's new_session message reads the theme: ui/runtime.py
runtime.keep_finished_runs()  # a fragment rerun can't swallow a run's last messages
runtime.freeze_imports()  # Streamlit's gc after each rerun then skips the imports: ui/runtime.py
st.set_page_config(page_title="Modern CNNs tutor", page_icon="🧠", layout="wide")

try:
    bank.bank()
except bank.BankError as error:
    st.error(f"The question bank has a mistake, so the app cannot start: {error}")
    st.stop()

home = st.Page("app_pages/home.py", title="Home", icon="🏠", default=True)
practice = st.Page("app_pages/practice.py", title="Practice quiz", icon="📝")
live_class = st.Page("app_pages/live_class.py", title="Live class", icon="📡")
summary = st.Page("app_pages/summary.py", title="Summary and references", icon="📚")
pages = [
    home,
    st.Page("app_pages/skip_connections.py", title="Skip connections (ResNet)", icon="➕"),
    st.Page("app_pages/separable_convolutions.py", title="Separable convolutions", icon="🪶"),
    st.Page("app_pages/transfer_learning.py", title="Transfer learning", icon="🔁"),
    st.Page("app_pages/exercises.py", title="The week's exercises", icon="🏋️"),
    practice,
    live_class,
    summary,
]
page = st.navigation(pages)
st.session_state.pop(quiz.APP_RERUN, None)  # this full run shows what a quiz check changed
checking.warm_up(wait=False)  # the answer checker's workers load SymPy while the page draws

PRESET = "_preset_applied"  # the last practice link applied, so a rerun doesn't apply it again
asked = (st.query_params.get("question"), st.query_params.get("seed"))
if asked != (None, None) and st.session_state.get(PRESET) != asked:
    st.session_state[PRESET] = asked
    preset = bank.practice_preset(*asked)
    if preset:
        quiz.open_in_practice(*preset)
    else:
        st.warning(
            "This link's question or seed could not be used, so another question is shown.",
            icon="🔗",
        )

if st.query_params.get("lecture") == "1":
    st.session_state.setdefault(lecture.LECTURE, True)
st.sidebar.toggle(
    "Lecture mode",
    key=lecture.LECTURE,
    help="For a projector: larger text, formulas and charts; answers and solutions wait for "
    "your click; calculators derive one step per click. Link with ?lecture=1.",
)
lecture.style()
quiz.sidebar_summary()

# What each page imports that the background imports may be loading: nothing new for home,
# practice and the live class, pandas and Altair for the summary, torch for the rest
# (ui/runtime.py says why it waits).
stage = {home: None, practice: None, live_class: None, summary: "ui"}.get(page, "torch")
if stage and runtime.prewarming(stage):
    with st.spinner("Loading the libraries for this page (once per server start, a few seconds)…"):
        runtime.await_prewarm(stage)
try:
    if stage == "torch":  # a topic page: at most RUN_SLOTS of them draw at once (ui/runtime.py)
        with runtime.run_slot():
            page.run()
    else:
        page.run()
finally:  # after the first page is drawn, torch and the topic modules load in the background
    runtime.prewarm()
