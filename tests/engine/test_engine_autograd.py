"""The backward walk: accumulation, order, release, grad mode, dtypes."""

import gc
import sys
import weakref

import numpy as np
import pytest
from engine_cases import CASES, floats, shapes
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microtensor as mt


def leaf(values, **kwargs):
    return mt.tensor(values, requires_grad=True, **kwargs)


class Spy(mt.Function):
    """Identity op that records every gradient its backward receives."""

    calls = []

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad_out):
        Spy.calls.append(np.array(grad_out))
        return grad_out


@pytest.fixture
def spy():
    Spy.calls = []
    return Spy


# ----------------------------------------------------------------------
# Accumulation and order


def test_a_tensor_multiplied_by_itself_gets_both_contributions():
    a = leaf([3.0, -2.0])

    (a * a).sum().backward()

    np.testing.assert_array_equal(a.grad, [6.0, -4.0])


def test_gradients_accumulate_through_repeated_use():
    a = leaf(2.0)
    b = a + a
    c = b + b

    c.backward()

    assert a.grad == 4.0


def test_each_node_runs_backward_once_after_all_its_consumers(spy):
    x = leaf([1.0, 2.0])
    s = spy.apply(x)
    long_path = ((s * 2) + 1) * 1  # reaches the output later than the others
    out = (long_path + s * 3 + s).sum()

    out.backward()

    assert len(spy.calls) == 1
    np.testing.assert_array_equal(spy.calls[0], [6.0, 6.0])
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_leaf_gradients_accumulate_across_backward_calls_until_zeroed():
    x = leaf([1.0, 2.0])

    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0 + 2.0, 3.0 + 4.0])

    x.zero_grad()
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])


def test_intermediate_gradients_do_not_leak_between_calls():
    x = leaf([1.0, 2.0])
    hidden = x * 2
    hidden.sum().backward(retain_graph=True)
    first = x.grad.copy()

    x.zero_grad()
    (hidden * 1).sum().backward()

    assert hidden.grad is None
    np.testing.assert_array_equal(x.grad, first)


def test_gradient_arrays_are_never_shared():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    seed = np.ones(2)

    (a + b).backward(seed)
    a.grad[0] = 100.0

    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_retain_grad_keeps_the_gradient_of_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    hidden = (x * 3).retain_grad()

    (hidden * hidden).sum().backward()

    np.testing.assert_array_equal(hidden.grad, [6.0, 12.0])
    np.testing.assert_array_equal(x.grad, [18.0, 36.0])


def test_a_chain_of_100000_ops_backpropagates_without_recursion():
    limit = sys.getrecursionlimit()
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0

    y.backward()

    assert x.grad == 1.0
    assert sys.getrecursionlimit() == limit
    del y
    gc.collect()


def test_gradients_reach_only_tensors_that_require_them():
    x = leaf([1.0, 2.0])
    constant = mt.tensor([5.0, 6.0])

    (x * constant).sum().backward()

    assert constant.grad is None
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])


def test_constant_operands_are_not_graph_nodes():
    x = leaf([1.0, 2.0])

    y = x * np.array([2.0, 3.0]) + 1.0

    assert y.parents[0].op == "mul"
    assert len(y.parents) == 1
    assert len(y.parents[0].parents) == 1


# ----------------------------------------------------------------------
# Releasing the graph


def test_second_backward_through_a_released_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()

    with pytest.raises(mt.GraphError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()

    y.backward(retain_graph=True)
    y.backward()

    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_backward_releases_what_the_graph_saved():
    x = leaf([1.0, -1.0])
    mask = np.array([True, False])
    saved = weakref.ref(mask)
    y = mt.where(mask, x, 0.0).sum()
    del mask
    gc.collect()
    assert saved() is not None

    y.backward()
    gc.collect()

    assert saved() is None


# ----------------------------------------------------------------------
# Grad mode


def test_no_grad_as_a_context_manager_records_nothing():
    x = leaf([1.0, 2.0])

    with mt.no_grad():
        assert not mt.is_grad_enabled()
        y = x * 2

    assert mt.is_grad_enabled()
    assert not y.requires_grad
    assert y.is_leaf


def test_no_grad_as_a_decorator_records_nothing():
    @mt.no_grad()
    def double(t):
        return t * 2

    y = double(leaf([1.0]))

    assert not y.requires_grad
    assert mt.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(KeyError), mt.no_grad():
        raise KeyError("inside no_grad")

    assert mt.is_grad_enabled()


def test_enable_grad_inside_no_grad_records_again():
    x = leaf([1.0])

    with mt.no_grad():
        with mt.enable_grad():
            y = x * 2
        z = x * 2

    assert y.requires_grad
    assert not z.requires_grad


# ----------------------------------------------------------------------
# dtypes and seeds


def test_integer_data_becomes_float64_and_gets_fractional_gradients():
    x = mt.tensor([1, 2, 3], requires_grad=True)

    (x / 2).sum().backward()

    assert x.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [0.5, 0.5, 0.5])


def test_boolean_data_becomes_float64():
    assert mt.tensor([True, False]).dtype == np.float64


