"""Transfer learning: which layers to reuse, how fast each should learn, and a real lab."""

import streamlit as st

from core import course
from core.numbers import fmt
from core.transfer_learning import formulas, lab, models, strategy, weights
from core.transfer_learning.data import DEFECT_CLASSES, TRAIN_POOL_PER_CLASS
from ui import charts, lecture, links, quiz, show
from ui.links import Link

TOPIC = "transfer_learning"
PAGE = "transfer_learning"
INLINE = ("tl-features-cut", "tl-xray-strategy", "tl-lr-checkpoint", "tl-forgotten-head-silent")
REVEALED = "_tl_strategy_revealed"  # the strategy widget's answer was asked for
LAB_ASKED = "_tl_lab_asked"  # the lab configurations this session asked to train
BLOCKS = formulas.MOBILENET_V2_BLOCKS
CLASSES = len(DEFECT_CLASSES)  # heads on this page fit the lab's defect classes
RATES = (
    Link("tl_head_lr", "head_lr", "float", 1e-6, 1),
    Link("tl_decay", "r", "float", 0, 2),
    Link("tl_groups", "groups", "int", 1, formulas.MAX_GROUPS),
)
CASE = (
    Link("tl_images", "images", "int", 0, strategy.MAX_IMAGES),
    Link("tl_similarity", "similarity", "float", 0, 1),
)
COMPARE = (Link("tl_unfrozen", "unfrozen", "int", 0, BLOCKS),)
LAB = (
    Link("tl_lab_strategies", "strategies", "choices", choices=lab.STRATEGIES),
    Link("tl_lab_per_class", "per_class", "int", 0, TRAIN_POOL_PER_CLASS * 4),
    Link("tl_lab_seed", "seed", "int", 0, 999),
)


def hook() -> None:
    costs = formulas.pretraining_costs()
    st.markdown(
        "**The hook.** Training ResNet-50 on ImageNet from scratch, the course says, takes "
        f"{course.PRETRAIN_EPOCHS} epochs on {course.PRETRAIN_GPUS} GPUs for about "
        f"{course.PRETRAIN_DAYS} days: {costs['run_gpu_hours']:,} GPU-hours for one run. "
        f"Fine-tuning the result on a custom set of {costs['finetune_images']} images takes "
        f"about {costs['finetune_minutes']} minutes on a laptop. (The section's subtitle speaks "
        f"of {costs['subtitle_gpu_hours']:,} GPU-hours, which would be about "
        f"{costs['runs_in_subtitle']:,.0f} such runs: a figure for all the research behind the "
        "weights, perhaps, not for the weights you download.)"
    )
    st.markdown(
        "> **An analogy.** Hiring an experienced engineer who already knows physics, CAD and "
        "manufacturing: you teach them your product, not the fundamentals. The pretrained "
        "backbone is that general expertise; your small data set teaches the product-specific "
        "part."
    )


def strategies() -> None:
    st.header("1 · Three ways to reuse a backbone")
    st.markdown(
        "Cut the pretrained network into a backbone that is reused and a new head for your own "
        "classes, then decide how much of the backbone may still learn: **A**, feature "
        "extraction, freezes every block and trains only the head; **B**, partial fine-tuning, "
        "also unfreezes the last few blocks; **C**, full fine-tuning, lets every block learn. "
        "Here is torchvision's MobileNetV2 under each, its parts left to right, counted by torch:"
    )
    for letter, unfrozen in (("A", 0), ("B", course.CASE_UNFROZEN_BLOCKS), ("C", BLOCKS)):
        st.markdown(f"**{letter}, {strategy.STRATEGY_NAMES[letter]}**")
        show.figure(
            charts.block_strip,
            show.cached(models.strategy_strip, unfrozen, CLASSES),
            key=f"tl-{letter}",
        )


