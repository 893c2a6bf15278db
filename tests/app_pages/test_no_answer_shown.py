"""Predict, answer, reveal: no page shows a question's answer before the student has answered it.

Every page is opened as a new student would find it (nothing answered, nothing asked to be shown).
For each question box on it, the answer as a page would print it (whole numbers plain and with
thousands separators, decimals to three and four significant figures, shapes as tuples) must not
appear anywhere in the page's text, tables, charts' data or diagrams outside the box's own prompt.
Single digits are too common to be a leak and are left out; so is an answer the prompt itself
states (a question about recognising a given number). A chart's or table's numbers, and the answers
of questions on fresh random numbers, count only when they are distinctive (a decimal, a shape, four
digits or more): short whole numbers meet them by chance.
"""

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest
import sympy as sp

from core.numbers import fmt
from quizzes import bank
from ui import quiz

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py"))
ASKING = {  # the pages that draw question boxes, so the check has answers to look for
    page
    for page in PAGES
    if re.search(r"quiz\.(question|end_of_topic)\(", (ROOT / page).read_text())
}


def renderings(value) -> set[str]:
    """How a page could print this answer."""
    if isinstance(value, tuple):
        inner = ", ".join(fmt(v) for v in value)
        return {f"({inner})", f"[{inner}]"}
    if not isinstance(value, sp.Basic) or not value.is_number:
        return set()
    if value.is_Integer:
        return {str(int(value)), f"{int(value):,}"} if abs(value) >= 10 else set()
    shown = {fmt(value), f"{float(value):.3g}"}
    return {s for s in shown if len(s.strip("-0.")) >= 2}


def page_text(at) -> list[tuple[str, bool]]:
    """Every piece of text a student can see on the page, and whether it is prose (not data)."""
    prose = [
        e.value for kind in ("markdown", "latex", "caption", "code", "text") for e in at.get(kind)
    ]
    prose += [e.value for kind in ("info", "success", "warning", "error") for e in at.get(kind)]
    prose += [e.value for kind in ("title", "header", "subheader") for e in at.get(kind)]
    prose += [chart.proto.spec for chart in at.get("graphviz_chart")]
    data = [df.value.to_csv(index=False) for df in at.dataframe]
    data += [t.value.to_csv(index=False) for t in at.table]
    for chart in at.get("vega_lite_chart"):
        data.append(json.dumps(json.loads(chart.proto.spec)))
        for frame in chart.proto.datasets:
            data.append(pa.ipc.open_stream(frame.data.data).read_pandas().to_csv(index=False))
    return [(t, True) for t in prose] + [(t, False) for t in data]


def shown_questions(at) -> list[bank.Variant]:
    """The question boxes on the page, as the variants they show."""
    seeds = at.session_state.get(quiz.SEEDS, {})
    return [bank.variant(key.rsplit(":", 1)[-1], seed) for key, seed in seeds.items()]


def distinctive(shown: str) -> bool:
    """Whether a rendering is unlikely to turn up by chance in a chart's or table's numbers."""
    return "." in shown or "(" in shown or sum(c.isdigit() for c in shown) >= 4


def leaks(at) -> list[str]:
    """Each answer found on the page outside the question prompts, with where it was seen."""
    variants = shown_questions(at)
    prompts = {v.prompt for v in variants}
    texts = [(t, prose) for t, prose in page_text(at) if t not in prompts]
    found = []
    for variant in variants:
        course_numbers = variant.seed == 0  # fresh numbers can meet a page's numbers by chance
        for shown in renderings(variant.expected):
            if not (course_numbers or distinctive(shown)):
                continue
            pattern = re.compile(rf"(?<![\d.,]){re.escape(shown)}(?![\d]|\.\d|,\d)")
            if pattern.search(variant.prompt):
                continue  # the prompt states it: recognising it is the question
            for text, prose in texts:
                if (prose or distinctive(shown)) and pattern.search(text):
                    found.append(f"{variant.question.id}: {shown!r} in {text[:120]!r}")
    return found


@pytest.mark.parametrize("page", PAGES)
def test_no_answer_is_on_the_page_before_the_student_answers(open_page, page):
    at = open_page(page)
    assert bool(shown_questions(at)) is (page in ASKING), "the question boxes were not found"
    assert leaks(at) == []


def test_the_check_finds_an_answer_printed_on_the_page(open_page):
    at = open_page("app_pages/skip_connections.py")
    variant = bank.variant("vg-depth-threshold", 0)
    at.number_input(key="vg_delta").set_value(float(variant.params["delta"]))
    at.number_input(key="vg_tau").set_value(float(variant.params["tau"])).run()
    assert any(line.startswith("vg-depth-threshold") for line in leaks(at))
