"""A student's progress: per-question records, per-topic summaries, JSON export and import.

Pure Python with no Streamlit, so it is easy to test; the widget keeps the record in
`st.session_state` under a key no widget owns. An imported file is untrusted: it is size-limited,
parsed as JSON only, and validated field by field against the schema below before anything is
replaced; a bad file raises ProgressError with one sentence and changes nothing.

Schema (version 2):
    {"app": "modern-cnns-tutor", "version": 2,
     "questions": {"<question id>": {"attempts": int >= 0, "solved": bool,
                                     "hints_used": int >= 0, "first_try": bool,
                                     "slips": {"<slip name>": int >= 1, ...}}}}
Version 2 added `slips` (how often each named slip was made, bank.Variant.slip), so a class
report can count them; files of version 1 (no slips) still import, with no slips.
`class_report` adds up several students' records (an instructor's drop of exported files) per
question; nothing of it is stored.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

APP = "modern-cnns-tutor"
VERSION = 2
READS = (1, VERSION)  # versions import_json accepts (1 has no slips)
MAX_BYTES = 200_000  # the whole bank's record is a few kB; anything far larger is not ours
MAX_COUNT = 10_000  # attempts or hints beyond this are not a real student's
MAX_SLIPS = 50  # distinct slips kept per question
MAX_SLIP_CHARS = 200  # a slip's name is a short clause
FIELDS = ("attempts", "solved", "hints_used", "first_try")  # version 1's fields, in order


class ProgressError(ValueError):
    """An imported progress file that cannot be used; the message is shown to the student."""


@dataclass(frozen=True)
class Record:
    """What one student has done with one question."""

    attempts: int = 0
    solved: bool = False
    hints_used: int = 0
    first_try: bool = False
    slips: tuple[tuple[str, int], ...] = ()  # (slip name, times made), sorted by name


Progress = dict[str, Record]


def record_attempt(
    progress: Progress, question_id: str, correct: bool, slip: str | None = None
) -> Progress:
    """Count one checked answer and the slip it made, if named.

    A first correct answer on the first attempt counts as first-try.
    """
    old = progress.get(question_id, Record())
    slips, name = dict(old.slips), (slip or "")[:MAX_SLIP_CHARS]
    if name and (name in slips or len(slips) < MAX_SLIPS):
        slips[name] = min(slips.get(name, 0) + 1, MAX_COUNT)
    new = replace(
        old,
        attempts=old.attempts + 1,
        solved=old.solved or correct,
        first_try=old.first_try or (correct and old.attempts == 0 and old.hints_used == 0),
        slips=tuple(sorted(slips.items())),
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


def class_report(records: Iterable[Progress]) -> dict[str, dict]:
    """Per question, over several students: attempted, solved, and each slip's student count."""
    out: dict[str, dict] = {}
    for record in records:
        for qid, rec in record.items():
            row = out.setdefault(qid, {"attempted": 0, "solved": 0, "slips": Counter()})
            row["attempted"] += rec.attempts > 0
            row["solved"] += rec.solved
            row["slips"].update(name for name, _ in rec.slips)
    return out


def _entry(record: Record) -> dict:
    return {name: getattr(record, name) for name in FIELDS} | {"slips": dict(record.slips)}


def export_json(progress: Progress) -> bytes:
    """The record as a small, stable JSON document."""
    doc = {
        "app": APP,
        "version": VERSION,
        "questions": {qid: _entry(rec) for qid, rec in sorted(progress.items())},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


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
    if type(doc.get("version")) is not int or doc["version"] not in READS:  # true == 1 in Python
        raise ProgressError(
            f"That progress file has version {doc.get('version')!r}; expected 1 or {VERSION}."
        )
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
        progress[qid] = _record(qid, entry, doc["version"])
    return progress, skipped


def _slips(qid: str, slips: object, attempts: int) -> tuple[tuple[str, int], ...]:
    """A version-2 entry's slips, validated: short names, small counts, no more than attempts."""
    bad = ProgressError(f"The entry for '{qid}' has slips that are not short names with counts.")
    if not isinstance(slips, Mapping) or len(slips) > MAX_SLIPS:
        raise bad
    for name, count in slips.items():
        if not (0 < len(name) <= MAX_SLIP_CHARS and type(count) is int and count > 0):
            raise bad
    if sum(slips.values()) > attempts:
        raise ProgressError(f"The entry for '{qid}' has more slips than attempts.")
    return tuple(sorted(slips.items()))


def _record(qid: str, entry: object, version: int) -> Record:
    fields = set(FIELDS) | ({"slips"} if version >= 2 else set())
    if not isinstance(entry, Mapping) or set(entry) != fields:
        raise ProgressError(f"The entry for '{qid}' does not have the expected fields.")
    counts = (entry["attempts"], entry["hints_used"])
    flags = (entry["solved"], entry["first_try"])
    if not all(type(c) is int and 0 <= c <= MAX_COUNT for c in counts):
        raise ProgressError(f"The entry for '{qid}' has a count that is not a small whole number.")
    if not all(type(f) is bool for f in flags):
        raise ProgressError(f"The entry for '{qid}' has a yes/no field that is not true or false.")
    slips = _slips(qid, entry["slips"], entry["attempts"]) if version >= 2 else ()
    record = Record(*(entry[name] for name in FIELDS), slips=slips)
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
