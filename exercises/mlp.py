r"""Lesson 3, the multi-layer perceptron and backpropagation: your exercise.

A perceptron draws one straight line, so it cannot separate XOR. Put a layer
of non-linear units in between and the network can bend its boundary: a
multi-layer perceptron computes, layer after layer,

.. math:: a^{(l)} = f_l\big(a^{(l-1)} W^{(l)} + b^{(l)}\big), \qquad a^{(0)} = X.

Fill in, in this order:

1. `Layer` and `MLP`, built from Tensor operations (``@``, ``+`` and the
   engine's activations in ``microtensor.functional``) so that autograd finds
   every gradient;
2. `train`, gradient descent with the engine's autograd;
3. `backprop`, the same gradients once more by hand in plain NumPy: the
   grader checks them against the engine.

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

Each docstring states the formula, the shapes and what to return. Run
``microtensor grade --lesson mlp`` to see what works and what does not yet.
"""

# You will need these; they are imported for you.
import math  # noqa: F401

import numpy as np  # noqa: F401

import microtensor as mt  # noqa: F401
from microtensor import functional as F  # noqa: F401

#: what a layer may apply to its pre-activation z = X @ W + b
ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "softmax")

#: the losses, and the output activations each one accepts
LOSSES = {
    "mse": ("identity", "sigmoid", "tanh", "relu"),
    "bce": ("sigmoid",),
    "cross_entropy": ("softmax",),
}


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
        raise NotImplementedError(
            "mlp.Layer: W uniform in ±sqrt(6/(n_in+n_out)), b zeros; requires_grad=True"
        )

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
        raise NotImplementedError(
            "mlp.Layer.forward: z = X @ self.W + self.b, then the activation of z"
        )

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[W, b]``, in this order.
        """
        raise NotImplementedError(
            "mlp.Layer.parameters: return [self.W, self.b]"
        )


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
        raise NotImplementedError(
            "mlp.MLP: one Layer per (sizes[l], sizes[l+1]); output_activation last"
        )

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
        raise NotImplementedError(
            "mlp.MLP.forward: pass X through self.layers in order"
        )

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors of every layer.

        Returns
        -------
        list of Tensor
            ``[W_0, b_0, W_1, b_1, ...]``, layer by layer.
        """
        raise NotImplementedError(
            "mlp.MLP.parameters: [W, b] of every layer, layer by layer"
        )


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
    raise NotImplementedError(
        "mlp.train: zero the grads, loss.backward(), then p.data -= lr * p.grad"
    )


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
    raise NotImplementedError(
        "mlp.backprop: keep every z and a going up; dW = a.T @ delta going down"
    )
