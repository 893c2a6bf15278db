"""Discriminative learning rates as SymPy, and MobileNetV2's parameter counts from its table.

The definition used everywhere (the course refers to a formula it never writes down): parameter
groups are numbered by their distance d from the head. d = 0 is the new head itself, d = 1 the
backbone group next to it, ..., d = G - 1 the earliest unfrozen group, and

    eta_d = eta_head * r^d,   0 < r <= 1,

so "G groups" means G learning rates, the head's included. Why: the course writes r^(L - l) with
l = 0 the earliest group and L groups, which leaves open whether the head is one of the L. Read
with the head outside them, the earliest of 3 groups would get r^3; counting from the head, the
head gets r^0 = 1 as it must, and the course's checkpoint (r = 0.3, eta_head = 5e-4, G = 3) gives
eta_early = 5e-4 * 0.3^2 = 4.5e-5. Under this definition the course's three statements agree:
"10x lower on the backbone" is one step with r = 0.1; "10-100x smaller than the head" is r = 0.1
over d = 1 and 2; and "r in [0.1, 0.5] per group" puts the earliest of G groups between 2^(G-1)
and 10^(G-1) times below the head.

The counts are the second route for core.transfer_learning.models: every feature block's
parameters from the architecture table (t, c, n, s) with core.conv's and the separable topic's
formulas, BatchNorm included, so a test can hold them against torch's `p.numel()`.
It deliberately leaves out anything that needs torch.
"""

from __future__ import annotations

import math

import sympy as sp

from core.conv import batchnorm_params, standard_params
from core.course import (
    CHECKPOINT_DECAY,
    CHECKPOINT_GROUPS,
    CHECKPOINT_HEAD_LR,
    DECAY_PRACTICE,
    FINETUNE_IMAGES,
    FINETUNE_MINUTES,
    PRETRAIN_DAYS,
    PRETRAIN_GPUS,
    SUBTITLE_GPU_HOURS,
)
from core.numbers import Number, derivation, exact
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

MOBILENET_V2_BLOCKS = 2 + sum(n for _, _, n, _ in MOBILENET_V2_STAGES)  # stem + blocks + last
MAX_GROUPS = MOBILENET_V2_BLOCKS + 1  # every feature block its own group, and the head


GPUS, DAYS = sp.symbols("G_pus D_ays", positive=True)
GPU_HOURS = GPUS * DAYS * 24  # one training run's cost in GPU-hours


def pretraining_costs() -> dict:
    """The hook's figures recomputed: one ResNet-50 run in GPU-hours, against the subtitle."""
    run = GPU_HOURS.subs({GPUS: PRETRAIN_GPUS, DAYS: PRETRAIN_DAYS})
    return {
        "run_gpu_hours": int(run),
        "subtitle_gpu_hours": SUBTITLE_GPU_HOURS,
        "runs_in_subtitle": SUBTITLE_GPU_HOURS / int(run),
        "finetune_minutes": FINETUNE_MINUTES,
        "finetune_images": FINETUNE_IMAGES,
    }


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


def checkpoint() -> dict:
    """The course's checkpoint (r = 0.3, eta_head = 5e-4, 3 groups) and its other reading."""
    rates = group_learning_rates(CHECKPOINT_HEAD_LR, CHECKPOINT_DECAY, CHECKPOINT_GROUPS)
    head_outside = earliest_learning_rate(
        CHECKPOINT_HEAD_LR, CHECKPOINT_DECAY, CHECKPOINT_GROUPS + 1
    )
    return {"rates": rates, "earliest": rates[-1], "if_head_not_counted": head_outside}


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
