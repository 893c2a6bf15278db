"""The fine-tuning lab: a pretrained backbone fine-tuned on the generated defect set, for real.

One run (`run_lab`) trains on `per_class` images of each of the 5 defect classes, drawn from the
fixed pool by the seed, and reports validation accuracy on 500 held-out images along the way:
- A, feature extraction: the backbone's pooled features are computed once per backbone and image
  (cached), and only a new head trains on them: about a second.
- B, partial fine-tuning: the last `unfrozen_blocks` blocks train too, with discriminative rates
  (core.transfer_learning.models.param_groups: the head at head_lr, each group further back r
  times slower); `groups` is lowered to fit when fewer blocks train.
- C, full fine-tuning: every block trains, with the same discriminative rates.
- scratch: the same architecture from random weights, every parameter at head_lr.
- progressive: A for the first `frozen_fraction` of the steps, then B, the blocks joining the same
  optimiser through `optimizer.add_param_group` (the course's progressive-unfreezing tip).
B, C, scratch and progressive see each image under a random one of the square's 8 symmetries.
Training is counted in optimiser steps (an epoch is a pass over the training images, so small sets
have many short epochs); rates follow a cosine decay. Every run builds its own model from a copy
of the backbone, holds core.training's lock, runs on one thread, and stops at `time_limit_s`.
`python -m core.transfer_learning.lab --strategy A --per-class 10 --seed 0 --json` runs one
configuration; `--table` writes the accuracy table to data/transfer_lab.json. The table's runs get
a time limit no run reaches, so each trains every step and the table reproduces exactly; a live run
on the page stops at `time_limit_s` and says so, and its figure is then not the table's.
What the page shows of the lab comes back as frozen dataclasses of readings (core.numbers).
It deliberately leaves out charts and Streamlit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import course
from core.data import DATA_DIR
from core.numbers import Count, Figure, Percent, Rate
from core.training import exclusive, single_thread
from core.transfer_learning import formulas
from core.transfer_learning.data import (
    DEFECT_CLASSES,
    TRAIN_POOL_PER_CLASS,
    VAL_PER_CLASS,
    target_indices,
    target_pool,
    target_problem,
)
from core.transfer_learning.models import (
    describe_groups,
    freeze_for_strategy,
    param_groups,
    pooled_features,
    replace_head,
    total_parameters,
    train_mode,
    trainable_parameters,
)
from core.transfer_learning.steps import accuracy, channels_last, dihedral
from core.transfer_learning.strategy import LAB_RUNS, unfrozen_blocks
from core.transfer_learning.weights import Backbone, load_backbone, shared_backbone

MAX_STEPS = 1000
MAX_SEED = 999  # the page's seed box
PER_CLASS_ASKED = 4 * TRAIN_POOL_PER_CLASS  # the page's box goes past the pool, to say why not
LIVE_START = ("A", "scratch")  # what the page's lab offers to train first
TABLE_FILE = DATA_DIR / "transfer_lab.json"
TABLE_COMMAND = "python -m core.transfer_learning.lab --table"
TABLE_SIZES = (5, 10, 25, 100, 250)  # training images per class in the shipped table
TABLE_SEEDS = (0, 1, 2)
TABLE_TIME_LIMIT_S = 120.0  # the shipped table trains every step even on a busy machine


@dataclass(frozen=True)
class LabConfig:
    """One lab run: a strategy, how many training images per class, and how to train."""

    strategy: str = "A"  # one of strategy.LAB_RUNS: A, B, C, scratch or progressive
    per_class: int = 10  # training images per class, from the fixed pool of 250
    seed: int = 0  # picks the images, the new head's weights and the batch order
    steps: int = 200  # optimiser steps; C at batch 32 takes about 40 ms a step here
    batch_size: int = 32
    unfrozen_blocks: int = 3  # B and progressive; the course's case study unfreezes the last 3
    head_lr: float = 3e-3  # Adam; the backbone groups get head_lr * decay^d
    decay: float = 0.1  # r: the course's "in practice r = 0.1"
    groups: int = 3  # the head and two backbone groups (fewer if fewer blocks train)
    frozen_fraction: float = 1 / 3  # progressive: share of the steps trained as A
    evaluations: int = 8  # points on the validation curve, 500 images each
    time_limit_s: float = 25.0  # a run stops (and says so) past this; the page promises 30 s


def lab_problem(config: LabConfig, blocks: int | None = None) -> str | None:
    """Why a configuration cannot run (None when it can), in one sentence for the page.

    `blocks` is the backbone's number of feature blocks, for checking `unfrozen_blocks`.
    """
    if config.strategy not in LAB_RUNS:
        return f"Unknown strategy {config.strategy!r}: use one of {', '.join(LAB_RUNS)}."
    problem = target_problem(config.per_class)
    if problem:
        return problem
    if not 10 <= config.steps <= MAX_STEPS:
        return f"Train for 10 to {MAX_STEPS} steps."
    if not 1 <= config.batch_size <= 256 or not 1 <= config.evaluations <= config.steps:
        return "Use a batch of 1 to 256 images and between 1 and `steps` evaluations."
    if blocks is not None and not 0 <= config.unfrozen_blocks <= blocks:
        return f"Unfreeze 0 to {blocks} blocks: this backbone has {blocks} feature blocks."
    if not 0 < config.frozen_fraction < 1:
        return "Progressive unfreezing needs a frozen share strictly between 0 and 1."
    if config.seed < 0:
        return "The seed must be 0 or more."
    return formulas.learning_rate_problem(config.head_lr, config.decay, config.groups)


@contextmanager
def peak_memory() -> Iterator[dict]:
    """Sample this process's resident memory every 10 ms; fill in the peak in MB on exit."""
    sample = {"start_mb": _rss(), "peak_mb": _rss()}
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.01):
            sample["peak_mb"] = max(sample["peak_mb"], _rss())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield sample
    finally:
        stop.set()
        watcher.join()
        sample["peak_mb"] = max(sample["peak_mb"], _rss())


