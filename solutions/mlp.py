r"""Lesson 3, the multi-layer perceptron and backpropagation: reference solution.

A perceptron draws one straight line, so it cannot separate XOR. Put a layer
of non-linear units in between and the network can bend its boundary: a
multi-layer perceptron computes, layer after layer,

.. math:: a^{(l)} = f_l\big(a^{(l-1)} W^{(l)} + b^{(l)}\big), \qquad a^{(0)} = X.

This module builds such a network from Tensor operations (so the engine's
autograd finds every gradient), trains it by gradient descent, and writes
backpropagation once more by hand in plain NumPy, to be checked against the
engine.

Conventions used throughout
---------------------------
* A batch is a 2-D array ``X`` of shape (batch, n_in): one sample per row.
* ``weights[l]`` has shape (n_in, n_out), so a layer computes ``X @ W + b``.
* Every loss is a mean, so it does not grow with the batch size:

  - ``"mse"``: the mean of :math:`(\hat y - y)^2` over all batch × n_out
    entries;
  - ``"bce"``: the mean of :math:`-[y \log \hat y + (1 - y) \log(1 - \hat y)]`
    over all batch × n_out entries (a sigmoid output);
  - ``"cross_entropy"``: the mean over the batch of :math:`-\log \hat y_{i,
    y_i}` (a softmax output), with integer labels or one-hot rows.
"""

import itertools
import math

import numpy as np

import microtensor as mt
from microtensor import Tensor
from microtensor import functional as F

#: what a layer may apply to its pre-activation z = X @ W + b
ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "softmax")

#: the losses, and the output activations each one accepts
LOSSES = {
    "mse": ("identity", "sigmoid", "tanh", "relu"),
    "bce": ("sigmoid",),
    "cross_entropy": ("softmax",),
}


# ------------------------------------------------------------------ helpers


def _as_tensor(X):
    """Return ``X`` unchanged if it is a Tensor, else a float64 Tensor of it."""
    if isinstance(X, Tensor):
        return X
    return mt.tensor(np.asarray(X, dtype=np.float64))


def _check_activation(op, name, allowed=ACTIVATIONS):
    """Raise ValueError unless ``name`` is one of ``allowed``."""
    if name not in allowed:
        raise ValueError(
            f"{op}: unknown activation {name!r}; choose one of: {', '.join(allowed)}"
        )


def _check_size(op, name, value):
    """Raise ValueError unless ``value`` is a positive integer."""
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or value < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")


