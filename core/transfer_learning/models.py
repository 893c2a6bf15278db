"""The networks of transfer learning, read the way torch sees them: blocks, freezing, heads, groups.

Everything here works on any network shaped like torchvision's MobileNetV2 (a `features`
Sequential of blocks, then average pooling and a `classifier`): torchvision's real `mobilenet_v2`
and the lab's small fallback backbone, `small_mobilenet_v2`, built from torchvision's own
`Conv2dNormActivation` and `InvertedResidual` blocks so that the same freezing, counting and
grouping code applies to both. Counts come from `p.numel()` and `requires_grad` only; the tests hold
them against core.transfer_learning.formulas, which derives them from the architecture table.
Also here: the optimiser's parameter groups for discriminative learning rates, the forgotten-head
demonstration and the feature maps of a photo. What a page shows comes back as small frozen
dataclasses of readings (core.numbers), its figures already display text.
It deliberately leaves out loading weights (core.transfer_learning.weights) and training loops
(core.transfer_learning.lab).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import mobilenet_v2 as torchvision_mobilenet_v2
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.ops.misc import Conv2dNormActivation

from core.course import (
    EXERCISE6_CLASSES,
    EXERCISE6_DROPOUT,
    EXERCISE6_HEAD_IN,
    EXERCISE6_HEAD_PARAMS,
    EXERCISE6_LAST3_CLAIM,
    EXERCISE6_LAST3_DESCRIPTION,
    IMAGENET_CLASSES,
)
from core.numbers import Count, Figure, Percent, Rate
from core.transfer_learning import formulas
from core.transfer_learning.strategy import (
    LABELS,
    STRATEGY_NAMES,
    strategy_of,
    unfrozen_blocks,
)

# The fallback backbone: MobileNetV2's stages, shrunk for 32x32 images (stem stride 2, so the
# last blocks see 4x4 maps), about 220K parameters; it trains at about 1.5 ms an image here.
SMALL_STEM = 16
SMALL_SETTING = (  # t, c, n, s
    (1, 16, 1, 1),
    (4, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 2, 1),
    (6, 96, 1, 1),
)
SMALL_LAST = 256  # channels of the final 1x1 convolution: the features a head sees


def mobilenet_v2(weights: str | None = None) -> nn.Module:
    """torchvision's MobileNetV2, with weights by name ("IMAGENET1K_V1") or random (None)."""
    return torchvision_mobilenet_v2(weights=weights)


class SmallMobileNetV2(nn.Module):
    """A MobileNetV2 for 32x32 images: stem, inverted residuals, 1x1 conv, pool, classifier."""

    def __init__(self, classes: int, setting=SMALL_SETTING, stem=SMALL_STEM, last=SMALL_LAST):
        super().__init__()
        blocks: list[nn.Module] = [
            Conv2dNormActivation(3, stem, stride=2, activation_layer=nn.ReLU6)
        ]
        channels = stem
        for t, c, n, s in setting:
            for i in range(n):
                blocks.append(InvertedResidual(channels, c, s if i == 0 else 1, t))
                channels = c
        blocks.append(
            Conv2dNormActivation(channels, last, kernel_size=1, activation_layer=nn.ReLU6)
        )
        self.features = nn.Sequential(*blocks)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(last, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)  # (B, last, H / 8, W / 8)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)  # (B, last)
        return self.classifier(x)  # (B, classes)


def small_mobilenet_v2(classes: int) -> SmallMobileNetV2:
    """The fallback backbone's architecture, randomly initialised, with a `classes`-way head."""
    return SmallMobileNetV2(classes)


def pooled_features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """What the head sees: the last block's maps, averaged over space."""
    return F.adaptive_avg_pool2d(model.features(x), 1).flatten(1)  # (B, channels)


def replace_head(model: nn.Module, classes: int, dropout: float = EXERCISE6_DROPOUT) -> nn.Module:
    """Swap the classifier for a fresh Dropout + Linear with `classes` outputs (exercise 6)."""
    width = model.classifier[-1].in_features  # 1280 for torchvision's MobileNetV2
    model.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(width, classes))
    return model


