"""Depthwise then pointwise on a photograph: what each stage of a separable convolution sees.

The depthwise filters are fixed 3x3 kernels, one per colour channel (groups=3), and the pointwise
stage is a 1x1 colour mixer (out = W @ rgb), so a student can watch spatial filtering and channel
mixing happen separately on a real image.
It deliberately leaves out learned weights: every filter here is a named, hand-set kernel.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from core.data import sample_photo

PHOTO_FILTERS = {
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "blur": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "edges": ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
}
# Rows are output channels (red, green, blue); columns say how much of each input they take.
MIXER_PRESETS = {
    "identity": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "grey (luma)": ((0.299, 0.587, 0.114),) * 3,
    "swap red and blue": ((0, 0, 1), (0, 1, 0), (1, 0, 0)),
    "sepia": ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131)),
}
MIX_RANGE = (-2.0, 2.0)  # each mixer weight lies in this range
CHANNELS = ("red", "green", "blue")
DEFAULT_FILTERS = ("edges", "blur", "sharpen")  # one per channel, so all three differ


def _to_image(t: torch.Tensor) -> np.ndarray:
    """Clip to [0, 1] and scale to uint8 for display."""
    return (t.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def separable_photo(photo: np.ndarray, filters, mix) -> dict[str, object]:
    """A photo through a depthwise stage (one named filter per colour) and a pointwise mixer.

    Returns the three per-channel maps as (H, W) uint8 images and the mixed (H, W, 3) image, both
    clipped to [0, 1] for display (the mixer itself sees the unclipped maps).
    """
    if len(filters) != 3 or any(f not in PHOTO_FILTERS for f in filters):
        raise ValueError(f"choose three filters from {', '.join(PHOTO_FILTERS)}")
    weights = torch.tensor(mix, dtype=torch.float32)  # (3 out, 3 in)
    low, high = MIX_RANGE
    if weights.shape != (3, 3) or weights.min() < low or weights.max() > high:
        raise ValueError(f"the mixer is 3 x 3 weights between {MIX_RANGE[0]} and {MIX_RANGE[1]}")
    depthwise = nn.Conv2d(3, 3, 3, padding=1, groups=3, bias=False, padding_mode="replicate")
    pointwise = nn.Conv2d(3, 3, 1, bias=False)
    x = torch.from_numpy(np.array(photo)).permute(2, 0, 1)[None].float() / 255  # (1, 3, H, W)
    with torch.no_grad():
        depthwise.weight.copy_(torch.tensor([[PHOTO_FILTERS[f]] for f in filters]))  # (3, 1, 3, 3)
        pointwise.weight.copy_(weights[:, :, None, None])  # (3, 3, 1, 1)
        maps = depthwise(x)[0]  # (3, H, W)
        mixed = pointwise(maps[None])[0]  # (3, H, W)
    return {"maps": [_to_image(m) for m in maps], "mixed": _to_image(mixed.permute(1, 2, 0))}


def filtered_photo(width: int, filters, mix) -> dict[str, object]:
    """scikit-learn's china.jpg at `width` pixels through separable_photo, with the input too."""
    photo = sample_photo(width)
    return {"input": photo, **separable_photo(photo, filters, mix)}
