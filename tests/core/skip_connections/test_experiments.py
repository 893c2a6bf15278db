"""The experiments: a tiny real degradation sweep, the gradient probe, shortcuts and the CLI."""

import json
import time
from dataclasses import asdict

import pandas as pd
import pytest
import sympy as sp
import torch
from torch import nn

from core import course
from core.data import digits
from core.skip_connections import experiments, formulas, results
from core.skip_connections.experiments import DegradationConfig
from core.skip_connections.models import MLPStack

TINY = DegradationConfig(depths=(4, 48), seeds=2, steps=300)


@pytest.fixture(scope="module")
def tiny_sweep():
    torch.set_num_threads(1)
    started = time.perf_counter()
    result = experiments.run_degradation(TINY)
    return result | {"wall": time.perf_counter() - started}


def test_residual_network_fits_better_than_plain_at_the_deepest_depth(tiny_sweep):
    means = {(r["family"], r["depth"]): r["mean"] for r in results.error_summary(tiny_sweep)}
    assert means[("residual", 48)] < means[("plain", 48)] - 0.05


def test_sweep_records_config_torch_version_and_time(tiny_sweep):
    assert tiny_sweep["config"] == asdict(TINY)
    assert tiny_sweep["torch"] == torch.__version__
    # the sweep's own time, not a target; it is kept rounded to 0.01 s (up by at most 0.005)
    assert 0 < tiny_sweep["seconds"] <= tiny_sweep["wall"] + 0.005


def test_sweep_has_one_result_per_family_depth_and_seed(tiny_sweep):
    keys = {(r["family"], r["depth"], r["seed"]) for r in tiny_sweep["results"]}
    assert len(keys) == len(tiny_sweep["results"]) == 2 * 2 * 2


def test_loss_curves_end_at_the_last_step(tiny_sweep):
    assert max(point["step"] for point in tiny_sweep["curves"]) == TINY.steps


def test_error_summary_agrees_with_a_pandas_group_by(tiny_sweep):
    frame = pd.DataFrame(tiny_sweep["results"])
    expected = frame.groupby(["family", "depth"])["train_error"].agg(["mean", "min", "max"])
    for row in results.error_summary(tiny_sweep):
        mean, low, high = expected.loc[(row["family"], row["depth"])]
        assert (row["mean"], row["low"], row["high"]) == pytest.approx((mean, low, high))


def test_batched_models_get_only_their_own_losss_gradient():
    torch.manual_seed(0)
    stack = MLPStack(6, residual=False, n_models=2)
    x, y = torch.randn(2, 16, 64), torch.randint(0, 10, (2, 16))
    losses = nn.functional.cross_entropy(stack(x).transpose(1, 2), y, reduction="none").mean(1)
    losses.sum().backward()
    together = stack.stem.fc.weight.grad[0].clone()
    stack.zero_grad()
    nn.functional.cross_entropy(stack(x)[0], y[0]).backward()
    torch.testing.assert_close(stack.stem.fc.weight.grad[0], together)


def test_progress_runs_from_zero_to_one():
    seen = []
    config = DegradationConfig(depths=(2, 4), seeds=1, steps=50)
    experiments.run_degradation(config, lambda fraction, _what: seen.append(fraction))
    assert seen[0] == 0 and seen[-1] == 1 and seen == sorted(seen)


def test_a_spent_time_budget_stops_before_the_next_group(monkeypatch):
    monkeypatch.setattr(experiments, "GROUP_LAYERS", 1)  # every depth a group of its own
    config = DegradationConfig(depths=(2, 4, 6), seeds=1, steps=50)
    result = experiments.run_degradation(config, budget_s=0.0)
    assert result["stopped_early"]
    assert {r["depth"] for r in result["results"]} == {2}


def test_progress_is_reported_at_every_logged_step_of_a_group():
    seen = []
    config = DegradationConfig(depths=(2, 4), seeds=1, steps=50, log_every=10)
    experiments.run_degradation(config, lambda fraction, _what: seen.append(fraction))
    assert seen == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1, 1])


def test_default_sweep_trains_as_one_group():
    assert experiments.depth_groups(DegradationConfig()) == [DegradationConfig().depths]


