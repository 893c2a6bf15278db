"""The separable-convolutions topic's networks, written to read like their diagrams.

The layer MobileNet replaces (a standard 3x3 conv + BN + ReLU), the depthwise separable block of
MobileNetV1, and MobileNetV2's inverted residual with its stage table as data (t, c, n, s), plus
inspectors that count a built block's weights per layer (set beside the formulas' counts for the
page) and list where MobileNetV2 adds skips.
It deliberately leaves out writing formulas (core.separable_convolutions.formulas), the photo filter
(core.separable_convolutions.photo) and timing (core.separable_convolutions.benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.layers import block_diagram, conv1x1, conv3x3, params
from core.numbers import Count
from core.separable_convolutions import formulas
from core.separable_convolutions.formulas import MOBILENET_V2_STAGES


class StandardConv(nn.Module):
    """The layer MobileNet replaces: a 3x3 convolution + BN + ReLU."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.conv = conv3x3(in_ch, out_ch, stride)
        self.bn = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))  # (B, out_ch, H / stride, W / stride)


class DepthwiseSeparableConv(nn.Module):
    """MobileNetV1 block: depthwise 3x3 + BN + ReLU6 (per channel), pointwise 1x1 + BN + ReLU6."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.depthwise = nn.Conv2d(in_ch, in_ch, 3, stride, padding=1, groups=in_ch, bias=False)
        self.bn1 = nn.BatchNorm2d(in_ch)
        self.relu = nn.ReLU6(inplace=True)
        self.pointwise = conv1x1(in_ch, out_ch)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.depthwise(x)))  # (B, in_ch, H / stride, W / stride)
        return self.relu(self.bn2(self.pointwise(out)))  # (B, out_ch, H / stride, W / stride)


DWSepConv = DepthwiseSeparableConv  # the name the course's exercise 4 uses


class InvertedResidual(nn.Module):
    """MobileNetV2 block: expand 1x1, depthwise 3x3, project 1x1 (linear), and a skip if it fits.

    The skip is the identity, added only when the block keeps the shape (stride 1, in == out):
    a projection there would cost the very parameters the block exists to save. As in
    torchvision, expansion 1 has no expand layer.
    """

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1, expansion: int = 6):
        super().__init__()
        self.in_ch, self.out_ch, self.stride, self.expansion = in_ch, out_ch, stride, expansion
        hidden = in_ch * expansion
        self.use_skip = stride == 1 and in_ch == out_ch
        self.expand = (
            nn.Sequential(conv1x1(in_ch, hidden), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True))
            if expansion != 1
            else nn.Identity()
        )
        self.depthwise = nn.Sequential(
            nn.Conv2d(hidden, hidden, 3, stride, padding=1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
        )
        self.project = nn.Sequential(conv1x1(hidden, out_ch), nn.BatchNorm2d(out_ch))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.expand(x)  # (B, t in_ch, H, W)
        out = self.depthwise(out)  # (B, t in_ch, H / stride, W / stride)
        out = self.project(out)  # (B, out_ch, H / stride, W / stride), no activation
        if self.use_skip:
            out = out + x
        return out


# MobileNetV1 (Howard et al. 2017, Table 1) after its 3x3 stride-2 stem to 32 channels: one row per
# depthwise separable block, its depthwise stride s and its pointwise output channels c. (Table 1
# prints stride 2 for the second-last block, whose map stays 7 x 7: stride 1, as every port uses.)
# s, c
MOBILENET_V1_STAGES = (
    (1, 64),
    (2, 128),
    (1, 128),
    (2, 256),
    (1, 256),
    (2, 512),
    *((1, 512),) * 5,
    (2, 1024),
    (1, 1024),
)
MOBILENET_V1_STEM = 32


class MobileNetV1(nn.Module):
    """MobileNetV1 from its stage table; `full_conv=True` swaps every separable block for a
    standard 3x3 convolution, the "Conv MobileNet" the paper compares it with (Table 4)."""

    def __init__(
        self, num_classes: int = 1000, full_conv: bool = False, stages=MOBILENET_V1_STAGES
    ):
        super().__init__()
        block = StandardConv if full_conv else DepthwiseSeparableConv
        layers, in_ch = [], MOBILENET_V1_STEM
        for s, c in stages:
            layers.append(block(in_ch, c, s))
            in_ch = c
        self.stem = nn.Sequential(
            conv3x3(3, MOBILENET_V1_STEM, 2),
            nn.BatchNorm2d(MOBILENET_V1_STEM),
            nn.ReLU(inplace=True),
        )
        self.blocks = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(in_ch, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.stem(x))  # (B, 1024, 7, 7) for a 224 x 224 input
        return self.fc(torch.flatten(self.avgpool(x), 1))  # (B, classes)


def mobilenet_v2_blocks(in_ch: int = 32, stages=MOBILENET_V2_STAGES) -> nn.Sequential:
    """MobileNetV2's inverted residual blocks, built from the stage table."""
    blocks = []
    for t, c, n, s in stages:
        for i in range(n):
            blocks.append(InvertedResidual(in_ch, c, s if i == 0 else 1, t))
            in_ch = c
    return nn.Sequential(*blocks)


