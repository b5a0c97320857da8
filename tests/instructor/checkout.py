"""Throw-away copies of the repository, and the instructor commands run on them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(REPO, "tests", "fixtures")

#: two hidden tests appended to the perceptron suite of a copy: a decorated
#: function and an assignment, the two shapes the suites use
HIDDEN_TESTS = '''

@graded(points=1, title="a hidden check the kit never ships", visibility="hidden")
def test_hidden_weights(perceptron):
    """Perceptron(3) has three weights (a hidden test)."""
    model = perceptron.new("Perceptron", 3)
    array_value(perceptron.get(model, "w"), "Perceptron.w", shape=(3,))


def _hidden_bias_test():
    def check(perceptron):
        model = perceptron.new("Perceptron", 2)
        scalar_value(perceptron.get(model, "b"), "Perceptron.b")

    check.__doc__ = "Perceptron(2) has a scalar bias (a hidden test)."
    return check


test_hidden_bias = graded(1, "another hidden check", "hidden")(_hidden_bias_test())
'''


def make_checkout(root: str, hidden: bool = False) -> str:
    """Copy the package, stubs, solutions and pyproject.toml under ``root``."""
    os.makedirs(root, exist_ok=True)
    os.chmod(os.path.dirname(root), 0o755)  # the worker may run as nobody
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("microtensor", "exercises", "solutions"):
        shutil.copytree(
            os.path.join(REPO, name), os.path.join(root, name), ignore=ignore
        )
    shutil.copy(os.path.join(REPO, "pyproject.toml"), root)
    if hidden:
        suite = os.path.join(
            root, "microtensor", "grading", "suite", "test_perceptron.py"
        )
        with open(suite, "a", encoding="utf-8") as f:
            f.write(HIDDEN_TESTS)
    return root


def environment(package_parent: str | None = None, **extra) -> dict:
    """os.environ without PYTHON* variables; microtensor from ``package_parent``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if package_parent:
        env["PYTHONPATH"] = package_parent
    env.update(extra)
    return env


def microtensor(
    *args, cwd: str, package_parent: str | None = None, timeout=600, **extra
) -> subprocess.CompletedProcess:
    """Run ``python -m microtensor ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "microtensor", *args],
        cwd=cwd,
        env=environment(package_parent, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
