r"""W3: an Elman RNN trained by back-propagation through time.

:math:`h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top)`, from
:math:`h_0 = 0`; the loss is the mean squared error of the last state
:math:`h_T` against a fixed target. Input 8, hidden 32, 100 time steps, batch
16, 20 updates: a deep graph of small ops, where recording and walking the
graph cost more than the arithmetic.
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

__all__ = ["WORKLOAD", "RnnSizes", "build_microtensor", "make_problem"]


@dataclass(frozen=True)
class RnnSizes:
    """Input and hidden widths, sequence length, batch and schedule."""

    inputs: int = 8
    hidden: int = 32
    time_steps: int = 100
    batch: int = 16
    updates: int = 20
    lr: float = 0.1
    seed: int = 3


def make_problem(sizes):
    """A random sequence (time_steps, batch, inputs), a target and parameters.

    The parameters are ``"ih.weight"`` (hidden, inputs), ``"ih.bias"``
    (hidden,) and ``"hh.weight"`` (hidden, hidden); the target has the shape
    (batch, hidden) of the last state, with values in (-1, 1).
    """
    rng = np.random.default_rng(sizes.seed)
    w_ih, b_ih = linear_init(rng, sizes.inputs, sizes.hidden)
    w_hh, _ = linear_init(rng, sizes.hidden, sizes.hidden)
    return {
        "x": rng.standard_normal((sizes.time_steps, sizes.batch, sizes.inputs)),
        "target": rng.uniform(-0.9, 0.9, size=(sizes.batch, sizes.hidden)),
        "params": {"ih.weight": w_ih, "ih.bias": b_ih, "hh.weight": w_hh},
        "steps": sizes.updates,
        "lr": sizes.lr,
    }


def _elman_class(nn, tanh, **kwargs):
    """An Elman RNN module class written against ``nn`` (either library's)."""

    class Elman(nn.Module):
        def __init__(self, n_inputs, n_hidden):
            super().__init__()
            self.ih = nn.Linear(n_inputs, n_hidden, **kwargs)
            self.hh = nn.Linear(n_hidden, n_hidden, bias=False, **kwargs)

        def forward(self, x, h):
            for t in range(len(x)):
                h = tanh(self.ih(x[t]) + self.hh(h))
            return h

    return Elman


def build_microtensor(problem):
    """The RNN as a student writes it with microtensor's public API."""
    import microtensor as mt
    import microtensor.functional as F
    from microtensor import nn, optim

    n_hidden, n_inputs = problem["params"]["ih.weight"].shape
    model = _elman_class(nn, F.tanh)(n_inputs, n_hidden)
    copy_into_microtensor(model, problem["params"])
    optimizer = optim.SGD(model.parameters(), lr=problem["lr"])
    x, target = mt.tensor(problem["x"]), problem["target"]
    h0 = mt.zeros(target.shape)
    steps = problem["steps"]

    def train():
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(x, h0), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.data))


def build_numpy(problem):
    """Forward over time, then back-propagation through time, by hand."""
    p = copy_params(problem["params"])
    w_ih, b_ih, w_hh = p["ih.weight"], p["ih.bias"], p["hh.weight"]
    x, target = problem["x"], problem["target"]
    steps, lr = problem["steps"], problem["lr"]

    def train():
        return [_numpy_step(x, target, w_ih, b_ih, w_hh, lr) for _ in range(steps)]

    return Trainer(train, lambda: copy_params(p))


def _numpy_step(x, target, w_ih, b_ih, w_hh, lr):
    """One forward over time, BPTT and in-place SGD update; return the loss."""
    states = [np.zeros(target.shape)]
    for t in range(len(x)):
        z = x[t] @ w_ih.T + b_ih + states[-1] @ w_hh.T
        states.append(np.tanh(z))
    diff = states[-1] - target
    loss = float(np.mean(diff * diff))

    grads = _numpy_bptt((2.0 / diff.size) * diff, x, states, w_hh)
    w_ih -= lr * grads[0]
    b_ih -= lr * grads[1]
    w_hh -= lr * grads[2]
    return loss


def _numpy_bptt(grad_h, x, states, w_hh):
    """Gradients of (w_ih, b_ih, w_hh), given the gradient of the last state."""
    grad_w_ih = np.zeros((w_hh.shape[0], x.shape[2]))
    grad_b_ih = np.zeros(w_hh.shape[0])
    grad_w_hh = np.zeros(w_hh.shape)
    for t in range(len(x) - 1, -1, -1):
        h = states[t + 1]
        grad_z = grad_h * (1.0 - h * h)
        grad_w_ih += grad_z.T @ x[t]
        grad_b_ih += grad_z.sum(axis=0)
        grad_w_hh += grad_z.T @ states[t]
        if t > 0:
            # h_0 is a constant: no other version computes its gradient either.
            grad_h = grad_z @ w_hh
    return grad_w_ih, grad_b_ih, grad_w_hh


def build_torch(problem):
    """The same RNN in PyTorch's eager mode, float64, one thread."""
    from benchmarks.environment import torch_or_none

    torch = torch_or_none()
    n_hidden, n_inputs = problem["params"]["ih.weight"].shape
    elman = _elman_class(torch.nn, torch.tanh, dtype=torch.float64)
    model = elman(n_inputs, n_hidden)
    copy_into_torch(torch, model, problem["params"])
    optimizer = torch.optim.SGD(model.parameters(), lr=problem["lr"])
    x, target = to_torch(torch, problem["x"]), to_torch(torch, problem["target"])
    h0 = torch.zeros(target.shape, dtype=torch.float64)
    mse_loss = torch.nn.functional.mse_loss
    steps = problem["steps"]

    def train():
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = mse_loss(model(x, h0), target)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.detach().numpy()))


WORKLOAD = Workload(
    key="W3",
    title="Elman RNN 8-32, 100 time steps, loss on the last state; batch 16, "
    "20 BPTT updates",
    full=RnnSizes(),
    tiny=RnnSizes(inputs=3, hidden=5, time_steps=6, batch=4, updates=3),
    make_problem=make_problem,
    builders={
        "microtensor": build_microtensor,
        "numpy": build_numpy,
        "torch": build_torch,
    },
)
