"""The live class's Streamlit side: the store, the shared polls, who a session is, sent answers.

- The store is built once per server from `st.connection("class_db", type="sql")`: the URL in
  `.streamlit/secrets.toml` under `[connections.class_db]` (PostgreSQL through psycopg, with
  pre-ping and a connect timeout) or, without one, a SQLite file at `[live_class] sqlite_path`
  (default `var/live_class.sqlite` in the repository, gitignored).
- Polls. A student's view is drawn in full only when the class changes: a fragment runs every
  Settings.student_poll_s (1.5 s), reads the class's one row through a cache shared by every
  session on this server (STATE_TTL_S), compares its signature (host actions and the countdown)
  with the one drawn, and asks for a full rerun only when they differ; an unchanged tick draws
  nothing. Average delay from the host's click to the question on a phone: poll / 2 +
  STATE_TTL_S / 2, about 1 s; at most poll + STATE_TTL_S + one rerun, about 2.2 s. 150 students
  make 100 ticks a second; a tick costs what an empty fragment costs (Streamlit's own run,
  measured 10-12 ms of CPU here), so a deployer short of CPU raises `student_poll_s` in
  `[live_class]`. The host's panel refreshes every Settings.host_poll_s (2 s) from a tally
  cached for LIVE_TTL_S, so it is at most about 3 s behind. The database stays the only source
  of truth: caches hold copies for under a second, and no thread writes into a session.
- Who a session is lives in the URL's query parameters (`class`, `host` or `student`), copied
  into session state so a page change keeps them, and written back when the page is opened
  again: a reload, a dropped connection or a restarted server rejoins the same host or student.
- An answer the database could not take (locked, unreachable) stays in the session as pending,
  with the time it was sent; the student's poll sends it again each tick until it is stored.
Left out: layout (app_pages/live_class.py) and every rule of the class (quizzes.classroom).
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import segno
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.numbers import Figure, Percent, Reading
from quizzes import bank, classroom, progress
from quizzes.classroom import keys
from ui import quiz
from ui.ask import ASKING

ROOT = Path(__file__).resolve().parents[1]
URL_PATH = "live_class"
STATE_TTL_S = 0.5  # the class row shared by every session on this server
LIVE_TTL_S = 1.0  # the host's tally shared by every host tab on this server
PG_CONNECT_TIMEOUT_S = 5  # an unreachable PostgreSQL fails fast rather than hanging a poll
QR_SCALE = 12  # pixels per QR module: about 450 px for a join link, readable across a hall

ROLE = "_live_role"  # {"class": code, "host": secret} or {"class": code, "student": token}
SEEN = "_live_seen"  # the class signature this session last drew
PENDING = "_live_pending"  # asked id -> (Judged, sent at): answers still to be stored
SENT = "_live_sent"  # asked id -> (outcome, detail) of the last answer sent, for its box
RECORDED = "_live_recorded"  # asked ids already counted in this session's progress
UNSHOWN = "_live_unshown"  # the asked id whose last Send no run has drawn the outcome of yet
HOST_ERROR = "_live_host_error"  # the last host action's refusal, shown after the rerun
PARAMS = ("class", "host", "student")


def settings() -> classroom.Settings:
    """The limits from `[live_class]` in secrets.toml, else the defaults."""
    raw = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    return classroom.Settings.from_mapping(raw.get("live_class", {}))


def _engine_options() -> dict:
    """st.connection's arguments: the secrets' database, or the SQLite file."""
    raw = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    given = raw.get("connections", {}).get("class_db")
    if given:
        options: dict = {"pool_pre_ping": True}
        if "postgres" in str(given.get("url", given.get("dialect", ""))):
            options["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
        return options
    path = ROOT / settings().sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"url": f"sqlite:///{path}"}


@st.cache_resource(show_spinner="Opening the class database…")
def _store() -> classroom.Store:
    connection = st.connection("class_db", type="sql", **_engine_options())
    return classroom.Store(connection.engine, settings())


def store() -> classroom.Store | None:
    """The server's store; None after saying on the page why it could not be opened."""
    try:
        return _store()
    except classroom.Unavailable as error:
        st.error(f"{error} The live class can't start until it can; reload to try again.")
    except ValueError as error:  # a bad [live_class] setting
        st.error(f"The live class's settings have a mistake: {error}")
    return None


