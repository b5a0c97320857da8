"""``microtensor release OUT_DIR``: the kit students download.

The kit holds the ``microtensor`` package (engine and grader) with the graded
suite minus every test marked ``visibility="hidden"``, the stubs in
``exercises/``, a ``pyproject.toml`` whose pytest configuration grades
``exercises/`` (plain ``pytest`` runs the graded suite with ``--submission
exercises``), and a short README. It never holds ``solutions/`` or the kit's
own ``tests/``.

Before anything is written to OUT_DIR the kit is built beside it and
checked: the suite it ships imports and has no hidden test left, and no line
of the reference solutions appears in it (`leaks`). A failed check leaves
OUT_DIR untouched and says which lines of which files leaked.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from microtensor.instructor import files, leaks

SUITE = os.path.join("microtensor", "grading", "suite")
PYTEST_SECTION = "[tool.pytest.ini_options]"
KIT_PYTEST = """[tool.pytest.ini_options]
# Plain `pytest` grades exercises/ with the graded suite: the microtensor
# plugin collects the suite whenever --submission is given.
addopts = "--submission exercises -p no:cacheprovider"
"""
KIT_README = """# microtensor: the exercise kit

Your work goes in `exercises/`, one file per lesson. Install the kit once:

```bash
pip install -e .
```

Then grade your work, all lessons or one:

```bash
microtensor grade
microtensor grade --lesson neuron
pytest                      # the same graded tests, as a pytest run
```

Each failed test says what property does not hold, the smallest input that
shows it, and what was expected against what your code gave. The tests you
see here are the graded tests; your instructor may grade a few more.
"""


class LeakError(files.InstructorError):
    """Lines of the reference solutions were found in the release."""


# ------------------------------------------------------------------ hidden tests


def strip_hidden(source: str) -> tuple[str, list[str]]:
    """``source`` without the top-level graded tests marked hidden; and their names.

    A hidden test is a function decorated with ``graded(..., visibility="hidden")``
    (or "hidden" as the third positional argument), or an assignment whose value
    is ``graded(..., visibility="hidden")(...)``. The function, its decorators
    and the assignment are removed whole.
    """
    tree = ast.parse(source)
    spans, names = [], []
    for node in tree.body:
        if _is_hidden_test(node):
            starts = [d.lineno for d in getattr(node, "decorator_list", [])]
            spans.append((min(starts + [node.lineno]), node.end_lineno))
            names.append(_node_name(node))
    lines = source.splitlines(keepends=True)
    for start, end in reversed(spans):
        del lines[start - 1 : end]
    return "".join(lines), names


def _is_hidden_test(node) -> bool:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return any(_hidden_graded(d) for d in node.decorator_list)
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(
        node.value, ast.Call
    ):
        return _hidden_graded(node.value.func)
    return False


def _hidden_graded(node) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    if name != "graded":
        return False
    values = [k.value for k in node.keywords if k.arg == "visibility"]
    if len(node.args) >= 3:
        values.append(node.args[2])
    return any(isinstance(v, ast.Constant) and v.value == "hidden" for v in values)


def _node_name(node) -> str:
    if isinstance(node, ast.Assign):
        return ", ".join(getattr(t, "id", "?") for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return getattr(node.target, "id", "?")
    return node.name


# ------------------------------------------------------------------ building


def build_kit(source: str, kit: str) -> list[str]:
    """Write the kit of the checkout ``source`` into the new folder ``kit``."""
    files.copy_tree(
        os.path.join(source, "microtensor"), os.path.join(kit, "microtensor")
    )
    files.copy_tree(os.path.join(source, "exercises"), os.path.join(kit, "exercises"))
    notes = _strip_suite(os.path.join(kit, SUITE))
    files.write_text(
        os.path.join(kit, "pyproject.toml"),
        kit_pyproject(os.path.join(source, "pyproject.toml")),
    )
    files.write_text(os.path.join(kit, "README.md"), KIT_README)
    for name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
        if os.path.isfile(os.path.join(source, name)):
            shutil.copy(os.path.join(source, name), os.path.join(kit, name))
    return notes


def _strip_suite(suite: str) -> list[str]:
    notes = []
    for name in sorted(os.listdir(suite)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        path = os.path.join(suite, name)
        with open(path, encoding="utf-8") as f:
            text, removed = strip_hidden(f.read())
        if removed:
            files.write_text(path, text)
            notes.append(f"{name}: left out the hidden tests {', '.join(removed)}")
    return notes


def kit_pyproject(path: str) -> str:
    """The checkout's pyproject.toml with a pytest section that grades exercises/."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(
        r"^\[tool\.pytest\.ini_options\]\n(?:(?!\[).*\n?)*", re.MULTILINE
    )
    if pattern.search(text):
        return pattern.sub(KIT_PYTEST + "\n", text, count=1).rstrip() + "\n"
    return text.rstrip() + "\n\n" + KIT_PYTEST


