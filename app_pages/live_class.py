"""Live class: the host's projector view and every student's phone view of one live question.

Layout only: the rules are quizzes.classroom's, the polls, identity and sending ui.classroom's.
Widget keys a load driver may press (stable across runs):
- landing: `live_code` + `live_join` (join by typed code), `live_nicknames` + `live_start`;
- join link of a class with nicknames: `live_nickname` + `live_nickname_join`;
- student: the answer box `live:<asked id>:answer`, `live:<asked id>:check` (Send) and
  `live:<asked id>:preview`, where <asked id> is the question asked's id in the database;
- host: `live_topic`, `live_question`, `live_numbers`, `live_seed`, `live_countdown`,
  `live_open` (ask and open answering), `live_close`, `live_reveal`, `live_next`, `live_end`,
  `live_open_queued` / `live_discard` (a question queued by an Ask the class button),
  `live_report_csv`, `live_progress_files`.
"""

import random
import time
from functools import partial

import streamlit as st

from quizzes import bank, checking, classroom
from quizzes.classroom import keys
from ui import classroom as live
from ui import quiz

COUNTDOWNS = (0, 30, 60, 90, 120, 180)  # seconds; 0: none
PREVIEWS = "_live_previews"  # asked id -> the checker's reading of the text, before sending

st.title("Live class")
store = live.store()
if store is None:
    st.stop()
role = live.identity()


def retention_note() -> None:
    st.caption(
        f"Classes and their answers are deleted {live.retention()} days after "
        "they start. Students need no account: a link is their seat."
    )


# ---------------------------------------------------------------------------- arriving


def landing() -> None:
    st.markdown(
        "The instructor asks one question on the projector; everyone answers from their phone "
        "with the same answer box as the rest of the app, and the room's answers appear grouped "
        "by what they mean."
    )
    join_by_code()
    st.divider()
    st.subheader("Teach a class")
    asking = live.queued()
    if asking:
        st.info(f"Start a class to ask *{asking[0].question.title}* on the numbers you set.")
    nicknames = st.toggle(
        "Ask students for a nickname", key="live_nicknames", help="Off: you see counts only."
    )
    if st.button("Start a class", type="primary", key="live_start"):
        refusal = live.start(nicknames)
        if refusal:
            st.warning(refusal)
        else:
            st.rerun()


def join_by_code() -> None:
    st.subheader("Join a class")
    with st.form("live_join_form", border=False):
        typed = st.text_input(
            "Class code", max_chars=12, placeholder="e.g. ACE 379", key="live_code"
        )
        pressed = st.form_submit_button("Join", type="primary", key="live_join")
    if pressed:
        arrive(typed)


def arrive(code: str) -> None:
    """Join by a code: straight in, or to the nickname form of a class that asks for one."""
    state, refusal = live.find(code)
    if refusal:
        st.warning(refusal)
        return
    if state.nicknames:
        live.become(**{"class": state.code})
        st.rerun()
    refusal = live.join(state.code)
    if refusal:
        st.warning(refusal)
        return
    st.rerun()


def join_link(code: str) -> None:
    """Opened from a join link or QR code: a nickname first if the class asks, else join."""
    state, refusal = live.find(code)
    if refusal:
        st.warning(refusal)
        live.leave()
        join_by_code()
        return
    if not state.nicknames:
        arrive(code)
        return
    st.markdown(
        f"Class **{keys.shown(state.code)}** asks for a nickname, which the instructor sees."
    )
    with st.form("live_nickname_form", border=False):
        name = st.text_input(
            "Nickname", max_chars=store.settings.nickname_chars, key="live_nickname"
        )
        pressed = st.form_submit_button("Join", type="primary", key="live_nickname_join")
    if pressed:
        refusal = live.join(state.code, name)
        if refusal:
            st.warning(refusal)
        else:
            st.rerun()


# ------------------------------------------------------------------------------ student


