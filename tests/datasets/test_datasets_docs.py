"""The examples in the data modules' docstrings run as written."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "microtensor.datasets.letters",
        "microtensor.datasets.real",
        "microtensor.datasets.synthetic",
    ],
)
def test_the_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
