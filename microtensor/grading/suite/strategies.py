"""Bounded Hypothesis strategies shared by the graded suites.

Every strategy here draws finite values in a stated range; special values
(signed zero, tiny and huge magnitudes) are mixed in on purpose where a
property should hold for them too.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SPECIAL_Z = (0.0, -0.0, 1e-8, -1e-8, 1000.0, -1000.0)


def finite(low: float, high: float):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def small_shapes(max_dims: int = 2, max_side: int = 5):
    return hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side)


def pre_activations(low: float = -50.0, high: float = 50.0, special=SPECIAL_Z):
    """Arrays of pre-activations in [low, high], with the special values mixed in."""
    elements = finite(low, high)
    if special:
        elements = st.one_of(elements, st.sampled_from(special))
    return hnp.arrays(np.float64, small_shapes(), elements=elements)


def away_from_zero(low: float = 1e-3, high: float = 50.0):
    """Arrays whose entries have magnitude in [low, high], either sign."""
    magnitude = finite(low, high)
    element = st.tuples(magnitude, st.booleans()).map(lambda p: p[0] if p[1] else -p[0])
    return hnp.arrays(np.float64, small_shapes(), elements=element)


def matrices(rows, cols, low: float = -3.0, high: float = 3.0):
    return hnp.arrays(np.float64, (rows, cols), elements=finite(low, high))


def vectors(n, low: float = -3.0, high: float = 3.0):
    return hnp.arrays(np.float64, (n,), elements=finite(low, high))


def seeds():
    return st.integers(0, 2**31 - 1)