@st.fragment(run_every=store.settings.student_poll_s)
def watch_as_student(code: str, token: str) -> None:
    """The student's poll: nothing drawn unless the class changed or a pending answer moved."""
    now = time.time()
    try:
        state = live.class_state(code)
    except classroom.Unavailable:
        return
    moved = live.retry_pending(code, token) or live.outcome_unshown(st.session_state, state, now)
    if moved or live.changed(state, now):
        if state is not None and state.asked is not None:
            live.record_reveal(state, token)
        st.rerun()


def _preview(asked: classroom.Asked, answer_key: str) -> None:
    text = st.session_state.get(answer_key) or ""
    st.session_state.setdefault(PREVIEWS, {})[asked.id] = asked.variant().interpret(text)


def _send(code: str, token: str, asked: classroom.Asked, answer_key: str) -> None:
    st.session_state.setdefault(PREVIEWS, {}).pop(asked.id, None)
    live.send(code, token, asked, answer_key)


@st.fragment
def answer_box(code: str, token: str, asked: classroom.Asked) -> None:
    variant = asked.variant()
    quiz.answer_form(
        variant,
        f"live:{asked.id}",
        partial(_send, code, token, asked),
        partial(_preview, asked),
        check_label="Send",
    )
    quiz.show_preview(st.session_state.get(PREVIEWS, {}).get(asked.id))
    outcome, detail = st.session_state.get(live.SENT, {}).get(asked.id, (None, None))
    if outcome == "pending":
        st.info("Your answer is saved and will be sent as soon as the class is reachable.")
    elif outcome == "refused":
        st.warning(detail)
    elif outcome == "busy":
        st.warning(f"{checking.BUSY} Press Send again.")
    elif outcome == "empty":
        st.warning("Type an answer first.")
    elif outcome == "stored":
        sent(detail, variant)
    else:
        try:
            mine = store.mine(asked.id, token)
        except classroom.Unavailable:
            live.out_of_reach()
            return
        if mine is not None:
            sent(mine, variant)
    live.outcome_shown(asked.id)


def sent(judged: classroom.Judged, variant: bank.Variant) -> None:
    """What the student's last answer was read as: never whether it is right, before the reveal."""
    if judged.reading is None:
        st.warning(f"{judged.message} Change it and send again.", icon="✋")
    elif variant.question.kind == "choice":
        st.success("Sent. You can change it until answering closes.", icon="📨")
    else:
        st.success(
            f"Sent: we read ${judged.reading}$. You can change it until answering closes.",
            icon="📨",
        )


def revealed(asked: classroom.Asked, token: str) -> None:
    variant = asked.variant()
    mine = store.mine(asked.id, token)
    if mine is None:
        st.info("You didn't answer this one.")
    elif mine.reading is None:
        st.warning(f"Your last answer couldn't be read: {mine.message}")
    else:
        typed = variant.question.kind != "choice"
        quiz.show_verdict(
            checking.Verdict(mine.correct, mine.message, mine.reading if typed else None), False
        )
    st.markdown(f"**Answer:** {variant.answer_text()}")
    quiz.solution(variant)


def student_view(code: str, token: str) -> None:
    now = time.time()
    try:
        state = live.class_state(code)
        student = None if state is None else store.student(code, token)
    except classroom.Unavailable:
        live.out_of_reach()
        watch_as_student(code, token)
        return
    live.saw(state, now)
    watch_as_student(code, token)
    if state is None or student is None:
        st.warning("This link is not for a running class; ask your instructor for the code.")
        live.leave()
        join_by_code()
        return
    st.caption(f"Class {keys.shown(code)}")
    if student.nickname:
        st.text(f"Your nickname: {student.nickname}")
    if state.ended(now, store.settings):
        st.success("This class has ended. Thank you for taking part!")
        return
    asked = state.asked
    if asked is None:
        st.info("Waiting for the instructor's question…", icon="⏳")
        return
    variant = asked.variant()
    st.markdown(f"**Question {asked.position}: {variant.question.title}**")
    st.markdown(variant.prompt)
    phase = asked.phase(now)
    if phase == "open":
        if asked.closes_at is not None:
            st.caption(f"Answering closes in about {live.seconds_left(asked, now)} s.")
        answer_box(code, token, asked)
        return
    try:
        if phase == "closed":
            closed(asked, token)
        else:
            live.record_reveal(state, token)
            revealed(asked, token)
    except classroom.Unavailable:
        live.out_of_reach()


