"""Which fine-tuning strategy fits a data set: a rule over (labelled images, domain similarity).

Strategies: A, feature extraction (freeze the backbone, train a new head); B, partial fine-tuning
(also unfreeze the last blocks, with discriminative learning rates); C, full fine-tuning (every
block trains, early ones slowest). The rule follows the cs231n transfer-learning notes' four cases
and the course's scenarios:
- small and similar: A, a linear head on the last layer's features (cs231n; the course's "tiny &
  similar"); fine-tuning would overfit.
- small and different: A, with the head on features from an EARLIER layer. cs231n says to train
  only a classifier, but from activations earlier in the network, because the last layers are the
  most specific to the pretraining data. This rule picks that over "B with few blocks" because
  with a few hundred images any unfrozen block can overfit, while earlier features (edges,
  textures, blobs) stay general; the course's 300 dermoscopy images (Q1) accept A or a cautious B.
- medium, similar or shifted: B, the last few blocks with rates about 10x lower than the head
  (the course's "medium & shifted", exercise 5's S2, and its 1,200-image case study).
- large and similar: C. cs231n fine-tunes through the full network when there is enough data; with
  a similar domain the early blocks barely move, so B gets most of the gain for less compute.
- large and different: C with discriminative rates (cs231n; the course's widget hint: 50,000
  images from a completely different domain). The 10,000 X-rays of the course's checkpoint sit on
  the LARGE edge, where the course accepts B or C.
The rule's numbers (1,000 and 10,000 images, similarity 0.5) are this tutor's own: neither the
course nor cs231n gives any. `takeaway()` states the same rule in three lines, one per data size,
so the page's takeaway cannot drift from it.
Also here, once: what each strategy unfreezes (`unfrozen_blocks`: A none, B the last few, C all) and
which strategy a number of unfrozen blocks is (`strategy_of`), for the models, the lab and the page.
It deliberately leaves out any torch code: counts and freezing are core.transfer_learning.models.
"""

from __future__ import annotations

import math

from core.course import (
    CASE_UNFROZEN_BLOCKS,
    DERMOSCOPY_IMAGES,
    EXERCISE5_SCENARIOS,
    WIDGET_HINT_IMAGES,
    XRAY_IMAGES,
)

# Neither cs231n nor the course gives numbers for "small" and "large"; these come from the course's
# own scenarios: 300 dermoscopy images are small (A), the 1,200-image case study is medium (B), and
# the 10,000 X-rays are where the course starts to accept full fine-tuning (B or C).
SMALL_BELOW = 1_000  # fewer labelled images than this: train only a head
LARGE_FROM = XRAY_IMAGES  # this many or more: fine-tune everything
SIMILAR_FROM = 0.5  # similarity to the pretraining domain, 0 (unrelated) to 1 (the same)
MAX_IMAGES = 100_000_000  # beyond any labelled set; a larger number is a typo
MAX_SHOWN = 1_000_000  # the strategy chart's right edge
SIMILARITY_RANGE = (0.0, 1.0)  # unrelated to the pretraining images, to the same kind
SIMILARITY_STEP = 0.05  # the similarity slider's step
STRATEGY_NAMES = {"A": "feature extraction", "B": "partial fine-tuning", "C": "full fine-tuning"}
LABELS = {letter: f"{letter}: {name}" for letter, name in STRATEGY_NAMES.items()}  # as options read
# What the lab trains: the three strategies, training from scratch (random weights), and
# progressive unfreezing (A first, then B's blocks join the same optimiser).
LAB_RUNS = ("A", "B", "C", "scratch", "progressive")

