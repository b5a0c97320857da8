"""Every primitive in the op table: value against NumPy, gradient by gradcheck."""

import numpy as np
import pytest
from engine_cases import CASES, GRADCHECK_CASES, OpCase
from hypothesis import given
from hypothesis import strategies as st

import microtensor as mt


def _draw(case: OpCase, data, requires_grad):
    arrays, params = data.draw(case.inputs, label="inputs")
    tensors = [mt.tensor(a, requires_grad=requires_grad) for a in arrays]
    return arrays, params, tensors


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_value_matches_the_numpy_reference(case, data):
    arrays, params, tensors = _draw(case, data, requires_grad=False)

    out = case.call(params, *tensors)

    expected = np.asarray(case.reference(params, *arrays))
    assert out.shape == expected.shape
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("case", GRADCHECK_CASES, ids=repr)
@given(data=st.data())
def test_gradient_matches_central_differences(case, data):
    arrays, params, tensors = _draw(case, data, requires_grad=True)

    assert mt.gradcheck(lambda *inputs: case.call(params, *inputs), tensors)
