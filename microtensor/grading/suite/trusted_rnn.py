"""The grader's own Elman network, losses and tasks for lesson 4 (``rnn.py``).

Everything here is trusted code: plain NumPy for the forward pass, the
losses and the data, and the microtensor engine (never a submission) for the
gradients the hand-written ``bptt`` is compared with. The conventions are the
lesson's: time-first arrays, ``h_t = f(x_t W_xh + h_{t-1} W_hh + b_h)``,
``y_t = h_t W_hy + b_y``.
"""

from __future__ import annotations

import numpy as np

import microtensor as mt

PARAMETERS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
BPTT_KEYS = PARAMETERS + ("h0",)


# ------------------------------------------------------------------ weights


def parameter_shapes(n_in: int, n_hidden: int, n_out: int) -> dict:
    return {
        "W_xh": (n_in, n_hidden),
        "W_hh": (n_hidden, n_hidden),
        "b_h": (n_hidden,),
        "W_hy": (n_hidden, n_out),
        "b_y": (n_out,),
    }


def random_parameters(rng, n_in: int, n_hidden: int, n_out: int,
                      scale: float = 1.0, bias: float = 0.3) -> dict:
    """Weights from N(0, scale²/fan_in) and biases from N(0, bias²).

    With ``scale`` near 1 the recurrence neither dies out nor saturates in a
    dozen steps, so every time step contributes to the gradient.
    """
    params = {}
    for name, shape in parameter_shapes(n_in, n_hidden, n_out).items():
        if name.startswith("W"):
            params[name] = scale * rng.standard_normal(shape) / np.sqrt(shape[0])
        else:
            params[name] = bias * rng.standard_normal(shape)
    return params


def initial_parameters(seed: int, n_in: int, n_hidden: int, n_out: int) -> dict:
    """The starting point of the graded learning tasks: N(0, 1/fan_in), biases 0."""
    return random_parameters(np.random.default_rng(seed), n_in, n_hidden, n_out,
                             scale=1.0, bias=0.0)


# ------------------------------------------------------------------ forward


def activation(name: str):
    return np.tanh if name == "tanh" else (lambda z: np.maximum(z, 0.0))


def forward(params: dict, xs, h0=None, act: str = "tanh"):
    """Run the Elman recurrence in NumPy.

    Returns
    -------
    outputs : ndarray, shape (T, batch, n_out)
    states : ndarray, shape (T + 1, batch, n_hidden)
        ``states[0]`` is h0, ``states[t]`` is h_t.
    pre : ndarray, shape (T, batch, n_hidden)
        The pre-activations z_t, to keep away from relu's kink.
    """
    f = activation(act)
    xs = np.asarray(xs, dtype=np.float64)
    batch, n_hidden = xs.shape[1], params["W_hh"].shape[0]
    h = np.zeros((batch, n_hidden)) if h0 is None else np.asarray(h0, np.float64)
    states, pre = [h], []
    for x in xs:
        z = x @ params["W_xh"] + h @ params["W_hh"] + params["b_h"]
        h = f(z)
        pre.append(z)
        states.append(h)
    states = np.stack(states)
    outputs = states[1:] @ params["W_hy"] + params["b_y"]
    return outputs, states, np.stack(pre)


def autograd_gradients(params: dict, xs, ys, h0=None) -> dict:
    """Gradients of L = ½ Σ (ŷ - y)² for a tanh network, by the engine's autograd.

    Built from the engine's primitives on the grader's side; returns a dict
    with the keys of ``BPTT_KEYS``.
    """
    xs = np.asarray(xs, dtype=np.float64)
    batch, n_hidden = xs.shape[1], params["W_hh"].shape[0]
    h0 = np.zeros((batch, n_hidden)) if h0 is None else h0
    leaves = {name: mt.tensor(params[name], requires_grad=True) for name in PARAMETERS}
    leaves["h0"] = mt.tensor(h0, requires_grad=True)
    h, total = leaves["h0"], None
    for t in range(xs.shape[0]):
        h = (xs[t] @ leaves["W_xh"] + h @ leaves["W_hh"] + leaves["b_h"]).tanh()
        diff = h @ leaves["W_hy"] + leaves["b_y"] - ys[t]
        step = 0.5 * (diff * diff).sum()
        total = step if total is None else total + step
    total.backward()
    return {name: leaves[name].grad for name in BPTT_KEYS}


# ------------------------------------------------------------------ losses


def loss_value(loss: str, out, ys) -> float:
    """The mean loss over every output, as train_sequence defines it."""
    out = np.asarray(out, dtype=np.float64)
    if loss == "mse":
        return float(np.mean((out - ys) ** 2))
    # softplus(a) - y·a is the binary cross-entropy of sigmoid(a) against y.
    softplus = np.maximum(out, 0.0) + np.log1p(np.exp(-np.abs(out)))
    return float(np.mean(softplus - ys * out))


def loss_gradient(loss: str, out, ys, count: int) -> np.ndarray:
    """d(mean loss)/d(out) for a window ``out`` of a sequence of ``count`` outputs."""
    out = np.asarray(out, dtype=np.float64)
    if loss == "mse":
        return 2.0 * (out - ys) / count
    e = np.exp(-np.abs(out))
    sigmoid = np.where(out >= 0, 1.0, e) / (1.0 + e)
    return (sigmoid - ys) / count


def clipped(grads: list, max_norm: float) -> list:
    """Scale the gradients together so that their joint norm is at most max_norm."""
    norm = joint_norm(grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [g * scale for g in grads]


def joint_norm(grads: list) -> float:
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))


# ------------------------------------------------------------------ tasks


def echo_task(seed: int, steps: int, batch: int, delay: int = 2):
    """Random bit sequences (steps, batch, 1) and their copies ``delay`` steps late."""
    bits = np.random.default_rng(seed).integers(0, 2, size=(steps, batch, 1))
    xs = bits.astype(np.float64)
    ys = np.zeros_like(xs)
    ys[delay:] = xs[:-delay]
    return xs, ys


def parity_task(steps: int = 8):
    """All 2**steps bit sequences (steps, 2**steps, 1) and their running parity."""
    codes = np.arange(2**steps)
    bits = (codes[:, None] >> np.arange(steps)[None, :]) & 1
    xs = bits.T[:, :, None].astype(np.float64)
    ys = (np.cumsum(bits, axis=1) % 2).T[:, :, None].astype(np.float64)
    return xs, ys


def accuracy(logits, ys) -> float:
    """The share of outputs whose logit is on the side (> 0 or not) of their bit."""
    return float(np.mean((np.asarray(logits) > 0) == (np.asarray(ys) > 0.5)))
