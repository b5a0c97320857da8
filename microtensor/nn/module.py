"""``Module``, the base class of layers and models, and ``Parameter``.

A module owns parameters and sub-modules simply by having them as attributes:
``__setattr__`` notes the name of every attribute that holds a
:class:`Parameter`, a :class:`Module`, or a list, tuple or dict of them, and
:meth:`Module.named_parameters` walks those names in the order they were
assigned. The values stay ordinary attributes, so reading ``self.weight`` in
``forward`` costs nothing extra, and a list that is appended to after the
assignment is still seen.
"""

import numpy as np

from microtensor.errors import MicrotensorError, ShapeError
from microtensor.tensor import Tensor, _real_array

__all__ = ["Module", "Parameter", "StateDictError"]

_CONTAINERS = (list, tuple, dict)


class StateDictError(MicrotensorError, KeyError):
    """A state dict's keys do not match the module's parameters."""

    def __str__(self):
        # KeyError would print its message in quotes.
        return str(self.args[0]) if self.args else ""


class Parameter(Tensor):
    """A tensor that a :class:`Module` registers as one of its parameters.

    Parameters
    ----------
    data : array_like
        Initial values (float64 unless ``dtype`` says otherwise).
    requires_grad : bool, optional
        True by default.
    dtype : numpy dtype or str, optional
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class for layers and models.

    Subclasses call ``super().__init__()`` first, assign their parameters and
    sub-modules as attributes, and define ``forward``; calling the module
    calls ``forward``.

    Examples
    --------
    >>> import microtensor as mt
    >>> from microtensor import nn
    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Parameter([2.0])
    ...         self.shift = nn.Parameter([0.5])
    ...
    ...     def forward(self, x):
    ...         return x * self.scale + self.shift
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale', 'shift']
    """

    def __init__(self):
        object.__setattr__(self, "_members", {})
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------
    # Registration

    def __setattr__(self, name, value):
        members = self.__dict__.get("_members")
        if members is None:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(
                    f"{type(self).__name__}: cannot assign '{name}' before "
                    "Module.__init__() has run; call super().__init__() first"
                )
            object.__setattr__(self, name, value)
            return
        if isinstance(value, (Parameter, Module)) or (
            isinstance(value, _CONTAINERS) and not name.startswith("_")
        ):
            members[name] = True
        else:
            members.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self.__dict__["_members"].pop(name, None)
        object.__delattr__(self, name)

    def _member_items(self):
        """Yield ``(name, value)`` for every registered attribute, flattened."""
        attrs = self.__dict__
        for name in self._members:
            yield from _flatten(name, attrs[name])

    # ------------------------------------------------------------------
    # Calling

    def forward(self, *args, **kwargs):
        """Compute the module's output; every subclass defines it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define forward(); a Module subclass "
            "must implement forward(self, ...)"
        )

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------
    # Traversal

    def named_children(self):
        """Yield ``(name, module)`` for each direct sub-module."""
        for name, value in self._member_items():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        """Yield each direct sub-module."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix="", remove_duplicate=True):
        """Yield ``(dotted name, module)`` for this module and all below it.

        This module itself comes first, with the name ``prefix``; a module
        reachable twice is yielded once unless ``remove_duplicate`` is False.
        """
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate and id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child_name}" if name else child_name, child)
                for child_name, child in module.named_children()
            ]
            stack.extend(reversed(children))

    def modules(self):
        """Yield this module and every module below it."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix="", remove_duplicate=True):
        """Yield ``(dotted name, Parameter)`` pairs, e.g. ``("layers.0.weight", w)``.

        A module's own parameters come before those of its sub-modules; a
        parameter shared by two modules is yielded once unless
        ``remove_duplicate`` is False.
        """
        seen = set()
        for module_name, module in self.named_modules(prefix, remove_duplicate):
            for name, value in module._member_items():
                if not isinstance(value, Parameter):
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def parameters(self):
        """Yield every parameter once; pass the result to an optimizer."""
        for _, parameter in self.named_parameters():
            yield parameter

    def num_parameters(self):
        """The number of scalar values in all parameters."""
        return sum(p.data.size for p in self.parameters())

    # ------------------------------------------------------------------
    # Modes and gradients

    def train(self, mode=True):
        """Set training mode (True) or evaluation mode (False) here and below."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        """Set evaluation mode: same as ``train(False)``."""
        return self.train(False)

    def zero_grad(self):
        """Set every parameter's ``.grad`` to None."""
        for parameter in self.parameters():
            parameter.grad = None

    # ------------------------------------------------------------------
    # State

    def state_dict(self):
        """Return ``{dotted name: copy of the parameter's array}``, in order."""
        return {
            name: parameter.data.copy()
            for name, parameter in self.named_parameters(remove_duplicate=False)
        }

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from ``state_dict`` into the parameters, in place.

        Parameters
        ----------
        state_dict : mapping of str to array_like
            As returned by :meth:`state_dict` (or read from :meth:`save`'s file).
        strict : bool
            When True, missing and unexpected keys are errors; when False they
            are skipped and returned.

        Returns
        -------
        (missing, unexpected) : tuple of two lists of str

        Raises
        ------
        StateDictError
            A KeyError listing every missing and unexpected key (strict mode).
        ShapeError
            Listing every key whose array has the wrong shape.
        """
        own = dict(self.named_parameters(remove_duplicate=False))
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        if strict and (missing or unexpected):
            raise StateDictError(_key_message(type(self).__name__, missing, unexpected))
        values = {}
        misshapen = []
        for name, parameter in own.items():
            if name not in state_dict:
                continue
            value = _real_array(state_dict[name], "load_state_dict", repr(name))
            if value.shape != parameter.data.shape:
                misshapen.append(
                    f"{name}: expected shape {parameter.data.shape}, got {value.shape}"
                )
            values[name] = value
        if misshapen:
            raise ShapeError(
                f"load_state_dict: {type(self).__name__} got arrays of the wrong "
                "shape for " + "; ".join(misshapen)
            )
        for name, value in values.items():
            own[name].data[...] = value
        return missing, unexpected

    def save(self, path):
        """Write :meth:`state_dict` to ``path`` as an ``.npz`` archive.

        The file is written at exactly ``path`` (no suffix is added).
        """
        with open(path, "wb") as handle:
            np.savez(handle, **self.state_dict())

    def load(self, path, strict=True):
        """Read an ``.npz`` archive written by :meth:`save` into this module.

        Arrays are read with ``allow_pickle=False``, so a file can hold only
        plain numbers, never code. Returns what :meth:`load_state_dict` returns.
        """
        with np.load(path, allow_pickle=False) as archive:
            state = {name: archive[name] for name in archive.files}
        return self.load_state_dict(state, strict=strict)

    # ------------------------------------------------------------------
    # Printing

    def extra_repr(self):
        """The text inside this module's parentheses in ``repr``; override it."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self.named_children():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {text}")
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n" + "\n".join(lines) + "\n)"


def _flatten(name, value):
    """Yield ``(dotted name, item)`` for a value and the items of its containers."""
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _flatten(f"{name}.{index}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{name}.{key}", item)
    else:
        yield name, value


def _key_message(owner, missing, unexpected):
    parts = [f"load_state_dict: the state does not match {owner}'s parameters"]
    if missing:
        parts.append("missing keys: " + ", ".join(missing))
    if unexpected:
        parts.append("unexpected keys: " + ", ".join(unexpected))
    return "; ".join(parts)
