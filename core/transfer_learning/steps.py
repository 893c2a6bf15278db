"""Training steps the backbone's pretraining and the fine-tuning lab share.

`dihedral` augments a batch with the eight symmetries of the square (flips and transposes): none
of them changes what a defect, a line or a spot is, and they cost nothing on a CPU. `accuracy`
evaluates in batches without gradients. `channels_last` is the memory layout that made depthwise
convolutions 2-10x faster here.
It deliberately leaves out optimisers, schedules and models.
"""

from __future__ import annotations

import torch
from torch import nn


def dihedral(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image of (B, C, H, W) flipped and/or transposed at random: one of 8 symmetries."""
    flips = torch.rand(3, x.shape[0], 1, 1, 1, generator=generator) < 0.5  # (3, B, 1, 1, 1)
    x = torch.where(flips[0], x.flip(-1), x)
    x = torch.where(flips[1], x.flip(-2), x)
    return torch.where(flips[2], x.transpose(-1, -2), x)  # (B, C, H, W), square images


def channels_last(x: torch.Tensor) -> torch.Tensor:
    """The batch in channels-last memory layout (NHWC), which depthwise convolutions prefer."""
    return x.contiguous(memory_format=torch.channels_last)


@torch.no_grad()
def predictions(model: nn.Module, x: torch.Tensor, batch: int = 500) -> torch.Tensor:
    """The model's predicted class for every image, in eval mode (the caller restores the mode)."""
    model.train(False)
    return torch.cat(
        [model(channels_last(x[i : i + batch])).argmax(1) for i in range(0, len(x), batch)]
    )


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of images classified correctly."""
    return (predictions(model, x) == y).float().mean().item()
