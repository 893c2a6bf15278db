"""Pages are layout: they place the readings core hands them and neither format nor compute.

The scan reads each page's syntax tree for what formatting and computing look like in Python: a
format spec in an f-string (`{x:.1%}`), a call to fmt, format, round, max, min, sorted or sum, and
arithmetic other than `+` (which joins prose and tuples of links).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "app_pages").glob("*.py"))
FORMATTING_CALLS = {"fmt", "format", "round", "max", "min", "sorted", "sum"}
ARITHMETIC = (ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)


def computing(source: str) -> list[str]:
    """Each place in a page's source that formats or computes, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            found.append(f"{node.lineno}: a format spec in an f-string")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in FORMATTING_CALLS:
                found.append(f"{node.lineno}: a call to {name}()")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC):
            found.append(f"{node.lineno}: arithmetic ({type(node.op).__name__})")
        elif isinstance(node, ast.AugAssign) and isinstance(node.op, ARITHMETIC):
            found.append(f"{node.lineno}: arithmetic ({type(node.op).__name__}=)")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_page_places_readings_without_formatting_or_computing(page):
    assert computing(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        'st.markdown(f"{share:.1%}")',
        'st.markdown(f"{fmt(x)}")',
        "deepest = max(depths)",
        "st.progress(solved / total)",
        "'{}'.format(x)",
    ],
)
def test_the_scan_finds_formatting_and_computing(line):
    assert computing(line)


def test_the_scan_lets_prose_links_and_placed_readings_through():
    assert computing('links.restore(A + B, PAGE)\nst.markdown(f"only {reading} " + "left")') == []