def unfrozen_count(model: nn.Module, strategy: str | int) -> int:
    """Feature blocks a strategy trains: A none, B the course's last 3, C all; or a number."""
    if isinstance(strategy, str):
        return unfrozen_blocks(strategy, len(model.features))
    problem = freeze_problem(model, strategy)
    if problem:
        raise ValueError(problem)
    return strategy


def freeze_problem(model: nn.Module, unfrozen: int) -> str | None:
    """Why `unfrozen` feature blocks cannot be unfrozen (None when they can), in one sentence."""
    blocks = len(model.features)
    if not 0 <= unfrozen <= blocks:
        return f"Unfreeze 0 to {blocks} blocks: this backbone has {blocks} feature blocks."
    return None


def freeze_for_strategy(model: nn.Module, strategy: str | int) -> nn.Module:
    """Freeze all feature blocks but the last k (A: k = 0, C: all); the classifier always trains."""
    k = unfrozen_count(model, strategy)
    blocks = len(model.features)
    for i, block in enumerate(model.features):
        block.requires_grad_(i >= blocks - k)
    model.classifier.requires_grad_(True)
    return model


def train_mode(model: nn.Module) -> nn.Module:
    """model.train(), but frozen blocks stay in eval mode so their BatchNorm statistics hold."""
    model.train()
    for block in model.features:
        if not any(p.requires_grad for p in block.parameters()):
            block.train(False)
    return model


def trainable_parameters(model: nn.Module) -> int:
    """Parameters the optimiser may change: sum of p.numel() where p.requires_grad."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def total_parameters(model: nn.Module) -> int:
    """All learned parameters: sum of p.numel()."""
    return sum(p.numel() for p in model.parameters())


def _block_row(index: int, block: nn.Module) -> dict:
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    depthwise = [c for c in convs if c.groups > 1]
    in_ch = convs[0].in_channels
    return {
        "index": index,
        "name": f"features.{index}",
        "kind": type(block).__name__,
        "in_channels": in_ch,
        "out_channels": convs[-1].out_channels,
        "stride": max(c.stride[0] for c in convs),
        "expansion": depthwise[0].in_channels // in_ch
        if isinstance(block, InvertedResidual)
        else None,
        "parameters": total_parameters(block),
        "trainable": any(p.requires_grad for p in block.parameters()),
    }


def block_table(model: nn.Module) -> list[dict]:
    """One row per features[i]: torch's class name, channels, stride, expansion, size, trainable."""
    return [_block_row(i, block) for i, block in enumerate(model.features)]


def strategy_strip(unfrozen: int, classes: int = EXERCISE6_CLASSES) -> list[dict]:
    """torchvision's mobilenet_v2 with its last `unfrozen` blocks training and a new head: one row
    per part (features.0 ... features.18, then the head), its class, size and state."""
    model = freeze_for_strategy(replace_head(mobilenet_v2(), classes), unfrozen)
    rows = [
        {
            "name": row["name"],
            "kind": row["kind"],
            "parameters": row["parameters"],
            "state": "trains" if row["trainable"] else "frozen",
        }
        for row in block_table(model)
    ]
    head = model.classifier
    rows.append(
        {"name": "classifier", "kind": "new head", "parameters": total_parameters(head)}
        | {"state": "new head"}
    )
    return rows


@dataclass(frozen=True)
class Strip:
    """One strategy on mobilenet_v2: its title and the strip's rows, part by part."""

    letter: str
    title: str  # "A: feature extraction"
    rows: list[dict]


def strategy_strips(classes: int) -> list[Strip]:
    """A, B (the course's last 3 blocks) and C on mobilenet_v2 with a `classes`-way head."""
    blocks = formulas.MOBILENET_V2_BLOCKS
    return [
        Strip(letter, LABELS[letter], strategy_strip(unfrozen_blocks(letter, blocks), classes))
        for letter in STRATEGY_NAMES
    ]


