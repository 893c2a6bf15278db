"""Reading a degradation result (shipped in data/ or just trained): summaries a page can show.

`degradation(result)` reads a sweep once into what the pages state (a `Degradation` of readings);
`shipped_degradation()` reads the shipped one, so the skip-connections page and the summary place
the same figures.
Kept apart from experiments.py so a page that only shows the shipped figures (the summary page)
doesn't import torch.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from core import course
from core.numbers import Count, Figure, Percent

DATA_DIR = Path(__file__).resolve().parents[2] / "data"  # core.data's, without its torch import


def error_summary(result: dict) -> list[dict]:
    """Mean, lowest and highest training error per family and depth, sorted by depth."""
    groups: dict[tuple[str, int], list[float]] = {}
    for row in result["results"]:
        groups.setdefault((row["family"], row["depth"]), []).append(row["train_error"])
    return [
        {"family": f, "depth": d, "mean": statistics.fmean(e), "low": min(e), "high": max(e)}
        for (f, d), e in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def degradation_onset(result: dict, margin: float = course.ONSET_MARGIN) -> int | None:
    """Shallowest depth whose plain mean training error exceeds the residual mean by > margin."""
    means = {(r["family"], r["depth"]): r["mean"] for r in error_summary(result)}
    depths = sorted({d for _, d in means})
    for depth in depths:
        if means.get(("plain", depth), 0) - means.get(("residual", depth), 1) > margin:
            return depth
    return None


def residual_plateau(result: dict, margin: float = course.PLATEAU_MARGIN) -> dict:
    """Where the residual family's mean training error levels off: the shallowest depth from which
    every deeper depth stays within `margin` of its best, with the best and worst means."""
    means = {r["depth"]: r["mean"] for r in error_summary(result) if r["family"] == "residual"}
    depths = sorted(means)
    best = min(means.values())
    start = next(d for d in depths if all(means[e] <= best + margin for e in depths if e >= d))
    return {"from": start, "best": best, "worst": max(means.values()), "deepest": depths[-1]}


def loss_curves(result: dict, depth: int) -> list[dict]:
    """Mean training loss over seeds at each logged step, per family, for one depth."""
    groups: dict[tuple[str, int], list[float]] = {}
    for row in result["curves"]:
        if row["depth"] == depth:
            groups.setdefault((row["family"], row["step"]), []).append(row["loss"])
    return [
        {"family": f, "step": step, "loss": statistics.fmean(losses)}
        for (f, step), losses in sorted(groups.items())
    ]


def at_depth(summary: list[dict], depth: int) -> dict[str, float]:
    """Mean training error per family at one depth, from error_summary's rows."""
    return {row["family"]: row["mean"] for row in summary if row["depth"] == depth}


def load_result(name: str = "degradation.json") -> dict:
    """A shipped result from data/."""
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Degradation:
    """A sweep as the pages state it: its setup, where plain falls behind, its deepest errors."""

    data: str  # the data set's name
    samples: Count
    features: Count
    width: Count
    activation: str
    lr: Figure
    batch_size: Count
    steps: Count
    seeds: Count
    depths: tuple[int, ...]
    deepest: int
    onset: int | None  # the shallowest depth where plain trails residual by more than the margin
    onset_margin: Percent
    plain_error: Percent  # mean training error at the deepest depth
    residual_error: Percent
    plateau_from: int  # residual_plateau's, as percentages
    plateau_best: Percent
    plateau_worst: Percent
    plateau_margin: Percent
    seconds: Figure
    torch: str


def shipped_degradation() -> Degradation:
    """The shipped sweep (data/degradation.json), read for the pages."""
    return degradation(load_result())


def degradation(result: dict) -> Degradation:
    """A shipped or live sweep read once into the figures the pages place."""
    config, data = result["config"], result["data"]
    deepest = max(config["depths"])
    errors = at_depth(error_summary(result), deepest)
    plateau = residual_plateau(result)
    return Degradation(
        data=data["name"],
        samples=Count(data["samples"]),
        features=Count(data["features"]),
        width=Count(config["width"]),
        activation=config["activation"],
        lr=Figure(config["lr"]),
        batch_size=Count(config["batch_size"]),
        steps=Count(config["steps"]),
        seeds=Count(config["seeds"]),
        depths=tuple(config["depths"]),
        deepest=deepest,
        onset=degradation_onset(result),
        onset_margin=Percent(course.ONSET_MARGIN, 0),
        plain_error=Percent(errors["plain"]),
        residual_error=Percent(errors["residual"]),
        plateau_from=plateau["from"],
        plateau_best=Percent(plateau["best"]),
        plateau_worst=Percent(plateau["worst"]),
        plateau_margin=Percent(course.PLATEAU_MARGIN, 0),
        seconds=Figure(result["seconds"]),
        torch=result["torch"],
    )
