r"""Activations, losses and layers as functions of tensors.

Every name here follows the PyTorch function of the same name
(``torch.nn.functional``): the same arguments, defaults, reductions and edge
cases, so that what is learned here carries over. Dimensions are chosen with
``axis`` (NumPy's word); ``dim`` is accepted as an alias where PyTorch uses it.

Each function is one node of the graph with a hand-written backward. Fusing
``softmax``, ``log_softmax``, ``logsumexp`` and ``cross_entropy`` this way is
what keeps them stable: the exponentials only ever see ``x - max(x)``, so
inputs of :math:`\pm 10^4` neither overflow nor lose the gradient. It also
keeps the cost of a call close to that of the NumPy code inside it.

Two deliberate departures from PyTorch, both to catch mistakes early:

- the pointwise losses (``mse_loss``, ``l1_loss``, ``binary_cross_entropy``,
  ``binary_cross_entropy_with_logits``) raise :class:`~microtensor.ShapeError`
  when input and target shapes differ instead of broadcasting them;
- ``logsumexp`` of a row that is all ``-inf`` is ``-inf`` with a zero gradient
  (PyTorch gives NaN for that row's gradient).

Examples
--------
>>> import numpy as np
>>> import microtensor as mt
>>> import microtensor.functional as F
>>> logits = mt.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
>>> loss = F.cross_entropy(logits, np.array([0]))
>>> loss.backward()
>>> logits.grad.shape
(1, 3)
"""

import math

import numpy as np

from microtensor.errors import DTypeError, ShapeError
from microtensor.ops.elementwise import _erf_values
from microtensor.random import as_rng
from microtensor.tensor import Tensor, _record, tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "hardtanh",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsumexp",
    "mish",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]

_REDUCTIONS = ("mean", "sum", "none")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_KAPPA = 0.044715
# PyTorch floors (1 - x) * x at this value in the gradient of binary_cross_entropy.
_BCE_EPS = 1e-12


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def _as_tensor(x):
    """Return ``x`` itself when it is a Tensor, else a constant Tensor of it."""
    if isinstance(x, Tensor):
        return x
    return tensor(x)


def _axis(op, axis, dim):
    """Resolve the ``axis`` / ``dim`` alias pair of ``op``."""
    if dim is None:
        return axis
    if axis is not None and axis != -1 and axis != dim:
        raise TypeError(f"{op}: got axis={axis} and dim={dim}; pass only one")
    return dim


def _check_reduction(op, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: reduction={reduction!r} is not one of 'mean', 'sum', 'none'"
        )


def _reduce(loss, reduction):
    """Apply ``reduction`` to the per-element ``loss`` array."""
    if reduction == "mean":
        # sum / size is what ndarray.mean computes, without its Python overhead.
        return np.asarray(loss.sum() / loss.size)
    if reduction == "sum":
        return np.asarray(loss.sum())
    return loss


def _upstream(grad_out, reduction, n):
    """The gradient reaching each element of a loss before ``reduction``."""
    if reduction == "mean":
        return grad_out / n
    return grad_out