def test_depth_groups_hold_at_most_group_layers_each_unless_a_depth_is_alone():
    config = DegradationConfig(depths=tuple(range(2, 66, 2)), seeds=5, steps=50)
    groups = experiments.depth_groups(config)
    assert [d for group in groups for d in group] == sorted(config.depths)
    for group in groups:
        layers = 2 * config.seeds * sum(group)
        assert layers <= experiments.GROUP_LAYERS or len(group) == 1


def test_default_configuration_is_allowed():
    assert DegradationConfig().problems() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"depths": ()},
        {"depths": (5,)},
        {"depths": (66,)},
        {"seeds": 0},
        {"seeds": 6},
        {"steps": 10},
        {"activation": "gelu"},
        {"steps": 1000, "seeds": 5},
        {"batch_norm": True, "seeds": 5},
    ],
)
def test_out_of_bounds_configurations_are_refused_with_a_reason(changes):
    config = DegradationConfig(**changes)
    assert config.problems()
    with pytest.raises(ValueError):
        experiments.run_degradation(config)


def _result(means: dict) -> dict:
    rows = [{"family": f, "depth": d, "seed": 0, "train_error": e} for (f, d), e in means.items()]
    return {"results": rows}


def test_onset_is_the_first_depth_where_plain_trails_residual_by_more_than_the_margin():
    result = _result(
        {("plain", 4): 0.02, ("residual", 4): 0.02, ("plain", 8): 0.06, ("residual", 8): 0.02}
        | {("plain", 16): 0.2, ("residual", 16): 0.01}
    )
    assert results.degradation_onset(result, margin=0.05) == 16
    assert results.degradation_onset(result, margin=0.03) == 8


def test_onset_is_none_when_plain_never_falls_behind():
    result = _result({("plain", 4): 0.02, ("residual", 4): 0.03})
    assert results.degradation_onset(result) is None


def test_shipped_sweep_is_the_default_configuration_and_shows_degradation():
    shipped = results.load_result()
    assert shipped["config"] == json.loads(json.dumps(asdict(DegradationConfig())))
    deepest = max(shipped["config"]["depths"])
    means = {(r["family"], r["depth"]): r["mean"] for r in results.error_summary(shipped)}
    assert means[("residual", deepest)] < means[("plain", deepest)]


def _plain_reference(stack: MLPStack, activation: type[nn.Module]) -> nn.Sequential:
    """The plain stack rebuilt from nn.Linear layers with the same weights."""
    layers = []
    for i, stacked in enumerate(stack.linears()):
        linear = nn.Linear(*stacked.weight.shape[1:])
        with torch.no_grad():
            linear.weight.copy_(stacked.weight[0].T)
            linear.bias.copy_(stacked.bias[0, 0])
        layers += [linear] if i == len(stack.linears()) - 1 else [linear, activation()]
    return nn.Sequential(*layers)


def test_gradient_flow_matches_an_nn_linear_network_with_the_same_weights():
    rows = experiments.gradient_flow(10, "tanh", init="default", seed=3)
    torch.manual_seed(3)
    stack = MLPStack(10, residual=False, activation="tanh", init="default")
    reference = _plain_reference(stack, nn.Tanh)
    x, y = digits()
    nn.functional.cross_entropy(reference(x[:128]), y[:128]).backward()
    linears = [m for m in reference if isinstance(m, nn.Linear)]
    plain = [r["grad_norm"] for r in rows if r["family"] == "plain"]
    assert plain == pytest.approx([m.weight.grad.norm().item() for m in linears], rel=1e-4)


def test_default_init_plain_relu_stack_loses_its_gradient_and_residual_keeps_it():
    rows = experiments.gradient_flow(50, "relu", init="default")
    assert experiments.first_to_last_ratio(rows, "plain") < 1e-10
    assert experiments.first_to_last_ratio(rows, "residual") > 1e-2


def test_he_init_plain_relu_stack_keeps_its_gradient_at_initialisation():
    rows = experiments.gradient_flow(50, "relu", init="he")
    assert 0.1 < experiments.first_to_last_ratio(rows, "plain") < 10


def test_underflowed_layers_are_one_familys_layers_with_a_gradient_norm_of_exactly_zero():
    rows = [
        {"family": "plain", "layer": 1, "grad_norm": 0.0},
        {"family": "plain", "layer": 2, "grad_norm": 1e-45},  # float32's smallest, not zero
        {"family": "plain", "layer": 3, "grad_norm": 0.0},
        {"family": "residual", "layer": 4, "grad_norm": 0.0},
    ]
    assert experiments.underflowed_layers(rows, "plain") == [1, 3]