def closed(asked: classroom.Asked, token: str) -> None:
    mine = store.mine(asked.id, token)
    if mine is not None:
        sent(mine, asked.variant())
    st.info("Answering is closed. Wait for the reveal.", icon="🔒")


# --------------------------------------------------------------------------------- host


@st.fragment(run_every=store.settings.host_poll_s)
def watch_as_host(code: str) -> None:
    """The host's live panel: joined and answered counts, bars by meaning, slips, unreadable."""
    now = time.time()
    try:
        state = live.class_state(code)
        asked = None if state is None else state.asked
        tally = live.live_tally(code, None if asked is None else asked.id)
    except classroom.Unavailable:
        st.warning("The class database is out of reach; the counts come back when it does.")
        return
    if live.changed(state, now):
        st.rerun()
    shown = asked is not None and asked.phase(now) == "revealed"
    row = st.columns(3)
    row[0].metric("Joined", tally.joined)
    if asked is None:
        return
    row[1].metric("Answered", tally.answered)
    row[2].metric(
        "Correct",
        live.share_correct(tally, shown),
        help="Hidden until you reveal, so the room isn't steered.",
    )
    if asked.phase(now) == "open" and asked.closes_at is not None:
        st.caption(f"Answering closes in {live.seconds_left(asked, now)} s.")
    for bar in tally.bars:
        mark = (" ✅" if bar.correct else " ❌") if shown else ""
        st.markdown(f"{bar.label}: **{bar.count}**{mark}")
        st.progress(live.bar_fraction(bar, tally))
    if tally.slips:
        st.markdown("**Slips named by the checker**")
        for name, n in tally.slips:
            st.markdown(f"- {name}: **{n}**")
    if tally.unreadable:
        st.markdown(f"**Unreadable: {tally.unreadable}.** The checker's most common advice:")
        st.text(tally.advice)


def join_panel(code: str, secret: str) -> None:
    join, host = live.links(code, secret)
    left, right = st.columns(2)
    left.markdown("Scan the code, go to the link, or type the class code:")
    left.title(keys.shown(code), anchor=False)  # large enough to read from the back row
    left.code(join, language=None, wrap_lines=True)
    right.image(live.qr_png(join), caption="Join this class", width="stretch")
    with st.expander("Your host link (keep it private)"):
        st.markdown(
            "Open it on another device, or after a restart, to carry on hosting this class. "
            "This page's address holds it too: project in full screen (F11), without the "
            "address bar."
        )
        st.code(host, language=None)


def queued_question(code: str, secret: str) -> None:
    asking = live.queued()
    if not asking:
        return
    variant, question_id = asking
    with st.container(border=True):
        st.markdown(f"**From the page you were on:** {variant.question.title}, {variant.setup()}")
        st.markdown(variant.prompt)
        row = st.container(horizontal=True)
        if row.button("Open answering", type="primary", key="live_open_queued"):
            st.session_state.pop(live.ASKING, None)
            live.host_action("ask", code, secret, question_id=question_id, given=variant.given)
            st.rerun()
        if row.button("Discard", key="live_discard"):
            st.session_state.pop(live.ASKING, None)
            st.rerun()


def picker(code: str, secret: str) -> None:
    st.subheader("Ask a question")
    topic = st.selectbox("Topic", list(bank.TOPICS), format_func=bank.TOPICS.get, key="live_topic")
    questions = {q.id: q for q in bank.by_topic(topic)}
    question_id = st.selectbox(
        "Question", list(questions), format_func=lambda i: questions[i].title, key="live_question"
    )
    seed = 0
    if questions[question_id].randomised:
        numbers = st.radio(
            "Numbers",
            ["course", "new"],
            format_func={"course": "The course's numbers", "new": "New numbers"}.get,
            horizontal=True,
            key="live_numbers",
        )
        if numbers == "new":
            st.session_state.setdefault("live_seed", random.randrange(1, 1_000_000))
            seed = st.number_input("Variant", 1, 999_999, key="live_seed")
    seconds = st.selectbox(
        "Countdown",
        COUNTDOWNS,
        format_func=lambda s: "None: close it yourself" if s == 0 else f"{s} s",
        key="live_countdown",
    )
    with st.container(border=True):
        st.markdown(bank.variant(question_id, seed).prompt)
    st.button(
        "Open answering",
        type="primary",
        key="live_open",
        on_click=live.host_action,
        args=("ask", code, secret),
        kwargs={"question_id": question_id, "seed": int(seed), "seconds": seconds or None},
    )


