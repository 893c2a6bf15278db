"""Generated, seeded image sets for the fine-tuning lab: a surface-defect target and its source.

The TARGET is a 5-class surface-defect set (core.course.DEFECT_CLASSES) of 32x32 RGB photos of
metal: a material colour, brushed grain in a random direction, sensor noise, an uneven light and
a colour cast, with one defect or none.
- good: the surface alone, sometimes with specks of dust (which are not defects);
- crack: a thin DARK jagged line, sometimes with a branch;
- scratch: a thin BRIGHT straight or gently bent line;
- dent: a small bowl shaded by the light: one side darker, the other brighter;
- discolour: a soft patch of another hue with almost no change in brightness.
It is a fixed pool: TRAIN_POOL_PER_CLASS training images per class and VAL_PER_CLASS held-out
ones. A lab run draws its training images from the pool, so asking for more than exist is an
error with a sentence (`target_problem`), not a silent repeat.

The SOURCE is what the fallback backbone is pretrained on, standing in for ImageNet. A source only
transfers if solving it needs the features the target needs, so its 12 classes are made to:
dark and bright lines, dark and bright wiggly lines, dark and bright spots, rings, crosses, stripes,
shaded bumps, colour spots and empty texture. Polarity is part of the label (a dark line and a
bright line are different classes): a source that ignored polarity would teach features that
cannot tell a dark crack from a bright scratch. Straight against wiggly, shading against colour,
and "texture only" against "something on it" are there for the same reason. The domain differs:
colourful blotchy backgrounds instead of brushed metal, larger and bolder shapes, so the target is
similar but shifted, like defects against ImageNet.

Images are uint8 arrays (N, 32, 32, 3) with int64 labels; every image depends only on its seed.
It deliberately leaves out training, augmentation and torch (core.transfer_learning.lab).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from core.course import DEFECT_CLASSES

SIDE = 32  # pixels; thin defects stay 1-2 pixels wide, and a CPU trains on thousands in seconds
TRAIN_POOL_PER_CLASS = 250  # the most training images per class a lab run can ask for
VAL_PER_CLASS = 100  # held out, never trained on: 500 validation images, about 2 points of noise
POOL_SEED = 2024  # the target pool is one fixed set of images
SOURCE_CLASSES = (
    "dark line",
    "bright line",
    "dark wiggle",
    "bright wiggle",
    "dark spot",
    "bright spot",
    "ring",
    "cross",
    "stripes",
    "shaded bump",
    "colour spot",
    "empty",
)

_Y, _X = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32) - (SIDE - 1) / 2  # (H, W) pixel coordinates


def _col(values) -> np.ndarray:
    """Per-image values as (B, 1, 1), to broadcast against (B, H, W) fields."""
    return np.asarray(values, dtype=np.float32)[:, None, None]


def _placement(rng: np.random.Generator, count: int, spread: float):
    """Random centres within `spread` pixels of the middle, and random angles: (B, 1, 1) each."""
    cx, cy = (_col(rng.uniform(-spread, spread, count)) for _ in range(2))
    return cx, cy, _col(rng.uniform(0, np.pi, count))


def _frame(rng: np.random.Generator, count: int, spread: float, placement=None):
    """Coordinates along and across a direction through a centre: two (B, H, W) fields."""
    cx, cy, angle = placement or _placement(rng, count, spread)
    along = (_X - cx) * np.cos(angle) + (_Y - cy) * np.sin(angle)
    across = -(_X - cx) * np.sin(angle) + (_Y - cy) * np.cos(angle)
    return along, across


def _stroke(across, along, width, length) -> np.ndarray:
    """A soft line: Gaussian across, fading out past half its length along: (B, H, W) in [0, 1]."""
    profile = np.exp(-0.5 * (across / width) ** 2)
    ends = 1 / (1 + np.exp((np.abs(along) - length / 2) / 0.7))
    return profile * ends


def _wiggle(rng: np.random.Generator, along, amplitude) -> np.ndarray:
    """A random jagged offset across a line, as a function of the position along it."""
    count = along.shape[0]
    offset = np.zeros_like(along)
    for harmonic in (0.35, 0.8, 1.7):
        phase = _col(rng.uniform(0, 2 * np.pi, count))
        freq = _col(rng.uniform(0.7, 1.3, count)) * harmonic
        offset += np.sin(freq * along + phase) / harmonic**0.5
    return amplitude * offset / 2


def line(rng, count, width, length, amplitude=None, spread=9.0, placement=None) -> np.ndarray:
    """Straight (amplitude None) or jagged thin lines at random places and angles: (B, H, W)."""
    along, across = _frame(rng, count, spread, placement)
    if amplitude is not None:
        across = across - _wiggle(rng, along, amplitude)
    return _stroke(across, along, width, length)


def cross(rng, count, width, length, spread=4.0) -> np.ndarray:
    """Two thin lines through one point, 45 to 90 degrees apart: (B, H, W)."""
    cx, cy, angle = _placement(rng, count, spread)
    turn = _col(rng.uniform(np.pi / 4, np.pi / 2, count))
    first = line(rng, count, width, length, placement=(cx, cy, angle))
    return np.maximum(first, line(rng, count, width, length, placement=(cx, cy, angle + turn)))


def bent_line(rng, count, width, length, bend, spread=9.0) -> np.ndarray:
    """Thin lines with a gentle parabolic bend (`bend` pixels of sag over the length): (B, H, W)."""
    along, across = _frame(rng, count, spread)
    sag = bend * (1 - (2 * along / np.maximum(length, 1)) ** 2)
    return _stroke(across - sag, along, width, length)


def spot(rng, count, radius, spread=8.0) -> np.ndarray:
    """Soft round spots (edges blurred by about a pixel): (B, H, W) in [0, 1]."""
    along, across = _frame(rng, count, spread)
    distance = np.sqrt(along**2 + across**2)
    return 1 / (1 + np.exp((distance - radius) / 0.6))


def blotch(rng, count, radius, spread=7.0, edge=0.25) -> np.ndarray:
    """Irregular soft patches (radius wobbling with the angle): (B, H, W) in [0, 1]."""
    along, across = _frame(rng, count, spread)
    distance = np.sqrt(along**2 + across**2)
    theta = np.arctan2(across, along)
    wobble = 1 + 0.25 * np.sin(2 * theta + _col(rng.uniform(0, 6.3, count)))
    wobble += 0.15 * np.sin(3 * theta + _col(rng.uniform(0, 6.3, count)))
    return 1 / (1 + np.exp((distance - radius * wobble) / (edge * radius)))


def ring(rng, count, radius, width, spread=6.0) -> np.ndarray:
    """Thin circles: (B, H, W) in [0, 1]."""
    along, across = _frame(rng, count, spread)
    distance = np.sqrt(along**2 + across**2)
    return np.exp(-0.5 * ((distance - radius) / width) ** 2)


def shading(rng, count, radius, spread=8.0) -> np.ndarray:
    """A bowl or bump lit from one side: the slope towards the light, in [-1, 1]: (B, H, W)."""
    along, across = _frame(rng, count, spread)  # `along` points towards the light
    return along / radius * np.exp(0.5 - 0.5 * (along**2 + across**2) / radius**2)


def stripes(rng, count, period) -> np.ndarray:
    """Parallel stripes at a random angle, fading out towards the edges: (B, H, W) in [0, 1]."""
    along, across = _frame(rng, count, 3.0)
    window = np.exp(-0.5 * (along**2 + across**2) / 7.0**2)
    return window * (0.5 + 0.5 * np.cos(2 * np.pi * across / period))


def _sinusoid_field(rng, count, terms, frequency, anisotropy) -> np.ndarray:
    """Random smooth fields, sums of sinusoids; per image a frequency and an anisotropy in [0, 1).

    An anisotropy near 1 aims every wave the same way: streaks, like brushed metal. Each wave is
    cos(a(x) + b(y)) = cos a cos b - sin a sin b, so a field is two small matrix products.
    """
    spread = (1 - anisotropy)[:, None] * 1.5 + 0.05
    angle = rng.uniform(0, np.pi, (count, 1)) + rng.normal(0, 1, (count, terms)) * spread
    k = rng.uniform(0.5, 1.5, (count, terms)) * frequency[:, None]  # (B, T)
    phase = rng.uniform(0, 2 * np.pi, (count, terms, 1))
    a = (k * np.cos(angle))[:, :, None] * _X[0] + phase  # (B, T, W)
    b = (k * np.sin(angle))[:, :, None] * _Y[:, 0]  # (B, T, H)
    cos_b, sin_b = np.cos(b).transpose(0, 2, 1), np.sin(b).transpose(0, 2, 1)  # (B, H, T)
    field = cos_b @ np.cos(a) - sin_b @ np.sin(a)  # (B, H, W)
    return (field / np.sqrt(terms / 2)).astype(np.float32)


def metal_surface(rng: np.random.Generator, count: int) -> np.ndarray:
    """Brushed metal under uneven light: material colour, grain, noise, cast: (B, H, W, 3)."""
    grey = rng.uniform(0.35, 0.7, count)
    tint = rng.normal(0, 0.04, (count, 3))  # steel is bluish, brass yellowish, and cameras differ
    colour = (grey[:, None] + tint)[:, None, None, :]  # (B, 1, 1, 3)
    grain = _sinusoid_field(rng, count, 24, rng.uniform(0.6, 1.6, count), np.full(count, 0.97))
    light_angle = _col(rng.uniform(0, 2 * np.pi, count))
    light = _col(rng.uniform(0, 0.012, count)) * (
        _X * np.cos(light_angle) + _Y * np.sin(light_angle)
    )  # a linear falloff up to about +-0.2 across the image
    surface = colour * (
        1 + light[..., None] + _col(rng.uniform(0.02, 0.06, count))[..., None] * grain[..., None]
    )
    noise = (
        rng.normal(0, 1, (count, SIDE, SIDE, 1)) * _col(rng.uniform(0.01, 0.035, count))[..., None]
    )
    return surface + noise + rng.normal(0, 0.006, (count, SIDE, SIDE, 3))


def colourful_background(rng: np.random.Generator, count: int) -> np.ndarray:
    """The source's backgrounds: a colour, a broad colour drift, fine texture: (B, H, W, 3).

    The drift is kept broad (waves longer than the image) so that a colour spot, a local change of
    hue, is something the network has to find rather than something every background has.
    """
    mean = rng.uniform(0.25, 0.75, (count, 1, 1, 3))
    drift = np.stack(
        [
            _sinusoid_field(rng, count, 4, u, np.zeros(count))
            for u in rng.uniform(0.03, 0.1, (3, count))
        ],
        axis=-1,
    )
    texture = _sinusoid_field(
        rng, count, 12, rng.uniform(0.8, 2.0, count), rng.uniform(0, 0.95, count)
    )
    image = mean + _col(rng.uniform(0.01, 0.05, count))[..., None] * drift
    image += _col(rng.uniform(0.0, 0.05, count))[..., None] * texture[..., None]
    noise = (
        rng.normal(0, 1, (count, SIDE, SIDE, 1)) * _col(rng.uniform(0.005, 0.03, count))[..., None]
    )
    return image + noise


def _darken(image, mask, depth) -> np.ndarray:
    """Multiply the image by (1 - depth x mask): a dark mark that keeps the surface's colour."""
    return image * (1 - (_col(depth) * mask)[..., None])


