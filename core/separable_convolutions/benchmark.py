"""Times a standard convolution against its depthwise separable replacement on the best device.

What it measures: bare convolutions (no bias, BatchNorm or activation, so the FLOP counts are
exactly the SymPy formulas'), stride 1 with "same" padding, in the contiguous (NCHW) and
channels_last (NHWC) memory formats: standard, depthwise + pointwise ("separable"), and each stage
alone. Every layer is warmed up, then timed with torch.utils.benchmark's blocked_autorange, which
synchronises CUDA around each timed block; results report the median and quartiles per call.

Guards: a shape is refused before any tensor is allocated when its tensors would exceed a memory
budget or one standard pass would exceed a FLOP budget, and core.training's lock lets one live run
at a time, so sessions of the app never time each other. torch's thread count is process-wide:
a benchmark sets it for its whole run (warm-up included) and restores it afterwards, so other
sessions run with fewer threads only while a benchmark is timing.

It also counts parameters (p.numel() of real nn.Conv2d layers) and FLOPs (FlopCounterMode) on the
meta device, which costs no memory at any size, for the page to set beside the SymPy formulas.
`live_reading(result)` reads a result into the figures the page states (a frozen dataclass of
readings, core.numbers).
`python -m core.separable_convolutions.benchmark --out data/benchmark_cpu.json` writes results for
DEFAULT_SHAPES. It deliberately leaves out plotting and any Streamlit code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.utils.benchmark import Measurement, Timer
from torch.utils.flop_counter import FlopCounterMode

from core import training
from core.conv import conv_output_size, standard_macs, standard_params
from core.data import DATA_DIR
from core.numbers import Figure, Percent
from core.separable_convolutions import formulas
from core.separable_convolutions.inputs import conv_shape_problem

LAYERS = ("standard", "separable", "depthwise", "pointwise")
MEMORY_FORMATS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


@dataclass(frozen=True)
class BenchmarkShape:
    """One convolution to time: a batch of M-channel D_F x D_F maps to N channels."""

    batch: int = 1
    in_ch: int = 64  # M; the course's exercise 3
    out_ch: int = 128  # N
    size: int = 56  # D_F, the side of both input and output maps (stride 1, "same" padding)
    kernel: int = 3  # D_K, odd so that "same" padding exists


@dataclass(frozen=True)
class BenchmarkConfig:
    """How to time: with these defaults the default shape takes about 3 s on a 2-core CPU."""

    min_run_time: float = 0.25  # seconds of timed calls per (layer, format), blocked_autorange
    min_runs: int = 5  # timed blocks at least, so there is a spread to report
    warmup: int = 3  # untimed calls first: allocator, oneDNN/cuDNN plans, caches
    # CPU threads while timing, capped at the cores present. One is the default: with two, a
    # second core busy with other work made every call wait (10-100x slower, measured here).
    threads: int = 1
    dtype: str = "float32"
    memory_budget: int = 256 * 2**20  # bytes of tensors one shape may hold at once
    flop_budget: int = 4 * 10**9  # FLOPs of one standard pass (the course's exercise 4 fits)
    lock_timeout: float = training.WAIT_S  # seconds to wait for another session's live run


# Shapes the command line ships: MobileNet-like stages, and the course's exercise 4.
DEFAULT_SHAPES = (
    BenchmarkShape(1, 32, 64, 112),
    BenchmarkShape(1, 64, 128, 56),
    BenchmarkShape(1, 128, 256, 28),
    BenchmarkShape(1, 256, 512, 14),
    BenchmarkShape(2, 64, 128, 112),
)

SHIPPED_RESULTS = DATA_DIR / "benchmark_cpu.json"


def best_device() -> str:
    """'cuda' when a CUDA device is present, else 'cpu'."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def available_threads() -> list[int]:
    """Thread counts a benchmark may use here: 1 up to the cores present."""
    return list(range(1, _cores() + 1))


def _threads(config: BenchmarkConfig) -> int:
    return max(1, min(config.threads, _cores()))