def current_question(code: str, secret: str, asked: classroom.Asked, now: float) -> None:
    variant = asked.variant()
    st.subheader(f"Question {asked.position}: {variant.question.title}")
    st.caption(f"On {classroom.numbers(asked)}.")
    st.markdown(variant.prompt)
    phase = asked.phase(now)
    args = (code, secret)
    row = st.container(horizontal=True)
    if phase == "open":
        row.button(
            "Close answering", key="live_close", on_click=live.host_action, args=("close", *args)
        )
    if phase != "revealed":
        row.button(
            "Reveal",
            type="primary",
            key="live_reveal",
            on_click=live.host_action,
            args=("reveal", *args),
        )
    watch_as_host(code)
    if phase == "revealed":
        st.markdown(f"**Answer:** {variant.answer_text()}")
        quiz.solution(variant)
        st.button(
            "Next question",
            type="primary",
            key="live_next",
            on_click=live.host_action,
            args=("clear", *args),
        )


def report(code: str, secret: str) -> None:
    st.subheader("Class report")
    try:
        rows = classroom.report(store.history(code, secret))
    except (classroom.Refused, classroom.Unavailable) as error:
        st.warning(str(error))
        return
    if not rows:
        st.info("No question has been asked yet.")
    for row in rows:
        st.markdown(live.report_line(row))
    if rows:
        st.download_button(
            "Download the report (CSV)",
            classroom.csv_text(rows),
            file_name=f"live-class-{code}.csv",
            mime="text/csv",
            key="live_report_csv",
        )
    self_study()


def self_study() -> None:
    st.markdown(
        "**The same for self-study.** Drop students' exported progress files here (Practice "
        "page, *Download progress*) to see, per question, how many attempted and solved it and "
        "which slips they made. Nothing you drop here is stored."
    )
    uploads = st.file_uploader(
        "Progress files", type=["json"], accept_multiple_files=True, key="live_progress_files"
    )
    if not uploads:
        return
    rows, problems = live.report_files(uploads)
    for problem in problems:
        st.warning(problem)
    for heading, slips in live.file_report(rows):
        st.markdown(heading)
        for slip in slips:
            st.text(slip)  # names come from files: shown as text, never Markdown


def host_view(code: str, secret: str) -> None:
    try:
        host = store.is_host(code, secret)
        state = live.class_state(code) if host else None
    except classroom.Unavailable:
        st.info("The class database is out of reach for a moment; reload to try again.")
        return
    if not host or state is None:
        st.warning("This host link is not valid, or its class has been deleted.")
        live.leave()
        return
    now = time.time()
    live.saw(state, now)
    error = live.host_error()
    if error:
        st.warning(error)
    st.markdown(f"### Class {keys.shown(code)}")
    if state.ended(now, store.settings):
        st.info("This class has ended; its report stays readable through your host link.")
        report(code, secret)
        return
    asked = state.asked
    with st.expander("How to join: the link, the QR code and the class code", expanded=not asked):
        join_panel(code, secret)
    if asked is None:
        watch_as_host(code)
    else:
        current_question(code, secret, asked, now)
    if asked is None or asked.phase(now) == "revealed":
        queued_question(code, secret)
        picker(code, secret)
    st.divider()
    with st.expander("Class report so far"):
        report(code, secret)
    st.button(
        "End the class", key="live_end", on_click=live.host_action, args=("end", code, secret)
    )


if role.get("host"):
    host_view(role["class"], role["host"])
elif role.get("student"):
    student_view(role["class"], role["student"])
elif role.get("class"):
    join_link(role["class"])
else:
    landing()
retention_note()
