"""The course's exercises 5, 6 and 8 as runnable reference code: what "run it" runs on the page.

Exercise 5 asks the strategy rule about the course's three scenarios (the numbers for each are the
tutor's; the course names them only "tiny + similar" and so on). Exercise 6 follows the course's
steps on torchvision's real `mobilenet_v2` and counts trainable parameters from `requires_grad`
after each. Exercise 8 runs the course's 5-class pipeline on random data, for real: a DataLoader,
cross-entropy, Adam on the head, then `optimizer.add_param_group` for the last blocks. Each
returns plain data and the lines a student's script would print.
It deliberately leaves out the bank's answers, so a test can hold the two together.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from core import course, training
from core.numbers import exact
from core.transfer_learning import formulas, strategy
from core.transfer_learning.models import (
    freeze_for_strategy,
    mobilenet_v2,
    param_groups,
    replace_head,
    trainable_parameters,
)

EXERCISE5_SOURCES = (strategy.recommend,)


def exercise5() -> dict:
    """Exercise 5: the rule's strategy for each scenario, and part 4's backbone rate."""
    answers = [strategy.recommend(s["images"], s["similarity"]) for s in course.EXERCISE5_SCENARIOS]
    rate = formulas.group_learning_rates(course.CHECKPOINT_HEAD_LR, course.DECAY_PRACTICE, 2)[1]
    lines = [
        f"S{i}: {s['images']:,} images, similarity {s['similarity']:g} -> {a['strategy']} "
        f"({a['name']})"
        for i, (s, a) in enumerate(zip(course.EXERCISE5_SCENARIOS, answers, strict=True), 1)
    ]
    lines.append(f"part 4: backbone rate = {float(rate):g}")
    return {"strategies": [a["strategy"] for a in answers], "backbone_lr": rate, "lines": lines}


def exercise6_steps() -> dict:
    """Exercise 6's steps on torchvision's mobilenet_v2, trainable parameters after each."""
    model = mobilenet_v2()  # the weights don't change any count
    model.requires_grad_(False)  # step 2: freeze everything
    frozen = trainable_parameters(model)
    replace_head(model, course.EXERCISE6_CLASSES, course.EXERCISE6_DROPOUT)  # step 3
    head = trainable_parameters(model)
    freeze_for_strategy(model, course.EXERCISE6_UNFROZEN)  # step 4: model.features[-3:]
    unfrozen = trainable_parameters(model)
    groups = torch.optim.Adam(
        param_groups(model, course.EXERCISE6_HEAD_LR, _backbone_ratio(), 2)
    ).param_groups
    return {
        "frozen": frozen,
        "head": head,
        "unfrozen": unfrozen,
        "rates": [g["lr"] for g in groups],
        "lines": [
            f"after freezing everything: {frozen:,} trainable",
            f"after the new {course.EXERCISE6_CLASSES}-class head: {head:,} trainable",
            f"after unfreezing features[-{course.EXERCISE6_UNFROZEN}:]: {unfrozen:,} trainable",
            "param groups: " + ", ".join(f"{g['lr']:g}" for g in groups),
        ],
    }


def _backbone_ratio():
    """r for exercise 6's two groups: the backbone's rate over the head's (1e-4 / 1e-3)."""
    return exact(course.EXERCISE6_BACKBONE_LR) / exact(course.EXERCISE6_HEAD_LR)


EXERCISE6_SOURCES = (exercise6_steps,)


@dataclass(frozen=True)
class Exercise8:
    """Exercise 8's pipeline: the course's random batch, classes and loader, one epoch a phase."""

    input_shape: tuple[int, ...] = course.EXERCISE8_INPUT
    classes: int = course.EXERCISE8_CLASSES
    batch: int = course.EXERCISE8_BATCH
    seed: int = 0


def exercise8(
    config: Exercise8 = Exercise8(),
    progress: Callable[[float, str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict:
    """Exercise 8: head-only training on random data, then add_param_group, accuracy each epoch."""
    start = time.perf_counter()
    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)
    x = torch.randn(config.input_shape, generator=generator)  # (100, 3, 224, 224)
    y = torch.randint(0, config.classes, (config.input_shape[0],), generator=generator)  # (100,)
    loader = DataLoader(
        TensorDataset(x, y), batch_size=config.batch, shuffle=True, generator=generator
    )
    model = replace_head(mobilenet_v2(), config.classes)
    freeze_for_strategy(model, 0)
    optimiser = torch.optim.Adam(
        model.classifier.parameters(), lr=float(exact(course.EXERCISE8_HEAD_LR))
    )
    epochs = []
    with training.exclusive(on_wait), training.single_thread():
        for phase in ("head only", "after add_param_group"):
            if phase != "head only":
                freeze_for_strategy(model, course.EXERCISE6_UNFROZEN)
                new = [
                    p for b in model.features[-course.EXERCISE6_UNFROZEN :] for p in b.parameters()
                ]
                optimiser.add_param_group(
                    {"params": new, "lr": float(exact(course.EXERCISE8_ADDED_LR))}
                )
            model.train()
            hits, seen, batches = 0, 0, 0
            for i, (images, labels) in enumerate(loader):
                if progress is not None:
                    progress((len(epochs) + i / len(loader)) / 2, f"{phase}: batch {i + 1}")
                logits = model(images)  # (B, classes)
                loss = F.cross_entropy(logits, labels)
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                hits += (logits.argmax(dim=1) == labels).sum().item()
                seen, batches = seen + len(labels), batches + 1
            epochs.append({"phase": phase, "accuracy": hits / seen, "batches": batches})
    return {
        "batches": epochs[0]["batches"],
        "expected_batches": math.ceil(config.input_shape[0] / config.batch),
        "groups": len(optimiser.param_groups),
        "chance": 1 / config.classes,
        "epochs": epochs,
        "seconds": round(time.perf_counter() - start, 2),
        "lines": [
            f"{e['phase']}: {e['batches']} batches, training accuracy {e['accuracy']:.0%}"
            for e in epochs
        ]
        + [f"param groups: {len(optimiser.param_groups)}; chance is {1 / config.classes:.0%}"],
    }


EXERCISE8_SOURCES = (exercise8,)
