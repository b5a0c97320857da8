"""Reductions: sum, mean, max, min over any axis or tuple of axes.

Each backward first puts the reduced axes back as size-1 axes (the shape the
result would have with ``keepdims=True``) and then broadcasts to the input's
shape: every input element that fed an output element gets its gradient.
"""

import numpy as np

from microtensor.errors import ShapeError
from microtensor.tensor import _record

__all__ = ["max", "mean", "min", "normalize_axes", "sum"]


def normalize_axes(axis, ndim, op):
    """Return ``axis`` as a sorted tuple of non-negative ints.

    Parameters
    ----------
    axis : None, int or tuple of int
        None means every axis.
    ndim : int
        The number of dimensions of the input.
    op : str
        The op's name, for the error message.

    Raises
    ------
    ShapeError
        If an axis is out of range or repeated.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise ShapeError(
                f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions"
            )
        normalized.append(ax % ndim)
    if len(set(normalized)) != len(normalized):
        raise ShapeError(f"{op}: repeated axis in {tuple(axes)}")
    return tuple(sorted(normalized))


def _kept_shape(shape, axes):
    """The shape of the result with ``keepdims=True``."""
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


def sum(a, axis=None, keepdims=False):
    """Sum of the elements over ``axis``.

    Parameters
    ----------
    a : Tensor
    axis : None, int or tuple of int, optional
    keepdims : bool, optional
        Keep the reduced axes with size 1.
    """
    a_data = a.data
    shape = a_data.shape
    axes = normalize_axes(axis, a_data.ndim, "sum")
    out = a_data.sum(axis=axes, keepdims=keepdims)
    kept = _kept_shape(shape, axes)

    def backward(grad_out):
        return (np.broadcast_to(grad_out.reshape(kept), shape),)

    return _record("sum", out, (a,), backward)


def mean(a, axis=None, keepdims=False):
    """Mean of the elements over ``axis`` (see :func:`sum` for the arguments)."""
    a_data = a.data
    shape = a_data.shape
    axes = normalize_axes(axis, a_data.ndim, "mean")
    count = 1
    for ax in axes:
        count *= shape[ax]
    if count == 0:
        raise ShapeError(f"mean: the mean over axes {axes} of shape {shape} is empty")
    out = a_data.sum(axis=axes, keepdims=keepdims) / count
    kept = _kept_shape(shape, axes)

    def backward(grad_out):
        return (np.broadcast_to(grad_out.reshape(kept) / count, shape),)

    return _record("mean", out, (a,), backward)


def _extreme(op, a, axis, keepdims):
    """Shared body of max and min.

    Where several elements tie for the extremum, each gets an equal share of
    the gradient, as ``torch.amax`` does: the result does not depend on which
    one of them is "the" maximum, so none of them is singled out.
    """
    a_data = a.data
    shape = a_data.shape
    axes = normalize_axes(axis, a_data.ndim, op)
    if a_data.size == 0:
        raise ShapeError(f"{op}: cannot reduce an empty tensor of shape {shape}")
    reduce = np.max if op == "max" else np.min
    kept_out = reduce(a_data, axis=axes, keepdims=True)
    out = (
        kept_out
        if keepdims
        else kept_out.reshape(tuple(s for i, s in enumerate(shape) if i not in axes))
    )
    kept = kept_out.shape

    def backward(grad_out):
        winners = a_data == kept_out
        count = winners.sum(axis=axes, keepdims=True, dtype=grad_out.dtype)
        return (winners * (grad_out.reshape(kept) / count),)

    return _record(op, out, (a,), backward)


def max(a, axis=None, keepdims=False):
    """Maximum over ``axis``; tied maxima share the gradient evenly."""
    return _extreme("max", a, axis, keepdims)


def min(a, axis=None, keepdims=False):
    """Minimum over ``axis``; tied minima share the gradient evenly."""
    return _extreme("min", a, axis, keepdims)
