"""Assertions the graded suites use, with feedback a student can act on.

Everything here runs on the trusted side, on plain values that came back from
the worker. Each check raises `PropertyFailed` (an AssertionError) whose text
says what was expected, what came, where, and by how much.
"""

from __future__ import annotations

import numpy as np

from microtensor.grading.protocol import Ref, TensorRef

NUMERIC_KINDS = "fiub"


class PropertyFailed(AssertionError):
    """A graded property does not hold; the message is the student's feedback."""


def fail(message: str):
    raise PropertyFailed(message)


def short(value, precision: int = 6, limit: int = 160) -> str:
    """A compact, readable rendering of a number or array for feedback."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=precision, separator=", ",
                               threshold=12, edgeitems=3, max_line_width=limit)
        text = " ".join(text.split())
    elif isinstance(value, float):
        text = f"{value:.{precision}g}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_type(value) -> str:
    if isinstance(value, TensorRef):
        return f"a Tensor of shape {value.shape}"
    if isinstance(value, Ref):
        return f"a {value.type_name} object"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def tensor_value(value, what: str, shape=None) -> np.ndarray:
    """The data of a Tensor that the submission returned, as float64.

    Fails when the value is not a Tensor (the exercise asks for one), is not
    numeric, or has the wrong shape.
    """
    if not isinstance(value, TensorRef):
        fail(f"{what} returned {describe_type(value)}; expected a microtensor Tensor")
    return _checked(value.data, what, shape)


def array_value(value, what: str, shape=None) -> np.ndarray:
    """A number, array or Tensor from the submission, as a float64 array."""
    if isinstance(value, TensorRef):
        value = value.data
    if type(value) in (bool, int, float):
        value = np.array(float(value))
    if type(value) is list:
        try:
            value = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"{what} returned a list that is not numeric")
    if type(value) is not np.ndarray:
        fail(f"{what} returned {describe_type(value)}; expected numbers")
    return _checked(value, what, shape)


def _checked(array: np.ndarray, what: str, shape) -> np.ndarray:
    if array.dtype.kind not in NUMERIC_KINDS:
        fail(f"{what} returned values of dtype {array.dtype}; expected real numbers")
    if shape is not None and array.shape != tuple(shape):
        fail(f"{what} has shape {array.shape}; expected {tuple(shape)}")
    return array.astype(np.float64)


def scalar_value(value, what: str) -> float:
    array = array_value(value, what)
    if array.size != 1:
        fail(f"{what} returned {array.size} numbers; expected one")
    return float(array.reshape(()))


def assert_close(got, expected, what: str, inputs: dict | None = None,
                 rtol: float = 1e-7, atol: float = 1e-9) -> None:
    """Fail with the worst element, its inputs and the error when ``got`` differs.

    NaN or infinity in ``got`` where ``expected`` is finite is always a failure.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        fail(f"{what} has shape {got.shape}; expected {expected.shape}")
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(got - expected)
        allowed = atol + rtol * np.abs(expected)
        bad = ~(error <= allowed) | (np.isfinite(expected) & ~np.isfinite(got))
    bad &= ~(np.isnan(expected) & np.isnan(got))
    if not bad.any():
        return
    if got.ndim == 0:
        index = ()
    else:
        score = np.where(bad, np.nan_to_num(error / allowed, nan=np.inf), -1.0)
        index = np.unravel_index(int(np.argmax(score)), got.shape)
    lines = [f"{what} is wrong" + (f" at index {tuple(int(i) for i in index)}"
                                   if index else "")]
    for name, value in (inputs or {}).items():
        lines.append(f"  {name} = {_element(value, index, got.shape)}")
    g, e = got[index], expected[index]
    lines.append(f"  expected {short(float(e), 10)}, got {short(float(g), 10)}")
    if np.isfinite(g) and np.isfinite(e):
        rel = abs(g - e) / abs(e) if e != 0 else float("inf")
        lines.append(f"  error {abs(g - e):.3g} (relative {rel:.3g}); "
                     f"allowed {atol:g} + {rtol:g}·|expected|")
    count = int(bad.sum())
    if count > 1:
        lines.append(f"  ({count} of {bad.size} values are wrong)")
    fail("\n".join(lines))


def _element(value, index, shape):
    value = np.asarray(value)
    if index and value.shape == shape:
        return short(float(value[index]), 10)
    return short(value if value.ndim else float(value), 10)


def central_difference(f, z: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Elementwise derivative of an elementwise function by central differences."""
    z = np.asarray(z, dtype=np.float64)
    return (f(z + eps) - f(z - eps)) / (2 * eps)
