"""Entrypoint: page config, navigation over app_pages/, sidebar with progress and lecture mode."""

import streamlit as st

from quizzes import bank, checking, widget

st.set_page_config(page_title="Modern CNNs tutor", page_icon="🧠", layout="wide")

try:
    bank.bank()
except bank.BankError as error:
    st.error(f"The question bank has a mistake, so the app cannot start: {error}")
    st.stop()

pages = [
    st.Page("app_pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("app_pages/skip_connections.py", title="Skip connections (ResNet)", icon="➕"),
    st.Page("app_pages/separable_convolutions.py", title="Separable convolutions", icon="🪶"),
    st.Page("app_pages/practice.py", title="Practice quiz", icon="📝"),
]
page = st.navigation(pages)
checking.warm_up(wait=False)  # the answer checker's workers load SymPy while the page draws

PRESET = "_preset_applied"  # a shared link's preset is applied once per session
if PRESET not in st.session_state:
    st.session_state[PRESET] = True
    preset = bank.practice_preset(st.query_params.get("question"), st.query_params.get("seed"))
    if preset:
        widget.open_in_practice(*preset)

if st.query_params.get("lecture") == "1":
    st.session_state.setdefault("lecture_mode", True)
lecture = st.sidebar.toggle(
    "Lecture mode", key="lecture_mode", help="Larger text for a projector; link with ?lecture=1"
)
if lecture:
    st.html(
        "<style>html, .stMarkdown, .stMarkdown p, .stMarkdown li {font-size: 1.25rem;}"
        " h1 {font-size: 2.8rem;} h2 {font-size: 2.1rem;}</style>"
    )
widget.sidebar_summary()

page.run()
