"""Every chart says what it shows: a summary sentence beside it and its data one click away."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHARTED = sorted(  # the pages that draw a figure; the others draw no chart at all
    f"app_pages/{p.name}"
    for p in (ROOT / "app_pages").glob("*.py")
    if "show.figure(" in p.read_text()
)
REVEALS = {  # charts that wait for a prediction: how a student gets to see them
    "app_pages/skip_connections.py": lambda at: at.button(key="deg_reveal").click().run(),
    "app_pages/separable_convolutions.py": lambda at: (
        at.number_input(key="sep_predict")
        .set_value(100)
        .run()
        .toggle(key="sep_reveal")
        .set_value(True)
        .run()
    ),
}


def charts_and_figures(node, figure=None, found=None):
    """Each chart on the page with the figure block it sits in (None when it has none)."""
    found = [] if found is None else found
    key = getattr(node, "key", None) or ""
    if key.startswith("figure-"):
        figure = node
    if getattr(node, "type", None) == "vega_lite_chart":
        found.append(figure)
    for child in getattr(node, "children", {}).values():
        charts_and_figures(child, figure, found)
    return found


def has_caption(block) -> bool:
    if type(block).__name__ == "Caption" and block.value.strip().endswith("."):
        return True
    return any(has_caption(c) for c in getattr(block, "children", {}).values())


@pytest.mark.parametrize("page", CHARTED)
def test_every_chart_has_a_summary_sentence(open_page, page):
    at = open_page(page)
    if page in REVEALS:
        REVEALS[page](at)
        assert not at.exception, at.exception
    figures = charts_and_figures(at.main)
    assert figures, f"{page} drew no chart"
    assert all(f is not None and has_caption(f) for f in figures), page


def test_no_page_draws_a_chart_except_through_ui_show():
    direct = ("st.vega_lite_chart", "st.altair_chart", "st.line_chart", "st.bar_chart", "st.pyplot")
    for page in (ROOT / "app_pages").glob("*.py"):
        text = page.read_text()
        assert not any(call in text for call in direct), page.name