@pytest.mark.parametrize("case", CASES, ids=repr)
@settings(max_examples=10)
@given(data=st.data())
def test_float32_is_kept_through_every_op(case, data):
    arrays, params = data.draw(case.inputs, label="inputs")
    tensors = [leaf(a, dtype=np.float32) for a in arrays]

    out = case.call(params, *tensors)
    out.backward(np.ones(out.shape, dtype=np.float32))

    assert out.dtype == np.float32
    for tensor in tensors:
        assert tensor.grad.shape == tensor.shape
        assert tensor.grad.dtype == np.float32


def test_a_float32_leaf_gets_a_float32_gradient_from_a_float64_graph():
    w = leaf([1.0, 2.0], dtype="float32")

    (w * np.array([0.5, 0.25])).sum().backward()

    assert w.grad.dtype == np.float32


def test_backward_accepts_a_tensor_an_array_or_a_number():
    x = leaf([1.0, 2.0])
    (x * 2).backward(mt.tensor([1.0, 1.0]))
    (x * 2).backward(np.array([1.0, 0.0]))
    (x * 2).sum().backward(3.0)

    np.testing.assert_array_equal(x.grad, [10.0, 8.0])


# ----------------------------------------------------------------------
# Algebraic identities


@given(x=hnp.arrays(np.float64, shapes(), elements=floats()))
def test_the_gradient_of_sum_is_ones(x):
    t = leaf(x)

    t.sum().backward()

    np.testing.assert_array_equal(t.grad, np.ones_like(x))


@given(x=hnp.arrays(np.float64, shapes(), elements=floats()))
def test_the_gradient_of_mean_is_one_over_n(x):
    t = leaf(x)

    t.mean().backward()

    np.testing.assert_allclose(t.grad, np.full_like(x, 1.0 / x.size), rtol=1e-15)


@given(x=hnp.arrays(np.float64, shapes(), elements=floats()))
def test_sum_of_a_sum_over_axis_zero_has_the_same_gradient(x):
    t = leaf(x)
    if x.ndim == 0:
        t.sum().backward()
    else:
        t.sum(axis=0).sum().backward()

    np.testing.assert_array_equal(t.grad, np.ones_like(x))


# ----------------------------------------------------------------------
# Broadcasting undone in one place

BROADCAST_PAIRS = [
    ((3, 1), (1, 4)),
    ((5,), (2, 5)),
    ((2, 5), (5,)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
    ((1,), (3, 1)),
]

BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": mt.maximum,
    "minimum": mt.minimum,
    "where": lambda a, b: mt.where(a > 1.0, a, b),
}


@pytest.mark.parametrize("shapes_pair", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("op", list(BINARY_OPS))
def test_broadcast_operands_get_gradients_of_their_own_shape(op, shapes_pair):
    rng = np.random.default_rng(7)
    a = leaf(rng.uniform(0.5, 2.0, shapes_pair[0]))
    b = leaf(rng.uniform(0.5, 2.0, shapes_pair[1]))

    assert mt.gradcheck(BINARY_OPS[op], [a, b])

    out = BINARY_OPS[op](a, b)
    out.backward(np.ones(out.shape))
    assert a.grad.shape == shapes_pair[0]
    assert b.grad.shape == shapes_pair[1]


def test_a_scalar_broadcast_over_a_matrix_gets_the_sum():
    scale = leaf(2.0)
    x = mt.tensor(np.arange(6.0).reshape(2, 3))

    (scale * x).sum().backward()

    assert scale.grad.shape == ()
    assert scale.grad == 15.0


# ----------------------------------------------------------------------
# Comparisons as masks, mixed operand types


def test_comparisons_give_boolean_tensors_without_gradient():
    x = leaf([-1.0, 0.0, 2.0])

    mask = x > 0

    assert mask.dtype == np.bool_
    assert not mask.requires_grad
    np.testing.assert_array_equal(mask.data, [False, False, True])


def test_a_comparison_works_as_a_mask_inside_a_differentiated_expression():
    x = leaf([-1.0, 0.5, 2.0])

    (
        x[x > 0].sum() + mt.where(x < 0, x * 3, 0.0).sum() + ((x > 1) * x).sum()
    ).backward()

    np.testing.assert_array_equal(x.grad, [3.0, 1.0, 2.0])


@pytest.mark.parametrize(
    "left",
    [np.array([1.0, 2.0]), np.float64(2.0), 2.0, 2, [1.0, 2.0]],
    ids=["ndarray", "numpy scalar", "float", "int", "list"],
)
def test_a_non_tensor_on_the_left_dispatches_to_the_tensor(left):
    x = leaf([3.0, 4.0])

    results = [left + x, left - x, left * x, left / x, left**x]

    for result in results:
        assert isinstance(result, mt.Tensor)
    sum(r.sum() for r in results).backward()
    assert x.grad.shape == (2,)


def test_an_ndarray_on_the_left_of_matmul_dispatches_to_the_tensor():
    w = leaf(np.eye(2))

    out = np.array([[1.0, 2.0]]) @ w

    assert isinstance(out, mt.Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad, [[1.0, 1.0], [2.0, 2.0]])


def test_one_no_grad_object_can_be_nested_in_itself():
    guard = mt.no_grad()

    with guard:
        with guard:
            pass
        assert not mt.is_grad_enabled()

    assert mt.is_grad_enabled()
