"""The course's claims about MobileNet, recomputed: the opening quote, the key takeaway, the case.

Every count comes from real torch models on the meta device (torchvision's ResNet-50 and
MobileNetV2, and MobileNetV1 built from its paper's Table 1): parameters from p.numel(),
multiply-adds from FlopCounterMode. Accuracies cannot be recomputed without the paper's training
runs, so they are the cited figures of core.course, labelled as such. Each check comes back as a
frozen dataclass of readings (core.numbers), so the page places its figures without formatting.
It deliberately leaves out timing (core.separable_convolutions.benchmark) and page text.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import course
from core.layers import costs_on_meta
from core.numbers import Count, Figure, Percent, exact
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


@dataclass(frozen=True)
class QuoteCheck:
    """The opening quote against torch's counts: its units, and whether its speeds fit a device."""

    resnet_params: Count
    resnet_macs: Figure  # per image, in billions (G)
    resnet_flops: Figure  # FlopCounterMode's FLOPs per image, 2 per multiply-add, in billions
    work_ratio: Figure  # ResNet-50's multiply-adds over MobileNet's
    speed_ratio: Count  # the quoted frame time over the quoted MobileNet frame time
    implied_rate: Figure  # multiply-adds a second, in billions, if ResNet-50 takes the quoted time
    mobilenet_fps_at_that_rate: Figure
    rate_for_quoted_fps: Figure  # multiply-adds a second MobileNet needs at the quoted fps, in G


def quote_check(costs: dict[str, dict[str, int]]) -> QuoteCheck:
    """The opening quote against torch's counts: its units, and whether its speeds fit one device.

    If ResNet-50 takes the quoted seconds per frame, the device does resnet_macs / seconds
    multiply-adds a second; MobileNet on that device would run at that rate / its own MACs.
    """
    resnet, mobilenet = costs["ResNet-50"], costs["MobileNet"]
    rate = resnet["macs"] / course.QUOTE["seconds_per_frame"]  # multiply-adds per second implied
    return QuoteCheck(
        resnet_params=Count(resnet["params"]),
        resnet_macs=Figure(resnet["macs"], ".2fG"),
        resnet_flops=Figure(2 * resnet["macs"], ".1fG"),
        work_ratio=Figure(resnet["macs"] / mobilenet["macs"], ".1f"),
        speed_ratio=Count(course.QUOTE["fps"] * course.QUOTE["seconds_per_frame"]),
        implied_rate=Figure(rate, ".1fG"),
        mobilenet_fps_at_that_rate=Figure(rate / mobilenet["macs"], ".1f"),
        rate_for_quoted_fps=Figure(course.QUOTE["fps"] * mobilenet["macs"], ".0fG"),
    )


def quoted_params() -> Figure:
    """The opening quote's ResNet-50 parameters, in millions."""
    return Figure(course.QUOTE["resnet50_params"], ".0fM")


def accuracy_claim() -> Percent:
    """The course's "less than 1% accuracy loss", as the bound it states."""
    return Percent(exact(course.COURSE_ACCURACY_LOSS), 0)


@dataclass(frozen=True)
class TakeawayCheck:
    """The key takeaway's "8-9x" and "less than 1%" against the formula and the paper's Table 4."""

    reduction: Figure  # one layer's, at the course's own N
    in_course_range: bool
    separable_macs: Figure  # MobileNet's multiply-adds, in millions (M)
    separable_params: Figure  # its parameters, in millions
    conv_macs: Figure  # the same network with standard convolutions
    conv_params: Figure
    network_mac_ratio: Figure
    network_in_range: bool
    accuracy_conv: Percent  # cited, Table 4
    accuracy_separable: Percent
    accuracy_loss: Percent  # percentage points
    course_loss_bound: Percent


def takeaway_check(costs: dict[str, dict[str, int]], kernel: int, out_ch: int) -> TakeawayCheck:
    """The key takeaway's "8-9x" and "less than 1%" against the formula and the paper's Table 4."""
    conv, separable = costs["Conv MobileNet"], costs["MobileNet"]
    accuracy = {name: exact(value) for name, value in course.MOBILENET_TABLE4.items()}
    low, high = course.COURSE_REDUCTION_RANGE
    reduction = reduction_factor(kernel, out_ch)
    mac_ratio = conv["macs"] / separable["macs"]
    return TakeawayCheck(
        reduction=Figure(float(reduction), ".2f"),
        in_course_range=bool(low <= reduction <= high),
        separable_macs=Figure(separable["macs"], ".0fM"),
        separable_params=Figure(separable["params"], ".2fM"),
        conv_macs=Figure(conv["macs"], ".0fM"),
        conv_params=Figure(conv["params"], ".1fM"),
        network_mac_ratio=Figure(mac_ratio, ".1f"),
        network_in_range=bool(low <= mac_ratio <= high),
        accuracy_conv=Percent(accuracy["Conv MobileNet"]),
        accuracy_separable=Percent(accuracy["MobileNet"]),
        accuracy_loss=Percent(accuracy["Conv MobileNet"] - accuracy["MobileNet"]),
        course_loss_bound=accuracy_claim(),
    )


@dataclass(frozen=True)
class CaseCheck:
    """The case study's frame rates as multiply-adds per second, ResNet-50 against MobileNetV2."""

    recall: Percent  # the case's own figure
    v2_macs: Figure  # MobileNetV2's multiply-adds per image, in millions
    work_ratio: Figure  # ResNet-50's multiply-adds over MobileNetV2's
    mobilenet_v2_rate: Figure  # multiply-adds a second at the case's frame rate, in billions
    resnet_rate: Figure


def case_check(costs: dict[str, dict[str, int]]) -> CaseCheck:
    """The case study's frame rates as multiply-adds per second, ResNet-50 against MobileNetV2."""
    resnet, v2 = costs["ResNet-50"], costs["MobileNetV2"]
    return CaseCheck(
        recall=Percent(exact(course.CASE_RECALL), 0),
        v2_macs=Figure(v2["macs"], ".0fM"),
        work_ratio=Figure(resnet["macs"] / v2["macs"], ".1f"),
        mobilenet_v2_rate=Figure(course.CASE_FPS["mobilenet_v2"] * v2["macs"], ".1fG"),
        resnet_rate=Figure(course.CASE_FPS["resnet"] * resnet["macs"], ".0fG"),
    )


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


def bottleneck_chains() -> tuple[str, str]:
    """The two blocks' channels as chains to read: "256 → 64 → 64 → 256" and the inverted one."""
    widths = bottleneck_widths()
    return tuple(" → ".join(map(str, widths[name])) for name in widths)
