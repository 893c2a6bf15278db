"""The bundled data sets, read from scikit-learn's files, equal what scikit-learn's loaders give."""

import numpy as np
from sklearn.datasets import load_digits, load_sample_image

from core import data


def test_the_digits_read_from_the_file_are_scikit_learns_digits():
    features, labels = data._digits_arrays()
    expected = load_digits()
    assert np.array_equal(features, expected.data)
    assert np.array_equal(labels, expected.target)


def test_the_photo_read_from_the_file_is_scikit_learns_china_scaled_down():
    from PIL import Image

    full = Image.fromarray(load_sample_image("china.jpg"))
    height = round(full.height * 160 / full.width)
    expected = np.asarray(full.resize((160, height), Image.Resampling.LANCZOS))
    assert np.array_equal(data.sample_photo(160), expected)
