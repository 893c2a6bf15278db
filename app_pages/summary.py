"""Summary and references: the three ideas on one screen, their formulas from core, the sources."""

import streamlit as st

from core.headline import headline
from core.skip_connections import results
from core.transfer_learning import strategy
from ui import show

st.title("Summary and references")
st.markdown(
    "Three connected ideas made convolutional networks deep, cheap and reusable: shortcuts that "
    "let very deep networks train, a factorised convolution that runs on a phone, and reusing "
    "what a network trained on millions of images already knows. Each formula below is printed "
    "by SymPy from the same expressions the topic pages compute with."
)

figures = headline()
shipped = show.cached(results.shipped_degradation)
left, middle, right = st.columns(3, gap="large")
with left, st.container(border=True, height="stretch"):
    st.subheader("➕ Skip connections")
    st.latex(r"H(\mathbf{x}) = F(\mathbf{x}) + \mathbf{x}")
    st.latex(
        r"\frac{\partial H}{\partial \mathbf{x}} = \frac{\partial F}{\partial \mathbf{x}} "
        r"+ \mathbf{I}"
    )
    st.latex(rf"\frac{{g_1}}{{g_L}} = {figures.gradient_tex}")
    st.markdown(
        f"With a factor of {figures.factor} per layer, only {figures.first_layer} of the gradient "
        f"reaches layer 1 of a {figures.depth}-layer plain stack. The identity adds a path with "
        f"factor 1 through every block. Measured here: at depth {shipped.deepest}, plain networks "
        f"end at {shipped.plain_error} training error, residual ones at {shipped.residual_error}. "
        "The identity makes vanishing unlikely, not impossible: a branch can cancel it."
    )
    st.page_link("app_pages/skip_connections.py", label="Back to the topic", icon="➡️")
with middle, st.container(border=True, height="stretch"):
    st.subheader("🪶 Separable convolutions")
    st.latex(rf"\frac{{\text{{separable}}}}{{\text{{standard}}}} = {figures.ratio_tex}")
    st.markdown(
        "A depthwise stage filters each channel on its own (where to look), a pointwise 1×1 "
        f"stage mixes channels (what to combine). With a {figures.kernel}×{figures.kernel} kernel "
        f"and {figures.out_channels} output channels the pair costs {figures.ratio} of a standard "
        f"layer, {figures.reduction}× less; wider layers approach, never reach, "
        f"{figures.ceiling}×. Memory traffic, not arithmetic, sets the depthwise stage's pace, so "
        "seconds shrink less than operations."
    )
    st.page_link("app_pages/separable_convolutions.py", label="Back to the topic", icon="➡️")
with right, st.container(border=True, height="stretch"):
    st.subheader("🔁 Transfer learning")
    st.latex(rf"\eta_d = {figures.rate_tex}")
    st.markdown(
        f"{strategy.in_brief()} Unfrozen groups learn more slowly the further they sit from "
        "the new head, $d$ "
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
    "residual blocks, and three shortcuts for a block that changes the shape: option A keeps "
    "the identity, subsampled by the stride, and pads its extra channels with zeros (no "
    "parameters); option B projects with a 1×1 convolution only where the shape changes; "
    "option C projects on every shortcut. 152-layer ImageNet networks.\n"
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
