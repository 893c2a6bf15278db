"""Discriminative learning rates as SymPy, and MobileNetV2's parameter counts from its table.

The course writes eta_l = eta_head * r^(L - l), with r in [0.1, 0.5] the decay per group, L the
number of groups and l the group index (l = 0 the earliest). It leaves open whether the head is one
of the L groups, and its checkpoint (r = 0.3, eta_head = 5e-4, 3 groups) has two answers:
- the head is one of the L groups (the last, l = L - 1, learning at eta_head itself): the group at
  l sits d = L - 1 - l groups from the head, and the earliest gets 5e-4 * 0.3^2 = 4.5e-5;
- the head is not one of them (it would be l = L, where r^0 = 1, as the formula read literally
  gives): d = L - l, and the earliest of 3 backbone groups gets 5e-4 * 0.3^3 = 1.35e-5.
This tutor counts by the distance d from the head, the head itself d = 0, and takes the first
reading, so "G groups" means G learning rates, the head's included:

    eta_d = eta_head * r^d,   0 < r <= 1.

The course's three statements about backbone rates agree only at r = 0.1: "10x lower on the
backbone" is one step with r = 0.1; "10-100x smaller than the head" is r = 0.1 over d = 1 and 2;
and "r in [0.1, 0.5] per group" puts the earliest of G groups between 2^(G-1) and 10^(G-1) times
below the head.

The counts are the second route for core.transfer_learning.models: every feature block's
parameters from the architecture table (t, c, n, s) with core.conv's and the separable topic's
formulas, BatchNorm included, so a test can hold them against torch's `p.numel()`.
It deliberately leaves out anything that needs torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from core.conv import batchnorm_params, standard_params
from core.course import (
    CHECKPOINT_DECAY,
    CHECKPOINT_GROUPS,
    CHECKPOINT_HEAD_LR,
    DECAY_PRACTICE,
    DECAY_RANGE,
    FINETUNE_IMAGES,
    FINETUNE_MINUTES,
    PRETRAIN_DAYS,
    PRETRAIN_EPOCHS,
    PRETRAIN_GPUS,
    SUBTITLE_GPU_HOURS,
)
from core.numbers import Count, Figure, Number, Rate, Times, derivation, exact
from core.separable_convolutions.formulas import (
    MOBILENET_V2_LAST,
    MOBILENET_V2_STAGES,
    MOBILENET_V2_STEM,
    inverted_residual_params,
)

eta_head, r = sp.symbols("eta_head r", positive=True)
d = sp.Symbol("d", nonnegative=True, integer=True)

LEARNING_RATE = eta_head * r**d  # the group at distance d from the head
RATIO_TO_HEAD = eta_head / LEARNING_RATE  # how many times slower than the head: r^-d
groups_L, index_l = sp.symbols("L l", integer=True, nonnegative=True)  # the course's L and l
COURSE_LEARNING_RATE = eta_head * r ** (groups_L - index_l)  # L groups, l = 0 the earliest
_NAMES = {eta_head: r"\eta_\text{head}"}  # as the course writes it
RATE_TEX = rf"\eta_d = {sp.latex(LEARNING_RATE, symbol_names=_NAMES)}, \qquad 0 < r \le 1"
COURSE_RATE_TEX = (
    rf"\eta_l = {sp.latex(COURSE_LEARNING_RATE, symbol_names=_NAMES)}, \qquad "
    rf"r \in [{DECAY_RANGE[0]}, {DECAY_RANGE[1]}]"
)
# The rate calculator's boxes take values past the valid ones, so the page can say why they fail.
HEAD_LR_ASKED = (0.0, 1.0)
DECAY_ASKED = (0.0, 2.0)
HEAD_LR_BOX = {"step": 1e-4, "format": "%g"}  # 0.001 and 4.5e-05 as they are, not 0.00000
DECAY_STEP = 0.05

MOBILENET_V2_BLOCKS = 2 + sum(n for _, _, n, _ in MOBILENET_V2_STAGES)  # stem + blocks + last
MAX_GROUPS = MOBILENET_V2_BLOCKS + 1  # every feature block its own group, and the head


GPUS, DAYS = sp.symbols("G_pus D_ays", positive=True)
GPU_HOURS = GPUS * DAYS * 24  # one training run's cost in GPU-hours


@dataclass(frozen=True)
class PretrainingCosts:
    """The hook's figures: one ResNet-50 run against the course's subtitle, and fine-tuning."""

    epochs: Count
    gpus: Count
    days: Count
    run_gpu_hours: Count
    subtitle_gpu_hours: Count
    runs_in_subtitle: Count
    finetune_images: Count
    finetune_minutes: Count


def pretraining_costs() -> PretrainingCosts:
    """The hook's figures recomputed: one ResNet-50 run in GPU-hours, against the subtitle."""
    run = int(GPU_HOURS.subs({GPUS: PRETRAIN_GPUS, DAYS: PRETRAIN_DAYS}))
    return PretrainingCosts(
        epochs=Count(PRETRAIN_EPOCHS),
        gpus=Count(PRETRAIN_GPUS),
        days=Count(PRETRAIN_DAYS),
        run_gpu_hours=Count(run),
        subtitle_gpu_hours=Count(SUBTITLE_GPU_HOURS),
        runs_in_subtitle=Count(round(SUBTITLE_GPU_HOURS / run)),
        finetune_images=Count(FINETUNE_IMAGES),
        finetune_minutes=Count(FINETUNE_MINUTES),
    )


