"""W1: the XOR network 2-8-1, tanh hidden, sigmoid output, MSE, batch 4.

The smallest network of the unit, trained for 1,000 SGD steps on the four
XOR patterns: almost all of the time is per-op overhead.
"""

from dataclasses import dataclass

import numpy as np

from benchmarks.workloads.base import (
    Trainer,
    Workload,
    copy_into_microtensor,
    copy_into_torch,
    copy_params,
    linear_init,
    named_arrays,
    to_torch,
)

__all__ = ["WORKLOAD", "XorSizes"]


@dataclass(frozen=True)
class XorSizes:
    """Sizes of W1: 2 inputs, ``hidden`` tanh units, 1 sigmoid output."""

    hidden: int = 8
    steps: int = 1000
    lr: float = 0.5
    seed: int = 1


def make_problem(sizes):
    """The four XOR patterns, their targets (4, 1) and initial parameters."""
    rng = np.random.default_rng(sizes.seed)
    w0, b0 = linear_init(rng, 2, sizes.hidden)
    w2, b2 = linear_init(rng, sizes.hidden, 1)
    return {
        "x": np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
        "y": np.array([[0.0], [1.0], [1.0], [0.0]]),
        "params": {"0.weight": w0, "0.bias": b0, "2.weight": w2, "2.bias": b2},
        "steps": sizes.steps,
        "lr": sizes.lr,
    }


def build_microtensor(problem):
    """The network as a student writes it with microtensor's public API."""
    import microtensor as mt
    import microtensor.functional as F
    from microtensor import nn, optim

    hidden = problem["params"]["0.weight"].shape[0]
    model = nn.Sequential(
        nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1), nn.Sigmoid()
    )
    copy_into_microtensor(model, problem["params"])
    optimizer = optim.SGD(model.parameters(), lr=problem["lr"])
    x, y, steps = mt.tensor(problem["x"]), problem["y"], problem["steps"]

    def train():
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.data))


def build_numpy(problem):
    """Forward and backward by hand, the same arithmetic as the other two."""
    p = copy_params(problem["params"])
    w0, b0, w2, b2 = p["0.weight"], p["0.bias"], p["2.weight"], p["2.bias"]
    x, y, steps, lr = problem["x"], problem["y"], problem["steps"], problem["lr"]

    def train():
        return [_numpy_step(x, y, w0, b0, w2, b2, lr) for _ in range(steps)]

    return Trainer(train, lambda: copy_params(p))


def _numpy_step(x, y, w0, b0, w2, b2, lr):
    """One forward, backward and in-place SGD update; return the loss."""
    h = np.tanh(x @ w0.T + b0)
    out = 1.0 / (1.0 + np.exp(-(h @ w2.T + b2)))
    diff = out - y
    loss = float(np.mean(diff * diff))

    grad_z2 = (2.0 / diff.size) * diff * out * (1.0 - out)
    grad_z0 = (grad_z2 @ w2) * (1.0 - h * h)
    w2 -= lr * (grad_z2.T @ h)
    b2 -= lr * grad_z2.sum(axis=0)
    w0 -= lr * (grad_z0.T @ x)
    b0 -= lr * grad_z0.sum(axis=0)
    return loss


def build_torch(problem):
    """The same network in PyTorch's eager mode, float64, one thread."""
    from benchmarks.environment import torch_or_none

    torch = torch_or_none()
    nn, F = torch.nn, torch.nn.functional
    hidden = problem["params"]["0.weight"].shape[0]
    model = nn.Sequential(
        nn.Linear(2, hidden, dtype=torch.float64),
        nn.Tanh(),
        nn.Linear(hidden, 1, dtype=torch.float64),
        nn.Sigmoid(),
    )
    copy_into_torch(torch, model, problem["params"])
    optimizer = torch.optim.SGD(model.parameters(), lr=problem["lr"])
    x, y = to_torch(torch, problem["x"]), to_torch(torch, problem["y"])
    steps = problem["steps"]

    def train():
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.detach().numpy()))


WORKLOAD = Workload(
    key="W1",
    title="XOR MLP 2-8-1, tanh, sigmoid, MSE; batch 4, 1,000 SGD steps",
    full=XorSizes(),
    tiny=XorSizes(steps=5),
    make_problem=make_problem,
    builders={
        "microtensor": build_microtensor,
        "numpy": build_numpy,
        "torch": build_torch,
    },
)
