"""Learning-rate schedules that change an optimizer's ``lr`` between epochs."""

from microtensor.optim.optimizer import Optimizer

__all__ = ["StepLR"]


class StepLR:
    """Multiply each group's learning rate by ``gamma`` every ``step_size`` epochs.

    As ``torch.optim.lr_scheduler.StepLR``: call :meth:`step` once per epoch,
    after the optimizer's steps of that epoch. With ``lr=0.1, step_size=30,
    gamma=0.1`` the rate is 0.1 for epochs 0-29, 0.01 for 30-59, and so on.

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Epochs between two decays (positive).
    gamma : float
        Factor of each decay.
    last_epoch : int
        Index of the last epoch when resuming; -1 starts afresh.

    Attributes
    ----------
    last_epoch : int
        The current epoch index (0 after construction).
    base_lrs : list of float
        Each group's initial learning rate.
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"StepLR: expected an Optimizer, got {type(optimizer).__name__}"
            )
        if int(step_size) != step_size or step_size < 1:
            raise ValueError(f"StepLR: step_size={step_size} must be a positive int")
        self.optimizer = optimizer
        self.step_size = int(step_size)
        self.gamma = gamma
        for group in optimizer.param_groups:
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    "StepLR: resuming with last_epoch != -1 needs 'initial_lr' in "
                    "every parameter group"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def _next_lrs(self):
        groups = self.optimizer.param_groups
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in groups]
        return [group["lr"] * self.gamma for group in groups]

    def step(self):
        """Advance one epoch and set the learning rate of every group."""
        self.last_epoch += 1
        lrs = self._next_lrs()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = lrs

    def get_last_lr(self):
        """The learning rates set by the last :meth:`step`, one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """The schedule's own state (not the optimizer's), as a dict."""
        return {key: value for key, value in vars(self).items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore what :meth:`state_dict` returned."""
        vars(self).update(state_dict)