def shape_bytes(shape: BenchmarkShape, dtype: str = "float32") -> int:
    """Bytes of every tensor a benchmark of this shape holds: inputs in both formats, outputs."""
    b, m, n, s, k = shape.batch, shape.in_ch, shape.out_ch, shape.size, shape.kernel
    activations = b * s * s * (2 * m + m + n)  # input in two formats, depthwise out, final out
    weights = standard_params(k, m, n) + formulas.separable_params(k, m, n)
    return int(activations + weights) * DTYPES[dtype].itemsize


def shape_problem(shape: BenchmarkShape, config: BenchmarkConfig = BenchmarkConfig()) -> str | None:
    """Why this shape will not be timed, in one sentence; None when it will be."""
    k, pad = shape.kernel, shape.kernel // 2
    problem = conv_shape_problem(k, shape.in_ch, shape.out_ch, shape.size, 1, pad)
    if problem or min(shape.batch, shape.size) < 1:
        return problem or "Batch and size must be at least 1."
    if k % 2 == 0:
        return "The benchmark keeps the map size, which needs an odd kernel."
    if k > shape.size:
        return f"A {k}x{k} kernel on a {shape.size}x{shape.size} map would mostly see padding."
    if config.dtype not in DTYPES:
        return f"Unknown dtype {config.dtype!r}; choose one of {', '.join(DTYPES)}."
    need = shape_bytes(shape, config.dtype)
    if need > config.memory_budget:
        return (
            f"These tensors would take {need / 2**20:,.0f} MiB, over the benchmark's budget of "
            f"{config.memory_budget / 2**20:,.0f} MiB: choose fewer channels or a smaller map."
        )
    flops = formulas.layer_flops("standard", k, shape.in_ch, shape.out_ch, shape.size, shape.batch)
    if flops > config.flop_budget:
        return (
            f"One standard pass would be {flops / 1e9:,.1f} GFLOP, over the budget of "
            f"{config.flop_budget / 1e9:,.0f} GFLOP per call: choose a smaller shape."
        )
    return None


