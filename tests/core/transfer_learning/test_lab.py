"""The fine-tuning lab on tiny configurations: strategies, determinism, limits, the CLI."""

import json
import threading
import time
from dataclasses import asdict, replace

import pytest
import torch

from core.training import LIVE_LOCK
from core.transfer_learning import formulas, lab, models
from core.transfer_learning.lab import LabConfig, lab_problem, run_lab
from core.transfer_learning.weights import fallback_backbone

TINY = dict(per_class=2, steps=12, evaluations=2)


@pytest.fixture(scope="module")
def backbone():
    return fallback_backbone()


@pytest.fixture(scope="module")
def feature_extraction(backbone):
    return run_lab(LabConfig("A", per_class=5, seed=0), backbone=backbone)


def test_pretrained_features_beat_training_from_scratch_on_five_images_per_class(
    backbone, feature_extraction
):
    scratch = run_lab(LabConfig("scratch", per_class=5, seed=0, steps=60), backbone=backbone)
    assert feature_extraction["final_accuracy"] > scratch["final_accuracy"] + 0.2


def test_feature_extraction_trains_only_the_head(feature_extraction):
    assert feature_extraction["trainable_parameters"] == formulas.head_params(models.SMALL_LAST, 5)


def test_feature_extraction_once_warm_takes_under_five_seconds(backbone):
    warm = run_lab(LabConfig("A", per_class=5, seed=1), backbone=backbone)
    assert warm["seconds"] < 5  # about 0.2 s on a quiet machine


def test_a_run_reports_a_curve_ending_at_the_last_step(feature_extraction):
    assert feature_extraction["curve"][-1]["step"] == LabConfig().steps


def test_the_same_seed_gives_the_same_curve(backbone):
    first = run_lab(LabConfig("C", seed=4, **TINY), backbone=backbone)
    second = run_lab(LabConfig("C", seed=4, **TINY), backbone=backbone)
    assert first["curve"] == second["curve"]


def test_partial_fine_tuning_trains_the_last_blocks_and_the_head(backbone):
    result = run_lab(LabConfig("B", unfrozen_blocks=3, **TINY), backbone=backbone)
    derived = formulas.table_trainable(
        models.SMALL_SETTING, models.SMALL_STEM, models.SMALL_LAST, 3, 5
    )
    assert result["trainable_parameters"] == derived


def test_partial_fine_tuning_uses_discriminative_rates(backbone):
    result = run_lab(LabConfig("B", head_lr=1e-3, decay=0.1, **TINY), backbone=backbone)
    assert [g["lr"] for g in result["groups"]] == pytest.approx([1e-3, 1e-4, 1e-5])


def test_unfreezing_no_blocks_under_b_is_feature_extraction_with_one_group(backbone):
    result = run_lab(LabConfig("B", unfrozen_blocks=0, **TINY), backbone=backbone)
    assert len(result["groups"]) == 1 and result["trainable_parameters"] == 256 * 5 + 5


def test_unfreezing_every_block_under_b_trains_everything(backbone):
    blocks = len(backbone.model.features)
    result = run_lab(LabConfig("B", unfrozen_blocks=blocks, **TINY), backbone=backbone)
    assert result["trainable_parameters"] == result["total_parameters"]


def test_progressive_unfreezing_adds_the_blocks_to_the_same_optimiser(backbone):
    result = run_lab(LabConfig("progressive", **TINY), backbone=backbone)
    assert result["unfrozen_at_step"] == 4
    assert [g["modules"] for g in result["groups"]][0] == "classifier"
    assert len(result["groups"]) == 3


def test_a_run_never_changes_the_shared_backbone(backbone):
    before = {k: v.clone() for k, v in backbone.model.state_dict().items()}
    run_lab(LabConfig("C", **TINY), backbone=backbone)
    after = backbone.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_a_run_past_its_time_limit_stops_and_says_so(backbone):
    result = run_lab(LabConfig("C", per_class=2, steps=500, time_limit_s=0.5), backbone=backbone)
    assert result["stopped_early"] and result["steps_done"] < 500


def test_a_run_reports_seconds_and_peak_memory(backbone):
    result = run_lab(LabConfig("A", **TINY), backbone=backbone)
    assert result["seconds"] > 0 and result["peak_memory_mb"] > 100