def _apply(name, z):
    """Apply the activation ``name`` to the Tensor ``z`` of shape (batch, n)."""
    if name == "identity":
        return z
    if name == "softmax":
        return F.softmax(z, axis=-1)
    return {"sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu}[name](z)


# ------------------------------------------------------------------- layers


class Layer:
    r"""One fully connected layer, :math:`f(X W + b)`.

    Parameters
    ----------
    n_in : int
        Number of inputs of each unit, at least 1.
    n_out : int
        Number of units, at least 1.
    activation : str
        One of ``ACTIVATIONS``: "identity", "sigmoid", "tanh", "relu" or
        "softmax" (softmax normalises each row, for an output layer). Anything
        else raises ValueError listing the names.
    rng : None, int or numpy.random.Generator, optional
        Source of the initial weights: an int is a seed (the same seed gives
        the same weights), None the generator ``microtensor.manual_seed``
        seeds.

    Attributes
    ----------
    W : Tensor, shape (n_in, n_out)
        Weights, drawn uniformly from :math:`[-a, a]` with
        :math:`a = \sqrt{6 / (n_{in} + n_{out})}` (Glorot and Bengio's
        scale, which keeps tanh units away from saturation); requires grad.
        Random, not zero: units that start equal would stay equal.
    b : Tensor, shape (n_out,)
        Biases, zeros at the start; requires grad.
    activation : str
        The activation's name.

    ``forward`` reads ``W`` and ``b`` each time it runs, so assigning new
    tensors to them (as the grader does) changes what the layer computes.
    """

    def __init__(self, n_in, n_out, activation, rng=None):
        _check_size("Layer", "n_in", n_in)
        _check_size("Layer", "n_out", n_out)
        _check_activation("Layer", activation)
        rng = mt.as_rng(rng)

        bound = math.sqrt(6.0 / (n_in + n_out))
        weights = rng.uniform(-bound, bound, size=(n_in, n_out))
        self.W = mt.tensor(weights, requires_grad=True)
        self.b = mt.zeros(n_out, requires_grad=True)
        self.activation = activation

    def forward(self, X):
        r"""Return :math:`f(X W + b)`.

        Parameters
        ----------
        X : Tensor or array_like, shape (batch, n_in)
            A batch of inputs (a Tensor keeps its gradient).

        Returns
        -------
        Tensor, shape (batch, n_out)
            The layer's activations. Any other shape of ``X`` raises
            ValueError naming the expected and the given shape.
        """
        X = _as_tensor(X)
        n_in = self.W.shape[0]
        if X.ndim != 2 or X.shape[1] != n_in:
            raise ValueError(
                f"Layer.forward: expected X of shape (batch, {n_in}), "
                f"got {tuple(X.shape)}"
            )
        return _apply(self.activation, self._pre_activation(X))

    __call__ = forward

    def _pre_activation(self, X):
        """Return z = X @ W + b for a Tensor X of shape (batch, n_in)."""
        return X @ self.W + self.b

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[W, b]``, in this order.
        """
        return [self.W, self.b]


class MLP:
    r"""A multi-layer perceptron: fully connected layers applied in turn.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_0, n_1, ..., n_L]``: ``n_0`` inputs, then the number of units of
        each layer; at least two entries, all positive. ``[2, 8, 1]`` is one
        hidden layer of 8 units and one output.
    activation : str, default "tanh"
        Activation of every hidden layer (see ``ACTIVATIONS``).
    output_activation : str, default "sigmoid"
        Activation of the last layer: "sigmoid" for a probability, "softmax"
        for class probabilities, "identity" for a plain number.
    rng : None, int or numpy.random.Generator, optional
        Source of the initial weights, used by the layers in order; an int
        seed gives the same network every time.

    Attributes
    ----------
    layers : list of Layer
        ``len(sizes) - 1`` layers; layer ``l`` maps ``n_l`` inputs to
        ``n_{l+1}`` units, with ``W`` of shape (n_l, n_{l+1}) and ``b`` of
        shape (n_{l+1},), initialised as `Layer` states.
    sizes : list of int
        A copy of ``sizes``.

    Examples
    --------
    The settings with which ``train`` solves XOR (see its docstring):

    >>> model = MLP([2, 8, 1], activation="tanh", output_activation="sigmoid", rng=0)
    >>> [layer.W.shape for layer in model.layers]
    [(2, 8), (8, 1)]
    """

    def __init__(self, sizes, activation="tanh", output_activation="sigmoid",
                 rng=None):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least two entries, got {sizes}")
        for size in sizes:
            _check_size("MLP", "every size", size)
        _check_activation("MLP", activation)
        _check_activation("MLP", output_activation)
        rng = mt.as_rng(rng)

        last = len(sizes) - 2
        self.sizes = sizes
        self.layers = [
            Layer(n_in, n_out, output_activation if i == last else activation, rng)
            for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes))
        ]

    def forward(self, X):
        """Return the network's output for a batch.

        Parameters
        ----------
        X : Tensor or array_like, shape (batch, sizes[0])
            A batch of inputs (a Tensor keeps its gradient).

        Returns
        -------
        Tensor, shape (batch, sizes[-1])
            The last layer's activations. A wrong shape of ``X`` raises
            ValueError naming the expected and the given shape.
        """
        out = _as_tensor(X)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors of every layer.

        Returns
        -------
        list of Tensor
            ``[W_0, b_0, W_1, b_1, ...]``, layer by layer.
        """
        return [p for layer in self.layers for p in layer.parameters()]


# ----------------------------------------------------------------- training


def _check_loss(op, loss, output_activation):
    """Raise ValueError unless ``loss`` is known and fits the output activation."""
    if loss not in LOSSES:
        raise ValueError(f"{op}: unknown loss {loss!r}; choose one of: "
                         f"{', '.join(LOSSES)}")
    if output_activation not in LOSSES[loss]:
        raise ValueError(
            f"{op}: loss {loss!r} needs an output activation in "
            f"{LOSSES[loss]}, got {output_activation!r}"
        )


