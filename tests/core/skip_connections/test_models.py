"""ResNet models against second routes: formulas, hand-run submodules, and torch's own layers."""

import copy

import pytest
import torch
from torch import nn
from torchvision.models.resnet import BasicBlock

from core import course
from core.layers import block_diagram, params
from core.skip_connections import formulas, models


@pytest.mark.parametrize("width, classes", [(32, 10), (16, 10), (8, 100)])
def test_small_resnet_has_the_parameter_count_the_sympy_formula_gives(width, classes):
    assert params(models.SmallResNet(width, classes)) == formulas.small_resnet_params(
        width, classes
    )


def test_small_resnet_maps_a_cifar_batch_to_ten_logits():
    out = models.small_resnet().train(False)(torch.randn(8, 3, 32, 32))
    assert out.shape == (8, 10)


def test_stage_table_shapes_follow_the_convolution_arithmetic():
    rows = models.stage_table(models.small_resnet(), torch.randn(8, 3, 32, 32))
    expected = formulas.small_resnet_shapes(8, 32, 32)
    assert [(r["stage"], r["output shape"]) for r in rows] == [
        (stage, tuple(int(v) for v in shape)) for stage, shape in expected
    ]


def test_stage_table_parameters_add_up_to_the_whole_model():
    model = models.small_resnet()
    rows = models.stage_table(model, torch.randn(2, 3, 32, 32))
    assert sum(r["params"] for r in rows) == params(model)


def test_only_the_block_that_changes_shape_gets_a_projection():
    rows = models.stage_table(models.small_resnet(), torch.randn(2, 3, 32, 32))
    assert [r["stage"] for r in rows if r["projection"]] == ["blocks.1"]


def test_stage_table_leaves_the_model_without_hooks():
    model = models.small_resnet()
    models.stage_table(model, torch.randn(2, 3, 32, 32))
    assert all(not m._forward_hooks for m in model.modules())


@pytest.mark.parametrize(
    "in_ch, out_ch, stride, projected",
    [(32, 32, 1, False), (32, 64, 1, True), (32, 32, 2, True), (64, 128, 2, True)],
)
def test_residual_block_projects_exactly_when_channels_or_stride_change(
    in_ch, out_ch, stride, projected
):
    block = models.ResidualBlock(in_ch, out_ch, stride)
    assert isinstance(block.shortcut, nn.Sequential) is projected


def test_projection_is_a_strided_1x1_convolution_and_batchnorm_with_the_formula_count():
    block = models.ResidualBlock(64, 128, 2)
    conv, bn = block.shortcut
    assert (conv.kernel_size, conv.stride, conv.bias) == ((1, 1), (2, 2), None)
    assert isinstance(bn, nn.BatchNorm2d)
    assert params(block.shortcut) == formulas.projection_params(64, 128)


@pytest.mark.parametrize("in_ch, out_ch, stride", [(8, 16, 2), (16, 16, 1)])
def test_residual_block_computes_what_torchvisions_basic_block_does(in_ch, out_ch, stride):
    torch.manual_seed(0)
    block = models.ResidualBlock(in_ch, out_ch, stride)
    for module in block.modules():  # running statistics away from 0 and 1, so BN matters
        if isinstance(module, nn.BatchNorm2d):
            nn.init.uniform_(module.running_mean, -1, 1)
            nn.init.uniform_(module.running_var, 0.5, 2)
            nn.init.uniform_(module.weight, 0.5, 2)
            nn.init.uniform_(module.bias, -1, 1)
    projected = isinstance(block.shortcut, nn.Sequential)
    reference = BasicBlock(
        in_ch, out_ch, stride, copy.deepcopy(block.shortcut) if projected else None
    )
    state = {k.replace("shortcut.", "downsample."): v for k, v in block.state_dict().items()}
    reference.load_state_dict(state)
    x = torch.randn(2, in_ch, 10, 10)
    torch.testing.assert_close(block.train(False)(x), reference.train(False)(x))


def test_forgetting_the_projection_fails_at_the_addition():
    block = models.ResidualBlock(32, 64, 2, projection=False)
    with pytest.raises(RuntimeError, match="must match the size"):
        block(torch.randn(1, 32, 16, 16))


def test_block_diagram_joins_branch_and_shortcut_at_one_addition():
    dot = block_diagram(models.ResidualBlock(32, 64, 2))
    assert dot.count('label="+"') == 1
    assert "bn2 -> add;" in dot and "shortcut_1 -> add;" in dot


def test_stacked_linear_applies_each_models_own_weights():
    torch.manual_seed(0)
    layer = models.StackedLinear(3, 5, 4)
    nn.init.normal_(layer.weight)
    nn.init.normal_(layer.bias)
    x = torch.randn(3, 7, 5)
    for i in range(3):
        expected = nn.functional.linear(x[i], layer.weight[i].T, layer.bias[i, 0])
        torch.testing.assert_close(layer(x)[i], expected)


def test_stacked_batchnorm_normalises_each_model_like_batchnorm1d_in_training():
    torch.manual_seed(0)
    norm = models.StackedBatchNorm(2, 6)
    x = torch.randn(2, 50, 6) * 3 + 1
    for i in range(2):
        torch.testing.assert_close(norm(x)[i], nn.BatchNorm1d(6).train()(x[i]))


