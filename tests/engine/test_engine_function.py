"""The custom-op API and anomaly detection."""

import numpy as np
import pytest

import microtensor as mt


def leaf(values, **kwargs):
    return mt.tensor(values, requires_grad=True, **kwargs)


class Cube(mt.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 3 * x**2


class ScaledProduct(mt.Function):
    """``a * b * scale``: two tensor inputs and a non-tensor argument."""

    @staticmethod
    def forward(ctx, a, b, scale, offset=0.0):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        ctx.flags = ctx.needs_input_grad
        return a * b * scale + offset

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        grad_a = grad_out * b * ctx.scale if ctx.needs_input_grad[0] else None
        grad_b = grad_out * a * ctx.scale if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def test_a_hand_written_op_computes_its_value_and_gradient():
    x = leaf([1.0, -2.0])

    y = Cube.apply(x)
    y.sum().backward()

    np.testing.assert_array_equal(y.data, [1.0, -8.0])
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])
    assert y.op == "Cube"


def test_a_hand_written_op_passes_gradcheck_with_broadcasting():
    rng = np.random.default_rng(1)
    a, b = leaf(rng.standard_normal((3, 1))), leaf(rng.standard_normal((1, 4)))

    assert mt.gradcheck(lambda x, y: ScaledProduct.apply(x, y, 2.5), [a, b])
    assert mt.gradcheck(Cube.apply, [a])


def test_non_tensor_arguments_and_keywords_reach_forward():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])

    y = ScaledProduct.apply(a, b, 2.0, offset=1.0)

    np.testing.assert_array_equal(y.data, [7.0, 17.0])


def test_needs_input_grad_has_one_flag_per_tensor_input():
    a, b = leaf([1.0]), mt.tensor([2.0])

    ctx_flags = []

    class Probe(ScaledProduct):
        @staticmethod
        def forward(ctx, a, b, scale):
            ctx_flags.append(ctx.needs_input_grad)
            return ScaledProduct.forward(ctx, a, b, scale)

    Probe.apply(a, b, 1.0).sum().backward()

    assert ctx_flags == [(True, False)]
    assert b.grad is None
    np.testing.assert_array_equal(a.grad, [2.0])


def test_one_gradient_per_positional_argument_is_accepted_too():
    class TorchStyle(mt.Function):
        @staticmethod
        def forward(ctx, x, power):
            ctx.save_for_backward(x)
            ctx.power = power
            return x**power

        @staticmethod
        def backward(ctx, grad_out):
            (x,) = ctx.saved_tensors
            return grad_out * ctx.power * x ** (ctx.power - 1), None

    x = leaf([2.0])

    TorchStyle.apply(x, 3).sum().backward()

    np.testing.assert_array_equal(x.grad, [12.0])


def test_a_function_under_no_grad_records_nothing():
    with mt.no_grad():
        y = Cube.apply(leaf([1.0]))

    assert not y.requires_grad


def test_a_function_of_constants_only_records_nothing():
    y = Cube.apply(mt.tensor([2.0]))

    assert not y.requires_grad
    np.testing.assert_array_equal(y.data, [8.0])


# ----------------------------------------------------------------------
# detect_anomaly


def test_anomaly_mode_names_the_op_whose_forward_made_an_inf():
    x = leaf([0.0, 1.0])

    with mt.detect_anomaly(), pytest.raises(
        mt.AnomalyError, match=r"log: forward produced inf or NaN .*shape \(2,\)"
    ), np.errstate(divide="ignore"):
        x.log()


def test_anomaly_mode_names_the_op_whose_backward_made_an_inf():
    x = leaf([0.0, 4.0])

    with mt.detect_anomaly():
        y = (x.sqrt() * 2).sum()
        with pytest.raises(
            mt.AnomalyError,
            match=r"sqrt: backward produced inf or NaN .*input 0 \(shape \(2,\)\)",
        ), np.errstate(divide="ignore"):
            y.backward()


def test_anomaly_mode_checks_custom_functions():
    class MakesNaN(mt.Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out * np.nan

    x = leaf([1.0])

    with mt.detect_anomaly():
        y = MakesNaN.apply(x).sum()
        with pytest.raises(mt.AnomalyError, match="MakesNaN: backward"):
            y.backward()


def test_anomaly_mode_blames_the_op_that_made_the_value_not_its_consumers():
    x = leaf([np.inf, 1.0])

    with mt.detect_anomaly():
        y = (x * 2 + 1).sum()

    assert y.item() == np.inf


def test_anomaly_mode_is_off_outside_the_block_and_works_as_a_decorator():
    @mt.detect_anomaly()
    def log_of(t):
        return t.log()

    x = leaf([0.0])

    with pytest.raises(mt.AnomalyError), np.errstate(divide="ignore"):
        log_of(x)
    with np.errstate(divide="ignore"):
        assert x.log().item() == -np.inf


def test_anomaly_mode_lets_finite_computations_through():
    x = leaf([1.0, 2.0])

    with mt.detect_anomaly():
        (x.exp() @ x).backward()

    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]) * [2.0, 3.0])


def test_gradients_a_function_returns_are_not_shared_with_it_or_between_inputs():
    kept = np.ones(2)

    class SameArrayTwice(mt.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad_out):
            return kept, kept

    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])

    SameArrayTwice.apply(a, b).sum().backward()
    a.grad[0] = 50.0

    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(kept, [1.0, 1.0])
