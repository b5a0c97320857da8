"""The grader's own multi-layer perceptron, for lesson 3's graded properties.

Plain NumPy for values (`forward`, `loss_value`) and the engine's autograd for
gradients (`autograd_gradients`, `gradient_descent`), with the conventions the
exercise states: ``weights[l]`` of shape (n_l, n_{l+1}), ``X @ W + b``, every
loss a mean (mse and bce over all entries, cross-entropy over the batch), a
softmax output with cross-entropy and a sigmoid output with bce. Nothing here
comes from the reference solution.
"""

from __future__ import annotations

import itertools

import numpy as np

import microtensor as mt
from microtensor import functional as F
from microtensor.grading.suite.references import sigmoid

HIDDEN = ("identity", "sigmoid", "tanh", "relu")
OUTPUTS = {
    "mse": ("identity", "sigmoid", "tanh", "relu"),
    "bce": ("sigmoid",),
    "cross_entropy": ("softmax",),
}


# ------------------------------------------------------------------ values


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """An activation applied to an array of shape (batch, n)."""
    if name == "identity":
        return z
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(f"trusted_mlp.activate: unknown activation {name!r}")


def forward(weights, biases, X, activation, output_activation) -> np.ndarray:
    """The network's output, shape (batch, n_L), layer by layer."""
    out = np.asarray(X, dtype=np.float64)
    last = len(weights) - 1
    for l, (W, b) in enumerate(zip(weights, biases)):
        out = activate(output_activation if l == last else activation, out @ W + b)
    return out


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    return np.eye(n_classes)[np.asarray(labels)]


def loss_value(out: np.ndarray, y: np.ndarray, loss: str) -> float:
    """The mean loss of outputs ``out`` against targets ``y`` (labels for CE)."""
    if loss == "mse":
        return float(np.mean((out - y) ** 2))
    with np.errstate(divide="ignore"):
        if loss == "bce":
            # Each log is floored at -100 before it is weighted, as the
            # engine's loss does, so an output of exactly 0 or 1 gives a large
            # finite loss rather than 0 * inf = nan.
            log_out = np.maximum(np.log(out), -100.0)
            log_rest = np.maximum(np.log1p(-out), -100.0)
            return float(-np.mean(y * log_out + (1 - y) * log_rest))
        picked = out[np.arange(len(out)), np.asarray(y)]
        return float(-np.mean(np.maximum(np.log(picked), -100.0)))


# --------------------------------------------------------------- gradients


def _engine_loss(params, X, y, activation, output_activation, loss):
    """The mean loss as a 0-d engine Tensor of the parameter Tensors ``params``."""
    out = mt.tensor(np.asarray(X, dtype=np.float64))
    pairs = list(zip(params[::2], params[1::2]))
    for W, b in pairs[:-1]:
        out = _engine_activation(activation, out @ W + b)
    W, b = pairs[-1]
    z = out @ W + b
    if loss == "cross_entropy":
        # Labels or one-hot rows: the fused op takes either.
        return F.cross_entropy(z, y)
    out = _engine_activation(output_activation, z)
    if loss == "mse":
        return F.mse_loss(out, y)
    return F.binary_cross_entropy(out, y)


def _engine_activation(name, z):
    if name == "identity":
        return z
    return {"sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu}[name](z)


def autograd_gradients(weights, biases, X, y, activation, output_activation, loss):
    """The loss and its gradients by the engine: (loss, grad_weights, grad_biases)."""
    params = _leaves(weights, biases)
    value = _engine_loss(params, X, y, activation, output_activation, loss)
    value.backward()
    grads = [np.array(p.grad) for p in params]
    return float(value.item()), grads[::2], grads[1::2]


def _leaves(weights, biases):
    params = []
    for W, b in zip(weights, biases):
        params.append(mt.tensor(np.array(W, dtype=np.float64), requires_grad=True))
        params.append(mt.tensor(np.array(b, dtype=np.float64), requires_grad=True))
    return params


def gradient_descent(weights, biases, X, y, activation, output_activation, loss,
                     lr: float, epochs: int):
    """Full-batch gradient descent: (losses before each step, weights, biases)."""
    weights = [np.array(W, dtype=np.float64) for W in weights]
    biases = [np.array(b, dtype=np.float64) for b in biases]
    losses = []
    for _ in range(epochs):
        value, grad_w, grad_b = autograd_gradients(
            weights, biases, X, y, activation, output_activation, loss)
        losses.append(value)
        weights = [W - lr * g for W, g in zip(weights, grad_w)]
        biases = [b - lr * g for b, g in zip(biases, grad_b)]
    return losses, weights, biases


# ---------------------------------------------------------------- problems


def random_network(rng, sizes, scale: float = 1.5):
    """Weights uniform in ±scale/sqrt(n_in) and biases in ±0.5, as arrays."""
    weights, biases = [], []
    for n_in, n_out in itertools.pairwise(sizes):
        bound = scale / np.sqrt(n_in)
        weights.append(rng.uniform(-bound, bound, (n_in, n_out)))
        biases.append(rng.uniform(-0.5, 0.5, n_out))
    return weights, biases


def random_targets(rng, loss: str, batch: int, n_out: int, one_hot_rows=False):
    """Targets of the shape and kind ``loss`` takes: values, 0/1, labels or one-hot."""
    if loss == "mse":
        return rng.uniform(-1.0, 1.0, (batch, n_out))
    if loss == "bce":
        return rng.integers(0, 2, (batch, n_out)).astype(np.float64)
    labels = rng.integers(0, n_out, batch)
    return one_hot(labels, n_out) if one_hot_rows else labels