def features() -> None:
    st.header("2 · Features get more specific with depth")
    maps = show.cached(weights.shared_feature_maps)
    st.info(maps["banner"], icon="🧠")
    st.caption(maps["credit"])
    st.markdown(
        "A real photograph through the backbone in use. Each row shows the most active channels "
        "of one block: early blocks respond to edges, colour and texture anywhere in the image; "
        "later ones respond to combinations of them, coarser and more specific to what the "
        "network was trained to recognise."
    )
    st.image(maps["photo"], caption="the input", width=320)
    for layer in maps["layers"]:
        st.markdown(
            f"**`{layer['name']}`** ({layer['kind']}), output {layer['shape'][0]} channels of "
            f"{layer['shape'][1]}×{layer['shape'][2]}"
        )
        columns = st.columns(len(layer["channels"]))
        for column, channel in zip(columns, layer["channels"], strict=True):
            column.image(channel["image"], caption=f"channel {channel['channel']}", width="stretch")
    st.markdown(
        "So **where to cut** decides what is reused. Early features transfer to almost any "
        "images; late features are tuned to the pretraining classes. The less your data looks "
        "like the pretraining data, the more of the late blocks need to learn again, and the "
        "more data you need to let them."
    )
    quiz.question("tl-features-cut")
    quiz.question("tl-xray-strategy")


def learning_rates() -> None:
    st.header("3 · Discriminative learning rates")
    st.markdown(
        "When backbone blocks unfreeze, they should not learn as fast as the new head: their "
        "weights are already good, and a large step would wreck them. The course refers to a "
        "formula for this but never writes it. This tutor's definition, used everywhere: number "
        "the parameter groups by their **distance $d$ from the head** (the head itself is "
        "$d = 0$, the backbone group next to it $d = 1$, ...), and give group $d$ the rate"
    )
    st.latex(rf"\eta_d = {fmt(formulas.LEARNING_RATE, 'latex')}, \qquad 0 < r \le 1")
    st.markdown(
        "so *$G$ groups* means $G$ learning rates, the head's included. The course's three "
        "statements then agree:"
    )
    st.markdown(
        "\n".join(
            f'- *"{row["says"]}"* ({row["where"]}): {row["reading"]}, so '
            f"{' and '.join(fmt(v) for v in row['ratios'])} times slower than the head."
            for row in show.cached(formulas.course_statements)
        )
    )
    quiz.question("tl-lr-checkpoint")
    rate_calculator()


@st.fragment
def rate_calculator() -> None:
    st.markdown("**Try it:** the rates for any head rate, $r$ and number of groups.")
    left, middle, right = st.columns(3)
    start = course.RATE_CALCULATOR_START
    head_lr = left.number_input(
        "η_head", 0.0, 1.0, start["head_lr"], step=1e-4, format="%.5f", key="tl_head_lr"
    )
    decay = middle.number_input("r", 0.0, 2.0, start["decay"], 0.05, key="tl_decay")
    groups = right.number_input(
        "groups, head included", 0, formulas.MAX_GROUPS, start["groups"], key="tl_groups"
    )
    links.share(RATES, "tl-rates")
    problem = formulas.learning_rate_problem(head_lr, decay, groups)
    if problem:
        st.warning(problem)
        return
    note = formulas.learning_rate_note(decay, groups)
    if note:
        st.info(note)
    rates = show.cached(formulas.group_learning_rates, head_lr, decay, groups)
    st.markdown("The earliest group's rate, step by step:")
    lecture.steps(
        show.cached(formulas.learning_rate_derivation, head_lr, decay, len(rates) - 1), "tl-rate"
    )
    rows = [
        {"group": "head" if d == 0 else f"d = {d}", "learning rate": float(rate)}
        for d, rate in enumerate(rates)
    ]
    show.figure(charts.learning_rates, rows, key="tl-rates")
    if len(rates) > 1:
        st.markdown(
            "The real `optimizer.param_groups` torch builds for MobileNetV2, one unfrozen block "
            "per backbone group:"
        )
        show.table(show.cached(models.optimiser_groups, head_lr, decay, groups, CLASSES))