@dataclass(frozen=True)
class Unfreezing:
    """mobilenet_v2 with its last blocks training: the strip, which strategy, two counts."""

    rows: list[dict]
    strategy: str
    torch: Count  # trainable parameters by requires_grad
    table: Count  # the same from the architecture table
    classes: Count


def unfreezing_report(unfrozen: int, classes: int) -> Unfreezing:
    """mobilenet_v2 with its last `unfrozen` blocks training: the strip, the strategy it is, and
    the trainable count by torch's requires_grad beside the count from the architecture table."""
    rows = strategy_strip(unfrozen, classes)
    return Unfreezing(
        rows=rows,
        strategy=strategy_of(unfrozen, len(rows) - 1),  # the head is the last row
        torch=Count(sum(r["parameters"] for r in rows if r["state"] != "frozen")),
        table=Count(formulas.mobilenet_v2_trainable(unfrozen, classes)),
        classes=Count(classes),
    )


@dataclass(frozen=True)
class LastThree:
    """What torch finds in mobilenet_v2's features[-3:], beside what exercise 6's answer says."""

    modules: list[dict]  # name, kind, parameters of each
    listed: str  # the modules as the page lists them
    indices: list[int]
    inverted_residuals: Count
    parameters: Count
    head_parameters: Count
    course_says: str
    course_parameters: Count
    course_head_parameters: Count


def last_three_blocks_facts() -> LastThree:
    """What torch finds in mobilenet_v2's features[-3:], beside what exercise 6's answer says."""
    model = mobilenet_v2()
    blocks = len(model.features)
    rows = block_table(model)[-3:]
    replace_head(model, EXERCISE6_CLASSES)
    freeze_for_strategy(model, "A")
    modules = [{k: row[k] for k in ("name", "kind", "parameters")} for row in rows]
    return LastThree(
        modules=modules,
        listed=", ".join(f"`{m['name']}` ({m['kind']}, {Count(m['parameters'])})" for m in modules),
        indices=[blocks - 3, blocks - 2, blocks - 1],
        inverted_residuals=Count(sum(row["kind"] == "InvertedResidual" for row in rows)),
        parameters=Count(sum(row["parameters"] for row in rows)),
        head_parameters=Count(trainable_parameters(model)),
        course_says=EXERCISE6_LAST3_DESCRIPTION,
        course_parameters=Count(EXERCISE6_LAST3_CLAIM),
        course_head_parameters=Count(EXERCISE6_HEAD_PARAMS),
    )


def _split_back_from_head(indices: list[int], groups: int) -> list[list[int]]:
    """Unfrozen block indices cut into `groups` contiguous runs, nearest the head first."""
    nearest_first = sorted(indices, reverse=True)
    return [sorted(run.tolist()) for run in np.array_split(nearest_first, groups)]


def _unfrozen_blocks(model: nn.Module) -> list[int]:
    """Indices of the feature blocks that have a trainable parameter."""
    return [i for i, b in enumerate(model.features) if any(p.requires_grad for p in b.parameters())]


def param_groups_problem(model: nn.Module, head_lr, decay, groups: int) -> str | None:
    """Why these rates and groups do not fit the model's unfrozen blocks (None when they do)."""
    unfrozen = len(_unfrozen_blocks(model))
    return formulas.learning_rate_problem(head_lr, decay, groups, unfrozen_blocks=unfrozen)


def param_groups(model: nn.Module, head_lr, decay, groups: int) -> list[dict]:
    """torch.optim parameter groups: the head at head_lr (d = 0), unfrozen blocks at head_lr r^d."""
    problem = param_groups_problem(model, head_lr, decay, groups)
    if problem:
        raise ValueError(problem)
    rates = formulas.group_learning_rates(head_lr, decay, groups)
    head = {"params": list(model.classifier.parameters()), "modules": ["classifier"]}
    runs = _split_back_from_head(_unfrozen_blocks(model), groups - 1) if groups > 1 else []
    backbone = [
        {
            "params": [p for i in run for p in model.features[i].parameters()],
            "modules": [f"features.{i}" for i in run],
        }
        for run in runs
    ]
    return [
        group | {"lr": float(rate), "distance": d}
        for d, (group, rate) in enumerate(zip([head, *backbone], rates, strict=True))
    ]


