"""The photo section's depthwise and pointwise stages against plain numpy."""

import numpy as np
import pytest

from core.data import sample_photo
from core.separable_convolutions import photo

PHOTO = np.asarray(sample_photo(48))
IDENTITY = photo.MIXER_PRESETS["identity"]


def test_the_sample_photo_is_colour_and_scaled_to_the_width_asked():
    assert (PHOTO.shape[1], PHOTO.shape[2], PHOTO.dtype) == (48, 3, np.uint8)


def test_identity_filters_and_identity_mixer_give_back_the_photo():
    out = photo.separable_photo(PHOTO, ["identity"] * 3, IDENTITY)
    np.testing.assert_array_equal(out["mixed"], PHOTO)


def test_the_depthwise_stage_keeps_the_colour_channels_apart():
    changed = PHOTO.copy()
    changed[..., 1] = 255 - changed[..., 1]
    before = photo.separable_photo(PHOTO, ["edges", "blur", "sharpen"], IDENTITY)["maps"]
    after = photo.separable_photo(changed, ["edges", "blur", "sharpen"], IDENTITY)["maps"]
    assert [np.array_equal(a, b) for a, b in zip(before, after, strict=True)] == [True, False, True]


def test_the_blur_map_is_a_binomial_average_of_the_edge_padded_channel():
    red = np.pad(PHOTO[..., 0].astype(float) / 255, 1, mode="edge")
    h, w = PHOTO.shape[:2]
    taps = np.outer([1, 2, 1], [1, 2, 1]) / 16
    blur = sum(taps[i, j] * red[i : i + h, j : j + w] for i in range(3) for j in range(3))
    out = photo.separable_photo(PHOTO, ["blur", "identity", "identity"], IDENTITY)["maps"][0]
    assert np.abs(out.astype(int) - np.round(blur * 255)).max() <= 1


def test_the_pointwise_stage_mixes_each_pixel_by_the_weights():
    mix = photo.MIXER_PRESETS["sepia"]
    expected = np.clip(np.einsum("oc,hwc->hwo", np.array(mix), PHOTO / 255), 0, 1)
    out = photo.separable_photo(PHOTO, ["identity"] * 3, mix)["mixed"]
    assert np.abs(out.astype(int) - np.round(expected * 255)).max() <= 1


def test_an_unknown_filter_is_refused():
    with pytest.raises(ValueError, match="filters"):
        photo.separable_photo(PHOTO, ["emboss", "blur", "blur"], IDENTITY)


def test_mixer_weights_outside_the_range_are_refused():
    with pytest.raises(ValueError, match="between"):
        photo.separable_photo(PHOTO, ["blur"] * 3, [[9, 0, 0], [0, 1, 0], [0, 0, 1]])
