"""The headline figures home and summary share, recomputed by plain float arithmetic."""

from core import course
from core.headline import headline


def test_the_first_layer_share_is_the_factor_to_the_depth_minus_one():
    share = float(course.GRADIENT_FACTOR) ** (course.CALCULATOR_DEPTH - 1)  # 0.9^49
    assert headline().first_layer.text == f"{share:.2%}" == "0.57%"


def test_the_separable_ratio_and_reduction_are_one_over_n_plus_one_over_the_kernel_area():
    k, n = course.RATIO_KERNEL, course.RATIO_OUT_CHANNELS
    ratio = 1 / n + 1 / k**2  # the course: "1/64 + 1/9 = 0.127, an 87% reduction"
    figures = headline()
    assert (figures.ratio.text, figures.reduction.text) == (f"{ratio:.1%}", f"{1 / ratio:.4g}")
    assert figures.ceiling.text == str(k * k)
