"""Home: the three ideas of the week, what each topic teaches, and where to start."""

import streamlit as st

from core import formulas
from quizzes import bank

st.title("Modern CNNs, computed")
st.markdown(
    "Three ideas turned convolutional networks from 20-layer curiosities into the models on "
    "every phone. Every number on these pages is computed as you watch, every experiment really "
    "trains, and every answer box checks what you type symbolically: `0.7^5`, `1/N + 1/D_K^2` "
    "and `(128, 16, 16)` all count."
)

FACTOR, DEPTH = "0.9", 51  # a sigmoid-ish per-layer factor and a ResNet-50-sized plain stack
KERNEL, OUTPUTS = 3, 64  # the course's separable example
fraction = formulas.gradient_at_first_layer(FACTOR, DEPTH)
ratio = formulas.cost_ratio(KERNEL, OUTPUTS)

left, middle, right = st.columns(3, gap="large")
with left, st.container(border=True, height="stretch"):
    st.subheader("➕ Skip connections")
    st.markdown(
        f"If every layer scales the gradient by {FACTOR}, only {float(fraction):.2%} of it "
        f"reaches the first layer of a {DEPTH}-layer plain network. ResNet adds the input back "
        "after each block, $H(x) = F(x) + x$, so the gradient always has an identity path."
    )
    st.markdown(
        "**You will be able to** measure the degradation problem, compute how fast products of "
        "gradients vanish, derive the residual Jacobian, and size projection shortcuts."
    )
    st.page_link("app_pages/skip_connections.py", label="Start this topic", icon="➡️")
with middle, st.container(border=True, height="stretch"):
    st.subheader("🪶 Separable convolutions")
    st.markdown(
        "MobileNet splits a convolution into a per-channel spatial filter and a 1×1 channel "
        f"mixer. For a {KERNEL}×{KERNEL} kernel and {OUTPUTS} output channels that needs "
        f"{float(ratio):.1%} of the multiply-adds of a standard layer."
    )
    st.markdown(
        "**You will be able to** count parameters and multiply-adds by hand, derive the cost "
        "ratio, and explain why the measured speed-up is smaller than the FLOP count promises."
    )
    st.page_link("app_pages/separable_convolutions.py", label="Start this topic", icon="➡️")
with right, st.container(border=True, height="stretch"):
    st.subheader("🔁 Transfer learning")
    st.markdown(
        "A network trained on ImageNet already knows edges, textures and parts. Reuse it: freeze "
        "what transfers, retrain what doesn't, and give earlier layers smaller learning rates."
    )
    st.markdown(
        "**You will be able to** choose a fine-tuning strategy from data size and domain, and "
        "set up frozen layers, a new head and parameter groups. *(This page is in preparation.)*"
    )

st.divider()
counts = {title: len(bank.by_topic(topic)) for topic, title in bank.TOPICS.items()}
st.markdown(
    "**Quiz yourself** anywhere: each topic ends with a quiz, and the practice page mixes all "
    f"{sum(counts.values())} questions of the bank, unsolved ones first. Your progress stays "
    "with you while you move between pages; download it to keep it."
)
st.page_link("app_pages/practice.py", label="Practice quiz", icon="📝")
