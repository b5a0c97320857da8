"""W2 and W4: ReLU MLPs trained with softmax cross-entropy and SGD.

W2 (64-128-64-10, batch 256, 200 steps) is a typical network of the unit's
later lessons, where overhead and arithmetic are of the same order. W4
(512-1024-1024-10, batch 512, 10 steps) is dominated by matrix products: there
the engine should cost what NumPy costs.

The data is a fixed set of ``batches`` random mini-batches, visited in turn.
"""

import itertools
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

__all__ = ["W2", "W4", "MlpSizes"]


@dataclass(frozen=True)
class MlpSizes:
    """Layer widths (input first, classes last), batch size and schedule."""

    widths: tuple
    batch: int
    steps: int
    lr: float
    batches: int = 4
    seed: int = 2


def make_problem(sizes):
    """Random inputs, random class labels and initial parameters.

    Returns
    -------
    dict
        ``x`` of shape (batches, batch, widths[0]), ``labels`` of shape
        (batches, batch) with values in ``[0, widths[-1])``, ``params`` named
        ``"0.weight"``, ``"0.bias"``, ``"2.weight"``, ... (the Sequential
        indices, ReLU modules in between), ``steps`` and ``lr``.
    """
    rng = np.random.default_rng(sizes.seed)
    widths = sizes.widths
    params = {}
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        weight, bias = linear_init(rng, fan_in, fan_out)
        params[f"{2 * layer}.weight"] = weight
        params[f"{2 * layer}.bias"] = bias
    return {
        "x": rng.standard_normal((sizes.batches, sizes.batch, widths[0])),
        "labels": rng.integers(0, widths[-1], size=(sizes.batches, sizes.batch)),
        "params": params,
        "widths": widths,
        "steps": sizes.steps,
        "lr": sizes.lr,
    }


def _layers(nn, widths, **kwargs):
    """Linear, ReLU, Linear, ReLU, ..., Linear: the modules of a Sequential."""
    layers = []
    for fan_in, fan_out in itertools.pairwise(widths):
        layers += [nn.Linear(fan_in, fan_out, **kwargs), nn.ReLU()]
    return layers[:-1]


def build_microtensor(problem):
    """The network as a student writes it with microtensor's public API."""
    import microtensor as mt
    import microtensor.functional as F
    from microtensor import nn, optim

    model = nn.Sequential(*_layers(nn, problem["widths"]))
    copy_into_microtensor(model, problem["params"])
    optimizer = optim.SGD(model.parameters(), lr=problem["lr"])
    xs = [mt.tensor(x) for x in problem["x"]]
    labels = list(problem["labels"])
    steps = problem["steps"]

    def train():
        losses = []
        for step in range(steps):
            k = step % len(xs)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xs[k]), labels[k])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.data))


def build_numpy(problem):
    """Forward and backward by hand: affine maps, ReLU, fused softmax-CE."""
    p = copy_params(problem["params"])
    n_layers = len(problem["widths"]) - 1
    weights = [p[f"{2 * i}.weight"] for i in range(n_layers)]
    biases = [p[f"{2 * i}.bias"] for i in range(n_layers)]
    xs, labels = problem["x"], problem["labels"]
    steps, lr = problem["steps"], problem["lr"]

    def train():
        losses = []
        for step in range(steps):
            k = step % len(xs)
            inputs, logits = _numpy_forward(xs[k], weights, biases)
            loss, grad = _numpy_cross_entropy(logits, labels[k])
            losses.append(loss)
            _numpy_backward_sgd(grad, inputs, weights, biases, lr)
        return losses

    return Trainer(train, lambda: copy_params(p))


def _numpy_forward(x, weights, biases):
    """Return the input of every layer and the logits."""
    inputs = [x]
    for weight, bias in zip(weights[:-1], biases[:-1]):
        inputs.append(np.maximum(inputs[-1] @ weight.T + bias, 0.0))
    return inputs, inputs[-1] @ weights[-1].T + biases[-1]


def _numpy_cross_entropy(logits, labels):
    """Mean cross-entropy and its gradient with respect to the logits."""
    rows = np.arange(len(labels))
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    grad = e / total
    grad[rows, labels] -= 1.0
    grad /= len(labels)
    return loss, grad


def _numpy_backward_sgd(grad, inputs, weights, biases, lr):
    """Back-propagate ``grad`` from the logits and update every layer."""
    for i in range(len(weights) - 1, -1, -1):
        grad_w = grad.T @ inputs[i]
        grad_b = grad.sum(axis=0)
        if i > 0:
            # The ReLU's output is the layer's input: it is positive exactly
            # where the ReLU let the gradient through.
            grad = (grad @ weights[i]) * (inputs[i] > 0)
        weights[i] -= lr * grad_w
        biases[i] -= lr * grad_b


def build_torch(problem):
    """The same network in PyTorch's eager mode, float64, one thread."""
    from benchmarks.environment import torch_or_none

    torch = torch_or_none()
    model = torch.nn.Sequential(
        *_layers(torch.nn, problem["widths"], dtype=torch.float64)
    )
    copy_into_torch(torch, model, problem["params"])
    optimizer = torch.optim.SGD(model.parameters(), lr=problem["lr"])
    xs = [to_torch(torch, x) for x in problem["x"]]
    labels = [to_torch(torch, t) for t in problem["labels"]]
    cross_entropy = torch.nn.functional.cross_entropy
    steps = problem["steps"]

    def train():
        losses = []
        for step in range(steps):
            k = step % len(xs)
            optimizer.zero_grad()
            loss = cross_entropy(model(xs[k]), labels[k])
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return losses

    return Trainer(train, lambda: named_arrays(model, lambda p: p.detach().numpy()))


_BUILDERS = {
    "microtensor": build_microtensor,
    "numpy": build_numpy,
    "torch": build_torch,
}

W2 = Workload(
    key="W2",
    title="MLP 64-128-64-10, ReLU, cross-entropy; batch 256, 200 SGD steps",
    full=MlpSizes(widths=(64, 128, 64, 10), batch=256, steps=200, lr=0.1),
    tiny=MlpSizes(widths=(6, 5, 4, 3), batch=7, steps=5, lr=0.1, batches=2),
    make_problem=make_problem,
    builders=_BUILDERS,
)

W4 = Workload(
    key="W4",
    title="MLP 512-1024-1024-10, ReLU, cross-entropy; batch 512, 10 SGD steps",
    full=MlpSizes(widths=(512, 1024, 1024, 10), batch=512, steps=10, lr=0.05),
    tiny=MlpSizes(widths=(9, 12, 11, 4), batch=8, steps=3, lr=0.05, batches=2),
    make_problem=make_problem,
    builders=_BUILDERS,
)
