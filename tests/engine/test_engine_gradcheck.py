"""gradcheck passes right gradients, and explains wrong ones summary first."""

import re

import numpy as np
import pytest

import microtensor as mt


def leaf(values, **kwargs):
    return mt.tensor(values, requires_grad=True, **kwargs)


def with_wrong_gradient(where, by=1.0):
    """An identity op whose gradient is off by ``by`` at one element."""

    class OffByOne(mt.Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad_out):
            grad = np.array(grad_out, dtype=np.float64)
            grad[where] += by
            return grad

    return OffByOne.apply


def test_a_correct_gradient_passes():
    x = leaf(np.random.default_rng(0).standard_normal((3, 4)))

    assert mt.gradcheck(lambda t: (t.tanh() * t).sum(axis=1), [x]) is True


def test_a_wrong_gradient_is_reported_summary_first():
    x = leaf(np.arange(6.0).reshape(2, 3))
    broken = with_wrong_gradient((1, 2))

    with pytest.raises(mt.GradcheckError) as info:
        mt.gradcheck(lambda t: broken(t).sum(), [x])

    message = str(info.value)
    assert message.startswith("gradcheck failed for ")
    assert "input 0 (shape (2, 3))" in message
    assert "1 of 6 elements outside tolerance" in message
    assert "worst at index (1, 2)" in message
    assert "analytic=2 numeric=1" in message
    assert re.search(r"abs_err=1 rel_err=1\b", message)
    assert "(atol=1e-05, rtol=0.001)" in message


def test_the_report_names_the_input_that_is_wrong():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    broken = with_wrong_gradient(0, by=0.5)

    with pytest.raises(
        mt.GradcheckError, match=r"input 1 \(shape \(2,\)\).*index \(0,\)"
    ):
        mt.gradcheck(lambda x, y: (x * broken(y)).sum(), [a, b])


def test_raise_exception_false_returns_false():
    x = leaf([1.0, 2.0])
    broken = with_wrong_gradient(1)

    assert mt.gradcheck(lambda t: broken(t).sum(), [x], raise_exception=False) is False


def test_every_element_of_a_non_scalar_output_is_checked():
    x = leaf(np.ones((3, 3)))
    broken = with_wrong_gradient((2, 1), by=1e-2)

    with pytest.raises(mt.GradcheckError, match=r"index \(2, 1\)"):
        mt.gradcheck(broken, [x])


def test_the_tolerances_are_used():
    x = leaf([1.0, 2.0])
    broken = with_wrong_gradient(0, by=2e-3)

    assert not mt.gradcheck(lambda t: broken(t).sum(), [x], raise_exception=False)
    assert mt.gradcheck(lambda t: broken(t).sum(), [x], atol=1e-2)


def test_float32_inputs_warn_that_the_check_needs_float64():
    x = leaf([1.0, 2.0], dtype="float32")

    with pytest.warns(UserWarning, match="float64"):
        assert mt.gradcheck(lambda t: (t * t).sum(), [x])


def test_inputs_are_left_untouched():
    x = leaf([1.0, 2.0])
    x.grad = np.array([10.0, 20.0])
    before = x.data.copy()

    mt.gradcheck(lambda t: (t**3).sum(), [x])

    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(x.grad, [10.0, 20.0])


def test_non_tensor_arguments_pass_through():
    x = leaf([1.0, 2.0])

    assert mt.gradcheck(lambda t, k: (t * k).sum(), [x, 3.0])


def test_only_inputs_that_require_grad_are_checked():
    x = leaf([1.0, 2.0])
    frozen = mt.tensor([5.0, 6.0])
    broken = with_wrong_gradient(0)

    assert mt.gradcheck(lambda a, b: (a * broken(b)).sum(), [x, frozen])


def test_a_single_tensor_may_be_given_instead_of_a_list():
    assert mt.gradcheck(lambda t: t.exp(), leaf([0.5, 1.5]))


def test_numerical_grad_of_a_cubic_is_three_x_squared():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])

    grad = mt.numerical_grad(lambda a: np.sum(a**3), x)

    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)


def test_numerical_grad_does_not_change_its_input():
    x = np.array([1.0, 2.0])

    mt.numerical_grad(lambda a: float(a @ a), x)

    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_numerical_grad_wants_a_scalar_function():
    with pytest.raises(
        mt.ShapeError, match=r"f must return one number, got shape \(2,\)"
    ):
        mt.numerical_grad(lambda a: a * 2, np.array([1.0, 2.0]))


def test_fn_must_return_a_tensor():
    with pytest.raises(mt.DTypeError, match="must return a Tensor, got ndarray"):
        mt.gradcheck(lambda t: t.data * 2, [leaf([1.0])])


def test_inputs_that_need_no_grad_are_passed_as_they_are():
    x = leaf([1.0, 2.0, 3.0])
    picks = mt.tensor([2, 0], dtype=np.int64)

    assert mt.gradcheck(lambda t, i: t[i] * 2, [x, picks])
