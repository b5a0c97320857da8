"""Compare analytic gradients with central differences, and explain mismatches.

``gradcheck`` perturbs every element of every input that requires grad by
``±eps`` in float64, and compares ``(f(x + eps) - f(x - eps)) / (2 eps)``
with what ``backward`` computed. An element passes when
``|analytic - numeric| <= atol + rtol * |numeric|``. A failure is reported
summary first: the input, the worst element, both values, the errors and
the tolerances.
"""

import warnings

import numpy as np

from microtensor.errors import DTypeError, GradcheckError, ShapeError
from microtensor.tensor import Tensor, no_grad

__all__ = ["gradcheck", "numerical_grad"]

# The upstream gradient used when ``fn`` returns more than one element: fixed,
# so a failure is reproducible, and random, so no output element is weighted
# zero and no two errors cancel by symmetry.
_UPSTREAM_SEED = 20240611


def numerical_grad(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function of an array.

    Parameters
    ----------
    f : callable
        ``f(array) -> number``: a function of one float64 array that returns a
        scalar (a number, a 0-d or one-element array or tensor).
    x : array_like
        The point, any shape.
    eps : float, optional
        The step.

    Returns
    -------
    numpy.ndarray, shape of x, float64
    """
    point = np.array(x, dtype=np.float64)
    return _central_differences(lambda p: _scalar(f(p)), point, eps)


def _scalar(value):
    if isinstance(value, Tensor):
        value = value.data
    value = np.asarray(value, dtype=np.float64)
    if value.size != 1:
        raise ShapeError(
            f"numerical_grad: f must return one number, got shape {value.shape}"
        )
    return float(value.reshape(()))


def _function_name(fn):
    return getattr(fn, "__qualname__", None) or repr(fn)


def _prepare_inputs(inputs):
    """Fresh float64 leaves for the inputs that require grad; others unchanged."""
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    prepared = []
    for item in inputs:
        if isinstance(item, Tensor) and item.requires_grad:
            if item.data.dtype != np.float64:
                warnings.warn(
                    f"gradcheck: input of dtype {item.data.dtype} is checked in "
                    f"float64; finite differences need float64 to be accurate",
                    stacklevel=3,
                )
            item = Tensor(item.data, requires_grad=True, dtype=np.float64)
        prepared.append(item)
    return prepared


def _output(fn, inputs, name):
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise DTypeError(
            f"gradcheck: {name} must return a Tensor, got {type(out).__name__}"
        )
    return out


def _analytic(fn, inputs, name):
    """Run backward once; return the output's upstream weights and gradients."""
    out = _output(fn, inputs, name)
    rng = np.random.default_rng(_UPSTREAM_SEED)
    upstream = rng.standard_normal(out.data.shape)
    if out.data.size == 1:
        upstream = np.ones(out.data.shape)
    grads = []
    if out.requires_grad:
        out.backward(upstream)
    for item in inputs:
        if isinstance(item, Tensor) and item.requires_grad:
            grad = item.grad
            grads.append(np.zeros_like(item.data) if grad is None else grad)
    return upstream, grads


def _numeric(fn, inputs, leaf, upstream, eps, name):
    def weighted(_):
        return float(np.sum(_output(fn, inputs, name).data * upstream))

    with no_grad():
        return _central_differences(weighted, leaf.data, eps)


def _central_differences(f, array, eps):
    """Central differences of ``f`` at ``array``, perturbed in place and restored."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = f(array)
        array[index] = original - eps
        minus = f(array)
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _worst(analytic, numeric, atol, rtol):
    """Return (index, n_bad) of the element farthest outside the tolerance."""
    excess = np.abs(analytic - numeric) / (atol + rtol * np.abs(numeric))
    excess = np.where(np.isnan(excess), np.inf, excess)
    bad = int(np.count_nonzero(excess > 1))
    if not bad:
        return None, 0
    return np.unravel_index(int(np.argmax(excess)), excess.shape), bad


def _report(name, position, shape, index, analytic, numeric, bad, atol, rtol):
    a_value, n_value = float(analytic[index]), float(numeric[index])
    abs_err = abs(a_value - n_value)
    rel_err = abs_err / abs(n_value) if n_value != 0 else float("inf")
    index = tuple(int(i) for i in index)
    return (
        f"gradcheck failed for {name}: input {position} (shape {shape}), "
        f"{bad} of {analytic.size} elements outside tolerance; worst at index "
        f"{index}: analytic={a_value:.10g} numeric={n_value:.10g} "
        f"abs_err={abs_err:.3g} rel_err={rel_err:.3g} (atol={atol:g}, "
        f"rtol={rtol:g})"
    )


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Check ``fn``'s analytic gradients against central differences.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs) -> Tensor``. A non-scalar result is reduced with a
        fixed random upstream gradient, so every output element is checked.
    inputs : Tensor or sequence
        The arguments of ``fn``. Every tensor with ``requires_grad=True`` is
        checked; other arguments are passed through unchanged. The check
        runs on float64 copies, so the inputs' ``.grad`` is left alone.
    eps : float, optional
        Finite-difference step.
    atol, rtol : float, optional
        An element passes when ``|analytic - numeric| <= atol + rtol *
        |numeric|``.
    raise_exception : bool, optional
        Raise :class:`GradcheckError` on a mismatch (default) rather than
        return False.

    Returns
    -------
    bool
        True when every element passes.

    Examples
    --------
    >>> import microtensor as mt
    >>> x = mt.randn(3, 4, rng=0, requires_grad=True)
    >>> mt.gradcheck(lambda t: (t * t).sum(axis=1), [x])
    True
    """
    name = _function_name(fn)
    prepared = _prepare_inputs(inputs)
    upstream, analytic_grads = _analytic(fn, prepared, name)
    leaves = [
        (position, item)
        for position, item in enumerate(prepared)
        if isinstance(item, Tensor) and item.requires_grad
    ]
    for (position, leaf), analytic in zip(leaves, analytic_grads):
        numeric = _numeric(fn, prepared, leaf, upstream, eps, name)
        index, bad = _worst(analytic, numeric, atol, rtol)
        if index is None:
            continue
        message = _report(
            name, position, leaf.data.shape, index, analytic, numeric, bad, atol, rtol
        )
        if raise_exception:
            raise GradcheckError(message)
        return False
    return True