def test_a_run_waiting_for_another_calls_on_wait_first(backbone):
    calls = []
    LIVE_LOCK.acquire()
    releaser = threading.Timer(0.3, LIVE_LOCK.release)
    releaser.start()
    run_lab(LabConfig("A", **TINY), on_wait=lambda: calls.append(time.time()), backbone=backbone)
    releaser.join()
    assert len(calls) == 1


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"strategy": "D"}, "Unknown strategy"),
        ({"per_class": 0}, "at least one"),
        ({"per_class": 251}, "do not exist"),
        ({"unfrozen_blocks": 12}, "0 to 11 blocks"),
        ({"unfrozen_blocks": -1}, "0 to 11 blocks"),
        ({"decay": 0.0}, "(0, 1]"),
        ({"decay": 1.2}, "(0, 1]"),
        ({"head_lr": 0.0}, "above 0"),
        ({"groups": 0}, "groups"),
        ({"steps": 5}, "steps"),
        ({"seed": -1}, "seed"),
    ],
)
def test_every_bad_setting_gets_one_sentence(changes, words):
    assert words in lab_problem(LabConfig(**changes), blocks=11)


def test_a_bad_setting_raises_its_sentence(backbone):
    with pytest.raises(ValueError, match="do not exist"):
        run_lab(LabConfig(per_class=300), backbone=backbone)


def test_the_cli_prints_a_result_as_json(capsys):
    lab.main(["--strategy", "A", "--per-class", "2", "--seed", "0", "--json", "--fallback"])
    result = json.loads(capsys.readouterr().out)
    assert result["config"]["strategy"] == "A" and 0 <= result["final_accuracy"] <= 1


def test_the_table_summarises_mean_and_spread_over_seeds(backbone):
    table = lab.run_table(
        sizes=(2,), seeds=(0, 1), strategies=("A",), base=LabConfig(steps=12), backbone=backbone
    )
    (row,) = table["summary"]
    accuracies = [run["final_accuracy"] for run in table["runs"]]
    assert row["mean"] == pytest.approx(sum(accuracies) / 2, abs=1e-4)
    assert (row["low"], row["high"]) == (min(accuracies), max(accuracies))


def test_the_shipped_table_was_made_with_todays_lab_settings():
    table_base = replace(LabConfig(), time_limit_s=lab.TABLE_TIME_LIMIT_S)
    assert lab.load_table()["config"] == asdict(table_base)


def test_no_shipped_run_stopped_at_its_time_limit():
    runs = lab.load_table()["runs"]
    assert runs and not any(run["stopped_early"] for run in runs)


def test_a_shipped_cell_reproduces_live(backbone):
    cell = ("A", 10, 0)
    shipped = next(
        r for r in lab.load_table()["runs"] if (r["strategy"], r["per_class"], r["seed"]) == cell
    )
    live = run_lab(LabConfig(*cell), backbone=backbone)
    assert (live["curve"], live["final_accuracy"]) == (shipped["curve"], shipped["final_accuracy"])


def test_findings_read_the_smallest_size_and_scratch_at_the_two_largest():
    means = {("A", 2): 0.11, ("B", 2): 0.12, ("C", 2): 0.13, ("scratch", 5): 0.35}
    means[("scratch", 9)] = 0.39
    summary = [
        {"strategy": s, "per_class": n, "mean": means.get((s, n), 0.5)}
        for s in ("A", "B", "C", "scratch")
        for n in (9, 2, 5)
    ]
    found = lab.findings({"config": {"steps": 10, "batch_size": 4}, "summary": summary})
    assert (found.fewest.value, found.larger.value, found.largest.value) == (2, 5, 9)
    assert (found.a.value, found.b.value, found.c.value) == (0.11, 0.12, 0.13)
    assert (found.scratch_larger.value, found.scratch_largest.value) == (0.35, 0.39)
    assert found.images_seen.value == 40


def test_what_the_page_says_about_the_shipped_table_holds():
    found = lab.findings()
    assert found.c.value >= found.b.value and abs(found.b.value - found.a.value) < 0.02
    assert found.scratch_larger.text == found.scratch_largest.text


def test_the_progressive_run_switches_once_a_third_of_the_way_through():
    tip = lab.progressive()
    assert (tip.switch_step.value, tip.steps.value) == (67, 200)
    assert "lr=0.001" in tip.code and "'lr': 1e-4" in tip.code


def test_a_live_run_stopped_early_says_its_figure_is_not_the_tables(backbone):
    result = run_lab(LabConfig("C", per_class=2, steps=500, time_limit_s=0.5), backbone=backbone)
    shown = lab.live_results([result])
    assert shown.finals[0]["steps"] == f"{result['steps_done']} of 500"
    assert len(shown.notes) == 1 and "not what the shipped table" in shown.notes[0]


def test_a_live_run_that_trains_every_step_gets_no_note(feature_extraction):
    assert lab.live_results([feature_extraction]).notes == []


def test_choosing_no_strategy_or_a_bad_size_gets_one_sentence():
    assert lab.live_problem(lab.live_configs([], 10, 0)) == "Pick at least one strategy."
    assert "do not exist" in lab.live_problem(lab.live_configs(["A", "B"], 300, 0))
