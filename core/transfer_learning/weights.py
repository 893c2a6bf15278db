"""The lab's pretrained backbone: ImageNet MobileNetV2 when it can be had, else a shipped one.

`load_backbone()` first looks for torchvision's `MobileNet_V2_Weights.IMAGENET1K_V1` file in the
torch hub cache; if it is not there it tries to download it in a background thread, and gives up
when the server cannot be reached within CONNECT_TIMEOUT_S (offline that is at once, or after 3 s
when the network swallows the request). Then it loads the model through torchvision's weights
API. If any of that fails it loads the small backbone that
`python -m core.transfer_learning.pretrain` pretrained on the generated source set and saved under
data/. The returned `Backbone` says which
one it is (`banner()` is the page's sentence) and how to feed it images.
The model in a Backbone is shared: copy it (`fresh()`) before freezing or training.
It deliberately leaves out training (core.transfer_learning.lab, core.transfer_learning.pretrain).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import MobileNet_V2_Weights

from core.data import DATA_DIR, PHOTO_CREDIT, sample_photo
from core.transfer_learning.data import SIDE, SOURCE_CLASSES
from core.transfer_learning.models import feature_maps, mobilenet_v2, small_mobilenet_v2

IMAGENET_WEIGHTS = MobileNet_V2_Weights.IMAGENET1K_V1
IMAGENET_INPUT = 64  # the 32x32 defect images are upsampled 2x: ImageNet objects are large
CONNECT_TIMEOUT_S = 3.0  # offline, the download attempt gives up within this
DOWNLOAD_TIMEOUT_S = 120.0  # once the server answered, the 14 MB file may take a while
FALLBACK_WEIGHTS = DATA_DIR / "transfer_backbone.pt"
FALLBACK_RECORD = DATA_DIR / "transfer_backbone.json"
PRETRAIN_COMMAND = "python -m core.transfer_learning.pretrain"
FALLBACK_MEAN = (0.5, 0.5, 0.5)  # the generated images, scaled to [0, 1], centred and spread
FALLBACK_STD = (0.25, 0.25, 0.25)


@dataclass(frozen=True)
class Backbone:
    """A pretrained network, where it came from, and how it wants its images."""

    name: str
    source: str
    model: nn.Module  # shared and read-only: fresh() gives a copy to freeze and train
    input_size: int  # images are resized to this many pixels a side
    mean: tuple[float, float, float]
    std: tuple[float, float, float]

    def banner(self) -> str:
        """One sentence for the page: which backbone is in use and where it came from."""
        return f"Backbone in use: {self.name} — {self.source}."

    def fresh(self) -> nn.Module:
        """A private copy of the model, safe to freeze, re-head and train."""
        return copy.deepcopy(self.model)

    def inputs(self, images: np.ndarray) -> torch.Tensor:
        """uint8 images (N, H, W, 3) as the normalised float batch this backbone expects."""
        return normalise(images, self.mean, self.std, self.input_size)


def normalise(images: np.ndarray, mean, std, size: int | None = None) -> torch.Tensor:
    """uint8 images (N, H, W, 3) to floats (N, 3, H, W), resized to size x size if given."""
    x = torch.from_numpy(np.array(images)).permute(0, 3, 1, 2).float() / 255  # (N, 3, H, W)
    if size is not None and x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
    return (x - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def imagenet_cache_file() -> Path:
    """Where torchvision keeps the ImageNet MobileNetV2 weights once downloaded."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(IMAGENET_WEIGHTS.url)


