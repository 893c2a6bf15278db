"""Transfer learning: which layers to reuse, how fast each should learn, and a real lab."""

import streamlit as st

from core import course
from core.transfer_learning import formulas, lab, models, strategy, weights
from ui import ask, charts, lecture, links, quiz, show
from ui.links import Link

TOPIC = "transfer_learning"
PAGE = "transfer_learning"
INLINE = ("tl-features-cut", "tl-xray-strategy", "tl-lr-checkpoint", "tl-forgotten-head-silent")
REVEALED = "_tl_strategy_revealed"  # the strategy widget's answer was asked for
LAB_ASKED = "_tl_lab_asked"  # the lab configurations this session asked to train
BLOCKS = formulas.MOBILENET_V2_BLOCKS
CLASSES = len(course.DEFECT_CLASSES)  # heads on this page fit the lab's defect classes
RATES = (
    Link("tl_head_lr", "head_lr", "float", *formulas.HEAD_LR_ASKED),
    Link("tl_decay", "r", "float", *formulas.DECAY_ASKED),
    Link("tl_groups", "groups", "int", 0, formulas.MAX_GROUPS),
)
CASE = (
    Link("tl_images", "images", "int", 0, strategy.MAX_IMAGES),
    Link("tl_similarity", "similarity", "float", *strategy.SIMILARITY_RANGE),
)
COMPARE = (Link("tl_unfrozen", "unfrozen", "int", 0, BLOCKS),)
LAB = (
    Link("tl_lab_strategies", "strategies", "choices", choices=strategy.LAB_RUNS),
    Link("tl_lab_per_class", "per_class", "int", 0, lab.PER_CLASS_ASKED),
    Link("tl_lab_seed", "seed", "int", 0, lab.MAX_SEED),
)


def hook() -> None:
    costs = formulas.pretraining_costs()
    st.markdown(
        "**The hook.** Training ResNet-50 on ImageNet from scratch, the course says, takes "
        f"{costs.epochs} epochs on {costs.gpus} GPUs for about {costs.days} days: "
        f"{costs.run_gpu_hours} GPU-hours for one run. Fine-tuning the result on a custom set of "
        f"{costs.finetune_images} images takes about {costs.finetune_minutes} minutes on a "
        f"laptop. (The section's subtitle speaks of {costs.subtitle_gpu_hours} GPU-hours, which "
        f"would be about {costs.runs_in_subtitle} such runs: a figure for all the research behind "
        "the weights, perhaps, not for the weights you download.)"
    )
    st.markdown(
        "> **An analogy.** Hiring an experienced engineer who already knows physics, CAD and "
        "manufacturing: you teach them your product, not the fundamentals. The pretrained "
        "backbone is that general expertise; your small data set teaches the product-specific "
        "part."
    )


def three_strategies() -> None:
    st.header("1 · Three ways to reuse a backbone")
    st.markdown(
        "Cut the pretrained network into a backbone that is reused and a new head for your own "
        "classes, then decide how much of the backbone may still learn: **A**, feature "
        "extraction, freezes every block and trains only the head; **B**, partial fine-tuning, "
        "also unfreezes the last few blocks; **C**, full fine-tuning, lets every block learn. "
        "Here is torchvision's MobileNetV2 under each, its parts left to right, counted by torch:"
    )
    for strip in show.cached(models.strategy_strips, CLASSES):
        st.markdown(f"**{strip.title}**")
        show.figure(charts.block_strip, strip.rows, key=f"tl-{strip.letter}")


def features_by_depth() -> None:
    st.header("2 · What each depth has learned")
    maps = show.cached(weights.shared_feature_maps)
    st.info(maps["banner"], icon="🧠")
    st.caption(maps["credit"])
    st.markdown(
        "A real photograph through the backbone in use. Each row shows the most active channels "
        "of one block, from a block near the input to one near the classifier. Compare what the "
        "rows respond to, then answer."
    )
    st.image(maps["photo"], caption="the input", width=320)
    for layer in maps["layers"]:
        st.markdown(layer["title"])
        columns = st.columns(len(layer["channels"]))
        for column, channel in zip(columns, layer["channels"], strict=True):
            column.image(channel["image"], caption=channel["caption"], width="stretch")
    quiz.question("tl-features-cut")
    if not quiz.attempted("tl-features-cut"):
        st.caption("Answer the question to read on.")
        return
    st.markdown(
        "Early blocks respond to edges, colour and texture anywhere in the image; later ones "
        "to combinations of them, coarser and more specific to what the network was trained to "
        "recognise. So **where to cut** decides what is reused: early features transfer to "
        "almost any images, late features are tuned to the pretraining classes. The less your "
        "data looks like the pretraining data, the more of the late blocks need to learn again, "
        "and the more data you need to let them."
    )
    quiz.question("tl-xray-strategy")