# ------------------------------------------------------------------ checking


SUITE_LISTING = r"""
import json, sys
from microtensor.grading import registry
tests = registry.all_tests()
print(json.dumps([[t.lesson, t.name, t.visibility] for t in tests]))
"""


def listed_tests(package_parent: str) -> list:
    """[lesson, name, visibility] of each graded test in ``package_parent``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONPATH=package_parent, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-c", SUITE_LISTING],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise files.InstructorError(
            f"the graded suite in {package_parent} does not import:\n"
            + done.stderr[-2000:]
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_kit(source: str, kit: str) -> list[str]:
    """Raise when the kit keeps a hidden test or leaks a solution line; return notes."""
    shipped = listed_tests(kit)
    hidden = [name for _, name, visibility in shipped if visibility == "hidden"]
    if hidden:
        raise files.InstructorError(
            "the release still holds hidden tests (mark them with a literal "
            f'visibility="hidden" in @graded): {", ".join(hidden)}'
        )
    expected = [t for t in listed_tests(source) if t[2] != "hidden"]
    if sorted(map(tuple, shipped)) != sorted(map(tuple, expected)):
        raise files.InstructorError(
            "the release's suite differs from the visible suite "
            "of the checkout; nothing was written"
        )
    secrets = leaks.secret_lines(
        os.path.join(source, "solutions"), os.path.join(source, "exercises")
    )
    found, shared = leaks.leaks(leaks.scan(kit, secrets))
    if found:
        raise LeakError(
            "lines of the reference solutions are in the release; nothing "
            "was written:\n" + "\n".join(f"  {f}" for f in found)
        )
    return (
        [
            f"{len(shared)} single lines of the engine and the suite's trusted "
            "references also occur in the solutions (shared formulas; see "
            "microtensor.instructor.leaks)"
        ]
        if shared
        else []
    )


# ------------------------------------------------------------------ the command


def release(out_dir: str, source: str | None = None, force: bool = False) -> list[str]:
    """Build, check and write the kit into ``out_dir``; return notes."""
    root = files.source_root(source)
    out_dir = os.path.abspath(out_dir)
    if out_dir == root or out_dir.startswith(root + os.sep + "microtensor"):
        raise files.InstructorError(
            f"{out_dir} is inside the checkout; choose a folder outside it"
        )
    files.check_writable(out_dir, force)
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".release-", dir=parent)
    kit = os.path.join(staging, "kit")
    try:
        notes = build_kit(root, kit)
        notes += check_kit(root, kit)
        files.remove(out_dir)
        os.replace(kit, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return notes


def add_arguments(parser) -> None:
    parser.add_argument("out_dir", metavar="OUT_DIR", help="where to write the kit")
    parser.add_argument(
        "--source",
        metavar="DIR",
        help="the checkout to release (default: the one this microtensor comes from)",
    )
    parser.add_argument(
        "--force", action="store_true", help="replace OUT_DIR when it exists"
    )


def run(args) -> int:
    from microtensor.cli import EXIT_CANNOT_GRADE, say

    try:
        notes = release(args.out_dir, args.source, args.force)
    except files.InstructorError as exc:
        say(f"microtensor release: FAILED: {exc}", sys.stderr)
        return EXIT_CANNOT_GRADE
    for note in notes:
        say(f"note: {note}")
    say(f"student kit written to {os.path.abspath(args.out_dir)}")
    return 0
