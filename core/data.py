"""Data sets the experiments use, generated or bundled with a well-kept package, never downloaded.

`digits()` is scikit-learn's bundled 8x8 handwritten digits (1,797 images, 10 classes), flattened
and standardised. `sample_photo()` is scikit-learn's bundled colour photograph china.jpg, scaled
down for filtering on a page. It deliberately leaves out train/test splits: the degradation
experiment measures how well a network fits its training set, not how well it generalises.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # shipped results, see data/README.md


@cache
def _digits_arrays():
    from sklearn.datasets import load_digits  # scikit-learn takes seconds to import: only here

    data = load_digits()
    return data.data, data.target


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
    from sklearn.datasets import load_sample_image  # scikit-learn takes seconds to import

    full = Image.fromarray(load_sample_image("china.jpg"))  # 640 x 427
    height = round(full.height * width / full.width)
    photo = np.asarray(full.resize((width, height), Image.Resampling.LANCZOS)).copy()
    photo.flags.writeable = False
    return photo
