"""Seeds fixed for every test, so randomised variants and experiments repeat."""

import random

import pytest


@pytest.fixture(autouse=True)
def fixed_seeds():
    random.seed(1234)
    yield
