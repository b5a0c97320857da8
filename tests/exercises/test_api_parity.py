"""Stubs and reference expose the same API, and the stubs are honest stubs.

For every lesson file present in both ``exercises/`` and ``solutions/``: the same
public names, signatures and docstrings; every stub function and method raises
NotImplementedError naming itself; importing a stub always works; and no exercise
file imports ``solutions``. The fixture submissions used to test the grader must
expose the reference's API too, so that a fixture fails only for its bug.

Modules are loaded by file path, never by package name, as the grader's worker
loads a submission.
"""

import ast
import importlib.util
import inspect
import itertools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
FIXTURES = ROOT / "tests" / "fixtures" / "submissions"

_counter = itertools.count()


def _lesson_files(folder):
    """Return the lesson file names (``neuron.py``, ...) in ``folder``."""
    if not folder.is_dir():
        return set()
    return {p.name for p in folder.glob("*.py") if not p.name.startswith("_")}


LESSONS = sorted(_lesson_files(EXERCISES) & _lesson_files(SOLUTIONS))
FIXTURE_DIRS = sorted(p for p in FIXTURES.glob("*") if p.is_dir())
FIRST_LESSONS = {"neuron.py", "perceptron.py"}


def fixture_lessons(folder):
    """Return the lesson files of a fixture folder that the reference also has."""
    return {p.name for p in folder.glob("*.py") if (SOLUTIONS / p.name).is_file()}


def load(path):
    """Import the file at ``path`` under a fresh private module name."""
    name = f"_parity_{path.parent.name}_{path.stem}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def public_api(module):
    """Return {name: object} for what ``module`` itself defines publicly.

    Modules and functions or classes imported from elsewhere are left out, so a
    stub may import helpers that the reference does not need, and vice versa.
    """
    api = {}
    for name, obj in vars(module).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        defined_here = getattr(obj, "__module__", module.__name__) == module.__name__
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and not defined_here:
            continue
        api[name] = obj
    return api


def class_members(cls):
    """Return {name: function} for the public methods of ``cls``, with __init__."""
    members = {}
    for name, obj in vars(cls).items():
        if name.startswith("_") and name not in ("__init__", "__call__"):
            continue
        if inspect.isfunction(obj):
            members[name] = obj
    return members


def callables(api):
    """Yield (qualified name, function, owner class or None) for every callable."""
    for name, obj in sorted(api.items()):
        if inspect.isfunction(obj):
            yield name, obj, None
        elif inspect.isclass(obj):
            yield name, obj, None
            for member, func in sorted(class_members(obj).items()):
                yield f"{name}.{member}", func, obj


def callable_table(path):
    """Return {qualified name: function or class} for the file at ``path``."""
    return {q: f for q, f, _ in callables(public_api(load(path)))}


def describe(value):
    """Return a comparable outline of a module constant.

    Functions are outlined by name (a stub's ACTIVATIONS points at stub
    functions of the same names); containers recursively; plain values as is.
    """
    if inspect.isfunction(value) or inspect.isclass(value):
        return ("callable", value.__name__)
    if isinstance(value, dict):
        return {key: describe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [describe(item) for item in value])
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    return type(value).__name__


def signature_text(func):
    """Return the signature of ``func`` as text, for a readable comparison."""
    return str(inspect.signature(func))


