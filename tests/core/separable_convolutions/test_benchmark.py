"""The benchmark on a tiny shape: what it counts, how it guards, how it queues (no timings)."""

import json
import random
import threading
import time
from fractions import Fraction

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from core import conv, training
from core.separable_convolutions import benchmark as bm
from core.separable_convolutions import formulas

TINY = bm.BenchmarkShape(batch=1, in_ch=4, out_ch=8, size=8, kernel=3)
QUICK = bm.BenchmarkConfig(min_run_time=0.005, min_runs=2, warmup=1, lock_timeout=0.05)


@pytest.fixture(scope="module")
def result():
    return bm.run_benchmark(TINY, QUICK, device="cpu")


def _flops(module: nn.Module, x: torch.Tensor) -> int:
    with FlopCounterMode(display=False) as counter:
        module(x)
    return counter.get_total_flops()


def _tiny_input() -> torch.Tensor:
    return torch.randn(TINY.batch, TINY.in_ch, TINY.size, TINY.size)


def test_every_layer_is_timed_in_both_memory_formats(result):
    timed = {(row["layer"], row["memory_format"]) for row in result["rows"]}
    assert timed == {(x, f) for x in bm.LAYERS for f in bm.MEMORY_FORMATS}


def test_row_flops_are_what_flopcountermode_counts_on_the_real_layers(result):
    layers, x = bm.build_layers(TINY), _tiny_input()
    counted = {name: _flops(module, x) for name, module in layers.items()}
    assert {r["layer"]: r["flops"] for r in result["rows"]} == counted


def test_row_bytes_of_one_layer_are_its_input_output_and_weight_tensors(result):
    x = _tiny_input()
    conv = bm.build_layers(TINY)["depthwise"]
    moved = sum(t.numel() * t.element_size() for t in (x, conv(x), conv.weight))
    row = next(r for r in result["rows"] if r["layer"] == "depthwise")
    assert row["bytes"] == moved


def test_flop_ratio_is_the_standard_over_the_separable_flop_count(result):
    layers, x = bm.build_layers(TINY), _tiny_input()
    ratio = Fraction(_flops(layers["standard"], x), _flops(layers["separable"], x))
    assert result["summary"]["contiguous"]["flop_ratio"] == pytest.approx(float(ratio))