def test_a_deep_plain_sigmoid_stack_underflows_from_the_input_up_and_a_residual_one_never():
    rows = experiments.gradient_flow(50, "sigmoid", init="default")
    under = experiments.underflowed_layers(rows, "plain")
    assert under and under == list(range(1, len(under) + 1))
    assert experiments.underflowed_layers(rows, "residual") == []


@pytest.mark.parametrize("depth", [1, 7, 202])
def test_gradient_flow_refuses_depths_out_of_range(depth):
    with pytest.raises(ValueError):
        experiments.gradient_flow(depth, "relu")


def test_torch_jacobian_matches_the_sympy_jacobian():
    w1, w2, x0 = [[1, -2], ["0.5", 1]], [[2, "0.5"], [-1, 1]], ["0.3", "-0.2"]
    sympy_jac = sp.matrix2numpy(formulas.residual_jacobian_at(w1, w2, x0).evalf(), dtype=float)
    to_float = lambda rows: [[float(v) for v in row] for row in rows]  # noqa: E731
    got = experiments.residual_jacobian_torch(to_float(w1), to_float(w2), [0.3, -0.2])
    assert torch.allclose(torch.tensor(got, dtype=torch.float64), torch.from_numpy(sympy_jac))


def test_forgotten_projection_returns_torchs_message_instead_of_raising():
    report = experiments.try_block((32, 16, 16), 64, 2, projection=False)
    assert report["output_shape"] is None
    assert "must match the size of tensor" in report["error"]


@pytest.mark.parametrize("in_shape, out_ch, stride", [((64, 32, 32), 128, 2), ((3, 7, 5), 3, 1)])
def test_tried_block_reports_the_shape_the_formula_gives(in_shape, out_ch, stride):
    report = experiments.try_block(in_shape, out_ch, stride)
    assert report["output_shape"] == formulas.block_output_shape(in_shape, out_ch, stride)
    assert report["projection"] is formulas.needs_projection(in_shape[0], out_ch, stride)


def test_forgotten_projection_on_a_one_pixel_output_is_flagged_as_broadcast():
    report = experiments.try_block((4, 2, 2), 4, 2, projection=False)
    assert report["error"] is None and report["broadcast"]


@pytest.mark.parametrize(
    "in_shape, out_ch, stride",
    [((0, 8, 8), 4, 1), ((4, 8, 8), -1, 1), ((4, 8, 8), 4, 0), ((4, 0, 8), 4, 1)]
    + [((512, 256, 256), 512, 1), ((4, 8, 8), 4, 9)],
)
def test_bad_block_settings_are_refused_with_a_reason(in_shape, out_ch, stride):
    assert experiments.block_problems(in_shape, out_ch, stride)
    with pytest.raises(ValueError):
        experiments.try_block(in_shape, out_ch, stride)


