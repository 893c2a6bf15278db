"""Practice: a mixed, randomised quiz over the whole bank, plus progress export and import."""

import random

import streamlit as st

from quizzes import bank, progress
from ui import quiz

CURRENT = quiz.PRACTICE_CURRENT
IMPORTED = "_practice_imported"  # file id of the last imported upload, so it is read once
LOADED = "_practice_loaded"  # message to show after the rerun that follows an import

st.title("Practice quiz")
st.markdown(
    "Questions from every topic, each with fresh numbers. Unsolved questions come first; "
    "**Next question** moves on, **New numbers** gives the same question again with other values."
)

topics = st.multiselect(
    "Topics",
    options=list(bank.TOPICS),
    default=bank.topics_with_questions(),
    format_func=bank.TOPICS.get,
    key="practice_topics",
)
pool = bank.pool(topics)
record = quiz.get_progress()

if not pool:
    st.info("Pick at least one topic that has questions.")
else:
    solved = progress.tally(record, pool)
    st.progress(solved.share, text=solved.text)
    if st.session_state.get(CURRENT) not in pool:
        st.session_state[CURRENT] = progress.next_question(record, pool, None, random.Random())
    if st.button("Next question", key="practice_next", type="primary"):
        st.session_state[CURRENT] = progress.next_question(
            record, pool, st.session_state[CURRENT], random.Random()
        )
    qid = st.session_state[CURRENT]
    st.caption(f"Topic: {bank.TOPICS[bank.bank()[qid].topic]}")
    quiz.question(qid, key=quiz.practice_key(qid), course_numbers=False)

st.divider()
st.subheader("Keep your progress")
st.markdown(
    "Progress lives in this browser tab. Download it as a small JSON file and load it again "
    "later (or on another device)."
)
st.download_button(
    "Download progress",
    data=progress.export_json(record),
    file_name="modern-cnns-progress.json",
    mime="application/json",
    key="progress_download",
)
if LOADED in st.session_state:
    st.success(st.session_state.pop(LOADED))
upload = st.file_uploader("Load a progress file", type=["json"], key="progress_upload")
if upload is not None and st.session_state.get(IMPORTED) != upload.file_id:
    st.session_state[IMPORTED] = upload.file_id
    try:
        loaded, skipped = progress.import_json(upload.getvalue(), known_ids=bank.bank().keys())
    except progress.ProgressError as error:
        st.error(f"{error} Your progress was not changed.")
    else:
        quiz.set_progress(loaded)
        st.session_state[LOADED] = progress.loaded_message(loaded, skipped)
        st.rerun()