def _rss() -> float:
    """This process's resident memory in MB (Linux; NaN elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return math.nan


@lru_cache(maxsize=2)
def _prepared(backbone: Backbone) -> dict:
    """The pool as this backbone's inputs, and a store for pooled features as runs need them."""
    pool = target_pool()
    prepared = {}
    for split in ("train", "val"):
        images, labels = pool[split]
        prepared[split] = {
            "x": backbone.inputs(images),  # (N, 3, S, S)
            "y": torch.tensor(labels),  # (N,)
            "features": {},  # image index -> pooled features, each computed once
        }
    return prepared


def _cached_features(backbone: Backbone, split: str, index: list[int]) -> torch.Tensor:
    """Pooled features of these pool images, computing only the ones not seen before."""
    data = _prepared(backbone)[split]
    known = data["features"]
    missing = [i for i in index if i not in known]
    if missing:
        known.update(zip(missing, _features(backbone, data["x"][missing]), strict=True))
    return torch.stack([known[i] for i in index])  # (len(index), channels)


@torch.no_grad()
def _features(backbone: Backbone, x: torch.Tensor) -> torch.Tensor:
    """Pooled features of a batch, computed on a private copy of the backbone."""
    model = backbone.fresh().train(False)
    return torch.cat(
        [pooled_features(model, channels_last(x[i : i + 250])) for i in range(0, len(x), 250)]
    )


def _cosine(step: int, total: int) -> float:
    return 0.5 * (1 + math.cos(math.pi * step / total))


def _reinitialise(model: nn.Module) -> nn.Module:
    """Random weights and fresh BatchNorm statistics in every layer: training from scratch."""
    for module in model.modules():
        if hasattr(module, "reset_parameters"):
            module.reset_parameters()
    return model


def _groups_for(config: LabConfig, unfrozen: int) -> int:
    """The configured groups, lowered to fit: at most one per unfrozen block, plus the head."""
    return min(config.groups, unfrozen + 1)


def _start(config: LabConfig, model: nn.Module) -> tuple[torch.optim.Optimizer, int]:
    """Freeze the model for the strategy, build its optimiser; return it and the unfrozen blocks."""
    blocks = len(model.features)
    if config.strategy == "scratch":
        model.requires_grad_(True)
        everything = {"params": list(model.parameters()), "lr": config.head_lr, "distance": 0}
        return torch.optim.Adam([everything | {"modules": ["every layer"]}]), blocks
    progressive = config.strategy == "progressive"  # starts as A
    k = 0 if progressive else unfrozen_blocks(config.strategy, blocks, config.unfrozen_blocks)
    freeze_for_strategy(model, k)
    groups = param_groups(model, config.head_lr, config.decay, _groups_for(config, k))
    return torch.optim.Adam(groups), k