def _brighten(image, mask, amount) -> np.ndarray:
    """Blend towards white by amount x mask: a bright mark."""
    weight = (_col(amount) * mask)[..., None]
    return image * (1 - weight) + weight


def _recolour(rng, image, mask, amount) -> np.ndarray:
    """Shift the hue inside the mask while keeping the brightness nearly the same."""
    count = image.shape[0]
    hue = rng.normal(0, 1, (count, 3))
    hue -= hue.mean(axis=1, keepdims=True)  # no change in the mean of the three channels
    hue /= np.linalg.norm(hue, axis=1, keepdims=True)
    shift = hue[:, None, None, :] * (_col(amount) * mask)[..., None]
    return image + shift


def _to_uint8(image: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)


def _defect(rng: np.random.Generator, label: int, count: int) -> np.ndarray:
    """`count` target images of one class, as floats: (B, H, W, 3)."""
    image = metal_surface(rng, count)
    u = rng.uniform
    name = DEFECT_CLASSES[label]
    if name == "good":
        dust = spot(rng, count, u(0.4, 1.0, count)[:, None, None], spread=14)
        specks = rng.random(count) < 0.5
        polarity = np.where(rng.random(count) < 0.5, 1.0, -1.0)
        return image + (_col(specks * polarity * u(0.05, 0.15, count)) * dust)[..., None]
    if name == "crack":
        width, length = _col(u(0.45, 0.85, count)), _col(u(12, 30, count))
        mask = line(rng, count, width, length, amplitude=_col(u(0.8, 2.2, count)))
        branch = line(rng, count, width * 0.8, length * 0.4, amplitude=_col(u(0.5, 1.5, count)))
        mask = np.maximum(mask, branch * _col(rng.random(count) < 0.4))
        return _darken(image, mask, u(0.25, 0.55, count))
    if name == "scratch":
        width, length = _col(u(0.4, 0.75, count)), _col(u(10, 32, count))
        mask = bent_line(rng, count, width, length, bend=_col(u(-1.5, 1.5, count)))
        return _brighten(image, mask, u(0.2, 0.5, count))
    if name == "dent":
        relief = shading(rng, count, _col(u(2.0, 5.0, count)))
        return image * (1 + (_col(u(0.15, 0.3, count)) * relief)[..., None])
    mask = blotch(rng, count, _col(u(4, 10, count)))
    return _recolour(rng, image, mask, u(0.08, 0.16, count))