def _stable_sigmoid(a):
    """Logistic function of an array, exponentiating only ``-|a|`` (no overflow)."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _stable_softplus(a):
    """``log(1 + exp(a))`` without overflow: ``max(a, 0) + log1p(exp(-|a|))``."""
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def _erf(a):
    """Error function of an array (shared with the engine's ``Tensor.erf``)."""
    # At least 1-d: without SciPy the engine's fallback cannot take a 0-d array.
    return _erf_values(np.atleast_1d(a)).reshape(a.shape)


def _unary(op, x, out, local_grad):
    """Record a one-input node whose gradient is ``grad_out * local_grad()``."""

    def backward(grad_out):
        return (grad_out * local_grad(),)

    return _record(op, out, (x,), backward)


# --------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------


def sigmoid(input):
    r"""Logistic sigmoid :math:`1 / (1 + e^{-x})`, elementwise.

    Parameters
    ----------
    input : Tensor, any shape

    Returns
    -------
    Tensor, same shape as ``input``
    """
    return _as_tensor(input).sigmoid()


def tanh(input):
    """Hyperbolic tangent, elementwise; see :func:`sigmoid` for shapes."""
    return _as_tensor(input).tanh()


def relu(input):
    """``max(x, 0)`` elementwise, with gradient 0 at ``x = 0`` as in PyTorch."""
    return _as_tensor(input).relu()


def leaky_relu(input, negative_slope=0.01):
    r"""``x`` where ``x > 0``, else ``negative_slope * x``.

    Parameters
    ----------
    input : Tensor, any shape
    negative_slope : float
        Slope for ``x <= 0``; the gradient at ``x = 0`` is this slope.

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    a = x.data
    positive = a > 0
    out = np.where(positive, a, a * negative_slope)

    def backward(grad_out):
        return (np.where(positive, grad_out, grad_out * negative_slope),)

    return _record("leaky_relu", out, (x,), backward)


def elu(input, alpha=1.0):
    r"""Exponential linear unit: ``x`` for ``x > 0``, else ``alpha * (e^x - 1)``.

    Parameters
    ----------
    input : Tensor, any shape
    alpha : float

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    a = x.data
    positive = a > 0
    # Exponentiate only the non-positive part so large inputs do not overflow.
    e = np.exp(np.minimum(a, 0))
    out = np.where(positive, a, alpha * np.expm1(np.minimum(a, 0)))
    return _unary("elu", x, out, lambda: np.where(positive, 1.0, alpha * e))


def gelu(input, approximate="none"):
    r"""Gaussian error linear unit :math:`x \Phi(x)`.

    Parameters
    ----------
    input : Tensor, any shape
    approximate : {"none", "tanh"}
        ``"none"`` uses the exact normal CDF (through ``erf``); ``"tanh"`` uses
        :math:`\tfrac12 x (1 + \tanh(\sqrt{2/\pi}(x + 0.044715 x^3)))`.

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    a = x.data
    if approximate == "none":
        cdf = 0.5 * (1.0 + _erf(a * (1.0 / math.sqrt(2.0))))
        out = a * cdf
        return _unary(
            "gelu", x, out, lambda: cdf + a * _INV_SQRT_2PI * np.exp(-0.5 * a * a)
        )
    if approximate == "tanh":
        return _gelu_tanh(x, a)
    raise ValueError(f"gelu: approximate={approximate!r} is not one of 'none', 'tanh'")


def _gelu_tanh(x, a):
    inner = _SQRT_2_OVER_PI * (a + _GELU_KAPPA * a * a * a)
    t = np.tanh(inner)
    out = 0.5 * a * (1.0 + t)

    def local_grad():
        d_inner = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_KAPPA * a * a)
        return 0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * d_inner

    return _unary("gelu", x, out, local_grad)


def silu(input):
    r"""Sigmoid-weighted linear unit :math:`x \sigma(x)` (also called swish)."""
    x = _as_tensor(input)
    a = x.data
    s = _stable_sigmoid(a)
    out = a * s
    return _unary("silu", x, out, lambda: s * (1.0 + a * (1.0 - s)))


def mish(input):
    r""":math:`x \tanh(\operatorname{softplus}(x))`, elementwise."""
    x = _as_tensor(input)
    a = x.data
    t = np.tanh(_stable_softplus(a))
    out = a * t

    def local_grad():
        return t + a * _stable_sigmoid(a) * (1.0 - t * t)

    return _unary("mish", x, out, local_grad)


def softplus(input, beta=1.0, threshold=20.0):
    r""":math:`\tfrac{1}{\beta}\log(1 + e^{\beta x})`, linear past ``threshold``.

    Parameters
    ----------
    input : Tensor, any shape
    beta : float
    threshold : float
        Where ``beta * x > threshold`` the result is ``x`` itself (gradient 1),
        as in PyTorch.

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    a = x.data
    bx = a * beta
    linear_part = bx > threshold
    out = np.where(linear_part, a, _stable_softplus(bx) / beta)
    return _unary(
        "softplus",
        x,
        out,
        lambda: np.where(linear_part, 1.0, _stable_sigmoid(bx)),
    )


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """Clamp to ``[min_val, max_val]``; the gradient is 0 at and beyond the ends."""
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val={min_val} must not exceed max_val={max_val}"
        )
    x = _as_tensor(input)
    a = x.data
    out = np.clip(a, min_val, max_val)
    return _unary(
        "hardtanh", x, out, lambda: ((a > min_val) & (a < max_val)).astype(a.dtype)
    )


# --------------------------------------------------------------------------
# softmax family (fused, stable)
# --------------------------------------------------------------------------


