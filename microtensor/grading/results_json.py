"""Write results.json in Gradescope's autograder format.

The file has top-level ``score``, ``execution_time``, ``output`` and ``tests``;
each test has ``name`` (beginning with its lesson), ``number``, ``score``,
``max_score``, ``status``, ``output``, ``tags`` and ``visibility``. It is
written to a temporary file beside the target and moved into place, so a
crash half-way never leaves a truncated results.json.
"""

from __future__ import annotations

import json
import os
import tempfile

from microtensor.grading.report import feedback_text, summary_line
from microtensor.grading.runner import GradeReport


def results_dict(report: GradeReport, extra_output: str = "") -> dict:
    tests = []
    for lesson in report.lessons:
        for result in lesson.results:
            test = result.test
            tests.append({
                "name": test.name,
                "number": test.number,
                "score": round(result.score, 4),
                "max_score": test.points,
                "status": result.status,
                "output": feedback_text(result),
                "tags": [test.lesson, *test.tags],
                "visibility": test.visibility,
            })
    output = [summary_line(report)]
    for lesson in report.lessons:
        output.extend(f"{lesson.lesson}: {note}" for note in lesson.notes)
    output.extend(report.notes)
    if report.problem:
        output.append(report.problem)
    if extra_output:
        output.append(extra_output)
    return {
        "score": round(report.score, 4),
        "execution_time": round(report.seconds, 3),
        "output": "\n".join(output),
        "tests": tests,
    }


def write_results(path: str, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` atomically."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def harness_failure(message: str, max_score: float = 0.0) -> dict:
    """A results.json that reports a broken harness as one visible failed test."""
    return {
        "score": 0.0,
        "execution_time": 0.0,
        "output": "The autograder could not grade this submission.\n" + message,
        "tests": [{
            "name": "autograder: the grader ran",
            "number": "0.1",
            "score": 0.0,
            "max_score": max_score,
            "status": "failed",
            "output": message,
            "tags": ["harness"],
            "visibility": "visible",
        }],
    }