def _unfreeze(config: LabConfig, model: nn.Module, optimiser: torch.optim.Optimizer) -> None:
    """Progressive unfreezing: unfreeze the last blocks and add them to the running optimiser."""
    k = config.unfrozen_blocks
    freeze_for_strategy(model, k)
    for row in param_groups(model, config.head_lr, config.decay, _groups_for(config, k))[1:]:
        optimiser.add_param_group(row)


def run_lab(
    config: LabConfig,
    progress: Callable[[float, str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
    backbone: Backbone | None = None,
) -> dict:
    """Train one configuration; return curves, final accuracy, counts, seconds and memory."""
    backbone = backbone or shared_backbone()
    problem = lab_problem(config, len(backbone.model.features))
    if problem:
        raise ValueError(problem)
    with exclusive(on_wait), single_thread(), peak_memory() as memory:
        start = time.perf_counter()
        result = _train(config, backbone, progress)
        result["seconds"] = round(time.perf_counter() - start, 2)
    result["peak_memory_mb"] = round(memory["peak_mb"], 1)
    result["memory_added_mb"] = round(memory["peak_mb"] - memory["start_mb"], 1)
    return result


def _train(config: LabConfig, backbone: Backbone, progress) -> dict:
    """The run itself; the time limit counts from the end of its one-off preparation."""
    prepare_start = time.perf_counter()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    train, val = _prepared(backbone)["train"], _prepared(backbone)["val"]
    index = target_indices(config.per_class, config.seed).tolist()
    x, y = train["x"][index], train["y"][index]  # (N, 3, S, S), (N,)
    val_x, val_y = val["x"], val["y"]  # (500, 3, S, S), (500,)
    cached = config.strategy == "A"  # the head trains on features computed once
    if cached:
        if progress:
            progress(0.0, "computing backbone features (once per image)")
        train_features = _cached_features(backbone, "train", index)  # (N, channels)
        val_features = _cached_features(backbone, "val", list(range(len(val_y))))
    model = replace_head(backbone.fresh(), len(DEFECT_CLASSES))
    if config.strategy == "scratch":
        _reinitialise(model)
    model = model.to(memory_format=torch.channels_last)
    optimiser, unfrozen = _start(config, model)
    for group in optimiser.param_groups:
        group["base_lr"] = group["lr"]
    progressive = config.strategy == "progressive"
    switch = round(config.steps * config.frozen_fraction) if progressive else None
    marks = set(np.linspace(0, config.steps, config.evaluations + 1).round().astype(int)[1:])
    epoch_steps = len(x) / config.batch_size

    def evaluate(step: int) -> dict:
        if cached:
            model.train(False)
            with torch.no_grad():
                hits = model.classifier(val_features).argmax(1) == val_y
            score = hits.float().mean().item()
        else:
            score = accuracy(model, val_x, val_y)
        train_mode(model)
        return {
            "step": step,
            "epoch": round(step / epoch_steps, 2),
            "val_accuracy": round(score, 4),
        }

    groups_rows = describe_groups(optimiser)
    curve, order, cursor, stopped = [], torch.empty(0, dtype=torch.long), 0, False
    train_mode(model)
    started = time.perf_counter()
    for step in range(1, config.steps + 1):
        if step - 1 == switch:
            _unfreeze(config, model, optimiser)
            for group in optimiser.param_groups:
                group.setdefault("base_lr", group["lr"])
            groups_rows = describe_groups(optimiser)
            train_mode(model)
        if cursor + config.batch_size > len(order):  # a new epoch, in a new order
            order, cursor = torch.randperm(len(x), generator=generator), 0
        batch = order[cursor : cursor + config.batch_size]
        cursor += config.batch_size
        if cached:
            logits = model.classifier(train_features[batch])  # (B, 5)
        else:
            logits = model(channels_last(dihedral(x[batch], generator)))  # (B, 5)
        loss = F.cross_entropy(logits, y[batch])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        for group in optimiser.param_groups:
            group["lr"] = group["base_lr"] * _cosine(step - 1, config.steps)
        optimiser.step()
        if step in marks:
            curve.append(evaluate(step))
            if progress:
                progress(step / config.steps, f"step {step}: {curve[-1]['val_accuracy']:.1%}")
        if time.perf_counter() - started > config.time_limit_s:
            stopped = step < config.steps
            break
    if not curve or curve[-1]["step"] != step:
        curve.append(evaluate(step))
    return {
        "config": asdict(config),
        "backbone": backbone.name,
        "backbone_source": backbone.source,
        "train_images": len(x),
        "val_images": len(val_y),
        "unfrozen_blocks": config.unfrozen_blocks if progressive else unfrozen,
        "unfrozen_at_step": switch,
        "groups": groups_rows,
        "prepare_seconds": round(started - prepare_start, 2),
        "trainable_parameters": trainable_parameters(model),
        "total_parameters": total_parameters(model),
        "curve": curve,
        "final_accuracy": curve[-1]["val_accuracy"],
        "steps_done": step,
        "epochs_done": round(step / epoch_steps, 2),
        "stopped_early": stopped,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def run_table(
    sizes: tuple[int, ...] = TABLE_SIZES,
    seeds: tuple[int, ...] = TABLE_SEEDS,
    strategies: tuple[str, ...] = LAB_RUNS,
    base: LabConfig = LabConfig(time_limit_s=TABLE_TIME_LIMIT_S),
    backbone: Backbone | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """Every strategy x images per class x seed; the runs and a mean/spread summary per cell.

    Unlike a live run, the table's runs have a generous time limit, so that a busy machine
    changes their seconds but not their steps, and the shipped figures reproduce.
    """
    backbone = backbone or shared_backbone()
    jobs = [(s, n, seed) for n in sizes for s in strategies for seed in seeds]
    runs = []
    for done, (strategy, per_class, seed) in enumerate(jobs):
        if progress:
            progress(done / len(jobs), f"{strategy}, {per_class} per class, seed {seed}")
        config = replace(base, strategy=strategy, per_class=per_class, seed=seed)
        result = run_lab(config, backbone=backbone)
        runs.append(
            {k: result[k] for k in RUN_FIELDS}
            | {"strategy": strategy, "per_class": per_class, "seed": seed, "curve": result["curve"]}
        )
    return {
        "config": asdict(base),
        "backbone": backbone.name,
        "backbone_source": backbone.source,
        "command": TABLE_COMMAND,
        "torch": torch.__version__,
        "runs": runs,
        "summary": summarise(runs),
    }


RUN_FIELDS = (
    "final_accuracy",
    "seconds",
    "peak_memory_mb",
    "trainable_parameters",
    "epochs_done",
    "stopped_early",
)


def summarise(runs: list[dict]) -> list[dict]:
    """Mean, lowest and highest final accuracy and the mean seconds per (strategy, size)."""
    cells: dict[tuple[str, int], list[dict]] = {}
    for run in runs:
        cells.setdefault((run["strategy"], run["per_class"]), []).append(run)
    return [
        {
            "strategy": strategy,
            "per_class": per_class,
            "mean": round(statistics.fmean(r["final_accuracy"] for r in rows), 4),
            "low": min(r["final_accuracy"] for r in rows),
            "high": max(r["final_accuracy"] for r in rows),
            "seeds": len(rows),
            "seconds": round(statistics.fmean(r["seconds"] for r in rows), 2),
            "peak_memory_mb": max(r["peak_memory_mb"] for r in rows),
        }
        for (strategy, per_class), rows in cells.items()
    ]


@dataclass(frozen=True)
class Overview:
    """What the page says about the lab: backbone, target set, and the shipped table."""

    banner: str
    classes: Count
    class_names: str
    side: Count  # pixels a side, as the backbone sees them
    pool: Count  # training images per class at most
    validation: Count
    table_backbone: str
    seeds: Count


def overview() -> Overview:
    """What the page says about the lab: the backbone in use, image side, images held out."""
    backbone = shared_backbone()
    return Overview(
        banner=backbone.banner(),
        classes=Count(len(DEFECT_CLASSES)),
        class_names=", ".join(DEFECT_CLASSES),
        side=Count(backbone.input_size),
        pool=Count(TRAIN_POOL_PER_CLASS),
        validation=Count(VAL_PER_CLASS * len(DEFECT_CLASSES)),
        table_backbone=load_table()["backbone"],
        seeds=Count(len(TABLE_SEEDS)),
    )


@dataclass(frozen=True)
class CaseStudy:
    """The course's defect case beside the lab's nearest strategy-B row, as readings."""

    classes: Count
    class_names: str
    images: Count
    per_class: Count
    unfrozen: Count
    accuracy: Percent
    epochs: Count
    units_per_minute: Count
    lab_per_class: Count
    lab: Percent


def case_study_check() -> CaseStudy:
    """The course's case (1,200 images, 5 classes, strategy B) beside the lab's nearest B row."""
    per_class = course.CASE_IMAGES // len(course.DEFECT_CLASSES)
    rows = [r for r in load_table()["summary"] if r["strategy"] == "B"]
    nearest = min(rows, key=lambda r: abs(r["per_class"] - per_class))
    return CaseStudy(
        classes=Count(len(course.DEFECT_CLASSES)),
        class_names=", ".join(course.DEFECT_CLASSES),
        images=Count(course.CASE_IMAGES),
        per_class=Count(per_class),
        unfrozen=Count(course.CASE_UNFROZEN_BLOCKS),
        accuracy=Percent(course.CASE_ACCURACY),
        epochs=Count(course.CASE_EPOCHS),
        units_per_minute=Count(course.CASE_UNITS_PER_MINUTE),
        lab_per_class=Count(nearest["per_class"]),
        lab=Percent(nearest["mean"]),
    )


@dataclass(frozen=True)
class Findings:
    """What the shipped table shows, as readings: the strategies at the fewest images, and
    scratch at the two largest sizes under its fixed number of steps."""

    fewest: Count  # training images per class at the table's smallest size
    a: Percent  # mean final accuracy there
    b: Percent
    c: Percent
    steps: Count  # every run's optimiser steps
    images_seen: Count  # steps x batch: the same at every size
    larger: Count  # the two largest sizes, images per class
    largest: Count
    scratch_larger: Percent
    scratch_largest: Percent


def findings(table: dict | None = None) -> Findings:
    """What the shipped table (or another) shows at its smallest and two largest sizes."""
    table = table or load_table()
    mean = {(r["strategy"], r["per_class"]): r["mean"] for r in table["summary"]}
    sizes = sorted({r["per_class"] for r in table["summary"]})
    config = table["config"]
    fewest, larger, largest = sizes[0], sizes[-2], sizes[-1]
    return Findings(
        fewest=Count(fewest),
        a=Percent(mean[("A", fewest)]),
        b=Percent(mean[("B", fewest)]),
        c=Percent(mean[("C", fewest)]),
        steps=Count(config["steps"]),
        images_seen=Count(config["steps"] * config["batch_size"]),
        larger=Count(larger),
        largest=Count(largest),
        scratch_larger=Percent(mean[("scratch", larger)]),
        scratch_largest=Percent(mean[("scratch", largest)]),
    )


@dataclass(frozen=True)
class Progressive:
    """The course's progressive-unfreezing tip as code, and the lab's single switch."""

    code: str
    frozen_epochs: Count  # the course's epochs as A before unfreezing
    switch_step: Count  # the lab's step at which B's blocks join
    steps: Count
    blocks: Count  # blocks that join


def progressive() -> Progressive:
    """The tip's code on the course's rates (exercise 8's), and where the lab's run switches."""
    config, blocks = LabConfig(), course.CASE_UNFROZEN_BLOCKS
    head, added = Rate(course.EXERCISE8_HEAD_LR), Rate(course.EXERCISE8_ADDED_LR)
    code = (
        f"optimizer = torch.optim.Adam(model.classifier.parameters(), lr={head})  # A first\n"
        f"...  # train {course.PROGRESSIVE_FROZEN_EPOCHS} epochs\n"
        f"for p in model.features[-{blocks}:].parameters():\n"
        "    p.requires_grad = True\n"
        f"optimizer.add_param_group({{'params': model.features[-{blocks}:].parameters(), "
        f"'lr': {added}}})"
    )
    return Progressive(
        code=code,
        frozen_epochs=Count(course.PROGRESSIVE_FROZEN_EPOCHS),
        switch_step=Count(round(config.steps * config.frozen_fraction)),
        steps=Count(config.steps),
        blocks=Count(config.unfrozen_blocks),
    )


LIVE_NOTE = (
    f"Each run stops by {LabConfig().time_limit_s:.0f} s on one CPU thread (A takes about a "
    "second: it trains on features computed once). One live run goes at a time for everyone; "
    "results are kept, so a configuration already run anywhere shows at once."
)


def live_configs(strategies: list[str], per_class: int, seed: int) -> list[LabConfig]:
    """The page's choice as one configuration per strategy, in the order chosen."""
    return [LabConfig(strategy=s, per_class=per_class, seed=seed) for s in strategies]


def live_problem(configs: list[LabConfig]) -> str | None:
    """Why the page's choice cannot run (None when it can), in one sentence."""
    if not configs:
        return "Pick at least one strategy."
    return next(filter(None, (lab_problem(c) for c in configs)), None)


@dataclass(frozen=True)
class LiveResults:
    """Live runs as the page shows them: curve points, one row per run, and notes on any that
    stopped at the time limit."""

    curves: list[dict]
    finals: list[dict]
    notes: list[str]


def live_results(results: list[dict]) -> LiveResults:
    """Curve points, a row per run (accuracy and seconds as text), and a note per early stop."""
    curves, finals, notes = [], [], []
    for result in results:
        config = result["config"]
        name, steps = config["strategy"], config["steps"]
        curves += [
            {"strategy": name, "epoch": p["epoch"], "accuracy": p["val_accuracy"]}
            for p in result["curve"]
        ]
        accuracy = Percent(result["final_accuracy"])
        finals.append(
            {
                "strategy": name,
                "final accuracy": accuracy.text,
                "steps": f"{result['steps_done']} of {steps}",
                "trainable parameters": result["trainable_parameters"],
                "seconds": Figure(result["seconds"]).text,
            }
        )
        if result["stopped_early"]:
            notes.append(
                f"**{name}** stopped after {result['steps_done']} of {steps} steps, at the "
                f"{config['time_limit_s']:.0f} s limit a live run has on this shared machine, "
                f"so its {accuracy} is not what the shipped table's run reaches: those train "
                "every step."
            )
    return LiveResults(curves, finals, notes)


def load_table() -> dict:
    """The shipped accuracy table, data/transfer_lab.json."""
    return json.loads(TABLE_FILE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    """Run one configuration (printed, as JSON with --json) or write the table with --table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", default=LabConfig.strategy, choices=LAB_RUNS)
    parser.add_argument("--per-class", type=int, default=LabConfig.per_class)
    parser.add_argument("--seed", type=int, default=LabConfig.seed)
    parser.add_argument("--steps", type=int, default=LabConfig.steps)
    parser.add_argument("--unfrozen-blocks", type=int, default=LabConfig.unfrozen_blocks)
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument("--table", action="store_true", help=f"write {TABLE_FILE.name}")
    parser.add_argument("--fallback", action="store_true", help="skip the ImageNet weights")
    args = parser.parse_args(argv)
    backbone = load_backbone(prefer_imagenet=not args.fallback)
    report = lambda fraction, text: print(f"{fraction:4.0%} {text}", flush=True)  # noqa: E731
    if args.table:
        table = run_table(backbone=backbone, progress=report)
        TABLE_FILE.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
        for row in table["summary"]:
            print(row)
        return
    config = LabConfig(
        args.strategy, args.per_class, args.seed, args.steps, unfrozen_blocks=args.unfrozen_blocks
    )
    problem = lab_problem(config, len(backbone.model.features))
    if problem:
        parser.error(problem)
    result = run_lab(config, backbone=backbone)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(
            f"{backbone.banner()}\n{config.strategy}: {result['final_accuracy']:.1%} on "
            f"{result['val_images']} held-out images in {result['seconds']} s"
        )


if __name__ == "__main__":
    main()
