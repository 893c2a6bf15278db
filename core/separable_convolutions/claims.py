"""The course's claims about MobileNet, recomputed: the opening quote, the key takeaway, the case.

Every count comes from real torch models on the meta device (torchvision's ResNet-50 and
MobileNetV2, and MobileNetV1 built from its paper's Table 1): parameters from p.numel(),
multiply-adds from FlopCounterMode. Accuracies cannot be recomputed without the paper's training
runs, so they are the cited figures of core.course, labelled as such.
It deliberately leaves out timing (core.separable_convolutions.benchmark) and page text.
"""

from __future__ import annotations

from core import course
from core.layers import costs_on_meta
from core.numbers import exact
from core.separable_convolutions.formulas import reduction_factor
from core.separable_convolutions.models import InvertedResidual, MobileNetV1

INPUT = (1, 3, course.IMAGE_SIDE, course.IMAGE_SIDE)


def network_costs() -> dict[str, dict[str, int]]:
    """Parameters and multiply-adds of the networks the course compares, for one 224 x 224 image."""
    import torchvision  # only here: importing it costs seconds and most pages never need it

    builders = {
        "ResNet-50": torchvision.models.resnet50,
        "Conv MobileNet": lambda: MobileNetV1(full_conv=True),
        "MobileNet": MobileNetV1,
        "MobileNetV2": torchvision.models.mobilenet_v2,
    }
    return {name: costs_on_meta(build, INPUT) for name, build in builders.items()}


def quote_check(costs: dict[str, dict[str, int]]) -> dict[str, float]:
    """The opening quote against torch's counts: its units, and whether its speeds fit one device.

    If ResNet-50 takes the quoted seconds per frame, the device does resnet_macs / seconds
    multiply-adds a second; MobileNet on that device would run at that rate / its own MACs.
    """
    resnet, mobilenet = costs["ResNet-50"], costs["MobileNet"]
    rate = resnet["macs"] / course.QUOTE["seconds_per_frame"]  # multiply-adds per second implied
    return {
        "resnet_params": resnet["params"],
        "resnet_macs": resnet["macs"],
        "resnet_flops": 2 * resnet["macs"],
        "work_ratio": resnet["macs"] / mobilenet["macs"],
        "speed_ratio": course.QUOTE["fps"] * course.QUOTE["seconds_per_frame"],
        "implied_rate": rate,
        "mobilenet_fps_at_that_rate": rate / mobilenet["macs"],
        "rate_for_quoted_fps": course.QUOTE["fps"] * mobilenet["macs"],
    }


def takeaway_check(costs: dict[str, dict[str, int]], kernel: int, out_ch: int) -> dict[str, float]:
    """The key takeaway's "8-9x" and "less than 1%" against the formula and the paper's Table 4."""
    conv, separable = costs["Conv MobileNet"], costs["MobileNet"]
    accuracy = {name: exact(value) for name, value in course.MOBILENET_TABLE4.items()}
    low, high = course.COURSE_REDUCTION_RANGE
    reduction = reduction_factor(kernel, out_ch)
    return {
        "reduction": float(reduction),
        "in_course_range": bool(low <= reduction <= high),
        "network_mac_ratio": conv["macs"] / separable["macs"],
        "network_in_range": bool(low <= conv["macs"] / separable["macs"] <= high),
        "network_param_ratio": conv["params"] / separable["params"],
        "accuracy_conv": float(accuracy["Conv MobileNet"]),
        "accuracy_separable": float(accuracy["MobileNet"]),
        "accuracy_loss": float(accuracy["Conv MobileNet"] - accuracy["MobileNet"]),
        "course_loss_bound": float(exact(course.COURSE_ACCURACY_LOSS)),
    }


def case_check(costs: dict[str, dict[str, int]]) -> dict[str, float]:
    """The case study's frame rates as multiply-adds per second, ResNet-50 against MobileNetV2."""
    resnet, v2 = costs["ResNet-50"], costs["MobileNetV2"]
    return {
        "resnet_rate": course.CASE_FPS["resnet"] * resnet["macs"],
        "mobilenet_v2_rate": course.CASE_FPS["mobilenet_v2"] * v2["macs"],
        "work_ratio": resnet["macs"] / v2["macs"],
        "v2_macs": v2["macs"],
        "v2_params": v2["params"],
    }


def bottleneck_widths() -> dict[str, list[int]]:
    """Channels along each block, read from the built modules: torchvision's ResNet bottleneck
    (wide, squeezed, wide) against MobileNetV2's inverted residual (narrow, expanded, narrow)."""
    from torchvision.models.resnet import Bottleneck

    wide, narrow = course.BOTTLENECK, course.INVERTED
    resnet = Bottleneck(wide["channels"], wide["width"])  # its skip joins the wide ends
    mobile = InvertedResidual(narrow["channels"], narrow["channels"], 1, narrow["expansion"])
    return {
        "ResNet bottleneck": [
            resnet.conv1.in_channels,
            resnet.conv1.out_channels,
            resnet.conv2.out_channels,
            resnet.conv3.out_channels,
        ],
        "inverted residual": [
            mobile.expand[0].in_channels,
            mobile.expand[0].out_channels,
            mobile.depthwise[0].out_channels,
            mobile.project[0].out_channels,
        ],
    }
