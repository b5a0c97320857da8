"""Optimizers, a learning-rate schedule and gradient clipping.

Each optimizer takes ``model.parameters()`` (or a list of tensors), and on
:meth:`~Optimizer.step` updates every parameter that has a gradient, in
place, exactly as the PyTorch optimizer of the same name would.

>>> import microtensor as mt
>>> from microtensor import optim
>>> w = mt.tensor([1.0, -2.0], requires_grad=True)
>>> opt = optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w.data
array([ 0.8, -1.6])
"""

from microtensor.optim import lr_scheduler
from microtensor.optim.adam import Adam, AdamW
from microtensor.optim.clip import clip_grad_norm_, clip_grad_value_
from microtensor.optim.optimizer import Optimizer
from microtensor.optim.rmsprop import RMSprop
from microtensor.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "clip_grad_norm_",
    "clip_grad_value_",
    "lr_scheduler",
]
