"""Every primitive agrees with PyTorch, value and gradient, to 1e-10 in float64.

Runs when torch is installed (the ``compare`` extra). With
``MICROTENSOR_REQUIRE_TORCH=1`` (as CI sets it) a missing torch is an error,
not a skip, so the cross-check cannot silently stop running.
"""

import os

import numpy as np
import pytest
from engine_cases import CASES
from hypothesis import given
from hypothesis import strategies as st

import microtensor as mt

if os.environ.get("MICROTENSOR_REQUIRE_TORCH") == "1":
    import torch
else:
    torch = pytest.importorskip("torch")

TOL = 1e-10


def _torch_leaf(array):
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _compare(call, torch_call, arrays, params, upstream_seed=0):
    """Run one op both ways on the same inputs and upstream gradient."""
    tensors = [mt.tensor(a, requires_grad=True) for a in arrays]
    leaves = [_torch_leaf(a) for a in arrays]

    out = call(params, *tensors)
    expected = torch_call(params, *leaves)

    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(
        out.data, expected.detach().numpy(), rtol=TOL, atol=TOL, err_msg="value"
    )

    upstream = np.random.default_rng(upstream_seed).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))

    for position, (tensor, leaf) in enumerate(zip(tensors, leaves)):
        want = np.zeros(tensor.shape) if leaf.grad is None else leaf.grad.numpy()
        got = np.zeros(tensor.shape) if tensor.grad is None else tensor.grad
        np.testing.assert_allclose(
            got, want, rtol=TOL, atol=TOL, err_msg=f"gradient of input {position}"
        )


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_value_and_gradient_agree_with_torch(case, data):
    arrays, params = data.draw(case.inputs, label="inputs")

    _compare(case.call, case.torch, arrays, params)


def _unary(name):
    return (lambda p, x: getattr(x, name)()), (lambda p, x: getattr(x, name)())


KINKS = {
    "relu_at_zero": (*_unary("relu"), [np.array([-1.0, 0.0, -0.0, 2.0])]),
    "abs_at_zero": (*_unary("abs"), [np.array([-1.0, 0.0, -0.0, 2.0])]),
    "clip_at_bounds": (
        lambda p, x: x.clip(-1.0, 1.0),
        lambda p, x: x.clamp(-1.0, 1.0),
        [np.array([-2.0, -1.0, 0.0, 1.0, 2.0])],
    ),
    "tanh_at_1000": (*_unary("tanh"), [np.array([-1000.0, 0.0, 1000.0])]),
    "sigmoid_at_1000": (*_unary("sigmoid"), [np.array([-1000.0, -40.0, 0.0, 1000.0])]),
    "exp_underflow": (*_unary("exp"), [np.array([-800.0, 0.0])]),
    "square_of_negative": (
        lambda p, x: x**2,
        lambda p, x: x**2,
        [np.array([-3.0, -0.5, 0.0])],
    ),
    "power_zero_at_zero": (
        lambda p, x: x**0,
        lambda p, x: x**0,
        [np.array([0.0, -2.0, 3.0])],
    ),
    "tensor_exponent_at_zero_base": (
        lambda p, x, y: x**y,
        lambda p, x, y: x**y,
        [np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, 2.0, 1.0, 0.0])],
    ),
    "maximum_all_tied": (
        lambda p, x, y: mt.maximum(x, y),
        lambda p, x, y: torch.maximum(x, y),
        [np.array([[1.0, 2.0], [3.0, 3.0]]), np.array([1.0, 3.0])],
    ),
    "minimum_all_tied": (
        lambda p, x, y: mt.minimum(x, y),
        lambda p, x, y: torch.minimum(x, y),
        [np.array([[1.0, 2.0], [3.0, 3.0]]), np.array([1.0, 3.0])],
    ),
    "max_three_way_tie": (
        lambda p, x: x.max(),
        lambda p, x: x.amax(),
        [np.array([[2.0, 1.0, 2.0], [0.0, 2.0, -1.0]])],
    ),
    "min_rows_tied": (
        lambda p, x: x.min(axis=1, keepdims=True),
        lambda p, x: x.amin(dim=1, keepdim=True),
        [np.array([[0.0, 0.0, 1.0], [5.0, 5.0, 5.0]])],
    ),
    "repeated_integer_index": (
        lambda p, x: x[np.array([0, 2, 0, 0])],
        lambda p, x: x[torch.tensor([0, 2, 0, 0])],
        [np.array([1.0, 2.0, 3.0])],
    ),
}


@pytest.mark.parametrize("name", list(KINKS))
def test_kinks_and_ties_follow_torch(name):
    call, torch_call, arrays = KINKS[name]

    with np.errstate(divide="raise", over="raise", invalid="raise"):
        _compare(call, torch_call, arrays, {})


def test_sqrt_at_zero_has_an_infinite_slope_like_torch():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        _compare(*_unary("sqrt"), [np.array([0.0, 4.0])], {})


def test_a_small_network_step_matches_torch():
    rng = np.random.default_rng(3)
    x_np, w1_np, w2_np = (rng.standard_normal(s) for s in [(4, 3), (3, 5), (5, 2)])
    x = mt.tensor(x_np)
    w1, w2 = mt.tensor(w1_np, requires_grad=True), mt.tensor(w2_np, requires_grad=True)
    tx, tw1, tw2 = torch.tensor(x_np), _torch_leaf(w1_np), _torch_leaf(w2_np)

    loss = ((x @ w1).tanh() @ w2).sigmoid().log().mean()
    tloss = ((tx @ tw1).tanh() @ tw2).sigmoid().log().mean()
    loss.backward()
    tloss.backward()

    assert loss.item() == pytest.approx(tloss.item(), rel=TOL, abs=TOL)
    np.testing.assert_allclose(w1.grad, tw1.grad.numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(w2.grad, tw2.grad.numpy(), rtol=TOL, atol=TOL)