def _synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def build_layers(shape: BenchmarkShape) -> dict[str, nn.Module]:
    """The four layers timed, without bias: standard, separable, depthwise and pointwise."""
    m, n, k = shape.in_ch, shape.out_ch, shape.kernel
    depthwise = nn.Conv2d(m, m, k, padding=k // 2, groups=m, bias=False)
    pointwise = nn.Conv2d(m, n, 1, bias=False)
    return {
        "standard": nn.Conv2d(m, n, k, padding=k // 2, bias=False),
        "separable": nn.Sequential(depthwise, pointwise),
        "depthwise": depthwise,
        "pointwise": pointwise,
    }


def _layer_counts(layer: str, shape: BenchmarkShape, itemsize: int) -> tuple[int, int]:
    """(FLOPs, least bytes moved) of one timed layer; the separable pair is its two stages."""
    parts = ("depthwise", "pointwise") if layer == "separable" else (layer,)
    args = (shape.kernel, shape.in_ch, shape.out_ch, shape.size, shape.batch)
    flops = sum(formulas.layer_flops(p, *args) for p in parts)
    moved = sum(formulas.layer_bytes(p, *args, itemsize) for p in parts)
    return int(flops), int(moved)


def _time(module: nn.Module, x: torch.Tensor, config: BenchmarkConfig, device: str) -> dict:
    """Warm up, then time module(x) with blocked_autorange: median and quartiles in seconds.

    blocked_autorange grows its block tenfold at a time, so a slow layer can fill min_run_time
    with one block; blocks of the same size are added until there are config.min_runs.
    """
    for _ in range(config.warmup):
        module(x)
    _synchronize(device)
    timer = Timer("module(x)", globals={"module": module, "x": x}, num_threads=_threads(config))
    first = timer.blocked_autorange(min_run_time=config.min_run_time)
    extra = [timer.timeit(first.number_per_run) for _ in range(config.min_runs - len(first.times))]
    (measurement,) = Measurement.merge([first, *extra])
    times = torch.tensor(measurement.times, dtype=torch.float64)
    q25, median, q75 = (float(v) for v in times.quantile(torch.tensor([0.25, 0.5, 0.75]).double()))
    return {
        "median_s": median,
        "q25_s": q25,
        "q75_s": q75,
        "runs": len(measurement.times),
        "calls_per_run": first.number_per_run,
    }


def _cpu_name() -> str:
    """The processor's model name where Linux reports it, and the cores present."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), "")
    return f"{model or platform.machine()}, {os.cpu_count()} cores"


def environment(device: str, config: BenchmarkConfig) -> dict:
    """What a figure must be labelled with: device, its name, dtype, threads, torch version."""
    name = torch.cuda.get_device_name() if device == "cuda" else _cpu_name()
    return {
        "device": device,
        "device_name": name,
        "dtype": config.dtype,
        "threads": _threads(config),
        "torch": torch.__version__,
    }


def label(env: dict) -> str:
    """One line naming where a result was measured, for every table and chart."""
    threads = f"{env['threads']} thread" + ("s" if env["threads"] != 1 else "")
    return f"{env['device'].upper()} ({env['device_name']}) · {env['dtype']} · {threads} · " + (
        f"torch {env['torch']}"
    )


def _summary(rows: list[dict]) -> dict:
    """Speed-ups of separable over standard beside the FLOP ratio, and channels_last's effect."""
    by = {(r["layer"], r["memory_format"]): r for r in rows}
    out = {}
    for fmt in MEMORY_FORMATS:
        std, sep = by[("standard", fmt)], by[("separable", fmt)]
        out[fmt] = {
            "flop_ratio": std["flops"] / sep["flops"],
            "speedup": std["median_s"] / sep["median_s"],
            "speedup_low": std["q25_s"] / sep["q75_s"],  # quartile against quartile: the spread
            "speedup_high": std["q75_s"] / sep["q25_s"],
        }
    out["channels_last_speedup"] = {
        layer: by[(layer, "contiguous")]["median_s"] / by[(layer, "channels_last")]["median_s"]
        for layer in LAYERS
    }
    return out


def run_benchmark(
    shape: BenchmarkShape,
    config: BenchmarkConfig = BenchmarkConfig(),
    device: str | None = None,
    on_wait: Callable[[], None] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """Time all four layers in both memory formats; plain data: shape, environment, rows, summary.

    The result also says how long the whole run took ("seconds"); progress(fraction, text) is
    called before each layer is timed.
    Raises ValueError for a refused shape (see shape_problem) and core.training.Busy when another
    live run holds the lock past config.lock_timeout; on_wait is called once before waiting. The
    thread count (process-wide) is set for warm-up and timing alike and always restored.
    """
    problem = shape_problem(shape, config)
    if problem:
        raise ValueError(problem)
    device = device or best_device()
    with training.exclusive(on_wait, config.lock_timeout), training.threads(_threads(config)):
        return _measure(shape, config, device, progress)


@dataclass(frozen=True)
class LiveBenchmark:
    """A benchmark a page asks for: one shape, on a device, with a thread count."""

    shape: BenchmarkShape = BenchmarkShape()
    device: str = "cpu"
    threads: int = BenchmarkConfig.threads


def live_benchmark(
    request: LiveBenchmark,
    progress: Callable[[float, str], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> dict:
    """A benchmark started from a page, with the default timing configuration."""
    config = BenchmarkConfig(threads=request.threads)
    return run_benchmark(request.shape, config, request.device, on_wait, progress)


def _measure(
    shape: BenchmarkShape,
    config: BenchmarkConfig,
    device: str,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    torch.manual_seed(0)
    dtype = DTYPES[config.dtype]
    layers = build_layers(shape)
    for module in layers.values():
        module.to(device=device, dtype=dtype).requires_grad_(False)
    x = torch.randn(shape.batch, shape.in_ch, shape.size, shape.size, device=device, dtype=dtype)
    rows, start, total = [], time.perf_counter(), len(MEMORY_FORMATS) * len(LAYERS)
    for fmt, memory_format in MEMORY_FORMATS.items():
        x_fmt = x.contiguous(memory_format=memory_format)  # (B, M, D_F, D_F), NCHW or NHWC
        for module in layers.values():
            module.to(memory_format=memory_format)
        for name in LAYERS:
            if progress is not None:
                progress(len(rows) / total, f"timing {name}, {fmt}")
            flops, moved = _layer_counts(name, shape, dtype.itemsize)
            row = {"layer": name, "memory_format": fmt, "flops": flops, "bytes": moved}
            row |= _time(layers[name], x_fmt, config, device)
            row["intensity"] = flops / moved
            row["gflop_per_s"] = flops / row["median_s"] / 1e9
            rows.append(row)
    return {
        "shape": asdict(shape),
        "environment": environment(device, config),
        "measured": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - start, 2),
        "rows": rows,
        "summary": _summary(rows),
    }


def torch_counts(
    kernel: int, in_ch: int, out_ch: int, size: int, stride: int = 1, padding: int = 0
) -> dict[str, int]:
    """Counts from real layers on the meta device: output side, p.numel() and FlopCounterMode."""
    meta = torch.device("meta")
    standard = nn.Conv2d(in_ch, out_ch, kernel, stride, padding, bias=False, device=meta)
    separable = nn.Sequential(
        nn.Conv2d(in_ch, in_ch, kernel, stride, padding, groups=in_ch, bias=False, device=meta),
        nn.Conv2d(in_ch, out_ch, 1, bias=False, device=meta),
    )
    x = torch.empty(1, in_ch, size, size, device=meta)  # (1, M, H, W)
    counts = {}
    for name, module in (("standard", standard), ("separable", separable)):
        with FlopCounterMode(display=False) as counter:
            y = module(x)  # (1, N, D_F, D_F)
        counts[f"{name}_params"] = sum(p.numel() for p in module.parameters())
        counts[f"{name}_flops"] = counter.get_total_flops()
    counts["out_size"] = y.shape[-1]
    return counts


def count_comparison(
    kernel: int, in_ch: int, out_ch: int, size: int, stride: int = 1, padding: int = 0
) -> list[dict]:
    """SymPy's weights and FLOPs beside torch's, for the standard layer and the separable pair."""
    counts = torch_counts(kernel, in_ch, out_ch, size, stride, padding)
    d_f = conv_output_size(size, kernel, stride, padding)
    sympy_counts = {
        "standard_params": standard_params(kernel, in_ch, out_ch),
        "standard_flops": 2 * standard_macs(kernel, in_ch, out_ch, d_f),
        "separable_params": formulas.separable_params(kernel, in_ch, out_ch),
        "separable_flops": 2 * formulas.separable_macs(kernel, in_ch, out_ch, d_f),
    }
    sources = {"params": "p.numel() of nn.Conv2d", "flops": "FlopCounterMode"}
    return [
        {
            "quantity": f"{key.split('_')[0]} {'weights' if key.endswith('params') else 'FLOPs'}",
            "SymPy": int(value),
            "torch": counts[key],
            "torch source": sources[key.split("_")[1]],
            "agree": int(value) == counts[key],
        }
        for key, value in sympy_counts.items()
    ]


def gap_facts(result: dict, memory_format: str = "contiguous") -> dict[str, float]:
    """Why the speed-up falls short of the FLOP ratio: the depthwise stage's share and pace."""
    by = {r["layer"]: r for r in result["rows"] if r["memory_format"] == memory_format}
    dw, pw, std = by["depthwise"], by["pointwise"], by["standard"]
    return {
        "depthwise_flop_share": dw["flops"] / (dw["flops"] + pw["flops"]),
        "depthwise_time_share": dw["median_s"] / (dw["median_s"] + pw["median_s"]),
        "depthwise_gflop_per_s": dw["gflop_per_s"],
        "standard_gflop_per_s": std["gflop_per_s"],
        "depthwise_intensity": dw["intensity"],
        "standard_intensity": std["intensity"],
    }


@dataclass(frozen=True)
class Speedup:
    """Separable over standard in one memory format: the measured speed-up and the FLOP ratio."""

    memory_format: str
    speedup: Figure  # medians
    low: Figure  # quartile against quartile: the spread
    high: Figure
    flop_ratio: Figure


@dataclass(frozen=True)
class LiveReading:
    """A benchmark result as the page states it: speed-ups, channels_last's effect, the gap."""

    speedups: tuple[Speedup, ...]  # one per memory format
    channels_last: dict[str, Figure]  # per layer: contiguous time over channels_last time
    depthwise_flop_share: Percent  # of the separable pair's FLOPs (contiguous)
    depthwise_time_share: Percent  # of the pair's time
    depthwise_gflop_per_s: Figure
    standard_gflop_per_s: Figure
    depthwise_intensity: Figure  # FLOPs per byte moved
    standard_intensity: Figure


def live_reading(result: dict) -> LiveReading:
    """A result's summary and gap_facts, read into the figures the page places."""
    summary, gap = result["summary"], gap_facts(result)
    return LiveReading(
        speedups=tuple(
            Speedup(
                name,
                Figure(summary[name]["speedup"], ".2f"),
                Figure(summary[name]["speedup_low"], ".2f"),
                Figure(summary[name]["speedup_high"], ".2f"),
                Figure(summary[name]["flop_ratio"], ".2f"),
            )
            for name in MEMORY_FORMATS
        ),
        channels_last={
            layer: Figure(gain, ".2f") for layer, gain in summary["channels_last_speedup"].items()
        },
        depthwise_flop_share=Percent(gap["depthwise_flop_share"]),
        depthwise_time_share=Percent(gap["depthwise_time_share"], 0),
        depthwise_gflop_per_s=Figure(gap["depthwise_gflop_per_s"], ".1f"),
        standard_gflop_per_s=Figure(gap["standard_gflop_per_s"], ".1f"),
        depthwise_intensity=Figure(gap["depthwise_intensity"], ".1f"),
        standard_intensity=Figure(gap["standard_intensity"], ".0f"),
    )


def intensity_table(shape: BenchmarkShape, dtype: str = "float32") -> list[dict]:
    """Per layer: FLOPs, least bytes moved and FLOPs per byte, computed before any timing."""
    rows = []
    for layer in LAYERS:
        flops, moved = _layer_counts(layer, shape, DTYPES[dtype].itemsize)
        rows.append({"layer": layer, "FLOPs": flops, "bytes": moved, "FLOP/byte": flops / moved})
    return rows


def result_table(result: dict) -> list[dict]:
    """A result's rows for reading: times in milliseconds, throughput in GFLOP/s."""
    return [
        {
            "layer": r["layer"],
            "memory format": r["memory_format"],
            "median ms": r["median_s"] * 1e3,
            "q25 ms": r["q25_s"] * 1e3,
            "q75 ms": r["q75_s"] * 1e3,
            "GFLOP/s": r["gflop_per_s"],
            "FLOP/byte": r["intensity"],
            "timed blocks": r["runs"],
        }
        for r in result["rows"]
    ]


def summary_table(results: list[dict]) -> list[dict]:
    """One row per result: shape, where it ran, FLOP ratio and measured speed-ups."""
    rows = []
    for r in results:
        s, shape = r["summary"], r["shape"]
        rows.append(
            {
                "shape (B, M, N, D_F, D_K)": ", ".join(str(v) for v in shape.values()),
                "FLOP ratio": s["contiguous"]["flop_ratio"],
                "speed-up (contiguous)": s["contiguous"]["speedup"],
                "speed-up (channels_last)": s["channels_last"]["speedup"],
                "depthwise: channels_last gain": s["channels_last_speedup"]["depthwise"],
                "measured on": label(r["environment"]),
            }
        )
    return rows


def load_results(path: str | Path) -> list[dict]:
    """Results written by this module's command line; an empty list when the file is absent."""
    path = Path(path)
    return json.loads(path.read_text())["results"] if path.exists() else []


def main(argv: list[str] | None = None) -> None:
    """Benchmark DEFAULT_SHAPES and write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(SHIPPED_RESULTS), help="JSON file to write")
    parser.add_argument("--min-run-time", type=float, default=1.0, help="seconds per layer")
    parser.add_argument(
        "--threads", type=int, nargs="+", default=[BenchmarkConfig.threads], help="one run each"
    )
    args = parser.parse_args(argv)
    results = []
    for threads in args.threads:
        config = BenchmarkConfig(min_run_time=args.min_run_time, threads=threads)
        for shape in DEFAULT_SHAPES:
            results.append(run_benchmark(shape, config))
            print(label(results[-1]["environment"]), shape, results[-1]["summary"]["contiguous"])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = "python -m core.separable_convolutions.benchmark --out data/" + out.name
    payload = {"command": command, "results": results}
    out.write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    main()
