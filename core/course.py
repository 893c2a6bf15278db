"""The course's own numbers and the bounds of every widget, written once.

Pages, the question bank (through `core.<topic>.formulas`), tests and benchmarks import these, so a
figure the course states and the range a widget allows each have one home. Numbers are written as
the course writes them (decimals as strings where exactness matters, so SymPy reads 0.9 as 9/10).
Where the course is wrong or silent, the comment says what the tutor does instead.
It deliberately leaves out formulas (core.<topic>.formulas) and sentences (the pages).
"""

from __future__ import annotations

# ---- Skip connections -------------------------------------------------------------------------

# Vanishing gradients: the course's checkpoint asks when delta = 0.9 falls below 1%.
GRADIENT_FACTOR = "0.9"
GRADIENT_THRESHOLD = "0.01"
# The widget's hint: "gradients multiply ~0.85 per layer; how many steps until below 0.01?"
HINT_FACTOR = "0.85"
HINT_THRESHOLD = "0.01"
# Exercise 1: a 6-layer stack, delta = 0.7 per layer, skips every 2 layers. Counting convention,
# used by every question and page: "L layers" means L weight layers; the gradient reaching layer 1
# has passed the L - 1 layers above it, so it is g_L * delta^(L - 1) (the course's own part (a)).
EXERCISE1_FACTOR = "0.7"
EXERCISE1_LAYERS = 6
EXERCISE1_LAYERS_PER_BLOCK = 2
# The checkpoint F(x) = [-2, -1, -3]; the course never says what x is, so the tutor picks one.
CHECKPOINT_BRANCH = (-2, -1, -3)
CHECKPOINT_INPUT = (5, 2, 4)
# Q1: x of shape (64, 32, 32), stride 2, output (128, 16, 16).
Q1_INPUT_SHAPE = (64, 32, 32)
Q1_OUT_CHANNELS = 128
Q1_STRIDE = 2
# Exercise 2: a CIFAR-10 ResNet on torch.randn(8, 3, 32, 32), 10 classes, stem width 32.
CIFAR_INPUT = (8, 3, 32, 32)  # (B, C, H, W)
CIFAR_CLASSES = 10
SMALL_RESNET_WIDTH = 32

# The vanishing-gradient calculator starts on other numbers than the checkpoint's, so that it does
# not answer the question above it. Decimal places the calculator keeps: exact powers of finer
# inputs can take minutes (1e-300 to the 9,999th has three million digits); with these,
# delta^k <= tau needs k <= 9,206 at most.
CALCULATOR_START_FACTOR = "0.8"
CALCULATOR_START_THRESHOLD = "0.05"
CALCULATOR_DEPTH = 50  # starting depth: ResNet-50's size
MAX_CALCULATOR_DEPTH = 10_000
MAX_CALCULATOR_FACTOR = 2  # above 1 so that exploding factors can be tried too
CALCULATOR_FACTOR_PLACES = 3
CALCULATOR_THRESHOLD_PLACES = 4
CALCULATOR_FACTOR_STEP, CALCULATOR_THRESHOLD_STEP = 0.01, 0.001  # what + and - add
CALCULATOR_FACTOR_FORMAT = f"%.{CALCULATOR_FACTOR_PLACES}f"  # the boxes show the places kept
CALCULATOR_THRESHOLD_FORMAT = f"%.{CALCULATOR_THRESHOLD_PLACES}f"

# The degradation sweep (one torch thread; see core.skip_connections.experiments).
MAX_DEPTH = 64
MAX_SEEDS = 5
MIN_STEPS, MAX_STEPS = 50, 1000
LR_CHOICES = (3e-4, 1e-3, 3e-3, 1e-2)  # Adam; 3e-3 suits the BatchNorm runs
LIVE_BUDGET_S = 40.0  # a live sweep starts no new network after this
LIVE_LIMIT_S = 55.0  # and drops a network still training then, so no run passes about a minute
ONSET_MARGIN = 0.05  # "degradation starts" where plain trails residual by > 5 percentage points
PLATEAU_MARGIN = 0.01  # the residual curve "levels off" where it stays within 1 point of its best

# The gradient-flow probe at initialisation.
PROBE_DEPTH = 50
PROBE_MAX_DEPTH = 200
PROBE_DEPTH_STEP = 2  # a residual stack needs an even depth, so the shallowest is 2 layers
PROBE_BATCH = 128

# The residual-block explorer: a two-unit block F(x) = W2 tanh(W1 x), x0 movable in a range.
EXAMPLE_W1 = (("1", "-2"), ("0.5", "1"))
EXAMPLE_W2 = (("2", "0.5"), ("-1", "1"))
EXAMPLE_X0 = ("0.3", "-0.2")
EXAMPLE_X_RANGE = (-5.0, 5.0)
EXAMPLE_X_STEP = 0.1
# One-unit blocks H(x) = x + w2 tanh(w1 x) whose slope at 0, 1 + w1 w2, is 0 and then negative:
# counter-examples to the course's "never zero" and "dH/dx >= I".
COUNTER_EXAMPLES = (("0.5", "-2"), ("1.5", "-2"))

