"""Small torch helpers both CNN topics build with, and one inspector that draws any block.

`conv3x3` and `conv1x1` are torchvision's helpers (no bias: a BatchNorm follows). `block_diagram`
traces a module's forward pass with torch.fx into Graphviz DOT, so a page draws the block that
torch actually runs, with its additions, rather than a picture typed by hand.
It deliberately leaves out any particular network (core.<topic>.models).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.fx
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def conv3x3(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding 1 and no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_ch: int, out_ch: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution with no bias: a projection, or MobileNet's pointwise mixer."""
    return nn.Conv2d(in_ch, out_ch, kernel_size=1, stride=stride, bias=False)


def params(module: nn.Module) -> int:
    """Learned parameters of a module, as torch counts them: sum of p.numel()."""
    return sum(p.numel() for p in module.parameters())


def costs_on_meta(build: Callable[[], nn.Module], input_shape: tuple[int, ...]) -> dict[str, int]:
    """Parameters (p.numel()) and multiply-adds (FlopCounterMode / 2) of a model, built and run on
    the meta device: torch derives both from shapes alone, so even ResNet-50 costs no memory."""
    with torch.device("meta"):
        model = build()
        x = torch.empty(input_shape)
    with FlopCounterMode(display=False) as counter:
        model(x)
    return {"params": params(model), "macs": counter.get_total_flops() // 2}


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
