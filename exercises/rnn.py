r"""Lesson 4, the Elman network and backpropagation through time: your exercise.

An Elman network reads a sequence one step at a time and carries a hidden
state from each step to the next:

.. math::

    h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \qquad y_t = h_t W_{hy} + b_y,

for :math:`t = 1, \dots, T`, starting from :math:`h_0` (zeros unless given).
Every quantity carries a batch axis first, so one call runs ``batch``
sequences side by side.

Fill in, in this order:

1. :class:`ElmanRNN`, built from the engine's Tensor operations so that autograd
   differentiates it through time;
2. :func:`train_sequence`, gradient descent through (truncated) BPTT with the
   engine, with optional gradient clipping;
3. :func:`bptt`, the same gradients derived by hand in plain NumPy.

Each docstring states the shapes and what to return. Run ``microtensor grade``
to see what works and what does not yet.

Conventions used throughout the lesson
--------------------------------------
Shapes, with ``T`` steps, ``batch`` sequences, ``n_in`` inputs, ``n_hidden``
hidden units and ``n_out`` outputs:

========  =====================  ==========================================
name      shape                  role
========  =====================  ==========================================
xs        (T, batch, n_in)       the input sequence, time first
ys        (T, batch, n_out)      the targets, one per step
W_xh      (n_in, n_hidden)       input to hidden
W_hh      (n_hidden, n_hidden)   hidden to hidden (the recurrence)
b_h       (n_hidden,)            hidden bias
W_hy      (n_hidden, n_out)      hidden to output
b_y       (n_out,)               output bias
h0        (batch, n_hidden)      the state before the first step
========  =====================  ==========================================

Losses are computed on every output of every step:

- ``bptt`` differentiates the half sum of squares
  :math:`L = \tfrac12 \sum_t \sum_b \sum_k (\hat y_{t,b,k} - y_{t,b,k})^2`,
  whose gradient with respect to an output is simply :math:`\hat y - y`;
- ``train_sequence`` minimises the mean over all ``T * batch * n_out`` outputs:
  ``"mse"``, the mean of :math:`(\hat y - y)^2`, or ``"bce"``, the mean binary
  cross-entropy of :math:`\sigma(\hat y)` (the outputs are logits) against
  targets in [0, 1].

The graded learning tasks
-------------------------
The grader sets the initial weights itself (each weight matrix drawn from
:math:`N(0, 1/\text{fan\_in})`, biases 0) and trains with ``train_sequence``
and ``loss="bce"``, evaluating with your ``forward`` (an output is read as 1
when its logit is above 0):

- echo: ``ElmanRNN(1, 8, 1)``, targets :math:`y_t = x_{t-2}` (0 for the first
  two steps) on 32 random bit sequences of 12 steps, ``lr=1.0``; it must
  answer right on at least 99% of the outputs of 64 new sequences of 20 steps
  within 100 epochs, for at least 4 of 5 seeds;
- running parity: ``ElmanRNN(1, 16, 1)``, targets :math:`y_t = x_1 \oplus
  \dots \oplus x_t` on all 256 sequences of 8 bits, ``lr=2.0``; it must get
  all 2,048 outputs right within 300 epochs, for at least 4 of 5 seeds.
"""


# You will need these; they are imported for you.
import math  # noqa: F401

import numpy as np  # noqa: F401

import microtensor as mt  # noqa: F401
import microtensor.functional as F  # noqa: F401
from microtensor import Tensor  # noqa: F401
from microtensor.optim import clip_grad_norm_  # noqa: F401

#: the hidden activations ElmanRNN accepts
ACTIVATIONS = ("tanh", "relu")
#: the losses train_sequence accepts
LOSSES = ("mse", "bce")
#: the parameter names, in the order of ElmanRNN.parameters() and bptt's dict
PARAMETERS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


# ---------------------------------------------------------------- the network