# The projection explorer: one block on a (1, C, H, W) input. It starts on another block than Q1's,
# so that it does not answer Q1 before the end quiz asks it.
BLOCK_START = {"C": 32, "H": 56, "W": 56, "out": 64, "stride": 2}
BLOCK_MAX_CHANNELS, BLOCK_MAX_SIDE, BLOCK_MAX_STRIDE = 512, 256, 8
BLOCK_MAX_ACTIVATION = 2**22  # floats in one input map (16 MB): keeps one trial block small

# ---- Separable convolutions -------------------------------------------------------------------

RATIO_KERNEL = 3  # "For N = 64, D_K = 3: ratio = 1/64 + 1/9 = 0.127, an 87% reduction"
RATIO_OUT_CHANNELS = 64
REDUCTION_TARGET = 8  # "at which N does the separable approach give more than 8x fewer ops?"
COURSE_HINT_N = 9  # the course's hint "plug in N = 9", which does not answer its own question
DOUBLING = (32, 64, 64, 128)  # "double both M and N (32->64 input, 64->128 output)"
Q1_CONV = {"D_K": 3, "M": 128, "N": 256}  # separable Q1
Q2_GROUPS_CHANNELS = 64  # separable Q2: groups= for 64 input channels
EXERCISE3 = {"D_K": 3, "M": 64, "N": 128, "D_F": 56}
EXERCISE4_INPUT = (2, 64, 112, 112)  # torch.randn(2, 64, 112, 112); DWSepConv(64, 128)
EXERCISE4_OUT_CHANNELS = 128
EXERCISE7 = {"C": 32, "t": 6}  # inverted residual, 32 channels, expansion 6
# The course's worked examples, recomputed by core.separable_convolutions.formulas; None where it
# gives no value.
SEPARABLE_EXAMPLES = (
    ("ratio for N = 64", {"D_K": 3, "M": None, "N": 64, "D_F": None}),
    ("exercise 3", {"D_K": 3, "M": 64, "N": 128, "D_F": 56}),
    ("Q1", {"D_K": 3, "M": 128, "N": 256, "D_F": None}),
)

# The opening quote: "ResNet-50 has 25 million parameters and needs 4 GFLOPs for a single image
# ... on a 2015 smartphone with 1 W of compute budget, it would take 2 seconds per frame.
# MobileNet runs at 30 fps." The key takeaway: "cutting operations by 8-9x with less than 1%
# accuracy loss on ImageNet".
QUOTE = {"resnet50_params": 25_000_000, "resnet50_gflops": 4, "seconds_per_frame": 2, "fps": 30}
COURSE_REDUCTION_RANGE = (8, 9)
COURSE_ACCURACY_LOSS = "0.01"  # "less than 1%"
# Cited, not computed (ImageNet top-1 accuracy needs the paper's training runs): Howard et al. 2017,
# MobileNets, arXiv 1704.04861, Table 4, "Conv MobileNet" against MobileNet. The table's
# mult-adds and parameters (4866 M, 29.3 M; 569 M, 4.2 M) are recomputed by torch on the page.
MOBILENET_TABLE4 = {"Conv MobileNet": "0.717", "MobileNet": "0.706"}
MOBILENET_SOURCE = "Howard et al. 2017, MobileNets (arXiv 1704.04861), Table 4"
# Case study: a ResNet-based detector at 18 FPS on a GPU replaced by MobileNetV2 at 30 FPS on a
# $35 Raspberry Pi 4 with 91% defect recall.
CASE_FPS = {"resnet": 18, "mobilenet_v2": 30}
CASE_RECALL = "0.91"
IMAGE_SIDE = 224  # ImageNet models' input side

# The cost calculator and the reduction chart.
KERNEL_CHOICES = (1, 3, 5, 7)
MAX_CHANNELS = 4096  # wider than any layer of MobileNet or ResNet; beyond it is a typo
MAX_INPUT_SIDE = 1024
MAX_CONV_STRIDE = 4
MAX_CONV_PADDING = 3
CHART_MAX_N = 256  # the reduction chart's starting right edge
# The cost calculator starts on a layer no question asks about, so it answers none of them.
CALCULATOR_CONV = {"D_K": 3, "M": 32, "N": 96, "size": 28, "stride": 1, "padding": 1}

# The live benchmark's choices.
BENCH_BATCHES = (1, 2, 4, 8)
BENCH_CHANNELS = (8, 16, 32, 64, 128, 256, 512)
BENCH_SIDES = (7, 14, 28, 56, 112)
BENCH_KERNELS = (3, 5, 7)

# The photo section: scikit-learn's china.jpg scaled to this width.
PHOTO_WIDTH = 240