def test_mlp_stack_has_one_linear_layer_per_unit_of_depth():
    assert len(models.MLPStack(12, residual=True).linears()) == 12
    assert len(models.MLPStack(7, residual=False).linears()) == 7


def test_residual_mlp_stack_refuses_an_odd_number_of_hidden_layers():
    with pytest.raises(ValueError):
        models.MLPStack(7, residual=True)


def test_zero_initialised_residual_stack_starts_as_its_stem_and_head_alone():
    torch.manual_seed(0)
    deep = models.MLPStack(20, residual=True, n_models=2)
    x = torch.randn(2, 9, 64)
    expected = deep.head(deep.stem(x))
    torch.testing.assert_close(deep(x), expected)


def test_residual_block_of_the_mlp_stack_has_jacobian_identity_plus_branch():
    torch.manual_seed(0)
    block = models.MLPResidualBlock(1, 4, "tanh", batch_norm=False)
    x = torch.randn(4, dtype=torch.float64)
    block = block.double()
    w1, b1 = block.fc1.weight[0].T, block.fc1.bias[0, 0]  # (out, in) as in W x
    w2, b2 = block.fc2.weight[0].T, block.fc2.bias[0, 0]
    jac = torch.autograd.functional.jacobian(lambda v: block(v.view(1, 1, 4)).view(4), x)
    branch = torch.autograd.functional.jacobian(lambda v: w2 @ torch.tanh(w1 @ v + b1) + b2, x)
    torch.testing.assert_close(jac, branch + torch.eye(4, dtype=torch.float64))


def test_he_initialisation_has_the_relu_gain_standard_deviation():
    torch.manual_seed(0)
    stack = models.MLPStack(4, residual=False, n_models=5, width=128, in_features=128)
    weight = stack.linears()[1].weight
    assert weight.std().item() == pytest.approx((2 / 128) ** 0.5, rel=0.03)


def test_block_specs_read_channels_and_strides_off_the_blocks():
    specs = models.block_specs(models.SmallResNet(16))
    assert [(b["in_ch"], b["out_ch"], b["stride"]) for b in specs] == [
        (16, 16, 1),
        (16, 32, 2),
        (32, 32, 1),
    ]
    assert [b["projection"] for b in specs] == [False, True, False]


def test_small_resnet_stages_run_the_course_batch():
    rows = models.small_resnet_stages()
    assert rows[-1]["output shape"] == (course.CIFAR_INPUT[0], course.CIFAR_CLASSES)


def _stacks(depths, residual, batch_norm=False, n_models=2):
    torch.manual_seed(0)
    stacks = [
        models.MLPStack(d, residual=residual, n_models=n_models, batch_norm=batch_norm)
        for d in depths
    ]
    for stack in stacks:  # nonzero residual branches, so every layer matters
        for layer in stack.linears():
            nn.init.normal_(layer.weight, std=0.2)
            nn.init.normal_(layer.bias, std=0.2)
    return stacks


@pytest.mark.parametrize("residual, batch_norm", [(False, False), (True, False), (True, True)])
def test_mixed_depth_stack_gives_each_model_the_output_of_its_own_stack(residual, batch_norm):
    stacks = _stacks((2, 10, 6, 10), residual, batch_norm)
    joined = models.MixedDepthStack(stacks)
    x = torch.randn(2, 9, 64)
    out = joined(x.repeat(len(stacks), 1, 1))  # (8, 9, 10), stacks deepest first
    expected = torch.cat([stack(x) for stack in joined.members])
    torch.testing.assert_close(out, expected)


def test_mixed_depth_stack_orders_its_members_deepest_first():
    stacks = _stacks((2, 10, 6), residual=True)
    assert [s.depth for s in models.MixedDepthStack(stacks).members] == [10, 6, 2]


def test_mixed_depth_stack_gives_each_model_the_gradient_of_its_own_loss():
    stacks = _stacks((4, 8), residual=False)
    joined = models.MixedDepthStack(stacks)
    x = torch.randn(2, 9, 64)
    joined(x.repeat(2, 1, 1))[2:].pow(2).sum().backward()  # rows 2-3: the depth-4 stack
    stacks[0](x).pow(2).sum().backward()
    torch.testing.assert_close(joined.head.weight.grad[2:], stacks[0].head.weight.grad)
    torch.testing.assert_close(joined.stem.fc.weight.grad[2:], stacks[0].stem.fc.weight.grad)
    assert joined.head.weight.grad[:2].abs().sum() == 0


def test_write_back_copies_the_joined_weights_into_each_stack():
    stacks = _stacks((2, 6, 4), residual=True)
    joined = models.MixedDepthStack(stacks)
    with torch.no_grad():
        for param in joined.parameters():
            param.add_(1.0)
    x = torch.randn(2, 5, 64)
    expected = joined(x.repeat(3, 1, 1))
    joined.write_back()
    torch.testing.assert_close(torch.cat([stack(x) for stack in joined.members]), expected)


def test_mixed_depth_stack_refuses_to_join_plain_and_residual_stacks():
    with pytest.raises(ValueError):
        models.MixedDepthStack(_stacks((4,), False) + _stacks((4,), True))
