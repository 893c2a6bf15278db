"""The bench report's pure logic: targets met, the 25% comparison, the one table, the JSON."""

import json

import pytest

from bench import report
from bench.report import Figure


def fig(value, target=None, better="lower", unit="s", group="page", label="cold render", note=""):
    return Figure(group, label, value, unit, target, better, note)


# ---------------------------------------------------------------- met or not


@pytest.mark.parametrize(
    ("value", "target", "better", "expected"),
    [
        (2.9, 3.0, "lower", True),
        (3.0, 3.0, "lower", True),  # a target is a bound that may be reached
        (3.1, 3.0, "lower", False),
        (0.9, 0.8, "higher", True),
        (0.8, 0.8, "higher", True),
        (0.7, 0.8, "higher", False),
        (3.1, None, "lower", None),  # no target: nothing to meet
        (None, 3.0, "lower", None),  # not measured: neither met nor missed
    ],
)
def test_met(value, target, better, expected):
    assert report.met(fig(value, target, better)) is expected


# ---------------------------------------------------------------- the 25% comparison


def test_worse_by_lower_is_better():
    assert report.worse_by(100, 131) == pytest.approx(0.31)
    assert report.worse_by(100, 90) == pytest.approx(-0.10)


def test_worse_by_higher_is_better():
    assert report.worse_by(100, 69, "higher") == pytest.approx(0.31)
    assert report.worse_by(100, 131, "higher") == pytest.approx(-0.31)


def test_regression_flags_a_lower_is_better_figure_more_than_25_percent_worse():
    flag = report.regression({"value": 1.0}, fig(1.31))
    assert flag == "⚠ 31% worse than last committed (1.00 s → 1.31 s)"
    assert report.regression({"value": 1.0}, fig(1.25)) is None  # exactly 25%: not more
    assert "25.4% worse" in report.regression({"value": 213}, fig(267, unit="ms"))
    assert report.regression({"value": 1.0}, fig(1.2)) is None
    assert report.regression({"value": 1.0}, fig(0.5)) is None  # better


def test_regression_flags_a_higher_is_better_figure_that_fell():
    flag = report.regression({"value": 100}, fig(70, better="higher", unit="ms"))
    assert flag == "⚠ 30% worse than last committed (100 ms → 70.0 ms)"
    assert report.regression({"value": 100}, fig(130, better="higher", unit="ms")) is None
    assert report.regression({"value": 100}, fig(80, better="higher", unit="ms")) is None


def test_regression_names_where_the_previous_figures_came_from():
    flag = report.regression({"value": 1.0}, fig(2.0), than="last run on disk")
    assert flag == "⚠ 100% worse than last run on disk (1.00 s → 2.00 s)"


@pytest.mark.parametrize("previous", [None, {}, {"value": None}])
def test_no_previous_figure_flags_nothing(previous):
    assert report.regression(previous, fig(99.0)) is None


def test_a_figure_not_measured_now_flags_nothing():
    assert report.regression({"value": 1.0}, fig(None)) is None


def test_zero_previous():
    # lower is better: anything above zero is worse by no finite share, and is flagged
    flag = report.regression({"value": 0}, fig(5.0))
    assert flag == "⚠ worse than last committed (0.000 s → 5.00 s)"
    assert report.regression({"value": 0}, fig(0.0)) is None
    # higher is better: nothing at or above zero is worse than zero
    assert report.regression({"value": 0}, fig(5.0, better="higher")) is None
    assert report.regression({"value": 0}, fig(0.0, better="higher")) is None


# ---------------------------------------------------------------- the table


FIGURES = [
    fig(1.234, 3.0, group="home", label="cold render"),
    fig(31.0, 150.0, unit="ms", group="home", label="warm rerun p50"),
    fig(9.5, 5.0, group="skip_connections", label="cold render"),
    fig(None, 12.0, group="skip_connections", label="live run", note="failed: boom"),
    fig(1234.0, 1500.0, unit="MB", group="memory", label="peak after the tour"),
    fig(0.8, 0.5, better="higher", unit="ms", group="other", label="a higher one"),
]