def discriminative_rates() -> None:
    st.header("3 · Discriminative learning rates")
    st.markdown(
        "When backbone blocks unfreeze, they should not learn as fast as the new head: their "
        "weights are already good, and a large step would wreck them. The course splits the "
        "trainable parameters into groups and gives each its own rate, with $r$ the decay per "
        "group, $L$ the number of groups and $l$ a group's index ($l = 0$ the earliest):"
    )
    st.latex(formulas.COURSE_RATE_TEX)
    st.markdown(
        "This tutor counts the other way, by a group's **distance $d$ from the head** (the head "
        "itself is $d = 0$, the backbone group next to it $d = 1$, ...):"
    )
    st.latex(formulas.RATE_TEX)
    quiz.question("tl-lr-checkpoint")
    if quiz.attempted("tl-lr-checkpoint"):
        rate_readings()
    rate_calculator()


def rate_readings() -> None:
    """Both readings of the checkpoint, and the course's statements, once it is answered."""
    check = show.cached(formulas.checkpoint)
    st.markdown(
        f"**Two readings of *{check.groups} groups*.** The course does not say whether the head "
        "is one of its $L$ groups, and its checkpoint has an answer for each:\n"
        f"- *the head is one of them* (the last, learning at $\\eta_\\text{{head}}$ itself): "
        f"$d = L - 1 - l$, so the earliest group is $d = {check.counted_distance}$ and learns at "
        f"{check.head} · {check.decay}^{check.counted_distance} = **{check.counted}**;\n"
        "- *the head is not one of them* (it would be $l = L$, as the formula read literally "
        f"gives): $d = L - l$, so the earliest is $d = {check.outside_distance}$ and learns at "
        f"{check.head} · {check.decay}^{check.outside_distance} = **{check.outside}**.\n\n"
        "This tutor takes the first: *G groups* means G learning rates, the head's included, in "
        "the calculator below and every question after this one."
    )
    st.markdown(show.cached(formulas.statements_text))


@st.fragment
def rate_calculator() -> None:
    st.markdown("**Try it:** the rates for any head rate, $r$ and number of groups.")
    left, middle, right = st.columns(3)
    start = course.RATE_CALCULATOR_START
    head_box = formulas.HEAD_LR_BOX
    head_lr = links.number(RATES[0], "η_head", start["head_lr"], where=left, **head_box)
    decay = links.number(RATES[1], "r", start["decay"], where=middle, step=formulas.DECAY_STEP)
    groups = links.number(RATES[2], "groups, head included", start["groups"], where=right)
    links.share(RATES, "tl-rates")
    problem = formulas.learning_rate_problem(head_lr, decay, groups)
    if problem:
        st.warning(problem)
        return
    note = formulas.learning_rate_note(decay, groups)
    if note:
        st.info(note)
    st.markdown("The earliest group's rate, step by step:")
    lecture.steps(show.cached(formulas.earliest_derivation, head_lr, decay, groups), "tl-rate")
    ask.button("tl-lr-checkpoint", {"head": head_lr, "decay": decay, "groups": groups}, key="tl")
    rows = show.cached(formulas.rate_rows, head_lr, decay, groups)
    show.figure(charts.learning_rates, rows, key="tl-rates")
    if groups > 1:
        st.markdown(
            "The real `optimizer.param_groups` torch builds for MobileNetV2, one unfrozen block "
            "per backbone group:"
        )
        show.table(show.cached(models.optimiser_groups, head_lr, decay, groups, CLASSES))


def replacing_the_head() -> None:
    st.header("4 · Replacing the head")
    head = show.cached(models.new_head)
    st.markdown(
        f"A pretrained classifier ends in a layer with {head.imagenet_classes} outputs, one per "
        f"ImageNet class. For exercise 6's task with {head.classes} classes, freeze the backbone "
        "and replace the classifier:"
    )
    st.code(head.code, language="python")
    st.markdown(
        f"After this, **{head.trainable}** parameters train: the new head only. "
        "**Predict first:** what happens if you forget the last line?"
    )
    quiz.question("tl-forgotten-head-silent")
    if not quiz.attempted("tl-forgotten-head-silent"):
        st.caption("Answer the question, then run the mistake in torch.")
        return
    if not st.button("Run the forgotten head in torch", key="tl_head_demo"):
        return
    demo = show.cached(models.forgotten_head_demo)
    st.error("With a loss that compares shapes, torch stops at once:")
    st.code(f"{demo.shape_code}\n# {demo.shape_error}", language="python")
    st.warning(
        f"**The silent one.** With cross-entropy, labels 0 to {demo.top_label} are valid "
        f"indices among {demo.outputs} outputs, so the old classifier trains without a word: "
        f"the loss fell from {demo.loss_first} to {demo.loss_last}. Yet {demo.probability_outside} "
        f"of the probability still sits on classes your task does not have, and "
        f"{demo.trainable} parameters trained instead of {demo.trainable_with_new_head}."
    )


