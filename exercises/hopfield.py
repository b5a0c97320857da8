r"""Lesson 5, associative memory: your exercise.

A Hopfield network stores ±1 patterns in a symmetric weight matrix with a zero
diagonal and recalls one of them from a damaged copy by letting its units follow
their local fields downhill in energy. A bidirectional associative memory (BAM)
stores pairs of patterns and recalls the partner of either one.

Neither network learns by gradient descent, so the weights are plain NumPy
arrays and the state updates are NumPy arithmetic; take the random order of
asynchronous updates from ``as_rng(rng).permutation(n)``
(:func:`microtensor.random.as_rng`: None, an int seed or a Generator).

Two rules hold everywhere below:

* states and patterns are vectors of -1.0 and +1.0; refuse 0/1 vectors with a
  message that points to :func:`to_bipolar`, and anything else with a message
  that names the value or the length found;
* a unit whose local field is exactly 0 keeps its state (``np.sign(0)`` is 0,
  which is not a state at all).

Each docstring states the rule, the shapes and what to return. Run
``microtensor grade --lesson hopfield`` to see what works and what does not yet.
"""

import numpy as np  # noqa: F401  (you will need it)

from microtensor.random import as_rng  # noqa: F401  (for the asynchronous order)

RULES = ("hebb", "storkey")
MODES = ("async", "sync")


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
    raise NotImplementedError(
        "hopfield.to_bipolar: check every entry is 0 or 1, then return 2x - 1 as floats"
    )


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
        raise NotImplementedError(
            "Hopfield.__init__: keep n; weights = np.zeros((n, n))"
        )


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
        raise NotImplementedError(
            "Hopfield.store: check the patterns, then ADD the increment (diagonal 0)"
        )


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
        raise NotImplementedError(
            "Hopfield.energy: check s, then return float(-0.5 * s @ W @ s)"
        )


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
        raise NotImplementedError(
            "Hopfield.update: sign of each field, keeping the state where it is 0"
        )


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
        raise NotImplementedError(
            "Hopfield.recall: loop update; stop at a fixed point or a 2-cycle"
        )


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
        raise NotImplementedError(
            "BAM.__init__: keep n_a, n_b; weights = np.zeros((n_a, n_b))"
        )


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
        raise NotImplementedError(
            "BAM.store: check each pair, then add np.outer(a, b)"
        )


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
        raise NotImplementedError(
            "BAM.recall_forward: b = sgn(W.T a), a = sgn(W b), until neither changes"
        )


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
        raise NotImplementedError(
            "BAM.recall_backward: a = sgn(W b), b = sgn(W.T a), until neither changes"
        )
