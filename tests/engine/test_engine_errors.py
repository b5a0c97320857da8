"""Every user error names the op and the shapes or values, at forward time."""

import re

import numpy as np
import pytest

import microtensor as mt


def leaf(shape_or_values, **kwargs):
    if isinstance(shape_or_values, tuple):
        return mt.tensor(np.ones(shape_or_values), requires_grad=True, **kwargs)
    return mt.tensor(shape_or_values, requires_grad=True, **kwargs)


def test_the_error_family_subclasses_the_builtin_exceptions():
    assert issubclass(mt.ShapeError, ValueError)
    assert issubclass(mt.DTypeError, TypeError)
    assert issubclass(mt.GraphError, RuntimeError)
    assert issubclass(mt.GradcheckError, AssertionError)
    assert issubclass(mt.AnomalyError, FloatingPointError)
    for error in (mt.ShapeError, mt.DTypeError, mt.GraphError, mt.GradcheckError):
        assert issubclass(error, mt.MicrotensorError)


def test_matmul_names_the_inner_sizes_that_differ():
    with pytest.raises(mt.ShapeError) as info:
        leaf((2, 5)) @ leaf((3, 7))

    assert str(info.value) == (
        "matmul: inner dimensions differ, a.shape=(2, 5) b.shape=(3, 7) (5 != 3)"
    )


def test_matmul_of_a_vector_and_a_matrix_names_the_inner_sizes():
    with pytest.raises(
        mt.ShapeError, match=r"a.shape=\(4,\) b.shape=\(3, 2\) \(4 != 3\)"
    ):
        leaf((4,)) @ leaf((3, 2))


def test_matmul_names_batch_shapes_that_do_not_broadcast():
    with pytest.raises(mt.ShapeError, match=r"matmul: batch.*\(2, 3, 4\).*\(5, 4, 1\)"):
        leaf((2, 3, 4)) @ leaf((5, 4, 1))


def test_matmul_refuses_a_0d_operand():
    with pytest.raises(mt.ShapeError, match="matmul: both operands need"):
        leaf(2.0) @ leaf((2,))


@pytest.mark.parametrize(
    "op, call",
    [
        ("add", lambda a, b: a + b),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("maximum", mt.maximum),
        ("minimum", mt.minimum),
        ("lt", lambda a, b: a < b),
    ],
)
def test_elementwise_shape_mismatch_is_caught_at_forward_time(op, call):
    with pytest.raises(mt.ShapeError) as info:
        call(leaf((2, 3)), leaf((4,)))

    assert str(info.value) == (
        f"{op}: shapes cannot be broadcast together, a.shape=(2, 3) b.shape=(4,)"
    )


def test_a_constant_array_of_the_wrong_shape_is_named_too():
    with pytest.raises(mt.ShapeError, match=r"add: .*a.shape=\(2, 3\) b.shape=\(2,\)"):
        leaf((2, 3)) + np.ones(2)


def test_where_names_all_three_shapes():
    with pytest.raises(mt.ShapeError, match=r"where: .*\(2,\).*\(3,\).*\(4,\)"):
        mt.where(np.array([True, False]), leaf((3,)), leaf((4,)))


def test_where_wants_a_boolean_condition():
    with pytest.raises(mt.DTypeError, match="where: the condition must be boolean"):
        mt.where(leaf((2,)), leaf((2,)), 0.0)


def test_backward_on_a_non_scalar_says_to_reduce_or_pass_grad():
    y = leaf((2, 3)) * 2

    with pytest.raises(mt.GraphError) as info:
        y.backward()

    message = str(info.value)
    assert "(2, 3)" in message
    assert "call .sum() first" in message
    assert "pass grad" in message


def test_backward_with_a_grad_of_the_wrong_shape_names_both_shapes():
    y = leaf((2, 3)) * 2

    with pytest.raises(mt.ShapeError, match=r"grad has shape \(3, 2\).*shape \(2, 3\)"):
        y.backward(np.ones((3, 2)))


def test_backward_on_a_tensor_that_needs_no_grad_says_why():
    with pytest.raises(mt.GraphError, match="does not require grad"):
        (mt.tensor([1.0]) * 2).sum().backward()


def test_backward_through_a_released_graph_says_to_retain_it():
    y = (leaf((2,)) * 3).sum()
    y.backward()

    with pytest.raises(mt.GraphError, match=r"'sum'.*released.*retain_graph=True"):
        y.backward()


