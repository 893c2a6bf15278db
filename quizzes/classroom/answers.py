"""A student's answer in class, judged once when sent: what the store keeps and the tally counts.

The same checker as every quiz box (bank.Variant.check) gives the verdict and its reading; the
meaning key (checking.meaning) groups answers that mean the same value; the slip's name
(bank.Variant.slip) lets the host count slips. A choice question's answer is the option's text,
its own key. Left out: storing (store.py) and counting (tally.py).
"""

from __future__ import annotations

from quizzes import bank, checking
from quizzes.classroom.store import Judged

RETRY = (checking.BUSY, checking.INTERNAL)  # the checker's own trouble: judge again, store nothing
UNREAD = "reading:"  # a readable answer the meaning could not be found for, keyed by its reading


def judge(variant: bank.Variant, text: str, session: str | None = None) -> Judged | None:
    """Judge a student's text for the class; None when the checker was busy (send it again)."""
    q = variant.question
    verdict = variant.check(text, session=session)
    if verdict.message in RETRY:
        return None
    if q.kind == "choice":
        chosen = text if text in variant.options else None
        return Judged(text, chosen, chosen, verdict.correct, verdict.message, variant.slip(verdict))
    key = None
    if verdict.interpreted is not None:
        key = checking.meaning(
            text, variant.expected, variables=q.variables, rel_tol=q.rel_tol, session=session
        ) or (UNREAD + verdict.interpreted)
    return Judged(
        text.strip(),
        verdict.interpreted,
        key,
        verdict.correct,
        verdict.message,
        variant.slip(verdict),
    )
