"""The shared layer helpers: the diagram traced from a forward pass, and the parameter count."""

import torch
from torch import nn

from core.layers import block_diagram, conv1x1, conv3x3, params


class Chain(nn.Module):
    """conv -> bn, with no addition anywhere."""

    def __init__(self):
        super().__init__()
        self.conv = conv3x3(4, 8)
        self.bn = nn.BatchNorm2d(8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.conv(x))


def test_a_diagram_of_a_chain_has_no_addition_and_an_edge_per_step():
    dot = block_diagram(Chain())
    assert 'label="+"' not in dot
    assert "x -> conv;" in dot and "conv -> bn;" in dot and "bn -> output;" in dot


def test_the_helpers_make_bias_free_convolutions_of_the_right_size():
    assert (params(conv3x3(4, 8)), params(conv1x1(4, 8))) == (9 * 4 * 8, 4 * 8)