def _targets(op, loss, y, batch, n_out):
    """Return the targets as an array of the shape the loss needs.

    mse and bce need (batch, n_out); a 1-D ``y`` is accepted when n_out is 1.
    cross_entropy needs integer labels of shape (batch,) (one-hot rows are
    turned into labels).
    """
    y = np.asarray(y)
    if loss == "cross_entropy":
        return _labels(op, y, batch, n_out)
    if y.shape == (batch,) and n_out == 1:
        y = y.reshape(batch, 1)
    if y.shape != (batch, n_out):
        raise ValueError(f"{op}: {loss} needs y of shape ({batch}, {n_out}), got "
                         f"{y.shape}")
    return y.astype(np.float64)


def _labels(op, y, batch, n_out):
    """Return integer labels of shape (batch,) from labels or one-hot rows."""
    if y.shape == (batch, n_out):
        y = y.argmax(axis=1)
    is_labels = y.shape == (batch,) and y.dtype.kind in "iu"
    if not is_labels or (y < 0).any() or (y >= n_out).any():
        raise ValueError(
            f"{op}: cross_entropy needs integer labels in [0, {n_out}) of shape "
            f"({batch},) or one-hot rows of shape ({batch}, {n_out}), got "
            f"shape {y.shape} and dtype {y.dtype}"
        )
    return y


def _batch_loss(model, X, y, loss):
    """Return the mean loss of ``model`` on one batch, as a 0-d Tensor.

    For cross_entropy the softmax is folded into the loss (the engine's fused
    ``cross_entropy`` of the last pre-activation), which never takes the log
    of a probability that rounded to zero.
    """
    if loss == "cross_entropy":
        hidden = _as_tensor(X)
        for layer in model.layers[:-1]:
            hidden = layer.forward(hidden)
        return F.cross_entropy(model.layers[-1]._pre_activation(hidden), y)
    out = model.forward(X)
    if loss == "mse":
        return F.mse_loss(out, y)
    return F.binary_cross_entropy(out, y)


def _batches(n, batch_size, rng):
    """Yield index arrays covering 0..n-1 once: in order, or shuffled."""
    if batch_size is None or batch_size >= n:
        yield np.arange(n)
        return
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _step(model, X, y, loss, lr):
    """Take one gradient-descent step on (X, y); return the batch's loss."""
    params = model.parameters()
    for p in params:
        # backward adds into .grad (a tensor may feed several ops), so the
        # previous step's gradients must go before this step's arrive.
        p.grad = None
    value = _batch_loss(model, X, y, loss)
    value.backward()
    with mt.no_grad():
        for p in params:
            p.data -= lr * p.grad
    return float(value.item())


