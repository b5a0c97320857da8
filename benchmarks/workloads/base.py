"""What every workload provides, and the helpers the three versions share.

A workload makes a *problem* (data and initial parameters, plain NumPy arrays
drawn from one seed) and knows three ways to build a :class:`Trainer` for it:
``"microtensor"``, ``"numpy"`` (forward and backward written by hand) and
``"torch"``. Building copies the initial parameters, so a problem can be
trained any number of times; only :meth:`Trainer.train` is timed.

Every trainer does the same work per step: forward, loss, backward, SGD
update, and the loss read back as a Python float. Parameters are named as
PyTorch's ``named_parameters`` would name them (``"0.weight"``), in the
``(out_features, in_features)`` layout, so the three can be compared.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["IMPLEMENTATIONS", "Trainer", "Workload", "linear_init", "to_torch"]

IMPLEMENTATIONS = ("microtensor", "numpy", "torch")


@dataclass
class Trainer:
    """One ready-to-run training loop.

    Attributes
    ----------
    train : callable
        ``train()`` runs every step and returns the list of losses (floats).
    parameters : callable
        ``parameters()`` returns ``{name: ndarray}``, copies of the current
        values.
    """

    train: Callable[[], list]
    parameters: Callable[[], dict]


@dataclass(frozen=True)
class Workload:
    """A benchmark workload: its sizes, its problem and its three trainers.

    Attributes
    ----------
    key : str
        ``"W1"`` .. ``"W4"``.
    title : str
        The network and the training, in words.
    full, tiny : object
        The sizes the issue asks for, and small ones for the smoke test.
    make_problem : callable
        ``make_problem(sizes) -> dict`` of NumPy arrays and settings.
    builders : dict
        ``{implementation: build(problem) -> Trainer}``.
    """

    key: str
    title: str
    full: object
    tiny: object
    make_problem: Callable[[object], dict]
    builders: dict


def linear_init(rng, fan_in, fan_out):
    """Draw a weight (fan_out, fan_in) and bias (fan_out,) as ``nn.Linear`` does.

    Both from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's default.
    """
    bound = 1.0 / math.sqrt(fan_in)
    weight = rng.uniform(-bound, bound, size=(fan_out, fan_in))
    bias = rng.uniform(-bound, bound, size=fan_out)
    return weight, bias


def copy_into_microtensor(module, params):
    """Overwrite each named parameter of a microtensor module with a copy."""
    for name, parameter in module.named_parameters():
        parameter.data = np.array(params[name], dtype=np.float64)


def copy_into_torch(torch, module, params):
    """Overwrite each named parameter of a torch module with a copy."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            parameter.copy_(torch.from_numpy(params[name]))


def named_arrays(module, to_numpy):
    """``{name: copy of the values}`` for a module's parameters."""
    return {
        name: np.array(to_numpy(parameter), dtype=np.float64)
        for name, parameter in module.named_parameters()
    }


def to_torch(torch, array):
    """A float64 (or int64 for labels) torch tensor holding a copy of ``array``."""
    return torch.from_numpy(np.array(array))


def copy_params(params):
    """A dict of fresh copies, so that training never changes the problem."""
    return {name: np.array(value, dtype=np.float64) for name, value in params.items()}
