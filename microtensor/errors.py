"""The library's error family.

Every error that a user's mistake can cause is one of these classes. Each one
also subclasses the builtin exception that Python code would expect for the
same mistake, so ``except ValueError`` keeps working around a shape mismatch.
Messages name the op and the shapes or values involved, for example::

    matmul: inner dimensions differ, a.shape=(2, 5) b.shape=(3, 7) (5 != 3)
"""

__all__ = [
    "AnomalyError",
    "DTypeError",
    "GradcheckError",
    "GraphError",
    "MicrotensorError",
    "ShapeError",
]


class MicrotensorError(Exception):
    """Base class of every error raised by microtensor on purpose."""


class ShapeError(MicrotensorError, ValueError):
    """Shapes do not fit the op: broadcasting, inner sizes, axes, reshapes."""


class DTypeError(MicrotensorError, TypeError):
    """A value of the wrong kind: a non-numeric operand, a float index."""


class GraphError(MicrotensorError, RuntimeError):
    """The graph is misused: implicit backward on a non-scalar, a released graph."""


class GradcheckError(MicrotensorError, AssertionError):
    """Analytic and numerical gradients disagree beyond the tolerances."""


class AnomalyError(MicrotensorError, FloatingPointError):
    """Under ``detect_anomaly()``, an op produced NaN or inf."""