def _source(rng: np.random.Generator, label: int, count: int) -> np.ndarray:
    """`count` source images of one class, as floats: (B, H, W, 3)."""
    image = colourful_background(rng, count)
    u = rng.uniform
    name = SOURCE_CLASSES[label]
    width, length = _col(u(0.5, 1.3, count)), _col(u(14, 32, count))
    contrast = u(0.3, 0.7, count)
    if name in ("dark line", "bright line"):
        mask = line(rng, count, width, length)
    elif name in ("dark wiggle", "bright wiggle"):
        mask = line(rng, count, width, length, amplitude=_col(u(1.2, 3.0, count)))
    elif name in ("dark spot", "bright spot"):
        mask = spot(rng, count, _col(u(2.0, 6.0, count)))
    elif name == "ring":
        mask = ring(rng, count, _col(u(4.0, 9.0, count)), width)
    elif name == "cross":
        mask = cross(rng, count, width, length)
    elif name == "stripes":
        mask = stripes(rng, count, _col(u(3.0, 6.0, count)))
    elif name == "shaded bump":
        relief = shading(rng, count, _col(u(2.5, 7.0, count)))
        return image * (1 + (_col(u(0.2, 0.5, count)) * relief)[..., None])
    elif name == "colour spot":
        mask = blotch(rng, count, _col(u(4, 11, count)), edge=0.12)
        return _recolour(rng, image, mask, u(0.15, 0.35, count))
    else:
        return image
    # ring, cross and stripes come in either polarity; the named classes fix it
    dark = (
        np.full(count, name.startswith("dark"))
        if "dark" in name or "bright" in name
        else (rng.random(count) < 0.5)
    )
    return np.where(
        dark[:, None, None, None], _darken(image, mask, contrast), _brighten(image, mask, contrast)
    )


