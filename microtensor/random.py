"""The one default random generator, and how functions take an ``rng``.

Everything in microtensor that draws random numbers takes an ``rng`` argument:
None (the default generator below), an int seed, or a
``numpy.random.Generator``. There is no other hidden random state.
"""

import numpy as np

from microtensor.errors import DTypeError

__all__ = ["as_rng", "default_rng", "manual_seed"]

_default = np.random.default_rng()


def manual_seed(seed):
    """Reseed the default generator and return it.

    Parameters
    ----------
    seed : int
        Non-negative seed; the same seed gives the same draws.

    Returns
    -------
    numpy.random.Generator
    """
    global _default
    _default = np.random.default_rng(seed)
    return _default


def default_rng():
    """Return the default generator (the one :func:`manual_seed` seeds)."""
    return _default


def as_rng(rng=None):
    """Return a generator for ``rng``: None, an int seed or a Generator.

    Raises
    ------
    DTypeError
        If ``rng`` is none of those.
    """
    if rng is None:
        return _default
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    raise DTypeError(
        f"rng: expected None, an int seed or a numpy.random.Generator, got "
        f"{type(rng).__name__}"
    )
