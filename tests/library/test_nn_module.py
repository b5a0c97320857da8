"""Module registration, traversal, modes, state and files; Linear; containers."""

import numpy as np
import pytest

import microtensor as mt
from microtensor import ShapeError, nn
from microtensor.nn import Parameter, StateDictError


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = [nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1)]
        self.scale = Parameter(np.ones(2))
        self.pair = (Parameter([1.0]), Parameter([2.0]))
        self.named = {"head": nn.Linear(2, 1, rng=2)}
        self.note = "not registered"

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        x = x * self.scale + self.pair[0] * self.pair[1]
        return self.named["head"](x)


def test_parameters_in_attributes_lists_tuples_and_dicts_get_dotted_names():
    names = [name for name, _ in Block().named_parameters()]
    assert names == [
        "scale",
        "pair.0",
        "pair.1",
        "layers.0.weight",
        "layers.0.bias",
        "layers.2.weight",
        "layers.2.bias",
        "named.head.weight",
        "named.head.bias",
    ]


def test_modules_appended_to_a_list_later_are_found():
    block = Block()
    block.layers.append(nn.Linear(2, 2, rng=3))
    assert "layers.3.weight" in dict(block.named_parameters())


def test_reassigning_an_attribute_to_a_plain_value_unregisters_it():
    block = Block()
    block.scale = np.ones(2)
    del block.pair
    names = dict(block.named_parameters())
    assert "scale" not in names and "pair.0" not in names


def test_a_shared_parameter_is_listed_once():
    layer = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert len(model.state_dict()) == 4


def test_assigning_a_parameter_before_init_says_to_call_super_init():
    class Broken(nn.Module):
        def __init__(self):
            self.w = Parameter([1.0])

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(mt.ones(1))


def test_children_and_modules_walk_the_tree_once_each():
    block = Block()
    children = [name for name, _ in block.named_children()]
    assert children == ["layers.0", "layers.1", "layers.2", "named.head"]
    assert len(list(block.modules())) == 5


def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Sequential(nn.Dropout(0.5)))
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_zero_grad_sets_every_gradient_to_none():
    block = Block()
    block(mt.ones(5, 3)).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())


def test_parameter_requires_grad_and_is_a_tensor():
    p = Parameter([1.0, 2.0])
    assert isinstance(p, mt.Tensor) and p.requires_grad
    assert "Parameter" in repr(p)


# -- state ----------------------------------------------------------------------


def test_state_dict_round_trip_restores_outputs():
    x = mt.randn(5, 3, rng=9)
    source, target = Block(), Block()
    for p in source.parameters():
        p.data += 1.0
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target(x).data, source(x).data)


def test_state_dict_holds_copies():
    block = Block()
    state = block.state_dict()
    state["scale"][...] = 7.0
    np.testing.assert_array_equal(block.scale.data, 1.0)


def test_load_state_dict_lists_missing_and_unexpected_keys():
    block = Block()
    state = block.state_dict()
    del state["scale"]
    state["extra.weight"] = np.ones(1)
    with pytest.raises(StateDictError) as info:
        block.load_state_dict(state)
    message = str(info.value)
    assert "missing keys: scale" in message
    assert "unexpected keys: extra.weight" in message
    assert isinstance(info.value, KeyError)


def test_load_state_dict_names_misshapen_keys_and_changes_nothing():
    block = Block()
    before = block.state_dict()
    state = block.state_dict()
    state["scale"] = np.zeros(3)
    state["layers.0.bias"] = np.zeros(4) + 5.0
    with pytest.raises(ShapeError, match=r"scale: expected shape \(2,\), got \(3,\)"):
        block.load_state_dict(state)
    np.testing.assert_array_equal(block.layers[0].bias.data, before["layers.0.bias"])


def test_non_strict_loading_returns_what_did_not_match():
    block = Block()
    missing, unexpected = block.load_state_dict({"scale": np.zeros(2), "x": 1}, False)
    assert "layers.0.weight" in missing and unexpected == ["x"]
    np.testing.assert_array_equal(block.scale.data, 0.0)


