"""Shape ops: reshape, transpose, flatten, squeeze, indexing, concatenate, stack.

None of these change a value, they only move values around, so each backward
moves the gradient back the same way: reshape it back, permute it back, or
scatter it back into a zero array of the input's shape.
"""

import operator

import numpy as np

from microtensor.errors import DTypeError, ShapeError
from microtensor.ops.reductions import normalize_axes
from microtensor.tensor import Tensor, _constant, _record

__all__ = [
    "concatenate",
    "flatten",
    "getitem",
    "reshape",
    "squeeze",
    "stack",
    "transpose",
    "unsqueeze",
]


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def reshape(a, *shape):
    """Return the values of ``a`` in a new shape (one size may be -1)."""
    a_data = a.data
    shape = _shape_args(shape)
    try:
        out = a_data.reshape(shape)
    except (ValueError, TypeError):
        raise ShapeError(
            f"reshape: cannot reshape a.shape={a_data.shape} ({a_data.size} "
            f"elements) into {tuple(shape)}"
        ) from None
    in_shape = a_data.shape

    def backward(grad_out):
        return (grad_out.reshape(in_shape),)

    return _record("reshape", out, (a,), backward)


def transpose(a, *axes):
    """Permute the axes of ``a``; without ``axes`` they are reversed."""
    a_data = a.data
    axes = _shape_args(axes)
    if not axes:
        axes = tuple(range(a_data.ndim - 1, -1, -1))
    try:
        out = a_data.transpose(axes)
    except ValueError:
        raise ShapeError(
            f"transpose: axes {tuple(axes)} are not a permutation of the "
            f"{a_data.ndim} axes of a.shape={a_data.shape}"
        ) from None
    inverse = tuple(np.argsort([ax % a_data.ndim for ax in axes]))

    def backward(grad_out):
        return (grad_out.transpose(inverse),)

    return _record("transpose", out, (a,), backward)


def flatten(a, start_dim=0, end_dim=-1):
    """Merge the axes ``start_dim`` to ``end_dim`` (inclusive) into one."""
    shape = a.data.shape
    if not shape:
        return reshape(a, 1)
    first = normalize_axes((start_dim,), len(shape), "flatten")[0]
    last = normalize_axes((end_dim,), len(shape), "flatten")[0]
    if first > last:
        raise ShapeError(
            f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for "
            f"a.shape={shape}"
        )
    merged = int(np.prod(shape[first : last + 1]))
    return reshape(a, shape[:first] + (merged,) + shape[last + 1 :])


def squeeze(a, axis=None):
    """Remove axes of size 1: all of them, or the ones in ``axis``."""
    shape = a.data.shape
    if axis is None:
        axes = tuple(i for i, size in enumerate(shape) if size == 1)
    else:
        axes = normalize_axes(axis, len(shape), "squeeze")
        wrong = [ax for ax in axes if shape[ax] != 1]
        if wrong:
            raise ShapeError(
                f"squeeze: axis {wrong[0]} has size {shape[wrong[0]]}, not 1, "
                f"in a.shape={shape}"
            )
    return reshape(a, tuple(s for i, s in enumerate(shape) if i not in axes))


def unsqueeze(a, axis):
    """Insert an axis of size 1 at position ``axis`` of the result."""
    shape = a.data.shape
    ndim = len(shape) + 1
    if not -ndim <= axis < ndim:
        raise ShapeError(
            f"unsqueeze: axis {axis} is out of range for a result with {ndim} "
            f"dimensions (a.shape={shape})"
        )
    axis %= ndim
    return reshape(a, shape[:axis] + (1,) + shape[axis:])


# ----------------------------------------------------------------------
# Indexing

_BASIC_TYPES = (int, slice, type(None), type(Ellipsis))


def _index_part(part):
    """Return one component of an index in the form NumPy takes."""
    if isinstance(part, Tensor):
        part = part.data
    elif isinstance(part, (list, float, np.floating)):
        part = np.asarray(part)
    elif isinstance(part, np.integer):
        return int(part)
    if isinstance(part, np.ndarray) and part.dtype.kind == "f":
        if not np.all(np.isfinite(part)) or np.any(part != np.round(part)):
            raise DTypeError(
                "getitem: a float index must hold whole numbers, got "
                f"{np.array2string(part, threshold=6)}; use integers or a "
                "boolean mask"
            )
        part = part.astype(np.intp)
    return part


def _normalize_index(index):
    """Return (index, basic) where basic means no advanced (array) indexing."""
    if type(index) is tuple:
        parts = tuple(_index_part(p) for p in index)
        basic = True
        for p in parts:
            if type(p) is bool or not isinstance(p, _BASIC_TYPES):
                basic = False
        return parts, basic
    part = _index_part(index)
    return part, type(part) is not bool and isinstance(part, _BASIC_TYPES)


def getitem(a, index):
    """Return ``a[index]``: ints, slices, None, Ellipsis, masks, int arrays.

    With integer arrays an element can be picked several times; its gradient
    is then the sum over the picks.
    """
    a_data = a.data
    index, basic = _normalize_index(index)
    try:
        out = a_data[index]
    except IndexError as exc:
        raise IndexError(f"getitem: {exc} (a.shape={a_data.shape})") from None
    shape = a_data.shape

    def backward(grad_out):
        grad_a = np.zeros(shape, dtype=grad_out.dtype)
        if basic:
            grad_a[index] = grad_out
        else:
            np.add.at(grad_a, index, grad_out)
        return (grad_a,)

    return _record("getitem", out, (a,), backward)


# ----------------------------------------------------------------------
# Joining


def _unpack_many(tensors, op):
    if isinstance(tensors, Tensor) or not len(tensors):
        raise ShapeError(f"{op}: expected a non-empty sequence of tensors")
    nodes = tuple(t if isinstance(t, Tensor) else None for t in tensors)
    datas = [
        t.data if isinstance(t, Tensor) else np.asarray(_constant(t, op))
        for t in tensors
    ]
    return nodes, datas


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis.

    Parameters
    ----------
    tensors : sequence of Tensor (or arrays, taken as constants)
        Shapes equal except along ``axis``.
    axis : int, optional
    """
    nodes, datas = _unpack_many(tensors, "concatenate")
    try:
        out = np.concatenate(datas, axis=axis)
    except ValueError:  # AxisError is a ValueError too
        shapes = ", ".join(str(d.shape) for d in datas)
        raise ShapeError(
            f"concatenate: cannot join shapes {shapes} along axis {axis}"
        ) from None
    axis = operator.index(axis) % out.ndim
    bounds = np.cumsum([d.shape[axis] for d in datas])[:-1]

    def backward(grad_out):
        return tuple(np.split(grad_out, bounds, axis=axis))

    return _record("concatenate", out, nodes, backward)


def stack(tensors, axis=0):
    """Join tensors of equal shape along a new axis."""
    nodes, datas = _unpack_many(tensors, "stack")
    try:
        out = np.stack(datas, axis=axis)
    except ValueError:  # AxisError is a ValueError too
        shapes = ", ".join(str(d.shape) for d in datas)
        raise ShapeError(
            f"stack: cannot stack shapes {shapes} along axis {axis}"
        ) from None
    axis = operator.index(axis) % out.ndim

    def backward(grad_out):
        moved = np.moveaxis(grad_out, axis, 0)
        return tuple(moved[i] for i in range(len(datas)))

    return _record("stack", out, nodes, backward)
