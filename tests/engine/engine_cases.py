"""The table of differentiable primitives shared by the engine's tests.

Each :class:`OpCase` names one primitive once: how to call it in microtensor,
its NumPy reference, the same op in PyTorch, and a Hypothesis strategy that
draws inputs from the op's safe domain together with the op's parameters
(axis, index, exponent, ...). The gradcheck tests and the PyTorch cross-check
both parametrize over :data:`CASES`.

Domains keep finite differences meaningful: values stay away from kinks
(|x| at 0, clip at its bounds), from poles (division by ~0), and from
non-tied near-ties in max/min (values on a coarse grid), while exact ties are
kept on purpose where the derivative convention is the point.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microtensor as mt

MAX_SIDE = 4
MAX_DIMS = 3


# ----------------------------------------------------------------------
# Element strategies


def floats(low=-3.0, high=3.0):
    """Bounded floats without NaN, inf or subnormals."""
    return st.floats(
        low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False
    )


def away_from(kinks, low=-3.0, high=3.0, margin=0.05):
    """Floats in [low, high] at least ``margin`` from every kink."""

    def push(x):
        for kink in kinks:
            if abs(x - kink) < margin:
                return kink + 2 * margin
        return x

    return floats(low, high).map(push)


def signed(low=0.5, high=3.0):
    """Floats with magnitude in [low, high] and either sign."""
    return st.builds(lambda m, neg: -m if neg else m, floats(low, high), st.booleans())


def grid(half_width, step):
    """Multiples of ``step`` in [-half_width, half_width]: exact ties, no near-ties."""
    n = int(round(half_width / step))
    return st.integers(-n, n).map(lambda k: k * step)


def shapes(min_dims=0, max_dims=MAX_DIMS):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=MAX_SIDE
    )


def array(shape, elements, unique=False):
    return hnp.arrays(np.float64, shape, elements=elements, unique=unique)


# ----------------------------------------------------------------------
# Input strategies: each draws (list of arrays, params dict)


@st.composite
def unary_inputs(draw, elements=None):
    shape = draw(shapes(), label="shape")
    x = draw(array(shape, floats() if elements is None else elements), label="x")
    return [x], {}


@st.composite
def broadcast_inputs(draw, *element_strategies):
    n = len(element_strategies)
    drawn = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=n, min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE
        ),
        label="shapes",
    )
    arrays = [
        draw(array(shape, elements), label=f"input {i}")
        for i, (shape, elements) in enumerate(
            zip(drawn.input_shapes, element_strategies)
        )
    ]
    return arrays, {}


@st.composite
def where_inputs(draw):
    drawn = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=3, min_dims=0, max_dims=MAX_DIMS, min_side=1, max_side=MAX_SIDE
        )
    )
    cond_shape, a_shape, b_shape = drawn.input_shapes
    condition = draw(hnp.arrays(np.bool_, cond_shape), label="condition")
    a = draw(array(a_shape, floats()), label="a")
    b = draw(array(b_shape, floats()), label="b")
    return [a, b], {"condition": condition}


@st.composite
def power_inputs(draw):
    exponent = draw(st.sampled_from([0, 1, 2, 3, -1, 0.5, -1.5]), label="exponent")
    shape = draw(shapes())
    base_elements = floats() if exponent in (0, 1, 2, 3) else floats(0.3, 3.0)
    return [draw(array(shape, base_elements), label="base")], {"exponent": exponent}


@st.composite
def reduction_inputs(draw, elements, unique=False):
    shape = draw(shapes(min_dims=1))
    x = draw(array(shape, elements, unique=unique), label="x")
    ndim = len(shape)
    axis = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            hnp.valid_tuple_axes(ndim, min_size=1),
        ),
        label="axis",
    )
    keepdims = draw(st.booleans(), label="keepdims")
    return [x], {"axis": axis, "keepdims": keepdims}


MATMUL_KINDS = {
    "1d_1d": ("k", "k"),
    "1d_2d": ("k", "km"),
    "2d_1d": ("nk", "k"),
    "2d_2d": ("nk", "km"),
    "batched": ("Bnk", "Bkm"),
    "1d_batched": ("k", "Bkm"),
    "batched_1d": ("Bnk", "k"),
}


@st.composite
def matmul_inputs(draw, kind):
    a_spec, b_spec = MATMUL_KINDS[kind]
    sizes = {c: draw(st.integers(1, MAX_SIDE), label=c) for c in "nkm"}
    batch = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=2, min_dims=1, max_dims=2, min_side=1, max_side=3
        ),
        label="batch shapes",
    ).input_shapes

    def shape_of(spec, batch_shape):
        dims = tuple(sizes[c] for c in spec if c != "B")
        return (tuple(batch_shape) if "B" in spec else ()) + dims

    a = draw(array(shape_of(a_spec, batch[0]), floats()), label="a")
    b = draw(array(shape_of(b_spec, batch[1]), floats()), label="b")
    return [a, b], {}


@st.composite
def reshape_inputs(draw):
    shape = draw(shapes())
    x = draw(array(shape, floats()))
    sizes = list(shape)
    new_shape = draw(st.permutations(sizes), label="new shape")
    if new_shape and draw(st.booleans(), label="use -1"):
        new_shape = [-1] + list(new_shape[1:])
    return [x], {"shape": tuple(new_shape)}


@st.composite
def transpose_inputs(draw):
    shape = draw(shapes())
    x = draw(array(shape, floats()))
    axes = draw(st.permutations(range(len(shape))), label="axes")
    return [x], {"axes": tuple(axes)}


@st.composite
def basic_index_inputs(draw):
    shape = draw(shapes())
    x = draw(array(shape, floats()))
    index = draw(hnp.basic_indices(shape, allow_newaxis=True), label="index")
    return [x], {"index": index}


@st.composite
def int_array_index_inputs(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(array(shape, floats()))
    index = draw(
        hnp.integer_array_indices(shape, result_shape=shapes(min_dims=1, max_dims=2)),
        label="index",
    )
    return [x], {"index": index}


@st.composite
def mask_index_inputs(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(array(shape, floats()))
    mask = draw(hnp.arrays(np.bool_, shape), label="mask")
    return [x], {"index": mask}


@st.composite
def join_inputs(draw, new_axis):
    shape = draw(shapes(min_dims=0 if new_axis else 1))
    count = draw(st.integers(1, 3), label="count")
    ndim = len(shape) + (1 if new_axis else 0)
    axis = draw(st.integers(-ndim, ndim - 1), label="axis")
    arrays = []
    for i in range(count):
        piece_shape = list(shape)
        if not new_axis:
            piece_shape[axis] = draw(st.integers(1, 3), label=f"size {i}")
        arrays.append(draw(array(tuple(piece_shape), floats()), label=f"input {i}"))
    return arrays, {"axis": axis}


# ----------------------------------------------------------------------
# Reference implementations


def _erf_reference(x):
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def _sigmoid_reference(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _reduce_reference(name):
    def reference(p, x):
        axis = p["axis"]
        if isinstance(axis, list):
            axis = tuple(axis)
        return getattr(np, name)(x, axis=axis, keepdims=p["keepdims"])

    return reference


def _torch_dims(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        return (axis,)
    return tuple(axis)


def _torch_reduce(name):
    def call(p, x):
        import torch

        dims = _torch_dims(p["axis"], x.ndim)
        function = {"sum": torch.sum, "mean": torch.mean}.get(name)
        if function is None:
            function = torch.amax if name == "max" else torch.amin
        return function(x, dim=dims, keepdim=p["keepdims"])

    return call


def _torch_flat_index(p, x):
    """Select in torch the elements that NumPy's ``x[index]`` selects.

    The selection is computed by NumPy on an array of flat positions, then
    applied in torch as one integer-array gather, so torch's own indexing
    rules (which differ from NumPy's for some mixes) play no part.
    """
    import torch

    positions = np.arange(x.numel()).reshape(tuple(x.shape))[p["index"]]
    flat = np.array(positions, dtype=np.int64, copy=True)
    return x.reshape(-1)[torch.as_tensor(flat)]


def _torch(name):
    """Look up a torch function lazily, so the table imports without torch."""

    def call(p, *xs):
        import torch

        return getattr(torch, name)(*xs)

    return call


@dataclass(frozen=True)
class OpCase:
    """One primitive: microtensor call, NumPy reference, torch call, inputs."""

    name: str
    inputs: st.SearchStrategy
    call: Callable
    reference: Callable
    torch: Callable
    gradcheck: bool = True
    notes: str = field(default="", compare=False)

    def __repr__(self):
        return self.name


def _case(name, inputs, call, reference, torch, **kwargs):
    return OpCase(name, inputs, call, reference, torch, **kwargs)


def _binary_cases():
    a, b = floats(), floats()
    return [
        _case(
            "add",
            broadcast_inputs(a, b),
            lambda p, x, y: x + y,
            lambda p, x, y: x + y,
            lambda p, x, y: x + y,
        ),
        _case(
            "sub",
            broadcast_inputs(a, b),
            lambda p, x, y: x - y,
            lambda p, x, y: x - y,
            lambda p, x, y: x - y,
        ),
        _case(
            "mul",
            broadcast_inputs(a, b),
            lambda p, x, y: x * y,
            lambda p, x, y: x * y,
            lambda p, x, y: x * y,
        ),
        _case(
            "div",
            broadcast_inputs(a, signed(0.5, 3.0)),
            lambda p, x, y: x / y,
            lambda p, x, y: x / y,
            lambda p, x, y: x / y,
        ),
        _case(
            "pow_tensor_exponent",
            broadcast_inputs(floats(0.3, 3.0), floats(-2.0, 2.0)),
            lambda p, x, y: x**y,
            lambda p, x, y: x**y,
            lambda p, x, y: x**y,
        ),
        _case(
            "maximum_with_ties",
            broadcast_inputs(grid(2, 0.5), grid(2, 0.5)),
            lambda p, x, y: mt.maximum(x, y),
            lambda p, x, y: np.maximum(x, y),
            _torch("maximum"),
        ),
        _case(
            "minimum_with_ties",
            broadcast_inputs(grid(2, 0.5), grid(2, 0.5)),
            lambda p, x, y: mt.minimum(x, y),
            lambda p, x, y: np.minimum(x, y),
            _torch("minimum"),
        ),
        _case(
            "where",
            where_inputs(),
            lambda p, x, y: mt.where(p["condition"], x, y),
            lambda p, x, y: np.where(p["condition"], x, y),
            lambda p, x, y: _torch_where(p["condition"], x, y),
        ),
    ]


def _torch_where(condition, x, y):
    import torch

    return torch.where(torch.as_tensor(condition), x, y)


def _unary_cases():
    return [
        _case("neg", unary_inputs(), lambda p, x: -x, lambda p, x: -x, lambda p, x: -x),
        _case(
            "pow_constant_exponent",
            power_inputs(),
            lambda p, x: x ** p["exponent"],
            lambda p, x: x ** p["exponent"],
            lambda p, x: x ** p["exponent"],
        ),
        _case(
            "rpow_constant_base",
            unary_inputs(floats(-2.0, 2.0)),
            lambda p, x: 2.5**x,
            lambda p, x: 2.5**x,
            lambda p, x: 2.5**x,
        ),
        _case("exp", unary_inputs(), lambda p, x: x.exp(), _np("exp"), _torch("exp")),
        _case(
            "log",
            unary_inputs(floats(0.1, 5.0)),
            lambda p, x: x.log(),
            _np("log"),
            _torch("log"),
        ),
        _case(
            "sqrt",
            unary_inputs(floats(0.1, 5.0)),
            lambda p, x: x.sqrt(),
            _np("sqrt"),
            _torch("sqrt"),
        ),
        _case(
            "abs",
            unary_inputs(away_from([0.0])),
            lambda p, x: x.abs(),
            _np("abs"),
            _torch("abs"),
        ),
        _case(
            "erf",
            unary_inputs(),
            lambda p, x: x.erf(),
            lambda p, x: _erf_reference(x),
            _torch("erf"),
        ),
        _case(
            "tanh", unary_inputs(), lambda p, x: x.tanh(), _np("tanh"), _torch("tanh")
        ),
        _case(
            "sigmoid",
            unary_inputs(floats(-8.0, 8.0)),
            lambda p, x: x.sigmoid(),
            lambda p, x: _sigmoid_reference(x),
            _torch("sigmoid"),
        ),
        _case(
            "relu",
            unary_inputs(away_from([0.0])),
            lambda p, x: x.relu(),
            lambda p, x: np.maximum(x, 0.0),
            _torch("relu"),
        ),
        _case(
            "clip",
            unary_inputs(away_from([-1.0, 1.0])),
            lambda p, x: x.clip(-1.0, 1.0),
            lambda p, x: np.clip(x, -1.0, 1.0),
            lambda p, x: x.clamp(-1.0, 1.0),
        ),
    ]


def _np(name):
    def reference(p, *xs):
        return getattr(np, name)(*xs)

    return reference


def _reduction_cases():
    distinct = grid(6, 0.125)
    few_values = grid(1, 1.0)
    cases = [
        _case(
            "sum",
            reduction_inputs(floats()),
            lambda p, x: x.sum(axis=p["axis"], keepdims=p["keepdims"]),
            _reduce_reference("sum"),
            _torch_reduce("sum"),
        ),
        _case(
            "mean",
            reduction_inputs(floats()),
            lambda p, x: x.mean(axis=p["axis"], keepdims=p["keepdims"]),
            _reduce_reference("mean"),
            _torch_reduce("mean"),
        ),
    ]
    for name in ("max", "min"):
        cases.append(
            _case(
                name,
                reduction_inputs(distinct, unique=True),
                _reduce_call(name),
                _reduce_reference(name),
                _torch_reduce(name),
            )
        )
        # Many-way ties: the derivative is a convention (an even split), which
        # finite differences cannot see, so only the torch cross-check runs.
        cases.append(
            _case(
                f"{name}_with_ties",
                reduction_inputs(few_values),
                _reduce_call(name),
                _reduce_reference(name),
                _torch_reduce(name),
                gradcheck=False,
            )
        )
    return cases


def _reduce_call(name):
    def call(p, x):
        return getattr(x, name)(axis=p["axis"], keepdims=p["keepdims"])

    return call


def _matmul_cases():
    return [
        _case(
            f"matmul_{kind}",
            matmul_inputs(kind),
            lambda p, x, y: x @ y,
            lambda p, x, y: x @ y,
            lambda p, x, y: x @ y,
        )
        for kind in MATMUL_KINDS
    ]


def _shape_cases():
    return [
        _case(
            "reshape",
            reshape_inputs(),
            lambda p, x: x.reshape(p["shape"]),
            lambda p, x: x.reshape(p["shape"]),
            lambda p, x: x.reshape(p["shape"]),
        ),
        _case(
            "transpose",
            transpose_inputs(),
            lambda p, x: x.transpose(p["axes"]),
            lambda p, x: x.transpose(p["axes"]),
            lambda p, x: x.permute(p["axes"]),
        ),
        _case(
            "getitem_basic",
            basic_index_inputs(),
            lambda p, x: x[p["index"]],
            lambda p, x: np.asarray(x[p["index"]]),
            _torch_flat_index,
        ),
        _case(
            "getitem_int_arrays",
            int_array_index_inputs(),
            lambda p, x: x[p["index"]],
            lambda p, x: x[p["index"]],
            _torch_flat_index,
        ),
        _case(
            "getitem_mask",
            mask_index_inputs(),
            lambda p, x: x[p["index"]],
            lambda p, x: x[p["index"]],
            _torch_flat_index,
        ),
        _case(
            "concatenate",
            join_inputs(new_axis=False),
            lambda p, *xs: mt.concatenate(xs, axis=p["axis"]),
            lambda p, *xs: np.concatenate(xs, axis=p["axis"]),
            lambda p, *xs: _torch_join("cat", xs, p["axis"]),
        ),
        _case(
            "stack",
            join_inputs(new_axis=True),
            lambda p, *xs: mt.stack(xs, axis=p["axis"]),
            lambda p, *xs: np.stack(xs, axis=p["axis"]),
            lambda p, *xs: _torch_join("stack", xs, p["axis"]),
        ),
    ]


def _torch_join(name, xs, axis):
    import torch

    return getattr(torch, name)(list(xs), dim=axis)


CASES = _binary_cases() + _unary_cases() + _reduction_cases() + _matmul_cases()
CASES += _shape_cases()
CASE_IDS = [case.name for case in CASES]
GRADCHECK_CASES = [case for case in CASES if case.gradcheck]