def test_save_and_load_round_trip_through_npz(tmp_path):
    path = tmp_path / "block.npz"
    source, target = Block(), Block()
    for p in source.parameters():
        p.data *= -2.0
    source.save(path)
    assert np.load(path, allow_pickle=False).files
    target.load(path)
    for (name, a), (_, b) in zip(
        source.named_parameters(), target.named_parameters(), strict=True
    ):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)


def test_load_refuses_pickled_objects(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, scale=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        Block().load(path)


def test_loading_keeps_a_float32_model_float32(tmp_path):
    layer = nn.Linear(3, 2, rng=0, dtype=np.float32)
    layer.load_state_dict(nn.Linear(3, 2, rng=1).state_dict())
    assert layer.weight.dtype == np.float32


# -- Linear -----------------------------------------------------------------------


def test_linear_weight_is_out_by_in_and_computes_x_w_transpose_plus_b():
    layer = nn.Linear(3, 2, rng=0)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = np.random.default_rng(1).standard_normal((4, 3))
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(mt.tensor(x)).data, expected, rtol=1e-14)
    assert layer(mt.tensor(x[0])).shape == (2,)
    assert layer(mt.tensor(np.ones((2, 5, 3)))).shape == (2, 5, 2)


@pytest.mark.parametrize(
    ("init", "bound"),
    [
        ("kaiming_uniform", 1.0 / np.sqrt(200)),
        ("xavier_uniform", np.sqrt(6.0 / 300)),
    ],
)
def test_uniform_inits_fill_their_interval(init, bound):
    layer = nn.Linear(200, 100, init=init, rng=0)
    w = layer.weight.data
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.98 * bound
    assert abs(w.std() - bound / np.sqrt(3.0)) < 0.02 * bound


def test_kaiming_bias_is_uniform_and_the_other_inits_start_it_at_zero():
    assert np.abs(nn.Linear(16, 50, rng=0).bias.data).max() <= 0.25
    assert np.any(nn.Linear(16, 50, rng=0).bias.data != 0.0)
    for init in ("xavier_uniform", "normal"):
        np.testing.assert_array_equal(nn.Linear(4, 3, init=init, rng=0).bias.data, 0)


def test_normal_init_has_standard_deviation_one_over_root_fan_in():
    w = nn.Linear(100, 400, init="normal", rng=0).weight.data
    assert abs(w.std() - 0.1) < 0.005 and abs(w.mean()) < 0.005


def test_linear_init_is_reproducible_from_a_seed_and_from_manual_seed():
    a = nn.Linear(3, 3, rng=5).weight.data
    np.testing.assert_array_equal(a, nn.Linear(3, 3, rng=5).weight.data)
    mt.manual_seed(1)
    b = nn.Linear(3, 3).weight.data
    mt.manual_seed(1)
    np.testing.assert_array_equal(b, nn.Linear(3, 3).weight.data)


def test_linear_options_bias_false_dtype_and_bad_init():
    layer = nn.Linear(3, 2, bias=False, rng=0, dtype="float32")
    assert layer.bias is None and layer.weight.dtype == np.float32
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer(mt.ones(4, 3, dtype=np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="init='he'"):
        nn.Linear(2, 2, init="he")


def test_linear_shape_mismatch_is_a_shape_error():
    with pytest.raises(ShapeError, match=r"\(4, 5\)"):
        nn.Linear(3, 2, rng=0)(mt.ones(4, 5))


# -- containers -------------------------------------------------------------------


def test_sequential_applies_modules_in_order_and_indexes_like_a_list():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1))
    x = mt.randn(4, 2, rng=2)
    expected = model[2](model[1](model[0](x)))
    np.testing.assert_array_equal(model(x).data, expected.data)
    assert len(model) == 3 and len(model[:2]) == 2
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert "(0): Linear(in_features=2, out_features=3, bias=True)" in repr(model)


def test_module_list_registers_appended_modules_and_rejects_others():
    layers = nn.ModuleList([nn.Linear(2, 2, rng=0)])
    layers.append(nn.Linear(2, 1, rng=1))
    assert [n for n, _ in layers.named_parameters()][-1] == "1.bias"
    with pytest.raises(TypeError, match="must be Modules"):
        layers.append(np.ones(2))