def train(model, X, y, loss="mse", lr=0.5, epochs=2000, batch_size=None, rng=None):
    r"""Train ``model`` by gradient descent with the engine's autograd.

    Each step computes the mean loss of a batch, back-propagates it, and moves
    every parameter :math:`\theta` of ``model.parameters()`` by
    :math:`\theta \leftarrow \theta - \eta\, \partial L / \partial \theta`. An
    epoch is one pass over the data: one step on the whole set when
    ``batch_size`` is None (or at least the number of samples), else one step
    per mini-batch of ``batch_size`` samples (the last may be smaller), in an
    order shuffled anew each epoch with ``rng``.

    The losses are the means stated in the module docstring; for
    cross_entropy the model's last layer must be a softmax layer.

    Parameters
    ----------
    model : MLP
        The network to train, in place.
    X : array_like, shape (n_samples, sizes[0])
        Inputs.
    y : array_like
        Targets: shape (n_samples, sizes[-1]) for "mse" and "bce" (or
        (n_samples,) when sizes[-1] is 1); integer labels of shape
        (n_samples,) or one-hot rows of shape (n_samples, sizes[-1]) for
        "cross_entropy".
    loss : {"mse", "bce", "cross_entropy"}
    lr : float, default 0.5
        Learning rate :math:`\eta`.
    epochs : int, default 2000
        Number of passes over the data.
    batch_size : int or None, default None
        Mini-batch size; None trains on the whole set at every step.
    rng : None, int or numpy.random.Generator, optional
        Shuffles the mini-batches (unused for full batches).

    Returns
    -------
    list of float, length ``epochs``
        The mean loss of each epoch over the batches it trained on, weighted
        by batch size. With full batches entry ``e`` is the loss just before
        the ``e``-th step, so entry 0 is the loss of the untrained model.

    Notes
    -----
    Settings that solve XOR, :math:`y = x_1 \oplus x_2` on the four points
    00, 01, 10, 11 with 0/1 targets, for almost every seed (all four points
    on the right side of 1/2 and a mean loss below 0.05)::

        model = MLP([2, 8, 1], activation="tanh", output_activation="sigmoid",
                    rng=seed)
        train(model, X, y, loss="bce", lr=2.0, epochs=300)

    Settings that reach 95% test accuracy on the handwritten digits
    (``microtensor.datasets.load_digits``, pixels divided by 16) in well
    under a second::

        model = MLP([64, 32, 10], activation="tanh", output_activation="softmax",
                    rng=seed)
        train(model, X_train / 16, y_train, loss="cross_entropy", lr=0.5,
              epochs=50, batch_size=103, rng=seed)

    (103 divides the 1,442 training images into 14 equal mini-batches.)
    """
    X = np.asarray(X, dtype=np.float64)
    _check_loss("train", loss, model.layers[-1].activation)
    if X.ndim != 2:
        raise ValueError(f"train: X must have shape (n_samples, n_in), got {X.shape}")
    y = _targets("train", loss, y, len(X), model.sizes[-1])
    rng = mt.as_rng(rng)

    losses = []
    for _ in range(int(epochs)):
        total = 0.0
        for rows in _batches(len(X), batch_size, rng):
            total += _step(model, X[rows], y[rows], loss, lr) * len(rows)
        losses.append(total / len(X))
    return losses


# ------------------------------------------------------ backprop by hand


def _sigmoid(z):
    """sigma(z) for an array, exponentiating only -|z| (never overflows)."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _softmax(z):
    """Row-wise softmax of an array of shape (batch, n), shifted by the row max."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _activate(name, z):
    """Apply activation ``name`` to the array ``z``."""
    if name == "identity":
        return z
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return _softmax(z)


def _derivative(name, z):
    """f'(z), elementwise, for every activation but softmax (relu'(0) = 0)."""
    if name == "identity":
        return np.ones_like(z)
    if name == "sigmoid":
        s = _sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return (z > 0).astype(np.float64)