# The course's scenarios, with the strategies its text accepts for each.
COURSE_SCENARIOS = (
    {"case": "tiny & similar (exercise 5, S1)", **EXERCISE5_SCENARIOS[0], "accepts": "A"},
    {
        "case": "300 dermoscopy images, no medical images in ImageNet (Q1)",
        "images": DERMOSCOPY_IMAGES,
        "similarity": 0.2,
        "accepts": "AB",
    },
    {"case": "medium & shifted (exercise 5, S2)", **EXERCISE5_SCENARIOS[1], "accepts": "B"},
    {
        "case": "10,000 X-rays, very different (checkpoint)",
        "images": XRAY_IMAGES,
        "similarity": 0.15,
        "accepts": "BC",
    },
    {"case": "large & very different (exercise 5, S3)", **EXERCISE5_SCENARIOS[2], "accepts": "C"},
    {
        "case": "50,000 images, completely different (widget hint)",
        "images": WIDGET_HINT_IMAGES,
        "similarity": 0.0,
        "accepts": "C",
    },
)
WIDGET_HINT = COURSE_SCENARIOS[-1]  # the strategy widget starts on the course's hint
HINT = (
    "The course's hint: what would freezing every layer do with "
    f"{WIDGET_HINT_IMAGES:,} images from a completely different domain?"
)
THRESHOLDS = (
    f"The rule's numbers are this tutor's own (the course and cs231n give none): fewer than "
    f"{SMALL_BELOW:,} labelled images is small, {LARGE_FROM:,} or more is large, and a similarity "
    f"of {SIMILAR_FROM:g} or more counts as similar."
)

_RULES = {
    ("small", True): (
        "A",
        "the last layer",
        "Few images and a familiar domain: the pretrained features already describe these "
        "images, and training any backbone weights on so few would overfit, so train only a head.",
    ),
    ("small", False): (
        "A",
        "an earlier layer",
        "Few images from an unfamiliar domain: too few to retrain backbone weights safely, and the "
        "last layers are the most specific to the pretraining data, so train a head on the more "
        "general features of an earlier layer (cs231n's advice).",
    ),
    ("medium", True): (
        "B",
        None,
        "Enough images to adapt the last, most task-specific blocks, at learning rates about 10x "
        "below the head's, while the general early blocks stay frozen.",
    ),
    ("medium", False): (
        "B",
        None,
        "A shifted domain needs its late features adapted, and this much data can do it without "
        "overfitting: unfreeze the last 2-3 blocks at about 10x lower learning rates.",
    ),
    ("large", True): (
        "C",
        None,
        "With this much data fine-tuning every block cannot overfit badly (cs231n fine-tunes the "
        "whole network here); the domain is similar, so early blocks barely move and B would get "
        "most of the gain for less compute.",
    ),
    ("large", False): (
        "C",
        None,
        "Lots of data from a very different domain: even the early features need adapting, and "
        "there is enough data to do it, so fine-tune every block with discriminative learning "
        "rates (the pretrained start still beats random weights).",
    ),
}


def strategy_problem(images: int, similarity: float) -> str | None:
    """Why the rule cannot answer (None when it can), in one sentence."""
    if not isinstance(images, int) or isinstance(images, bool):
        return "The number of labelled images must be a whole number."
    if images < 0:
        return "The number of labelled images cannot be negative."
    if images == 0:
        return "With no labelled images nothing can be fine-tuned: label some images first."
    if images > MAX_IMAGES:
        return f"Use at most {MAX_IMAGES:,} images: no labelled set is that large."
    if not (isinstance(similarity, int | float) and math.isfinite(similarity)):
        return "Similarity must be a number from 0 (unrelated) to 1 (the same domain)."
    if not 0 <= similarity <= 1:
        return "Similarity runs from 0 (unrelated) to 1 (the same domain as the pretraining)."
    return None


def size_band(images: int) -> str:
    """'small', 'medium' or 'large', by the thresholds above."""
    if images < SMALL_BELOW:
        return "small"
    return "medium" if images < LARGE_FROM else "large"


def recommend(images: int, similarity: float) -> dict:
    """The strategy for a data set: letter, name, quadrant, where to cut, and the reason."""
    problem = strategy_problem(images, similarity)
    if problem:
        raise ValueError(problem)
    band, similar = size_band(images), similarity >= SIMILAR_FROM
    letter, features_from, reason = _RULES[(band, similar)]
    return {
        "strategy": letter,
        "name": STRATEGY_NAMES[letter],
        "quadrant": f"{band} data, {'similar' if similar else 'different'} domain",
        "size": band,
        "similar": similar,
        "features_from": features_from,
        "reason": reason,
    }