class Sleeper(nn.Module):
    """A layer that takes a known time per call."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(0.002)
        return x


def test_the_timer_measures_a_known_per_call_time():
    timed = bm._time(Sleeper(), _tiny_input(), QUICK, "cpu")
    assert 0.002 <= timed["q25_s"] <= timed["median_s"] <= timed["q75_s"] < 0.02


def test_every_timing_has_at_least_the_configured_number_of_runs(result):
    assert min(r["runs"] for r in result["rows"]) >= QUICK.min_runs


def test_results_are_labelled_with_device_dtype_threads_and_torch_version(result):
    env = result["environment"]
    assert (env["device"], env["dtype"], env["threads"], env["torch"]) == (
        "cpu",
        "float32",
        1,
        torch.__version__,
    )


def test_results_survive_a_json_round_trip(result):
    assert json.loads(json.dumps(result)) == result


def test_shape_bytes_count_the_tensors_a_benchmark_holds():
    layers, x = bm.build_layers(TINY), _tiny_input()
    held = [x, x.contiguous(memory_format=torch.channels_last), layers["depthwise"](x)]
    held += [layers["standard"](x), *(p for m in layers.values() for p in m.parameters())]
    unique = {id(t): t for t in held}.values()  # the separable pair shares its stages' weights
    assert bm.shape_bytes(TINY) == sum(t.numel() * t.element_size() for t in unique)


def test_a_shape_over_the_memory_budget_is_refused_before_running():
    shape = bm.BenchmarkShape(batch=1, in_ch=64, out_ch=64, size=64)
    with pytest.raises(ValueError, match="MiB"):
        bm.run_benchmark(shape, bm.BenchmarkConfig(memory_budget=2**20))


def test_a_shape_over_the_flop_budget_is_refused():
    assert "GFLOP" in bm.shape_problem(bm.BenchmarkShape(1, 512, 512, 56, 3))


@pytest.mark.parametrize(
    "shape",
    [
        bm.BenchmarkShape(kernel=4),
        bm.BenchmarkShape(size=2, kernel=7),
        bm.BenchmarkShape(batch=0),
        bm.BenchmarkShape(in_ch=0),
        bm.BenchmarkShape(out_ch=10**6),
    ],
)
def test_impossible_shapes_are_explained_not_run(shape):
    assert isinstance(bm.shape_problem(shape), str)


def test_the_default_shape_is_accepted():
    assert bm.shape_problem(bm.BenchmarkShape()) is None


def test_a_second_caller_is_told_to_wait_then_refused_after_the_timeout():
    waits = []
    with training.LIVE_LOCK, pytest.raises(training.Busy):
        bm.run_benchmark(TINY, QUICK, device="cpu", on_wait=lambda: waits.append(1))
    assert waits == [1]


def test_a_waiting_caller_runs_once_the_first_benchmark_finishes():
    training.LIVE_LOCK.acquire()
    threading.Timer(0.2, training.LIVE_LOCK.release).start()
    patient = bm.BenchmarkConfig(min_run_time=0.005, min_runs=2, warmup=1, lock_timeout=10)
    assert bm.run_benchmark(TINY, patient, device="cpu")["shape"]["in_ch"] == TINY.in_ch


@pytest.mark.parametrize("cuda, device", [(True, "cuda"), (False, "cpu")])
def test_a_benchmark_not_told_its_device_runs_on_the_gpu_when_torch_sees_one(
    monkeypatch, cuda, device
):
    ran_on = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(bm, "_measure", lambda shape, config, where, progress: ran_on.append(where))
    bm.run_benchmark(TINY, QUICK)
    assert ran_on == [device]


@pytest.mark.parametrize("seed", range(5))
def test_torch_counts_agree_with_the_sympy_formulas(seed):
    rng = random.Random(seed)
    k, m, n = rng.choice([1, 3, 5]), rng.randint(1, 300), rng.randint(1, 300)
    size, stride, padding = rng.randint(5, 60), rng.choice([1, 2]), rng.randint(0, 2)
    counts = bm.torch_counts(k, m, n, size, stride, padding)
    d_f = conv.conv_output_size(size, k, stride, padding)
    assert counts == {
        "standard_params": conv.standard_params(k, m, n),
        "standard_flops": 2 * conv.standard_macs(k, m, n, d_f),
        "separable_params": formulas.separable_params(k, m, n),
        "separable_flops": 2 * formulas.separable_macs(k, m, n, d_f),
        "out_size": d_f,
    }


def test_the_command_writes_json_that_load_results_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(bm, "DEFAULT_SHAPES", (TINY,))
    out = tmp_path / "bench.json"
    bm.main(["--out", str(out), "--min-run-time", "0.005", "--threads", "1"])
    assert [r["shape"] for r in bm.load_results(out)] == [vars(TINY)]


def test_missing_shipped_results_read_as_an_empty_list(tmp_path):
    assert bm.load_results(tmp_path / "absent.json") == []


def test_the_count_comparison_agrees_with_the_formulas_and_says_so():
    rows = bm.count_comparison(3, 32, 48, 17, 2, 1)
    d_f = (17 + 2 - 3) // 2 + 1
    expected = [9 * 32 * 48, 2 * 9 * 32 * 48 * d_f**2, 9 * 32 + 32 * 48]
    assert [r["torch"] for r in rows[:3]] == expected and all(r["agree"] for r in rows)


def test_the_intensity_table_gives_the_separable_pair_the_flops_of_its_two_stages():
    layers, x = bm.build_layers(TINY), _tiny_input()
    table = {r["layer"]: r["FLOPs"] for r in bm.intensity_table(TINY)}
    assert table["separable"] == _flops(layers["depthwise"], x) + _flops(layers["pointwise"], x)


def test_the_result_table_reports_medians_in_milliseconds(result):
    assert [r["median ms"] for r in bm.result_table(result)] == pytest.approx(
        [1000 * r["median_s"] for r in result["rows"]]
    )


def test_the_summary_table_labels_each_result_with_where_it_ran(result):
    (row,) = bm.summary_table([result])
    assert "float32" in row["measured on"] and "1 thread " in row["measured on"]


@pytest.fixture
def two_threads():
    """The process on two torch threads, more than QUICK's one; put back afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def _recorder(seen: list, fail: bool = False):
    def timed(module, x, config, device):
        seen.append(torch.get_num_threads())
        if fail:
            raise RuntimeError("timing failed")
        return {"median_s": 1.0, "q25_s": 1.0, "q75_s": 1.0, "runs": 1, "calls_per_run": 1}

    return timed