def test_reshape_names_both_shapes_and_the_size():
    with pytest.raises(
        mt.ShapeError, match=re.escape("a.shape=(2, 3) (6 elements) into (4,)")
    ):
        leaf((2, 3)).reshape(4)


@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min"])
def test_a_reduction_axis_out_of_range_is_named(reduction):
    with pytest.raises(
        mt.ShapeError, match=f"{reduction}: axis 2 is out of range.*2 dim"
    ):
        getattr(leaf((2, 3)), reduction)(axis=2)


def test_a_repeated_reduction_axis_is_refused():
    with pytest.raises(mt.ShapeError, match="sum: repeated axis"):
        leaf((2, 3)).sum(axis=(0, -2))


def test_max_of_an_empty_tensor_is_refused():
    with pytest.raises(
        mt.ShapeError, match=r"max: cannot reduce an empty tensor of shape \(0,\)"
    ):
        leaf(np.zeros(0)).max()


def test_transpose_with_bad_axes_names_them():
    with pytest.raises(mt.ShapeError, match=r"transpose: axes \(0, 0\)"):
        leaf((2, 3)).transpose(0, 0)


def test_concatenate_names_every_shape():
    with pytest.raises(
        mt.ShapeError, match=r"concatenate: .*\(2, 3\), \(2, 4\).*axis 0"
    ):
        mt.concatenate([leaf((2, 3)), leaf((2, 4))], axis=0)


def test_stack_names_every_shape():
    with pytest.raises(mt.ShapeError, match=r"stack: .*\(2, 3\), \(3, 2\)"):
        mt.stack([leaf((2, 3)), leaf((3, 2))])


def test_squeeze_of_an_axis_that_is_not_one_is_named():
    with pytest.raises(mt.ShapeError, match=r"squeeze: axis 1 has size 3"):
        leaf((2, 3)).squeeze(1)


def test_a_float_index_must_hold_whole_numbers():
    x = leaf((4,))

    with pytest.raises(mt.DTypeError, match="getitem: a float index must hold whole"):
        x[mt.tensor([0.5, 1.0])]


def test_an_out_of_range_index_is_an_index_error_naming_the_shape():
    with pytest.raises(IndexError, match=r"a.shape=\(4,\)"):
        leaf((4,))[7]


def test_an_unsupported_operand_type_is_named():
    with pytest.raises(
        mt.DTypeError, match="mul: cannot combine a tensor with a value of type str"
    ):
        leaf((2,)) * "3"


def test_text_data_cannot_become_a_tensor():
    with pytest.raises(
        mt.DTypeError, match="tensor: cannot make a tensor from data of dtype"
    ):
        mt.tensor(["a", "b"])


def test_complex_data_cannot_become_a_tensor():
    with pytest.raises(mt.DTypeError, match="dtype complex128"):
        mt.tensor([1 + 2j])


def test_an_integer_tensor_cannot_require_grad():
    with pytest.raises(
        mt.DTypeError, match="only floating point tensors can require grad"
    ):
        mt.tensor([1, 2], dtype=np.int64, requires_grad=True)


def test_item_of_several_elements_names_the_shape():
    with pytest.raises(mt.ShapeError, match=r"item: .*shape \(2,\)"):
        leaf((2,)).item()


def test_truth_value_of_several_elements_is_ambiguous():
    with pytest.raises(mt.ShapeError, match=r"ambiguous"):
        bool(leaf((2,)))


def test_in_place_assignment_suggests_the_functional_form():
    x = leaf((3,))

    with pytest.raises(mt.GraphError, match="in-place.*where"):
        x[0] = 5.0


def test_a_wrong_gradient_shape_from_a_custom_function_names_the_op():
    class Broken(mt.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_out):
            return np.ones(7)

    y = Broken.apply(leaf((2, 3))).sum()

    with pytest.raises(
        mt.ShapeError,
        match=r"Broken: backward returned a gradient of shape \(7,\) "
        r"for an input of shape \(2, 3\)",
    ):
        y.backward()


def test_a_wrong_number_of_gradients_from_a_custom_function_is_named():
    class TwoGrads(mt.Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out, grad_out

    with pytest.raises(
        mt.GraphError,
        match="TwoGrads.backward returned 2 gradients for 1 tensor inputs",
    ):
        TwoGrads.apply(leaf((2,))).sum().backward()


def test_an_rng_of_the_wrong_kind_is_named():
    with pytest.raises(mt.DTypeError, match="rng: expected None, an int seed"):
        mt.randn(2, rng="seed")
