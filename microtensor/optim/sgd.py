r"""Stochastic gradient descent with momentum, dampening, Nesterov and decay.

With gradient :math:`g_t` of parameter :math:`\theta`, PyTorch's update:

.. math::

    g &\leftarrow g_t + \lambda \theta \\
    b_t &= \mu b_{t-1} + (1 - \tau) g \quad (b_1 = g) \\
    g &\leftarrow g + \mu b_t \text{ (Nesterov) or } b_t \\
    \theta &\leftarrow \theta - \eta g
"""

from microtensor.optim.optimizer import Optimizer, _check_non_negative

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float
        Learning rate.
    momentum : float
        Momentum factor (0 turns momentum off).
    dampening : float
        Dampening of the gradient added to the momentum buffer.
    weight_decay : float
        L2 penalty coefficient, added to the gradient.
    nesterov : bool
        Use Nesterov momentum (needs momentum > 0 and dampening 0).
    maximize : bool
        Ascend instead of descend.
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        maximize=False,
    ):
        _check_non_negative("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self):
        """Apply one update to every parameter that has a gradient."""
        for group in self.param_groups:
            lr = group["lr"]
            momentum = group["momentum"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if group["maximize"]:
                    grad = -grad
                if group["weight_decay"]:
                    grad = grad + group["weight_decay"] * p.data
                if momentum:
                    grad = self._momentum(p, grad, group)
                p.data -= lr * grad

    def _momentum(self, p, grad, group):
        momentum = group["momentum"]
        buf = self.state.get(p)
        if buf is None:
            buf = grad.astype(p.data.dtype, copy=True)
            self.state[p] = buf
        else:
            buf *= momentum
            buf += (1.0 - group["dampening"]) * grad
        if group["nesterov"]:
            return grad + momentum * buf
        return buf
