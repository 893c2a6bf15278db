"""The capacity curve's knee, rows and chart, from made-up points (bench/protocol runs them)."""

from bench import capacity


def _point(students, p95, errors=0, lost=0):
    return {"students": students, "actions": 100, "errors": errors, "lost": lost, "p95_s": p95,
            "cpu_s_per_action": 0.05, "peak_memory_mb": 900 + students}  # fmt: skip


def test_the_knee_is_the_most_students_within_the_p95_budget_with_nothing_lost():
    points = [_point(10, 0.4), _point(50, 1.2), _point(100, 2.9), _point(150, 3.5)]
    assert capacity.knee(points) == 100
    points[2] = _point(100, 0.9, lost=1)
    assert capacity.knee(points) == 50
    assert capacity.knee([_point(10, 9.0)]) is None
    assert capacity.knee([_point(10, 0.4), _point(150, 0.6, lost=1), _point(200, 0.9)]) == 10


def test_each_point_gives_three_rows_with_the_issues_targets():
    curve = {"class": {"points": [_point(150, 0.6)], "knee": 150}}
    rows = capacity.figures(curve)
    assert [(r.group, r.label, r.target) for r in rows] == [
        ("capacity class 150", "p95", 1.0),
        ("capacity class 150", "CPU per action", None),
        ("capacity class 150", "peak memory", 1500),
    ]


def test_a_class_point_with_its_refresh_cost_gets_a_fourth_row_held_to_5_ms():
    measured = _point(150, 0.6) | {"refresh_cpu_ms": 1.5}
    rows = capacity.figures({"class": {"points": [measured], "knee": 150}})
    assert [(r.label, r.value, r.unit, r.target) for r in rows[3:]] == [
        ("CPU per refresh", 1.5, "ms", 5.0)
    ]
    assert capacity.table({"class": {"points": [measured]}}).splitlines()[-1].endswith("| 1.5 |")


def test_the_chart_draws_every_point_and_marks_each_knee():
    curve = {
        "selfstudy": {"points": [_point(10, 0.4), _point(50, 4.0)], "knee": 10},
        "class": {"points": [_point(10, 0.5), _point(50, 0.8)], "knee": 50},
    }
    drawn = capacity.svg(curve)
    assert drawn.count("<circle") == 3 * 4
    assert "knee 10" in drawn and "knee 50" in drawn


def test_rerunning_one_scenario_keeps_the_other_scenarios_curve(tmp_path, monkeypatch):
    monkeypatch.setattr(capacity, "RESULTS", tmp_path / "capacity.json")
    monkeypatch.setattr(capacity, "CHART", tmp_path / "capacity.svg")
    monkeypatch.setattr(capacity, "ROOT", tmp_path)
    kept = {"selfstudy": {"points": [_point(10, 0.4)], "knee": 10}}
    capacity.RESULTS.write_text(capacity.json.dumps(kept))
    rerun = {"class": {"points": [_point(10, 0.2)], "knee": 10}}
    monkeypatch.setattr(capacity, "measure", lambda scenarios, students: rerun)
    assert capacity.main(["--scenarios", "class", "--students", "10"]) == 0
    assert capacity.json.loads(capacity.RESULTS.read_text()) == kept | rerun