def optimiser_groups(head_lr, decay, groups: int, classes: int) -> list[dict]:
    """Real torch.optim.Adam groups of mobilenet_v2, one unfrozen block per backbone group, read
    back as the page's table: each rate as a student writes it (1e-4, never a rounded 0)."""
    model = freeze_for_strategy(replace_head(mobilenet_v2(), classes), groups - 1)
    rows = describe_groups(torch.optim.Adam(param_groups(model, head_lr, decay, groups)))
    return [
        {
            "group": formulas.group_name(row["distance"]),
            "modules": row["modules"],
            "parameters": row["parameters"],
            "learning rate": Rate(row["lr"]).text,
        }
        for row in rows
    ]


def describe_groups(optimizer: torch.optim.Optimizer) -> list[dict]:
    """The optimiser's parameter groups read back as rows: group, modules, parameters, lr."""
    return [
        {
            "group": i,
            "distance": group.get("distance"),
            "modules": ", ".join(group.get("modules", [])),
            "parameters": sum(p.numel() for p in group["params"]),
            "lr": group["lr"],
        }
        for i, group in enumerate(optimizer.param_groups)
    ]


DEMO_SIDE = 64  # mobilenet_v2 takes any side of 32 or more; 64 keeps the demo near a second
DEMO_BATCH = 8
DEMO_STEPS = 15
DEMO_LR = 1e-3  # Adam on the old classifier, as on the new head


@dataclass(frozen=True)
class NewHead:
    """The code that freezes the backbone and replaces the head, and what then trains."""

    code: str
    classes: Count
    imagenet_classes: Count
    trainable: Count  # by requires_grad on a model built by exactly this code


def new_head(classes: int = EXERCISE6_CLASSES) -> NewHead:
    """Freeze mobilenet_v2's backbone and give it a new `classes`-way head, as the page shows it."""
    model = mobilenet_v2()
    model.features.requires_grad_(False)
    replace_head(model, classes, EXERCISE6_DROPOUT)
    code = (
        "model = mobilenet_v2(weights=MobileNet_V2_Weights.IMAGENET1K_V1)\n"
        "model.features.requires_grad_(False)  # freeze the backbone (strategy A)\n"
        f"model.classifier = nn.Sequential(nn.Dropout({EXERCISE6_DROPOUT}), "
        f"nn.Linear({EXERCISE6_HEAD_IN}, {classes}))  # new, so it trains"
    )
    return NewHead(
        code, Count(classes), Count(IMAGENET_CLASSES), Count(trainable_parameters(model))
    )


@dataclass(frozen=True)
class HeadDemo:
    """The forgotten head run live: the loud failure, then the silent one, as readings."""

    classes: Count
    top_label: Count
    outputs: Count
    shape_code: str
    shape_error: str | None
    losses: list[float]
    loss_first: Figure
    loss_last: Figure
    chance_loss_classes: float  # ln(classes): a loss a `classes`-way head starts near
    outside_before: float  # share of predictions outside the task's classes, before training
    outside_after: float
    probability_outside: Percent  # mean probability on classes the task does not have, after
    trainable: Count  # what trained: the old classifier
    trainable_with_new_head: Count


