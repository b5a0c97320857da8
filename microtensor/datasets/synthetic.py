"""Small generated data sets for the first lessons.

Every generator returns new float64 arrays that the caller may change freely.
Binary labels are float64 zeros and ones, ready for a squared-error or
binary cross-entropy loss; use ``y.astype(int)`` for class indices.

The random generators take ``rng`` as everything in microtensor does (see
:func:`microtensor.random.as_rng`): None for the default generator, which
:func:`microtensor.manual_seed` seeds, an int seed, or a
``numpy.random.Generator``. The same seed gives the same data on the same
NumPy version.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from microtensor.random import as_rng

__all__ = [
    "GATE_NAMES",
    "SeparableData",
    "circles",
    "linearly_separable",
    "logic_gate",
    "two_moons",
]

# Each gate: its number of inputs, and its output as a function of them.
_GATES = {
    "and": (2, lambda a, b: a and b),
    "or": (2, lambda a, b: a or b),
    "nand": (2, lambda a, b: not (a and b)),
    "nor": (2, lambda a, b: not (a or b)),
    "xor": (2, lambda a, b: a != b),
    "not": (1, lambda a: not a),
}

GATE_NAMES = tuple(_GATES)


class SeparableData(NamedTuple):
    """Two linearly separable classes and the separator that splits them.

    Attributes
    ----------
    X : ndarray, shape (n, dim), float64
        The points.
    y : ndarray, shape (n,), float64
        Labels 0.0 or 1.0; ``X @ w + b`` is positive exactly where ``y == 1``.
    w : ndarray, shape (dim,), float64
        Unit normal of the separating hyperplane (``np.linalg.norm(w) == 1``).
    b : float
        Offset of the hyperplane, so that ``X @ w + b`` is a signed distance.
    """

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    b: float


def _check_count(value, name: str, op: str, least: int = 2) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}")
    if value < least:
        raise ValueError(f"{op}: {name} must be at least {least}, got {name}={value}")
    return int(value)


def _check_nonnegative(value, name: str, op: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{op}: {name} must be finite and >= 0, got {name}={value}")
    return value


def _balanced_labels(n: int) -> np.ndarray:
    """Labels with n - n // 2 zeros followed by n // 2 ones."""
    y = np.zeros(n)
    y[n - n // 2 :] = 1.0
    return y


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the truth table of a logic gate as a tiny data set.

    Parameters
    ----------
    name : str
        One of ``"and"``, ``"or"``, ``"nand"``, ``"nor"``, ``"xor"``, ``"not"``
        (case does not matter).

    Returns
    -------
    X : ndarray, shape (4, 2), float64
        Every input pair of 0s and 1s once, in the order 00, 01, 10, 11.
        For ``"not"`` the shape is (2, 1): the inputs 0 and 1.
    y : ndarray, shape (4,) or (2,), float64
        The gate's output, 0.0 or 1.0, for each row of ``X``.

    Examples
    --------
    >>> X, y = logic_gate("xor")
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be a str, got {type(name).__name__}")
    if name.lower() not in _GATES:
        valid = ", ".join(repr(g) for g in GATE_NAMES)
        raise ValueError(
            f"logic_gate: unknown gate name={name!r}; valid names: {valid}"
        )

    n_inputs, gate = _GATES[name.lower()]
    rows = [
        [(i >> bit) & 1 for bit in reversed(range(n_inputs))]
        for i in range(2**n_inputs)
    ]
    X = np.array(rows, dtype=np.float64)
    y = np.array([float(bool(gate(*row))) for row in rows])
    return X, y


def linearly_separable(n: int, dim: int = 2, margin: float = 0.1, rng=None):
    """Two Gaussian half-blobs split by a random hyperplane with a set margin.

    Points are drawn from a standard normal in ``dim`` dimensions; each one's
    component along a random unit normal ``w`` is then pushed to its class's
    side of the hyperplane ``x @ w + b = 0`` so that the class's nearest point
    lies exactly ``margin`` away. The separator ``(w, b)`` therefore has
    geometric margin ``margin`` (the widest-margin separator may do better).

    Parameters
    ----------
    n : int
        Number of points, at least 2; ``n - n // 2`` get label 0 and ``n // 2``
        get label 1, in random order.
    dim : int, default 2
        Dimension of the points, at least 1.
    margin : float, default 0.1
        Distance from the hyperplane to the nearest point of each class, >= 0.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SeparableData
        Named tuple ``(X, y, w, b)``: ``X`` shape (n, dim), ``y`` shape (n,)
        with 0.0/1.0, ``w`` shape (dim,) with unit norm, ``b`` a float, and
        ``(2 * y - 1) * (X @ w + b) >= margin`` for every row.
    """
    op = "linearly_separable"
    n = _check_count(n, "n", op)
    dim = _check_count(dim, "dim", op, least=1)
    margin = _check_nonnegative(margin, "margin", op)
    gen = as_rng(rng)

    w = _random_unit_vector(gen, dim)
    b = float(gen.uniform(-1.0, 1.0))
    y = gen.permutation(_balanced_labels(n))
    sign = 2.0 * y - 1.0

    Z = gen.standard_normal((n, dim))
    along = Z @ w
    across = Z - np.outer(along, w)

    # Shift each class so its closest point sits on the margin exactly.
    distance = np.abs(along)
    for label in (0.0, 1.0):
        members = y == label
        distance[members] += margin - distance[members].min()

    X = across + np.outer(sign * distance - b, w)
    return SeparableData(X, y, w, b)


def _random_unit_vector(gen: np.random.Generator, dim: int) -> np.ndarray:
    while True:
        v = gen.standard_normal(dim)
        norm = np.linalg.norm(v)
        if norm > 1e-8:
            return v / norm


def two_moons(n: int, noise: float = 0.1, rng=None):
    """Two interleaved half circles, a classic that no straight line splits.

    The upper moon (label 0) is the half circle ``(cos t, sin t)`` and the
    lower moon (label 1) is ``(1 - cos t, 1/2 - sin t)``, for ``t`` drawn
    uniformly from [0, pi]; Gaussian noise of standard deviation ``noise`` is
    added to both coordinates.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (``n - n // 2`` in the upper moon).
    noise : float, default 0.1
        Standard deviation of the added noise, >= 0.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
        The points, in random order.
    y : ndarray, shape (n,), float64
        0.0 for the upper moon, 1.0 for the lower one.
    """
    op = "two_moons"
    n = _check_count(n, "n", op)
    noise = _check_nonnegative(noise, "noise", op)
    gen = as_rng(rng)

    y = gen.permutation(_balanced_labels(n))
    t = gen.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 1.0, lower, upper)
    X += noise * gen.standard_normal((n, 2))
    return X, y


def circles(n: int, noise: float = 0.05, factor: float = 0.5, rng=None):
    """A small circle inside a large one: separable, but not by a line.

    Parameters
    ----------
    n : int
        Number of points, at least 2 (``n - n // 2`` on the outer circle).
    noise : float, default 0.05
        Standard deviation of the Gaussian noise added to each coordinate, >= 0.
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one (radius 1);
        strictly between 0 and 1.
    rng : None, int or numpy.random.Generator
        Source of randomness.

    Returns
    -------
    X : ndarray, shape (n, 2), float64
        The points, at uniformly random angles, in random order.
    y : ndarray, shape (n,), float64
        0.0 for the outer circle, 1.0 for the inner one.
    """
    op = "circles"
    n = _check_count(n, "n", op)
    noise = _check_nonnegative(noise, "noise", op)
    factor = float(factor)
    if not 0.0 < factor < 1.0:
        raise ValueError(
            f"{op}: factor must lie strictly between 0 and 1, got factor={factor}"
        )
    gen = as_rng(rng)

    y = gen.permutation(_balanced_labels(n))
    angle = gen.uniform(0.0, 2.0 * np.pi, size=n)
    radius = np.where(y == 1.0, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * gen.standard_normal((n, 2))
    return X, y
