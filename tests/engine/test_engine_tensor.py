"""Tensor creation, attributes, conversions and the small shape helpers."""

import numpy as np
import pytest

import microtensor as mt


def leaf(values, **kwargs):
    return mt.tensor(values, requires_grad=True, **kwargs)


def test_tensor_copies_its_data_and_defaults_to_float64():
    data = np.array([1.0, 2.0])

    x = mt.tensor(data)
    data[0] = 100.0

    assert x.dtype == np.float64
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_float32_is_kept_when_asked_for():
    assert mt.tensor([1, 2], dtype="float32").dtype == np.float32
    assert mt.zeros(2, dtype=np.float32).dtype == np.float32


def test_float32_data_keeps_its_dtype():
    assert mt.tensor(np.ones(2, dtype=np.float32)).dtype == np.float32


def test_an_integer_dtype_may_be_asked_for_explicitly():
    labels = mt.tensor([0, 2, 1], dtype=np.int64)

    assert labels.dtype == np.int64
    assert not labels.requires_grad


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: mt.zeros(2, 3), (2, 3)),
        (lambda: mt.zeros((2, 3)), (2, 3)),
        (lambda: mt.ones(4), (4,)),
        (lambda: mt.ones(()), ()),
        (lambda: mt.randn(2, 1, rng=0), (2, 1)),
        (lambda: mt.rand((3,), rng=0), (3,)),
        (lambda: mt.arange(5), (5,)),
        (lambda: mt.zeros_like(mt.ones(2, 2)), (2, 2)),
        (lambda: mt.ones_like(np.zeros(3)), (3,)),
    ],
)
def test_factories_make_float64_tensors_of_the_given_shape(make, shape):
    x = make()

    assert x.shape == shape
    assert x.dtype == np.float64
    assert not x.requires_grad


def test_arange_counts_like_numpy():
    np.testing.assert_array_equal(mt.arange(1, 7, 2).data, [1.0, 3.0, 5.0])


def test_factories_can_make_leaves_that_require_grad():
    w = mt.zeros(2, requires_grad=True)

    (w * 3).sum().backward()

    np.testing.assert_array_equal(w.grad, [3.0, 3.0])


def test_randn_with_the_same_seed_draws_the_same_values():
    np.testing.assert_array_equal(mt.randn(5, rng=3).data, mt.randn(5, rng=3).data)
    assert not np.array_equal(mt.randn(5, rng=3).data, mt.randn(5, rng=4).data)


def test_manual_seed_makes_the_default_generator_reproducible():
    mt.manual_seed(11)
    first = mt.randn(4).data
    mt.manual_seed(11)

    np.testing.assert_array_equal(mt.randn(4).data, first)


def test_as_rng_accepts_none_a_seed_or_a_generator():
    generator = np.random.default_rng(0)

    assert mt.as_rng(None) is mt.default_rng()
    assert mt.as_rng(generator) is generator
    assert mt.as_rng(5).random() == np.random.default_rng(5).random()


def test_attributes_describe_the_data():
    x = leaf(np.zeros((2, 3)))

    assert (x.shape, x.ndim, x.size, len(x)) == ((2, 3), 2, 6, 2)
    assert x.is_leaf
    assert x.grad is None


def test_item_numpy_and_detach():
    x = leaf([[2.5]])
    y = x * 2

    assert y.item() == 5.0
    assert float(y) == 5.0
    assert y.numpy() is y.data
    detached = y.detach()
    assert detached.data is y.data
    assert not detached.requires_grad


