r"""Lesson 5, associative memory: reference solution.

A Hopfield network stores ±1 patterns in a symmetric weight matrix with a zero
diagonal and recalls one of them from a damaged copy by letting its units follow
their local fields downhill in energy. A bidirectional associative memory (BAM)
stores pairs of patterns and recalls the partner of either one.

Neither network learns by gradient descent, so the weights are plain NumPy
arrays and the state updates are NumPy arithmetic; the random order of
asynchronous updates comes from the engine's generator convention
(:func:`microtensor.random.as_rng`: None, an int seed or a Generator).

Two rules hold everywhere below:

* states and patterns are vectors of -1.0 and +1.0; 0/1 vectors are refused
  with a pointer to :func:`to_bipolar`;
* a unit whose local field is exactly 0 keeps its state (``np.sign(0)`` is 0,
  which is not a state at all).
"""

import reprlib

import numpy as np

from microtensor.random import as_rng

RULES = ("hebb", "storkey")
MODES = ("async", "sync")


# ---------------------------------------------------------------- checks


def _as_states(x, n, what, max_ndim=1):
    """Return ``x`` as a float64 array of ±1 whose last axis has length ``n``.

    Raises ValueError naming ``what`` when ``x`` is not numeric, has the wrong
    shape, holds 0/1 values (with a pointer to ``to_bipolar``) or anything else
    than -1 and +1.
    """
    try:
        x = np.array(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what}: expected numbers -1 and +1, got {reprlib.repr(x)}"
        ) from None
    if not 1 <= x.ndim <= max_ndim or x.shape[-1] != n:
        wanted = f"({n},)" if max_ndim == 1 else f"({n},) or (P, {n})"
        raise ValueError(f"{what}: expected shape {wanted} for n={n}, got {x.shape}")
    values = np.unique(x)
    if np.isin(values, (0.0, 1.0)).all() and (values == 0.0).any():
        raise ValueError(
            f"{what}: got 0/1 values, but the network works with -1 and +1; "
            "map them first with to_bipolar(x), which computes 2x - 1"
        )
    wrong = values[~np.isin(values, (-1.0, 1.0))]
    if wrong.size:
        raise ValueError(
            f"{what}: every entry must be -1 or +1, found {wrong[:5].tolist()}"
        )
    return x