def test_command_line_writes_the_sweep_as_json(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    experiments.main(
        ["degradation", "--depths", "2", "4", "--seeds", "1", "--steps", "50"]
        + [
            "--out",
            str(out),
        ]
    )
    written = json.loads(out.read_text())
    assert written["config"]["depths"] == [2, 4] and "wrote" in capsys.readouterr().out


def test_loss_curves_average_the_seeds_at_each_step(tiny_sweep):
    rows = results.loss_curves(tiny_sweep, 48)
    frame = pd.DataFrame(tiny_sweep["curves"]).query("depth == 48")
    expected = frame.groupby(["family", "step"])["loss"].mean()
    assert len(rows) == len(expected)
    for row in rows:
        assert row["loss"] == pytest.approx(expected.loc[(row["family"], row["step"])])


def test_at_depth_picks_one_depths_means():
    summary = [
        {"family": "plain", "depth": 4, "mean": 0.2},
        {"family": "residual", "depth": 4, "mean": 0.1},
        {"family": "plain", "depth": 8, "mean": 0.5},
    ]
    assert results.at_depth(summary, 4) == {"plain": 0.2, "residual": 0.1}


def test_time_estimate_grows_with_the_work():
    small = DegradationConfig(depths=(2, 4), seeds=1, steps=50)
    assert experiments.estimate_seconds(small) < experiments.estimate_seconds(DegradationConfig())


def test_jacobian_check_finds_sympy_and_torch_in_agreement():
    check = experiments.jacobian_check(course.EXAMPLE_W1, course.EXAMPLE_W2, (1, -2))
    assert check.max_difference.value < 1e-12


@pytest.mark.parametrize(
    "in_shape, stride, phrase", [((3, 3, 3), 8, "single pixel"), ((3, 7, 5), 2, "rounds")]
)
def test_block_notes_explain_collapsed_and_rounded_maps(in_shape, stride, phrase):
    assert any(phrase in note for note in experiments.block_notes(in_shape, 3, stride))


def test_block_notes_are_silent_for_an_evenly_divided_map():
    assert experiments.block_notes((64, 32, 32), 128, 2) == []


def test_a_network_still_training_at_the_limit_is_dropped():
    config = DegradationConfig(depths=(2, 4), seeds=1, steps=50)
    result = experiments.run_degradation(config, limit_s=0.0)
    assert result["stopped_early"] and result["results"] == [] and result["curves"] == []


def test_train_stacks_gives_up_once_its_deadline_has_passed():
    x, y = digits()
    config = DegradationConfig(depths=(2,), seeds=1, steps=50)
    stacks = [experiments.init_stack(config, 2, False, x, y)]
    assert experiments.train_stacks(config, stacks, x, y, deadline=0.0) is None


# The batched training against a reference: each stack trained alone by a plain loop.
JOINT = DegradationConfig(depths=(2, 4, 8), seeds=2, steps=20, log_every=5)
JOBS = [(depth, residual) for depth in JOINT.depths for residual in (False, True)]


def _train_alone(config: DegradationConfig, stack: MLPStack, x, y) -> list[list[float]]:
    """One stack on its own: torch's Adam (fused, FlatAdam's kernel), a (seeds, batch) draw per
    step from the sweep's generator. Returns the batch losses at every logged step."""
    optimiser = torch.optim.Adam(stack.parameters(), lr=config.lr, fused=True)
    generator = torch.Generator().manual_seed(config.seed)
    curve = []
    for step in range(1, config.steps + 1):
        idx = torch.randint(0, len(x), (config.seeds, config.batch_size), generator=generator)
        logits = stack(x[idx])  # (S, B, classes)
        losses = nn.functional.cross_entropy(logits.transpose(1, 2), y[idx], reduction="none")
        optimiser.zero_grad()
        losses.mean(1).sum().backward()
        optimiser.step()
        if step % config.log_every == 0:
            curve.append(losses.mean(1).tolist())
    return curve


@pytest.fixture(scope="module")
def together_and_alone():
    torch.set_num_threads(1)
    x, y = digits()
    together = [experiments.init_stack(JOINT, d, r, x, y) for d, r in JOBS]
    outs = experiments.train_stacks(JOINT, together, x, y)
    alone = [experiments.init_stack(JOINT, d, r, x, y) for d, r in JOBS]
    curves = [_train_alone(JOINT, stack, x, y) for stack in alone]
    return together, outs, alone, curves


def test_every_model_trained_together_ends_with_the_weights_it_reaches_alone(together_and_alone):
    together, _, alone, _ = together_and_alone
    for joint, single in zip(together, alone, strict=True):
        for name, got in joint.named_parameters():
            expected = single.get_parameter(name)
            torch.testing.assert_close(got, expected, rtol=0, atol=1e-6, msg=name)


def test_every_model_trained_together_logs_the_batch_losses_it_has_alone(together_and_alone):
    _, outs, _, curves = together_and_alone
    for out, curve in zip(outs, curves, strict=True):
        assert [point["step"] for point in out["curve"]] == [5, 10, 15, 20]
        logged = [loss for point in out["curve"] for loss in point["losses"]]
        expected = [loss for row in curve for loss in row]
        assert logged == pytest.approx(expected, abs=1e-5)  # logged rounded to 5 decimals


def test_flat_adam_takes_the_steps_torch_adam_takes():
    torch.manual_seed(0)
    shapes = [(3, 4, 5), (3, 1, 5), (7,)]
    ours = [nn.Parameter(torch.randn(shape)) for shape in shapes]
    theirs = [nn.Parameter(p.detach().clone()) for p in ours]
    flat = experiments.FlatAdam(ours, lr=0.01)
    reference = torch.optim.Adam(theirs, lr=0.01)  # torch's default (for-loop) implementation
    for _ in range(5):
        grads = [torch.randn(shape) for shape in shapes]
        flat.zero_grad()
        for p, g in zip(ours, grads, strict=True):
            p.grad.add_(g)
        flat.step()
        for p, g in zip(theirs, grads, strict=True):
            p.grad = g.clone()
        reference.step()
    for got, expected in zip(ours, theirs, strict=True):
        torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)


