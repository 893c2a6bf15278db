"""The skip-connections topic's networks, written to read like their diagrams.

Convolutional: the basic residual block and a small CIFAR-10 ResNet with its stage table as data,
plus an inspector that lists every stage's output shape and parameters. Fully connected: the
multilayer-perceptron stacks the degradation and gradient-flow experiments train, many seeds at
once as batched matrix products, and stacks of several depths joined into one batched network.
It deliberately leaves out training loops (core.skip_connections.experiments) and formulas.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import torch
from torch import nn

from core import course
from core.layers import conv1x1, conv3x3, params


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


def small_resnet(
    width: int = course.SMALL_RESNET_WIDTH, num_classes: int = course.CIFAR_CLASSES
) -> SmallResNet:
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
            "params": params(module),
            "projection": isinstance(getattr(module, "shortcut", None), nn.Sequential),
        }
        rows.append(row)
        hooks.append(
            module.register_forward_hook(lambda _m, _i, out, row=row: row.update(out=out.shape))
        )
    try:
        with torch.no_grad():
            model.train(False)
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    for row in rows:
        row["output shape"] = tuple(row.pop("out"))
    return rows


def small_resnet_stages(
    width: int = course.SMALL_RESNET_WIDTH,
    num_classes: int = course.CIFAR_CLASSES,
    input_shape=course.CIFAR_INPUT,
) -> list:
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


INITS = {  # init= of MLPStack, described for a reader
    "default": "PyTorch's default (uniform ±1/√fan-in)",
    "he": "He (gain-matched)",
}


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
        self.depth, self.residual = depth, residual
        hidden = depth - 2
        if depth < 2 or (residual and hidden % 2):
            raise ValueError("depth must be at least 2, and even for a residual stack")
        if activation not in ACTIVATIONS or init not in INITS:
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


def _joined(modules: Sequence[nn.Module]) -> nn.Module:
    """One module of the same kind whose every parameter stacks the modules' along dim 0."""
    joined = copy.deepcopy(modules[0])
    for name, param in joined.named_parameters():
        param.data = torch.cat([m.get_parameter(name).detach() for m in modules])
    return joined


class MixedDepthStack(nn.Module):
    """MLPStacks of one family and several depths, joined into one batched network.

    The models sit deepest first, so body position k runs only the first `active[k]` of them: a
    shallower model leaves the body where its own stack ends and goes straight to the head. No
    model sees another's weights or batch, so each computes exactly what it computes alone.
    The joined network trains copies of the stacks' weights; `write_back` copies them back.
    """

    def __init__(self, stacks: Sequence[MLPStack]):
        super().__init__()
        if len({s.residual for s in stacks}) != 1:
            raise ValueError("join stacks of one family: all plain or all residual")
        self.members = sorted(stacks, key=lambda s: s.depth, reverse=True)  # not submodules
        self.stem = _joined([s.stem for s in self.members])
        self.body = nn.ModuleList(_joined(self._at(k)) for k in range(len(self.members[0].body)))
        self.head = _joined([s.head for s in self.members])
        self.active = [next(layer.parameters()).shape[0] for layer in self.body]  # models at k

    def _at(self, k: int) -> list[nn.Module]:
        """Body position k of every member deep enough to have one."""
        return [s.body[k] for s in self.members if len(s.body) > k]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)  # (N, B, width), N models deepest first
        finished = []
        for layer, active in zip(self.body, self.active, strict=True):
            if active < len(x):
                x, done = x.split([active, len(x) - active])  # done: the stacks that end here
                finished.append(done)
            x = layer(x)  # (active, B, width)
        x = torch.cat([x, *reversed(finished)])  # (N, B, width), back in model order
        return self.head(x)  # (N, B, classes)

    @torch.no_grad()
    def write_back(self) -> None:
        """Copy the joined weights into the stacks it was built from."""
        pairs = [(self.stem, [s.stem for s in self.members])]
        pairs += [(layer, self._at(k)) for k, layer in enumerate(self.body)]
        pairs += [(self.head, [s.head for s in self.members])]
        for joined, parts in pairs:
            for name, param in joined.named_parameters():
                own = [part.get_parameter(name) for part in parts]
                for target, values in zip(own, param.split([len(t) for t in own]), strict=True):
                    target.copy_(values)