def _check_size(value, name, owner):
    """Return ``value`` as an int >= 1, else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be an int >= 1, got {value!r}")
    return int(value)


def _sign_keep(field, state):
    """Return sign(field), keeping ``state`` where the field is exactly 0."""
    return np.where(field > 0, 1.0, np.where(field < 0, -1.0, state))


def to_bipolar(patterns):
    r"""Map 0/1 patterns to the ±1 coding the networks use.

    .. math:: x \mapsto 2x - 1

    Parameters
    ----------
    patterns : array_like of 0/1 or bool, any shape
        Binary pixels or bits.

    Returns
    -------
    ndarray of float64, same shape
        -1.0 where ``patterns`` is 0 (False), +1.0 where it is 1 (True).

    Raises
    ------
    ValueError
        If any entry is neither 0 nor 1, naming the values found.
    """
    x = np.asarray(patterns)
    if x.dtype == bool:
        x = x.astype(np.float64)
    try:
        x = x.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"to_bipolar: expected 0/1 values, got {reprlib.repr(patterns)}"
        ) from None
    values = np.unique(x)
    wrong = values[~np.isin(values, (0.0, 1.0))]
    if wrong.size:
        raise ValueError(f"to_bipolar: expected 0/1 values, found {wrong[:5].tolist()}")
    return 2.0 * x - 1.0


# ---------------------------------------------------------------- Hopfield


class Hopfield:
    r"""A Hopfield network of ``n`` binary units with states -1 and +1.

    Parameters
    ----------
    n : int
        Number of units, at least 1.

    Attributes
    ----------
    n : int
        Number of units.
    weights : ndarray of float64, shape (n, n)
        The weight matrix, zeros at the start. A plain NumPy array: the network
        learns by Hebb's or Storkey's rule, not by gradients, so it needs no
        Tensor. Every method reads it afresh, so it may be replaced by any
        symmetric matrix with a zero diagonal (the grader does exactly that).
    """

    def __init__(self, n):
        self.n = _check_size(n, "n", "Hopfield")
        self.weights = np.zeros((self.n, self.n))

    def store(self, patterns, rule="hebb"):
        r"""Add patterns to the memory by Hebb's or Storkey's rule.

        Hebb's rule adds, for the :math:`P` patterns :math:`\xi^\mu` together,

        .. math:: \Delta W = \frac{1}{n} \sum_{\mu} \xi^\mu \xi^{\mu\top},
                  \qquad \Delta w_{ii} = 0 .

        Storkey's rule adds the patterns one at a time, in order: with the local
        field :math:`h_{ij} = \sum_{k \ne i, j} w_{ik} \xi_k` of the current
        weights,

        .. math:: \Delta w_{ij} = \frac{1}{n}\left(\xi_i \xi_j - \xi_i h_{ji}
                  - h_{ij} \xi_j\right), \qquad \Delta w_{ii} = 0 .

        Both rules add to what is stored: storing ``p1`` and then ``p2`` gives
        the same weights as storing ``[p1, p2]`` at once.

        Parameters
        ----------
        patterns : array_like, shape (n,) or (P, n)
            One pattern or P patterns of -1 and +1.
        rule : {"hebb", "storkey"}, default "hebb"
            The learning rule.

        Returns
        -------
        Hopfield
            ``self``, with ``weights`` updated.

        Raises
        ------
        ValueError
            If a pattern is not of length n, holds anything but -1 and +1 (0/1
            patterns get a pointer to ``to_bipolar``), or ``rule`` is unknown.
        """
        if rule not in RULES:
            raise ValueError(
                f"Hopfield.store: rule must be one of {RULES}, got {rule!r}"
            )
        patterns = _as_states(patterns, self.n, "Hopfield.store", max_ndim=2)
        patterns = patterns.reshape(-1, self.n)
        if rule == "hebb":
            self.weights = self.weights + self._hebb(patterns)
        else:
            for xi in patterns:
                self.weights = self.weights + self._storkey(xi)
        return self

    def _hebb(self, patterns):
        """Return Hebb's increment for patterns of shape (P, n)."""
        delta = patterns.T @ patterns / self.n
        np.fill_diagonal(delta, 0.0)
        return delta

    def _storkey(self, xi):
        """Return Storkey's increment for one pattern ``xi`` of shape (n,)."""
        W = np.asarray(self.weights, dtype=np.float64)
        field = W @ xi
        # h[i, j] leaves out the terms k = i and k = j of unit i's field.
        h = field[:, None] - np.diag(W)[:, None] * xi[:, None] - W * xi[None, :]
        delta = (np.outer(xi, xi) - xi[:, None] * h.T - h * xi[None, :]) / self.n
        np.fill_diagonal(delta, 0.0)
        return delta

    def energy(self, s):
        r"""Return the energy of state ``s``.

        .. math:: E(s) = -\tfrac{1}{2}\, s^\top W s

        Parameters
        ----------
        s : array_like, shape (n,)
            A state of -1 and +1.

        Returns
        -------
        float
            The energy under the current ``weights``.
        """
        s = _as_states(s, self.n, "Hopfield.energy")
        W = np.asarray(self.weights, dtype=np.float64)
        return float(-0.5 * s @ W @ s)

    def update(self, s, mode="async", rng=None):
        r"""Return the state after one sweep of updates.

        Every unit takes the sign of its local field :math:`h_i = \sum_j w_{ij}
        s_j` and keeps its state when the field is exactly 0.

        * ``"async"``: the units are updated one at a time, each once, in an
          order drawn from ``rng``; each sees the states already updated in
          this sweep. The energy never increases.
        * ``"sync"``: all units are updated at once from the same old state,
          :math:`s \leftarrow \mathrm{sgn}(W s)`.

        Parameters
        ----------
        s : array_like, shape (n,)
            The state before the sweep, -1 and +1 (not modified).
        mode : {"async", "sync"}, default "async"
            The update schedule.
        rng : None, int or numpy.random.Generator
            Source of the asynchronous order (None: the engine's default).

        Returns
        -------
        ndarray of float64, shape (n,)
            The state after the sweep.
        """
        if mode not in MODES:
            raise ValueError(
                f"Hopfield.update: mode must be one of {MODES}, got {mode!r}"
            )
        s = _as_states(s, self.n, "Hopfield.update")
        W = np.asarray(self.weights, dtype=np.float64)
        if mode == "sync":
            return _sign_keep(W @ s, s)
        for i in as_rng(rng).permutation(self.n):
            s[i] = _sign_keep(W[i] @ s, s[i])
        return s

    def recall(self, probe, mode="async", max_sweeps=100, rng=None):
        """Run sweeps from ``probe`` until the state stops changing.

        Recall stops at a fixed point (a sweep that changes nothing), after
        ``max_sweeps`` sweeps, or, in synchronous mode, as soon as the state
        returns to the one two sweeps back: a 2-cycle, which would repeat
        forever.

        Parameters
        ----------
        probe : array_like, shape (n,)
            The starting state, -1 and +1.
        mode : {"async", "sync"}, default "async"
            The update schedule of every sweep (see ``update``).
        max_sweeps : int, default 100
            The most sweeps to run, at least 1.
        rng : None, int or numpy.random.Generator
            Source of the asynchronous orders; one generator serves all sweeps.

        Returns
        -------
        state : ndarray of float64, shape (n,)
            The last state.
        converged : bool
            True if ``state`` is a fixed point (the last sweep changed nothing).
        energies : list of float
            The energy after each sweep, one per sweep run.
        """
        max_sweeps = _check_size(max_sweeps, "max_sweeps", "Hopfield.recall")
        s = _as_states(probe, self.n, "Hopfield.recall")
        rng = as_rng(rng)
        before, energies = None, []
        for _ in range(max_sweeps):
            new = self.update(s, mode, rng)
            energies.append(self.energy(new))
            if np.array_equal(new, s):
                return new, True, energies
            if before is not None and np.array_equal(new, before):
                return new, False, energies
            before, s = s, new
        return s, False, energies


