"""The rules between the parts (docs/ and shared architecture notes) hold in the code."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "microtensor")
TOOLS = ("grading", "cli.py", "__main__.py", "demos", "instructor")


def python_files(folder):
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(root, name)


def imported_modules(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def relative(path):
    return os.path.relpath(path, PACKAGE)


@pytest.mark.parametrize("path", sorted(python_files(PACKAGE)), ids=relative)
def test_the_package_never_imports_exercises_solutions_or_tests(path):
    bad = [m for m in imported_modules(path)
           if m.split(".")[0] in ("exercises", "solutions", "tests")]
    assert bad == []


@pytest.mark.parametrize(
    "path",
    sorted(p for p in python_files(PACKAGE) if not relative(p).startswith(TOOLS)),
    ids=relative,
)
def test_the_engine_never_imports_the_grader_or_the_tools(path):
    bad = [m for m in imported_modules(path)
           if m.startswith(("microtensor.grading", "microtensor.cli",
                            "microtensor.instructor", "microtensor.demos"))]
    assert bad == []


@pytest.mark.parametrize("path", sorted(python_files(os.path.join(PACKAGE, "grading"))),
                         ids=relative)
def test_nothing_crosses_the_process_boundary_as_pickle_or_evaluated_text(path):
    modules = set(imported_modules(path))
    assert not modules & {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle"}
    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not calls & {"eval", "exec"}


def test_only_the_worker_loads_a_submission_module():
    loaders = []
    for path in python_files(os.path.join(PACKAGE, "grading")):
        text = open(path, encoding="utf-8").read()
        if "spec_from_file_location" in text or "exec_module" in text:
            loaders.append(relative(path))
    assert loaders == [os.path.join("grading", "worker.py")]


@pytest.mark.parametrize("folder", ["exercises"])
def test_the_exercises_never_import_the_solutions(folder):
    for path in python_files(os.path.join(ROOT, folder)):
        assert not [m for m in imported_modules(path) if m.split(".")[0] == "solutions"]
