"""The live class: one question on the projector, an answer from every phone, the slips counted.

Plain Python over a SQLAlchemy engine (SQLite or PostgreSQL); it never imports Streamlit, so two
app servers on one PostgreSQL share a class and nothing lives only in a process. Modules:
- `store.py`: the Store (every read and write, one transaction each) and its records;
- `schema.py`: the tables, created and versioned by the app;
- `keys.py`: class codes, host secrets and student tokens (kept as hashes);
- `answers.py`: a student's text judged once, by the same checker as every quiz box;
- `tally.py`: bars by meaning, slips, advice, and the end-of-class report;
- `settings.py`: limits and retention, with their defaults.

Contract the page relies on:
    Store(engine, settings=None) ; start() -> Hosted(code, secret)
    ask / close / reveal / clear / end (code, secret, ...)   host actions, the secret checked
    join(code, source, nickname) -> token ; student(code, token) -> Student | None
    answer(code, token, asked_id, judged, sent_at) -> revision   an upsert
    state(code) -> ClassState | None   the poll's one query ; live(code, asked_id) -> Live
    history(code, secret) -> [(Asked, answers)] ; purge() -> classes deleted
Refused carries a sentence for the user; Unavailable means the database was busy or away and
nothing was written (an answer is then kept by the page and sent again).
"""

from quizzes.classroom.answers import judge
from quizzes.classroom.settings import Settings
from quizzes.classroom.store import (
    Answer,
    Asked,
    ClassState,
    Hosted,
    Judged,
    Live,
    Refused,
    Store,
    Student,
    Unavailable,
)
from quizzes.classroom.tally import Bar, ReportRow, Tally, count, csv_text, numbers, report

__all__ = [
    "Answer",
    "Asked",
    "Bar",
    "ClassState",
    "Hosted",
    "Judged",
    "Live",
    "Refused",
    "ReportRow",
    "Settings",
    "Store",
    "Student",
    "Tally",
    "Unavailable",
    "count",
    "csv_text",
    "judge",
    "numbers",
    "report",
]
