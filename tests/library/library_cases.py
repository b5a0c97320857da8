"""One table of the functional library's cases, shared by the gradcheck tests and
the PyTorch cross-check.

Each case draws its arguments with Hypothesis. An argument is a float array
(``Arg``: becomes a tensor, which may require grad), an integer array of class
indices (``Idx``) or a keyword setting. Both libraries get the same values and
the same keywords (``dim``/``keepdim``, which microtensor accepts as aliases).

``smooth=True`` asks a case to keep its inputs away from kinks (relu at 0,
``|x - t|`` at 0, hardtanh's ends, softplus's threshold), where finite
differences are meaningless; the PyTorch comparison uses ``smooth=False`` and
so also checks the kinks.
"""

from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microtensor.functional as F


@dataclass
class Arg:
    """A float array argument; a tensor in both libraries."""

    value: np.ndarray
    requires_grad: bool = True


@dataclass
class Idx:
    """An integer array of class indices."""

    value: np.ndarray


@dataclass
class Case:
    name: str
    draw: object  # (data, smooth) -> (list of Arg/Idx, dict of keywords)
    ours: object = None
    theirs: object = None  # name in torch.nn.functional when None
    ids: list = field(default_factory=list)

    def __post_init__(self):
        if self.ours is None:
            self.ours = getattr(F, self.name)


def _values(lo=-4.0, hi=4.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def _array(data, shape, lo=-4.0, hi=4.0, label="x"):
    return data.draw(hnp.arrays(np.float64, shape, elements=_values(lo, hi)), label)


def _shape(data, min_dims=0, max_dims=3, min_side=1, max_side=4):
    return data.draw(
        hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
        ),
        label="shape",
    )


def _away(x, kinks, gap=0.05):
    """Move elements within ``gap`` of a kink to ``gap`` past it."""
    for kink in kinks:
        near = np.abs(x - kink) < gap
        x = np.where(near, kink + 2 * gap, x)
    return x


def _kinked_values(data, shape, kinks, smooth):
    """Values that, unless ``smooth``, often sit exactly on a kink."""
    x = _array(data, shape)
    if smooth:
        return _away(x, kinks)
    if kinks and x.size and data.draw(st.booleans(), label="put a kink in"):
        x = x.copy()
        x.flat[0] = kinks[0]
    return x


def _unary(kinks=(), **settings):
    """A draw for an elementwise function with optional keyword settings."""

    def draw(data, smooth):
        kwargs = {key: data.draw(value, label=key) for key, value in settings.items()}
        shape = _shape(data)
        local = list(kinks)
        if "min_val" in kwargs:
            local = [kwargs["min_val"], kwargs["max_val"]]
        if "threshold" in kwargs:
            local = [kwargs["threshold"] / kwargs["beta"]]
        return [Arg(_kinked_values(data, shape, local, smooth))], kwargs

    return draw


def _along_axis(keepdim=False):
    def draw(data, smooth):
        shape = _shape(data, min_dims=1)
        dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
        kwargs = {"dim": dim}
        if keepdim:
            kwargs["keepdim"] = data.draw(st.booleans(), label="keepdim")
        return [Arg(_array(data, shape))], kwargs

    return draw


def _linear(data, smooth):
    batch = _shape(data, min_dims=0, max_dims=2)
    n_in = data.draw(st.integers(1, 4), label="in")
    n_out = data.draw(st.integers(1, 4), label="out")
    args = [
        Arg(_array(data, batch + (n_in,), label="x")),
        Arg(_array(data, (n_out, n_in), label="w")),
    ]
    if data.draw(st.booleans(), label="bias"):
        args.append(Arg(_array(data, (n_out,), label="b")))
    return args, {}


def _reduction(data):
    return data.draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")


def _pointwise_loss(lo=-4.0, hi=4.0, kink=False, weights=False):
    def draw(data, smooth):
        shape = _shape(data)
        x = _array(data, shape, lo, hi)
        t = _array(data, shape, 0.0, 1.0, label="target") if lo >= 0 else None
        if t is None:
            t = _array(data, shape, lo, hi, label="target")
        if kink and smooth:
            x = t + _away(x - t, [0.0])
        elif kink and x.size and data.draw(st.booleans(), label="tie"):
            x = x.copy()
            x.flat[0] = t.flat[0]
        target_grad = data.draw(st.booleans(), label="target requires grad")
        kwargs = {"reduction": _reduction(data)}
        if weights and data.draw(st.booleans(), label="weight"):
            kwargs["weight"] = _array(data, shape, 0.1, 2.0, label="weight")
        return [Arg(x), Arg(t, target_grad)], kwargs

    return draw


def _bce_logits(data, smooth):
    args, kwargs = _pointwise_loss(weights=True)(data, smooth)
    args[1] = Arg(np.clip(args[1].value, 0.0, 1.0), args[1].requires_grad)
    if args[0].value.ndim and data.draw(st.booleans(), label="pos_weight"):
        side = args[0].value.shape[-1]
        kwargs["pos_weight"] = _array(data, (side,), 0.1, 3.0, label="pos_weight")
    return args, kwargs


