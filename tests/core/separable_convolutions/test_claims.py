"""The course's claims about MobileNet, recomputed: against the papers' own tables and SymPy."""

import pytest
import sympy as sp

from core import course
from core.conv import batchnorm_params, standard_params
from core.layers import costs_on_meta
from core.separable_convolutions import claims, formulas
from core.separable_convolutions.models import (
    MOBILENET_V1_STAGES,
    MOBILENET_V1_STEM,
    MobileNetV1,
)


@pytest.fixture(scope="module")
def costs():
    return claims.network_costs()


def test_mobilenet_v1_has_the_papers_parameters_and_multiply_adds(costs):
    net = costs["MobileNet"]  # Howard et al. 2017, Table 1 / Table 4: 4.2 M and 569 M
    assert round(net["params"] / 1e6, 1) == 4.2 and round(net["macs"] / 1e6) == 569


def test_the_full_convolution_mobilenet_has_the_papers_counts(costs):
    net = costs["Conv MobileNet"]  # Table 4: 29.3 M parameters, 4866 M mult-adds
    assert round(net["params"] / 1e6, 1) == 29.3 and abs(net["macs"] / 1e6 - 4866) < 2


def test_resnet50_has_torchvisions_documented_size(costs):
    net = costs["ResNet-50"]  # torchvision's docs: 25,557,032 parameters, 4.09 GFLOPS (MACs)
    assert net["params"] == 25_557_032 and round(net["macs"] / 1e9, 2) == 4.09


def test_mobilenet_v1_parameters_follow_from_the_stage_table_by_sympy():
    total = standard_params(3, 3, MOBILENET_V1_STEM) + batchnorm_params(MOBILENET_V1_STEM)
    in_ch = MOBILENET_V1_STEM
    for _, c in MOBILENET_V1_STAGES:
        total += formulas.mobilenet_v1_block_params(3, in_ch, c, batchnorm=True)
        in_ch = c
    total += in_ch * 1000 + 1000  # the classifier
    assert total == costs_on_meta(MobileNetV1, (1, 3, 224, 224))["params"]


def test_the_quotes_speeds_are_held_to_one_device_rate():
    costs = {"ResNet-50": {"params": 1, "macs": 4000}, "MobileNet": {"params": 1, "macs": 500}}
    check = claims.quote_check(costs)
    # by hand from the course's quote, "2 seconds per frame" and "30 fps": 4000 MACs in 2 s is
    # 2000 MACs a second, which runs 500 MACs 4 times a second; 30 fps of 500 needs 15,000;
    # 30 fps against one frame in 2 s is 60 times faster.
    assert (check.implied_rate.value, check.mobilenet_fps_at_that_rate.value) == (2000, 4)
    assert check.rate_for_quoted_fps.value == 15_000
    assert (check.work_ratio.value, check.speed_ratio.value) == (8, 60)


def test_the_takeaways_accuracy_loss_is_the_difference_of_the_cited_accuracies(costs):
    check = claims.takeaway_check(costs, 3, 64)
    table = {k: sp.Rational(v) for k, v in course.MOBILENET_TABLE4.items()}
    loss = table["Conv MobileNet"] - table["MobileNet"]
    assert check.accuracy_loss.value == loss
    assert check.accuracy_loss.value > check.course_loss_bound.value  # "less than 1%" fails


def test_the_course_range_is_missed_at_its_own_example(costs):
    assert claims.takeaway_check(costs, 3, 64).in_course_range is False
    assert claims.takeaway_check(costs, 3, 128).in_course_range is True


def test_the_bottleneck_is_wide_narrow_wide_and_the_inverted_residual_narrow_wide_narrow():
    widths = claims.bottleneck_widths()
    resnet, mobile = widths["ResNet bottleneck"], widths["inverted residual"]
    assert resnet[0] == resnet[-1] > resnet[1] and mobile[0] == mobile[-1] < mobile[1]


def test_the_quote_check_states_the_networks_in_millions_and_billions():
    costs = {
        "ResNet-50": {"params": 25_557_032, "macs": 4_089_184_256},
        "MobileNet": {"params": 4_231_976, "macs": 568_740_352},
    }
    check = claims.quote_check(costs)
    assert (check.resnet_params.text, check.resnet_macs.text, check.resnet_flops.text) == (
        "25,557,032",
        f"{4_089_184_256 / 1e9:.2f}",
        f"{2 * 4_089_184_256 / 1e9:.1f}",
    )
    assert claims.quoted_params().text == f"{course.QUOTE['resnet50_params'] / 1e6:.0f}"


def test_the_bottleneck_chains_read_as_the_widths_in_order():
    widths = claims.bottleneck_widths()
    assert claims.bottleneck_chains() == tuple(" → ".join(map(str, w)) for w in widths.values())
