"""Wall time of grading the reference solutions, as a user would run it.

``microtensor grade solutions --quiet`` runs in a child process, the way CI
and an instructor run it; the time includes starting Python, the graded
suite and every worker process it starts.
"""

import os
import re
import shutil
import subprocess
import sys
import time

__all__ = ["time_grading"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SCORE = re.compile(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)")
_LESSON = re.compile(r"^Lesson\s+(\d+):.*\[(\S+)\]", re.MULTILINE)


def _command():
    """The installed ``microtensor`` script, or the CLI module run by Python."""
    script = shutil.which("microtensor")
    if script:
        return [script]
    return [sys.executable, "-m", "microtensor.cli"]


def time_grading(submission="solutions", timeout=900):
    """Grade ``submission`` once in a child process and time it.

    Parameters
    ----------
    submission : str
        The folder to grade, relative to the project root.
    timeout : float
        Seconds before the child is stopped.

    Returns
    -------
    dict
        ``seconds`` (wall time), ``exit_code``, ``score`` and ``max_score``
        (None when the report has no score line), ``lessons`` (the lesson
        files graded), ``command``, and ``stderr_tail`` (the end of the error
        output when the command failed, else empty).
    """
    command = _command() + ["grade", submission, "--quiet"]
    start = time.perf_counter()
    done = subprocess.run(
        command, check=False, cwd=_ROOT, capture_output=True, text=True, timeout=timeout
    )
    seconds = time.perf_counter() - start
    score = _SCORE.search(done.stdout)
    return {
        "seconds": seconds,
        "exit_code": done.returncode,
        "score": float(score.group(1)) if score else None,
        "max_score": float(score.group(2)) if score else None,
        "lessons": [name for _, name in _LESSON.findall(done.stdout)],
        "command": " ".join(["microtensor"] + command[-3:]),
        "stderr_tail": done.stderr[-2000:] if done.returncode else "",
    }
