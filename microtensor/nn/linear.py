"""``Linear``, the affine layer, and the weight initialisations it offers."""

import math

import numpy as np

from microtensor import functional as F
from microtensor.nn.module import Module, Parameter
from microtensor.random import as_rng

__all__ = ["INITS", "Linear"]


def _kaiming_uniform(rng, fan_in, fan_out):
    # PyTorch's default for Linear: kaiming_uniform with a = sqrt(5), which
    # works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias uses the same bound.
    bound = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
    weight = rng.uniform(-bound, bound, size=(fan_out, fan_in))
    return weight, bound


def _xavier_uniform(rng, fan_in, fan_out):
    # Glorot and Bengio: variance 2 / (fan_in + fan_out); bias starts at zero.
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_out, fan_in)), None


def _normal(rng, fan_in, fan_out):
    # N(0, 1 / fan_in) keeps the output variance near the input's; bias zero.
    std = 1.0 / math.sqrt(fan_in) if fan_in else 0.0
    return rng.normal(0.0, std, size=(fan_out, fan_in)), None


INITS = {
    "kaiming_uniform": _kaiming_uniform,
    "xavier_uniform": _xavier_uniform,
    "normal": _normal,
}


class Linear(Module):
    r"""Affine layer :math:`y = x W^\top + b`.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool
        Whether to learn an additive bias.
    init : {"kaiming_uniform", "xavier_uniform", "normal"}
        ``"kaiming_uniform"`` (PyTorch's default) draws the weight and bias from
        :math:`U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})`; ``"xavier_uniform"``
        draws the weight from :math:`U(-a, a)`, :math:`a = \sqrt{6/(n_{in} +
        n_{out})}`; ``"normal"`` from :math:`N(0, 1/n_{in})`. Those two start
        the bias at zero.
    rng : numpy.random.Generator, int or None
        Source of the initial values; None uses the generator seeded by
        :func:`microtensor.manual_seed`.
    dtype : numpy dtype or str, optional
        float64 by default.

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
    bias : Parameter, shape (out_features,), or None

    Shapes: input (..., in_features), output (..., out_features).
    """

    def __init__(
        self,
        in_features,
        out_features,
        bias=True,
        init="kaiming_uniform",
        rng=None,
        dtype=None,
    ):
        super().__init__()
        if init not in INITS:
            raise ValueError(
                f"Linear: init={init!r} is not one of {', '.join(map(repr, INITS))}"
            )
        if in_features < 0 or out_features < 0:
            raise ValueError(
                f"Linear: sizes must be non-negative, got in_features={in_features}, "
                f"out_features={out_features}"
            )
        self.in_features = in_features
        self.out_features = out_features
        rng = as_rng(rng)
        weight, bias_bound = INITS[init](rng, in_features, out_features)
        dtype = np.float64 if dtype is None else dtype
        self.weight = Parameter(weight, dtype=dtype)
        if not bias:
            self.bias = None
        elif bias_bound is None:
            self.bias = Parameter(np.zeros(out_features), dtype=dtype)
        else:
            values = rng.uniform(-bias_bound, bias_bound, size=out_features)
            self.bias = Parameter(values, dtype=dtype)

    def forward(self, x):
        """Map ``x`` of shape (..., in_features) to (..., out_features)."""
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
