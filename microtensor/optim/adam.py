r"""Adam and AdamW: adaptive moment estimation.

For gradient :math:`g` at step :math:`t`:

.. math::

    m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g \\
    v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g^2 \\
    \theta &\leftarrow \theta - \frac{\eta}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

Adam adds ``weight_decay * theta`` to :math:`g` (an L2 penalty); AdamW
instead shrinks :math:`\theta` by ``1 - lr * weight_decay`` before the update
("decoupled" decay). With ``amsgrad`` the denominator uses the running maximum
of :math:`v_t`.
"""

import math

import numpy as np

from microtensor.optim.optimizer import Optimizer, _check_beta, _check_non_negative

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float
    betas : (float, float)
        Decay rates of the first and second moment estimates.
    eps : float
        Added to the denominator for stability.
    weight_decay : float
        L2 penalty coefficient, added to the gradient.
    amsgrad : bool
        Use the maximum of past second moments in the denominator.
    maximize : bool
        Ascend instead of descend.
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        maximize=False,
    ):
        name = type(self).__name__
        _check_non_negative(name, lr=lr, eps=eps, weight_decay=weight_decay)
        _check_beta(name, "betas[0]", betas[0])
        _check_beta(name, "betas[1]", betas[1])
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
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
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        grad = -p.grad if group["maximize"] else p.grad
        if weight_decay and self._decoupled:
            p.data *= 1.0 - lr * weight_decay
        elif weight_decay:
            grad = grad + weight_decay * p.data
        state = self._state_for(p, group)
        state["step"] += 1
        step = state["step"]
        m, v = state["m"], state["v"]
        m += (1.0 - beta1) * (grad - m)
        v *= beta2
        v += (1.0 - beta2) * grad * grad
        if group["amsgrad"]:
            np.maximum(state["v_max"], v, out=state["v_max"])
            v = state["v_max"]
        step_size = lr / (1.0 - beta1**step)
        denom = np.sqrt(v) / math.sqrt(1.0 - beta2**step) + group["eps"]
        p.data -= step_size * m / denom

    def _state_for(self, p, group):
        state = self.state.get(p)
        if state is None:
            dtype = p.data.dtype
            state = {
                "step": 0,
                "m": np.zeros(p.data.shape, dtype=dtype),
                "v": np.zeros(p.data.shape, dtype=dtype),
            }
            if group["amsgrad"]:
                state["v_max"] = np.zeros(p.data.shape, dtype=dtype)
            self.state[p] = state
        return state


class AdamW(Adam):
    """Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    Parameters are those of :class:`Adam`; ``weight_decay`` defaults to 0.01
    and shrinks each parameter by ``1 - lr * weight_decay`` before the update.
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        maximize=False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
