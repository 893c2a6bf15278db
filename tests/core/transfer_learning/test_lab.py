"""The fine-tuning lab on tiny configurations: strategies, determinism, limits, the CLI."""

import json
import threading
import time

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