def learning_rate_problem(
    head_lr: Number, decay: Number, groups: int, unfrozen_blocks: int | None = None
) -> str | None:
    """Why these rates cannot be used (None when they can), in one sentence.

    With `unfrozen_blocks`, the G - 1 backbone groups must also fit the blocks that train.
    """
    if not all(_finite(v) for v in (head_lr, decay)):
        return "The head's learning rate and r must be numbers."
    if exact(head_lr) <= 0:
        return "The head's learning rate must be above 0: at 0 or below nothing learns."
    if not 0 < exact(decay) <= 1:
        return (
            "r must lie in (0, 1]: above 1 the early blocks would learn faster than the head, "
            "and at 0 or below they would not learn at all."
        )
    if not 1 <= groups <= MAX_GROUPS:
        return (
            f"Use 1 to {MAX_GROUPS} groups: MobileNetV2 has {MOBILENET_V2_BLOCKS} feature blocks "
            "and a head."
        )
    if unfrozen_blocks is None:
        return None
    if groups - 1 > unfrozen_blocks:
        return (
            f"{groups - 1} backbone groups need at least {groups - 1} unfrozen blocks; "
            f"only {unfrozen_blocks} train."
        )
    if groups == 1 and unfrozen_blocks:
        return "Unfrozen blocks need a learning rate: use 2 or more groups, or freeze them (A)."
    return None


def learning_rate_note(decay: Number, groups: int) -> str | None:
    """A sentence when valid settings make the schedule trivial (one group, or r = 1)."""
    if groups == 1:
        return "One group is the head alone: r never applies, which is strategy A."
    if exact(decay) == 1:
        return "With r = 1 every group learns at the head's rate: nothing is discriminative."
    return None


def _finite(value: Number) -> bool:
    if isinstance(value, sp.Expr):
        return bool(value.is_finite)
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _check(head_lr: Number, decay: Number, groups: int) -> None:
    problem = learning_rate_problem(head_lr, decay, groups)
    if problem:
        raise ValueError(problem)


def group_learning_rates(head_lr: Number, decay: Number, groups: int) -> list[sp.Expr]:
    """eta_d = eta_head r^d for d = 0 (the head) to G - 1 (the earliest group), exactly."""
    _check(head_lr, decay, groups)
    subs = {eta_head: exact(head_lr), r: exact(decay)}
    return [LEARNING_RATE.subs(subs | {d: k}) for k in range(groups)]


def learning_rate_derivation(head_lr: Number, decay: Number, distance: int) -> list[str]:
    """LaTeX steps of eta_d = eta_head r^d for one group: the formula, the values, the rate."""
    values = {eta_head: head_lr, r: decay, d: distance}
    return derivation(rf"\eta_{{{distance}}}", LEARNING_RATE, values)


def earliest_derivation(head_lr: Number, decay: Number, groups: int) -> list[str]:
    """The derivation of the earliest of G groups' rate, at d = G - 1."""
    return learning_rate_derivation(head_lr, decay, groups - 1)


def group_name(distance: int) -> str:
    """How a group is named on the page: "head" at d = 0, else "d = 2"."""
    return "head" if distance == 0 else f"d = {distance}"


def rate_rows(head_lr: Number, decay: Number, groups: int) -> list[dict]:
    """One row per group for the rate chart: its name, its rate, and the rate as text."""
    return [
        {"group": group_name(k), "learning rate": float(rate), "rate": Rate(rate).text}
        for k, rate in enumerate(group_learning_rates(head_lr, decay, groups))
    ]


def earliest_learning_rate(head_lr: Number, decay: Number, groups: int) -> sp.Expr:
    """The earliest group's rate, eta_head r^(G - 1)."""
    return group_learning_rates(head_lr, decay, groups)[-1]


def ratio_to_head(decay: Number, distance: int) -> sp.Expr:
    """eta_head / eta_d = r^-d: how many times slower than the head the group at d learns."""
    if not 0 < exact(decay) <= 1 or distance < 0:
        raise ValueError("r must lie in (0, 1] and the distance must be 0 or more.")
    return RATIO_TO_HEAD.subs({r: exact(decay), d: distance})


