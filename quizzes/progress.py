"""A student's progress: per-question records, per-topic summaries, JSON export and import.

Pure Python with no Streamlit, so it is easy to test; the widget keeps the record in
`st.session_state` under a key no widget owns. An imported file is untrusted: it is size-limited,
parsed as JSON only, and validated field by field against the schema below before anything is
replaced; a bad file raises ProgressError with one sentence and changes nothing.

Schema (version 1):
    {"app": "modern-cnns-tutor", "version": 1,
     "questions": {"<question id>": {"attempts": int >= 0, "solved": bool,
                                     "hints_used": int >= 0, "first_try": bool}}}
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace

APP = "modern-cnns-tutor"
VERSION = 1
MAX_BYTES = 200_000  # the whole bank's record is a few kB; anything far larger is not ours
MAX_COUNT = 10_000  # attempts or hints beyond this are not a real student's


class ProgressError(ValueError):
    """An imported progress file that cannot be used; the message is shown to the student."""


@dataclass(frozen=True)
class Record:
    """What one student has done with one question."""

    attempts: int = 0
    solved: bool = False
    hints_used: int = 0
    first_try: bool = False


Progress = dict[str, Record]


def record_attempt(progress: Progress, question_id: str, correct: bool) -> Progress:
    """Count one checked answer; a first correct answer on the first attempt counts as first-try."""
    old = progress.get(question_id, Record())
    new = replace(
        old,
        attempts=old.attempts + 1,
        solved=old.solved or correct,
        first_try=old.first_try or (correct and old.attempts == 0 and old.hints_used == 0),
    )
    return {**progress, question_id: new}


def record_hint(progress: Progress, question_id: str) -> Progress:
    """Count one hint revealed."""
    old = progress.get(question_id, Record())
    return {**progress, question_id: replace(old, hints_used=old.hints_used + 1)}


def summary(progress: Progress, questions: Iterable[tuple[str, str]]) -> dict[str, dict]:
    """Per topic: questions, attempted, solved, first-try; `questions` is (id, topic) pairs."""
    out: dict[str, dict] = {}
    for qid, topic in questions:
        row = out.setdefault(topic, {"questions": 0, "attempted": 0, "solved": 0, "first_try": 0})
        rec = progress.get(qid, Record())
        row["questions"] += 1
        row["attempted"] += rec.attempts > 0
        row["solved"] += rec.solved
        row["first_try"] += rec.first_try
    return out


def solved_groups(progress: Progress, groups: Mapping[object, Iterable[str]]) -> list[object]:
    """The groups (exercises) whose every question is solved."""
    return [
        name
        for name, ids in groups.items()
        if all(progress.get(qid, Record()).solved for qid in ids)
    ]


@dataclass(frozen=True)
class Tally:
    """How many of a pool of questions are solved: a share for a progress bar, and its words."""

    share: float  # solved / questions, 0 for an empty pool
    text: str


def tally(progress: Progress, pool: Iterable[str]) -> Tally:
    """The solved share of the given question ids, worded for the practice page."""
    ids = list(pool)
    solved = sum(progress.get(qid, Record()).solved for qid in ids)
    share = solved / len(ids) if ids else 0.0
    return Tally(share, f"{solved} of {len(ids)} solved in these topics")


def loaded_message(loaded: Progress, skipped: int) -> str:
    """What an import says once it has replaced the record: how much it read and skipped."""
    plural = "" if len(loaded) == 1 else "s"
    note = f" {skipped} entries for questions this app no longer has were skipped."
    return f"Loaded progress for {len(loaded)} question{plural}.{note if skipped else ''}"


def export_json(progress: Progress) -> bytes:
    """The record as a small, stable JSON document."""
    doc = {
        "app": APP,
        "version": VERSION,
        "questions": {qid: asdict(rec) for qid, rec in sorted(progress.items())},
    }
    return json.dumps(doc, indent=2).encode("utf-8")


def import_json(data: bytes, known_ids: Iterable[str]) -> tuple[Progress, int]:
    """Parse and validate an exported file; return the record and the count of unknown ids."""
    if len(data) > MAX_BYTES:
        raise ProgressError(f"That file is too large ({len(data):,} bytes) to be a progress file.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: ints over 4300 digits
        raise ProgressError(
            "That file is not valid JSON, so it can't be a progress file."
        ) from None
    if not isinstance(doc, Mapping) or doc.get("app") != APP:
        raise ProgressError("That JSON file was not exported by this app.")
    if type(doc.get("version")) is not int or doc["version"] != VERSION:  # true == 1 in Python
        raise ProgressError(f"That progress file has version {doc.get('version')!r}; expected 1.")
    entries = doc.get("questions")
    if not isinstance(entries, Mapping):
        raise ProgressError("That progress file has no 'questions' table.")
    known = set(known_ids)
    progress: Progress = {}
    skipped = 0
    for qid, entry in entries.items():
        if qid not in known:
            skipped += 1
            continue
        progress[qid] = _record(qid, entry)
    return progress, skipped


def _record(qid: str, entry: object) -> Record:
    if not isinstance(entry, Mapping) or set(entry) != set(Record.__dataclass_fields__):
        raise ProgressError(f"The entry for '{qid}' does not have the expected fields.")
    counts = (entry["attempts"], entry["hints_used"])
    flags = (entry["solved"], entry["first_try"])
    if not all(type(c) is int and 0 <= c <= MAX_COUNT for c in counts):
        raise ProgressError(f"The entry for '{qid}' has a count that is not a small whole number.")
    if not all(type(f) is bool for f in flags):
        raise ProgressError(f"The entry for '{qid}' has a yes/no field that is not true or false.")
    record = Record(**entry)
    if (record.solved or record.first_try) and record.attempts == 0:
        raise ProgressError(f"The entry for '{qid}' is solved without any attempt.")
    if record.first_try and not record.solved:
        raise ProgressError(f"The entry for '{qid}' is first-try but not solved.")
    return record


def next_question(
    progress: Progress, pool: list[str], current: str | None, rng: random.Random
) -> str | None:
    """A question from the pool, preferring unsolved ones and never repeating the current one."""
    others = [qid for qid in pool if qid != current]
    unsolved = [qid for qid in others if not progress.get(qid, Record()).solved]
    candidates = unsolved or others or pool
    return rng.choice(candidates) if candidates else None