def _check_axis(op, a, axis):
    """Raise a ShapeError naming ``op`` when ``axis`` is out of range for ``a``."""
    ndim = max(a.ndim, 1)
    if not -ndim <= axis < ndim:
        raise ShapeError(f"{op}: axis={axis} is out of range for input.shape={a.shape}")


def softmax(input, axis=-1, *, dim=None):
    r"""Softmax along ``axis``: :math:`e^{x_i} / \sum_j e^{x_j}`.

    Parameters
    ----------
    input : Tensor, any shape
    axis : int
        The axis that sums to one (``dim`` is an alias).

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    axis = _axis("softmax", axis, dim)
    a = x.data
    _check_axis("softmax", a, axis)
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(grad_out):
        dot = (grad_out * out).sum(axis=axis, keepdims=True)
        return (out * (grad_out - dot),)

    return _record("softmax", out, (x,), backward)


def log_softmax(input, axis=-1, *, dim=None):
    r"""Log of :func:`softmax`, computed as :math:`x - \operatorname{logsumexp}(x)`.

    Parameters
    ----------
    input : Tensor, any shape
    axis : int
        The axis to normalise over (``dim`` is an alias).

    Returns
    -------
    Tensor, same shape as ``input``
    """
    x = _as_tensor(input)
    axis = _axis("log_softmax", axis, dim)
    a = x.data
    _check_axis("log_softmax", a, axis)
    out = _log_softmax_array(a, axis)

    def backward(grad_out):
        total = grad_out.sum(axis=axis, keepdims=True)
        return (grad_out - np.exp(out) * total,)

    return _record("log_softmax", out, (x,), backward)


def _log_softmax_array(a, axis):
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def logsumexp(input, axis=None, keepdims=False, *, dim=None, keepdim=None):
    r""":math:`\log \sum e^{x}` over ``axis`` (all elements when None), stably.

    A slice that is all ``-inf`` gives ``-inf`` (not NaN) and a zero gradient,
    and sends no NaN into the gradients of other slices.

    Parameters
    ----------
    input : Tensor, any shape
    axis : int, tuple of int or None
        Axes to reduce (``dim`` is an alias).
    keepdims : bool
        Keep the reduced axes with size 1 (``keepdim`` is an alias).

    Returns
    -------
    Tensor, ``input``'s shape without the reduced axes (or with size 1 there)
    """
    x = _as_tensor(input)
    if dim is not None:
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    a = x.data
    m = a.max(axis=axis, keepdims=True)
    # An all -inf (or +inf) slice has an infinite max; shifting by it would give
    # inf - inf = NaN, so shift such slices by 0 instead.
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        kept = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    out = kept if keepdims else np.squeeze(kept, axis=axis)

    def backward(grad_out):
        if not keepdims:
            grad_out = np.reshape(grad_out, kept.shape)
        with np.errstate(invalid="ignore"):
            weights = np.exp(a - kept)
        # Only an all -inf slice (kept == -inf) produces NaN here.
        weights = np.where(np.isnan(weights), 0.0, weights)
        return (grad_out * weights,)

    return _record("logsumexp", out.astype(a.dtype, copy=False), (x,), backward)


# --------------------------------------------------------------------------
# layers
# --------------------------------------------------------------------------


def linear(input, weight, bias=None):
    r"""Affine map :math:`y = x W^\top + b`, one node.

    Parameters
    ----------
    input : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (..., out_features)
    """
    x = _as_tensor(input)
    w = _as_tensor(weight)
    xa, wa = x.data, w.data
    if wa.ndim != 2 or xa.ndim == 0 or xa.shape[-1] != wa.shape[1]:
        raise ShapeError(
            f"linear: input.shape={xa.shape} does not fit weight.shape={wa.shape}; "
            "the input's last axis must equal weight.shape[1] (in_features)"
        )
    out = xa @ wa.T
    if bias is None:
        return _record("linear", out, (x, w), _linear_backward(x, w, None))
    b = _as_tensor(bias)
    if b.data.shape != (wa.shape[0],):
        raise ShapeError(
            f"linear: bias.shape={b.data.shape} should be ({wa.shape[0]},) "
            f"for weight.shape={wa.shape}"
        )
    out += b.data
    return _record("linear", out, (x, w, b), _linear_backward(x, w, b))


def _linear_backward(x, w, b):
    xa, wa = x.data, w.data

    def backward(grad_out):
        grad_x = grad_out @ wa if x.requires_grad else None
        rows, inputs = grad_out, xa
        if xa.ndim != 2:
            rows = grad_out.reshape(-1, wa.shape[0])
            inputs = xa.reshape(-1, wa.shape[1])
        grad_w = rows.T @ inputs if w.requires_grad else None
        if b is None:
            return grad_x, grad_w
        grad_b = rows.sum(axis=0) if b.requires_grad else None
        return grad_x, grad_w, grad_b

    return backward


def dropout(input, p=0.5, training=True, rng=None):
    r"""Zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The scaling ("inverted dropout") keeps the expected value of every element,
    so nothing changes at evaluation time, when ``training`` is False and the
    input is returned as it is.

    Parameters
    ----------
    input : Tensor, any shape
    p : float in [0, 1]
    training : bool
    rng : numpy.random.Generator, int or None
        Source of the mask; None uses the generator seeded by
        :func:`microtensor.manual_seed`.

    Returns
    -------
    Tensor, same shape as ``input``
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p={p} must be between 0 and 1")
    x = _as_tensor(input)
    if not training or p == 0.0:
        return x
    a = x.data
    if p == 1.0:
        scale = np.zeros(a.shape, dtype=a.dtype)
    else:
        keep = as_rng(rng).random(a.shape) >= p
        scale = keep.astype(a.dtype) * (1.0 / (1.0 - p))
    return _unary("dropout", x, a * scale, lambda: scale)


