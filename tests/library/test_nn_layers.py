"""Every module computes what its function computes and passes a gradient check
with respect to its input and its parameters."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microtensor as mt
import microtensor.functional as F
from microtensor import nn

ACTIVATIONS = [
    (nn.Sigmoid(), F.sigmoid),
    (nn.Tanh(), F.tanh),
    (nn.ReLU(), F.relu),
    (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
    (nn.ELU(0.7), lambda x: F.elu(x, 0.7)),
    (nn.GELU(), F.gelu),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh")),
    (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish),
    (nn.Softplus(2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.Hardtanh(-0.5, 2.0), lambda x: F.hardtanh(x, -0.5, 2.0)),
    (nn.Softmax(dim=0), lambda x: F.softmax(x, axis=0)),
    (nn.LogSoftmax(), F.log_softmax),
]

KINKS = (-0.5, 0.0, 2.0, 2.5)


def _module_id(item):
    return repr(item)


def _away_from_kinks(x):
    for kink in KINKS:
        x = np.where(np.abs(x - kink) < 0.05, kink + 0.1, x)
    return x


def _check_module(module, x, atol=1e-6, rtol=1e-4):
    """Compare the module's analytic gradients with central differences."""
    x = mt.tensor(x, requires_grad=True)
    out = module(x)
    upstream = np.random.default_rng(0).standard_normal(out.shape)
    module.zero_grad()
    out.backward(upstream)

    def scored(_):
        return float(np.sum(module(x).data * upstream))

    for name, p in module.named_parameters():
        original = p.data
        numeric = mt.numerical_grad(_set_and(p, scored), original)
        p.data = original
        np.testing.assert_allclose(p.grad, numeric, atol=atol, rtol=rtol, err_msg=name)
    x_grad = x.grad
    numeric = mt.numerical_grad(_set_and(x, scored), x.data.copy())
    np.testing.assert_allclose(x_grad, numeric, atol=atol, rtol=rtol, err_msg="input")


def _set_and(tensor, scored):
    def f(array):
        tensor.data = array
        return scored(array)

    return f


_inputs = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
    elements=st.floats(-3, 3, allow_nan=False, allow_infinity=False),
)


@pytest.mark.parametrize(("module", "function"), ACTIVATIONS, ids=_module_id)
@settings(max_examples=15, deadline=None)
@given(x=_inputs)
def test_activation_module_matches_its_function_and_passes_gradcheck(
    module, function, x
):
    x = _away_from_kinks(x)
    np.testing.assert_array_equal(
        module(mt.tensor(x)).data, function(mt.tensor(x)).data
    )
    _check_module(module, x)


@settings(max_examples=15, deadline=None)
@given(
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 4),
    batch=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
    bias=st.booleans(),
    init=st.sampled_from(["kaiming_uniform", "xavier_uniform", "normal"]),
    seed=st.integers(0, 2**16),
)
def test_linear_passes_gradcheck_for_input_weight_and_bias(
    n_in, n_out, batch, bias, init, seed
):
    layer = nn.Linear(n_in, n_out, bias=bias, init=init, rng=seed)
    x = np.random.default_rng(seed + 1).standard_normal(batch + (n_in,))
    _check_module(layer, x)


def test_sequential_mlp_passes_gradcheck():
    model = nn.Sequential(
        nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 4, rng=1), nn.LogSoftmax()
    )
    _check_module(model, np.random.default_rng(2).standard_normal((6, 3)))


def test_dropout_module_is_active_only_in_training_and_draws_new_masks():
    layer = nn.Dropout(0.5, rng=0)
    x = mt.ones(100)
    first, second = layer(x).data, layer(x).data
    assert not np.array_equal(first, second)
    assert set(np.unique(first)) <= {0.0, 2.0}
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="Dropout: p=-0.1"):
        nn.Dropout(-0.1)


LOSSES = [
    (nn.MSELoss(), F.mse_loss, "regression"),
    (nn.L1Loss(reduction="sum"), lambda a, b: F.l1_loss(a, b, "sum"), "regression"),
    (nn.BCELoss(), F.binary_cross_entropy, "probability"),
    (
        nn.BCEWithLogitsLoss(pos_weight=np.array([2.0, 1.0, 0.5])),
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, pos_weight=np.array([2.0, 1.0, 0.5])
        ),
        "probability",
    ),
    (
        nn.CrossEntropyLoss(label_smoothing=0.1),
        lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1),
        "classes",
    ),
    (
        nn.NLLLoss(weight=np.array([1.0, 2.0, 3.0])),
        lambda a, b: F.nll_loss(a, b, weight=np.array([1.0, 2.0, 3.0])),
        "classes",
    ),
]


@pytest.mark.parametrize(("module", "function", "kind"), LOSSES, ids=_module_id)
def test_loss_module_matches_its_function(module, function, kind):
    rng = np.random.default_rng(3)
    x = rng.uniform(0.1, 0.9, (4, 3))
    target = {
        "regression": rng.standard_normal((4, 3)),
        "probability": rng.uniform(0, 1, (4, 3)),
        "classes": np.array([0, 2, 1, 1]),
    }[kind]
    a, b = mt.tensor(x, requires_grad=True), mt.tensor(x, requires_grad=True)
    out = module(a, target)
    expected = function(b, target)
    out.backward()
    expected.backward()
    assert out.item() == expected.item()
    np.testing.assert_array_equal(a.grad, b.grad)


def test_loss_module_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match="MSELoss: reduction='avg'"):
        nn.MSELoss(reduction="avg")
