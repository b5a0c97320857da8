"""Every function of microtensor.functional passes gradcheck on random inputs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from library_cases import CASES, Arg, case_id, convert

import microtensor as mt


@pytest.mark.parametrize("case", CASES, ids=case_id)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_function_passes_gradcheck(case, data):
    args, kwargs = case.draw(data, smooth=True)
    values = convert(
        args,
        lambda a: mt.tensor(a.value, requires_grad=a.requires_grad),
        lambda i: i.value,
    )
    positions = [i for i, a in enumerate(args) if isinstance(a, Arg)]

    def fn(*inputs):
        call = list(values)
        for position, value in zip(positions, inputs, strict=True):
            call[position] = value
        return case.ours(*call, **kwargs)

    inputs = [values[i] for i in positions]
    assert mt.gradcheck(fn, inputs, atol=1e-6, rtol=1e-4)