# --------------------------------------------------------------------------
# pointwise losses
# --------------------------------------------------------------------------


def _loss_operands(op, input, target, reduction):
    """Check a pointwise loss's arguments; return ``x, t, parents``."""
    _check_reduction(op, reduction)
    x = _as_tensor(input)
    if isinstance(target, Tensor):
        parents = (x, target)
        t = target.data
    else:
        parents = (x,)
        t = np.asarray(target)
    if x.data.shape != t.shape:
        raise ShapeError(
            f"{op}: input.shape={x.data.shape} and target.shape={t.shape} differ; "
            "give the target the input's shape (e.g. target.reshape"
            f"{x.data.shape}) so that no silent broadcasting pairs wrong elements"
        )
    return x, t, parents


def _loss_grads(parents, grad_input, grad_target):
    """One gradient per parent of a pointwise loss, None where not needed."""
    grad_x = grad_input() if parents[0].requires_grad else None
    if len(parents) == 1:
        return (grad_x,)
    grad_t = grad_target() if parents[1].requires_grad else None
    return grad_x, grad_t


def _weight_array(op, weight, shape):
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ShapeError(
            f"{op}: weight.shape={w.shape} does not broadcast to input.shape={shape}"
        ) from None
    return w


def mse_loss(input, target, reduction="mean"):
    r"""Mean squared error :math:`(x - t)^2`, reduced by ``reduction``.

    Parameters
    ----------
    input : Tensor, any shape
    target : Tensor or array, same shape as ``input``
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor, 0-d (or ``input``'s shape for ``reduction="none"``)
    """
    x, t, parents = _loss_operands("mse_loss", input, target, reduction)
    diff = x.data - t
    out = _reduce(diff * diff, reduction)

    def backward(grad_out):
        g = _upstream(grad_out, reduction, diff.size) * (2.0 * diff)
        return _loss_grads(parents, lambda: g, lambda: -g)

    return _record("mse_loss", out, parents, backward)


