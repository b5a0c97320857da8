"""A throw-away copy of the repository in which a hostile submission is graded.

The arena holds a copy of the ``microtensor`` package (so the graded suite the
attacks aim at is the copy's), decoy ``solutions/`` and ``tests/`` beside it,
a results file from an earlier run, another student's worker folder in its
temporary folder, and the submission itself. Grading runs in
a subprocess that imports the copy, with ``TMPDIR`` inside the arena, so every
file the grading could touch lies inside it and can be hashed before and
after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOSTILE = os.path.join(REPO, "tests", "fixtures", "hostile")
BROUGHT_PREFIX = "brought_"
#: another student's worker folder, as grade-all --jobs 2 would have beside ours
NEIGHBOUR = "microtensor-worker-classmate"

GRADE_SCRIPT = r"""
import json, os, sys
import microtensor
from microtensor.grading import runner
from microtensor.grading.client import Limits

config = json.loads(sys.argv[1])
assert os.path.dirname(os.path.dirname(microtensor.__file__)) == config["arena"]
report = runner.grade(config["submission"], lessons=config["lessons"],
                      limits=Limits(**config["limits"]))
tests = []
for lesson in report.lessons:
    for result in lesson.results:
        tests.append({"lesson": lesson.lesson, "func": result.test.func.__name__,
                      "title": result.test.title, "status": result.status,
                      "score": result.score, "points": result.test.points,
                      "message": result.message, "output": result.output})
summary = {
    "tests": tests,
    "notes": {lesson.lesson: lesson.notes for lesson in report.lessons},
    "disqualified": {lesson.lesson: lesson.disqualified for lesson in report.lessons},
    "report_notes": report.notes, "score": report.score,
    "max_score": report.max_score,
}
sys.stdout.write("SUMMARY " + json.dumps(summary) + "\n")
"""


def build(root: str, fixture: str | None = None, source: str | None = None) -> dict:
    """Lay out an arena under ``root`` and return its paths.

    The submission is the hostile fixture ``fixture`` or the folder ``source``;
    ``brought_X`` files take their real names ``X`` in the copy, and a
    ``neuron.py`` link is pointed at the arena's own decoy solution.
    """
    os.chmod(root, 0o755)  # the worker may run as nobody (see conftest.py)
    paths = {
        name: os.path.join(root, name)
        for name in (
            "microtensor",
            "solutions",
            "tests",
            "results",
            "tmp",
            "submission",
            "trusted",
        )
    }
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(
        os.path.join(REPO, "microtensor"), paths["microtensor"], ignore=ignore
    )
    shutil.copytree(os.path.join(REPO, "solutions"), paths["solutions"], ignore=ignore)
    os.makedirs(paths["tests"])
    shutil.copy(os.path.join(REPO, "tests", "conftest.py"), paths["tests"])
    os.makedirs(paths["results"])
    with open(os.path.join(paths["results"], "previous.json"), "w") as f:
        json.dump({"score": 12.0, "tests": []}, f)
    neighbour = os.path.join(paths["tmp"], NEIGHBOUR, "submission")
    os.makedirs(neighbour)
    shutil.copy(os.path.join(REPO, "solutions", "perceptron.py"), neighbour)
    os.makedirs(paths["trusted"])  # the grader's own working folder (Hypothesis' cache)
    _copy_submission(source or os.path.join(HOSTILE, fixture), paths)
    paths["root"] = root
    return paths


def _copy_submission(source: str, paths: dict) -> None:
    target = paths["submission"]
    os.makedirs(target)
    for name in os.listdir(source):
        path = os.path.join(source, name)
        real_name = name.removeprefix(BROUGHT_PREFIX)
        if os.path.islink(path):
            os.symlink(
                os.path.join(paths["solutions"], real_name),
                os.path.join(target, real_name),
            )
        else:
            shutil.copy(path, os.path.join(target, real_name))


def environment(paths: dict) -> dict:
    """The environment of a grading subprocess: the arena's package, its own TMPDIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(
        PYTHONPATH=paths["root"], TMPDIR=paths["tmp"], PYTHONDONTWRITEBYTECODE="1"
    )
    return env


def grade(
    paths: dict, lessons=("neuron", "perceptron"), timeout: float = 240.0, **limits
) -> dict:
    """Grade the arena's submission in a subprocess; return its summary and timing."""
    config = {
        "arena": paths["root"],
        "submission": paths["submission"],
        "lessons": list(lessons),
        "limits": limits,
    }
    started = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-c", GRADE_SCRIPT, json.dumps(config)],
        cwd=paths["trusted"],
        env=environment(paths),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    seconds = time.monotonic() - started
    lines = [
        line for line in process.stdout.splitlines() if line.startswith("SUMMARY ")
    ]
    if process.returncode != 0 or not lines:
        raise RuntimeError(
            f"grading subprocess failed ({process.returncode}):\n"
            f"{process.stdout[-3000:]}\n{process.stderr[-3000:]}"
        )
    summary = json.loads(lines[-1][len("SUMMARY ") :])
    summary["seconds"] = seconds
    return summary


def tree_hash(folder: str, skip=()) -> dict:
    """Path -> digest of every file, link and folder under ``folder``."""
    digests = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if os.path.join(root, d) not in skip)
        for name in dirs + sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, folder)
            if os.path.islink(path):
                digests[rel] = "link:" + os.readlink(path)
            elif os.path.isdir(path):
                digests[rel] = f"dir:{os.stat(path).st_mode:o}"
            else:
                digests[rel] = _file_digest(path)
    return digests


def _file_digest(path: str) -> str:
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return f"{digest}:{os.stat(path).st_mode:o}"