def test_table_has_a_header_a_rule_and_every_row_in_order():
    lines = report.table(FIGURES).splitlines()
    assert lines[0].split()[:2] == ["page", "/"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + len(FIGURES)
    for line, figure in zip(lines[2:], FIGURES, strict=True):
        assert figure.label in line


def test_table_columns_are_aligned():
    lines = report.table(FIGURES).splitlines()
    header = lines[0]
    starts = [header.index(column) for column in report.COLUMNS]
    assert starts == sorted(starts)
    cells = report.rows(FIGURES, {})
    for line, row in zip(lines[2:], cells, strict=True):
        for start, cell in zip(starts, row, strict=True):
            assert line[start : start + len(cell)] == cell, (line, cell)
    rule = lines[1]
    assert [i for i in range(1, len(rule)) if rule[i] == "-" and rule[i - 1] == " "] == starts[1:]


def test_table_cells_say_value_target_and_whether_met():
    home, rerun, skip, live, memory, higher = report.rows(FIGURES, {})
    assert home == ("home", "cold render", "1.23 s", "≤ 3.00 s", "yes", "")
    assert rerun[:2] == ("", "warm rerun p50")  # the page's name on its first row only
    assert skip == ("skip_connections", "cold render", "9.50 s", "≤ 5.00 s", "NO", "")
    assert live == ("", "live run", "not measured", "≤ 12.00 s", "n/a", "failed: boom")
    assert memory[2:5] == ("1,234 MB", "≤ 1,500 MB", "yes")
    assert higher[3:5] == ("≥ 0.5 ms", "yes")


def test_table_flags_a_regression_on_its_row():
    previous = {"skip_connections.cold_render": {"value": 5.0}, "home.cold_render": {"value": 1.2}}
    lines = report.table(FIGURES, previous).splitlines()
    assert "⚠ 90% worse than last committed (5.00 s → 9.50 s)" in lines[4]
    assert "⚠" not in "".join(lines[:4] + lines[5:])


def test_summary_counts_targets_met_missed_unmeasured_and_worse():
    previous = {"skip_connections.cold_render": {"value": 5.0}}
    line = report.summary(FIGURES, previous)
    assert line.startswith("targets met: 4 of 5 (missed: skip_connections cold render)")
    assert "1 not measured" in line
    assert "1 more than 25% worse" in line
    assert report.summary(FIGURES[:2]) == "targets met: 2 of 2"


# ---------------------------------------------------------------- the JSON


def test_json_is_flat_by_figure_name_with_metadata():
    record = report.to_json(FIGURES, {"date": "today", "cpu_count": 2})
    assert record["_meta"] == {"date": "today", "cpu_count": 2}
    assert record["home.warm_rerun_p50"] == {
        "value": 31.0,
        "unit": "ms",
        "target": 150.0,
        "better": "lower",
    }
    assert record["skip_connections.live_run"]["value"] is None
    assert len(record) == 1 + len(FIGURES)
    assert json.loads(json.dumps(record)) == record


def test_json_of_a_run_is_what_the_next_run_compares_with(tmp_path):
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(report.to_json([fig(2.0, 5.0, group="home")], {})))
    previous, source = report.previous(path)  # outside the repository: the file on disk
    assert source == "on disk"
    assert report.regression(previous["home.cold_render"], fig(3.0, group="home"))
    assert report.previous(tmp_path / "missing.json") == ({}, "none")


# ---------------------------------------------------------------- every page gets its rows


def test_every_page_file_is_toured(monkeypatch, tmp_path):
    from bench import tour

    stems = {p.stem for p in (report.ROOT / "app_pages").glob("*.py")}
    assert {p.stem for p in tour.every_page()} == stems
    (tmp_path / "app_pages").mkdir()
    for stem in ("home", "new_topic"):
        (tmp_path / "app_pages" / f"{stem}.py").write_text("")
    monkeypatch.setattr(tour, "ROOT", tmp_path)
    assert [p.stem for p in tour.every_page()] == ["home", "new_topic"]
