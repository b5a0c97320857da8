"""Custom ops with a hand-written gradient.

Subclass :class:`Function`, write two static methods on NumPy arrays, and call
the op with ``MyOp.apply(...)``::

    class Cube(microtensor.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_out):
            (x,) = ctx.saved_tensors
            return grad_out * 3 * x**2

    y = Cube.apply(t)

The op is recorded like every built-in one, so a gradient of a broadcast
input is summed back to the input's shape, a gradient of the wrong shape is
reported naming the op, and ``detect_anomaly()`` checks it too.
"""

import numpy as np

from microtensor.errors import DTypeError, GraphError
from microtensor.tensor import (
    _REAL_KINDS,
    Tensor,
    _real_array,
    _record,
    is_grad_enabled,
)

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """Saved state of one call of a :class:`Function`.

    Attributes
    ----------
    saved_tensors : tuple of numpy.ndarray
        What ``forward`` passed to :meth:`save_for_backward`.
    needs_input_grad : tuple of bool
        One flag per tensor input: whether its gradient will be used.
        ``backward`` may return None for an input whose flag is False.

    Other attributes may be set freely (``ctx.alpha = alpha``).
    """

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self.saved_tensors = ()

    def save_for_backward(self, *arrays):
        """Keep ``arrays`` for ``backward``, as ``ctx.saved_tensors``."""
        self.saved_tensors = arrays


class Function:
    """Base class of a custom op; see the module docstring for an example.

    ``forward(ctx, *args, **kwargs)`` receives every tensor argument as its
    ndarray (other arguments as they were given) and returns an ndarray.
    ``backward(ctx, grad_out)`` receives the gradient of the output and
    returns one gradient per tensor input (a single array when there is one
    tensor input; None for an input that needs none). Returning one gradient
    per positional argument, with None for the non-tensor ones, is accepted
    too.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the output from the input arrays."""
        raise NotImplementedError("Function subclasses must define forward")

    @staticmethod
    def backward(ctx, grad_out):
        """Return the gradient of each tensor input, given ``grad_out``."""
        raise NotImplementedError("Function subclasses must define backward")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on the arguments and record the op.

        Returns
        -------
        Tensor
        """
        op = cls.__name__
        nodes = tuple(arg for arg in args if isinstance(arg, Tensor))
        positions = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        arrays = [arg.data if isinstance(arg, Tensor) else arg for arg in args]
        grad_mode = is_grad_enabled()
        ctx = FunctionCtx(tuple(grad_mode and node.requires_grad for node in nodes))
        out = np.asarray(cls.forward(ctx, *arrays, **kwargs))
        if out.dtype.kind not in _REAL_KINDS:
            raise DTypeError(
                f"{op}.forward must return an ndarray of real numbers (float, int "
                f"or bool), got dtype {out.dtype}"
            )

        def backward(grad_out):
            grads = cls.backward(ctx, grad_out)
            return _match_gradients(op, grads, len(args), positions)

        return _record(op, out, nodes, backward)


def _match_gradients(op, grads, n_args, positions):
    """Return one gradient array (or None) per tensor input."""
    if not isinstance(grads, (tuple, list)):
        grads = (grads,)
    if len(grads) == n_args and n_args != len(positions):
        grads = [grads[i] for i in positions]
    if len(grads) != len(positions):
        raise GraphError(
            f"{op}.backward returned {len(grads)} gradients for "
            f"{len(positions)} tensor inputs"
        )
    return tuple(
        None if grad is None else _checked_gradient(op, grad, i)
        for i, grad in enumerate(grads)
    )


def _checked_gradient(op, grad, position):
    """A copy of one returned gradient, refused unless it holds real numbers.

    A copy, because a user's backward may return an array it also keeps, and
    the backward walk gives new arrays to .grad as they are.
    """
    name = f"the gradient of tensor input {position}"
    return np.array(_real_array(grad, f"{op}.backward", name))
