"""Instructor commands: ``grade-all`` (a class), ``release`` (the student kit),
``autograder`` (a Gradescope bundle).

Each lives in its own module with ``add_arguments(parser)`` and ``run(args)``;
the ``microtensor`` command adds them with `add_command`. They are trusted
code: they read submissions only to copy or unpack them, and leave every
import of a student's code to the grader's worker.
"""

from __future__ import annotations

import importlib

COMMANDS = {
    "grade-all": (
        "microtensor.instructor.gradeall",
        (
            "Grade every submission in a folder (one folder or zip per "
            "student) into a CSV gradebook and a results.json per student."
        ),
    ),
    "release": (
        "microtensor.instructor.release",
        (
            "Write the student kit: the engine, the stubs and the graded suite "
            "without solutions or hidden tests."
        ),
    ),
    "autograder": (
        "microtensor.instructor.bundle",
        (
            "Build the Gradescope autograder zip (setup.sh, run_autograder, "
            "the suite with its hidden tests)."
        ),
    ),
}


def add_command(commands, name: str, help_text: str) -> None:
    """Add the sub-command ``name`` to the ``microtensor`` command's ``commands``."""
    module_name, description = COMMANDS[name]
    module = importlib.import_module(module_name)
    parser = commands.add_parser(name, help=help_text, description=description)
    module.add_arguments(parser)
    parser.set_defaults(run=module.run)