def test_every_layer_runs_on_the_configured_threads_then_they_are_restored(
    two_threads, monkeypatch
):
    seen = []
    monkeypatch.setattr(bm, "_time", _recorder(seen))  # _time does the warm-up and the timing
    bm.run_benchmark(TINY, QUICK, device="cpu")
    assert (set(seen), torch.get_num_threads()) == ({1}, 2)


def test_the_thread_count_is_restored_when_a_benchmark_fails(two_threads, monkeypatch):
    seen = []
    monkeypatch.setattr(bm, "_time", _recorder(seen, fail=True))
    with pytest.raises(RuntimeError, match="timing failed"):
        bm.run_benchmark(TINY, QUICK, device="cpu")
    assert (seen, torch.get_num_threads()) == ([1], 2)


def test_the_depthwise_share_of_the_pairs_flops_is_flopcountermodes(result):
    layers, x = bm.build_layers(TINY), _tiny_input()
    dw, pw = _flops(layers["depthwise"], x), _flops(layers["pointwise"], x)
    assert bm.gap_facts(result)["depthwise_flop_share"] == pytest.approx(dw / (dw + pw))


def test_the_depthwise_share_of_the_pairs_time_comes_from_the_two_stage_medians():
    rows = [
        {"layer": name, "memory_format": "contiguous", "median_s": s, "flops": 1, "bytes": 1}
        | {"gflop_per_s": 1.0, "intensity": 1.0}
        for name, s in (("depthwise", 0.003), ("pointwise", 0.001), ("standard", 0.01))
    ]
    assert bm.gap_facts({"rows": rows})["depthwise_time_share"] == pytest.approx(0.75)


def test_a_live_benchmark_reports_progress_for_every_layer_and_its_wall_time(monkeypatch):
    seen = []
    monkeypatch.setattr(bm, "BenchmarkConfig", lambda threads: QUICK)
    request = bm.LiveBenchmark(TINY, "cpu", 1)
    out = bm.live_benchmark(request, progress=lambda done, what: seen.append((done, what)))
    assert len(seen) == len(bm.LAYERS) * len(bm.MEMORY_FORMATS)
    assert seen[0] == (0.0, "timing standard, contiguous") and out["seconds"] > 0


def test_a_live_reading_states_the_speed_ups_as_ratios_of_medians():
    rows = [
        {"layer": layer, "memory_format": fmt, "flops": flops, "bytes": 10, "median_s": median}
        | {"q25_s": 0.9 * median, "q75_s": 1.1 * median, "gflop_per_s": 1.0, "intensity": 2.5}
        for fmt, scale in (("contiguous", 1.0), ("channels_last", 2.0))
        for layer, flops, median in (
            ("standard", 900, 0.008 * scale),
            ("separable", 100, 0.004 * scale),
            ("depthwise", 30, 0.003 * scale),
            ("pointwise", 70, 0.001 * scale),
        )
    ]
    result = {"rows": rows, "summary": bm._summary(rows)}
    reading = bm.live_reading(result)
    contiguous = reading.speedups[0]
    assert (contiguous.memory_format, contiguous.speedup.text) == ("contiguous", "2.00")
    assert contiguous.flop_ratio.text == "9.00"
    assert contiguous.low.text == f"{0.9 * 0.008 / (1.1 * 0.004):.2f}"
    assert reading.channels_last["depthwise"].text == "0.50"
    assert (reading.depthwise_flop_share.text, reading.depthwise_time_share.text) == (
        "30.0%",
        "75%",
    )