def forgotten_head_demo(classes: int = EXERCISE6_CLASSES, seed: int = 0) -> HeadDemo:
    """The code above without its last line, on torchvision's mobilenet_v2, run live.

    - shape: one-hot targets for `classes` classes against 1000 logits raise a size mismatch;
    - silent: with the backbone frozen, the old 1000-way classifier still trains, and
      cross-entropy over 1000 logits with labels 0 to classes - 1 runs without a word.
    """
    torch.manual_seed(seed)
    model = mobilenet_v2()
    model.features.requires_grad_(False)  # the backbone frozen; the old classifier is not
    x = torch.randn(DEMO_BATCH, 3, DEMO_SIDE, DEMO_SIDE)  # (8, 3, 64, 64)
    labels = torch.arange(DEMO_BATCH) % classes  # (8,), classes 0 to classes - 1
    model.train(False)  # frozen BatchNorm statistics, as strategy A keeps them
    with torch.no_grad():
        features = pooled_features(model, x)  # (8, 1280): frozen, so the same at every step
    logits = model.classifier(features)  # (8, 1000)
    shape_error = _error(lambda: nn.BCEWithLogitsLoss()(logits, F.one_hot(labels, classes).float()))
    outside_before = (logits.argmax(1) >= classes).float().mean().item()
    optimiser = torch.optim.Adam(model.classifier.parameters(), lr=DEMO_LR)
    losses = []
    for _ in range(DEMO_STEPS):
        loss = F.cross_entropy(model.classifier(features), labels)  # = model(x): features frozen
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(round(loss.item(), 4))
    outputs = model.classifier(features)  # (8, 1000)
    return HeadDemo(
        classes=Count(classes),
        top_label=Count(classes - 1),
        outputs=Count(model.classifier[-1].out_features),
        shape_code=f"nn.BCEWithLogitsLoss()(model(x), F.one_hot(labels, {classes}).float())",
        shape_error=shape_error,
        losses=losses,
        loss_first=Figure(losses[0], ".2f"),
        loss_last=Figure(losses[-1], ".2f"),
        chance_loss_classes=math.log(classes),
        outside_before=outside_before,
        outside_after=(outputs.argmax(1) >= classes).float().mean().item(),
        probability_outside=Percent(outputs.softmax(1)[:, classes:].sum(1).mean().item()),
        trainable=Count(trainable_parameters(model)),
        trainable_with_new_head=Count(
            formulas.head_params(model.classifier[-1].in_features, classes)
        ),
    )


def _error(action) -> str | None:
    """The message torch raises for `action`, or None if it runs."""
    try:
        action()
    except (RuntimeError, ValueError) as error:
        return str(error).strip()
    return None


def default_layers(model: nn.Module) -> tuple[int, int, int]:
    """An early block, the last one before the final downsampling, and a late one."""
    strided = [row["index"] for row in block_table(model) if row["stride"] == 2]
    return 1, strided[-1] - 1, len(model.features) - 2


@torch.no_grad()
def feature_maps(
    model: nn.Module, x: torch.Tensor, layers: tuple[int, ...] | None = None, channels: int = 4
) -> list[dict]:
    """The most active channels at a few feature blocks for one image, as uint8 pictures.

    `x` is one normalised image (1, 3, H, W). For each block: its name and class, the map's shape,
    and the `channels` channels with the largest mean activation, each scaled to 0-255 with its
    caption; `title` is the row's heading as the page shows it.
    """
    layers = layers or default_layers(model)
    captured: dict[int, torch.Tensor] = {}
    hooks = [
        model.features[i].register_forward_hook(
            lambda _m, _in, out, i=i: captured.__setitem__(i, out[0])
        )
        for i in layers
    ]
    try:
        model.train(False)
        model.features(x)
    finally:
        for hook in hooks:
            hook.remove()
    rows = []
    for i in layers:
        maps = captured[i]  # (C, h, w)
        top = maps.mean(dim=(1, 2)).argsort(descending=True)[:channels]
        pictures = []
        for c in top.tolist():
            m = maps[c]
            low, high = m.min(), m.max()
            scaled = (m - low) / (high - low) if high > low else torch.zeros_like(m)
            pictures.append(
                {
                    "channel": c,
                    "caption": f"channel {c}",
                    "image": (scaled * 255).round().byte().numpy(),
                }
            )
        name, kind, (count, height, width) = (
            f"features.{i}",
            type(model.features[i]).__name__,
            maps.shape,
        )
        rows.append(
            {
                "index": i,
                "name": name,
                "kind": kind,
                "shape": list(maps.shape),
                "title": f"**`{name}`** ({kind}), output {count} channels of {height}×{width}",
                "channels": pictures,
            }
        )
    return rows
