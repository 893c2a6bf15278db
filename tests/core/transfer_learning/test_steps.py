"""The shared training steps: the square's symmetries and accuracy."""

import pytest
import torch
from torch import nn

from core.transfer_learning.steps import accuracy, dihedral


def test_dihedral_only_flips_and_transposes_each_image():
    x = torch.arange(2 * 1 * 3 * 3, dtype=torch.float32).view(2, 1, 3, 3)
    out = dihedral(x, torch.Generator().manual_seed(0))
    symmetries = [x.flip(-1), x.flip(-2), x.transpose(-1, -2), x.flip(-1).flip(-2)]
    for i in range(2):
        candidates = [x[i]] + [s[i] for s in symmetries]
        candidates += [c.flip(-1) for c in candidates] + [c.transpose(-1, -2) for c in candidates]
        assert any(torch.equal(out[i], c) for c in candidates)


def test_dihedral_uses_all_eight_symmetries_over_many_images():
    x = torch.arange(9, dtype=torch.float32).view(1, 1, 3, 3).expand(400, 1, 3, 3)
    out = dihedral(x, torch.Generator().manual_seed(1))
    assert len({tuple(image.flatten().tolist()) for image in out}) == 8


def test_accuracy_counts_correct_predictions():
    model = nn.Sequential(nn.Flatten(), nn.Identity())
    x = torch.tensor([[[[0.0, 1.0]]], [[[1.0, 0.0]]], [[[1.0, 0.0]]]])  # (3, 1, 1, 2)
    assert accuracy(model, x, torch.tensor([1, 0, 1])) == pytest.approx(2 / 3)
