"""The week's eight exercises on the course's own numbers, each with runnable reference code."""

import streamlit as st

from core import course
from core.separable_convolutions import exercises as separable
from core.skip_connections import exercises as skip
from core.skip_connections.experiments import small_resnet_reading
from core.transfer_learning import exercises as transfer
from quizzes import bank
from ui import quiz, show


def header(number: int, title: str) -> None:
    st.header(f"Exercise {number} · {title}" + (" ✅" if quiz.exercise_solved(number) else ""))


def questions(number: int) -> None:
    """The exercise's sub-questions, on the course's numbers first (New numbers for practice)."""
    for q in bank.exercises()[number]:
        quiz.question(q.id, key=f"ex:{q.id}")


def ran(number: int, sources: tuple, key: str) -> bool:
    """The reference implementation as its real source, then *Run it*: whether it has been run.

    A run prints what the parts above ask for, so the button waits until every part has been
    tried, or until the student asks for it anyway.
    """
    with st.expander("Reference implementation (the code this tutor runs)"):
        show.source(*sources)
    if not (quiz.exercise_attempted(number) or st.toggle("Run it now", key=f"{key}-early")):
        st.caption(
            "*Run it* prints the answers to the parts above, so it waits until you have tried "
            "each of them (or switch it on now)."
        )
        return False
    if st.button("Run it", key=f"{key}-run") or st.session_state.get(f"_{key}_ran"):
        st.session_state[f"_{key}_ran"] = True
        return True
    return False


def reference(number: int, sources: tuple, run, key: str) -> None:
    """The reference implementation, and what it prints once it has been run."""
    if ran(number, sources, key):
        st.code("\n".join(show.cached(run)["lines"]), language="text")


def exercise_1() -> None:
    header(1, "Gradients through a plain and a residual stack")
    factor, layers = course.EXERCISE1_FACTOR, course.EXERCISE1_LAYERS
    st.markdown(
        f"A plain network of {layers} layers multiplies the backpropagated gradient by "
        f"$\\delta = {factor}$ at every layer. The same {layers} layers as a ResNet get a "
        f"skip connection around every {course.EXERCISE1_LAYERS_PER_BLOCK} layers. Compare "
        "what layer 1 receives in each, then write down the Jacobian that explains the "
        "difference."
    )
    st.info(
        "**Convention, as on the skip-connections page.** *What layer 1 receives* is the "
        "gradient at its output: in the plain stack it has passed the $L - 1$ layers above it, "
        "which is the course's own answer to part (a). The course gives no number "
        "for the residual part; with the same convention layer 1 sits inside the first block's "
        "branch, so its output crosses only the rest of that branch and then every later block.",
        icon="📏",
    )
    questions(1)
    reference(1, skip.EXERCISE1_SOURCES, skip.exercise1, "ex1")


def exercise_2() -> None:
    header(2, "A small ResNet for CIFAR-10")
    _, channels, side, _ = course.CIFAR_INPUT
    resnet = show.cached(small_resnet_reading)
    kernel = resnet.stem_kernel
    st.markdown(
        f"Build a small ResNet for {side}×{side} colour images and {course.CIFAR_CLASSES} "
        "classes: a `ResidualBlock` of two 3×3 convolutions with a projection shortcut when the "
        "channels or the stride change, three such blocks, global average pooling and a linear "
        f"head. Pass `torch.randn{course.CIFAR_INPUT}` through it, print the shapes and count "
        "the parameters."
    )
    st.warning(
        "**What the course leaves out.** The shape it states after the three blocks, and its "
        "single projection, hold only with a *stem* it never describes: something must turn "
        f"the {channels} colour channels into the {resnet.stem_channels} the first block "
        f"receives, and halve the {side}×{side} map once before the blocks. This tutor's stem is "
        f"a {kernel}×{kernel} convolution, BatchNorm, ReLU and a max-pool that halves the side.",
        icon="🧩",
    )
    questions(2)
    reference(2, skip.EXERCISE2_SOURCES, skip.exercise2, "ex2")


def exercise_3() -> None:
    header(3, "Separable-convolution arithmetic")
    e = course.EXERCISE3
    st.markdown(
        f"A convolution with $D_K = {e['D_K']}$, $M = {e['M']}$ input channels, $N = {e['N']}$ "
        f"output channels and a ${e['D_F']} \\times {e['D_F']}$ output map: count its weights "
        "as a standard layer and as a depthwise separable pair, their ratio, and the "
        "multiply-adds of both."
    )
    questions(3)
    reference(3, separable.EXERCISE3_SOURCES, separable.exercise3, "ex3")


def exercise_4() -> None:
    header(4, "A DWSepConv block and its benchmark")
    m = course.EXERCISE4_INPUT[1]
    n = course.EXERCISE4_OUT_CHANNELS
    st.markdown(
        f"Implement `DWSepConv(in_ch, out_ch)`: a depthwise 3×3 convolution (`groups=in_ch`) "
        "with BatchNorm and ReLU6, then a pointwise 1×1 convolution with BatchNorm and ReLU6; "
        "and `StandardConv(in_ch, out_ch)`, one 3×3 convolution with BatchNorm and ReLU. Pass "
        f"`torch.randn{course.EXERCISE4_INPUT}` through `DWSepConv({m}, {n})` and "
        f"`StandardConv({m}, {n})`, check the shapes agree, and time both."
    )
    questions(4)
    if ran(4, separable.EXERCISE4_SOURCES, "ex4"):
        result = show.live(separable.exercise4, separable.Exercise4(), label="Timing both blocks…")
        if result is not None:
            st.code("\n".join(result["lines"]), language="text")
            st.caption(
                "Whole blocks, BatchNorm and activations included, on one CPU thread: their "
                "memory-bound elementwise layers take a share of the time the FLOP count does "
                "not see, so the speed-up is smaller than for the bare convolutions on the "
                "separable page. Timings vary from run to run on a shared machine."
            )