def forgotten_head() -> None:
    st.header("4 · Replacing the head")
    classes = CLASSES
    st.markdown(
        f"A pretrained classifier ends in a layer with {course.IMAGENET_CLASSES:,} outputs, one "
        f"per ImageNet class. For a task with {classes} classes it must be replaced:"
    )
    st.code(
        "model = mobilenet_v2(weights=MobileNet_V2_Weights.IMAGENET1K_V1)\n"
        "model.requires_grad_(False)                      # freeze the backbone (strategy A)\n"
        f"model.classifier = nn.Sequential(nn.Dropout({course.EXERCISE6_DROPOUT}), "
        f"nn.Linear({course.EXERCISE6_HEAD_IN}, {classes}))  # new, so it trains",
        language="python",
    )
    counts = show.cached(models.strategy_counts, 0, classes)
    st.markdown(
        f"After this, **{counts[0]['trainable']:,}** parameters train: the new head only. "
        "**Predict first:** what happens if you forget the last line?"
    )
    quiz.question("tl-forgotten-head-silent")
    if not st.button("Run all three mistakes in torch", key="tl_head_demo"):
        return
    demo = show.cached(models.forgotten_head_demo)
    st.error("With a loss that compares shapes, torch stops at once:")
    st.code(f"{demo['shape']['code']}\n# {demo['shape']['error']}", language="python")
    st.error("With every parameter frozen and no new head (the course's Q2), backward() fails:")
    code, error = demo["nothing_to_train"]["code"], demo["nothing_to_train"]["error"]
    st.code(f"{code}\n# {error}", language="python")
    silent = demo["silent"]
    st.warning(
        f"**The silent one.** With cross-entropy, labels 0 to {demo['top_label']} are valid "
        f"indices among {demo['outputs']:,} outputs, so the old classifier trains without a "
        f"word: the loss fell from {silent['losses'][0]:.2f} to {silent['losses'][-1]:.2f}. Yet "
        f"{silent['probability_outside_after']:.0%} of the probability still sits on classes "
        f"your task does not have, and {silent['trainable']:,} parameters trained instead of "
        f"{silent['trainable_with_new_head']:,}."
    )


def which_strategy() -> None:
    st.header("5 · Which strategy?")
    st.markdown(
        "Two things decide: how many labelled images you have, and how much they look like the "
        "pretraining images (0: nothing alike, 1: the same kind of photos). Describe your own "
        "case, predict, then ask the rule, which follows cs231n's transfer-learning notes."
    )
    strategy_widget()


@st.fragment
def strategy_widget() -> None:
    left, right = st.columns(2)
    images = left.number_input(
        "labelled images", 0, strategy.MAX_IMAGES, course.WIDGET_HINT_IMAGES, key="tl_images"
    )
    similarity = right.slider("similarity to ImageNet", 0.0, 1.0, 0.1, 0.05, key="tl_similarity")
    links.share(CASE, "tl-case")
    problem = strategy.strategy_problem(images, similarity)
    if problem:
        st.warning(problem)
        return
    guess = st.radio(
        "Your prediction",
        list(strategy.STRATEGY_NAMES),
        format_func=lambda s: f"{s}: {strategy.STRATEGY_NAMES[s]}",
        index=None,
        horizontal=True,
        key="tl_guess",
    )
    st.caption(
        f"The course's hint: what would freezing every layer do with "
        f"{course.WIDGET_HINT_IMAGES:,} images from a completely different domain?"
    )
    asked = st.session_state.get(REVEALED)
    if not asked and not st.button("Show the rule's answer", key="tl_reveal", disabled=not guess):
        st.info("Pick a prediction to unlock the answer.")
        return
    st.session_state[REVEALED] = True
    answer = strategy.recommend(images, similarity)
    verdict = "as you predicted" if guess == answer["strategy"] else f"you predicted {guess}"
    st.success(
        f"**{answer['strategy']}, {answer['name']}** ({answer['quadrant']}; {verdict}). "
        f"{answer['reason']}"
    )
    point = {"images": images, "similarity": similarity, "strategy": answer["strategy"]}
    show.figure(charts.strategy_map, strategy.regions(), point, key="tl-map")


