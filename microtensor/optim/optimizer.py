"""``Optimizer``, the base class: parameter groups, ``zero_grad``, state.

An optimizer keeps a list of parameter groups, each a dict with a
``"params"`` list and its own hyper-parameters (``"lr"``, ...), so that a
learning-rate scheduler or the user can change them between steps. Per
parameter state (momentum buffers, moment estimates) lives in ``self.state``,
keyed by the parameter.

Every optimizer here updates ``p.data`` in place and never builds graph
nodes; it never writes into a ``p.grad`` array either (an array may be shared),
it only reads it. A float32 parameter stays float32.
"""

from microtensor.tensor import Tensor

__all__ = ["Optimizer"]


class Optimizer:
    """Base class of the optimizers.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        The tensors to optimise (e.g. ``model.parameters()``), or parameter
        groups: dicts with a ``"params"`` entry and optional per-group
        hyper-parameters that override ``defaults``.
    defaults : dict
        Hyper-parameters of every group that does not set its own.
    """

    def __init__(self, params, defaults):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params should be an iterable of tensors (for example "
                "model.parameters()), got a single Tensor; wrap it in a list"
            )
        if callable(params):
            raise TypeError(
                f"{name}: params is a method or function; call it, e.g. "
                "model.parameters() rather than model.parameters"
            )
        groups = list(params)
        if not groups:
            raise ValueError(
                f"{name}: got an empty parameter list; pass the tensors to train, "
                "e.g. model.parameters(), and check that the model has parameters"
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add a dict with ``"params"`` and optional hyper-parameters."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group is a dict with a 'params' key")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for index, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{name}: parameter {index} is a {type(p).__name__}, not a Tensor"
                )
            if not p.requires_grad:
                raise ValueError(
                    f"{name}: parameter {index} (shape {p.shape}) does not require "
                    "grad, so it would never be updated"
                )
        if not params:
            raise ValueError(f"{name}: got a parameter group with no parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{name}: a parameter appears in more than one group")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise TypeError(
                f"{name}: unknown hyper-parameter(s) {sorted(unknown)} in a group; "
                f"known ones are {sorted(self.defaults)}"
            )
        full = dict(self.defaults)
        full.update(group)
        full["params"] = params
        self.param_groups.append(full)

    def zero_grad(self):
        """Set every parameter's ``.grad`` to None (the next backward refills it)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def step(self):
        """Update every parameter that has a gradient; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _check_non_negative(name, **values):
    for key, value in values.items():
        if value < 0.0:
            raise ValueError(f"{name}: {key}={value} must be non-negative")


def _check_beta(name, key, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name}: {key}={value} must be in [0, 1)")
