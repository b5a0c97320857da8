r"""Lesson 4, the Elman network and backpropagation through time: reference solution.

An Elman network reads a sequence one step at a time and carries a hidden
state from each step to the next:

.. math::

    h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \qquad y_t = h_t W_{hy} + b_y,

for :math:`t = 1, \dots, T`, starting from :math:`h_0` (zeros unless given).
Every quantity carries a batch axis first, so one call runs ``batch``
sequences side by side.

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

import math

import numpy as np

import microtensor as mt
import microtensor.functional as F
from microtensor import Tensor
from microtensor.optim import clip_grad_norm_

#: the hidden activations ElmanRNN accepts
ACTIVATIONS = ("tanh", "relu")
#: the losses train_sequence accepts
LOSSES = ("mse", "bce")
#: the parameter names, in the order of ElmanRNN.parameters() and bptt's dict
PARAMETERS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


# ---------------------------------------------------------------- checks


def _check_size(op, name, value):
    """Raise ValueError unless ``value`` is a positive integer."""
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int or value < 1:
        raise ValueError(f"{op}: {name} must be a positive integer, got {value!r}")


def _check_shape(op, name, shape, expected):
    """Raise ValueError unless ``shape`` equals ``expected`` (None matches any size)."""
    matches = len(shape) == len(expected) and all(
        want is None or got == want for got, want in zip(shape, expected)
    )
    if not matches:
        wanted = ", ".join("?" if want is None else str(want) for want in expected)
        wanted += "," if len(expected) == 1 else ""
        raise ValueError(f"{op}: {name} must have shape ({wanted}), got {tuple(shape)}")


def _as_tensor(value):
    """Return ``value`` unchanged if it is a Tensor, else a float64 Tensor of it."""
    if isinstance(value, Tensor):
        return value
    return mt.tensor(np.asarray(value, dtype=np.float64))


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
        for name, size in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            _check_size("ElmanRNN", name, size)
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"ElmanRNN: unknown activation {activation!r}; choose one of: "
                f"{', '.join(ACTIVATIONS)}"
            )
        rng = mt.as_rng(rng)

        def weights(rows, cols):
            values = rng.standard_normal((rows, cols)) / math.sqrt(rows)
            return mt.tensor(values, requires_grad=True)

        self.W_xh = weights(n_in, n_hidden)
        self.W_hh = weights(n_hidden, n_hidden)
        self.b_h = mt.zeros(n_hidden, requires_grad=True)
        self.W_hy = weights(n_hidden, n_out)
        self.b_y = mt.zeros(n_out, requires_grad=True)
        self.activation = activation

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
        n_in, n_hidden = self.W_xh.shape
        xs = _as_tensor(xs)
        _check_shape("ElmanRNN.forward", "xs", xs.shape, (None, None, n_in))
        steps, batch = xs.shape[0], xs.shape[1]
        if steps == 0:
            raise ValueError("ElmanRNN.forward: xs holds no step (T = 0)")
        if h0 is None:
            h = mt.zeros((batch, n_hidden))
        else:
            h = _as_tensor(h0)
            _check_shape("ElmanRNN.forward", "h0", h.shape, (batch, n_hidden))

        f = mt.tanh if self.activation == "tanh" else mt.relu
        states = []
        for t in range(steps):
            h = f(xs[t] @ self.W_xh + h @ self.W_hh + self.b_h)
            states.append(h)

        # The outputs do not feed the recurrence, so all of them come from one
        # matrix product over the stacked states instead of one per step.
        return mt.stack(states) @ self.W_hy + self.b_y, h

    __call__ = forward

    def parameters(self):
        """Return the trainable tensors.

        Returns
        -------
        list of Tensor
            ``[W_xh, W_hh, b_h, W_hy, b_y]``, in this order (``PARAMETERS``).
        """
        return [getattr(self, name) for name in PARAMETERS]


# ---------------------------------------------------------------- training


def _summed_loss(loss, out, target):
    """Return the loss summed (not averaged) over all elements of one window."""
    if loss == "mse":
        return F.mse_loss(out, target, reduction="sum")
    return F.binary_cross_entropy_with_logits(out, target, reduction="sum")


def _check_training(xs, ys, loss, lr, epochs, clip, truncate):
    """Raise ValueError for arguments train_sequence cannot work with."""
    op = "train_sequence"
    if xs.ndim != 3 or ys.ndim != 3 or xs.shape[:2] != ys.shape[:2]:
        raise ValueError(
            f"{op}: xs must be (T, batch, n_in) and ys (T, batch, n_out) with the "
            f"same T and batch, got xs.shape={xs.shape} and ys.shape={ys.shape}"
        )
    if loss not in LOSSES:
        raise ValueError(f"{op}: unknown loss {loss!r}; choose one of: "
                         f"{', '.join(LOSSES)}")
    if not lr >= 0:
        raise ValueError(f"{op}: lr must be a non-negative number, got {lr!r}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"{op}: epochs must be an integer >= 0, got {epochs!r}")
    if clip is not None and not clip > 0:
        raise ValueError(f"{op}: clip must be None or a positive norm, got {clip!r}")
    if truncate is not None:
        _check_size(op, "truncate", truncate)


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
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    _check_training(xs, ys, loss, lr, epochs, clip, truncate)
    steps = xs.shape[0]
    window = steps if truncate is None else truncate
    params = model.parameters()

    losses = []
    for _ in range(epochs):
        for p in params:
            p.grad = None
        h, total = None, 0.0
        for start in range(0, steps, window):
            stop = min(start + window, steps)
            out, h = model.forward(xs[start:stop], h)
            # Each window contributes its share of the mean over the whole
            # sequence; backward adds its gradient into p.grad.
            share = _summed_loss(loss, out, ys[start:stop]) / ys.size
            share.backward()
            total += share.item()
            h = h.detach()

        if clip is not None:
            clip_grad_norm_(params, clip)
        for p in params:
            if p.grad is not None:
                p.data -= lr * p.grad
        losses.append(total)
    return losses


# ---------------------------------------------------------------- BPTT by hand


def _bptt_inputs(params, xs, ys, h0):
    """Return the parameters, xs, ys and h0 as float64 arrays, shapes checked."""
    op = "bptt"
    missing = [name for name in PARAMETERS if name not in params]
    if missing:
        raise ValueError(f"{op}: params lacks {missing}; it needs {list(PARAMETERS)}")
    W_xh, W_hh, b_h, W_hy, b_y = (np.asarray(params[name], dtype=np.float64)
                                  for name in PARAMETERS)
    n_in, n_hidden = W_xh.shape
    n_out = W_hy.shape[1]
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    _check_shape(op, "W_hh", W_hh.shape, (n_hidden, n_hidden))
    _check_shape(op, "b_h", b_h.shape, (n_hidden,))
    _check_shape(op, "W_hy", W_hy.shape, (n_hidden, None))
    _check_shape(op, "b_y", b_y.shape, (n_out,))
    _check_shape(op, "xs", xs.shape, (None, None, n_in))
    _check_shape(op, "ys", ys.shape, (xs.shape[0], xs.shape[1], n_out))
    if h0 is None:
        h0 = np.zeros((xs.shape[1], n_hidden))
    h0 = np.asarray(h0, dtype=np.float64)
    _check_shape(op, "h0", h0.shape, (xs.shape[1], n_hidden))
    return (W_xh, W_hh, b_h, W_hy, b_y), xs, ys, h0


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
    (W_xh, W_hh, b_h, W_hy, b_y), xs, ys, h0 = _bptt_inputs(params, xs, ys, h0)
    steps = xs.shape[0]

    # Forward: hs[t] is h_t, with hs[0] = h0, so step t reads hs[t - 1].
    hs = [h0]
    for t in range(steps):
        hs.append(np.tanh(xs[t] @ W_xh + hs[t] @ W_hh + b_h))
    states = np.stack(hs[1:])
    d_out = states @ W_hy + b_y - ys  # dL/dy_hat for the half sum of squares

    grads = {
        "W_xh": np.zeros_like(W_xh),
        "W_hh": np.zeros_like(W_hh),
        "b_h": np.zeros_like(b_h),
        "W_hy": np.einsum("tbh,tbo->ho", states, d_out),
        "b_y": d_out.sum(axis=(0, 1)),
    }

    # Backward through time, t = T, ..., 1, with z_t the pre-activation of step t:
    #   dL/dh_t = (y_hat_t - y_t) W_hy^T + dL/dz_{t+1} W_hh^T   (0 beyond T)
    #   dL/dz_t = dL/dh_t * (1 - h_t^2)                         (tanh' at step t)
    #   dL/dW_hh += h_{t-1}^T dL/dz_t    dL/dW_xh += x_t^T dL/dz_t
    # and dL/dh_0 is what step 1 sends back through W_hh.
    d_from_next = np.zeros_like(h0)
    for t in range(steps, 0, -1):
        d_h = d_out[t - 1] @ W_hy.T + d_from_next
        d_z = d_h * (1.0 - hs[t] ** 2)
        grads["W_xh"] += xs[t - 1].T @ d_z
        grads["W_hh"] += hs[t - 1].T @ d_z
        grads["b_h"] += d_z.sum(axis=0)
        d_from_next = d_z @ W_hh.T
    grads["h0"] = d_from_next
    return grads
