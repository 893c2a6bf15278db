"""Summary and references: the three ideas on one screen, their formulas from core, the sources."""

import streamlit as st

from core import course
from core.numbers import fmt
from core.separable_convolutions import formulas as separable
from core.skip_connections import formulas as skip
from core.skip_connections import results
from core.transfer_learning import formulas as transfer
from ui import show

st.title("Summary and references")
st.markdown(
    "Three connected ideas made convolutional networks deep, cheap and reusable: shortcuts that "
    "let very deep networks train, a factorised convolution that runs on a phone, and reusing "
    "what a network trained on millions of images already knows. Each formula below is printed "
    "by SymPy from the same expressions the topic pages compute with."
)

left, middle, right = st.columns(3, gap="large")
with left, st.container(border=True, height="stretch"):
    st.subheader("➕ Skip connections")
    st.latex(r"H(\mathbf{x}) = F(\mathbf{x}) + \mathbf{x}")
    st.latex(
        r"\frac{\partial H}{\partial \mathbf{x}} = \frac{\partial F}{\partial \mathbf{x}} "
        r"+ \mathbf{I}"
    )
    st.latex(rf"\frac{{g_1}}{{g_L}} = {fmt(skip.GRADIENT_AT_FIRST_LAYER, 'latex')}")
    fraction = skip.gradient_at_first_layer(course.GRADIENT_FACTOR, course.CALCULATOR_DEPTH)
    shipped = show.cached(results.load_result)
    deepest = max(shipped["config"]["depths"])
    errors = results.at_depth(results.error_summary(shipped), deepest)
    st.markdown(
        f"With a factor of {fmt(course.GRADIENT_FACTOR)} per layer, only {float(fraction):.2%} of "
        f"the gradient reaches layer 1 of a {course.CALCULATOR_DEPTH}-layer plain stack. The "
        f"identity adds a path with factor 1 through every block. Measured here: at depth "
        f"{deepest}, plain networks end at {errors['plain']:.1%} training error, residual ones at "
        f"{errors['residual']:.1%}. The identity makes vanishing unlikely, not impossible: a "
        "branch can cancel it."
    )
    st.page_link("app_pages/skip_connections.py", label="Back to the topic", icon="➡️")
with middle, st.container(border=True, height="stretch"):
    st.subheader("🪶 Separable convolutions")
    tex = separable.cost_formulas_tex()
    st.latex(rf"\frac{{\text{{separable}}}}{{\text{{standard}}}} = {tex['ratio']}")
    ratio = separable.cost_ratio(course.RATIO_KERNEL, course.RATIO_OUT_CHANNELS)
    ceiling = separable.reduction_ceiling(course.RATIO_KERNEL)
    reduction = separable.reduction_factor(course.RATIO_KERNEL, course.RATIO_OUT_CHANNELS)
    st.markdown(
        "A depthwise stage filters each channel on its own (where to look), a pointwise 1×1 "
        f"stage mixes channels (what to combine). With a {course.RATIO_KERNEL}×"
        f"{course.RATIO_KERNEL} kernel and {course.RATIO_OUT_CHANNELS} output channels the pair "
        f"costs {float(ratio):.1%} of a standard layer, {fmt(reduction)}× less; wider layers "
        f"approach, never reach, {ceiling}×. Memory traffic, not arithmetic, sets the depthwise "
        "stage's pace, so seconds shrink less than operations."
    )
    st.page_link("app_pages/separable_convolutions.py", label="Back to the topic", icon="➡️")
with right, st.container(border=True, height="stretch"):
    st.subheader("🔁 Transfer learning")
    st.latex(rf"\eta_d = {fmt(transfer.LEARNING_RATE, 'latex')}")
    st.markdown(
        "Freeze what transfers, retrain what doesn't: the less data and the closer its domain "
        "to the pretraining images, the more of the backbone stays frozen (strategy A, feature "
        "extraction); more data or a further domain unfreezes the last blocks (B) or everything "
        "(C). Unfrozen groups learn more slowly the further they sit from the new head, $d$ "
        "groups away at $r^d$ times its rate, and the head is always replaced to match the "
        "task's classes."
    )
    st.page_link("app_pages/transfer_learning.py", label="Back to the topic", icon="➡️")

st.subheader("Before the midterm")
st.markdown(
    "The course's midterm covers weeks 1 to 7: image formation, spatial filtering, feature "
    "detection, image alignment, neural networks, CNNs, and this week's modern CNNs and transfer "
    "learning. It is open-note with one handwritten A4 sheet: the three formulas above, and what "
    "each one's symbols mean, are a good start for it. The practice page mixes every question "
    "of the three topics."
)
st.page_link("app_pages/practice.py", label="Practice quiz", icon="📝")

st.subheader("References")
st.markdown(
    "- K. He, X. Zhang, S. Ren, J. Sun. *Deep Residual Learning for Image Recognition.* "
    "CVPR 2016, [arXiv:1512.03385](https://arxiv.org/abs/1512.03385). The degradation problem, "
    "residual blocks, projection shortcuts (options A and B), 152-layer ImageNet networks.\n"
    "- K. He, X. Zhang, S. Ren, J. Sun. *Identity Mappings in Deep Residual Networks.* ECCV 2016, "
    "[arXiv:1603.05027](https://arxiv.org/abs/1603.05027). Why nothing should follow the "
    "addition; the form the experiments here use.\n"
    "- A. G. Howard et al. *MobileNets: Efficient Convolutional Neural Networks for Mobile "
    "Vision Applications.* 2017, [arXiv:1704.04861](https://arxiv.org/abs/1704.04861). "
    "Depthwise separable convolutions, the cost ratio, Tables 1 and 4 (recomputed on the topic "
    "page).\n"
    "- M. Sandler et al. *MobileNetV2: Inverted Residuals and Linear Bottlenecks.* CVPR 2018, "
    "[arXiv:1801.04381](https://arxiv.org/abs/1801.04381). The inverted residual and its stage "
    "table.\n"
    "- Stanford CS231n, *Transfer Learning* notes, "
    "[cs231n.github.io/transfer-learning](https://cs231n.github.io/transfer-learning/). When to "
    "extract features and when to fine-tune, by data size and similarity.\n"
    "- torchvision, [models and pretrained weights](https://pytorch.org/vision/stable/models.html)"
    ": `resnet50`, `mobilenet_v2` and the weights API the transfer-learning lab uses.\n"
    "- The course also recommends its textbook (the primary reference for weeks 5 to 7), that "
    "book's companion PyTorch code, and a supplemental lecture on ResNet and batch "
    "normalisation; the course text this tutor was built from does not name them."
)
