r"""RMSprop: divide the gradient by a running root mean square of itself.

.. math::

    s_t &= \alpha s_{t-1} + (1 - \alpha) g^2 \\
    \theta &\leftarrow \theta - \eta\, g / (\sqrt{s_t} + \epsilon)

``centered`` subtracts the square of a running mean of :math:`g` from
:math:`s_t` (an estimate of the variance); ``momentum`` keeps a buffer
:math:`b_t = \mu b_{t-1} + g / (\sqrt{s_t} + \epsilon)` and steps by it.
"""

import numpy as np

from microtensor.optim.optimizer import Optimizer, _check_non_negative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float
    alpha : float
        Smoothing constant of the running mean square.
    eps : float
        Added to the denominator for stability.
    weight_decay : float
        L2 penalty coefficient, added to the gradient.
    momentum : float
        Momentum factor (0 turns momentum off).
    centered : bool
        Normalise by an estimate of the gradient's variance.
    maximize : bool
        Ascend instead of descend.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        maximize=False,
    ):
        _check_non_negative(
            "RMSprop",
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
        )
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self):
        """Apply one update to every parameter that has a gradient."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, group)

    def _update(self, p, group):
        alpha = group["alpha"]
        grad = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * p.data
        state = self._state_for(p)
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1.0 - alpha) * grad * grad
        if group["centered"]:
            grad_avg = state.setdefault("grad_avg", np.zeros_like(p.data))
            grad_avg += (1.0 - alpha) * (grad - grad_avg)
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if group["momentum"] > 0.0:
            buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
            buf *= group["momentum"]
            buf += grad / avg
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * grad / avg

    def _state_for(self, p):
        state = self.state.get(p)
        if state is None:
            state = {"step": 0, "square_avg": np.zeros_like(p.data)}
            self.state[p] = state
        state["step"] += 1
        return state