def test_backward_adds_into_flat_adams_one_gradient_buffer():
    weight, bias = nn.Parameter(torch.randn(4, 3)), nn.Parameter(torch.randn(3))
    flat = experiments.FlatAdam([weight, bias], lr=0.01)
    (torch.ones(2, 4) @ weight + bias).sum().backward()
    torch.testing.assert_close(
        flat.grads, torch.cat([torch.full((12,), 2.0), torch.full((3,), 2.0)])
    )


def test_no_allowed_sweep_is_estimated_past_the_live_time_limit():
    worst = max(
        experiments.estimate_seconds(
            DegradationConfig(depths=(depth,), seeds=s, steps=n, batch_norm=bn)
        )
        for depth in (2, course.MAX_DEPTH)
        for s in range(1, course.MAX_SEEDS + 1)
        for n in (course.MIN_STEPS, course.MAX_STEPS)
        for bn in (False, True)
        if not DegradationConfig(depths=(depth,), seeds=s, steps=n, batch_norm=bn).problems()
    )
    assert worst < course.LIVE_LIMIT_S


def test_the_quiz_claims_about_depth_64_hold_on_the_shipped_data():
    """skip-degradation-vs-vanishing says: plain ReLU depth 64, He init, keeps its gradient at
    initialisation, yet fits its training set far worse than depth 16 after the same budget."""
    rows = experiments.gradient_flow(64, "relu", init="he")
    assert 0.1 < experiments.first_to_last_ratio(rows, "plain") < 10
    means = {
        (r["family"], r["depth"]): r["mean"] for r in results.error_summary(results.load_result())
    }
    assert means[("plain", 64)] > means[("plain", 16)] + 0.2


def test_the_residual_plateau_starts_where_every_deeper_depth_stays_near_the_best():
    rows = [(2, 0.05), (4, 0.02), (8, 0.004), (16, 0.0), (32, 0.003)]
    result = {"results": [{"family": "residual", "depth": d, "train_error": e} for d, e in rows]}
    plateau = results.residual_plateau(result, margin=0.01)
    assert (plateau["from"], plateau["best"], plateau["worst"]) == (8, 0.0, 0.05)


def test_the_torch_free_reader_finds_the_shipped_results_where_core_data_keeps_them():
    from core import data

    assert results.DATA_DIR == data.DATA_DIR


def test_flow_readings_state_the_ratio_until_a_layer_underflows():
    rows = experiments.gradient_flow(50, "sigmoid", init="default")
    plain, residual = experiments.flow_readings(rows)
    zero = [r["layer"] for r in rows if r["family"] == "plain" and r["grad_norm"] == 0]
    assert (plain.family, plain.ratio, plain.underflowed.value) == ("Plain", None, len(zero))
    assert (plain.first_underflowed, plain.last_underflowed) == (min(zero), max(zero))
    norms = {r["layer"]: r["grad_norm"] for r in rows if r["family"] == "residual"}
    assert residual.ratio.text == f"{norms[1] / norms[max(norms)]:.3g}"


def test_a_block_reading_sets_sympys_counts_beside_torchs():
    block = experiments.block_reading((32, 56, 56), 64, 2)
    assert block.projection and block.torch_projection
    assert block.projection_params.text == block.torch_shortcut_params.text == f"{32 * 64 + 128:,}"
    assert block.block_params.value == block.torch_block_params.value
    assert block.shape == block.torch_shape == (64, 28, 28)


def test_the_small_resnets_chain_marks_a_projection_exactly_where_the_shape_changes():
    reading = experiments.small_resnet_reading()
    blocks = experiments.small_resnet_report()["blocks"]
    marked = ["projection" in part for part in reading.chain.split("), ")]
    needs = [formulas.needs_projection(b["in_ch"], b["out_ch"], b["stride"]) for b in blocks]
    assert marked == needs and sum(marked) == 1
    assert reading.torch_total.value == reading.sympy_total.value


def test_a_sweeps_depths_are_kept_sorted_however_they_are_listed():
    assert DegradationConfig(depths=[8, 2, 4]).depths == (2, 4, 8)
