r"""The grader's own associative-memory formulas for lesson 5 (``hopfield.py``).

Plain NumPy, written for clarity rather than speed: orthogonal patterns from
Sylvester's Hadamard construction, Hebb's and Storkey's rules, the update rule
with its "a zero field keeps the state" convention, and the margins that prove
a probe is recalled whatever order the asynchronous updates take. The graded
suite computes every expected value here; it never imports the solutions.
"""

from __future__ import annotations

import numpy as np


def sylvester_hadamard(order: int) -> np.ndarray:
    """Return the Hadamard matrix of ``order`` (a power of two) built by Sylvester.

    Its rows are ±1 vectors, mutually orthogonal: ``H @ H.T == order * I``.
    """
    if order < 1 or order & (order - 1):
        raise ValueError(
            f"sylvester_hadamard: order must be a power of two, got {order}"
        )
    H = np.ones((1, 1))
    while H.shape[0] < order:
        H = np.block([[H, H], [H, -H]])
    return H


def orthogonal_patterns(order: int, rows, columns, signs) -> np.ndarray:
    """Rows of the Hadamard matrix of ``order``, shuffled and sign-flipped.

    ``rows`` picks distinct rows, ``columns`` is a permutation of the units and
    ``signs`` (one ±1 per picked row) flips whole patterns; all three keep the
    patterns mutually orthogonal.
    """
    H = sylvester_hadamard(order)
    return H[np.asarray(rows)][:, np.asarray(columns)] * np.asarray(signs)[:, None]


def random_patterns(seed: int, count: int, n: int) -> np.ndarray:
    """``count`` random ±1 patterns of length ``n`` from the seed, shape (count, n)."""
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=(count, n))


def hebb(patterns: np.ndarray) -> np.ndarray:
    r"""Hebb's weights :math:`\frac1n \sum_\mu \xi^\mu \xi^{\mu\top}`, zero diagonal."""
    patterns = np.atleast_2d(patterns)
    W = patterns.T @ patterns / patterns.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def storkey(patterns: np.ndarray, W: np.ndarray | None = None) -> np.ndarray:
    r"""Storkey's rule, one pattern at a time, one row of W at a time.

    For each pattern :math:`\xi`, with :math:`h_{ij} = \sum_{k \ne i,j} w_{ik}
    \xi_k`, every :math:`i \ne j` gets :math:`w_{ij} \mathrel{+}= \frac1n(\xi_i
    \xi_j - \xi_i h_{ji} - h_{ij} \xi_j)` computed from the weights before this
    pattern; the diagonal stays 0.
    """
    patterns = np.atleast_2d(patterns)
    n = patterns.shape[1]
    W = np.zeros((n, n)) if W is None else np.array(W, dtype=np.float64)
    for xi in patterns:
        field = W @ xi
        own = np.diag(W) * xi
        h = field[:, None] - own[:, None] - W * xi[None, :]
        new = W.copy()
        for i in range(n):
            # row i at once: every j, the diagonal entry put back afterwards
            new[i] += (xi[i] * xi - xi[i] * h[:, i] - h[i] * xi) / n
            new[i, i] = W[i, i]
        W = new
    return W


def sign_keep(field: np.ndarray, state: np.ndarray) -> np.ndarray:
    """sign(field), keeping ``state`` where the field is exactly 0."""
    return np.where(field > 0, 1.0, np.where(field < 0, -1.0, state))


def energy(W: np.ndarray, s: np.ndarray) -> float:
    r""":math:`E(s) = -\frac12 s^\top W s`."""
    return float(-0.5 * s @ W @ s)


def sync_sweep(W: np.ndarray, s: np.ndarray) -> np.ndarray:
    """One synchronous sweep: every unit from the same old state."""
    return sign_keep(W @ s, s)


def unstable_units(W: np.ndarray, s: np.ndarray, slack: float = 0.0) -> np.ndarray:
    """Indices of the units that an update would flip: field opposite to the state.

    A field of exactly 0 keeps the state, so it is stable; ``slack`` forgives
    fields of the wrong sign up to that size (rounding in the weights).
    """
    return np.flatnonzero(W @ s * s < -slack)


def stable_count(W: np.ndarray, patterns: np.ndarray, slack: float = 0.0) -> int:
    """How many of ``patterns`` are fixed points of the update rule under W."""
    return sum(unstable_units(W, xi, slack).size == 0 for xi in patterns)


def stability_margin(W: np.ndarray, xi: np.ndarray) -> float:
    r"""min over units of :math:`\xi_i h_i(\xi)`: positive when :math:`\xi` is a
    fixed point whose every field is non-zero."""
    return float((W @ xi * xi).min())


def recall_margin(W: np.ndarray, xi: np.ndarray, flipped) -> float:
    r"""A lower bound on :math:`\xi_i h_i(s)` over every state on the way back.

    The probe is :math:`\xi` with the units ``flipped`` negated. Whatever order
    the updates take, every state reached is :math:`\xi` with a subset
    :math:`G` of those units still wrong, as long as every field points to
    :math:`\xi`; and for such a state

    .. math:: \xi_i h_i(s) = \xi_i h_i(\xi) - 2\sum_{j \in G} w_{ij}\xi_i\xi_j
              \ge \xi_i h_i(\xi) - 2\sum_{j \in F} \max(0, w_{ij}\xi_i\xi_j).

    When the bound is positive for every unit, asynchronous recall in any order
    and synchronous recall both reach :math:`\xi` in one sweep and stop there.
    """
    flipped = np.asarray(flipped, dtype=int)
    signal = W @ xi * xi
    pull = np.maximum(0.0, W[:, flipped] * xi[:, None] * xi[None, flipped]).sum(axis=1)
    return float((signal - 2.0 * pull).min())


def bam_weights(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    r"""Kosko's weights :math:`\sum_\mu a^\mu b^{\mu\top}`, shape (n_a, n_b)."""
    return np.atleast_2d(A).T @ np.atleast_2d(B)


#: Storkey against Hebb: n units, P random patterns (load 1/3), and seeds for
#: which Hebb's rule keeps at most 2 of the 16 patterns stable and Storkey's all
#: 16 (the kit's tests check these counts).
CAPACITY_N = 48
CAPACITY_P = 16
CAPACITY_SEEDS = (0, 1, 4)
