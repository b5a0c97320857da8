"""``microtensor autograder OUT.zip``: the Gradescope autograder bundle.

The zip holds, at its top level, ``setup.sh`` (run once when Gradescope builds
the image: a Python 3.11 or newer in ``/autograder/venv`` with the NumPy and
Hypothesis versions this bundle was built with, so that scores do not move
with library releases), ``run_autograder`` (run for every submission; see
`autograde`), ``autograder.json`` (lessons and time limits), and the
``microtensor`` package with the whole graded suite, hidden tests included.
It never holds ``solutions/``, ``exercises/`` or the kit's own tests.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile

from microtensor.cli import seconds
from microtensor.instructor import files

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
ROOT="${MICROTENSOR_AUTOGRADER_ROOT:-/autograder}"

# The grader needs Python 3.11 or newer.
PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" > /dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PYTHON="$(command -v "$candidate")"
        break
    fi
done
if [ -z "$PYTHON" ]; then
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv > /dev/null
    PYTHON="$(command -v python3.11)"
fi

"$PYTHON" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --quiet --no-cache-dir {requirements}

# The worker runs as the unprivileged user nobody: it must reach Python and the
# engine, never the graded suite (hidden tests included).
chmod 755 "$ROOT" "$ROOT/source"
chmod -R go-rwx "$ROOT/source/microtensor/grading/suite"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades ROOT/submission and always
# leaves ROOT/results/results.json behind, even when the grader itself breaks.
# ROOT is /autograder; MICROTENSOR_AUTOGRADER_ROOT and MICROTENSOR_AUTOGRADER_PYTHON
# move it and choose the interpreter (the end-to-end test uses both).
set -u
ROOT="${MICROTENSOR_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
RESULTS="$ROOT/results/results.json"
PYTHON="${MICROTENSOR_AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
# Results and hidden tests are root's: the worker (user nobody) may not write or
# read them.
chmod 755 "$ROOT/results" 2> /dev/null
chmod -R go-rwx "$SOURCE/microtensor/grading/suite" 2> /dev/null

GRADE='import sys
sys.path.insert(0, sys.argv[1])
from microtensor.instructor.autograde import main
sys.exit(main(sys.argv[2:]))'
"$PYTHON" -I -B -c "$GRADE" "$SOURCE" "$ROOT"
status=$?

if [ ! -s "$RESULTS" ]; then
    WHY="the grader did not start (exit status $status), so nothing was"
    WHY="$WHY graded. This is not a problem with your code; please tell"
    WHY="$WHY your instructor. Your submission was kept."
    cat > "$RESULTS" << EOF
{
  "score": 0.0,
  "output": "The autograder could not grade this submission: $WHY",
  "tests": [
    {
      "name": "autograder: the grader ran",
      "score": 0.0,
      "max_score": 0.0,
      "status": "failed",
      "output": "$WHY",
      "visibility": "visible"
    }
  ]
}
EOF
fi
exit 0
"""

EXECUTABLE = 0o755 << 16
PLAIN = 0o644 << 16


def requirements() -> str:
    """The exact NumPy and Hypothesis of this machine, for identical grading there."""
    import hypothesis
    import numpy

    return f"numpy=={numpy.__version__} hypothesis=={hypothesis.__version__}"


def bundle_files(source: str, staging: str, config: dict) -> None:
    """Lay the bundle's files out in ``staging``."""
    files.copy_tree(
        os.path.join(source, "microtensor"), os.path.join(staging, "microtensor")
    )
    shutil.copy(os.path.join(source, "pyproject.toml"), staging)
    files.write_text(
        os.path.join(staging, "setup.sh"),
        SETUP_SH.replace("{requirements}", requirements()),
    )
    files.write_text(os.path.join(staging, "run_autograder"), RUN_AUTOGRADER)
    files.write_json(os.path.join(staging, "autograder.json"), config)


def write_zip(staging: str, out_zip: str) -> int:
    """Zip ``staging`` into ``out_zip``, sorted, scripts executable; count the files."""
    names = []
    for root, dirs, names_here in os.walk(staging):
        dirs.sort()
        names.extend(os.path.join(root, n) for n in sorted(names_here))
    tmp = out_zip + ".partial"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in names:
            rel = os.path.relpath(path, staging).replace(os.sep, "/")
            info = zipfile.ZipInfo(rel, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (
                EXECUTABLE if rel in ("setup.sh", "run_autograder") else PLAIN
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as f:
                archive.writestr(info, f.read())
    os.replace(tmp, out_zip)
    return len(names)


def build(
    out_zip: str,
    source: str | None = None,
    lessons=None,
    call_seconds: float = 10.0,
    total_seconds: float = 480.0,
    force: bool = False,
) -> int:
    """Write the bundle to ``out_zip``; return the number of files in it."""
    from microtensor.grading import registry

    root = source_root_for_bundle(source)
    out_zip = os.path.abspath(out_zip)
    if os.path.exists(out_zip) and not force:
        raise files.InstructorError(f"{out_zip} exists; pass --force to replace it")
    unknown = [lesson for lesson in lessons or () if lesson not in registry.LESSONS]
    if unknown:
        raise files.InstructorError(
            f"unknown lesson {unknown[0]!r}; the lessons are "
            f"{', '.join(registry.LESSONS)}"
        )
    config = {
        "lessons": list(lessons or []),
        "call_seconds": call_seconds,
        "total_seconds": total_seconds,
    }
    with tempfile.TemporaryDirectory(prefix="microtensor-bundle-") as staging:
        bundle_files(root, staging, config)
        os.makedirs(os.path.dirname(out_zip), exist_ok=True)
        return write_zip(staging, out_zip)


def source_root_for_bundle(given: str | None) -> str:
    """The folder that holds the ``microtensor`` package and its pyproject.toml."""
    root = os.path.abspath(given or os.path.dirname(files.PACKAGE_DIR))
    for needed in ("microtensor", "pyproject.toml"):
        if not os.path.exists(os.path.join(root, needed)):
            raise files.InstructorError(
                f"{root} has no {needed}; pass --source with the microtensor checkout"
            )
    return root


def add_arguments(parser) -> None:
    parser.add_argument("out_zip", metavar="OUT.zip", help="the bundle to write")
    parser.add_argument(
        "--lesson",
        action="append",
        metavar="NAME",
        help="grade only this lesson (repeat for several; default all)",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="time limit of one call into the submission (default 10)",
    )
    parser.add_argument(
        "--budget",
        type=seconds,
        default=480.0,
        metavar="SECONDS",
        help="time limit of one whole submission (default 480; keep "
        "it below Gradescope's own timeout)",
    )
    parser.add_argument("--source", metavar="DIR", help="the checkout to bundle")
    parser.add_argument("--force", action="store_true", help="replace OUT.zip")


def run(args) -> int:
    from microtensor.cli import EXIT_CANNOT_GRADE, say

    try:
        count = build(
            args.out_zip,
            args.source,
            args.lesson,
            args.timeout,
            args.budget,
            args.force,
        )
    except files.InstructorError as exc:
        say(f"microtensor autograder: {exc}", sys.stderr)
        return EXIT_CANNOT_GRADE
    out = os.path.abspath(args.out_zip)
    say(
        f"Gradescope bundle written to {out} ({count} files): upload it as the "
        "autograder of a Gradescope programming assignment"
    )
    say(
        json.dumps(
            {
                "lessons": args.lesson or "all",
                "call_seconds": args.timeout,
                "total_seconds": args.budget,
            }
        )
    )
    return 0
