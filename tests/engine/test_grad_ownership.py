"""A ``.grad`` shares memory with nothing else, though the walk no longer copies.

The backward walk hands an array that a backward closure has just made to
``.grad`` as it is (copying it cost large layers a tenth of a step). These
tests pin down that this never lets two gradients, or a gradient and a saved
value, be one array: changing one in place must change nothing else.
"""

import numpy as np

import microtensor as mt
from microtensor import Function, nn


def test_the_two_inputs_of_add_get_separate_gradient_arrays():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([3.0, 4.0], requires_grad=True)

    (a + b).backward(np.array([1.0, 1.0]))
    a.grad *= 10.0

    assert not np.shares_memory(a.grad, b.grad)
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_a_gradient_passed_in_by_the_caller_is_copied():
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([0.5, 0.25])

    x.backward(seed)
    seed[0] = 99.0

    np.testing.assert_array_equal(x.grad, [0.5, 0.25])


def test_a_retained_gradient_and_the_leaves_below_it_are_separate():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.tensor([3.0, 4.0], requires_grad=True)
    y = (a * 2.0 + b).retain_grad()

    (y * 3.0).sum().backward()

    assert not np.shares_memory(y.grad, b.grad)
    y.grad[:] = 0.0
    np.testing.assert_array_equal(b.grad, [3.0, 3.0])
    np.testing.assert_array_equal(a.grad, [6.0, 6.0])


class _ReturnsSaved(Function):
    """y = x * c with a saved constant c, whose backward returns c itself."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(np.full(x.shape, 2.0))
        return x * 2.0

    @staticmethod
    def backward(ctx, grad_out):
        (slope,) = ctx.saved_tensors
        return slope


def test_a_function_whose_backward_returns_a_saved_array_gets_a_copy():
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)

    y = _ReturnsSaved.apply(x)
    y.backward(np.ones(3), retain_graph=True)
    x.grad *= 0.0
    y.backward(np.ones(3))

    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_a_linear_layer_keeps_its_gradients_in_its_own_dtype_and_arrays():
    layer = nn.Linear(3, 2, rng=0, dtype="float32")
    x = mt.tensor(np.ones((4, 3), dtype=np.float32))

    layer(x).sum().backward()

    assert layer.weight.grad.dtype == np.float32
    assert not np.shares_memory(layer.weight.grad, layer.bias.grad)
    np.testing.assert_allclose(layer.weight.grad, np.full((2, 3), 4.0))


def test_gradients_still_accumulate_across_backward_calls():
    w = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = mt.tensor([[1.0, 1.0]])

    (x @ w).sum().backward()
    first = w.grad
    (x @ w).sum().backward()

    np.testing.assert_array_equal(w.grad, [[2.0, 2.0], [2.0, 2.0]])
    np.testing.assert_array_equal(first, [[1.0, 1.0], [1.0, 1.0]])
