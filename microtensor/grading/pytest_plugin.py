"""The graded suite under pytest: ``pytest --submission PATH``.

Installed with microtensor (entry point ``pytest11``), this plugin does
nothing unless ``--submission`` is given. Then pytest collects the graded
suite instead of the paths on the command line, each lesson's tests receive
the same `LessonClient` the ``microtensor grade`` runner gives them, and the
run ends with the same table of points and feedback.
"""

from __future__ import annotations

import os
import time

import pytest

from microtensor.grading import registry
from microtensor.grading.client import Limits, Session

_STATE: dict = {}


def pytest_addoption(parser):
    group = parser.getgroup("microtensor", "microtensor grading")
    group.addoption("--submission", metavar="PATH", default=None,
                    help="grade the submission folder PATH with the graded suite")
    group.addoption("--call-timeout", type=float, default=10.0, metavar="SECONDS",
                    help="time limit of one call into the submission (default 10)")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    """With --submission and no suite path given, collect the graded suite.

    Giving pytest a path also makes it ignore ``testpaths``, so the kit's own
    tests do not run along.
    """
    if not any(a == "--submission" or a.startswith("--submission=") for a in args):
        return
    if not any(_is_suite_path(a) for a in args if not a.startswith("-")):
        args.append(registry.SUITE_DIR)


def _is_suite_path(arg: str) -> bool:
    path = os.path.realpath(arg.split("::")[0])
    return path.startswith(os.path.realpath(registry.SUITE_DIR))


def pytest_configure(config):
    path = config.getoption("submission")
    if not path:
        return
    if not os.path.isdir(path):
        raise pytest.UsageError(f"--submission {path}: not a folder")
    from microtensor.grading.runner import default_forbidden_paths

    _STATE["session"] = Session(
        os.path.abspath(path),
        Limits(call_seconds=config.getoption("call_timeout")),
        tuple(default_forbidden_paths()),
    )
    _STATE["results"] = []
    registry.all_tests()  # numbers the tests as the runner does
    _STATE["started"] = time.monotonic()


def pytest_unconfigure(config):
    session = _STATE.pop("session", None)
    if session is not None:
        session.close()


def _lesson_fixture(lesson: str):
    @pytest.fixture(name=lesson)
    def fixture(request):
        session = _STATE.get("session")
        if session is None:
            pytest.fail(f"the graded suite needs --submission PATH (the folder with "
                        f"{lesson}.py)")
        test = getattr(request.function, "graded", None)
        budget = test.budget if test is not None else 60.0
        session.test_deadline = time.monotonic() + budget
        yield session.lesson(lesson)
        session.test_deadline = None

    return fixture


for _lesson in registry.LESSONS:
    globals()[f"_fixture_{_lesson}"] = _lesson_fixture(_lesson)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    test = getattr(getattr(item, "function", None), "graded", None)
    if test is None or "session" not in _STATE or report.when != "call":
        return
    from microtensor.grading.runner import TestResult, explain

    passed = report.passed
    message = "" if passed else explain(call.excinfo.value) if call.excinfo else ""
    if not passed and message:
        report.longrepr = f"{test.name}\n{message}"
    _STATE["results"].append(TestResult(test, test.points if passed else 0.0,
                                        "passed" if passed else "failed", message,
                                        "", call.duration))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if "session" not in _STATE or not _STATE["results"]:
        return
    from microtensor.grading.report import render
    from microtensor.grading.runner import GradeReport, LessonResult, apply_flags

    session = _STATE["session"]
    report = GradeReport(session.submission)
    by_lesson: dict = {}
    for result in _STATE["results"]:
        by_lesson.setdefault(result.test.lesson, LessonResult(result.test.lesson))
        by_lesson[result.test.lesson].results.append(result)
    for lesson in registry.LESSONS:
        if lesson in by_lesson:
            apply_flags(by_lesson[lesson], session.flags.get(lesson, []))
            report.lessons.append(by_lesson[lesson])
    report.seconds = time.monotonic() - _STATE["started"]
    terminalreporter.section("microtensor grade")
    terminalreporter.write_line(render(report))
