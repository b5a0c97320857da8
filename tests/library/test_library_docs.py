"""The examples in the library's docstrings run, the training loop included."""

import doctest

import pytest

import microtensor.functional
import microtensor.nn
import microtensor.nn.container
import microtensor.nn.module
import microtensor.optim
import microtensor.viz

MODULES = [
    microtensor.functional,
    microtensor.nn,
    microtensor.nn.container,
    microtensor.nn.module,
    microtensor.optim,
    microtensor.viz,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_the_training_loop_example_is_ten_lines_or_so_and_learns_xor():
    text = microtensor.nn.__doc__
    loop = [line for line in text.splitlines() if line.startswith((">>>", "..."))]
    assert 8 <= len(loop) <= 16
    assert (
        "optim.Adam" in text and "F.cross_entropy" in text and "nn.Sequential" in text
    )
    assert "array([0, 1, 1, 0])" in text
