"""microtensor: a small reverse-mode autograd engine on NumPy.

>>> import microtensor as mt
>>> x = mt.tensor([1.0, -2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
array([ 2., -4.,  6.])
"""

from microtensor.anomaly import detect_anomaly
from microtensor.errors import (
    AnomalyError,
    DTypeError,
    GradcheckError,
    GraphError,
    MicrotensorError,
    ShapeError,
)
from microtensor.function import Function, FunctionCtx
from microtensor.gradcheck import gradcheck, numerical_grad
from microtensor.ops.elementwise import (
    abs,
    clip,
    erf,
    exp,
    log,
    maximum,
    minimum,
    relu,
    sigmoid,
    sqrt,
    tanh,
    where,
)
from microtensor.ops.matmul import matmul
from microtensor.ops.reductions import max, mean, min, sum
from microtensor.ops.shape import concatenate, reshape, stack, transpose
from microtensor.random import as_rng, default_rng, manual_seed
from microtensor.tensor import (
    Tensor,
    arange,
    enable_grad,
    is_grad_enabled,
    no_grad,
    ones,
    ones_like,
    rand,
    randn,
    tensor,
    zeros,
    zeros_like,
)

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "DTypeError",
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "GraphError",
    "MicrotensorError",
    "ShapeError",
    "Tensor",
    "abs",
    "arange",
    "as_rng",
    "clip",
    "concatenate",
    "default_rng",
    "detect_anomaly",
    "enable_grad",
    "erf",
    "exp",
    "gradcheck",
    "is_grad_enabled",
    "log",
    "manual_seed",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "no_grad",
    "numerical_grad",
    "ones",
    "ones_like",
    "rand",
    "randn",
    "relu",
    "reshape",
    "sigmoid",
    "sqrt",
    "stack",
    "sum",
    "tanh",
    "tensor",
    "transpose",
    "where",
    "zeros",
    "zeros_like",
]


# The layers built on the engine; imported last because they import it.
from microtensor import functional, nn, optim, viz

__all__ += ["functional", "nn", "optim", "viz"]
