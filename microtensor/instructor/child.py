"""Grade one submission in a process of its own and write what the batch needs.

``grade-all`` and the Gradescope ``run_autograder`` start this module as a
separate Python process per submission, so that nothing going wrong while one
submission is graded (a grader bug, the trusted side running out of memory, a
hang) can stop the others. It writes two files atomically: the Gradescope
``results.json`` and a ``summary.json`` with the scores per lesson.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

#: started as ``python -I -c BOOTSTRAP CONFIG_JSON``
BOOTSTRAP = (
    "import sys; sys.path.insert(0, {parent!r}); "
    "from microtensor.instructor.child import main; sys.exit(main())"
)


def summary_of(report, fingerprint: str = "", version: str = "") -> dict:
    """Scores per lesson, the total, a status and the notes of one graded submission."""
    lessons = {lesson.lesson: lesson.score for lesson in report.lessons}
    flagged = any(lesson.notes for lesson in report.lessons)
    status = "graded, flagged" if flagged else "graded"
    if report.problem:
        status = f"not graded: {report.problem}"
    return {
        "lessons": lessons,
        "max_lessons": {lesson.lesson: lesson.max_score for lesson in report.lessons},
        "total": report.score,
        "max_total": report.max_score,
        "status": status,
        "seconds": round(report.seconds, 2),
        "notes": [
            f"{lesson.lesson}: {note}"
            for lesson in report.lessons
            for note in lesson.notes
        ]
        + list(report.notes),
        "fingerprint": fingerprint,
        "grader_version": version,
    }


def _stop_on_terminate(signum, frame):
    # The parent's timeout: stop now. An exception would not do, since the runner
    # and Hypothesis turn exceptions in a test into results and go on; results
    # are written atomically, so nothing is left half-written.
    from microtensor.grading.client import stop_all_workers

    stop_all_workers()
    os._exit(128 + signum)


def main(argv=None) -> int:
    """Grade ``config["submission"]``; write its results.json and summary.json."""
    from microtensor.grading import runner
    from microtensor.grading.client import Limits, stop_all_workers  # noqa: F401
    from microtensor.grading.results_json import results_dict, write_results
    from microtensor.instructor.files import write_json

    signal.signal(signal.SIGTERM, _stop_on_terminate)
    config = json.loads((sys.argv[1:] if argv is None else argv)[0])
    limits = Limits(**config.get("limits", {}))
    forbidden = runner.default_forbidden_paths() + list(config.get("forbidden", []))
    started = time.monotonic()
    report = runner.grade(
        config["submission"],
        config.get("lessons") or None,
        limits,
        forbidden_paths=forbidden,
    )
    report.notes.extend(config.get("notes", []))
    report.seconds = time.monotonic() - started
    write_results(config["results"], results_dict(report))
    write_json(
        config["summary"],
        summary_of(
            report, config.get("fingerprint", ""), config.get("grader_version", "")
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
