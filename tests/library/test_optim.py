"""Optimizers reproduce PyTorch's parameter trajectories; clipping matches
PyTorch's; updates are in place, keep the dtype and leave ``.grad`` alone."""

import math

import numpy as np
import pytest

import microtensor as mt
import microtensor.functional as F
from microtensor import nn, optim

TOL = 1e-10
STEPS = 20

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.2, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.5}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.3, "centered": True, "weight_decay": 0.1}),
]


def _problem():
    rng = np.random.default_rng(42)
    return {
        "x": rng.standard_normal((8, 4)),
        "y": rng.standard_normal((8, 3)),
        "w": rng.standard_normal((3, 4)) * 0.5,
        "b": rng.standard_normal(3) * 0.1,
    }


def _ours_loss(w, b, data):
    hidden = F.tanh(F.linear(mt.tensor(data["x"]), w, b))
    return F.mse_loss(hidden, data["y"]) + 0.1 * (w * w).sum()


def _theirs_loss(torch, w, b, data):
    hidden = torch.tanh(torch.nn.functional.linear(torch.tensor(data["x"]), w, b))
    loss = torch.nn.functional.mse_loss(hidden, torch.tensor(data["y"]))
    return loss + 0.1 * (w * w).sum()


def _trajectory_ours(name, kwargs, data, scheduler=None, steps=STEPS):
    w = mt.tensor(data["w"], requires_grad=True)
    b = mt.tensor(data["b"], requires_grad=True)
    opt = getattr(optim, name)([w, b], **kwargs)
    sched = scheduler(opt) if scheduler else None
    path = []
    for _ in range(steps):
        opt.zero_grad()
        _ours_loss(w, b, data).backward()
        opt.step()
        if sched:
            sched.step()
        path.append((w.data.copy(), b.data.copy()))
    return path


def _trajectory_theirs(torch, name, kwargs, data, scheduler=None, steps=STEPS):
    w = torch.tensor(data["w"], requires_grad=True)
    b = torch.tensor(data["b"], requires_grad=True)
    opt = getattr(torch.optim, name)([w, b], **kwargs)
    sched = scheduler(opt) if scheduler else None
    path = []
    for _ in range(steps):
        opt.zero_grad()
        _theirs_loss(torch, w, b, data).backward()
        opt.step()
        if sched:
            sched.step()
        path.append((w.detach().numpy().copy(), b.detach().numpy().copy()))
    return path


def _assert_same_path(ours, theirs):
    for step, ((w, b), (tw, tb)) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_allclose(w, tw, rtol=TOL, atol=TOL, err_msg=f"w, step {step}")
        np.testing.assert_allclose(b, tb, rtol=TOL, atol=TOL, err_msg=f"b, step {step}")


@pytest.mark.parametrize(
    ("name", "kwargs"), CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS]
)
def test_optimizer_reproduces_torch_trajectory_over_20_steps(torch, name, kwargs):
    data = _problem()
    ours = _trajectory_ours(name, kwargs, data)
    theirs = _trajectory_theirs(torch, name, dict(kwargs, foreach=False), data)
    moved = np.abs(ours[-1][0] - data["w"]).max()
    assert moved > 1e-3, "the problem must move the parameters"
    _assert_same_path(ours, theirs)


def test_step_lr_schedule_matches_torch(torch):
    data = _problem()
    ours = _trajectory_ours(
        "SGD",
        {"lr": 0.2, "momentum": 0.5},
        data,
        lambda o: optim.lr_scheduler.StepLR(o, step_size=6, gamma=0.3),
    )
    theirs = _trajectory_theirs(
        torch,
        "SGD",
        {"lr": 0.2, "momentum": 0.5},
        data,
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=6, gamma=0.3),
    )
    _assert_same_path(ours, theirs)


def test_step_lr_changes_the_rate_every_step_size_epochs():
    w = mt.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=1.0)
    sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    rates = []
    for _ in range(7):
        rates.append(opt.param_groups[0]["lr"])
        sched.step()
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    assert sched.get_last_lr() == [0.25]
    with pytest.raises(ValueError, match="step_size=0"):
        optim.lr_scheduler.StepLR(opt, step_size=0)


