"""Reading a degradation result (shipped in data/ or just trained): summaries a page can show.

Kept apart from experiments.py so a page that only shows the shipped figures (the summary page)
doesn't import torch.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from core import course

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
