"""Fixtures of the benchmark smoke tests.

``benchmarks/`` is a folder of the project, not part of the installed
package, so the project root is put on the import path here.
"""

import importlib
import os
import sys

import pytest

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture(scope="session")
def torch():
    """The torch module; a missing torch skips, or fails when CI requires it."""
    if os.environ.get("MICROTENSOR_REQUIRE_TORCH") == "1":
        return importlib.import_module("torch")
    return pytest.importorskip("torch")