# ---------------------------------------------------------------- BAM


class BAM:
    r"""Kosko's bidirectional associative memory between two layers.

    Parameters
    ----------
    n_a, n_b : int
        Sizes of layers a and b, at least 1 each.

    Attributes
    ----------
    n_a, n_b : int
        The layer sizes.
    weights : ndarray of float64, shape (n_a, n_b)
        The weight matrix, zeros at the start; a plain NumPy array, like
        ``Hopfield.weights``.
    """

    def __init__(self, n_a, n_b):
        self.n_a = _check_size(n_a, "n_a", "BAM")
        self.n_b = _check_size(n_b, "n_b", "BAM")
        self.weights = np.zeros((self.n_a, self.n_b))

    def store(self, pairs):
        r"""Add pairs to the memory by Hebb's rule.

        .. math:: W \leftarrow W + \sum_\mu a^\mu b^{\mu\top}

        Parameters
        ----------
        pairs : sequence of (a, b)
            Each ``a`` of shape (n_a,) and ``b`` of shape (n_b,), -1 and +1.

        Returns
        -------
        BAM
            ``self``, with ``weights`` updated.
        """
        for a, b in pairs:
            a = _as_states(a, self.n_a, "BAM.store (a)")
            b = _as_states(b, self.n_b, "BAM.store (b)")
            self.weights = self.weights + np.outer(a, b)
        return self

    def recall_forward(self, a, max_steps=100):
        r"""Recall the partner of ``a``, bouncing between the layers until stable.

        Each step sets :math:`b \leftarrow \mathrm{sgn}(W^\top a)`, then
        :math:`a \leftarrow \mathrm{sgn}(W b)`; a unit whose field is 0 keeps
        its state (layer b starts at +1 everywhere). Recall stops when a step
        changes neither layer, or after ``max_steps`` steps.

        Parameters
        ----------
        a : array_like, shape (n_a,)
            The probe, -1 and +1.
        max_steps : int, default 100
            The most steps to run, at least 1.

        Returns
        -------
        a : ndarray of float64, shape (n_a,)
        b : ndarray of float64, shape (n_b,)
            The pair reached.
        """
        a = _as_states(a, self.n_a, "BAM.recall_forward")
        steps = _check_size(max_steps, "max_steps", "BAM.recall_forward")
        W = np.asarray(self.weights, dtype=np.float64)
        a, b = self._bounce(W.T, W, a, np.ones(self.n_b), steps)
        return a, b

    def recall_backward(self, b, max_steps=100):
        r"""Recall the partner of ``b``, bouncing between the layers until stable.

        Each step sets :math:`a \leftarrow \mathrm{sgn}(W b)`, then
        :math:`b \leftarrow \mathrm{sgn}(W^\top a)`; a unit whose field is 0
        keeps its state (layer a starts at +1 everywhere). Recall stops when a
        step changes neither layer, or after ``max_steps`` steps.

        Parameters
        ----------
        b : array_like, shape (n_b,)
            The probe, -1 and +1.
        max_steps : int, default 100
            The most steps to run, at least 1.

        Returns
        -------
        a : ndarray of float64, shape (n_a,)
        b : ndarray of float64, shape (n_b,)
            The pair reached.
        """
        b = _as_states(b, self.n_b, "BAM.recall_backward")
        steps = _check_size(max_steps, "max_steps", "BAM.recall_backward")
        W = np.asarray(self.weights, dtype=np.float64)
        b, a = self._bounce(W, W.T, b, np.ones(self.n_a), steps)
        return a, b

    @staticmethod
    def _bounce(to_other, to_probe, probe, other, steps):
        """Alternate other = sgn(to_other @ probe), probe = sgn(to_probe @ other).

        Returns (probe, other) once a step changes neither, or after ``steps``.
        """
        for _ in range(steps):
            new_other = _sign_keep(to_other @ probe, other)
            new_probe = _sign_keep(to_probe @ new_other, probe)
            stable = np.array_equal(new_other, other) and np.array_equal(
                new_probe, probe
            )
            probe, other = new_probe, new_other
            if stable:
                break
        return probe, other
