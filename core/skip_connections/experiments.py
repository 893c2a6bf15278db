"""Real, seeded experiments for the skip-connections page: degradation, gradient flow, Jacobian.

- The degradation sweep trains plain and residual MLPs of several depths for the same budget on
  scikit-learn's digits and records final training error and loss curves. Every seed, depth and
  family of a sweep trains at once: each family's stacks are joined into one batched network
  (core.skip_connections.models.MixedDepthStack) and one fused Adam step updates all weights.
- The gradient-flow probe measures each layer's weight-gradient norm at initialisation.
- The Jacobian check runs a small residual block through torch.autograd.functional.jacobian.

Results are plain data (dicts and lists) that cache and serialise cleanly; what a page states
comes as frozen dataclasses of readings (core.numbers), so the page formats nothing.
`python -m core.skip_connections.experiments degradation` writes the shipped sweep to
data/degradation.json. Live runs hold core.training's lock and run on one thread, so two sessions
never train at once.
It deliberately leaves out plotting and anything that needs Streamlit.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.adam import adam

from core import course, training
from core.data import DATA_DIR, digits
from core.layers import block_diagram, params
from core.numbers import Count, Figure
from core.skip_connections import formulas
from core.skip_connections.models import (
    ACTIVATIONS,
    MixedDepthStack,
    MLPStack,
    ResidualBlock,
    block_specs,
    small_resnet,
    small_resnet_stages,
)
from core.skip_connections.results import (  # the shipped result's readers, torch-free
    error_summary,
)

# A sweep's cost in time (DegradationConfig.work) counts, every step, each model-layer it trains
# plus POSITION_COST model-layers for each layer position a group runs through (its few operations
# cost that much however few models share them); BatchNorm makes the whole about BATCH_NORM_COST
# times dearer. max_work (two default sweeps) keeps every run inside its time budget.
POSITION_COST = 3.0
BATCH_NORM_COST = 2.5
GROUP_LAYERS = 1536  # model-layers (models x depth) trained at once; the default 1,260 use ~70 MB
MAX_DEPTH, MAX_SEEDS = course.MAX_DEPTH, course.MAX_SEEDS
MIN_STEPS, MAX_STEPS = course.MIN_STEPS, course.MAX_STEPS


@dataclass(frozen=True)
class DegradationConfig:
    """One degradation sweep: the same training budget for every depth and family."""

    depths: tuple[int, ...] = (2, 4, 8, 12, 16, 24, 32, 48, 64)  # linear layers, input and output
    seeds: int = 3  # models per depth and family, trained at once
    steps: int = 300  # Adam steps; with many more, plain nets without BatchNorm mostly catch up
    batch_size: int = 128
    lr: float = 1e-3  # Adam; the BatchNorm runs measured in ENVIRONMENT.md used 3e-3
    width: int = 32
    activation: str = "relu"
    batch_norm: bool = False
    seed: int = 0
    log_every: int = 10  # steps between recorded loss-curve points

    def __post_init__(self) -> None:
        """Depths as a sorted tuple, however a page or the command line lists them."""
        object.__setattr__(self, "depths", tuple(sorted(self.depths)))

    def problems(self) -> list[str]:
        """Why this configuration may not run (empty when it may), in words for the page."""
        found = []
        if not self.depths:
            found.append("Pick at least one depth.")
        if any(d < 2 or d > MAX_DEPTH or d % 2 for d in self.depths):
            found.append(f"Depths must be even numbers from 2 to {MAX_DEPTH}.")
        if not 1 <= self.seeds <= MAX_SEEDS:
            found.append(f"Use 1 to {MAX_SEEDS} seeds.")
        if not MIN_STEPS <= self.steps <= MAX_STEPS:
            found.append(f"Use {MIN_STEPS} to {MAX_STEPS} steps.")
        if self.activation not in ACTIVATIONS:
            found.append(f"Activation must be one of {', '.join(ACTIVATIONS)}.")
        if not (1 <= self.batch_size <= 512 and 4 <= self.width <= 128 and 0 < self.lr <= 0.1):
            found.append("Batch size, width or learning rate is out of range.")
        if not found and self.work() > max_work():
            found.append(
                f"This sweep is {self.work() / max_work():.1f} times the largest allowed: "
                "use fewer steps, seeds or deep networks."
            )
        return found

    def work(self) -> float:
        """The sweep's cost in time, up to a constant: model-layer steps, both families, plus
        POSITION_COST per layer position of each group and step (see depth_groups)."""
        layers = 2 * self.seeds * sum(set(self.depths))
        positions = 2 * sum(max(group) for group in depth_groups(self))
        cost = self.steps * (layers + POSITION_COST * positions)
        return cost * BATCH_NORM_COST if self.batch_norm else cost


def depth_groups(config: DegradationConfig) -> list[tuple[int, ...]]:
    """The sweep's depths, shallow to deep, packed into groups that train at once (both families):
    each group holds at most GROUP_LAYERS model-layers, or else a single depth."""
    groups, group = [], []
    for depth in sorted(set(config.depths)):
        if group and 2 * config.seeds * (sum(group) + depth) > GROUP_LAYERS:
            groups.append(tuple(group))
            group = []
        group.append(depth)
    return [*groups, tuple(group)] if group else groups


def max_work() -> float:
    """The largest sweep a live run may train: twice the default one."""
    return 2 * DegradationConfig().work()


DEPTH_CHOICES = tuple(range(2, MAX_DEPTH + 1, 2))
SECONDS_PER_WORK = 14.3 / DegradationConfig().work()  # the default sweep: median, one quiet thread


def estimate_seconds(config: DegradationConfig) -> float:
    """Rough wall time of a sweep on one quiet thread here (shared machines can be 2x slower)."""
    return config.work() * SECONDS_PER_WORK


def estimate(config: DegradationConfig) -> Figure:
    """estimate_seconds in whole seconds, as a page states it."""
    return Figure(estimate_seconds(config), ".0f")


def live_limits() -> tuple[Figure, Figure]:
    """When a live sweep starts no new network, and when it drops one still training (seconds)."""
    return Figure(course.LIVE_BUDGET_S, ".0f"), Figure(course.LIVE_LIMIT_S, ".0f")


def _check(config: DegradationConfig) -> None:
    problems = config.problems()
    if problems:
        raise ValueError(" ".join(problems))


def init_stack(
    config: DegradationConfig, depth: int, residual: bool, x: torch.Tensor, y: torch.Tensor
) -> MLPStack:
    """config.seeds fresh models of one depth and family for data (x, y), seeded by the sweep's
    seed, the depth and the family (so the same stack whether trained alone or with others)."""
    torch.manual_seed(config.seed * 1000 + depth * 2 + int(residual))
    return MLPStack(
        depth,
        residual=residual,
        n_models=config.seeds,
        width=config.width,
        in_features=x.shape[1],
        classes=int(y.max()) + 1,
        activation=config.activation,
        batch_norm=config.batch_norm,
    )


class FlatAdam:
    """Adam for many tensors at once: one fused update of one flat buffer per step.

    The parameters become views into one tensor and their gradients views into another (backward
    adds into those in place), so a step is one pass of torch's fused Adam kernel however many
    tensors there are, with no Python loop over them.
    """

    def __init__(self, params: Sequence[nn.Parameter], lr: float):
        self.lr = lr
        self.values = torch.cat([p.detach().reshape(-1) for p in params])
        self.grads = torch.zeros_like(self.values)
        self.exp_avg = torch.zeros_like(self.values)
        self.exp_avg_sq = torch.zeros_like(self.values)
        self.steps = torch.tensor(0.0)
        offset = 0
        for p in params:
            p.data = self.values[offset : offset + p.numel()].view_as(p)
            p.grad = self.grads[offset : offset + p.numel()].view_as(p)
            offset += p.numel()

    def zero_grad(self) -> None:
        """Zero every gradient in place (the views stay the parameters' .grad)."""
        self.grads.zero_()

    def step(self) -> None:
        """One Adam step with torch.optim.Adam's defaults (betas 0.9, 0.999; eps 1e-8).

        The functional form, unlike torch.optim.Adam(), doesn't import torch._dynamo (about 3 s
        on a first run here)."""
        adam(
            [self.values],
            [self.grads],
            [self.exp_avg],
            [self.exp_avg_sq],
            [],
            [self.steps],
            fused=True,
            amsgrad=False,
            beta1=0.9,
            beta2=0.999,
            lr=self.lr,
            weight_decay=0.0,
            eps=1e-8,
            maximize=False,
        )


def train_stacks(
    config: DegradationConfig,
    stacks: Sequence[MLPStack],
    x: torch.Tensor,
    y: torch.Tensor,
    deadline: float = math.inf,
    on_log: Callable[[int], None] | None = None,
) -> list[dict] | None:
    """Train stacks of config.seeds models (from init_stack) at once, in place; per stack, each
    model's training error and final loss, and its loss curve.

    Each family's stacks are joined into one MixedDepthStack, and one FlatAdam steps them all.
    Model s of every stack gets the draws it would get alone: one generator seeded with
    config.seed draws (seeds, batch) indices per step. Losses are logged every config.log_every
    steps and at the last (on_log gets the step). Returns None, unfinished, if
    time.perf_counter() passes `deadline` during training.
    """
    families = [[s for s in stacks if s.residual is r] for r in (False, True)]
    joined = [MixedDepthStack(family) for family in families if family]
    optimiser = FlatAdam([p for model in joined for p in model.parameters()], lr=config.lr)
    generator = torch.Generator().manual_seed(config.seed)
    shape = (config.steps, config.seeds, config.batch_size)
    draws = torch.randint(0, len(x), shape, generator=generator)  # equal to one draw per step
    curves: dict[MLPStack, list[dict]] = {stack: [] for stack in stacks}
    for step, idx in enumerate(draws, start=1):
        if time.perf_counter() > deadline:
            return None
        inputs, targets = x[idx], y[idx]  # (S, B, features), (S, B)
        losses = []
        for model in joined:
            n = len(model.members)
            logits = model(inputs.repeat(n, 1, 1))  # (N, B, classes), N = n stacks x S seeds
            loss = F.cross_entropy(logits.transpose(1, 2), targets.repeat(n, 1), reduction="none")
            losses.append(loss.mean(1))  # (N,): each model's own mean loss
        optimiser.zero_grad()
        torch.cat(losses).sum().backward()  # each model's gradient is its own loss's gradient
        optimiser.step()
        if step % config.log_every == 0 or step == config.steps:
            for model, values in zip(joined, losses, strict=True):
                rows = values.view(len(model.members), -1).tolist()  # (stacks, S)
                for stack, row in zip(model.members, rows, strict=True):
                    curves[stack].append({"step": step, "losses": [round(v, 5) for v in row]})
            if on_log:
                on_log(step)
    for model in joined:
        model.write_back()  # the trained weights, back into the stacks
    return [_evaluate(stack, x, y) | {"curve": curves[stack]} for stack in stacks]


def _evaluate(stack: MLPStack, x: torch.Tensor, y: torch.Tensor) -> dict:
    """Each model's training error and mean loss on the whole training set."""
    n = stack.head.weight.shape[0]
    with torch.no_grad():
        logits = stack(x.expand(n, *x.shape))  # (S, N, classes)
        errors = (logits.argmax(-1) != y).float().mean(1)  # (S,)
        final = F.cross_entropy(logits.transpose(1, 2), y.expand(n, -1), reduction="none")
    return {"errors": errors.tolist(), "final_losses": final.mean(1).tolist()}


def run_degradation(
    config: DegradationConfig = DegradationConfig(),
    progress: Callable[[float, str], None] | None = None,
    budget_s: float | None = None,
    limit_s: float | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict:
    """Train every (family, depth) of the sweep; return config, per-model results and curves.

    Depths train in groups from shallow to deep (depth_groups; the default sweep is one group),
    both families at once. Once `budget_s` seconds have passed no further group starts (the
    first always does), and a group still training after `limit_s` seconds is dropped; either
    way the result says `"stopped_early": True`. `progress` gets (fraction, text) as it goes.
    It holds core.training's lock (calling on_wait if another run has it) and runs on one torch
    thread (restored afterwards): tiny models train fastest that way here.
    """
    _check(config)
    with training.exclusive(on_wait), training.single_thread():
        return _sweep(config, progress, budget_s, limit_s)


def live_degradation(
    config: DegradationConfig,
    progress: Callable[[float, str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict:
    """A sweep started from a page: within the live budget and limit of core.course."""
    return run_degradation(config, progress, course.LIVE_BUDGET_S, course.LIVE_LIMIT_S, on_wait)


def _step_reporter(
    progress: Callable[[float, str], None], label: str, start: float, share: float, steps: int
) -> Callable[[int], None]:
    """on_log for one group: its step as the sweep's fraction done (from start, share of it)."""
    return lambda step: progress(start + share * step / steps, f"{label}, step {step} of {steps}")


def _sweep(config: DegradationConfig, progress, budget_s: float | None, limit_s: float | None):
    x, y = digits()
    groups = depth_groups(config)
    total = sum(map(sum, groups))
    done, results, curves, stopped = 0, [], [], False
    start = time.perf_counter()
    deadline = math.inf if limit_s is None else start + limit_s
    for group in groups:
        if budget_s is not None and results and time.perf_counter() - start > budget_s:
            stopped = True
            break
        label = f"depth {group[0]}" if len(group) == 1 else f"depths {group[0]}-{group[-1]}"
        on_log = None
        if progress:
            on_log = _step_reporter(progress, label, done / total, sum(group) / total, config.steps)
            on_log(0)
        jobs = [(depth, residual) for depth in group for residual in (False, True)]
        stacks = [init_stack(config, depth, residual, x, y) for depth, residual in jobs]
        outs = train_stacks(config, stacks, x, y, deadline, on_log)
        if outs is None:
            stopped = True
            break
        for (depth, residual), out in zip(jobs, outs, strict=True):
            family = "residual" if residual else "plain"
            finals = zip(out["errors"], out["final_losses"], strict=True)
            for seed, (err, loss) in enumerate(finals):
                results.append(
                    {"family": family, "depth": depth, "seed": seed}
                    | {"train_error": round(err, 6), "loss": round(loss, 6)}
                )
            for point in out["curve"]:
                for seed, loss in enumerate(point["losses"]):
                    curves.append(
                        {"family": family, "depth": depth, "seed": seed, "step": point["step"]}
                        | {"loss": loss}
                    )
        done += sum(group)
    if progress:
        progress(1.0, "done")
    return {
        "config": asdict(config),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "seconds": round(time.perf_counter() - start, 2),
        "stopped_early": stopped,
        "data": {"name": "scikit-learn digits", "samples": len(x), "features": x.shape[1]},
        "results": results,
        "curves": curves,
    }


# Gradient flow


def gradient_flow(
    depth: int, activation: str, init: str = "default", width: int = 32, seed: int = 0
) -> list[dict]:
    """Weight-gradient norm of every layer at initialisation, for a plain and a residual stack.

    Both stacks get the same init and no normalisation; the residual branches are NOT zero-
    initialised here, so the identity path has to carry the gradient through nonzero branches.
    The loss is cross-entropy on the first 128 digits.
    """
    if not 2 <= depth <= course.PROBE_MAX_DEPTH or depth % 2:
        raise ValueError(f"depth must be an even number from 2 to {course.PROBE_MAX_DEPTH}")
    torch.set_flush_denormal(False)  # show tiny gradients as they are (denormals included)
    x, y = digits()
    x, y = x[: course.PROBE_BATCH], y[: course.PROBE_BATCH]  # (128, 64), (128,)
    rows = []
    for residual in (False, True):
        torch.manual_seed(seed)
        model = MLPStack(
            depth,
            residual=residual,
            width=width,
            activation=activation,
            init=init,
            zero_init_residual=False,
        )
        loss = F.cross_entropy(model(x.unsqueeze(0))[0], y)
        loss.backward()
        for layer, linear in enumerate(model.linears(), start=1):
            rows.append(
                {
                    "family": "residual" if residual else "plain",
                    "layer": layer,
                    "grad_norm": linear.weight.grad.norm().item(),
                }
            )
    return rows


def underflowed_layers(rows: list[dict], family: str) -> list[int]:
    """Layers whose gradient norm is exactly 0: it underflowed float32 (no log-scale point)."""
    return [r["layer"] for r in rows if r["family"] == family and r["grad_norm"] == 0]


def first_to_last_ratio(rows: list[dict], family: str) -> float:
    """Gradient norm at layer 1 over the norm at the last layer, for one family."""
    ordered = sorted((r for r in rows if r["family"] == family), key=lambda r: r["layer"])
    norms = [r["grad_norm"] for r in ordered]
    return norms[0] / norms[-1]


@dataclass(frozen=True)
class Flow:
    """One family's gradient flow as the page states it."""

    family: str  # "Plain" or "Residual", to start a sentence
    underflowed: Count  # layers whose gradient is exactly 0
    first_underflowed: int | None
    last_underflowed: int | None
    ratio: Figure | None  # layer 1's gradient norm over the last layer's; None once one underflowed


def flow_readings(rows: list[dict]) -> tuple[Flow, ...]:
    """The plain and the residual family's gradient flow, read from gradient_flow's rows."""
    readings = []
    for family in ("plain", "residual"):
        dead = underflowed_layers(rows, family)
        ratio = None if dead else Figure(first_to_last_ratio(rows, family), ".3g")
        first, last = (min(dead), max(dead)) if dead else (None, None)
        readings.append(Flow(family.capitalize(), Count(len(dead)), first, last, ratio))
    return tuple(readings)


# The residual block's Jacobian, by autograd


def residual_jacobian_torch(w1: Sequence, w2: Sequence, x0: Sequence) -> list[list[float]]:
    """dH/dx at x0 for H(x) = W2 tanh(W1 x) + x, by torch.autograd.functional.jacobian (float64)."""
    a = torch.tensor(w1, dtype=torch.float64)
    b = torch.tensor(w2, dtype=torch.float64)
    point = torch.tensor(x0, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: b @ torch.tanh(a @ v) + v, point)
    return jac.tolist()


@dataclass(frozen=True)
class JacobianCheck:
    """dH/dx at a point two ways, row by row, and the largest gap between them."""

    sympy: list[list[float]]
    torch: list[list[float]]
    max_difference: Figure  # in scientific notation, one decimal: 2.8e-17


def jacobian_check(w1: Sequence, w2: Sequence, x0: Sequence) -> JacobianCheck:
    """dH/dx at x0 by SymPy (exact, then evaluated) and by torch autograd, and their largest gap."""
    exact_jac = formulas.residual_jacobian_at(w1, w2, x0)
    by_sympy = [[float(v) for v in exact_jac.row(i)] for i in range(exact_jac.rows)]
    to_float = [[float(v) for v in row] for row in w1], [[float(v) for v in row] for row in w2]
    by_torch = residual_jacobian_torch(*to_float, [float(v) for v in x0])
    gap = max(
        abs(a - b)
        for ra, rb in zip(by_sympy, by_torch, strict=True)
        for a, b in zip(ra, rb, strict=True)
    )
    return JacobianCheck(by_sympy, by_torch, Figure(gap, ".1e"))


# Shortcut shapes


def block_problems(in_shape: Sequence[int], out_ch: int, stride: int) -> list[str]:
    """Why a block with this input shape, output channels and stride can't be tried (or [])."""
    channels, height, width = in_shape
    found = []
    top_channels, top_side = course.BLOCK_MAX_CHANNELS, course.BLOCK_MAX_SIDE
    if min(channels, out_ch) < 1 or max(channels, out_ch) > top_channels:
        found.append(f"Channels must be whole numbers from 1 to {top_channels}.")
    if min(height, width) < 1 or max(height, width) > top_side:
        found.append(f"Height and width must be from 1 to {top_side} pixels.")
    if not 1 <= stride <= course.BLOCK_MAX_STRIDE:
        found.append(f"Stride must be from 1 to {course.BLOCK_MAX_STRIDE}.")
    if not found and max(channels, out_ch) * height * width > course.BLOCK_MAX_ACTIVATION:
        found.append("That feature map is too large to try here: use fewer channels or pixels.")
    return found


def block_notes(in_shape: Sequence[int], out_ch: int, stride: int) -> list[str]:
    """Things worth saying about an allowed block: a collapsed map, sides rounded down."""
    _, height, width = in_shape
    notes = []
    if stride > max(height, width):
        notes.append(
            f"The stride ({stride}) is larger than the image ({height}×{width}): every output "
            "side collapses to a single pixel."
        )
    elif stride > 1 and (height % stride or width % stride):
        out = formulas.block_output_shape(in_shape, out_ch, stride)
        notes.append(
            f"{height}×{width} does not divide by the stride {stride}: the convolution arithmetic "
            f"rounds, ⌊(side − 1)/{stride}⌋ + 1, giving {out[1]}×{out[2]}."
        )
    return notes


def try_block(
    in_shape: tuple[int, int, int], out_ch: int, stride: int, projection: bool | None = None
) -> dict:
    """Run one ResidualBlock on a (1, C, H, W) input; return its shapes, shortcut, or torch's error.

    `projection=False` forgets the projection; the addition then fails if the shape changes and
    torch's own message comes back under "error". If the branch's map is 1x1, torch broadcasts the
    mismatched identity instead of failing, and "broadcast" says so.
    """
    problems = block_problems(in_shape, out_ch, stride)
    if problems:
        raise ValueError(" ".join(problems))
    channels, height, width = in_shape
    torch.manual_seed(0)
    block = ResidualBlock(channels, out_ch, stride, projection=projection).train(False)
    x = torch.randn(1, channels, height, width)
    projected = isinstance(block.shortcut, torch.nn.Sequential)
    report = {
        "projection": projected,
        "shortcut": str(block.shortcut),
        "shortcut_params": params(block.shortcut),
        "block_params": params(block),
        "branch_shape": None,
        "output_shape": None,
        "error": None,
        "broadcast": False,
    }
    with torch.no_grad():
        branch = block.bn2(block.conv2(block.relu(block.bn1(block.conv1(x)))))  # (1, C', H', W')
        report["branch_shape"] = tuple(branch.shape[1:])
        try:
            report["output_shape"] = tuple(block(x).shape[1:])
        except RuntimeError as error:
            report["error"] = str(error)
    report["broadcast"] = report["output_shape"] not in (None, report["branch_shape"])
    return report


@dataclass(frozen=True)
class Block:
    """A residual block explored on the page: its shape and counts by SymPy beside torch's."""

    shape: tuple[int, ...]  # by the convolution arithmetic
    torch_shape: tuple[int, ...]  # from an instantiated ResidualBlock
    projection: bool  # by SymPy: the shape changes
    torch_projection: bool  # the block torch built has a projection
    shortcut: str  # the shortcut module torch built
    projection_params: Count
    torch_shortcut_params: Count
    block_params: Count
    torch_block_params: Count


def block_reading(in_shape: tuple[int, int, int], out_ch: int, stride: int) -> Block:
    """A block's shape and parameters by formulas.block_summary and by try_block, side by side."""
    by_sympy = formulas.block_summary(in_shape, out_ch, stride)
    by_torch = try_block(in_shape, out_ch, stride)
    return Block(
        shape=by_sympy["shape"],
        torch_shape=by_torch["output_shape"],
        projection=by_sympy["projection"],
        torch_projection=by_torch["projection"],
        shortcut=by_torch["shortcut"],
        projection_params=Count(by_sympy["projection_params"]),
        torch_shortcut_params=Count(by_torch["shortcut_params"]),
        block_params=Count(by_sympy["block_params"]),
        torch_block_params=Count(by_torch["block_params"]),
    )


# The SmallResNet of exercise 2


def small_resnet_report() -> dict:
    """SmallResNet's stages by torch (hooks) beside SymPy's shapes, totals both ways, diagram."""
    batch, _, side, _ = course.CIFAR_INPUT
    model = small_resnet()
    rows = small_resnet_stages()
    expected = dict(formulas.small_resnet_shapes(batch, side, course.SMALL_RESNET_WIDTH))
    return {
        "rows": [
            {
                "stage": r["stage"],
                "module": r["module"],
                "output shape (torch)": str(r["output shape"]),
                "output shape (SymPy)": str(tuple(int(v) for v in expected[r["stage"]])),
                "parameters": r["params"],
                "projection": "yes" if r["projection"] else "",
            }
            for r in rows
        ],
        "torch_total": params(model),
        "sympy_total": int(formulas.small_resnet_params(course.SMALL_RESNET_WIDTH)),
        "diagram": block_diagram(model.blocks[0]),
        "input": str(course.CIFAR_INPUT),
        "side": side,
        "blocks": block_specs(model),
        "classes": model.fc.out_features,
        "stem_kernel": model.stem[0].kernel_size[0],
        "stem_padding": model.stem[0].padding[0],
        "features": tuple(int(v) for v in expected["blocks.2"]),
        # the side after the blocks if nothing before them downsampled: one stride-2 block only
        "side_without_stem_pool": int(formulas.conv_output_size(side, 3, 2, 1)),
    }


@dataclass(frozen=True)
class SmallResNetReading:
    """SmallResNet as the pages describe it: its stem, its chain of blocks, its size both ways."""

    side: int  # of the input images
    classes: int
    input: str  # the input batch's shape
    stem_kernel: int
    stem_padding: int
    stem_channels: int  # what the stem hands the first block
    last_channels: int  # what the last block hands the head
    chain: str  # the blocks as "32→32 (stride 1), 32→64 (stride 2, projection), ..."
    rows: list[dict]  # every stage's output shape by torch and by SymPy
    torch_total: Count
    sympy_total: Count
    diagram: str  # the first block, traced


def small_resnet_reading() -> SmallResNetReading:
    """small_resnet_report read into the figures the skip-connections and exercises pages place."""
    report = small_resnet_report()
    blocks = report["blocks"]
    chain = ", ".join(
        f"{b['in_ch']}→{b['out_ch']} (stride {b['stride']}"
        + (", projection)" if b["projection"] else ")")
        for b in blocks
    )
    return SmallResNetReading(
        side=report["side"],
        classes=report["classes"],
        input=report["input"],
        stem_kernel=report["stem_kernel"],
        stem_padding=report["stem_padding"],
        stem_channels=blocks[0]["in_ch"],
        last_channels=blocks[-1]["out_ch"],
        chain=chain,
        rows=report["rows"],
        torch_total=Count(report["torch_total"]),
        sympy_total=Count(report["sympy_total"]),
        diagram=report["diagram"],
    )


def block_diagram_for(in_ch: int, out_ch: int, stride: int) -> str:
    """Graphviz DOT of the ResidualBlock torch builds for these channels and stride."""
    return block_diagram(ResidualBlock(in_ch, out_ch, stride))


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: `python -m core.skip_connections.experiments degradation [options]`."""
    parser = argparse.ArgumentParser(prog="python -m core.skip_connections.experiments")
    sub = parser.add_subparsers(dest="command", required=True)
    deg = sub.add_parser("degradation", help="train plain and residual MLPs of several depths")
    defaults = DegradationConfig()
    deg.add_argument("--depths", type=int, nargs="+", default=list(defaults.depths))
    deg.add_argument("--seeds", type=int, default=defaults.seeds)
    deg.add_argument("--steps", type=int, default=defaults.steps)
    deg.add_argument("--lr", type=float, default=defaults.lr)
    deg.add_argument("--activation", choices=list(ACTIVATIONS), default=defaults.activation)
    deg.add_argument("--batch-norm", action="store_true")
    deg.add_argument("--seed", type=int, default=defaults.seed)
    deg.add_argument("--out", type=Path, default=DATA_DIR / "degradation.json")
    args = parser.parse_args(argv)
    config = DegradationConfig(
        depths=tuple(args.depths),
        seeds=args.seeds,
        steps=args.steps,
        lr=args.lr,
        activation=args.activation,
        batch_norm=args.batch_norm,
        seed=args.seed,
    )
    result = run_degradation(config, lambda f, what: print(f"{f:4.0%} {what}", flush=True))
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for row in error_summary(result):
        print(f"{row['family']:>8} depth {row['depth']:>2}: {row['mean']:.1%} training error")
    print(f"{result['seconds']} s; wrote {args.out}")


if __name__ == "__main__":
    main()
