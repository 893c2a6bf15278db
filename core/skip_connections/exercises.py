"""The course's exercises 1 and 2 as runnable reference code: what "run it" runs on the page.

Exercise 1 backpropagates through a scalar 6-layer stack with autograd, plain and with a skip
every 2 layers, and reports what layer 1 receives (the page's convention: the gradient at layer
1's output). Exercise 2 is the SmallResNet of core.skip_connections.models on the course's batch.
Each function returns plain data: the numbers, and the lines a student's script would print.
It deliberately leaves out the formulas the answers are checked against (formulas.py), so a test
can hold the two routes together.
"""

from __future__ import annotations

import torch

from core import course
from core.skip_connections.experiments import small_resnet_report
from core.skip_connections.models import ResidualBlock, SmallResNet


def plain_stack_gradient(delta: float, layers: int) -> float:
    """d output / d (layer 1's output) when every layer multiplies by delta, by autograd."""
    h1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # layer 1's output
    out = h1
    for _ in range(layers - 1):  # the layers above layer 1
        out = delta * out
    out.backward()
    return h1.grad.item()


def residual_stack_gradient(delta: float, layers: int, per_block: int) -> float:
    """The same with a skip around every block of per_block layers: h -> h + F(h)."""
    h1 = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)  # layer 1, in block 1
    branch = h1
    for _ in range(per_block - 1):  # the rest of block 1's branch
        branch = delta * branch
    h = torch.tensor(1.0, dtype=torch.float64) + branch  # block 1 adds its input back
    for _ in range(layers // per_block - 1):
        branch = h
        for _ in range(per_block):
            branch = delta * branch
        h = h + branch
    h.backward()
    return h1.grad.item()


def exercise1(
    delta: float = float(course.EXERCISE1_FACTOR),
    layers: int = course.EXERCISE1_LAYERS,
    per_block: int = course.EXERCISE1_LAYERS_PER_BLOCK,
) -> dict:
    """Exercise 1: what layer 1 receives in a plain and a residual stack, by autograd."""
    plain = plain_stack_gradient(delta, layers)
    residual = residual_stack_gradient(delta, layers, per_block)
    return {
        "plain": plain,
        "residual": residual,
        "lines": [
            f"plain stack, {layers} layers, delta = {delta:g}: layer 1 receives {plain:.6g} g_L",
            f"residual, skip every {per_block} layers: layer 1 receives {residual:.6g} g_L",
        ],
    }


EXERCISE1_SOURCES = (plain_stack_gradient, residual_stack_gradient)
EXERCISE2_SOURCES = (ResidualBlock, SmallResNet)


def exercise2() -> dict:
    """Exercise 2: the SmallResNet on torch.randn(8, 3, 32, 32), stage by stage, and its size."""
    report = small_resnet_report()
    lines = [f"{row['stage']:>8}: {row['output shape (torch)']}" for row in report["rows"]]
    lines.append(f"parameters: {report['torch_total']:,}")
    return {
        "shapes": {row["stage"]: row["output shape (torch)"] for row in report["rows"]},
        "features": report["features"],
        "params": report["torch_total"],
        "projections": [b["projection"] for b in report["blocks"]],
        "lines": lines,
    }
