"""Pretraining the fallback backbone: a tiny run and what the shipped record holds."""

import pytest
import torch

from core.transfer_learning import pretrain, weights
from core.transfer_learning.data import SOURCE_CLASSES


@pytest.fixture(scope="module")
def tiny():
    torch.set_num_threads(1)
    config = pretrain.PretrainConfig(per_class=4, epochs=2, batch_size=16, test_per_class=2)
    return pretrain.pretrain(config)


def test_a_tiny_pretraining_records_one_history_row_per_epoch(tiny):
    _, record = tiny
    assert [row["epoch"] for row in record["history"]] == [1, 2]


def test_the_pretrained_model_has_a_head_for_every_source_class(tiny):
    model, _ = tiny
    assert model.classifier[-1].out_features == len(SOURCE_CLASSES)


def test_the_record_names_the_command_and_the_torch_version(tiny):
    _, record = tiny
    assert record["command"] == weights.PRETRAIN_COMMAND and record["torch"] == torch.__version__


def test_the_shipped_backbone_scores_over_85_percent_on_held_out_source_images():
    assert weights.fallback_record()["test_accuracy"] > 0.85