class _Shared:
    """fn's value per argument, shared by every session on this server for `ttl` seconds.

    The poll's read, without st.cache_data's hashing and pickling on every hit (a third of the
    poll's own code): the records are frozen dataclasses, safe to hand to every session as is.
    A read that fails (Unavailable) is not kept.
    """

    def __init__(self, fn, ttl: float, max_entries: int) -> None:
        self._fn, self._ttl, self._max = fn, ttl, max_entries
        self._values: dict[tuple, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def __call__(self, *args):
        now = time.monotonic()
        hit = self._values.get(args)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        value = self._fn(*args)
        with self._lock:
            if len(self._values) >= self._max:
                self._values.pop(min(self._values, key=lambda k: self._values[k][0]))
            self._values[args] = (now, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def _class_state(code: str) -> classroom.ClassState | None:
    """The class's row, shared by every session on this server for STATE_TTL_S."""
    return _store().state(code)


class_state = _Shared(_class_state, STATE_TTL_S, 1000)


@st.cache_data(ttl=LIVE_TTL_S, show_spinner=False, max_entries=200)
def live_tally(code: str, asked_id: int | None) -> classroom.Tally:
    """The host's counts of the question on screen, shared by host tabs for LIVE_TTL_S."""
    state = _store().state(code)
    live = _store().live(code, asked_id)
    if state is None or state.asked is None or state.asked.id != asked_id:
        return classroom.count((), "number", 0.0, live.joined)
    q = state.asked.variant().question
    return classroom.count(live.answers, q.kind, q.rel_tol, live.joined)


# ------------------------------------------------------------------------------ identity


def identity() -> dict:
    """Who this session is in which class, from the URL or, after a page change, the session."""
    given = {name: st.query_params.get(name) for name in PARAMS}
    given = {name: value for name, value in given.items() if value}
    if given.get("class"):
        role = st.session_state.get(ROLE, {})
        if role.get("class") != given["class"]:  # a join link of this class keeps its seat
            role = {}
        st.session_state[ROLE] = role | given
    role = st.session_state.get(ROLE, {})
    for name, value in role.items():
        if st.query_params.get(name) != value:
            st.query_params[name] = value
    return role


def become(**role: str) -> None:
    """Make this session a host or a student of a class, in the session and the URL."""
    st.session_state[ROLE] = role
    st.query_params.clear()
    st.query_params.update(role)
    st.session_state.pop(SEEN, None)


def leave() -> None:
    """Forget the class in this session and its URL."""
    st.session_state.pop(ROLE, None)
    st.query_params.clear()


def links(code: str, secret: str | None = None) -> tuple[str, str | None]:
    """The join link and, for the host, the host link (absolute where the browser said where)."""
    base = (st.context.url or "").rstrip("/").removesuffix(f"/{URL_PATH}")
    join = f"{base}/{URL_PATH}?class={code}"
    return join, None if secret is None else f"{join}&host={secret}"


@st.cache_data(show_spinner=False, max_entries=100)
def qr_png(link: str) -> bytes:
    """A QR code of a link, as a PNG large enough to scan from the back of a hall."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


def saw(state: classroom.ClassState | None, now: float) -> None:
    """Remember what this session drew, so the poll knows when to redraw.

    A full run calls this first, so it leaves UNSHOWN alone: the run may still be cut short
    before the answer box draws the last Send's outcome; only the box drawing it
    (`outcome_shown`), or the question closing (`outcome_unshown`), settles it.
    """
    st.session_state[SEEN] = None if state is None else state.signature(now, _store().settings)


def out_of_reach() -> None:
    """Say the class can't be read now; the poll redraws the view once it can."""
    st.info("The class is out of reach for a moment; this page keeps trying.", icon="📡")
    st.session_state.pop(SEEN, None)


def changed(state: classroom.ClassState | None, now: float) -> bool:
    """Whether the class differs from what this session drew."""
    signature = None if state is None else state.signature(now, _store().settings)
    return signature != st.session_state.get(SEEN)


# ------------------------------------------------------------------------------ students


def _address() -> str | None:
    """The student's address where Streamlit knows it (not on localhost): it limits joins."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def find(code: str) -> tuple[classroom.ClassState | None, str | None]:
    """A running class by a typed code, or the refusal to show (a wrong code is counted)."""
    try:
        return _store().find(code, _address()), None
    except (classroom.Refused, classroom.Unavailable) as error:
        return None, str(error)


def join(code: str, nickname: str | None = None) -> str | None:
    """Join a class as a student; returns the refusal to show, or None after joining."""
    try:
        token = _store().join(code, _address(), nickname)
    except (classroom.Refused, classroom.Unavailable) as error:
        return str(error)
    become(**{"class": keys.normal_code(code) or code, "student": token})
    return None


def send(code: str, token: str, asked: classroom.Asked, answer_key: str) -> None:
    """Judge and store an answer (the Send button); what happened is kept for the box."""
    text = st.session_state.get(answer_key) or ""
    st.session_state[UNSHOWN] = asked.id  # until the box draws what became of it
    sent = st.session_state.setdefault(SENT, {})
    if not str(text).strip():
        sent[asked.id] = ("empty", None)
        return
    judged = classroom.judge(asked.variant(), str(text), session=quiz.session())
    if judged is None:
        sent[asked.id] = ("busy", None)
        return
    sent[asked.id] = _store_answer(code, token, asked.id, judged, time.time())


def _store_answer(code: str, token: str, asked_id: int, judged, sent_at: float) -> tuple:
    """Store an answer; a database that could not take it keeps it pending in the session."""
    pending = st.session_state.setdefault(PENDING, {})
    try:
        _store().answer(code, token, asked_id, judged, sent_at)
    except classroom.Unavailable:
        pending[asked_id] = (judged, sent_at)
        return ("pending", judged)
    except classroom.Refused as refusal:
        pending.pop(asked_id, None)
        return ("refused", str(refusal))
    pending.pop(asked_id, None)
    return ("stored", judged)


def outcome_shown(asked_id: int) -> None:
    """The answer box has drawn what became of the last Send."""
    if st.session_state.get(UNSHOWN) == asked_id:
        del st.session_state[UNSHOWN]


def outcome_unshown(
    session, state: classroom.ClassState | None, now: float, poll_alone: bool | None = None
) -> bool:
    """Whether the poll should redraw the view: a Send's outcome was kept but never drawn, on a
    question still open.

    A run that took the Send can end before it reaches the box (a full rerun asked for in the
    meantime cuts it short). The answer is stored, but the phone would not say "Sent" until the
    host moved on, so the poll redraws the view until the box has drawn it. A run that drew the
    box but whose messages Streamlit then dropped is mended in `ui.runtime.keep_finished_runs`.
    `session`: st.session_state. `poll_alone`: whether this is the poll's own fragment run (by
    default, Streamlit's run context says); the poll inside a full run asks for nothing, as the
    box is drawn further down that run.
    """
    asked_id = session.get(UNSHOWN)
    if asked_id is None:
        return False
    asked = None if state is None or state.ended(now, _store().settings) else state.asked
    if asked is not None and asked.id == asked_id and asked.phase(now) == "open":
        return _fragment_run() if poll_alone is None else poll_alone
    session.pop(UNSHOWN, None)  # the view that follows shows the stored answer itself
    return False


def _fragment_run() -> bool:
    """Whether the script run under way is a fragment's own run, not the whole page's."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def retry_pending(code: str, token: str) -> bool:
    """Send the answers still pending; whether any was stored or refused since."""
    pending = st.session_state.get(PENDING) or {}
    moved = False
    for asked_id, (judged, sent_at) in list(pending.items()):
        outcome = _store_answer(code, token, asked_id, judged, sent_at)
        if outcome[0] != "pending":
            st.session_state.setdefault(SENT, {})[asked_id] = outcome
            moved = True
    return moved


def record_reveal(state: classroom.ClassState, token: str) -> None:
    """Count a revealed question in the student's own progress, once, with its last answer."""
    asked = state.asked
    done = st.session_state.setdefault(RECORDED, set())
    if asked is None or asked.revealed_at is None or asked.id in done:
        return
    try:
        mine = _store().mine(asked.id, token)
    except classroom.Unavailable:  # counted on a later look
        return
    done.add(asked.id)
    if mine is None or mine.reading is None:
        return
    record = progress.record_attempt(
        quiz.get_progress(), asked.question_id, mine.correct, mine.slip
    )
    quiz.set_progress(record)


# ---------------------------------------------------------------------------------- host


def host_action(action: str, code: str, secret: str, **options) -> None:
    """Run a host action (open, close, reveal, clear, end); a refusal is shown after the rerun."""
    try:
        getattr(_store(), action)(code, secret, **options)
    except (classroom.Refused, classroom.Unavailable) as error:
        st.session_state[HOST_ERROR] = str(error)
    class_state.clear()
    live_tally.clear()


def host_error() -> str | None:
    """The last host action's refusal, once."""
    return st.session_state.pop(HOST_ERROR, None)


def start(nicknames: bool) -> str | None:
    """Start a class and become its host; returns the refusal to show, or None."""
    try:
        hosted = _store().start(nicknames=nicknames)
    except (classroom.Refused, classroom.Unavailable) as error:
        return str(error)
    become(**{"class": hosted.code, "host": hosted.secret})
    return None


def queued() -> tuple[bank.Variant, str] | None:
    """The question an Ask the class button queued: its variant and its id."""
    asking = st.session_state.get(ASKING)
    if not asking:
        return None
    question_id, given = asking
    return bank.variant(question_id, 0, given), question_id


def report_files(uploads) -> tuple[dict, list[str]]:
    """Several students' progress files added up; and a sentence per file that was refused."""
    records, problems = [], []
    for upload in uploads:
        try:
            record, _ = progress.import_json(upload.getvalue(), bank.bank().keys())
        except progress.ProgressError as error:
            problems.append(f"{upload.name}: {error}")
            continue
        records.append(record)
    return progress.class_report(records), problems


# ------------------------------------------------------------------ readings for the page
# The page places these and formats nothing (tests/app_pages/test_layout_only.py).


def retention() -> Reading:
    """How many days a class is kept, as the page says it."""
    return Figure(settings().retention_days)


def seconds_left(asked: classroom.Asked, now: float) -> Reading:
    """Whole seconds until answering closes (never below 0)."""
    left = max(0.0, (asked.closes_at or now) - now)
    return Reading(left, f"{left:.0f}")


def share_correct(tally: classroom.Tally, shown: bool) -> str:
    """The Correct metric: the share once revealed, a dash before (the room isn't steered)."""
    return str(Percent(tally.share, 0)) if shown and tally.share is not None else "—"


def bar_fraction(bar, tally: classroom.Tally) -> float:
    """A meaning's bar as a share of the answers, for st.progress."""
    return bar.count / tally.answered if tally.answered else 0.0


def report_line(row: classroom.ReportRow) -> str:
    """One question of the class report as a Markdown sentence."""
    share = "no answers" if row.share is None else f"{Percent(row.share, 0)} correct"
    slips = "; ".join(f"{name} ({n})" for name, n in row.slips) or "none named"
    return (
        f"**{row.position}. {row.title}** ({row.numbers}): {row.answered} answered, "
        f"{share}, {row.unreadable} unreadable. Top slips: {slips}."
    )


def file_report(rows: dict) -> list[tuple[str, list[str]]]:
    """The progress-file report in bank order: a heading, its counts and its slips (as text)."""
    out = []
    for question_id, row in sorted(rows.items()):
        heading = (
            f"**{bank.bank()[question_id].title}**: {row['attempted']} attempted, "
            f"{row['solved']} solved"
        )
        slips = [f"    {name}: {n}" for name, n in row["slips"].most_common()]
        out.append((heading, slips))
    return out