def exercise_5() -> None:
    header(5, "Which strategy for which data?")
    st.markdown(
        "For each of three data sets, choose a strategy (A: freeze the backbone and train a head; "
        "B: also unfreeze the last blocks; C: fine-tune every block) and say why; then work out "
        "the learning rate of the backbone group next to the head."
    )
    st.warning(
        "**What the course leaves out.** It names its scenarios only *tiny + similar*, *medium + "
        "different domain* and *large + very different*. The parts below give each a size and a "
        "domain, chosen so that the course's answers and the transfer-learning page's rule "
        "agree.",
        icon="🧩",
    )
    questions(5)
    reference(5, transfer.EXERCISE5_SOURCES, transfer.exercise5, "ex5")


def exercise_6() -> None:
    header(6, f"A {course.EXERCISE6_CLASSES}-class fine-tuning setup")
    classes, unfrozen = course.EXERCISE6_CLASSES, course.EXERCISE6_UNFROZEN
    st.markdown(
        "Load MobileNetV2 with ImageNet weights, freeze every parameter, replace the classifier "
        f"with `nn.Sequential(nn.Dropout({course.EXERCISE6_DROPOUT}), "
        f"nn.Linear({course.EXERCISE6_HEAD_IN}, {classes}))`, then unfreeze "
        f"`model.features[-{unfrozen}:]`, counting trainable parameters after each step, and give "
        f"the backbone {course.EXERCISE6_BACKBONE_LR} and the head "
        f"{course.EXERCISE6_HEAD_LR} as learning rates through parameter groups."
    )
    st.warning(
        "**What the course gets wrong.** Its answer says the last blocks hold *roughly 500k* "
        "parameters, all in inverted residual blocks. Count them with `p.numel()` in part (c), "
        "or run the reference code: torch disagrees on both. The transfer-learning page shows "
        "the blocks.",
        icon="🔍",
    )
    questions(6)
    reference(6, transfer.EXERCISE6_SOURCES, transfer.exercise6_steps, "ex6")


def exercise_7() -> None:
    header(7, "Inverted residuals")
    c, t = course.EXERCISE7["C"], course.EXERCISE7["t"]
    st.markdown(
        "MobileNetV2's inverted residual expands the channels with a 1×1 convolution, filters "
        "them with a depthwise 3×3 one, and projects them back with another 1×1, the reverse of "
        f"ResNet's bottleneck. On {c} channels with expansion $t = {t}$, compare its weights with "
        "a MobileNetV1 block's, and say why MobileNetV2 adds no projection where a block changes "
        "the shape."
    )
    questions(7)
    reference(7, separable.EXERCISE7_SOURCES, separable.exercise7, "ex7")


def exercise_8() -> None:
    header(8, f"A {course.EXERCISE8_CLASSES}-class pipeline on random data")
    n, _, side, _ = course.EXERCISE8_INPUT
    st.markdown(
        f"Build a complete fine-tuning pipeline for {course.EXERCISE8_CLASSES} classes: "
        f"`torch.randn{course.EXERCISE8_INPUT}` with random labels, a `TensorDataset` and a "
        f"`DataLoader(batch_size={course.EXERCISE8_BATCH})`, `nn.CrossEntropyLoss()` and Adam on "
        f"the head at {course.EXERCISE8_HEAD_LR}; then unfreeze the last blocks and add them "
        f"with `optimizer.add_param_group` at {course.EXERCISE8_ADDED_LR}, and measure "
        "accuracy with `logits.argmax(dim=1)`. The point is a pipeline that runs: on random data, "
        "nothing can be learned."
    )
    questions(8)
    if ran(8, transfer.EXERCISE8_SOURCES, "ex8"):
        label = f"Training on {n} random {side}×{side} images…"
        result = show.live(transfer.exercise8, transfer.Exercise8(), label=label)
        if result is not None:
            st.code("\n".join(result["lines"]), language="text")
            st.caption(
                "MobileNetV2 with random weights (this server cannot download ImageNet's, and on "
                "random data the weights change nothing): one epoch on the head, one more after "
                "add_param_group. Training accuracy hovers around chance, as it should."
            )


EXERCISES = (
    exercise_1,
    exercise_2,
    exercise_3,
    exercise_4,
    exercise_5,
    exercise_6,
    exercise_7,
    exercise_8,
)

st.title("The week's exercises")
st.markdown(
    "The course's exercises, on its own numbers. Each part is an answer box that understands "
    "formulas, shapes and choices; hints come one at a time and the worked solution after a first "
    "attempt, and *New numbers* gives the same part again for practice. Coding exercises show "
    "the reference implementation this tutor runs, and once you have tried the parts, *Run it* "
    "runs it here and prints what it computes: the numbers the solutions quote. Where the "
    "course's statement is wrong or leaves something out, the exercise says what it assumes."
)
for exercise in EXERCISES:
    exercise()
