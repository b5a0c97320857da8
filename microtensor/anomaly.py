"""Find the first op that turns finite numbers into NaN or inf.

Inside ``with detect_anomaly():`` every op checks its output, and the backward
walk checks every gradient it computes. The first one that is not finite
although the values it came from were finite raises :class:`AnomalyError`
naming the op and the shapes. Outside, the cost is one check of a global flag
per op.
"""

import functools

import numpy as np

from microtensor.errors import AnomalyError
from microtensor.tensor import _set_anomaly_enabled

__all__ = ["check_backward", "check_forward", "detect_anomaly"]


class detect_anomaly:
    """Context manager (and decorator) that turns the NaN/inf checks on.

    Examples
    --------
    >>> import microtensor as mt
    >>> x = mt.tensor([0.0, 1.0], requires_grad=True)
    >>> with mt.detect_anomaly():
    ...     y = x.log()
    Traceback (most recent call last):
    ...
    microtensor.errors.AnomalyError: log: forward produced inf or NaN ...
    """

    def __init__(self, enabled=True):
        self.enabled = enabled
        self._previous = []

    def __enter__(self):
        self._previous.append(_set_anomaly_enabled(self.enabled))
        return self

    def __exit__(self, *exc_info):
        _set_anomaly_enabled(self._previous.pop())
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.enabled):
                return function(*args, **kwargs)

        return wrapper


def _is_finite(array):
    array = np.asarray(array)
    return array.dtype.kind not in "fc" or bool(np.isfinite(array).all())


def _shapes(parents):
    return ", ".join("constant" if p is None else str(p.data.shape) for p in parents)


def check_forward(op, out, parents):
    """Raise if ``out`` is not finite although every tensor input is."""
    if _is_finite(out):
        return
    if not all(p is None or _is_finite(p.data) for p in parents):
        return
    raise AnomalyError(
        f"{op}: forward produced inf or NaN in an output of shape {out.shape} "
        f"from finite inputs of shapes ({_shapes(parents)})"
    )


def check_backward(op, grad_out, parents, grads):
    """Raise if a gradient is not finite although ``grad_out`` is."""
    if not _is_finite(grad_out):
        return
    for position, (parent, grad) in enumerate(zip(parents, grads)):
        if grad is not None and parent is not None and not _is_finite(grad):
            raise AnomalyError(
                f"{op}: backward produced inf or NaN in the gradient of input "
                f"{position} (shape {parent.data.shape}) from a finite grad_out "
                f"of shape {np.shape(grad_out)}"
            )
