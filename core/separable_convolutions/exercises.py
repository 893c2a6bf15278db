"""The course's exercises 3, 4 and 7 as runnable reference code: what "run it" runs on the page.

Exercise 3 counts the course's layer with real nn.Conv2d layers and FlopCounterMode; exercise 4
builds DWSepConv and StandardConv, passes the course's batch through both and times them (one
thread, under core.training's lock); exercise 7 builds the inverted residual and the MobileNetV1
block and reads their weights from the tensors. Each returns plain data and the lines a student's
script would print. It deliberately leaves out the SymPy formulas, so a test can hold the two
routes together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.utils.benchmark import Timer

from core import course, training
from core.layers import params
from core.separable_convolutions.benchmark import count_comparison
from core.separable_convolutions.models import (
    DepthwiseSeparableConv,
    InvertedResidual,
    StandardConv,
    inverted_residual_counts,
)

EXERCISE3_SOURCES = (count_comparison,)
EXERCISE4_SOURCES = (DepthwiseSeparableConv, StandardConv)
EXERCISE7_SOURCES = (InvertedResidual,)


def exercise3() -> dict:
    """Exercise 3: weights and FLOPs of the course's layer, by p.numel() and FlopCounterMode."""
    e = course.EXERCISE3
    rows = {
        r["quantity"]: r["torch"]
        for r in count_comparison(e["D_K"], e["M"], e["N"], e["D_F"], 1, e["D_K"] // 2)
    }
    out = {
        "standard_params": rows["standard weights"],
        "separable_params": rows["separable weights"],
        "standard_macs": rows["standard FLOPs"] // 2,
        "separable_macs": rows["separable FLOPs"] // 2,
    }
    out["reduction"] = out["standard_params"] / out["separable_params"]
    out["lines"] = [
        f"standard: {out['standard_params']:,} weights, {out['standard_macs']:,} multiply-adds",
        f"separable: {out['separable_params']:,} weights, {out['separable_macs']:,} multiply-adds",
        f"reduction: {out['reduction']:.4g}x",
    ]
    return out


@dataclass(frozen=True)
class Exercise4:
    """Exercise 4's run: the course's batch and channels, timed this long per block."""

    input_shape: tuple[int, ...] = course.EXERCISE4_INPUT
    out_ch: int = course.EXERCISE4_OUT_CHANNELS
    min_run_time: float = 0.5  # seconds of timed calls per block


def exercise4(
    config: Exercise4 = Exercise4(),
    progress: Callable[[float, str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict:
    """Exercise 4: both blocks on the course's batch: shapes, parameters, median time each."""
    start = time.perf_counter()
    torch.manual_seed(0)
    in_ch = config.input_shape[1]
    blocks = {
        "DWSepConv": DepthwiseSeparableConv(in_ch, config.out_ch),
        "StandardConv": StandardConv(in_ch, config.out_ch),
    }
    x = torch.randn(config.input_shape)  # (B, M, H, W)
    out = {"shapes": {}, "params": {}, "median_ms": {}}
    with training.exclusive(on_wait), training.threads(1), torch.no_grad():
        for i, (name, block) in enumerate(blocks.items()):
            if progress is not None:
                progress(i / len(blocks), f"timing {name}")
            block.train(False)  # evaluation mode: BatchNorm uses its running statistics
            out["shapes"][name] = tuple(block(x).shape)
            out["params"][name] = params(block)
            timer = Timer("block(x)", globals={"block": block, "x": x}, num_threads=1)
            out["median_ms"][name] = (
                timer.blocked_autorange(min_run_time=config.min_run_time).median * 1e3
            )
    out["speedup"] = out["median_ms"]["StandardConv"] / out["median_ms"]["DWSepConv"]
    out["seconds"] = round(time.perf_counter() - start, 2)
    out["lines"] = [
        f"{name}: output {out['shapes'][name]}, {out['params'][name]:,} parameters, "
        f"{out['median_ms'][name]:.2f} ms per call"
        for name in blocks
    ] + [f"separable speed-up on this CPU, one thread: {out['speedup']:.2f}x"]
    return out


def exercise7() -> dict:
    """Exercise 7: an inverted residual and a MobileNetV1 block on equal channels, weights read."""
    c, t = course.EXERCISE7["C"], course.EXERCISE7["t"]
    inverted = InvertedResidual(c, c, 1, t)
    counts = inverted_residual_counts(inverted)
    v1 = DepthwiseSeparableConv(c, c)
    v1_weights = v1.depthwise.weight.numel() + v1.pointwise.weight.numel()
    v2_weights = counts["expand"] + counts["depthwise"] + counts["project"]
    return {
        "v1_weights": v1_weights,
        "v2_weights": v2_weights,
        "v2_counts": counts,
        "skip": inverted.use_skip,
        "lines": [
            f"MobileNetV1 block {c}->{c}: {v1_weights:,} convolution weights",
            f"inverted residual {c}->{c}, t = {t}: expand {counts['expand']:,} + depthwise "
            f"{counts['depthwise']:,} + project {counts['project']:,} = {v2_weights:,}",
            f"identity skip used: {inverted.use_skip}",
        ],
    }
