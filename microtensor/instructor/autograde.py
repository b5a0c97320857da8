"""What ``run_autograder`` runs on Gradescope: grade, and always leave results.

The folders are Gradescope's, under ROOT (``/autograder`` unless the
``MICROTENSOR_AUTOGRADER_ROOT`` environment variable says otherwise, which
the tests use): the submission in ``ROOT/submission``, the bundle in
``ROOT/source`` (with ``autograder.json``: the lessons to grade and the time
limits), and the results written to ``ROOT/results/results.json``. Whatever
fails on the grader's side, an import of the grader included, becomes one
visible failed test that says what happened, so Gradescope always has a
results file to show. This module therefore imports the grader only inside
`main`'s guard, and writes the failure with the standard library alone.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback

DEFAULT_ROOT = "/autograder"
SETTINGS = "autograder.json"


def paths(root: str) -> dict:
    return {
        "root": root,
        "source": os.path.join(root, "source"),
        "submission": os.path.join(root, "submission"),
        "results": os.path.join(root, "results", "results.json"),
    }


def settings(source: str) -> dict:
    """The bundle's settings: lessons, call_seconds, total_seconds."""
    try:
        with open(os.path.join(source, SETTINGS), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {}


def grade_submission(where: dict, config: dict) -> dict:
    """Grade ROOT/submission; return the results.json data."""
    from microtensor.grading import registry, runner
    from microtensor.grading.client import Limits
    from microtensor.grading.results_json import results_dict
    from microtensor.instructor.files import find_submission_root

    lessons = config.get("lessons") or registry.lessons_with_tests()
    folder = find_submission_root(where["submission"], lessons)
    limits = Limits(
        call_seconds=float(config.get("call_seconds", 10.0)),
        total_seconds=float(config.get("total_seconds", 480.0)),
    )
    extra = ""
    if folder is None:
        extra = (
            f"no lesson file ({', '.join(f'{n}.py' for n in lessons)}) was found "
            "in the submission; upload the files themselves or a zip of them"
        )
        folder = where["submission"]
    report = runner.grade(folder, lessons, limits)
    return results_dict(report, extra)


def failure(message: str, seconds: float, max_score: float = 0.0) -> dict:
    """Results that report a broken grader as one visible failed test."""
    return {
        "score": 0.0,
        "execution_time": round(seconds, 3),
        "output": "The autograder could not grade this submission.\n" + message,
        "tests": [
            {
                "name": "autograder: the grader ran",
                "number": "0.1",
                "score": 0.0,
                "max_score": max_score,
                "status": "failed",
                "output": message,
                "tags": ["harness"],
                "visibility": "visible",
            }
        ],
    }


def max_points(lessons) -> float:
    try:
        from microtensor.grading import registry

        return float(
            sum(
                t.points
                for t in registry.all_tests()
                if not lessons or t.lesson in lessons
            )
        )
    except BaseException:  # noqa: BLE001 -- the grader may be what is broken
        return 0.0


def write(path: str, data: dict) -> None:
    """Write results.json atomically with the standard library only."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    """Grade and write results.json; exit 0 whenever results were written."""
    argv = sys.argv[1:] if argv is None else argv
    root = (
        argv[0] if argv else os.environ.get("MICROTENSOR_AUTOGRADER_ROOT", DEFAULT_ROOT)
    )
    where = paths(root)
    config = settings(where["source"])
    started = time.monotonic()
    try:
        data = grade_submission(where, config)
    except BaseException as exc:  # noqa: BLE001 -- the results file must be written
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        data = failure(
            f"The grader itself failed, not your code: {detail}. Please "
            "tell your instructor; your submission was kept.",
            time.monotonic() - started,
            max_points(config.get("lessons")),
        )
    write(where["results"], data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