class ElmanRNN:
    r"""An Elman network: :math:`h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h)`,
    :math:`y_t = h_t W_{hy} + b_y`.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        Sizes of one input, of the hidden state and of one output, at least 1.
    activation : str, default "tanh"
        The hidden activation ``f``, "tanh" or "relu" (see ``ACTIVATIONS``);
        anything else raises ValueError listing both.
    rng : None, int or numpy.random.Generator, optional
        Source of the initial weights: an int is a seed (the same seed gives
        the same weights), None the generator ``microtensor.manual_seed`` seeds.

    Attributes
    ----------
    W_xh : Tensor, shape (n_in, n_hidden)
    W_hh : Tensor, shape (n_hidden, n_hidden)
    b_h : Tensor, shape (n_hidden,)
    W_hy : Tensor, shape (n_hidden, n_out)
    b_y : Tensor, shape (n_out,)
        All require grad. Each weight matrix starts drawn from a normal
        distribution with standard deviation ``1 / sqrt(fan_in)`` (its number
        of rows), each bias at 0. ``forward`` and ``parameters`` read these
        attributes every time they run, so assigning a new Tensor to one of
        them (as the grader does) replaces that parameter.
    activation : str
        The activation's name.
    """

    def __init__(self, n_in, n_hidden, n_out, activation="tanh", rng=None):
        raise NotImplementedError(
            "rnn.ElmanRNN.__init__: draw W_xh, W_hh, W_hy from mt.as_rng(rng), "
            "biases at 0, all with requires_grad=True"
        )

    def forward(self, xs, h0=None):
        r"""Run the network over a batch of sequences.

        Parameters
        ----------
        xs : Tensor or array_like, shape (T, batch, n_in)
            The inputs, time first, T >= 1.
        h0 : Tensor or array_like, shape (batch, n_hidden), optional
            The state before the first step; zeros when omitted. A Tensor that
            requires grad receives its gradient.

        Returns
        -------
        ys : Tensor, shape (T, batch, n_out)
            The output :math:`y_t` of every step.
        h : Tensor, shape (batch, n_hidden)
            The last hidden state :math:`h_T`, still linked to the graph
            (detach it before carrying it into a separately trained window).

        Raises
        ------
        ValueError
            When ``xs`` or ``h0`` has the wrong shape (the message names both
            shapes).
        """
        raise NotImplementedError(
            "rnn.ElmanRNN.forward: loop over t, h = f(xs[t] @ W_xh + h @ W_hh + b_h), "
            "and keep every h for the outputs"
        )

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[W_xh, W_hh, b_h, W_hy, b_y]``, in this order (``PARAMETERS``).
        """
        raise NotImplementedError(
            "rnn.ElmanRNN.parameters: return [W_xh, W_hh, b_h, W_hy, b_y] from the "
            "attributes"
        )

# ---------------------------------------------------------------- training


def train_sequence(model, xs, ys, loss, lr, epochs, clip=None, truncate=None,
                   rng=None):
    r"""Train ``model`` on one batch of sequences by (truncated) BPTT.

    Each epoch is one step of plain gradient descent on the whole batch:

    1. run ``model.forward`` over the sequence from a zero state, window by
       window: with ``truncate=k`` the windows are steps ``[0, k)``,
       ``[k, 2k)``, ... (the last may be shorter) and the hidden state passed
       from one window to the next is detached, so no gradient flows across a
       window boundary; with ``truncate=None`` there is one window;
    2. accumulate, over the windows, the gradient of the epoch's loss (the
       mean over all ``T * batch * n_out`` outputs, see ``LOSSES``) with
       respect to every parameter. The result is the gradient of that loss
       through a graph whose hidden state is detached every k steps;
    3. with ``clip=c``, if the joint 2-norm :math:`\|g\|` of all the parameter
       gradients exceeds c, scale every gradient by :math:`c / \|g\|` (so the
       norm becomes c and the direction is kept); otherwise leave them alone;
    4. update every parameter in place: :math:`\theta \leftarrow \theta - lr \cdot g`.

    Each epoch starts again from a zero hidden state.

    Parameters
    ----------
    model : ElmanRNN
        Trained in place through ``model.parameters()``.
    xs : array_like, shape (T, batch, n_in)
    ys : array_like, shape (T, batch, n_out)
        The target of every step: any real number for "mse", a value in
        [0, 1] for "bce".
    loss : str
        "mse" or "bce" (see ``LOSSES``).
    lr : float
        Learning rate, >= 0.
    epochs : int
        Number of gradient steps, >= 0.
    clip : float, optional
        Maximal joint gradient norm; None for no clipping.
    truncate : int, optional
        Window length k of truncated BPTT, >= 1; None for full BPTT.
    rng : None, int or numpy.random.Generator, optional
        Accepted for a uniform training signature across the lessons;
        full-batch gradient descent draws no random numbers.

    Returns
    -------
    list of float
        The loss of each epoch, measured in that epoch's forward pass (before
        its update); ``epochs`` values.

    Raises
    ------
    ValueError
        For shapes that do not match, an unknown loss, or a negative lr,
        epochs, clip or truncate.
    """
    raise NotImplementedError(
        "rnn.train_sequence: per epoch, run the windows (detach h between them), "
        "backward each window's share of the mean loss, clip, then step"
    )


# ---------------------------------------------------------------- BPTT by hand


def bptt(params, xs, ys, h0=None):
    r"""Gradients of a tanh Elman network's squared error, by hand, in NumPy.

    The loss is :math:`L = \tfrac12 \sum_{t=1}^{T} \sum_b \sum_k (\hat y_{t,b,k}
    - y_{t,b,k})^2` with the tanh recurrence of the module docstring. Run the
    forward pass keeping every state :math:`h_0, \dots, h_T`, then walk back
    from :math:`t = T` to 1, gathering at each step the gradient that reaches
    :math:`h_t` from its own output and from step t + 1. The stored states
    are only read, never overwritten, and nothing is kept between calls:
    calling ``bptt`` twice on the same inputs gives the same gradients.

    Parameters
    ----------
    params : dict of array_like
        ``"W_xh"`` (n_in, n_hidden), ``"W_hh"`` (n_hidden, n_hidden),
        ``"b_h"`` (n_hidden,), ``"W_hy"`` (n_hidden, n_out), ``"b_y"`` (n_out,).
    xs : array_like, shape (T, batch, n_in)
    ys : array_like, shape (T, batch, n_out)
        The targets of every step.
    h0 : array_like, shape (batch, n_hidden), optional
        The state before the first step; zeros when omitted.

    Returns
    -------
    dict of numpy.ndarray
        The gradient of L with respect to each of ``"W_xh"``, ``"W_hh"``,
        ``"b_h"``, ``"W_hy"``, ``"b_y"`` and ``"h0"``, each of the shape of
        what it is the gradient of (``"h0"``: (batch, n_hidden), also when
        ``h0`` was omitted).

    Raises
    ------
    ValueError
        When a parameter is missing or a shape does not match.
    """
    raise NotImplementedError(
        "rnn.bptt: keep h_0..h_T, then walk t = T..1 adding the gradient that "
        "reaches h_t from its output and from step t + 1"
    )