def dummy_call(func, owner):
    """Call a stub with placeholder arguments; return the exception it raised."""
    params = inspect.signature(func).parameters.values()
    required = [
        p
        for p in params
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if owner is not None:
        required = required[1:]  # self
    args = [None] * len(required)
    try:
        if owner is None:
            func(*args)
        elif func.__name__ == "__init__":
            owner(*args)
        else:
            func(owner.__new__(owner), *args)
    except Exception as error:  # noqa: BLE001 (any exception is the result)
        return error
    return None


def imports_of(tree):
    """Yield (line, module name) for every import or dynamic import in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, node.module or "." * node.level
        elif isinstance(node, ast.Call):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value


# ---------------------------------------------------------------- stubs vs reference


def test_there_are_lessons_to_compare():
    assert "neuron.py" in LESSONS and "perceptron.py" in LESSONS, LESSONS


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_stub_module_imports(lesson):
    module = load(EXERCISES / lesson)
    assert public_api(module), f"exercises/{lesson} defines no public names"


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_and_reference_define_the_same_public_names(lesson):
    stub = public_api(load(EXERCISES / lesson))
    reference = public_api(load(SOLUTIONS / lesson))
    assert sorted(stub) == sorted(reference), (
        f"{lesson}: only in the stub: {sorted(set(stub) - set(reference))}, "
        f"only in the reference: {sorted(set(reference) - set(stub))}"
    )


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_and_reference_classes_have_the_same_methods(lesson):
    stub = public_api(load(EXERCISES / lesson))
    reference = public_api(load(SOLUTIONS / lesson))
    for name, obj in reference.items():
        if inspect.isclass(obj):
            assert sorted(class_members(stub[name])) == sorted(class_members(obj)), name


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_and_reference_signatures_match(lesson):
    stub = callable_table(EXERCISES / lesson)
    reference = callables(public_api(load(SOLUTIONS / lesson)))
    mismatches = [
        f"{qualname}: stub {signature_text(stub[qualname])} "
        f"!= reference {signature_text(func)}"
        for qualname, func, _ in reference
        if signature_text(stub[qualname]) != signature_text(func)
    ]
    assert not mismatches, f"{lesson}:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_and_reference_docstrings_match(lesson):
    stub = callable_table(EXERCISES / lesson)
    reference = list(callables(public_api(load(SOLUTIONS / lesson))))
    undocumented = [
        q
        for q, f, _ in reference
        if q.split(".")[-1] != "__init__" and not inspect.getdoc(f)
    ]
    differing = [q for q, f, _ in reference if stub[q].__doc__ != f.__doc__]
    assert not undocumented, f"{lesson}: no docstring on {undocumented}"
    assert not differing, f"{lesson}: docstrings differ for {differing}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_and_reference_constants_match(lesson):
    stub = public_api(load(EXERCISES / lesson))
    reference = public_api(load(SOLUTIONS / lesson))
    for name, value in reference.items():
        if not (inspect.isfunction(value) or inspect.isclass(value)):
            assert describe(stub[name]) == describe(value), name


@pytest.mark.parametrize("lesson", LESSONS)
def test_stub_constants_point_at_stub_functions(lesson):
    stub = load(EXERCISES / lesson)
    for name, value in public_api(stub).items():
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            for part in item if isinstance(item, tuple) else [item]:
                if inspect.isfunction(part):
                    assert part.__module__ == stub.__name__, (name, part.__qualname__)


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_stub_callable_raises_not_implemented_naming_itself(lesson):
    api = public_api(load(EXERCISES / lesson))
    problems = []
    for qualname, func, owner in callables(api):
        if inspect.isclass(func):
            continue  # a class is checked through its __init__
        if func.__name__ != qualname.rsplit(".", 1)[-1]:
            continue  # an alias such as __call__ = forward, checked under its name
        error = dummy_call(func, owner)
        own_name = owner.__name__ if func.__name__ == "__init__" else func.__name__
        if not isinstance(error, NotImplementedError):
            problems.append(f"{qualname} raised {error!r}, not NotImplementedError")
        elif own_name not in str(error):
            problems.append(f"{qualname}: message {str(error)!r} does not name it")
    assert not problems, f"{lesson}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", sorted(EXERCISES.glob("*.py")), ids=lambda p: p.name)
def test_exercises_never_import_solutions(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    offending = [
        f"line {line}: {name}"
        for line, name in imports_of(tree)
        if name == "solutions" or name.startswith("solutions.") or "solutions/" in name
    ]
    assert not offending, f"exercises/{path.name} imports the reference: {offending}"


def test_import_check_catches_an_import_of_solutions():
    sources = [
        "import solutions.neuron",
        "from solutions import neuron",
        "from solutions.neuron import sigmoid",
        "importlib.import_module('solutions.neuron')",
        "spec_from_file_location('x', 'solutions/neuron.py')",
    ]
    for source in sources:
        names = [name for _, name in imports_of(ast.parse(source))]
        assert any(n.startswith("solutions") or "solutions/" in n for n in names), (
            source
        )


# ---------------------------------------------------------------- fixture submissions


def test_fixture_submissions_exist():
    names = [p.name for p in FIXTURE_DIRS]
    assert "correct_alternative" in names, names
    assert len(names) >= 7, f"expected a correct fixture and six bugs, got {names}"


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_submission_is_complete(folder):
    assert (folder / "BUG.md").read_text().strip(), f"{folder.name}: empty BUG.md"
    lessons = fixture_lessons(folder)
    assert lessons, f"{folder.name} holds no lesson file"
    if lessons & FIRST_LESSONS:  # lessons 1 and 2 are graded together
        for lesson in sorted(FIRST_LESSONS):
            assert (folder / lesson).is_file(), f"{folder.name} has no {lesson}"


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_submission_has_the_reference_api(folder):
    for lesson in sorted(fixture_lessons(folder)):
        fixture = callable_table(folder / lesson)
        for qualname, func, _ in callables(public_api(load(SOLUTIONS / lesson))):
            assert qualname in fixture, f"{folder.name}/{lesson} lacks {qualname}"
            got, want = signature_text(fixture[qualname]), signature_text(func)
            assert got == want, f"{folder.name}/{lesson}: {qualname}{got} != {want}"


def _changed_files(folder):
    """Return the lesson files named on the ``Changed files:`` line of BUG.md."""
    for line in (folder / "BUG.md").read_text().splitlines():
        if line.lower().startswith("changed files:"):
            return {name.strip(" `") for name in line.split(":", 1)[1].split(",")}
    raise AssertionError(f"{folder.name}/BUG.md has no 'Changed files:' line")


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_submission_changes_only_the_files_it_names(folder):
    changed = _changed_files(folder)
    assert changed <= fixture_lessons(folder), changed
    for lesson in sorted(fixture_lessons(folder)):
        same = (folder / lesson).read_text() == (SOLUTIONS / lesson).read_text()
        if lesson in changed:
            assert not same, f"{folder.name}/{lesson} is an unchanged copy"
        else:
            assert same, f"{folder.name}/{lesson} should be a copy of the reference"