def takeaway_and_case() -> None:
    st.header("6 · The takeaway, and a case")
    st.markdown(
        "Transfer learning is not one setting: match how much you unfreeze to your data. Tiny "
        "data from a similar domain: freeze everything but the head. More data, or a shifted "
        "domain: unfreeze the last blocks, at rates one or two orders of magnitude below the "
        "head's. Lots of data from a very different domain: fine-tune everything, early blocks "
        "slowest."
    )
    check = show.cached(lab.case_study_check)
    st.markdown(
        f"**Case study.** An industrial partner of the course trained a "
        f"{len(course.DEFECT_CLASSES)}-class surface-defect classifier "
        f"({', '.join(course.DEFECT_CLASSES)}) on {course.CASE_IMAGES:,} product images, about "
        f"{check['per_class']} per class, with MobileNetV2 and strategy B: early layers frozen, "
        "the last "
        f"{course.CASE_UNFROZEN_BLOCKS} blocks unfrozen, discriminative rates. It reached "
        f"{fmt(course.CASE_ACCURACY, '.1%')} accuracy in {course.CASE_EPOCHS} epochs and runs on "
        f"a Raspberry Pi, inspecting {course.CASE_UNITS_PER_MINUTE} units a minute. The lab "
        "below repeats the recipe on a generated defect set: strategy B with "
        f"{check['lab_per_class']} images per class reached {check['lab']:.1%} there. The two "
        "numbers don't compare (other images, another backbone); the recipe does."
    )


def compare_strategies() -> None:
    st.header("7 · A, B and C on the real MobileNetV2")
    st.markdown(
        "Move the slider to unfreeze more of torchvision's `mobilenet_v2` from the end. Counts "
        "come from `requires_grad` on the real model (they do not depend on the weights, so "
        "this works offline), and again from its architecture table, block by block."
    )
    compare_slider()
    facts = show.cached(models.last_three_blocks_facts)
    kinds = ", ".join(f"`{m['name']}` ({m['kind']}, {m['parameters']:,})" for m in facts["modules"])
    st.warning(
        f'**The course\'s exercise 6 says** `model.features[-3:]` holds "{facts["course_says"]}". '
        f"torch finds {kinds}: {facts['inverted_residuals']} inverted residual blocks and the "
        f"final 1×1 convolution, **{facts['parameters']:,}** parameters in all, against the "
        f"course's {facts['course_parameters']:,}. Its head count, "
        f"{facts['course_head_parameters']:,}, is right.",
        icon="🔍",
    )


@st.fragment
def compare_slider() -> None:
    unfrozen = st.slider("blocks unfrozen, counted from the end", 0, BLOCKS, 0, key="tl_unfrozen")
    links.share(COMPARE, "tl-compare")
    report = show.cached(models.unfreezing_report, unfrozen, CLASSES)
    show.figure(charts.block_strip, report["rows"], key="tl-compare")
    st.markdown(
        f"That is strategy **{report['strategy']}**: **{report['torch']:,}** trainable "
        f"parameters by torch's `requires_grad` with a {CLASSES}-class head, "
        f"{report['table']:,} from the architecture table."
    )


def progressive() -> None:
    st.header("8 · Progressive unfreezing")
    st.markdown(
        f"The course's tip: train as strategy A for {course.PROGRESSIVE_FROZEN_EPOCHS} epochs, "
        "then unfreeze the later blocks. At the start the head is random and its gradients are "
        "large and meaningless; flowing into unfrozen blocks they would damage pretrained "
        "weights before the head has learned anything. Later blocks join the same optimiser "
        "with their own, lower rate:"
    )
    st.code(
        "optimizer = torch.optim.Adam(model.classifier.parameters(), lr=1e-3)  # A first\n"
        "...  # train a few epochs\n"
        "for p in model.features[-3:].parameters():\n"
        "    p.requires_grad = True\n"
        "optimizer.add_param_group({'params': model.features[-3:].parameters(), 'lr': 1e-4})",
        language="python",
    )
    st.caption("The lab's *progressive* strategy does exactly this, a third of the way through.")