def test_repr_shows_values_dtype_and_origin():
    assert repr(mt.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(leaf([1.0])) == "tensor([1.], requires_grad=True)"
    assert repr(leaf([1.0]) * 2) == "tensor([2.], op=mul)"
    assert repr(mt.tensor([1.0], dtype="float32")) == "tensor([1.], dtype=float32)"


def test_a_one_element_tensor_has_a_truth_value():
    assert bool(mt.tensor([3.0]) > 2)
    assert not bool(mt.tensor(0.0))


def test_tensors_are_hashable_by_identity():
    a, b = mt.tensor([1.0]), mt.tensor([1.0])

    assert len({a, b, a}) == 2


def test_iterating_gives_the_rows_as_tensors_in_the_graph():
    x = leaf(np.arange(6.0).reshape(3, 2))

    total = sum(row.sum() * i for i, row in enumerate(x))
    total.backward()

    np.testing.assert_array_equal(x.grad, [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])


def test_numpy_functions_see_the_values():
    x = mt.tensor([3.0, 1.0])

    np.testing.assert_array_equal(np.asarray(x), [3.0, 1.0])
    np.testing.assert_array_equal(x.argmax(), 0)
    np.testing.assert_array_equal(x.argmin(), 1)


def test_numpy_ufuncs_refuse_tensors_instead_of_dropping_the_graph():
    with pytest.raises(TypeError):
        np.exp(leaf([1.0]))


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.flatten(),
        lambda t: t.flatten(1),
        lambda t: t.squeeze(),
        lambda t: t.squeeze(0),
        lambda t: t.unsqueeze(-1),
        lambda t: t.unsqueeze(1),
        lambda t: t.T,
        lambda t: t.transpose(),
        lambda t: t.reshape(3, -1),
        lambda t: mt.reshape(t, (6,)),
        lambda t: mt.transpose(t, (2, 0, 1)),
        lambda t: t.clip(lo=0.0),
        lambda t: t.clip(hi=0.0),
        lambda t: t.double(),
        lambda t: abs(t) + (+t),
        lambda t: mt.exp(t) + mt.log(mt.abs(t) + 1) + mt.sqrt(t * t + 1),
        lambda t: mt.tanh(t) + mt.sigmoid(t) + mt.relu(t) + mt.erf(t),
        lambda t: mt.sum(t, axis=1) + mt.mean(t, axis=1) + mt.max(t, 1) + mt.min(t, 1),
        lambda t: mt.matmul(t[0], t[0].T),
    ],
    ids=[
        "flatten",
        "flatten_from_1",
        "squeeze_all",
        "squeeze_axis",
        "unsqueeze_last",
        "unsqueeze_middle",
        "T",
        "transpose_reversed",
        "reshape_minus_one",
        "module_reshape",
        "module_transpose",
        "clip_below",
        "clip_above",
        "double",
        "abs_and_pos",
        "module_unary_1",
        "module_unary_2",
        "module_reductions",
        "module_matmul",
    ],
)
def test_shape_helpers_and_module_functions_pass_gradcheck(op):
    x = leaf(np.random.default_rng(2).uniform(0.2, 1.0, (1, 3, 2)))

    assert mt.gradcheck(op, [x])


def test_flatten_squeeze_unsqueeze_shapes():
    x = mt.zeros(1, 3, 1, 2)

    assert x.flatten().shape == (6,)
    assert x.flatten(1, 2).shape == (1, 3, 2)
    assert x.squeeze().shape == (3, 2)
    assert x.squeeze(2).shape == (1, 3, 2)
    assert x.unsqueeze(0).shape == (1, 1, 3, 1, 2)
    assert mt.tensor(5.0).flatten().shape == (1,)


def test_float_casts_to_float32_and_the_gradient_comes_back_as_float64():
    x = leaf([1.0, 2.0])

    y = x.float()
    (y * y).sum().backward()

    assert y.dtype == np.float32
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_astype_to_an_integer_dtype_leaves_the_graph():
    y = leaf([1.7, 2.2]).astype(np.int64)

    assert y.dtype == np.int64
    assert not y.requires_grad


def test_a_float_tensor_holding_integers_works_as_an_index():
    x = leaf([10.0, 20.0, 30.0])

    y = x[mt.tensor([2, 0, 2])]
    y.sum().backward()

    np.testing.assert_array_equal(y.data, [30.0, 10.0, 30.0])
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 2.0])


def test_mixed_basic_and_advanced_indices_accumulate():
    x = leaf(np.arange(12.0).reshape(3, 4))

    x[[0, 0, 2], 1:3].sum().backward()

    expected = np.zeros((3, 4))
    expected[0, 1:3] = 2.0
    expected[2, 1:3] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


def test_concatenate_and_stack_accept_constant_pieces():
    x = leaf([1.0, 2.0])

    y = mt.concatenate([x, np.array([5.0])]) * mt.stack([x, x]).sum(axis=0).sum()
    y.sum().backward()

    assert x.grad.shape == (2,)
    # d/dx_i of (x1 + x2 + 5) * 2(x1 + x2) = 2(x1 + x2) + 2(x1 + x2 + 5)
    np.testing.assert_allclose(x.grad, [2 * 3 + 2 * 8, 2 * 3 + 2 * 8])


def test_the_erf_without_scipy_agrees_with_the_one_in_use():
    from microtensor.ops.elementwise import _erf_fallback, _erf_values

    x = np.linspace(-6.0, 6.0, 240).reshape(3, -1)

    np.testing.assert_allclose(_erf_fallback(x), _erf_values(x), rtol=1e-15, atol=1e-16)
    assert _erf_fallback(np.float32([0.5])).dtype == np.float32
    assert _erf_fallback(np.array(0.5)).shape == ()


def test_asking_numpy_for_a_copy_gives_a_copy():
    x = mt.tensor([1.0, 2.0])

    copied = np.array(x, copy=True)
    copied[0] = 9.0

    assert x.data[0] == 1.0
