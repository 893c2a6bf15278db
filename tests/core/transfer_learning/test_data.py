"""The generated defect pool and source set: determinism, shapes, limits."""

import numpy as np
import pytest

from core.course import DEFECT_CLASSES
from core.transfer_learning import data


def test_the_pool_holds_250_training_and_100_held_out_images_per_class():
    pool = data.target_pool()
    counts = [np.bincount(pool[split][1]).tolist() for split in ("train", "val")]
    assert counts == [[250] * 5, [100] * 5]


def test_pool_images_are_32x32_rgb_uint8():
    images, _ = data.target_pool()["train"]
    assert images.shape[1:] == (32, 32, 3) and images.dtype == np.uint8


def test_the_pool_is_read_only():
    images, _ = data.target_pool()["train"]
    with pytest.raises(ValueError):
        images[0, 0, 0, 0] = 0


def test_training_and_held_out_images_never_coincide():
    train, val = data.target_pool()["train"][0], data.target_pool()["val"][0]
    seen = {image.tobytes() for image in train}
    assert not any(image.tobytes() in seen for image in val)


def test_the_same_seed_draws_the_same_subset():
    first, second = data.target_subset(10, seed=3), data.target_subset(10, seed=3)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_another_seed_draws_other_images():
    assert not np.array_equal(data.target_subset(10, 0)[0], data.target_subset(10, 1)[0])


def test_a_subset_has_per_class_images_of_every_class_without_repeats():
    images, labels = data.target_subset(25, seed=0)
    assert np.bincount(labels).tolist() == [25] * len(DEFECT_CLASSES)
    assert len({image.tobytes() for image in images}) == len(images)


def test_all_250_per_class_can_be_drawn():
    assert len(data.target_subset(250, seed=0)[1]) == 1250


def test_more_images_than_exist_is_refused_with_a_sentence():
    assert "250 training images per class" in data.target_problem(251)
    with pytest.raises(ValueError, match="do not exist"):
        data.target_subset(251, seed=0)


def test_zero_images_is_refused_with_a_sentence():
    assert "at least one" in data.target_problem(0)


def test_source_images_repeat_for_a_seed():
    assert np.array_equal(data.source_images(3, seed=7)[0], data.source_images(3, seed=7)[0])


def test_source_has_every_class_in_order():
    _, labels = data.source_images(2, seed=0)
    assert labels.tolist() == [c for c in range(len(data.SOURCE_CLASSES)) for _ in range(2)]


def test_cracks_are_darker_and_scratches_brighter_than_good_surfaces():
    images, labels = data.target_pool()["train"]
    darkest = images.min(axis=(1, 2, 3)).astype(float)  # the darkest pixel of each image
    brightest = images.max(axis=(1, 2, 3)).astype(float)
    good, crack, scratch = (labels == DEFECT_CLASSES.index(n) for n in ("good", "crack", "scratch"))
    relative_dark = darkest / images.mean(axis=(1, 2, 3))
    relative_bright = brightest / images.mean(axis=(1, 2, 3))
    assert relative_dark[crack].mean() < relative_dark[good].mean()
    assert relative_bright[scratch].mean() > relative_bright[good].mean()


def test_polarity_is_part_of_the_source_label():
    images, labels = data.source_images(40, seed=1)
    names = data.SOURCE_CLASSES
    dark, bright = labels == names.index("dark line"), labels == names.index("bright line")
    contrast = images.astype(float).min(axis=(1, 2, 3)) / images.mean(axis=(1, 2, 3))
    assert contrast[dark].mean() < contrast[bright].mean()
