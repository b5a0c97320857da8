"""The ``microtensor`` command: grade, grade-all, release, autograder, demo.

Output to the terminal goes through `microtensor.grading.report` (tables) and
the small `say` helper below; library code never prints.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

EXIT_FULL_MARKS, EXIT_POINTS_LOST, EXIT_CANNOT_GRADE = 0, 1, 2


def say(text: str = "", stream=None) -> None:
    (stream or sys.stdout).write(text + "\n")
    (stream or sys.stdout).flush()


def seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds, got {text!r}")
    return value


def default_submission() -> str:
    """``exercises/`` from the kit's root; the current folder from inside it."""
    from microtensor.grading.registry import LESSONS

    if not os.path.isdir("exercises") and any(
        os.path.isfile(f"{lesson}.py") for lesson in LESSONS
    ):
        return "."
    return "exercises"


def cmd_grade(args) -> int:
    from microtensor.grading import registry, report, runner
    from microtensor.grading.client import Limits
    from microtensor.grading.results_json import results_dict, write_results

    if args.lesson and args.lesson not in registry.LESSONS:
        say(f"microtensor grade: unknown lesson {args.lesson!r}; the lessons are "
            f"{', '.join(registry.LESSONS)}", sys.stderr)
        return EXIT_CANNOT_GRADE
    path = args.path or default_submission()
    if not os.path.isdir(path):
        say(f"microtensor grade: {path} is not a folder (give the folder that holds "
            "neuron.py, perceptron.py, ...)", sys.stderr)
        return EXIT_CANNOT_GRADE
    limits = Limits(call_seconds=args.timeout)
    progress = _Progress(enabled=sys.stderr.isatty() and not args.quiet)
    result = runner.grade(path, [args.lesson] if args.lesson else None, limits,
                          on_result=progress.tick)
    progress.done()
    say(report.render(result))
    if args.json:
        write_results(args.json, results_dict(result))
        say(f"results written to {args.json}")
    if result.max_score and result.score >= result.max_score:
        return EXIT_FULL_MARKS
    return EXIT_POINTS_LOST


class _Progress:
    """A one-line progress indicator on stderr while tests run."""

    def __init__(self, enabled: bool):
        self.enabled, self.count = enabled, 0

    def tick(self, result) -> None:
        self.count += 1
        if self.enabled:
            mark = "." if result.passed else "F"
            sys.stderr.write(f"\r  {self.count:3d} tests graded {mark}")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.count:
            sys.stderr.write("\r" + " " * 30 + "\r")
            sys.stderr.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microtensor",
        description="A small autograd engine and the auto-graded exercises built on it.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    grade = commands.add_parser(
        "grade", help="grade a submission folder (default: exercises/)",
        description="Grade a submission folder with the graded property tests.",
    )
    grade.add_argument("path", nargs="?", help="folder holding neuron.py, perceptron.py, ...")
    grade.add_argument("--json", metavar="FILE", help="also write Gradescope results.json")
    grade.add_argument("--lesson", metavar="NAME", help="grade one lesson only")
    grade.add_argument("--timeout", type=seconds, default=10.0, metavar="SECONDS",
                       help="time limit of one call into the submission (default 10)")
    grade.add_argument("--quiet", action="store_true", help="no progress line")
    grade.set_defaults(run=cmd_grade)
    _add_later_commands(commands)
    return parser


def _add_later_commands(commands) -> None:
    """Commands whose implementation lives in their own modules."""
    for name, module, help_text in (
        ("grade-all", "microtensor.instructor", "grade every submission in a folder"),
        ("release", "microtensor.instructor", "write the student kit"),
        ("autograder", "microtensor.instructor", "build a Gradescope autograder zip"),
        ("demo", "microtensor.demos", "train a network and show it"),
    ):
        try:
            target = __import__(module, fromlist=["add_command"])
        except ImportError:
            continue
        target.add_command(commands, name, help_text)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_CANNOT_GRADE
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
