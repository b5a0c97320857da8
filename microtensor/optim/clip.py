"""Gradient clipping: rescale gradients whose norm is too large."""

import math

import numpy as np

from microtensor.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _parameter_list(op, parameters):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise ValueError(
            f"{op}: got an empty parameter list; pass the tensors whose gradients "
            "to clip, e.g. model.parameters()"
        )
    return params


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so that their joint norm is at most ``max_norm``.

    The joint norm is the ``norm_type``-norm of the vector of all gradient
    elements (``inf`` for the largest absolute value). When it exceeds
    ``max_norm`` every gradient is multiplied by ``max_norm / (norm + 1e-6)``,
    as PyTorch does. Each ``.grad`` is replaced by a new array, never written
    in place. Parameters without a gradient are skipped.

    Parameters
    ----------
    parameters : iterable of Tensor, or a Tensor
    max_norm : float
    norm_type : float
        The p of the p-norm; ``float("inf")`` for the maximum norm.
    error_if_nonfinite : bool
        Raise instead of scaling when the norm is NaN or infinite.

    Returns
    -------
    float
        The joint norm before clipping.
    """
    params = _parameter_list("clip_grad_norm_", parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norm_type = float(norm_type)
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        norms = [np.linalg.norm(g.ravel(), ord=norm_type) for g in grads]
        total = float(np.linalg.norm(np.array(norms), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise FloatingPointError(
            f"clip_grad_norm_: the total {norm_type}-norm of the gradients is "
            f"{total}; pass error_if_nonfinite=False to scale anyway"
        )
    coef = min(max_norm / (total + 1e-6), 1.0)
    for p in params:
        if p.grad is not None:
            p.grad = p.grad * np.asarray(coef, dtype=p.grad.dtype)
    return total


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient element to ``[-clip_value, clip_value]``.

    Each ``.grad`` is replaced by a new array, never written in place.

    Parameters
    ----------
    parameters : iterable of Tensor, or a Tensor
    clip_value : float (non-negative)
    """
    params = _parameter_list("clip_grad_value_", parameters)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value={clip_value} is negative")
    for p in params:
        if p.grad is not None:
            p.grad = np.clip(p.grad, -clip_value, clip_value)
