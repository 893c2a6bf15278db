"""The networks the tutor builds, trains and takes apart, written to read like their diagrams.

ResNet part: convolutional residual and plain blocks, a small CIFAR-10 ResNet with its stage table
as data, the multilayer-perceptron stacks the degradation and gradient-flow experiments train, and
two inspectors (a per-stage shape/parameter table, a Graphviz diagram traced from `forward`).
MobileNet part: the standard layer it replaces, the depthwise separable block (V1), the inverted
residual (V2) with its stage table, and a depthwise + pointwise pass over a photograph.
It deliberately leaves out training loops (core.experiments) and formulas (core.formulas).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.fx
from torch import nn

# ResNet


def conv3x3(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution with no bias: the projection on a shortcut."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=1, stride=stride, bias=False)


class PlainBlock(nn.Module):
    """Two 3x3 conv + BN layers and a ReLU, with no shortcut: out = relu(F(x))."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.conv1 = conv3x3(in_ch, out_ch, stride)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(out_ch, out_ch)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))  # (B, out_ch, H / stride, W / stride)
        out = self.bn2(self.conv2(out))
        return self.relu(out)


class ResidualBlock(nn.Module):
    """The basic ResNet block: out = relu(F(x) + shortcut(x)).

    The shortcut is the identity when the shape is kept, and a 1x1 convolution + BN (a projection)
    when the stride or the channel count changes it. `projection=False` forces the identity even
    then, so the addition fails the way it does when a projection is forgotten.
    """

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1, projection: bool | None = None):
        super().__init__()
        if projection is None:
            projection = stride != 1 or in_ch != out_ch
        self.conv1 = conv3x3(in_ch, out_ch, stride)
        self.bn1 = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(out_ch, out_ch)
        self.bn2 = nn.BatchNorm2d(out_ch)
        self.shortcut = (
            nn.Sequential(conv1x1(in_ch, out_ch, stride), nn.BatchNorm2d(out_ch))
            if projection
            else nn.Identity()
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = self.shortcut(x)  # (B, out_ch, H / stride, W / stride) when projected
        out = self.relu(self.bn1(self.conv1(x)))  # (B, out_ch, H / stride, W / stride)
        out = self.bn2(self.conv2(out))
        out = out + identity  # needs identical shapes: the reason projections exist
        return self.relu(out)


# SmallResNet after its stem, one row per residual block.
# Channels are multiples of the stem width; only a block that changes the shape gets a projection.
# c (x width), s
SMALL_RESNET_STAGES = (
    (1, 1),  # block 1: width -> width, identity shortcut
    (2, 2),  # block 2: width -> 2 width, stride 2, projection shortcut
    (2, 1),  # block 3: 2 width -> 2 width, identity shortcut
)


class SmallResNet(nn.Module):
    """A CIFAR-10 sized ResNet: conv stem and max-pool, three residual blocks, pool, linear head."""

    def __init__(self, width: int = 32, num_classes: int = 10, stages=SMALL_RESNET_STAGES):
        super().__init__()
        self.stem = nn.Sequential(
            conv3x3(3, width), nn.BatchNorm2d(width), nn.ReLU(inplace=True), nn.MaxPool2d(2)
        )
        blocks, in_ch = [], width
        for c, s in stages:
            blocks.append(ResidualBlock(in_ch, c * width, s))
            in_ch = c * width
        self.blocks = nn.Sequential(*blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(in_ch, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)  # (B, 32, 16, 16) for a 32x32 input and width 32
        x = self.blocks(x)  # (B, 64, 8, 8)
        x = self.flatten(self.avgpool(x))  # (B, 64)
        return self.fc(x)  # (B, 10)


def small_resnet(width: int = 32, num_classes: int = 10) -> SmallResNet:
    """The tutor's CIFAR-10 ResNet (32x32x3 in, 10 classes out) with the default stage table."""
    return SmallResNet(width, num_classes)


def stage_table(model: nn.Module, x: torch.Tensor) -> list[dict]:
    """Run x through the model and list every stage: name, output shape, parameters, projection.

    Stages are the model's top-level children, with an nn.Sequential of blocks opened up.
    """
    stages = []
    for name, child in model.named_children():
        if name == "blocks" and isinstance(child, nn.Sequential):
            stages += [(f"blocks.{i}", block) for i, block in enumerate(child)]
        else:
            stages.append((name, child))
    rows, hooks = [], []
    for name, module in stages:
        row = {
            "stage": name,
            "module": type(module).__name__,
            "params": sum(p.numel() for p in module.parameters()),
            "projection": isinstance(getattr(module, "shortcut", None), nn.Sequential),
        }
        rows.append(row)
        hooks.append(
            module.register_forward_hook(lambda _m, _i, out, row=row: row.update(out=out.shape))
        )
    try:
        with torch.no_grad():
            model.eval()
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    for row in rows:
        row["output shape"] = tuple(row.pop("out"))
    return rows


CIFAR_INPUT = (8, 3, 32, 32)  # the course's test batch: (B, C, H, W)


def small_resnet_stages(width: int = 32, num_classes: int = 10, input_shape=CIFAR_INPUT) -> list:
    """stage_table of a fresh SmallResNet on a seeded random batch of the given shape."""
    generator = torch.Generator().manual_seed(0)
    return stage_table(
        SmallResNet(width, num_classes), torch.randn(input_shape, generator=generator)
    )


def block_specs(model: SmallResNet) -> list[dict]:
    """Each residual block's input and output channels, stride and whether it projects."""
    return [
        {
            "in_ch": block.conv1.in_channels,
            "out_ch": block.conv2.out_channels,
            "stride": block.conv1.stride[0],
            "projection": isinstance(block.shortcut, nn.Sequential),
        }
        for block in model.blocks
    ]


def _describe(module: nn.Module) -> str:
    """One short line for a diagram node: the layer type and its shape-changing settings."""
    if isinstance(module, nn.Conv2d):
        m, n, g = module.in_channels, module.out_channels, module.groups
        k, s = module.kernel_size[0], module.stride[0]
        kind = "depthwise " if g > 1 and g == m else ""
        groups = f", groups={g}" if g > 1 else ""  # groups=1, the standard conv, goes unsaid
        return f"{kind}Conv2d {m}→{n}, {k}×{k}{groups}, stride {s}"
    if isinstance(module, nn.BatchNorm2d):
        return f"BatchNorm2d {module.num_features}"
    if isinstance(module, nn.Identity):
        return "identity"
    return type(module).__name__


def block_diagram(module: nn.Module) -> str:
    """Graphviz DOT of a module's forward pass, traced with torch.fx (layers, additions, edges)."""
    graph = torch.fx.symbolic_trace(module).graph
    lines = [
        "digraph block {",
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Helvetica"];',
    ]
    for node in graph.nodes:
        if node.op == "placeholder":
            label, extra = f"input {node.name}", ', shape=oval, fillcolor="#dbe9f6"'
        elif node.op == "output":
            label, extra = "output", ', shape=oval, fillcolor="#dbe9f6"'
        elif node.op == "call_module":
            label = f"{node.target}\\n{_describe(module.get_submodule(node.target))}"
            extra = ', fillcolor="#e8f4e8"' if "shortcut" in node.target else ""
        elif node.op == "call_function" and getattr(node.target, "__name__", "") in ("add", "iadd"):
            label, extra = "+", ', shape=circle, fillcolor="#fde2c8"'
        else:
            label, extra = getattr(node.target, "__name__", str(node.target)), ""
        lines.append(f'  {node.name} [label="{label}"{extra}];')
        for arg in node.all_input_nodes:
            lines.append(f"  {arg.name} -> {node.name};")
    lines.append("}")
    return "\n".join(lines)


ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


class StackedLinear(nn.Module):
    """`n_models` independent linear layers as one batched product: (S, B, in) -> (S, B, out)."""

    def __init__(self, n_models: int, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_models, in_features, out_features))
        self.bias = nn.Parameter(torch.zeros(n_models, 1, out_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight)  # (S, B, out)


class StackedBatchNorm(nn.Module):
    """BatchNorm of each model's features over that model's own batch: (S, B, F) -> (S, B, F).

    It always uses the statistics of the batch it is given (the experiments measure training
    error on the whole training set at once), so it keeps no running averages.
    """

    def __init__(self, n_models: int, features: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n_models, 1, features))
        self.bias = nn.Parameter(torch.zeros(n_models, 1, features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s, b, f = x.shape
        flat = x.transpose(0, 1).reshape(b, s * f)  # (B, S * F): one column per model and feature
        flat = nn.functional.batch_norm(
            flat, None, None, self.weight.reshape(-1), self.bias.reshape(-1), True, 0.0, self.eps
        )
        return flat.reshape(b, s, f).transpose(0, 1)  # (S, B, F)


class MLPLayer(nn.Module):
    """One plain layer of an MLP stack: act(norm(linear(x)))."""

    def __init__(self, n_models: int, in_f: int, out_f: int, activation: str, batch_norm: bool):
        super().__init__()
        self.fc = StackedLinear(n_models, in_f, out_f)
        self.bn = StackedBatchNorm(n_models, out_f) if batch_norm else nn.Identity()
        self.act = ACTIVATIONS[activation]()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.fc(x)))


class MLPResidualBlock(nn.Module):
    """Two layers and a clean identity path: out = x + F(x), F = bn2(fc2(act(bn1(fc1(x))))).

    Nothing follows the addition (the "identity mapping" form of He et al., 2016), so the block's
    Jacobian is exactly I + dF/dx; a sigmoid after the addition would squash the identity path too.
    """

    def __init__(self, n_models: int, width: int, activation: str, batch_norm: bool):
        super().__init__()
        self.fc1 = StackedLinear(n_models, width, width)
        self.bn1 = StackedBatchNorm(n_models, width) if batch_norm else nn.Identity()
        self.act = ACTIVATIONS[activation]()
        self.fc2 = StackedLinear(n_models, width, width)
        self.bn2 = StackedBatchNorm(n_models, width) if batch_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.act(self.bn1(self.fc1(x)))  # (S, B, width)
        out = self.bn2(self.fc2(out))
        return out + identity


class MLPStack(nn.Module):
    """`n_models` MLPs of one architecture, plain or residual, trained together as batched products.

    `depth` counts linear layers: an input layer, depth - 2 hidden layers (in blocks of two when
    residual), and the output layer. `init="he"` draws N(0, gain^2 / fan_in) with the activation's
    gain (He init for ReLU) and zero biases; `init="default"` copies nn.Linear's default
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)). `zero_init_residual` starts every residual branch at zero
    (its last linear layer, or its last BatchNorm scale), so a deep residual stack starts near the
    identity.
    """

    def __init__(
        self,
        depth: int,
        *,
        residual: bool,
        n_models: int = 1,
        width: int = 32,
        in_features: int = 64,
        classes: int = 10,
        activation: str = "relu",
        batch_norm: bool = False,
        init: str = "he",
        zero_init_residual: bool = True,
    ):
        super().__init__()
        hidden = depth - 2
        if depth < 2 or (residual and hidden % 2):
            raise ValueError("depth must be at least 2, and even for a residual stack")
        if activation not in ACTIVATIONS or init not in ("he", "default"):
            raise ValueError(f"unknown activation {activation!r} or init {init!r}")
        self.stem = MLPLayer(n_models, in_features, width, activation, batch_norm)
        if residual:
            n = hidden // 2
            body = [MLPResidualBlock(n_models, width, activation, batch_norm) for _ in range(n)]
        else:
            body = [MLPLayer(n_models, width, width, activation, batch_norm) for _ in range(hidden)]
        self.body = nn.Sequential(*body)
        self.head = StackedLinear(n_models, width, classes)
        gain = nn.init.calculate_gain(activation)
        for layer in self.linears():
            fan_in = layer.weight.shape[1]
            with torch.no_grad():
                if init == "he":
                    std = (1.0 if layer is self.head else gain) / math.sqrt(fan_in)
                    layer.weight.normal_(0.0, std)
                    layer.bias.zero_()
                else:
                    bound = 1 / math.sqrt(fan_in)
                    layer.weight.uniform_(-bound, bound)
                    layer.bias.uniform_(-bound, bound)
        if residual and zero_init_residual:
            for block in self.body:
                with torch.no_grad():
                    if batch_norm:
                        block.bn2.weight.zero_()
                    else:
                        block.fc2.weight.zero_()
                        block.fc2.bias.zero_()

    def linears(self) -> list[StackedLinear]:
        """The linear layers from input to output: layer 1 is the input layer."""
        return [m for m in self.modules() if isinstance(m, StackedLinear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)  # (S, B, width)
        x = self.body(x)  # (S, B, width)
        return self.head(x)  # (S, B, classes)


# MobileNet


class StandardConv(nn.Module):
    """The layer MobileNet replaces: a 3x3 convolution + BN + ReLU."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.conv = conv3x3(in_ch, out_ch, stride)
        self.bn = nn.BatchNorm2d(out_ch)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))  # (B, out_ch, H / stride, W / stride)


class DepthwiseSeparableConv(nn.Module):
    """MobileNetV1 block: depthwise 3x3 + BN + ReLU6 (per channel), pointwise 1x1 + BN + ReLU6."""

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1):
        super().__init__()
        self.depthwise = nn.Conv2d(in_ch, in_ch, 3, stride, padding=1, groups=in_ch, bias=False)
        self.bn1 = nn.BatchNorm2d(in_ch)
        self.relu = nn.ReLU6(inplace=True)
        self.pointwise = conv1x1(in_ch, out_ch)
        self.bn2 = nn.BatchNorm2d(out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.depthwise(x)))  # (B, in_ch, H / stride, W / stride)
        return self.relu(self.bn2(self.pointwise(out)))  # (B, out_ch, H / stride, W / stride)


DWSepConv = DepthwiseSeparableConv  # the name the course's exercise 4 uses


class InvertedResidual(nn.Module):
    """MobileNetV2 block: expand 1x1, depthwise 3x3, project 1x1 (linear), and a skip if it fits.

    The skip is the identity, added only when the block keeps the shape (stride 1, in == out):
    a projection there would cost the very parameters the block exists to save. As in
    torchvision, expansion 1 has no expand layer.
    """

    def __init__(self, in_ch: int, out_ch: int, stride: int = 1, expansion: int = 6):
        super().__init__()
        self.in_ch, self.out_ch, self.stride, self.expansion = in_ch, out_ch, stride, expansion
        hidden = in_ch * expansion
        self.use_skip = stride == 1 and in_ch == out_ch
        self.expand = (
            nn.Sequential(conv1x1(in_ch, hidden), nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True))
            if expansion != 1
            else nn.Identity()
        )
        self.depthwise = nn.Sequential(
            nn.Conv2d(hidden, hidden, 3, stride, padding=1, groups=hidden, bias=False),
            nn.BatchNorm2d(hidden),
            nn.ReLU6(inplace=True),
        )
        self.project = nn.Sequential(conv1x1(hidden, out_ch), nn.BatchNorm2d(out_ch))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.expand(x)  # (B, t in_ch, H, W)
        out = self.depthwise(out)  # (B, t in_ch, H / stride, W / stride)
        out = self.project(out)  # (B, out_ch, H / stride, W / stride), no activation
        if self.use_skip:
            out = out + x
        return out


# MobileNetV2's body after its 32-channel stem (Sandler et al. 2018, Table 2): each row is
# n blocks of expansion t and c output channels; the first block of a row has stride s.
# t, c, n, s
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def mobilenet_v2_blocks(in_ch: int = 32, stages=MOBILENET_V2_STAGES) -> nn.Sequential:
    """MobileNetV2's inverted residual blocks, built from the stage table."""
    blocks = []
    for t, c, n, s in stages:
        for i in range(n):
            blocks.append(InvertedResidual(in_ch, c, s if i == 0 else 1, t))
            in_ch = c
    return nn.Sequential(*blocks)


def inverted_residual_counts(block: InvertedResidual) -> dict[str, int]:
    """Hidden width and parameters per layer of a built block, read from its tensors."""

    def weights(stage: nn.Module) -> int:
        return sum(m.weight.numel() for m in stage.modules() if isinstance(m, nn.Conv2d))

    return {
        "hidden": block.depthwise[0].in_channels,
        "expand": weights(block.expand),
        "depthwise": weights(block.depthwise),
        "project": weights(block.project),
        "batchnorm": sum(
            p.numel()
            for m in block.modules()
            if isinstance(m, nn.BatchNorm2d)
            for p in m.parameters()
        ),
    }


def block_plan(blocks: nn.Sequential) -> list[dict]:
    """One row per inverted residual: channels, stride, expansion, skip and parameter count."""
    return [
        {
            "block": i + 1,
            "in": block.in_ch,
            "out": block.out_ch,
            "stride": block.stride,
            "expansion": block.expansion,
            "skip": block.use_skip,
            "params": sum(p.numel() for p in block.parameters()),
        }
        for i, block in enumerate(blocks)
    ]


# Depthwise then pointwise on a photograph: the depthwise filters are fixed 3x3 kernels, one per
# colour channel (groups=3), and the pointwise stage is a 1x1 colour mixer (out = W @ rgb).
PHOTO_FILTERS = {
    "identity": ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
    "blur": ((1 / 16, 2 / 16, 1 / 16), (2 / 16, 4 / 16, 2 / 16), (1 / 16, 2 / 16, 1 / 16)),
    "sharpen": ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    "edges": ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
}
# Rows are output channels (red, green, blue); columns say how much of each input they take.
MIXER_PRESETS = {
    "identity": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "grey (luma)": ((0.299, 0.587, 0.114),) * 3,
    "swap red and blue": ((0, 0, 1), (0, 1, 0), (1, 0, 0)),
    "sepia": ((0.393, 0.769, 0.189), (0.349, 0.686, 0.168), (0.272, 0.534, 0.131)),
}
MIX_RANGE = (-2.0, 2.0)  # each mixer weight lies in this range


def _to_image(t: torch.Tensor) -> np.ndarray:
    """Clip to [0, 1] and scale to uint8 for display."""
    return (t.clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def separable_photo(photo: np.ndarray, filters, mix) -> dict[str, object]:
    """A photo through a depthwise stage (one named filter per colour) and a pointwise mixer.

    Returns the three per-channel maps as (H, W) uint8 images and the mixed (H, W, 3) image, both
    clipped to [0, 1] for display (the mixer itself sees the unclipped maps).
    """
    if len(filters) != 3 or any(f not in PHOTO_FILTERS for f in filters):
        raise ValueError(f"choose three filters from {', '.join(PHOTO_FILTERS)}")
    weights = torch.tensor(mix, dtype=torch.float32)  # (3 out, 3 in)
    low, high = MIX_RANGE
    if weights.shape != (3, 3) or weights.min() < low or weights.max() > high:
        raise ValueError(f"the mixer is 3 x 3 weights between {MIX_RANGE[0]} and {MIX_RANGE[1]}")
    depthwise = nn.Conv2d(3, 3, 3, padding=1, groups=3, bias=False, padding_mode="replicate")
    pointwise = nn.Conv2d(3, 3, 1, bias=False)
    x = torch.from_numpy(np.array(photo)).permute(2, 0, 1)[None].float() / 255  # (1, 3, H, W)
    with torch.no_grad():
        depthwise.weight.copy_(torch.tensor([[PHOTO_FILTERS[f]] for f in filters]))  # (3, 1, 3, 3)
        pointwise.weight.copy_(weights[:, :, None, None])  # (3, 3, 1, 1)
        maps = depthwise(x)[0]  # (3, H, W)
        mixed = pointwise(maps[None])[0]  # (3, H, W)
    return {"maps": [_to_image(m) for m in maps], "mixed": _to_image(mixed.permute(1, 2, 0))}
