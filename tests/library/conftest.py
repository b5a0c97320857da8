"""Fixtures of the library tests: PyTorch, required in CI."""

import importlib
import os

import pytest


@pytest.fixture(scope="session")
def torch():
    """The torch module; a missing torch skips, or fails when CI requires it."""
    if os.environ.get("MICROTENSOR_REQUIRE_TORCH") == "1":
        return importlib.import_module("torch")
    return pytest.importorskip("torch")
