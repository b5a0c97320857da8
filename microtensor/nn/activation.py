"""A module for each activation of :mod:`microtensor.functional`.

Each one holds its settings and calls the function of the same name, so
``nn.GELU(approximate="tanh")(x)`` is ``F.gelu(x, approximate="tanh")``.
Shapes: any input shape; the output has the input's shape.
"""

from microtensor import functional as F
from microtensor.nn.module import Module

__all__ = [
    "ELU",
    "GELU",
    "Hardtanh",
    "LeakyReLU",
    "LogSoftmax",
    "Mish",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
]


class Sigmoid(Module):
    """Module form of :func:`microtensor.functional.sigmoid`."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    """Module form of :func:`microtensor.functional.tanh`."""

    def forward(self, x):
        return F.tanh(x)


class ReLU(Module):
    """Module form of :func:`microtensor.functional.relu`."""

    def forward(self, x):
        return F.relu(x)


class SiLU(Module):
    """Module form of :func:`microtensor.functional.silu`."""

    def forward(self, x):
        return F.silu(x)


class Mish(Module):
    """Module form of :func:`microtensor.functional.mish`."""

    def forward(self, x):
        return F.mish(x)


class LeakyReLU(Module):
    """Module form of :func:`microtensor.functional.leaky_relu`."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """Module form of :func:`microtensor.functional.elu`."""

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class GELU(Module):
    """Module form of :func:`microtensor.functional.gelu`."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(
                f"GELU: approximate={approximate!r} is not one of 'none', 'tanh'"
            )
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Module form of :func:`microtensor.functional.softplus`."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, x):
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Module form of :func:`microtensor.functional.hardtanh`."""

    def __init__(self, min_val=-1.0, max_val=1.0):
        super().__init__()
        if min_val > max_val:
            raise ValueError(
                f"Hardtanh: min_val={min_val} must not exceed max_val={max_val}"
            )
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, x):
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmax(Module):
    """Module form of :func:`microtensor.functional.softmax` (``dim`` is an alias)."""

    def __init__(self, axis=-1, *, dim=None):
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x):
        return F.softmax(x, self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """Module form of :func:`microtensor.functional.log_softmax`."""

    def __init__(self, axis=-1, *, dim=None):
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x):
        return F.log_softmax(x, self.axis)

    def extra_repr(self):
        return f"axis={self.axis}"