def which_strategy() -> None:
    st.header("5 · Which strategy?")
    st.markdown(
        "Two things decide: how many labelled images you have, and how much they look like the "
        "pretraining images (0: nothing alike, 1: the same kind of photos). Describe your own "
        "case, predict, then ask the rule, which follows cs231n's transfer-learning notes. "
        f"{strategy.THRESHOLDS}"
    )
    strategy_widget()


@st.fragment
def strategy_widget() -> None:
    left, right = st.columns(2)
    start = strategy.WIDGET_HINT
    images = links.number(CASE[0], "labelled images", start["images"], where=left)
    similarity = links.slider(
        CASE[1],
        "similarity to ImageNet",
        start["similarity"],
        where=right,
        step=strategy.SIMILARITY_STEP,
    )
    links.share(CASE, "tl-case")
    problem = strategy.strategy_problem(images, similarity)
    if problem:
        st.warning(problem)
        return
    guess = st.radio(
        "Your prediction",
        list(strategy.LABELS),
        format_func=strategy.LABELS.get,
        index=None,
        horizontal=True,
        key="tl_guess",
    )
    st.caption(strategy.HINT)
    asked = st.session_state.get(REVEALED)
    if not asked and not st.button("Show the rule's answer", key="tl_reveal", disabled=not guess):
        st.info("Pick a prediction to unlock the answer.")
        return
    st.session_state[REVEALED] = True
    st.success(strategy.verdict(images, similarity, guess))
    point = strategy.case_point(images, similarity)
    show.figure(charts.strategy_map, strategy.regions(), point, key="tl-map")


def takeaway_and_case_study() -> None:
    st.header("6 · The takeaway, and a case")
    st.markdown(
        "Transfer learning is not one setting: match how much you unfreeze to your data. The "
        "rule above, size by size:"
    )
    st.markdown(strategy.takeaway())
    case = show.cached(lab.case_study_check)
    st.markdown(
        f"**Case study.** An industrial partner of the course trained a {case.classes}-class "
        f"surface-defect classifier ({case.class_names}) on {case.images} product images, about "
        f"{case.per_class} per class, with MobileNetV2 and strategy B: early layers frozen, the "
        f"last {case.unfrozen} blocks unfrozen, discriminative rates. It reached {case.accuracy} "
        f"accuracy in {case.epochs} epochs and runs on a Raspberry Pi, inspecting "
        f"{case.units_per_minute} units a minute. The lab below repeats the recipe on a "
        f"generated defect set: strategy B with {case.lab_per_class} images per class reached "
        f"{case.lab} there. The two numbers don't compare (other images, another backbone); the "
        "recipe does."
    )


def unfreezing_slider() -> None:
    st.header("7 · A, B and C on the real MobileNetV2")
    st.markdown(
        "Move the slider to unfreeze more of torchvision's `mobilenet_v2` from the end. Counts "
        "come from `requires_grad` on the real model (they do not depend on the weights, so "
        "this works offline), and again from its architecture table, block by block."
    )
    compare_slider()
    facts = show.cached(models.last_three_blocks_facts)
    st.warning(
        f'**The course\'s exercise 6 says** `model.features[-3:]` holds "{facts.course_says}". '
        f"torch finds {facts.listed}: {facts.inverted_residuals} inverted residual blocks and "
        f"the final 1×1 convolution, **{facts.parameters}** parameters in all, against the "
        f"course's {facts.course_parameters}. Its head count, {facts.course_head_parameters}, "
        "is right.",
        icon="🔍",
    )


@st.fragment
def compare_slider() -> None:
    unfrozen = links.slider(COMPARE[0], "blocks unfrozen, counted from the end", 0)
    links.share(COMPARE, "tl-compare")
    report = show.cached(models.unfreezing_report, unfrozen, CLASSES)
    show.figure(charts.block_strip, report.rows, key="tl-compare")
    st.markdown(
        f"That is strategy **{report.strategy}**: **{report.torch}** trainable parameters by "
        f"torch's `requires_grad` with a {report.classes}-class head, {report.table} from the "
        "architecture table."
    )


def progressive_unfreezing() -> None:
    st.header("8 · Progressive unfreezing")
    tip = lab.progressive()
    st.markdown(
        f"The course's tip: train as strategy A for {tip.frozen_epochs} epochs, then unfreeze "
        "the later blocks. At the start the head is random and its gradients are large and "
        "meaningless; flowing into unfrozen blocks they would damage pretrained weights before "
        "the head has learned anything. Later blocks join the same optimiser with their own, "
        "lower rate:"
    )
    st.code(tip.code, language="python")
    st.caption(
        f"The lab's *progressive* run makes one such switch, not a gradual one: it trains as A "
        f"for the first {tip.switch_step} of its {tip.steps} steps, then its last {tip.blocks} "
        "blocks join the same optimiser at once, with discriminative rates."
    )