def inverted_residual_counts(block: InvertedResidual) -> dict[str, int]:
    """Hidden width and parameters per layer of a built block, read from its tensors."""

    def weights(stage: nn.Module) -> int:
        return sum(m.weight.numel() for m in stage.modules() if isinstance(m, nn.Conv2d))

    return {
        "hidden": block.depthwise[0].in_channels,
        "expand": weights(block.expand),
        "depthwise": weights(block.depthwise),
        "project": weights(block.project),
        "batchnorm": sum(
            p.numel()
            for m in block.modules()
            if isinstance(m, nn.BatchNorm2d)
            for p in m.parameters()
        ),
    }


def block_plan(blocks: nn.Sequential) -> list[dict]:
    """One row per inverted residual: channels, stride, expansion, skip and parameter count."""
    return [
        {
            "block": i + 1,
            "in": block.in_ch,
            "out": block.out_ch,
            "stride": block.stride,
            "expansion": block.expansion,
            "skip": block.use_skip,
            "params": params(block),
        }
        for i, block in enumerate(blocks)
    ]


def inverted_residual_report(in_ch: int, out_ch: int, stride: int, expansion: int) -> dict:
    """A built InvertedResidual: its counts per layer, diagram, whether it skips, its kernel."""
    block = InvertedResidual(in_ch, out_ch, stride, expansion)
    return {
        "counts": inverted_residual_counts(block),
        "diagram": block_diagram(block),
        "skip": block.use_skip,
        "kernel": block.depthwise[0].kernel_size[0],
    }


@dataclass(frozen=True)
class InvertedResidualReading:
    """An inverted residual as the page shows it: weights by SymPy beside the built block's."""

    rows: list[dict]  # per part: SymPy's count and the built block's
    weights: Count  # convolution weights: expand, depthwise and project
    v1_weights: Count  # a MobileNetV1 block's on the same channels
    hidden: int  # the expanded width the depthwise filter runs over
    expands: bool  # t > 1: an expand layer widens the input first
    skip: bool  # the input is added to the output
    kernel: int
    diagram: str


def inverted_residual_reading(
    in_ch: int, out_ch: int, stride: int, expansion: int
) -> InvertedResidualReading:
    """inverted_residual_report beside SymPy's breakdown, read into what the page places."""
    report = inverted_residual_report(in_ch, out_ch, stride, expansion)
    kernel = report["kernel"]
    by_sympy = formulas.inverted_residual_breakdown(kernel, in_ch, out_ch, expansion)
    rows = [
        {"part": part, "SymPy": int(value), "torch (built block)": report["counts"][part]}
        for part, value in by_sympy.items()
    ]
    return InvertedResidualReading(
        rows=rows,
        weights=Count(formulas.inverted_residual_params(kernel, in_ch, out_ch, expansion)),
        v1_weights=Count(formulas.mobilenet_v1_block_params(kernel, in_ch, out_ch)),
        hidden=int(by_sympy["hidden"]),
        expands=by_sympy["hidden"] != in_ch,
        skip=report["skip"],
        kernel=kernel,
        diagram=report["diagram"],
    )


def separable_block_diagram(in_ch: int, out_ch: int) -> str:
    """Graphviz DOT of a MobileNetV1 block as torch runs it: depthwise, then pointwise."""
    return block_diagram(DepthwiseSeparableConv(in_ch, out_ch))


def mobilenet_v2_plan() -> list[dict]:
    """block_plan of MobileNetV2's body, built from its stage table."""
    return block_plan(mobilenet_v2_blocks())
