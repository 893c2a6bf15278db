"""Counting a class's answers for the host: bars by meaning, named slips, advice, the report.

A bar is every answer whose meaning falls in one cluster (checking.meaning.clusters: values that
agree within the question's tolerance) and that the checker judged alike (right or wrong), so
`0.9^44`, `0.00969` and `0.969%` are one bar, labelled with the reading most of them had. Answers
the checker could not read are counted apart, with its most common advice. Slips are counted by
name (bank.Variant.slip). The report has a row per question asked: answered, share correct,
unreadable and the top slips; `csv_text` writes it for a spreadsheet.
Left out: who may see what (the page hides correctness until the reveal), and Streamlit.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from quizzes.checking.meaning import clusters
from quizzes.classroom.answers import UNREAD
from quizzes.classroom.store import Asked, Judged

TOP_SLIPS = 3  # slips a report row names


@dataclass(frozen=True)
class Bar:
    """Answers that mean one value and were judged alike."""

    label: str  # Markdown: the most common reading as maths, or a choice's option
    count: int
    correct: bool


@dataclass(frozen=True)
class Tally:
    """A question's answers, counted."""

    joined: int
    answered: int
    correct: int
    bars: tuple[Bar, ...]  # most answers first
    slips: tuple[tuple[str, int], ...]  # (name, answers), most common first
    unreadable: int
    advice: str | None  # the checker's most common sentence to the unreadable answers

    @property
    def share(self) -> float | None:
        """The share of answers that are correct (None before any)."""
        return self.correct / self.answered if self.answered else None


def count(answers: Sequence[Judged], kind: str, rel_tol: float, joined: int = 0) -> Tally:
    """Count one question's answers (`kind` and `rel_tol` are the question's)."""
    readable = [a for a in answers if a.reading is not None]
    unreadable = [a for a in answers if a.reading is None]
    key = {id(a): a.meaning or UNREAD + a.reading for a in readable}
    groups = clusters(list(key.values()), rel_tol) if kind != "choice" else []
    group_of = {k: i for i, group in enumerate(groups) for k in group}
    buckets: dict[tuple, list[Judged]] = {}
    for a in readable:
        buckets.setdefault((group_of.get(key[id(a)], key[id(a)]), a.correct), []).append(a)
    bars = []
    for (_, correct), items in buckets.items():
        reading = Counter(a.reading for a in items).most_common(1)[0][0]
        bars.append(Bar(reading if kind == "choice" else f"${reading}$", len(items), correct))
    bars.sort(key=lambda bar: (-bar.count, bar.label))
    advice = Counter(a.message for a in unreadable).most_common(1)
    return Tally(
        joined=joined,
        answered=len(answers),
        correct=sum(a.correct for a in answers),
        bars=tuple(bars),
        slips=tuple(Counter(a.slip for a in answers if a.slip).most_common()),
        unreadable=len(unreadable),
        advice=advice[0][0] if advice else None,
    )


def numbers(asked: Asked) -> str:
    """Which numbers a question was asked on, in words."""
    if asked.given:
        return asked.variant().setup()
    return "the course's numbers" if asked.seed == 0 else f"variant {asked.seed}"


@dataclass(frozen=True)
class ReportRow:
    """One question of a class, counted."""

    position: int
    question_id: str
    title: str
    numbers: str
    answered: int
    correct: int
    unreadable: int
    slips: tuple[tuple[str, int], ...]  # the top TOP_SLIPS

    @property
    def share(self) -> float | None:
        """The share of answers that are correct (None before any)."""
        return self.correct / self.answered if self.answered else None


def report(history: Sequence[tuple[Asked, Sequence[Judged]]]) -> list[ReportRow]:
    """A row per question asked, in order."""
    rows = []
    for asked, answers in history:
        q = asked.variant().question
        tally = count(answers, q.kind, q.rel_tol)
        rows.append(
            ReportRow(
                asked.position,
                q.id,
                q.title,
                numbers(asked),
                tally.answered,
                tally.correct,
                tally.unreadable,
                tally.slips[:TOP_SLIPS],
            )
        )
    return rows


def csv_text(rows: Sequence[ReportRow]) -> str:
    """The report as CSV: a header, then a line per question asked."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["question", "id", "title", "numbers", "answered", "correct", "share correct",
         "unreadable", "top slips"]
    )  # fmt: skip
    for row in rows:
        share = "" if row.share is None else f"{row.share:.2f}"
        slips = "; ".join(f"{name} ({n})" for name, n in row.slips)
        writer.writerow(
            [row.position, row.question_id, row.title, row.numbers, row.answered, row.correct,
             share, row.unreadable, slips]
        )  # fmt: skip
    return out.getvalue()
