"""Layers, activations, losses and the ``Module`` they are built on.

A model is a :class:`Module`: its parameters are found through its
attributes, an optimizer from :mod:`microtensor.optim` updates them, and the
losses of :mod:`microtensor.functional` (or their module forms here) score it.
A complete training loop, XOR with a 2-8-2 network:

>>> import numpy as np
>>> import microtensor as mt
>>> import microtensor.functional as F
>>> from microtensor import nn, optim
>>> x = mt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> y = np.array([0, 1, 1, 0])
>>> model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 2, rng=1))
>>> optimizer = optim.Adam(model.parameters(), lr=0.05)
>>> for step in range(200):
...     loss = F.cross_entropy(model(x), y)
...     optimizer.zero_grad()
...     loss.backward()
...     optimizer.step()
>>> model(x).argmax(axis=1)
array([0, 1, 1, 0])
>>> bool(loss.item() < 0.05)
True
"""

from microtensor.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    Mish,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from microtensor.nn.container import ModuleList, Sequential
from microtensor.nn.dropout import Dropout
from microtensor.nn.linear import Linear
from microtensor.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from microtensor.nn.module import Module, Parameter, StateDictError

__all__ = [
    "ELU",
    "GELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "Dropout",
    "Hardtanh",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Mish",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "StateDictError",
    "Tanh",
]
