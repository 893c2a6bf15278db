"""Pretrain the lab's fallback backbone on the generated source set, and ship it under data/.

`python -m core.transfer_learning.pretrain` trains core.transfer_learning.models'
`small_mobilenet_v2` on the 12 source classes (core.transfer_learning.data), fresh images every
epoch so it never sees an image twice, with the eight square symmetries as augmentation, AdamW and
a one-cycle schedule, on one CPU thread. It writes the weights to data/transfer_backbone.pt and a
record (config, held-out source accuracy per epoch, seconds, torch version, the command) to
data/transfer_backbone.json. This backbone stands in for ImageNet when its weights cannot be
loaded; the lab never trains it in place.
It deliberately leaves out the target task: the backbone never sees a defect image.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from core.training import single_thread
from core.transfer_learning.data import SOURCE_CLASSES, source_images
from core.transfer_learning.models import small_mobilenet_v2, total_parameters
from core.transfer_learning.steps import accuracy, channels_last, dihedral
from core.transfer_learning.weights import (
    FALLBACK_MEAN,
    FALLBACK_RECORD,
    FALLBACK_STD,
    FALLBACK_WEIGHTS,
    PRETRAIN_COMMAND,
    normalise,
)

TEST_SEED = 1_000_000  # the held-out source images; training seeds stay far below it


@dataclass(frozen=True)
class PretrainConfig:
    """One pretraining run of the fallback backbone."""

    per_class: int = 1500  # fresh source images per class in every epoch (12 classes)
    epochs: int = 8
    batch_size: int = 64
    lr: float = 4e-3  # AdamW's peak rate in the one-cycle schedule
    weight_decay: float = 0.02
    test_per_class: int = 200  # held-out source images per class, never trained on
    seed: int = 0


def _inputs(images) -> torch.Tensor:
    return normalise(images, FALLBACK_MEAN, FALLBACK_STD)  # (N, 3, 32, 32)


def pretrain(
    config: PretrainConfig = PretrainConfig(),
    progress: Callable[[float, str], None] | None = None,
) -> tuple[torch.nn.Module, dict]:
    """Train the fallback backbone on the source set; return it and its record."""
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = small_mobilenet_v2(len(SOURCE_CLASSES)).to(memory_format=torch.channels_last)
    test_images, test_labels = source_images(config.test_per_class, TEST_SEED)
    test_x, test_y = _inputs(test_images), torch.from_numpy(test_labels)
    steps_per_epoch = math.ceil(len(SOURCE_CLASSES) * config.per_class / config.batch_size)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=config.lr, total_steps=config.epochs * steps_per_epoch
    )
    history = []
    for epoch in range(config.epochs):
        images, labels = source_images(config.per_class, config.seed * 1000 + epoch + 1)
        x, y = _inputs(images), torch.from_numpy(labels)
        order = torch.randperm(len(x), generator=generator)
        model.train()
        losses = []
        for i in range(0, len(x), config.batch_size):
            batch = order[i : i + config.batch_size]
            logits = model(channels_last(dihedral(x[batch], generator)))  # (B, 12)
            loss = F.cross_entropy(logits, y[batch])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": round(sum(losses) / len(losses), 4),
                "test_accuracy": round(accuracy(model, test_x, test_y), 4),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        if progress:
            progress((epoch + 1) / config.epochs, f"epoch {epoch + 1}: {history[-1]}")
    model = model.to(memory_format=torch.contiguous_format).train(False)
    record = {
        "config": asdict(config),
        "parameters": total_parameters(model),
        "classes": list(SOURCE_CLASSES),
        "test_images": len(test_x),
        "test_accuracy": history[-1]["test_accuracy"],
        "history": history,
        "seconds": round(time.perf_counter() - start, 1),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "command": PRETRAIN_COMMAND,
    }
    return model, record


def main(argv: list[str] | None = None) -> None:
    """Pretrain with the default config and write data/transfer_backbone.{pt,json}."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=PretrainConfig.epochs)
    parser.add_argument("--per-class", type=int, default=PretrainConfig.per_class)
    parser.add_argument("--seed", type=int, default=PretrainConfig.seed)
    args = parser.parse_args(argv)
    config = PretrainConfig(per_class=args.per_class, epochs=args.epochs, seed=args.seed)
    with single_thread():
        model, record = pretrain(config, progress=lambda _, text: print(text, flush=True))
    record["command"] = " ".join([PRETRAIN_COMMAND, *(sys.argv[1:] if argv is None else argv)])
    torch.save(model.state_dict(), FALLBACK_WEIGHTS)
    FALLBACK_RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {FALLBACK_WEIGHTS} and {FALLBACK_RECORD}: {record['test_accuracy']:.1%}")


if __name__ == "__main__":
    main()