def verdict(images: int, similarity: float, guess: str | None) -> str:
    """The rule's answer for a case as one Markdown sentence, set against the student's guess."""
    advice = recommend(images, similarity)
    letter = advice["strategy"]
    compared = "as you predicted" if guess == letter else f"you predicted {guess}"
    return f"**{letter}, {advice['name']}** ({advice['quadrant']}; {compared}). {advice['reason']}"


def case_point(images: int, similarity: float) -> dict:
    """The student's case as a point on the strategy map, with the rule's letter."""
    return {
        "images": images,
        "similarity": similarity,
        "strategy": recommend(images, similarity)["strategy"],
    }


_TAKEAWAY = {
    "small": (
        "Fewer than {small:,} labelled images: **{letter}**, freeze the backbone and train only a "
        "new head, on the last layer's features when the domain is similar and on an earlier "
        "layer's when it is not; unfrozen blocks would overfit so few images, however shifted "
        "the domain."
    ),
    "medium": (
        "{small:,} to {below_large:,} images: **{letter}**, unfreeze the last few blocks as "
        "well, at rates one or two orders of magnitude below the head's, for a similar or a "
        "shifted domain alike."
    ),
    "large": (
        "{large:,} images or more: **{letter}**, fine-tune every block, early blocks slowest; "
        "with a similar domain the early blocks barely move, and B gets most of the gain for "
        "less compute."
    ),
}


def takeaway() -> str:
    """The rule as a Markdown list, one line per data size, each naming the strategy it picks."""
    return "\n".join(
        "- "
        + text.format(
            letter=_RULES[(band, True)][0],
            small=SMALL_BELOW,
            below_large=LARGE_FROM - 1,
            large=LARGE_FROM,
        )
        for band, text in _TAKEAWAY.items()
    )


def in_brief() -> str:
    """The rule in one sentence for the summary, its letters read from the rule itself."""
    small, medium, large = (_RULES[(band, False)][0] for band in ("small", "medium", "large"))
    return (
        "Freeze what transfers, retrain what doesn't, and let the amount of labelled data decide "
        f"how much: with few images freeze the whole backbone and train only a new head "
        f"(**{small}**, feature extraction), on an earlier layer's features when the domain is "
        f"far from the pretraining images; with more, also unfreeze the last blocks "
        f"(**{medium}**); with plenty, let every block learn (**{large}**)."
    )


def unfrozen_blocks(letter: str, blocks: int, partial: int = CASE_UNFROZEN_BLOCKS) -> int:
    """Feature blocks a strategy trains, counted from the end: A none, B `partial`, C all."""
    counts = {"A": 0, "B": partial, "C": blocks}
    if letter not in counts:
        raise ValueError(f"Strategy must be A, B or C, not {letter!r}.")
    return counts[letter]


def strategy_of(unfrozen: int, blocks: int) -> str:
    """The strategy that training the last `unfrozen` of `blocks` feature blocks is: A, B or C."""
    if unfrozen == 0:
        return "A"
    return "C" if unfrozen >= blocks else "B"


def regions(most_images: int = MAX_SHOWN) -> list[dict]:
    """The rule as rectangles of (images, similarity) for a chart, each with its strategy."""
    bands = (("small", 1, SMALL_BELOW), ("medium", SMALL_BELOW, LARGE_FROM))
    bands += (("large", LARGE_FROM, most_images),)
    halves = ((False, 0.0, SIMILAR_FROM), (True, SIMILAR_FROM, 1.0))
    rows = []
    for band, low, high in bands:
        for similar, bottom, top in halves:
            letter = _RULES[(band, similar)][0]
            rows.append(
                {
                    "strategy": letter,
                    "name": STRATEGY_NAMES[letter],
                    "where": f"{band} data and a {'similar' if similar else 'different'} domain",
                    "images_low": low,
                    "images_high": high,
                    "images_mid": math.sqrt(low * high),
                    "similarity_low": bottom,
                    "similarity_high": top,
                    "similarity_mid": (bottom + top) / 2,
                }
            )
    return rows