def _check_network(weights, biases, X):
    """Return X as an array after checking the shapes of the network; else raise."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"backprop: need as many biases as weights (at least one), "
                         f"got {len(weights)} weights and {len(biases)} biases")
    X = np.asarray(X, dtype=np.float64)
    n_in = X.shape[1] if X.ndim == 2 else None
    for l, (W, b) in enumerate(zip(weights, biases)):
        W, b = np.shape(W), np.shape(b)
        if len(W) != 2 or W[0] != n_in or b != (W[1],):
            raise ValueError(
                f"backprop: layer {l} has weights of shape {W} and biases of shape "
                f"{b}; expected ({n_in}, n_out) and (n_out,) after an input of "
                f"width {n_in} (X has shape {X.shape})"
            )
        n_in = W[1]
    return X


def _forward_arrays(weights, biases, X, activation, output_activation):
    """Run the network on arrays; return the lists of z's and activations.

    ``acts[0]`` is X and ``acts[l + 1] = f(zs[l])``, so ``acts[-1]`` is the
    output.
    """
    last = len(weights) - 1
    zs, acts = [], [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = acts[-1] @ np.asarray(W, dtype=np.float64) + np.asarray(b, np.float64)
        zs.append(z)
        acts.append(_activate(output_activation if l == last else activation, z))
    return zs, acts


def _output_delta(loss, out, z, y, output_activation):
    """dL/dz of the last layer, for the mean losses of the module docstring."""
    batch, n_out = out.shape
    if loss == "cross_entropy":
        # softmax and cross-entropy together: dL/dz = (softmax - one-hot) / batch
        one_hot = np.eye(n_out)[y]
        return (out - one_hot) / batch
    if loss == "bce":
        # sigmoid and bce together: dL/dz = (y_hat - y) / (batch * n_out)
        return (out - y) / (batch * n_out)
    grad_out = 2.0 * (out - y) / (batch * n_out)
    return grad_out * _derivative(output_activation, z)


def backprop(weights, biases, X, y, activation, output_activation, loss):
    r"""Return the gradients of the mean loss by backpropagation, in plain NumPy.

    The network is the one `MLP` builds, given as arrays: layer ``l`` computes
    :math:`z_l = a_{l-1} W_l + b_l` and :math:`a_l = f_l(z_l)`, with
    :math:`a_0 = X`, :math:`f_l` = ``activation`` for every layer but the last
    and ``output_activation`` for the last. The loss is the mean stated in the
    module docstring:

    * ``"mse"``: :math:`L = \frac{1}{B\,n} \sum_{i,j} (a_{L,ij} - y_{ij})^2`,
      B the batch size and n the number of outputs; any output activation
      except softmax;
    * ``"bce"``: :math:`L = -\frac{1}{B\,n} \sum_{i,j} [y_{ij} \log a_{L,ij} +
      (1 - y_{ij}) \log(1 - a_{L,ij})]`, output activation "sigmoid";
    * ``"cross_entropy"``: :math:`L = -\frac{1}{B} \sum_i \log a_{L,i,y_i}`,
      output activation "softmax".

    Backpropagation carries :math:`\delta_l = \partial L / \partial z_l`
    (shape (B, n_l)) from the last layer down:

    .. math::

        \delta_L &= \frac{\partial L}{\partial a_L} \odot f_L'(z_L)
            \quad\text{(for sigmoid with bce and softmax with cross-entropy
            this is } (a_L - y) / (B\,n) \text{ and } (a_L - Y) / B\text{)} \\
        \frac{\partial L}{\partial W_l} &= a_{l-1}^\top \delta_l, \qquad
        \frac{\partial L}{\partial b_l} = \textstyle\sum_{i} \delta_{l,i}
            \text{ (summed over the batch)} \\
        \delta_{l-1} &= (\delta_l W_l^\top) \odot f_{l-1}'(z_{l-1})

    where Y holds the one-hot rows of the labels. Derivatives are taken at the
    pre-activation z (relu'(0) counts as 0). The 1/B of the mean enters once,
    in :math:`\delta_L`.

    Parameters
    ----------
    weights : list of array_like, weights[l] of shape (n_l, n_{l+1})
        At least one layer; ``n_0`` is the width of X.
    biases : list of array_like, biases[l] of shape (n_{l+1},)
    X : array_like, shape (B, n_0)
        A batch of inputs.
    y : array_like
        Targets: shape (B, n_L) for "mse" and "bce"; integer labels of shape
        (B,) or one-hot rows of shape (B, n_L) for "cross_entropy".
    activation : {"identity", "sigmoid", "tanh", "relu"}
        Activation of the hidden layers (unused with a single layer).
    output_activation : {"identity", "sigmoid", "tanh", "relu", "softmax"}
        Activation of the last layer; it must suit the loss, as above.
    loss : {"mse", "bce", "cross_entropy"}

    Returns
    -------
    grad_weights : list of ndarray, grad_weights[l] of shape (n_l, n_{l+1})
        :math:`\partial L / \partial W_l`, same shape as ``weights[l]``.
    grad_biases : list of ndarray, grad_biases[l] of shape (n_{l+1},)
        :math:`\partial L / \partial b_l`, same shape as ``biases[l]``.

    Unknown names, a loss that does not suit the output activation, and
    shapes that do not fit together raise ValueError saying what was expected.
    """
    _check_activation("backprop", activation, ACTIVATIONS[:4])
    _check_activation("backprop", output_activation)
    _check_loss("backprop", loss, output_activation)
    X = _check_network(weights, biases, X)
    n_out = np.shape(weights[-1])[1]
    y = _targets("backprop", loss, y, len(X), n_out)

    zs, acts = _forward_arrays(weights, biases, X, activation, output_activation)
    delta = _output_delta(loss, acts[-1], zs[-1], y, output_activation)
    grad_weights, grad_biases = [], []
    for l in reversed(range(len(weights))):
        grad_weights.append(acts[l].T @ delta)
        grad_biases.append(delta.sum(axis=0))
        if l > 0:
            W = np.asarray(weights[l], dtype=np.float64)
            delta = (delta @ W.T) * _derivative(activation, zs[l - 1])
    return grad_weights[::-1], grad_biases[::-1]