def l1_loss(input, target, reduction="mean"):
    r"""Mean absolute error :math:`|x - t|`; the gradient at ``x = t`` is 0.

    Shapes and ``reduction`` as in :func:`mse_loss`.
    """
    x, t, parents = _loss_operands("l1_loss", input, target, reduction)
    diff = x.data - t
    out = _reduce(np.abs(diff), reduction)

    def backward(grad_out):
        g = _upstream(grad_out, reduction, diff.size) * np.sign(diff)
        return _loss_grads(parents, lambda: g, lambda: -g)

    return _record("l1_loss", out, parents, backward)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    r"""Binary cross-entropy of probabilities ``input`` against ``target``.

    :math:`-w\,[t \log x + (1 - t) \log(1 - x)]`, with each log clamped at -100
    as in PyTorch so that ``x = 0`` or ``x = 1`` gives a finite loss.

    Parameters
    ----------
    input : Tensor, any shape, values in [0, 1]
    target : Tensor or array, same shape as ``input``
    weight : array or Tensor broadcastable to ``input``'s shape, optional
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    Tensor, 0-d (or ``input``'s shape for ``reduction="none"``)
    """
    op = "binary_cross_entropy"
    x, t, parents = _loss_operands(op, input, target, reduction)
    a = x.data
    if a.size and (a.min() < 0.0 or a.max() > 1.0):
        raise ValueError(
            f"{op}: input values must lie in [0, 1] (got min {a.min():.4g}, "
            f"max {a.max():.4g}); apply sigmoid first, or use "
            "binary_cross_entropy_with_logits on the raw scores"
        )
    w = _weight_array(op, weight, a.shape)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(a), -100.0)
        log_1mx = np.maximum(np.log1p(-a), -100.0)
    loss = -(t * log_x + (1.0 - t) * log_1mx)
    if w is not None:
        loss = loss * w
    out = _reduce(loss, reduction)

    def backward(grad_out):
        g = _upstream(grad_out, reduction, loss.size)
        if w is not None:
            g = g * w
        return _loss_grads(
            parents,
            lambda: g * (a - t) / np.maximum((1.0 - a) * a, _BCE_EPS),
            lambda: g * (log_1mx - log_x),
        )

    return _record(op, out, parents, backward)


def binary_cross_entropy_with_logits(
    input, target, weight=None, reduction="mean", pos_weight=None
):
    r"""Binary cross-entropy of ``sigmoid(input)``, computed from the logits.

    :math:`(1 - t)\,x + (1 + (p - 1)\,t)\,\operatorname{softplus}(-x)`, times
    ``weight``, where ``p`` is ``pos_weight`` (1 when not given). Working from
    logits never forms ``log(0)``, so it is stable for any finite input.

    Parameters
    ----------
    input : Tensor, any shape (raw scores)
    target : Tensor or array, same shape as ``input``
    weight : array or Tensor broadcastable to ``input``'s shape, optional
    reduction : {"mean", "sum", "none"}
    pos_weight : array or Tensor broadcastable to ``input``'s shape, optional
        Weight of the positive term, typically shape (classes,).

    Returns
    -------
    Tensor, 0-d (or ``input``'s shape for ``reduction="none"``)
    """
    op = "binary_cross_entropy_with_logits"
    x, t, parents = _loss_operands(op, input, target, reduction)
    a = x.data
    w = _weight_array(op, weight, a.shape)
    pw = _weight_array(op, pos_weight, a.shape)
    sp_neg = _stable_softplus(-a)
    log_weight = 1.0 if pw is None else 1.0 + (pw - 1.0) * t
    loss = (1.0 - t) * a + log_weight * sp_neg
    if w is not None:
        loss = loss * w
    out = _reduce(loss, reduction)

    def backward(grad_out):
        g = _upstream(grad_out, reduction, loss.size)
        if w is not None:
            g = g * w

        def grad_target():
            if pw is None:
                return -g * a
            return g * (-a + (pw - 1.0) * sp_neg)

        return _loss_grads(
            parents,
            lambda: g * ((1.0 - t) - log_weight * _stable_sigmoid(-a)),
            grad_target,
        )

    return _record(op, out, parents, backward)


# --------------------------------------------------------------------------
# classification losses
# --------------------------------------------------------------------------


def _class_axis(op, z):
    if z.ndim == 0:
        raise ShapeError(
            f"{op}: input must have a class axis, shape (classes,) or "
            f"(batch, classes, ...), got a 0-d input"
        )
    return 1 if z.ndim >= 2 else 0


def _target_array(target):
    return target.data if isinstance(target, Tensor) else np.asarray(target)


def _check_index_target(op, z, ca, t):
    """Check class-index targets; raise errors that say how to fix them."""
    expected = z.shape[:ca] + z.shape[ca + 1 :]
    if t.dtype.kind not in "iu":
        raise DTypeError(
            f"{op}: target of dtype {t.dtype} and shape {t.shape} is neither class "
            f"indices (an integer array of shape {expected}) nor class "
            f"probabilities (a float array of shape {z.shape}); for indices pass "
            "an integer NumPy array, e.g. np.asarray(y, dtype=np.int64) "
            "(microtensor.tensor() turns integers into float64)"
        )
    if t.shape != expected:
        raise ShapeError(
            f"{op}: input.shape={z.shape} needs class indices of shape {expected}, "
            f"got target.shape={t.shape}"
        )


