"""The backbone loader: the offline path falls back fast, the cached path uses the weights API."""

import json
import os
import time

import numpy as np
import pytest
import torch

from core.transfer_learning import weights
from core.transfer_learning.models import mobilenet_v2


@pytest.fixture
def empty_hub(tmp_path):
    """A torch hub cache with nothing in it, restored afterwards."""
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    yield tmp_path
    torch.hub.set_dir(previous)


def test_offline_the_loader_falls_back_within_3_seconds(empty_hub):
    start = time.perf_counter()
    backbone = weights.load_backbone()
    assert time.perf_counter() - start < 3.0
    assert backbone.source.startswith("fallback")


def test_a_download_that_never_answers_is_abandoned_at_the_timeout(empty_hub, monkeypatch):
    monkeypatch.setattr(weights.socket, "create_connection", lambda *a, **k: time.sleep(30))
    start = time.perf_counter()
    assert weights.fetch_imagenet_weights(connect_timeout=0.5) is None
    assert time.perf_counter() - start < 1.5


def test_weights_in_the_cache_are_loaded_through_torchvisions_weights_api(empty_hub):
    torch.manual_seed(0)
    saved = mobilenet_v2().state_dict()
    path = weights.imagenet_cache_file()
    os.makedirs(path.parent)
    torch.save(saved, path)
    backbone = weights.imagenet_backbone()
    assert backbone.source == "ImageNet (torchvision)"
    assert torch.equal(backbone.model.features[0][0].weight, saved["features.0.0.weight"])


def test_a_broken_cache_file_falls_back(empty_hub):
    path = weights.imagenet_cache_file()
    os.makedirs(path.parent)
    path.write_bytes(b"not a checkpoint")
    assert weights.load_backbone().source.startswith("fallback")


def test_the_banner_names_the_backbone_and_the_command_that_made_it(empty_hub):
    banner = weights.load_backbone().banner()
    assert "small MobileNetV2" in banner and weights.PRETRAIN_COMMAND in banner


def test_fresh_gives_a_copy_that_training_cannot_change_the_shared_model():
    backbone = weights.fallback_backbone()
    copy = backbone.fresh()
    with torch.no_grad():
        copy.features[0][0].weight.add_(1)
    assert not torch.equal(copy.features[0][0].weight, backbone.model.features[0][0].weight)


def test_inputs_are_normalised_and_resized_for_the_backbone():
    backbone = weights.fallback_backbone()
    images = np.full((2, 16, 16, 3), 128, np.uint8)
    x = backbone.inputs(images)
    assert x.shape == (2, 3, 32, 32) and x.abs().max() < 0.01


def test_the_shipped_backbone_is_under_5_mb_and_records_its_command():
    record = json.loads(weights.FALLBACK_RECORD.read_text())
    assert weights.FALLBACK_WEIGHTS.stat().st_size < 5 * 2**20
    assert record["command"].startswith(weights.PRETRAIN_COMMAND)


def test_photo_feature_maps_say_which_backbone_made_them():
    backbone = weights.fallback_backbone()
    maps = weights.photo_feature_maps(backbone)
    assert maps["backbone"] == backbone.name and len(maps["layers"]) == 3
    assert maps["photo"].shape[1] == 4 * backbone.input_size
