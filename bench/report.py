"""The one table `make bench` prints, its targets, and the comparison with the last figures.

Pure logic, no timing (tests/bench/test_report.py): a Figure is one measured number with its unit,
target and direction; `table` lays every figure out as one aligned plain-text table; `regression`
flags a figure more than 25% worse than the last committed one; `to_json` and `previous` write and
read bench/results/bench.json, a flat {figure name: {"value", "unit", "target", "better"}} record
with its metadata under "_meta".
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "bench.json"
META = "_meta"  # the JSON's one key that is not a figure
WORSE = 0.25  # a figure more than this share worse than the last committed one is flagged
COLUMNS = ("page / figure", "measure", "value", "target", "met?", "vs last committed, notes")


@dataclass(frozen=True)
class Figure:
    """One measured number. `value` None means not measured; `note` then says why."""

    group: str  # the first column: a page's file stem, or what the figure is about
    label: str  # the second column: which measure
    value: float | None
    unit: str  # "s", "ms" or "MB"
    target: float | None = None  # None: reported, no target
    better: str = "lower"  # "lower" or "higher"
    note: str = ""

    @property
    def name(self) -> str:
        """The figure's key in the JSON, e.g. "skip_connections.cold_render"."""
        return f"{self.group}.{self.label}".replace(" ", "_")


def met(figure: Figure) -> bool | None:
    """Whether the figure meets its target; None when it has no target or no value."""
    if figure.value is None or figure.target is None:
        return None
    if figure.better == "higher":
        return figure.value >= figure.target
    return figure.value <= figure.target


def worse_by(before: float, now: float, better: str = "lower") -> float | None:
    """How much worse `now` is than `before`, as a share of `before` (negative: better).

    None when no share can be given: `before` is zero and `now` is not worse, or either is
    missing. A lower-is-better figure that was zero and is not now is infinitely worse.
    """
    if before is None or now is None:
        return None
    change = (now - before) if better == "lower" else (before - now)
    if before == 0:
        return float("inf") if change > 0 else None
    return change / abs(before)


def regression(previous: dict | None, figure: Figure, than: str = "last committed") -> str | None:
    """A warning when the figure is more than WORSE worse than its previous record, else None.

    `previous` is the figure's entry in the last results ({"value": ..., ...}), or None; `than`
    names those results in the warning.
    """
    if not previous or previous.get("value") is None or figure.value is None:
        return None
    before = previous["value"]
    share = worse_by(before, figure.value, figure.better)
    if share is None or share <= WORSE:
        return None
    if share == float("inf"):
        how = "worse"
    else:  # one decimal where a whole percent would read as 25% ("more than 25%" flagged)
        how = f"{share:.0%} worse" if round(share * 100) > WORSE * 100 else f"{share:.1%} worse"
    was, now = fmt(before, figure.unit), fmt(figure.value, figure.unit)
    return f"⚠ {how} than {than} ({was} → {now})"


def fmt(value: float | None, unit: str) -> str:
    """A value with its unit, to a sensible number of digits."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.3f} s" if abs(value) < 0.1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms" if abs(value) < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:g} {unit}".strip()


def target_text(figure: Figure) -> str:
    if figure.target is None:
        return "-"
    sign = "≥" if figure.better == "higher" else "≤"
    return f"{sign} {fmt(figure.target, figure.unit)}"


def met_text(figure: Figure) -> str:
    if figure.value is None:
        return "n/a"
    return {True: "yes", False: "NO", None: "-"}[met(figure)]


def rows(
    figures: Sequence[Figure], previous: dict, than: str = "last committed"
) -> list[tuple[str, ...]]:
    """The table's cells: the page name only on its first row, so pages read as blocks."""
    out, last_group = [], None
    for figure in figures:
        flag = regression(previous.get(figure.name), figure, than)
        notes = "; ".join(filter(None, (flag, figure.note)))
        group = figure.group if figure.group != last_group else ""
        last_group = figure.group
        value = fmt(figure.value, figure.unit) if figure.value is not None else "not measured"
        out.append((group, figure.label, value, target_text(figure), met_text(figure), notes))
    return out


def table(
    figures: Sequence[Figure], previous: dict | None = None, than: str = "last committed"
) -> str:
    """Every figure as one aligned plain-text table, a header and a rule first."""
    body = rows(figures, previous or {}, than)
    widths = [max(len(row[i]) for row in (COLUMNS, *body)) for i in range(len(COLUMNS))]
    rule = tuple("-" * width for width in widths)

    def line(row: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

    return "\n".join(line(row).rstrip() for row in (COLUMNS, rule, *body))


def summary(
    figures: Iterable[Figure], previous: dict | None = None, than: str = "last committed"
) -> str:
    """One line: how many targets were met, which were missed, how many figures got worse."""
    figures = list(figures)
    judged = [f for f in figures if met(f) is not None]
    missed = [f"{f.group} {f.label}" for f in judged if not met(f)]
    unmeasured = sum(f.value is None for f in figures)
    worse = sum(regression((previous or {}).get(f.name), f) is not None for f in figures)
    line = f"targets met: {len(judged) - len(missed)} of {len(judged)}"
    if missed:
        line += f" (missed: {', '.join(missed)})"
    if unmeasured:
        line += f"; {unmeasured} not measured"
    if worse:
        line += f"; {worse} more than {WORSE:.0%} worse than {than}"
    return line


def to_json(figures: Iterable[Figure], meta: dict) -> dict:
    """The flat results record: each figure by name, the metadata under META."""
    record: dict = {META: meta}
    for f in figures:
        value = round(f.value, 4) if isinstance(f.value, float) else f.value
        record[f.name] = {"value": value, "unit": f.unit, "target": f.target, "better": f.better}
        if f.note:
            record[f.name]["note"] = f.note
    return record


def previous(path: Path = RESULTS) -> tuple[dict, str]:
    """The last results and where they came from: the committed file, else the file on disk.

    Returns ({}, "none") when there are none.
    """
    try:
        relative = path.resolve().relative_to(ROOT).as_posix()
        shown = subprocess.run(
            ["git", "show", f"HEAD:{relative}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        if shown.returncode == 0:
            return json.loads(shown.stdout), "committed"
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    try:
        return json.loads(path.read_text()), "on disk"
    except (OSError, ValueError):
        return {}, "none"
