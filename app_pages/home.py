"""Home: the three ideas of the week, what each topic teaches, and where to start."""

import streamlit as st

from core.headline import headline
from quizzes import bank

st.title("Modern CNNs, computed")
st.markdown(
    "Three ideas turned convolutional networks from 20-layer curiosities into the models on "
    "every phone. Every number on these pages is computed as you watch, every experiment really "
    "trains, and every answer box checks what you type symbolically: `0.7^5`, `1/N + 1/D_K^2` "
    "and `(128, 16, 16)` all count."
)

figures = headline()

# (heading, the idea in numbers, what the student will be able to do, page)
CARDS = [
    (
        "➕ Skip connections",
        f"If every layer scales the gradient by {figures.factor}, only {figures.first_layer} of "
        f"it reaches the first layer of a {figures.depth}-layer plain network. ResNet adds the "
        "input back after each block, $H(x) = F(x) + x$, so the gradient always has an identity "
        "path.",
        "measure the degradation problem, compute how fast products of gradients vanish, derive "
        "the residual Jacobian, and size projection shortcuts.",
        "app_pages/skip_connections.py",
    ),
    (
        "🪶 Separable convolutions",
        "MobileNet splits a convolution into a per-channel spatial filter and a 1×1 channel "
        f"mixer. For a {figures.kernel}×{figures.kernel} kernel and {figures.out_channels} output "
        f"channels that needs {figures.ratio} of the multiply-adds of a standard layer.",
        "count parameters and multiply-adds by hand, derive the cost ratio, and explain why the "
        "measured speed-up is smaller than the FLOP count promises.",
        "app_pages/separable_convolutions.py",
    ),
    (
        "🔁 Transfer learning",
        "A network trained on ImageNet already knows edges, textures and parts. Reuse it: freeze "
        "what transfers, retrain what doesn't, and give earlier layers smaller learning rates.",
        "choose a fine-tuning strategy from data size and domain, set up frozen layers, a new "
        "head and parameter groups, and fine-tune a real backbone in the lab.",
        "app_pages/transfer_learning.py",
    ),
]

for column, (heading, idea, outcomes, page) in zip(
    st.columns(len(CARDS), gap="large"), CARDS, strict=True
):
    with column, st.container(border=True, height="stretch"):
        st.subheader(heading)
        st.markdown(idea)
        st.markdown(f"**You will be able to** {outcomes}")
        st.page_link(page, label="Start this topic", icon="➡️")

st.divider()
sizes = bank.sizes()
st.markdown(
    "**Quiz yourself** anywhere: each topic ends with a quiz, and the practice page mixes all "
    f"{sizes.questions} questions of the bank, unsolved ones first. Your progress stays "
    "with you while you move between pages; download it to keep it."
)
st.page_link("app_pages/practice.py", label="Practice quiz", icon="📝")
st.markdown(
    f"**The week's exercises**: the course's {sizes.exercises} exercises on its own numbers, each "
    "part checked as you type it, with the reference code this tutor runs and a button to run it."
)
st.page_link("app_pages/exercises.py", label="The week's exercises", icon="🏋️")
st.page_link("app_pages/summary.py", label="Summary and references", icon="📚")