# The inverted-residual explorer.
IR_CHANNEL_RANGE = (8, 512, 8)  # min, max, step
IR_START = {"in": 24, "out": 24, "t": 6, "stride": 1}  # MobileNetV2's second stage, not exercise 7
IR_EXPANSIONS = (1, 2, 3, 4, 6)
# "The reverse of a standard bottleneck": ResNet-50's first bottleneck (256 channels squeezed to
# 64) against a MobileNetV2 block on 24 channels expanded 6 times.
BOTTLENECK = {"channels": 256, "width": 64}
INVERTED = {"channels": 24, "expansion": 6}
BLOCK_FIGURE = (32, 64)  # the two-stage figure: a MobileNetV1 block from 32 to 64 channels

# ---- Transfer learning ------------------------------------------------------------------------

# The opening hook: ResNet-50 on ImageNet "90 epochs on 8 GPUs, roughly 3 days"; fine-tuning "a
# custom 500-image dataset in 20 minutes on a laptop".
SUBTITLE_GPU_HOURS = (
    10_000_000  # the section's subtitle: "10 million GPU-hours of ImageNet training"
)
PRETRAIN_EPOCHS = 90
PRETRAIN_GPUS = 8
PRETRAIN_DAYS = 3
FINETUNE_IMAGES = 500
FINETUNE_MINUTES = 20
IMAGENET_CLASSES = 1000  # "a classifier or fc layer outputting 1 000 ImageNet classes"
XRAY_IMAGES = 10_000  # checkpoint: 10,000 X-rays, a very different domain
WIDGET_HINT_IMAGES = 50_000  # widget hint: 50,000 images from a completely different domain
# Discriminative learning rates: r in [0.1, 0.5] per group, r = 0.1 in practice; the checkpoint
# uses r = 0.3, eta_head = 5e-4 and three groups.
DECAY_RANGE = ("0.1", "0.5")
DECAY_PRACTICE = "0.1"
CHECKPOINT_DECAY = "0.3"
CHECKPOINT_HEAD_LR = "0.0005"
CHECKPOINT_GROUPS = 3
# Case study: 5 defect classes, 1,200 images, MobileNetV2, strategy B, last 3 blocks unfrozen,
# 96.4% accuracy in 25 epochs, 40 units a minute on a Raspberry Pi.
DEFECT_CLASSES = ("good", "crack", "scratch", "dent", "discolour")
CASE_IMAGES = 1200
CASE_UNFROZEN_BLOCKS = 3
CASE_ACCURACY = "0.964"
CASE_EPOCHS = 25
CASE_UNITS_PER_MINUTE = 40
# Q1: 300 dermoscopy images, 2 lesion types; ImageNet has no medical images.
DERMOSCOPY_IMAGES = 300
DERMOSCOPY_CLASSES = 2
# Exercise 6: a 4-class head nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 4)), unfreeze
# model.features[-3:], lr 1e-4 for the backbone and 1e-3 for the head.
EXERCISE6_CLASSES = 4
EXERCISE6_HEAD_IN = 1280  # nn.Linear(1280, 4): MobileNetV2's features (a test checks torch agrees)
EXERCISE6_DROPOUT = 0.2
EXERCISE6_UNFROZEN = 3
EXERCISE6_BACKBONE_LR = "0.0001"
EXERCISE6_HEAD_LR = "0.001"
# Exercise 5's scenarios: the course names them only "tiny + similar", "medium + different domain"
# and "large + very different"; the tutor gives each a size and a similarity (0 unrelated to 1 the
# same as ImageNet) that its strategy rule and the course's answers (A, B, C) both fit.
EXERCISE5_SCENARIOS = (
    {"images": 200, "similarity": 0.9},
    {"images": 3_000, "similarity": 0.4},
    {"images": 30_000, "similarity": 0.1},
)
# Exercise 8: torch.randn(100, 3, 224, 224), labels 0-4, batches of 16, Adam on the head at 1e-3,
# then optimizer.add_param_group at 1e-4.
EXERCISE8_INPUT = (100, 3, 224, 224)
EXERCISE8_CLASSES = 5
EXERCISE8_BATCH = 16
EXERCISE8_HEAD_LR = "0.001"
EXERCISE8_ADDED_LR = "0.0001"
# The page's learning-rate calculator starts on numbers the checkpoint doesn't use.
RATE_CALCULATOR_START = {"head_lr": 0.001, "decay": 0.1, "groups": 4}
# Progressive unfreezing tip: strategy A for 5 epochs, then unfreeze later blocks (strategy B).
PROGRESSIVE_FROZEN_EPOCHS = 5
# Exercise 6's answer: "After step 3: 5,124 (head only: 1280×4 + 4 bias). After step 4: varies —
# model.features[-3:] contains inverted residual blocks with roughly 500k params."
EXERCISE6_HEAD_PARAMS = 5124
EXERCISE6_LAST3_CLAIM = 500_000
EXERCISE6_LAST3_DESCRIPTION = "inverted residual blocks with roughly 500k params"
