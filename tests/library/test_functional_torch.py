"""Every function agrees with the PyTorch function of the same name to 1e-10.

Values and gradients (of every float argument that requires grad) are compared
in float64 on the same Hypothesis-drawn inputs, kinks and ties included. A
missing torch skips these tests, unless MICROTENSOR_REQUIRE_TORCH=1 (as in CI),
which makes it a failure.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from library_cases import CASES, Arg, case_id, convert

import microtensor as mt
import microtensor.functional as F

TOL = 1e-10


def _torch_function(torch, case):
    name = case.theirs or case.name
    if name.startswith("torch."):
        return getattr(torch, name.split(".", 1)[1])
    return getattr(torch.nn.functional, name)


def _torch_kwargs(torch, kwargs):
    return {
        key: torch.tensor(value) if isinstance(value, np.ndarray) else value
        for key, value in kwargs.items()
    }


def _run_ours(case, args, kwargs, upstream_rng):
    values = convert(
        args,
        lambda a: mt.tensor(a.value, requires_grad=a.requires_grad),
        lambda i: i.value,
    )
    out = case.ours(*values, **kwargs)
    upstream = upstream_rng.standard_normal(out.shape)
    out.backward(upstream)
    grads = [v.grad for v, a in zip(values, args, strict=True) if _needs_grad(a)]
    return out.data, upstream, grads


def _run_theirs(torch, case, args, kwargs, upstream):
    values = convert(
        args,
        lambda a: torch.tensor(a.value, requires_grad=a.requires_grad),
        lambda i: torch.tensor(i.value),
    )
    out = _torch_function(torch, case)(*values, **_torch_kwargs(torch, kwargs))
    out.backward(torch.tensor(upstream))
    grads = [v.grad for v, a in zip(values, args, strict=True) if _needs_grad(a)]
    return out.detach().numpy(), [g.numpy() for g in grads]


def _needs_grad(arg):
    return isinstance(arg, Arg) and arg.requires_grad


def _assert_close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=case_id)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_function_matches_torch_in_value_and_gradient(torch, case, data):
    args, kwargs = case.draw(data, smooth=False)
    rng = np.random.default_rng(0)
    out, upstream, grads = _run_ours(case, args, kwargs, rng)
    ref_out, ref_grads = _run_theirs(torch, case, args, kwargs, upstream)
    assert out.shape == ref_out.shape
    _assert_close(out, ref_out, f"{case.name} value, {kwargs}")
    for index, (grad, ref) in enumerate(zip(grads, ref_grads, strict=True)):
        _assert_close(grad, ref, f"{case.name} gradient {index}, {kwargs}")


# -- stability at +-1e4 ------------------------------------------------------

BIG = np.array([[-1e4, -30.0, 0.0, 30.0, 1e4], [1e4, 1e4 - 1.0, -1e4, 2.0, -5.0]])

ELEMENTWISE = [
    ("sigmoid", {}),
    ("tanh", {}),
    ("relu", {}),
    ("leaky_relu", {"negative_slope": 0.1}),
    ("elu", {"alpha": 1.3}),
    ("gelu", {"approximate": "none"}),
    ("gelu", {"approximate": "tanh"}),
    ("silu", {}),
    ("mish", {}),
    ("softplus", {"beta": 2.0, "threshold": 20.0}),
    ("hardtanh", {}),
    ("softmax", {"dim": 1}),
    ("log_softmax", {"dim": 1}),
    ("softmax", {"dim": 0}),
    ("log_softmax", {"dim": 0}),
]


@pytest.mark.parametrize(
    ("name", "kwargs"), ELEMENTWISE, ids=[f"{n}-{k}" for n, k in ELEMENTWISE]
)
def test_function_is_finite_and_matches_torch_at_1e4(torch, name, kwargs):
    upstream = np.random.default_rng(1).standard_normal(BIG.shape)
    x = mt.tensor(BIG, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(F, name)(x, **kwargs)
        out.backward(upstream)
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    tx = torch.tensor(BIG, requires_grad=True)
    ref = getattr(torch.nn.functional, name)(tx, **kwargs)
    ref.backward(torch.tensor(upstream))
    _assert_close(out.data, ref.detach().numpy(), f"{name} value")
    _assert_close(x.grad, tx.grad.numpy(), f"{name} gradient")


def test_logsumexp_and_cross_entropy_are_stable_at_1e4(torch):
    x = mt.tensor(BIG, requires_grad=True)
    target = np.array([4, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, target) + F.logsumexp(x, axis=1).sum()
        loss.backward()
    tx = torch.tensor(BIG, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(tx, torch.tensor(target))
    ref = ref + torch.logsumexp(tx, 1).sum()
    ref.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad))
    _assert_close(loss.data, ref.detach().numpy(), "value")
    _assert_close(x.grad, tx.grad.numpy(), "gradient")


def test_binary_cross_entropy_clamps_its_logs_at_minus_100_like_torch(torch):
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    ours = F.binary_cross_entropy(mt.tensor(x, requires_grad=True), t, reduction="none")
    ref = torch.nn.functional.binary_cross_entropy(
        torch.tensor(x), torch.tensor(t), reduction="none"
    )
    assert ours.data[0] == 100.0 and ours.data[1] == 100.0
    _assert_close(ours.data, ref.numpy(), "clamped values")


def test_binary_cross_entropy_with_logits_is_stable_at_1e4(torch):
    x = BIG.ravel()
    t = np.linspace(0.0, 1.0, x.size)
    ours_x = mt.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(ours_x, t)
        loss.backward()
    tx = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(tx, torch.tensor(t))
    ref.backward()
    _assert_close(loss.data, ref.detach().numpy(), "value")
    _assert_close(ours_x.grad, tx.grad.numpy(), "gradient")
