"""Behaviours of microtensor.functional that a table of random cases cannot show:
edge values, dtypes, randomness and the messages a user reads after a mistake."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microtensor as mt
import microtensor.functional as F
from microtensor import DTypeError, ShapeError


def _leaf(values, dtype=None):
    return mt.tensor(values, requires_grad=True, dtype=dtype)


# -- logsumexp with -inf -----------------------------------------------------


def test_logsumexp_of_an_all_minus_inf_row_is_minus_inf_with_no_nan_anywhere():
    x = _leaf([[-np.inf, -np.inf, -np.inf], [1.0, 2.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.logsumexp(x, axis=1)
        out.backward(np.array([1.0, 1.0]))
    assert out.data[0] == -np.inf
    assert np.isfinite(out.data[1])
    assert not np.any(np.isnan(x.grad))
    np.testing.assert_array_equal(x.grad[0], 0.0)
    row = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(x.grad[1], row / row.sum(), rtol=1e-12)


def test_logsumexp_with_some_minus_inf_ignores_those_elements():
    x = _leaf([-np.inf, 0.0, 0.0])
    out = F.logsumexp(x)
    out.backward()
    assert out.item() == pytest.approx(np.log(2.0), rel=1e-14)
    np.testing.assert_allclose(x.grad, [0.0, 0.5, 0.5], rtol=1e-14)


def test_logsumexp_accepts_dim_and_keepdim_aliases():
    x = mt.randn(3, 4, rng=0)
    a = F.logsumexp(x, axis=0, keepdims=True)
    b = F.logsumexp(x, dim=0, keepdim=True)
    assert a.shape == (1, 4)
    np.testing.assert_array_equal(a.data, b.data)


def test_softmax_rows_sum_to_one_and_dim_is_an_alias_for_axis():
    x = mt.randn(4, 5, rng=1)
    np.testing.assert_allclose(F.softmax(x, axis=0).data.sum(axis=0), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(F.softmax(x, dim=0).data, F.softmax(x, axis=0).data)
    with pytest.raises(TypeError, match="only one"):
        F.softmax(x, axis=0, dim=1)


# -- float32 ------------------------------------------------------------------

FLOAT32_CALLS = {
    "sigmoid": lambda x: F.sigmoid(x),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x),
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": lambda x: F.silu(x),
    "mish": lambda x: F.mish(x),
    "softplus": lambda x: F.softplus(x, beta=2.0),
    "hardtanh": lambda x: F.hardtanh(x),
    "softmax": lambda x: F.softmax(x),
    "log_softmax": lambda x: F.log_softmax(x),
    "logsumexp": lambda x: F.logsumexp(x, axis=1),
    "dropout": lambda x: F.dropout(x, 0.5, True, rng=0),
    "mse_loss": lambda x: F.mse_loss(x, np.zeros((3, 4), np.float32)),
    "l1_loss": lambda x: F.l1_loss(x, np.zeros((3, 4), np.float32)),
    "bce": lambda x: F.binary_cross_entropy(F.sigmoid(x), np.ones((3, 4), np.float32)),
    "bce_logits": lambda x: F.binary_cross_entropy_with_logits(
        x, np.ones((3, 4), np.float32)
    ),
    "cross_entropy": lambda x: F.cross_entropy(x, np.array([0, 1, 3])),
    "cross_entropy_smoothed": lambda x: F.cross_entropy(
        x, np.array([0, 1, 3]), label_smoothing=0.1
    ),
    "nll_loss": lambda x: F.nll_loss(F.log_softmax(x), np.array([0, 1, 3])),
    "linear": lambda x: F.linear(x, mt.ones(2, 4, dtype=np.float32)),
}


@pytest.mark.parametrize("name", FLOAT32_CALLS)
def test_float32_input_gives_float32_value_and_gradient(name):
    x = _leaf(np.random.default_rng(2).standard_normal((3, 4)), dtype=np.float32)
    out = FLOAT32_CALLS[name](x)
    out.sum().backward()
    assert out.dtype == np.float32
    assert x.grad.dtype == np.float32


def test_mixing_float32_and_float64_promotes_as_numpy_does():
    x = _leaf([1.0, 2.0], dtype=np.float32)
    out = F.mse_loss(x, np.array([0.0, 0.0]))
    assert out.dtype == np.result_type(np.float32, np.float64)


# -- dropout ------------------------------------------------------------------


def test_dropout_zeros_about_p_of_the_elements_and_scales_the_rest():
    x = mt.ones(200, 100)
    out = F.dropout(x, p=0.3, training=True, rng=0).data
    zeros = np.mean(out == 0.0)
    assert abs(zeros - 0.3) < 0.02
    np.testing.assert_allclose(out[out != 0.0], 1.0 / 0.7, rtol=1e-15)
    assert abs(out.mean() - 1.0) < 0.03


def test_dropout_gradient_is_the_mask_times_the_scale():
    x = _leaf(np.arange(1.0, 13.0).reshape(3, 4))
    out = F.dropout(x, p=0.5, rng=3)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data / x.data)


@settings(max_examples=20, deadline=None)
@given(
    x=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-3, 3)
    ),
    p=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**16),
)
def test_dropout_passes_gradcheck_with_a_fixed_mask(x, p, seed):
    # An int seed makes a fresh generator per call, so every call draws the same mask.
    assert mt.gradcheck(lambda t: F.dropout(t, p, True, rng=seed), [_leaf(x)])


def test_dropout_is_the_identity_when_not_training_or_p_is_zero():
    x = mt.randn(3, 4, rng=4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0, training=True) is x


def test_dropout_with_p_one_zeros_everything():
    x = _leaf(np.ones((2, 3)))
    out = F.dropout(x, 1.0, rng=0)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, 0.0)
    np.testing.assert_array_equal(x.grad, 0.0)


def test_dropout_draws_from_the_given_rng_or_the_seeded_default():
    x = mt.ones(50)
    a = F.dropout(x, 0.5, rng=7).data
    b = F.dropout(x, 0.5, rng=np.random.default_rng(7)).data
    np.testing.assert_array_equal(a, b)
    mt.manual_seed(11)
    c = F.dropout(x, 0.5).data
    mt.manual_seed(11)
    d = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(F.dropout(x, 0.5).data, d)


def test_dropout_rejects_p_outside_zero_one():
    with pytest.raises(ValueError, match=r"dropout: p=1.5"):
        F.dropout(mt.ones(3), 1.5)


# -- cross_entropy and nll_loss details --------------------------------------


def test_cross_entropy_equals_nll_of_log_softmax():
    x = _leaf(np.random.default_rng(5).standard_normal((4, 3)))
    y = np.array([2, 0, 1, 1])
    a = F.cross_entropy(x, y)
    b = F.nll_loss(F.log_softmax(x, axis=1), y)
    assert a.item() == pytest.approx(b.item(), rel=1e-14)


def test_cross_entropy_ignores_targets_equal_to_ignore_index():
    x = _leaf(np.random.default_rng(6).standard_normal((3, 4)))
    full = F.cross_entropy(x, np.array([1, 2, 3]), reduction="none").data
    out = F.cross_entropy(x, np.array([1, -1, 3]), ignore_index=-1)
    out.backward()
    assert out.item() == pytest.approx((full[0] + full[2]) / 2, rel=1e-14)
    np.testing.assert_array_equal(x.grad[1], 0.0)


def test_cross_entropy_accepts_integer_tensor_targets():
    x = mt.randn(3, 4, rng=8)
    y = np.array([0, 3, 1])
    a = F.cross_entropy(x, mt.tensor(y, dtype=np.int64))
    assert a.item() == F.cross_entropy(x, y).item()


# -- misuse reads well --------------------------------------------------------


def test_float_class_indices_are_rejected_with_a_hint():
    x = mt.randn(4, 3, rng=0)
    with pytest.raises(DTypeError) as info:
        F.cross_entropy(x, mt.tensor([0, 1, 2, 1]))
    message = str(info.value)
    assert "cross_entropy" in message and "float64" in message
    assert "(4,)" in message and "(4, 3)" in message
    assert "integer" in message


def test_a_target_of_the_wrong_shape_names_both_shapes():
    x = mt.randn(4, 3, rng=0)
    with pytest.raises(
        ShapeError, match=r"cross_entropy: input.shape=\(4, 3\).*\(4,\)"
    ):
        F.cross_entropy(x, np.array([0, 1, 2]))
    with pytest.raises(ShapeError, match=r"nll_loss"):
        F.nll_loss(x, np.array([[0, 1, 2, 1]]))


def test_class_index_out_of_range_is_named():
    x = mt.randn(2, 3, rng=0)
    with pytest.raises(ValueError, match=r"cross_entropy: target holds class index 3"):
        F.cross_entropy(x, np.array([0, 3]))
    with pytest.raises(ValueError, match=r"class index -2"):
        F.cross_entropy(x, np.array([0, -2]))
    with pytest.raises(ValueError, match=r"nll_loss: target holds class index 5"):
        F.nll_loss(x, np.array([5, 0]))


@pytest.mark.parametrize(
    "loss",
    [
        F.mse_loss,
        F.l1_loss,
        F.binary_cross_entropy,
        F.binary_cross_entropy_with_logits,
    ],
    ids=lambda f: f.__name__,
)
def test_pointwise_losses_refuse_mismatched_shapes_instead_of_broadcasting(loss):
    x = mt.tensor(np.full((4, 1), 0.5))
    with pytest.raises(ShapeError) as info:
        loss(x, np.full(4, 0.5))
    message = str(info.value)
    assert loss.__name__ in message
    assert "(4, 1)" in message and "(4,)" in message


def test_unknown_reduction_lists_the_choices():
    with pytest.raises(ValueError, match=r"mse_loss: reduction='avg'.*'mean', 'sum'"):
        F.mse_loss(mt.ones(2), np.ones(2), reduction="avg")


def test_binary_cross_entropy_says_to_apply_sigmoid_first():
    with pytest.raises(ValueError, match=r"binary_cross_entropy: .*\[0, 1\].*sigmoid"):
        F.binary_cross_entropy(mt.tensor([0.5, 2.0]), np.array([1.0, 0.0]))


def test_softmax_axis_out_of_range_names_the_shape():
    with pytest.raises(ShapeError, match=r"softmax: axis=2 .*\(2, 3\)"):
        F.softmax(mt.ones(2, 3), axis=2)


def test_linear_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"linear: input.shape=\(5, 3\).*\(4, 2\)"):
        F.linear(mt.ones(5, 3), mt.ones(4, 2))


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate='fast'"):
        F.gelu(mt.ones(2), approximate="fast")


def test_functions_record_nothing_under_no_grad():
    x = _leaf([1.0, 2.0])
    with mt.no_grad():
        out = F.cross_entropy(F.linear(x, mt.ones(3, 2)), np.array(1))
    assert not out.requires_grad
    assert out.parents == ()