def _class_weight(op, weight, n_classes):
    if weight is None:
        return None
    w = _target_array(weight)
    if w.shape != (n_classes,):
        raise ShapeError(
            f"{op}: weight.shape={w.shape} should be ({n_classes},), one per class"
        )
    return w


def _index_terms(op, t, n_classes, ignore_index, weight, dtype):
    """Check class indices; return them (ignored ones set to 0), their weights
    (0 where ignored) and the mask of counted targets."""
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    bad = safe[(safe < 0) | (safe >= n_classes)]
    if bad.size:
        raise ValueError(
            f"{op}: target holds class index {bad.flat[0]}, outside [0, {n_classes})"
            f" for input with {n_classes} classes"
        )
    if weight is None:
        w_t = valid.astype(dtype)
    else:
        w_t = weight[safe] * valid
    return safe, w_t, valid


def _expand(a, ca):
    return np.expand_dims(a, ca)


def _per_row(g, reduction, ca):
    """Give an unreduced upstream gradient its class axis back (size 1)."""
    if reduction == "none":
        return np.expand_dims(g, ca)
    return g


def _class_shape(ndim, ca, n_classes):
    shape = [1] * ndim
    shape[ca] = n_classes
    return tuple(shape)


def cross_entropy(
    input,
    target,
    weight=None,
    ignore_index=-100,
    reduction="mean",
    label_smoothing=0.0,
):
    r"""Cross-entropy of raw scores ``input`` against class indices or probabilities.

    Equal to ``nll_loss(log_softmax(input, axis=1), target)`` but one fused,
    stable node. The class axis is 1 (or 0 for a 1-D input).

    Parameters
    ----------
    input : Tensor, shape (classes,), (batch, classes) or (batch, classes, d1, ...)
        Unnormalised scores (logits).
    target : integer array of shape (), (batch,) or (batch, d1, ...), or Tensor
        Class indices in ``[0, classes)``; or class probabilities, a float array
        or Tensor of ``input``'s shape.
    weight : array of shape (classes,), optional
        A weight per class.
    ignore_index : int
        Index targets equal to this contribute nothing (not even to the mean).
    reduction : {"mean", "sum", "none"}
        With indices, "mean" divides by the summed weights of the counted
        targets, as PyTorch does.
    label_smoothing : float in [0, 1]
        Mix the target with the uniform distribution over the classes.

    Returns
    -------
    Tensor, 0-d (or the target's index shape for ``reduction="none"``)

    Raises
    ------
    DTypeError
        For float targets of the index shape (indices must be integers).
    ShapeError
        For targets of neither the index shape nor the input's shape.
    """
    op = "cross_entropy"
    _check_reduction(op, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing={label_smoothing} must be in [0, 1]")
    x = _as_tensor(input)
    z = x.data
    ca = _class_axis(op, z)
    t = _target_array(target)
    if t.dtype.kind == "f" and t.shape == z.shape:
        return _cross_entropy_probs(
            x, target, t, ca, weight, reduction, label_smoothing
        )
    _check_index_target(op, z, ca, t)
    if (
        weight is None
        and label_smoothing == 0.0
        and z.ndim == 2
        and t.size
        and t.min() >= 0
    ):
        return _cross_entropy_fast(x, z, t, reduction)
    return _cross_entropy_indices(
        x, z, t, ca, weight, ignore_index, reduction, label_smoothing
    )


def _cross_entropy_fast(x, z, t, reduction):
    """(batch, classes) logits with plain in-range indices: the common case."""
    rows = np.arange(z.shape[0])
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    try:
        picked = shifted[rows, t]
    except IndexError:
        raise ValueError(
            f"cross_entropy: target holds class index {t.max()}, outside "
            f"[0, {z.shape[1]}) for input.shape={z.shape}"
        ) from None
    loss = np.log(total[:, 0]) - picked
    out = _reduce(loss, reduction)

    def backward(grad_out):
        grad = e / total
        grad[rows, t] -= 1.0
        g = _upstream(grad_out, reduction, loss.size)
        if reduction == "none":
            g = g[:, None]
        grad *= g
        return (grad,)

    return _record("cross_entropy", out, (x,), backward)


def _cross_entropy_indices(x, z, t, ca, weight, ignore_index, reduction, eps):
    op = "cross_entropy"
    n_classes = z.shape[ca]
    w = _class_weight(op, weight, n_classes)
    safe, w_t, valid = _index_terms(op, t, n_classes, ignore_index, w, z.dtype)
    logp = _log_softmax_array(z, ca)
    picked = np.take_along_axis(logp, _expand(safe, ca), axis=ca).squeeze(ca)
    loss = -(1.0 - eps) * w_t * picked
    w_b = 1.0 if w is None else w.reshape(_class_shape(z.ndim, ca, n_classes))
    if eps:
        smooth = -(logp * w_b).sum(axis=ca) * valid
        loss = loss + (eps / n_classes) * smooth
    denom = w_t.sum()
    out = _reduce_weighted(loss, reduction, denom)

    def backward(grad_out):
        coeff = np.zeros_like(logp)
        np.put_along_axis(
            coeff, _expand(safe, ca), _expand((1.0 - eps) * w_t, ca), axis=ca
        )
        if eps:
            coeff = coeff + (eps / n_classes) * w_b * _expand(valid, ca)
        g = _per_row(_weighted_upstream(grad_out, reduction, denom), reduction, ca)
        p = np.exp(logp)
        return ((p * coeff.sum(axis=ca, keepdims=True) - coeff) * g,)

    return _record(op, out.astype(z.dtype, copy=False), (x,), backward)


def _reduce_weighted(loss, reduction, denom):
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(loss.sum() / denom)
    return _reduce(loss, reduction)


def _weighted_upstream(grad_out, reduction, denom):
    if reduction == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return grad_out / denom
    return grad_out


def _cross_entropy_probs(x, target, t, ca, weight, reduction, eps):
    op = "cross_entropy"
    z = x.data
    n_classes = z.shape[ca]
    w = _class_weight(op, weight, n_classes)
    w_b = 1.0 if w is None else w.reshape(_class_shape(z.ndim, ca, n_classes))
    q = t * (1.0 - eps) + eps / n_classes
    coeff = q * w_b
    logp = _log_softmax_array(z, ca)
    loss = -(coeff * logp).sum(axis=ca)
    out = _reduce(loss, reduction)
    parents = (x, target) if isinstance(target, Tensor) else (x,)

    def backward(grad_out):
        g = _per_row(_upstream(grad_out, reduction, loss.size), reduction, ca)

        def grad_input():
            p = np.exp(logp)
            return (p * coeff.sum(axis=ca, keepdims=True) - coeff) * g

        return _loss_grads(parents, grad_input, lambda: -(1.0 - eps) * w_b * logp * g)

    return _record(op, out, parents, backward)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    r"""Negative log-likelihood of log-probabilities ``input`` at class indices.

    :math:`-w_{t}\,x_{t}` per target, with ``x`` already log-probabilities (for
    example from :func:`log_softmax`).

    Parameters
    ----------
    input : Tensor, shape (classes,), (batch, classes) or (batch, classes, d1, ...)
    target : integer array of the input's shape without the class axis
    weight : array of shape (classes,), optional
    ignore_index : int
    reduction : {"mean", "sum", "none"}
        "mean" divides by the summed weights of the counted targets.

    Returns
    -------
    Tensor, 0-d (or the target's shape for ``reduction="none"``)
    """
    op = "nll_loss"
    _check_reduction(op, reduction)
    x = _as_tensor(input)
    z = x.data
    ca = _class_axis(op, z)
    t = _target_array(target)
    _check_index_target(op, z, ca, t)
    n_classes = z.shape[ca]
    w = _class_weight(op, weight, n_classes)
    safe, w_t, _ = _index_terms(op, t, n_classes, ignore_index, w, z.dtype)
    idx = _expand(safe, ca)
    loss = -w_t * np.take_along_axis(z, idx, axis=ca).squeeze(ca)
    denom = w_t.sum()
    out = _reduce_weighted(loss, reduction, denom)

    def backward(grad_out):
        g = _weighted_upstream(grad_out, reduction, denom)
        grad = np.zeros_like(z)
        np.put_along_axis(grad, idx, _expand(-w_t * g, ca), axis=ca)
        return (grad,)

    return _record(op, out.astype(z.dtype, copy=False), (x,), backward)