def fine_tuning_lab() -> None:
    st.header("9 · Fine-tuning lab")
    about = show.cached(lab.overview)
    st.info(about.banner, icon="🧠")
    st.markdown(
        "A backbone pretrained on a *source* task is fine-tuned here, for real, on a small "
        f"*target* task: a generated {about.classes}-class surface-defect set "
        f"({about.class_names}), {about.side}×{about.side} pixels, with {about.pool} training "
        f"images per class at most and {about.validation} held out for validation."
    )
    with st.expander("Why the source task is designed the way it is"):
        st.markdown(
            "A source task only transfers if it needs the features the target needs. Cracks are "
            "thin *dark* lines, scratches thin *bright* ones: a source that ignored polarity would "
            "teach features that cannot tell them apart. So the fallback backbone learned to "
            "tell dark lines from bright lines, dark spots from bright spots, wiggles, rings, "
            "crosses, stripes, shaded bumps and colour spots on varied textures: the edges, "
            "blobs, polarity and colour that dents, discolouration, cracks and scratches are "
            "made of. When ImageNet weights can be loaded, the lab uses them instead."
        )
    st.markdown(
        f"**Shipped results** (`{lab.TABLE_COMMAND}`, backbone: {about.table_backbone}), mean of "
        f"{about.seeds} seeds, the band from the worst to the best seed:"
    )
    show.figure(charts.lab_table, show.cached(lab.load_table)["summary"], key="tl-table")
    found = show.cached(lab.findings)
    st.markdown(
        f"**What the table shows.** On this source and target pair C ≥ B ≈ A even at "
        f"{found.fewest} images per class (C {found.c}, B {found.b}, A {found.a}), where the rule "
        "in section 5 says A. The rule's caution is about a large backbone overfitting a few "
        "images from a far domain; here the backbone is small and its source classes nearly "
        "match the defects, so fine-tuning it costs little. Scratch trains the same fixed "
        f"{found.steps} steps at every size ({found.images_seen} images seen), so more images "
        f"cannot buy it more training: its means at {found.larger} and {found.largest} per class "
        f"are {found.scratch_larger} and {found.scratch_largest}."
    )
    run_lab()


@st.fragment
def run_lab() -> None:
    st.subheader("Run it yourself")
    runs, per_class_link, seed_link = LAB
    chosen = st.multiselect("strategies", runs.choices, default=list(lab.LIVE_START), key=runs.key)
    left, right = st.columns(2)
    start = lab.LabConfig()
    per_class = links.number(
        per_class_link, "training images per class", start.per_class, where=left
    )
    seed = links.number(seed_link, "seed", start.seed, where=right)
    configs = lab.live_configs(chosen, per_class, seed)
    problem = lab.live_problem(configs)
    if problem:
        st.warning(problem)
        return
    st.caption(lab.LIVE_NOTE)
    links.share(LAB, "tl-lab")  # before training, so a prepared link needs no run first
    asked = st.session_state.setdefault(LAB_ASKED, set())
    if st.button("Train", key="tl_lab_run", type="primary"):
        asked.update(configs)
    if not all(c in asked for c in configs):
        st.info("Choose strategies and a size, then press Train.")
        return
    results = []
    for config in configs:
        result = show.live(lab.run_lab, config, label=f"Training {config.strategy}…")
        if result is None:
            return
        results.append(result)
    shown = lab.live_results(results)
    show.figure(charts.lab_curves, shown.curves, key="tl-curves")
    show.table(shown.finals)
    for note in shown.notes:
        st.warning(note, icon="⏱️")


def end_quiz() -> None:
    st.header("10 · Checks")
    quiz.end_of_topic(TOPIC, inline=INLINE)


SECTIONS = (
    hook,
    three_strategies,
    features_by_depth,
    discriminative_rates,
    replacing_the_head,
    which_strategy,
    takeaway_and_case_study,
    unfreezing_slider,
    progressive_unfreezing,
    fine_tuning_lab,
    end_quiz,
)

links.restore(RATES + CASE + COMPARE + LAB, PAGE)
st.title("Transfer learning")
st.markdown(
    "How to reuse what a network trained on millions of images already knows: which layers to "
    "keep, which to retrain, how fast each should learn, and what goes wrong when the head is "
    "forgotten. Every count comes from torch, every rate from SymPy, and the lab really trains."
)
show.sections(SECTIONS)