def _class_problem(data):
    """Logits of shape (C,), (N, C) or (N, C, d); the index shape goes with it."""
    n_classes = data.draw(st.integers(2, 5), label="classes")
    layout = data.draw(st.sampled_from(["1d", "2d", "kd"]), label="layout")
    n = data.draw(st.integers(1, 4), label="batch")
    if layout == "1d":
        return (n_classes,), (), n_classes
    if layout == "2d":
        return (n, n_classes), (n,), n_classes
    d = data.draw(st.integers(1, 3), label="extra axis")
    return (n, n_classes, d), (n, d), n_classes


def _indices(data, index_shape, n_classes, allow_ignore):
    values = st.integers(0, n_classes - 1)
    if allow_ignore:
        values = st.one_of(values, st.just(-100))
    return data.draw(hnp.arrays(np.int64, index_shape, elements=values), "target")


def _class_weight(data, n_classes, kwargs):
    if data.draw(st.booleans(), label="class weight"):
        kwargs["weight"] = _array(data, (n_classes,), 0.2, 2.0, label="weight")


def _nll(data, smooth):
    shape, index_shape, n_classes = _class_problem(data)
    x = _array(data, shape, -4.0, 0.0)
    kwargs = {"reduction": _reduction(data)}
    _class_weight(data, n_classes, kwargs)
    allow_ignore = kwargs["reduction"] != "mean"
    t = _indices(data, index_shape, n_classes, allow_ignore)
    return [Arg(x), Idx(t)], kwargs


def _cross_entropy_indices(data, smooth):
    shape, index_shape, n_classes = _class_problem(data)
    x = _array(data, shape)
    kwargs = {"reduction": _reduction(data)}
    _class_weight(data, n_classes, kwargs)
    if data.draw(st.booleans(), label="smoothing"):
        kwargs["label_smoothing"] = data.draw(st.floats(0.0, 0.5), label="eps")
    # A mean over targets that are all ignored is 0/0; PyTorch gives NaN too,
    # so ignored targets are drawn only where the mean stays defined.
    t = _indices(data, index_shape, n_classes, allow_ignore=True)
    if kwargs["reduction"] == "mean" and np.all(t == -100):
        t = np.zeros_like(t)
    return [Arg(x), Idx(t)], kwargs


def _cross_entropy_probs(data, smooth):
    shape, _, n_classes = _class_problem(data)
    x = _array(data, shape)
    raw = _array(data, shape, 0.05, 1.0, label="target")
    axis = 0 if len(shape) == 1 else 1
    t = raw / raw.sum(axis=axis, keepdims=True)
    kwargs = {"reduction": _reduction(data)}
    _class_weight(data, n_classes, kwargs)
    if data.draw(st.booleans(), label="smoothing"):
        kwargs["label_smoothing"] = data.draw(st.floats(0.0, 0.5), label="eps")
    target_grad = data.draw(st.booleans(), label="target requires grad")
    return [Arg(x), Arg(t, target_grad)], kwargs


def _floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


CASES = [
    Case("sigmoid", _unary()),
    Case("tanh", _unary()),
    Case("relu", _unary(kinks=(0.0,))),
    Case("leaky_relu", _unary(kinks=(0.0,), negative_slope=_floats(0.0, 0.5))),
    Case("elu", _unary(kinks=(0.0,), alpha=_floats(0.1, 2.0))),
    Case("gelu", _unary(approximate=st.sampled_from(["none", "tanh"]))),
    Case("silu", _unary()),
    Case("mish", _unary()),
    Case(
        "softplus",
        _unary(beta=_floats(0.5, 3.0), threshold=_floats(1.0, 20.0)),
    ),
    Case(
        "hardtanh",
        _unary(min_val=_floats(-2.0, -0.5), max_val=_floats(0.5, 2.0)),
    ),
    Case("softmax", _along_axis()),
    Case("log_softmax", _along_axis()),
    Case("logsumexp", _along_axis(keepdim=True), theirs="torch.logsumexp"),
    Case("linear", _linear),
    Case("mse_loss", _pointwise_loss()),
    Case("l1_loss", _pointwise_loss(kink=True)),
    Case("binary_cross_entropy", _pointwise_loss(0.02, 0.98, weights=True)),
    Case("binary_cross_entropy_with_logits", _bce_logits),
    Case("nll_loss", _nll),
    Case("cross_entropy", _cross_entropy_indices, ids=["indices"]),
    Case("cross_entropy", _cross_entropy_probs, ids=["probabilities"]),
]


def case_id(case):
    return "-".join([case.name, *case.ids])


def convert(args, make_tensor, make_indices):
    """Turn drawn arguments into one library's values."""
    return [make_tensor(a) if isinstance(a, Arg) else make_indices(a) for a in args]