def _images(render, classes: int, per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """per_class images of every class, class by class, each class from its own seeded stream."""
    streams = np.random.SeedSequence(seed).spawn(classes)
    images = [render(np.random.default_rng(s), label, per_class) for label, s in enumerate(streams)]
    labels = np.repeat(np.arange(classes), per_class)
    return _to_uint8(np.concatenate(images)), labels


@cache
def target_pool() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The fixed pool: "train" and "val" uint8 images (N, 32, 32, 3) and their labels, read-only."""
    per_class = TRAIN_POOL_PER_CLASS + VAL_PER_CLASS
    images, labels = _images(_defect, len(DEFECT_CLASSES), per_class, POOL_SEED)
    index = np.arange(len(labels)) % per_class
    pool = {
        "train": (images[index < TRAIN_POOL_PER_CLASS], labels[index < TRAIN_POOL_PER_CLASS]),
        "val": (images[index >= TRAIN_POOL_PER_CLASS], labels[index >= TRAIN_POOL_PER_CLASS]),
    }
    for arrays in pool.values():
        for array in arrays:
            array.flags.writeable = False
    return pool


def target_problem(per_class: int) -> str | None:
    """Why a lab cannot train on `per_class` images per class (None if it can), in one sentence."""
    if per_class < 1:
        return (
            "Pick at least one training image per class: with none there is nothing to learn from."
        )
    if per_class > TRAIN_POOL_PER_CLASS:
        return (
            f"The defect set holds {TRAIN_POOL_PER_CLASS} training images per class; "
            f"{per_class} would need images that do not exist."
        )
    return None


def target_indices(per_class: int, seed: int) -> np.ndarray:
    """Which training images of the pool a run uses: per_class of each class, drawn by `seed`."""
    problem = target_problem(per_class)
    if problem:
        raise ValueError(problem)
    labels = target_pool()["train"][1]
    rng = np.random.default_rng(seed)
    picks = [
        rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
        for c in range(len(DEFECT_CLASSES))
    ]
    return np.concatenate(picks)


def target_subset(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The images and labels `target_indices` picks, without repeats."""
    images, labels = target_pool()["train"]
    index = target_indices(per_class, seed)
    return images[index], labels[index]


def source_images(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """per_class source images of each of the 12 source classes, class by class."""
    return _images(_source, len(SOURCE_CLASSES), per_class, seed)
