"""Matrix product with NumPy's rules: 1-D·1-D, 1-D·2-D, 2-D·1-D, 2-D, batched.

The backward treats a 1-D operand as a matrix with one row (on the left) or
one column (on the right), the way ``numpy.matmul`` does, and puts the
missing output axes back into the gradient before multiplying. Gradients of
a broadcast batch come back with the batch axes; the backward walk sums them
away like any other broadcast.
"""

import numpy as np

from microtensor.errors import ShapeError
from microtensor.tensor import Tensor, _constant, _record

__all__ = ["matmul"]


def _operand(x):
    if isinstance(x, Tensor):
        return x, x.data
    return None, np.asarray(_constant(x, "matmul"))


def _check_shapes(a_data, b_data):
    a_shape, b_shape = a_data.shape, b_data.shape
    if not a_shape or not b_shape:
        raise ShapeError(
            f"matmul: both operands need at least one dimension, "
            f"a.shape={a_shape} b.shape={b_shape}"
        )
    inner_a = a_shape[-1]
    inner_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if inner_a != inner_b:
        raise ShapeError(
            f"matmul: inner dimensions differ, a.shape={a_shape} b.shape={b_shape} "
            f"({inner_a} != {inner_b})"
        )


def matmul(a, b):
    """Return the matrix product ``a @ b``.

    Parameters
    ----------
    a : Tensor or array_like, shape (..., n, k) or (k,)
    b : Tensor or array_like, shape (..., k, m) or (k,)

    Returns
    -------
    Tensor, shape (..., n, m), with the n axis absent when ``a`` is 1-D and
    the m axis absent when ``b`` is 1-D.
    """
    a, a_data = _operand(a)
    b, b_data = _operand(b)
    _check_shapes(a_data, b_data)
    try:
        out = a_data @ b_data
    except ValueError:
        raise ShapeError(
            f"matmul: batch shapes cannot be broadcast together, "
            f"a.shape={a_data.shape} b.shape={b_data.shape}"
        ) from None

    if a_data.ndim == 2 and b_data.ndim == 2:

        def backward(grad_out):
            grad_a = grad_out @ b_data.T if a is not None and a.requires_grad else None
            grad_b = a_data.T @ grad_out if b is not None and b.requires_grad else None
            return grad_a, grad_b

        return _record("matmul", out, (a, b), backward)

    a_mat = a_data if a_data.ndim > 1 else a_data[np.newaxis, :]
    b_mat = b_data if b_data.ndim > 1 else b_data[:, np.newaxis]

    def backward(grad_out):
        # Give the gradient the shape (..., n, m) of the product of a_mat and
        # b_mat, then reshape each result back to its operand's rank.
        if b_data.ndim == 1:
            grad_out = grad_out[..., np.newaxis]
        if a_data.ndim == 1:
            grad_out = grad_out[..., np.newaxis, :]
        grad_a = grad_b = None
        if a is not None and a.requires_grad:
            grad_a = grad_out @ np.swapaxes(b_mat, -1, -2)
            if a_data.ndim == 1:
                grad_a = grad_a[..., 0, :]
        if b is not None and b.requires_grad:
            grad_b = np.swapaxes(a_mat, -1, -2) @ grad_out
            if b_data.ndim == 1:
                grad_b = grad_b[..., 0]
        return grad_a, grad_b

    return _record("matmul", out, (a, b), backward)
