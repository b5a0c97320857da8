"""Containers: ``Sequential`` chains modules, ``ModuleList`` holds them."""

from microtensor.nn.module import Module

__all__ = ["ModuleList", "Sequential"]


class ModuleList(Module):
    """A list of modules whose parameters are registered as ``"0.weight"`` etc.

    Parameters
    ----------
    modules : iterable of Module, optional
    """

    def __init__(self, modules=()):
        super().__init__()
        self._items = []
        for module in modules:
            self.append(module)

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        if not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}: items must be Modules, got "
                f"{type(module).__name__}"
            )
        self._items.append(module)
        return self

    def _member_items(self):
        yield from super()._member_items()
        for index, module in enumerate(self._items):
            yield str(index), module

    def __getitem__(self, index):
        if isinstance(index, slice):
            part = ModuleList.__new__(type(self))
            ModuleList.__init__(part, self._items[index])
            return part
        return self._items[index]

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self._items)


class Sequential(ModuleList):
    """Apply modules one after another: ``Sequential(a, b)(x) == b(a(x))``.

    Parameters
    ----------
    *modules : Module

    Examples
    --------
    >>> from microtensor import nn
    >>> model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 1, rng=1))
    >>> [name for name, _ in model.named_parameters()][:2]
    ['0.weight', '0.bias']
    """

    def __init__(self, *modules):
        super().__init__(modules)

    def forward(self, x):
        """Feed ``x`` through each module in turn."""
        for module in self._items:
            x = module(x)
        return x