def test_parameter_groups_with_their_own_rates_match_torch(torch):
    data = _problem()
    w = mt.tensor(data["w"], requires_grad=True)
    b = mt.tensor(data["b"], requires_grad=True)
    tw = torch.tensor(data["w"], requires_grad=True)
    tb = torch.tensor(data["b"], requires_grad=True)
    opt = optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.1}], lr=0.01)
    topt = torch.optim.Adam([{"params": [tw]}, {"params": [tb], "lr": 0.1}], lr=0.01)
    for _ in range(STEPS):
        opt.zero_grad()
        topt.zero_grad()
        _ours_loss(w, b, data).backward()
        _theirs_loss(torch, tw, tb, data).backward()
        opt.step()
        topt.step()
    np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=TOL, atol=TOL)
    np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=TOL, atol=TOL)


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=[n for n, _ in CONFIGS])
def test_optimizer_updates_in_place_keeps_float32_and_leaves_grad_alone(name, kwargs):
    w = mt.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True, dtype="f4")
    storage = w.data
    opt = getattr(optim, name)([w], **kwargs)
    for _ in range(3):
        opt.zero_grad()
        (w * w * w).sum().backward()
        grad_before = w.grad.copy()
        opt.step()
        np.testing.assert_array_equal(w.grad, grad_before)
    assert w.data is storage
    assert w.data.dtype == np.float32 and w.is_leaf
    assert all(
        v.dtype == np.float32
        for state in opt.state.values()
        for v in (state.values() if isinstance(state, dict) else [state])
        if isinstance(v, np.ndarray)
    )


def test_step_skips_parameters_without_gradients_and_zero_grad_sets_none():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert b.data[0] == 3.0 and a.data[0] != 1.0
    opt.zero_grad()
    assert a.grad is None and b.grad is None


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop"])
def test_an_empty_parameter_list_is_a_clear_error(name):
    with pytest.raises(ValueError, match=rf"{name}: got an empty parameter list"):
        getattr(optim, name)([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        getattr(optim, name)(nn.ReLU().parameters(), lr=0.1)


def test_optimizer_misuse_messages():
    w = mt.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="got a single Tensor; wrap it in a list"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match=r"model.parameters\(\) rather than"):
        optim.SGD(nn.Linear(2, 2).parameters, lr=0.1)
    with pytest.raises(ValueError, match="does not require grad"):
        optim.SGD([mt.tensor([1.0])], lr=0.1)
    with pytest.raises(ValueError, match=r"lr=-1"):
        optim.Adam([w], lr=-1)
    with pytest.raises(ValueError, match=r"betas\[1\]=1.0"):
        optim.Adam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="nesterov"):
        optim.SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="more than one group"):
        optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)


# -- clipping -------------------------------------------------------------------


def _grads():
    rng = np.random.default_rng(7)
    return [rng.standard_normal(s) for s in [(3, 4), (4,), (2, 2, 2)]]


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm):
    grads = _grads()
    params = [mt.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    tparams = [
        torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads
    ]
    for p, tp, g in zip(params, tparams, grads, strict=True):
        p.grad = g.copy()
        tp.grad = torch.tensor(g)
    originals = [p.grad for p in params]
    total = optim.clip_grad_norm_(params, max_norm, norm_type)
    ref = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type, foreach=False)
    assert total == pytest.approx(float(ref), rel=TOL)
    for p, tp, original, g in zip(params, tparams, originals, grads, strict=True):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=TOL, atol=TOL)
        np.testing.assert_array_equal(original, g)
    if max_norm < total:
        after = np.linalg.norm(
            np.concatenate([p.grad.ravel() for p in params]), norm_type
        )
        assert after == pytest.approx(max_norm, rel=1e-5)


def test_clip_grad_norm_skips_missing_gradients_and_rejects_empty_lists():
    a = mt.tensor([3.0, 4.0], requires_grad=True)
    b = mt.tensor([1.0], requires_grad=True)
    assert optim.clip_grad_norm_([a, b], 1.0) == 0.0
    a.grad = np.array([3.0, 4.0])
    assert optim.clip_grad_norm_([a, b], 1.0) == 5.0
    assert b.grad is None
    with pytest.raises(
        ValueError, match="clip_grad_norm_: got an empty parameter list"
    ):
        optim.clip_grad_norm_([], 1.0)


def test_clip_grad_norm_can_refuse_a_non_finite_norm():
    a = mt.tensor([1.0], requires_grad=True)
    a.grad = np.array([np.inf])
    with pytest.raises(FloatingPointError, match="inf"):
        optim.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_without_writing_in_place():
    a = mt.tensor([0.0, 0.0, 0.0], requires_grad=True)
    original = np.array([-3.0, 0.5, 2.0])
    a.grad = original
    optim.clip_grad_value_([a], 1.0)
    np.testing.assert_array_equal(a.grad, [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(original, [-3.0, 0.5, 2.0])