def fetch_imagenet_weights(
    connect_timeout: float = CONNECT_TIMEOUT_S, download_timeout: float = DOWNLOAD_TIMEOUT_S
) -> Path | None:
    """The cached ImageNet weights file, downloading it if the server answers in time; else None."""
    path = imagenet_cache_file()
    if path.exists():
        return path
    answered, reached, finished = threading.Event(), threading.Event(), threading.Event()

    def download() -> None:
        try:
            host = urlparse(IMAGENET_WEIGHTS.url).hostname
            socket.create_connection((host, 443), timeout=connect_timeout).close()
            reached.set()
            answered.set()
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(IMAGENET_WEIGHTS.url, str(path), progress=False)
        except Exception:  # offline, refused, or a broken file: the caller falls back
            pass
        finally:
            answered.set()
            finished.set()

    threading.Thread(target=download, name="imagenet-weights", daemon=True).start()
    if not answered.wait(connect_timeout) or not reached.is_set():
        return None
    finished.wait(download_timeout)
    return path if path.exists() else None


def imagenet_backbone(**timeouts) -> Backbone | None:
    """torchvision's MobileNetV2 with ImageNet weights through its weights API, or None."""
    if fetch_imagenet_weights(**timeouts) is None:
        return None
    try:
        model = mobilenet_v2(weights=IMAGENET_WEIGHTS.name)
    except Exception:  # a truncated or foreign file in the cache
        return None
    model.train(False)
    meta = IMAGENET_WEIGHTS.transforms()
    return Backbone(
        name="MobileNetV2 (torchvision, IMAGENET1K_V1)",
        source="ImageNet (torchvision)",
        model=model,
        input_size=IMAGENET_INPUT,
        mean=tuple(meta.mean),
        std=tuple(meta.std),
    )


def fallback_record() -> dict:
    """What data/transfer_backbone.json says about the shipped fallback backbone."""
    return json.loads(FALLBACK_RECORD.read_text(encoding="utf-8"))


def fallback_backbone() -> Backbone:
    """The small MobileNetV2-style backbone pretrained here on the generated source set."""
    if not FALLBACK_WEIGHTS.exists():
        raise FileNotFoundError(f"No fallback backbone under data/: run `{PRETRAIN_COMMAND}`.")
    model = small_mobilenet_v2(len(SOURCE_CLASSES))
    model.load_state_dict(torch.load(FALLBACK_WEIGHTS, map_location="cpu", weights_only=True))
    model.train(False)
    params = sum(p.numel() for p in model.parameters())
    return Backbone(
        name=f"small MobileNetV2 ({params / 1000:.0f}K parameters)",
        source=(
            "fallback: pretrained here on a generated source set by "
            f"`{PRETRAIN_COMMAND}` (ImageNet weights could not be loaded)"
        ),
        model=model,
        input_size=SIDE,
        mean=FALLBACK_MEAN,
        std=FALLBACK_STD,
    )


def photo_feature_maps(backbone: Backbone, layers: tuple[int, ...] | None = None) -> dict:
    """Feature maps of scikit-learn's china.jpg at an early, a middle and a late block.

    The photo is scaled to 4 times the backbone's input side (128 pixels wide for the fallback,
    256 for ImageNet's): convolutions take any size, and deeper blocks see it ever coarser.
    """
    photo = sample_photo(4 * backbone.input_size)  # (H, W, 3) uint8
    x = normalise(photo[None], backbone.mean, backbone.std)  # (1, 3, H, W)
    return {
        "backbone": backbone.name,
        "source": backbone.source,
        "photo": photo,
        "credit": PHOTO_CREDIT,
        "layers": feature_maps(backbone.fresh(), x, layers),
    }


def shared_feature_maps() -> dict:
    """photo_feature_maps of the shared backbone and its banner, for the page to cache."""
    backbone = shared_backbone()
    return photo_feature_maps(backbone) | {"banner": backbone.banner()}


def load_backbone(prefer_imagenet: bool = True, **timeouts) -> Backbone:
    """ImageNet MobileNetV2 if its weights can be had in time, else the shipped fallback."""
    imagenet = imagenet_backbone(**timeouts) if prefer_imagenet else None
    return imagenet or fallback_backbone()


@functools.cache
def shared_backbone() -> Backbone:
    """The backbone every session uses, loaded once per process; read-only (fresh() copies it)."""
    return load_backbone()
