"""Values entering from outside the graph are checked, and NumPy meets tensors.

Constant operands, gradients given to ``backward`` or assigned to ``.grad``,
the gradients a custom Function returns and loaded parameters must be real
numbers; a ragged sequence or a string is named as such; NumPy's ufuncs and
reductions either run as tensor ops or say which op to use; and the backward
walk visits nodes in the reverse of the order they were made.
"""

import warnings

import numpy as np
import pytest

import microtensor as mt


def leaf(values, **kwargs):
    return mt.tensor(values, requires_grad=True, **kwargs)


@pytest.fixture(autouse=True)
def warnings_are_errors():
    """A ComplexWarning (or any other) must not stand in for an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ----------------------------------------------------------------------
# Every constant operand must be real

COMPLEX = np.ones((3, 3), dtype=complex)
OBJECT = np.ones((3, 3), dtype=object)

CONSTANT_USES = [
    ("matmul", lambda x, c: x @ c),
    ("matmul", lambda x, c: c @ x),
    ("matmul", lambda x, c: mt.matmul(x, c)),
    ("add", lambda x, c: x + c),
    ("mul", lambda x, c: c * x),
    ("pow", lambda x, c: x**c),
    ("maximum", lambda x, c: mt.maximum(x, c)),
    ("where", lambda x, c: mt.where(x > 0, x, c)),
    ("concatenate", lambda x, c: mt.concatenate([x, c])),
    ("stack", lambda x, c: mt.stack([c, x])),
    ("clip", lambda x, c: x.clip(lo=c)),
]
CONSTANT_IDS = [
    "matmul",
    "rmatmul",
    "mt.matmul",
    "add",
    "rmul",
    "pow",
    "maximum",
    "where",
    "concatenate",
    "stack",
    "clip",
]


@pytest.mark.parametrize("constant", [COMPLEX, OBJECT], ids=["complex", "object"])
@pytest.mark.parametrize("op, use", CONSTANT_USES, ids=CONSTANT_IDS)
def test_a_non_real_constant_array_is_refused_naming_the_op_and_dtype(
    op, use, constant
):
    x = leaf(np.ones((3, 3)))

    with pytest.raises(mt.DTypeError) as info:
        use(x, constant)

    assert str(info.value).startswith(f"{op}: ")
    assert str(constant.dtype) in str(info.value)


@pytest.mark.parametrize(
    "constant", [1j, np.complex128(2j)], ids=["python complex", "numpy complex"]
)
def test_a_complex_number_is_refused_as_a_clip_bound(constant):
    with pytest.raises(mt.DTypeError, match="clip: .*complex"):
        leaf([1.0, 2.0]).clip(hi=constant)


def test_a_list_of_complex_numbers_is_refused_naming_its_dtype():
    with pytest.raises(mt.DTypeError, match="add: .*sequence of dtype complex128"):
        leaf([1.0, 2.0]) + [1j, 2j]


@pytest.mark.parametrize(
    "constant",
    [2.0, 3, True, np.float32(2.0), np.arange(3), np.ones(3, dtype=bool), [1, 2, 3]],
    ids=["float", "int", "bool", "float32", "int array", "bool array", "list"],
)
def test_real_constants_of_every_kind_are_still_taken(constant):
    x = leaf([1.0, 2.0, 3.0])

    (x * constant + constant).sum().backward()

    np.testing.assert_allclose(x.grad, np.broadcast_to(constant, (3,)))
    assert x.grad.dtype == np.float64


def test_a_tensor_cannot_be_made_with_a_complex_dtype():
    with pytest.raises(mt.DTypeError, match="tensor: dtype complex128 is not"):
        mt.tensor([1.0, 2.0], dtype=complex)


@pytest.mark.parametrize(
    "data", [np.array([1 + 2j]), [1 + 2j]], ids=["complex array", "complex list"]
)
def test_complex_data_is_refused_even_with_a_real_dtype(data):
    with pytest.raises(mt.DTypeError, match="tensor: .*complex"):
        mt.tensor(data, dtype=np.float64)


def test_astype_to_a_complex_dtype_is_refused():
    with pytest.raises(mt.DTypeError, match="astype: dtype complex64 is not"):
        leaf([1.0]).astype(np.complex64)


# ----------------------------------------------------------------------
# Gradients from outside: backward(grad=...), custom Functions, .grad =


@pytest.mark.parametrize(
    "grad, dtype",
    [(np.ones(2, dtype=complex), "complex128"), (np.ones(2, dtype=object), "object")],
    ids=["complex", "object"],
)
def test_backward_refuses_a_gradient_that_is_not_real(grad, dtype):
    x = leaf([1.0, 2.0])

    with pytest.raises(mt.DTypeError, match=f"backward: grad has dtype {dtype}"):
        (x * 2).backward(grad=grad)

    assert x.grad is None


def test_backward_refuses_a_string_gradient_naming_its_type():
    with pytest.raises(
        mt.DTypeError, match="backward: grad must be .*type str \\('abc'\\)"
    ):
        (leaf([1.0, 2.0]) * 2).backward(grad="abc")


def test_backward_names_a_ragged_gradient():
    with pytest.raises(
        mt.ShapeError,
        match="backward: grad is a ragged nested sequence .*lengths 3, 1",
    ):
        (leaf(np.ones((2, 3))) * 2).backward(grad=[[1, 2, 3], [1]])


def test_backward_still_takes_a_nested_list_of_ints():
    x = leaf(np.ones((2, 2)))

    (x * 2).backward(grad=[[1, 2], [3, 4]])

    np.testing.assert_array_equal(x.grad, [[2.0, 4.0], [6.0, 8.0]])


class ComplexGradient(mt.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out * (2 + 0j)


class ComplexForward(mt.Function):
    @staticmethod
    def forward(ctx, x):
        return x.astype(complex)

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out


def test_a_custom_function_returning_a_complex_gradient_is_named():
    y = ComplexGradient.apply(leaf([1.0, 2.0])).sum()

    with pytest.raises(
        mt.DTypeError,
        match="ComplexGradient.backward: the gradient of tensor input 0 has "
        "dtype complex128",
    ):
        y.backward()


def test_a_custom_function_returning_a_complex_output_is_named():
    with pytest.raises(
        mt.DTypeError, match="ComplexForward.forward must return .*complex128"
    ):
        ComplexForward.apply(leaf([1.0, 2.0]))


def test_load_state_dict_refuses_a_complex_weight_naming_the_key():
    layer = mt.nn.Linear(3, 2)
    state = layer.state_dict()
    state["weight"] = state["weight"].astype(complex)
    before = layer.weight.data.copy()

    with pytest.raises(
        mt.DTypeError, match="load_state_dict: 'weight' has dtype complex128"
    ):
        layer.load_state_dict(state)

    np.testing.assert_array_equal(layer.weight.data, before)


def test_assigning_a_grad_of_the_wrong_shape_names_both_shapes():
    a = leaf([1.0, 2.0])

    with pytest.raises(
        mt.ShapeError,
        match=r"grad: cannot assign a gradient of shape \(3,\) to a Tensor of "
        r"shape \(2,\)",
    ):
        a.grad = np.ones(3)

    assert a.grad is None


def test_assigning_a_complex_grad_is_refused():
    a = leaf([1.0, 2.0])

    with pytest.raises(mt.DTypeError, match="grad: .*dtype complex128"):
        a.grad = np.ones(2, dtype=complex)


def test_an_assigned_grad_takes_the_tensors_dtype_and_accumulates():
    a = leaf([1.0, 2.0], dtype=np.float32)

    a.grad = [1, 1]
    (a * 3).sum().backward()

    assert a.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])


def test_a_parameters_grad_can_be_assigned_and_cleared():
    layer = mt.nn.Linear(2, 1)

    layer.weight.grad = mt.ones(1, 2)
    np.testing.assert_array_equal(layer.weight.grad, [[1.0, 1.0]])
    layer.zero_grad()

    assert layer.weight.grad is None


def test_a_stored_grad_that_no_longer_fits_is_named_by_backward():
    a = leaf([1.0, 2.0])
    a.grad = np.ones(2)
    a.data = np.ones(3)  # the values replaced by hand, the old .grad kept

    with pytest.raises(
        mt.ShapeError,
        match=r"backward: cannot add a gradient of shape \(3,\) to the \.grad of "
        r"shape \(2,\) already stored on a Tensor of shape \(3,\).*grad = None",
    ):
        (a * 2).sum().backward()


# ----------------------------------------------------------------------
# Ragged data and strings


def test_ragged_data_for_a_tensor_is_named():
    with pytest.raises(
        mt.ShapeError,
        match=r"tensor: data is a ragged nested sequence \(the items at depth 1 "
        r"have lengths 2, 1\)",
    ):
        mt.tensor([[1, 2], [3]])


def test_data_ragged_deeper_down_names_the_depth():
    with pytest.raises(mt.ShapeError, match="at depth 2 have lengths 2, 1"):
        mt.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]])


def test_a_ragged_constant_operand_is_named():
    with pytest.raises(mt.ShapeError, match="mul: the operand is a ragged"):
        leaf([1.0, 2.0]) * [[1.0, 2.0], [3.0]]


def test_matmul_with_a_string_says_it_is_not_a_number():
    with pytest.raises(mt.DTypeError) as info:
        leaf(np.ones((2, 3))) @ "abc"

    assert "matmul: " in str(info.value)
    assert "a str is not a number" in str(info.value)
    assert "shape" not in str(info.value)


# ----------------------------------------------------------------------
# Grad mode as a bare decorator


def test_no_grad_works_as_a_decorator_without_brackets():
    @mt.no_grad
    def double(x):
        """Twice x."""
        return x * 2

    y = double(leaf([1.0]))

    assert not y.requires_grad
    assert double.__doc__ == "Twice x."
    assert mt.is_grad_enabled()


def test_enable_grad_works_as_a_decorator_without_brackets():
    @mt.enable_grad
    def double(x):
        return x * 2

    with mt.no_grad():
        y = double(leaf([1.0]))

    assert y.requires_grad


def test_no_grad_given_a_value_that_is_not_a_function_says_so():
    with pytest.raises(mt.DTypeError, match="no_grad: takes no argument"):
        mt.no_grad(3)


# ----------------------------------------------------------------------
# NumPy's ufuncs and reductions on tensors


@pytest.mark.parametrize(
    "ufunc, hint",
    [(np.exp, "x.exp() or mt.exp(x)"), (np.absolute, "x.abs()")],
    ids=["exp", "absolute"],
)
def test_a_numpy_ufunc_on_a_tensor_names_the_op_to_use(ufunc, hint):
    with pytest.raises(mt.DTypeError) as info:
        ufunc(leaf([1.0]))

    assert str(info.value).startswith(f"np.{ufunc.__name__} ")
    assert hint in str(info.value)
    assert isinstance(info.value, TypeError)


def test_a_numpy_ufunc_with_no_counterpart_points_to_the_values():
    with pytest.raises(mt.DTypeError, match=r"np.sin has no .*np.sin\(x.numpy\(\)\)"):
        np.sin(leaf([1.0]))


def test_writing_into_an_array_with_a_tensor_operand_is_refused():
    array = np.ones(2)

    with pytest.raises(mt.DTypeError, match="np.add with out= .*in place"):
        array += leaf([1.0, 2.0])

    np.testing.assert_array_equal(array, [1.0, 1.0])


def test_comparisons_with_an_ndarray_on_the_left_give_boolean_tensors():
    x = leaf([1.0, 2.0, 3.0])
    left = np.array([2.0, 2.0, 2.0])

    results = [left < x, left <= x, left > x, left >= x, left == x, left != x]

    for result in results:
        assert isinstance(result, mt.Tensor)
    expected = [[0, 0, 1], [0, 1, 1], [1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, 1]]
    np.testing.assert_array_equal([r.numpy() for r in results], expected)


def test_a_numpy_scalar_on_the_left_keeps_the_graph():
    x = leaf([1.0, 2.0])

    (np.float64(3.0) * x - np.float64(1.0)).sum().backward()

    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


@pytest.mark.parametrize(
    "reduce, method",
    [(np.sum, "sum"), (np.mean, "mean"), (np.max, "max"), (np.min, "min")],
    ids=["sum", "mean", "max", "min"],
)
def test_numpy_reductions_run_the_tensor_method(reduce, method):
    x = leaf([[1.0, 5.0], [3.0, 2.0]])

    out = reduce(x, axis=1)
    out.sum().backward()

    expected = getattr(mt.tensor([[1.0, 5.0], [3.0, 2.0]]), method)(axis=1)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    assert out.op == method
    assert x.grad is not None


def test_a_numpy_reduction_with_out_says_tensors_are_not_written_in_place():
    with pytest.raises(mt.DTypeError, match="sum: out= is not supported"):
        np.sum(leaf([1.0, 2.0]), out=np.zeros(()))


def test_numpy_mean_with_a_dtype_is_refused_with_a_hint():
    with pytest.raises(mt.DTypeError, match=r"mean: dtype= is not supported.*astype"):
        np.mean(leaf([1.0, 2.0]), dtype=np.float32)


# ----------------------------------------------------------------------
# The order of the backward walk


TAG_CALLS = []


class Tag(mt.Function):
    """Identity op that notes its name in TAG_CALLS when its backward runs."""

    @staticmethod
    def forward(ctx, x, name):
        ctx.name = name
        return x.copy()

    @staticmethod
    def backward(ctx, grad_out):
        TAG_CALLS.append(ctx.name)
        return grad_out


def _rnn_like(input_first, steps=3):
    """``h = tanh(ih(x_t) + hh(h))`` (or ``hh(h) + ih(x_t)``), ih and hh tagged."""
    TAG_CALLS.clear()
    xs = [leaf([float(t), 1.0]) for t in range(steps)]
    h = leaf([0.5, 0.5])
    for t, x in enumerate(xs):
        ih = Tag.apply(x, f"ih{t}")
        hh = Tag.apply(h, f"hh{t}")
        h = (ih + hh if input_first else hh + ih).tanh()
    h.sum().backward()
    return list(TAG_CALLS)


def test_the_walk_handles_each_steps_input_branch_with_its_step():
    # ih(x_t) is made before hh(h), so in the reverse order it comes right
    # after hh_t, and its gradient is used at once rather than at the end.
    calls = _rnn_like(input_first=True)

    assert calls == ["hh2", "ih2", "hh1", "ih1", "hh0", "ih0"]


def test_the_walk_order_does_not_depend_on_the_operand_order():
    calls = _rnn_like(input_first=False)

    assert calls == ["hh2", "ih2", "hh1", "ih1", "hh0", "ih0"]


def test_gradients_through_an_rnn_like_chain_match_finite_differences():
    xs = [leaf([float(t), 1.0]) for t in range(4)]
    w = leaf([[0.3, -0.2], [0.1, 0.4]])
    h = mt.tensor([0.5, -0.5])
    for x in xs:
        h = (x + h @ w).tanh()
    h.sum().backward()

    def loss(*inputs):
        *xs_, w_ = inputs
        h_ = mt.tensor([0.5, -0.5])
        for x_ in xs_:
            h_ = (x_ + h_ @ w_).tanh()
        return h_.sum()

    assert mt.gradcheck(loss, [*xs, w])
    assert all(x.grad is not None for x in xs)