def ratio_range(groups: int, decays: tuple[Number, Number]) -> tuple[sp.Expr, sp.Expr]:
    """How many times slower than the head the earliest of G groups is, over a range of r."""
    high, low = (ratio_to_head(v, groups - 1) for v in decays)
    return min(high, low), max(high, low)


@dataclass(frozen=True)
class Checkpoint:
    """The course's checkpoint under both readings of "3 groups", as readings."""

    head: Rate
    decay: Figure
    groups: Count
    counted: Rate  # the head one of the groups: the earliest at d = L - 1
    counted_distance: Count
    outside: Rate  # the head not one of them: the earliest at d = L
    outside_distance: Count


def checkpoint() -> Checkpoint:
    """The course's checkpoint (r = 0.3, eta_head = 5e-4, 3 groups) under both readings."""
    groups = CHECKPOINT_GROUPS
    course = {
        eta_head: exact(CHECKPOINT_HEAD_LR),
        r: exact(CHECKPOINT_DECAY),
        groups_L: groups,
        index_l: 0,
    }
    counted = earliest_learning_rate(CHECKPOINT_HEAD_LR, CHECKPOINT_DECAY, groups)
    return Checkpoint(
        head=Rate(exact(CHECKPOINT_HEAD_LR)),
        decay=Figure(CHECKPOINT_DECAY),
        groups=Count(groups),
        counted=Rate(counted),
        counted_distance=Count(groups - 1),
        outside=Rate(COURSE_LEARNING_RATE.subs(course)),
        outside_distance=Count(groups),
    )


def course_statements(groups: int = CHECKPOINT_GROUPS) -> list[dict]:
    """The course's three statements about backbone rates, each as the ratios it implies."""
    practice = DECAY_PRACTICE
    return [
        {
            "says": "10x lower learning rate on the backbone",
            "where": "the summary and exercise 5",
            "reading": "one step from the head with r = 0.1 (d = 1)",
            "ratios": [ratio_to_head(practice, 1)],
        },
        {
            "says": "discriminative learning rates 10-100x smaller than the head",
            "where": "the key takeaway",
            "reading": "r = 0.1 over the groups at d = 1 and d = 2 (three groups)",
            "ratios": [ratio_to_head(practice, k) for k in (1, 2)],
        },
        {
            "says": "r in [0.1, 0.5] per group",
            "where": "the discriminative-rates section",
            "reading": f"the earliest of {groups} groups (d = {groups - 1}) over that range of r",
            "ratios": list(ratio_range(groups, ("0.5", "0.1"))),
        },
    ]


def statements_text(groups: int = CHECKPOINT_GROUPS) -> str:
    """The course's three statements as Markdown: a lead, then each with how many times slower."""
    low, high = DECAY_RANGE
    lead = (
        "What the course's three statements about backbone rates mean in these terms. The first "
        f"two take $r = {DECAY_PRACTICE}$; the third lets $r$ range from {low} to {high}, so the "
        f"three agree only at $r = {DECAY_PRACTICE}$:\n"
    )
    return lead + "\n".join(
        f'- *"{row["says"]}"* ({row["where"]}): {row["reading"]}, so '
        f"{' to '.join(Times(v).text for v in row['ratios'])} slower than the head."
        for row in course_statements(groups)
    )


def table_block_params(setting, stem: int, last: int) -> list[int]:
    """Parameters of every feature block from the table: stem, inverted residuals, 1x1 conv."""
    counts = [standard_params(3, 3, stem) + batchnorm_params(stem)]
    channels = stem
    for t, c, n, _ in setting:
        for _ in range(n):
            counts.append(inverted_residual_params(3, channels, c, t, batchnorm=True))
            channels = c
    counts.append(standard_params(1, channels, last) + batchnorm_params(last))
    return [int(v) for v in counts]


def head_params(width: int, classes: int) -> int:
    """A Linear head's parameters: a weight per (feature, class) and a bias per class."""
    return width * classes + classes


def table_trainable(setting, stem: int, last: int, unfrozen: int, classes: int) -> int:
    """Trainable parameters with the last `unfrozen` blocks and a new head, from the table."""
    blocks = table_block_params(setting, stem, last)
    return sum(blocks[len(blocks) - unfrozen :]) + head_params(last, classes)


def mobilenet_v2_trainable(unfrozen: int, classes: int) -> int:
    """Trainable parameters of MobileNetV2 with its last `unfrozen` blocks and a new head."""
    stages = (MOBILENET_V2_STAGES, MOBILENET_V2_STEM, MOBILENET_V2_LAST)
    return table_trainable(*stages, int(unfrozen), int(classes))
