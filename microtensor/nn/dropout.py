"""``Dropout``: active in training mode, the identity in evaluation mode."""

from microtensor import functional as F
from microtensor.nn.module import Module
from microtensor.random import as_rng

__all__ = ["Dropout"]


class Dropout(Module):
    """Module form of :func:`microtensor.functional.dropout`.

    Parameters
    ----------
    p : float in [0, 1]
        Probability of zeroing each element while ``self.training`` is True.
    rng : numpy.random.Generator, int or None
        Source of the masks, drawn from at every call; None uses the generator
        seeded by :func:`microtensor.manual_seed`.
    """

    def __init__(self, p=0.5, rng=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p={p} must be between 0 and 1")
        self.p = p
        # Resolve a seed once, so successive calls draw fresh masks.
        self.rng = None if rng is None else as_rng(rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self):
        return f"p={self.p}"
