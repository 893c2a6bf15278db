"""Data sets the experiments use, generated or bundled with a well-kept package, never downloaded.

`digits()` is scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes), flattened
and standardised. `sample_photo()` is scikit-learn's bundled colour photograph china.jpg, scaled
down for filtering on a page. Both are read straight from scikit-learn's installed files, without
importing scikit-learn (seconds of imports, through SciPy and pandas, on a page's first render);
tests/core/test_data.py holds them equal to what scikit-learn's own loaders return.
It deliberately leaves out train/test splits: the degradation
experiment measures how well a network fits its training set, not how well it generalises.
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # shipped results, see data/README.md


def sklearn_file(*parts: str) -> Path:
    """A file scikit-learn ships under sklearn/datasets, found without importing scikit-learn."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scikit-learn is not installed: its bundled data sets are needed")
    return Path(spec.submodule_search_locations[0], "datasets", *parts)


@cache
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits.csv.gz: 64 pixel columns, then the label."""
    with gzip.open(sklearn_file("data", "digits.csv.gz"), "rt") as rows:
        table = np.loadtxt(rows, delimiter=",")
    return table[:, :-1], table[:, -1].astype(np.int64)


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The digits as (1797, 64) float32 features (zero mean, unit variance per pixel) and labels."""
    features, labels = _digits_arrays()
    x = torch.tensor(features, dtype=torch.float32)  # (1797, 64), pixel values 0..16
    std = x.std(dim=0)
    x = (x - x.mean(dim=0)) / torch.where(std > 0, std, torch.ones_like(std))  # blank pixels stay 0
    return x, torch.tensor(labels, dtype=torch.int64)  # (1797,)


PHOTO_CREDIT = (
    "Photo: china.jpg by danielbuechele on Flickr, bundled with scikit-learn "
    "(sklearn.datasets.load_sample_image), licensed CC BY 2.0 "
    "(https://creativecommons.org/licenses/by/2.0/)."
)


@cache
def sample_photo(width: int = 160) -> np.ndarray:
    """scikit-learn's china.jpg scaled to `width` pixels wide, read-only: (H, W, 3) uint8."""
    with Image.open(sklearn_file("images", "china.jpg")) as image:
        full = image.convert("RGB")  # 640 x 427
    height = round(full.height * width / full.width)
    photo = np.asarray(full.resize((width, height), Image.Resampling.LANCZOS)).copy()
    photo.flags.writeable = False
    return photo