def fine_tuning_lab() -> None:
    st.header("9 · Fine-tuning lab")
    backbone = show.cached(lab.overview)
    st.info(backbone["banner"], icon="🧠")
    st.markdown(
        f"A backbone pretrained on a *source* task is fine-tuned here, for real, on a small "
        f"*target* task: a generated {len(DEFECT_CLASSES)}-class surface-defect set "
        f"({', '.join(DEFECT_CLASSES)}), {backbone['side']}×{backbone['side']} pixels, with "
        f"{TRAIN_POOL_PER_CLASS} training images per class at most and "
        f"{backbone['validation']} held out for validation."
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
    shipped = show.cached(lab.load_table)
    st.markdown(
        f"**Shipped results** (`{lab.TABLE_COMMAND}`, backbone: {shipped['backbone']}), mean of "
        f"{len(lab.TABLE_SEEDS)} seeds, the band from the worst to the best seed:"
    )
    show.figure(charts.lab_table, shipped["summary"], key="tl-table")
    run_lab()


@st.fragment
def run_lab() -> None:
    st.subheader("Run it yourself")
    chosen = st.multiselect(
        "strategies", lab.STRATEGIES, default=["A", "scratch"], key="tl_lab_strategies"
    )
    left, right = st.columns(2)
    per_class = left.number_input(
        "training images per class", 0, TRAIN_POOL_PER_CLASS * 4, 10, key="tl_lab_per_class"
    )
    seed = right.number_input("seed", 0, 999, 0, key="tl_lab_seed")
    configs = [lab.LabConfig(strategy=s, per_class=per_class, seed=seed) for s in chosen]
    problem = next(filter(None, (lab.lab_problem(c) for c in configs)), None)
    if not chosen:
        problem = "Pick at least one strategy."
    if problem:
        st.warning(problem)
        return
    limit = lab.LabConfig().time_limit_s
    st.caption(
        f"Each run stops by {limit:.0f} s on one CPU thread (A takes about a second: it trains "
        "on features computed once). One live run goes at a time for everyone; results are "
        "kept, so a configuration already run anywhere shows at once."
    )
    links.share(LAB, "tl-lab")  # before training, so a prepared link needs no run first
    asked = st.session_state.setdefault(LAB_ASKED, set())
    if st.button("Train", key="tl_lab_run", type="primary"):
        asked.update(configs)
    if not all(c in asked for c in configs):
        st.info("Choose strategies and a size, then press Train.")
        return
    curves, finals = [], []
    for config in configs:
        result = show.live(lab.run_lab, config, label=f"Training {config.strategy}…")
        if result is None:
            return
        curves += [
            {"strategy": config.strategy, "epoch": p["epoch"], "accuracy": p["val_accuracy"]}
            for p in result["curve"]
        ]
        finals.append(
            {
                "strategy": config.strategy,
                "final accuracy": result["final_accuracy"],
                "trainable parameters": result["trainable_parameters"],
                "seconds": result["seconds"],
                "stopped early": result["stopped_early"],
            }
        )
    show.figure(charts.lab_curves, curves, key="tl-curves")
    show.table(finals)


def case_study_and_checks() -> None:
    st.header("10 · Checks")
    quiz.end_of_topic(TOPIC, inline=INLINE)


SECTIONS = (
    hook,
    strategies,
    features,
    learning_rates,
    forgotten_head,
    which_strategy,
    takeaway_and_case,
    compare_strategies,
    progressive,
    fine_tuning_lab,
    case_study_and_checks,
)

links.restore(RATES + CASE + COMPARE + LAB, PAGE)
st.title("Transfer learning")
st.markdown(
    "How to reuse what a network trained on millions of images already knows: which layers to "
    "keep, which to retrain, how fast each should learn, and what goes wrong when the head is "
    "forgotten. Every count comes from torch, every rate from SymPy, and the lab really trains."
)
for section in SECTIONS:
    section()
