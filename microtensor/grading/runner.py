"""Grade one submission: run every graded test against its worker, collect results.

The runner is trusted code: it imports the suite and `microtensor`, never the
submission. Each test runs with a fresh time budget; whatever the submission
does costs the test in progress only. After a lesson's tests, flags the worker
raised (importing the solutions, reading the grader's files) take that
lesson's credit away.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from microtensor.grading import registry
from microtensor.grading.checks import PropertyFailed
from microtensor.grading.client import (
    GradingAbort,
    Limits,
    NotImplementedYet,
    Session,
    SubmissionError,
)

#: flags that cost the whole lesson its credit, and how the feedback says so
DISQUALIFYING = {
    "forbidden-import": "imported a module the submission may not use ({detail})",
    "forbidden-file": "opened one of the grader's own files ({detail})",
    "other-submission": "opened another student's files ({detail})",
    "brought-file": "brings its own {detail}, which could change how the graded "
                    "suite runs (remove it and submit again)",
}
NOTED = {
    "process": "tried to start or signal a process ({detail}); this was refused",
    "network": "tried to use the network ({detail}); this was refused",
    "write-outside": "tried to write outside its scratch folder ({detail}); refused",
    "native": "tried to load native code ({detail}); this was refused",
    "tamper": "tried to tamper with the grader ({detail}); this was refused",
    "disabled": "called the engine's own {detail} where the exercise has it "
                "switched off",
}


@dataclass
class TestResult:
    test: registry.GradedTest
    score: float
    status: str  # "passed" or "failed"
    message: str = ""
    output: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class LessonResult:
    lesson: str
    results: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    disqualified: bool = False

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.test.points for r in self.results)


@dataclass
class GradeReport:
    submission: str
    lessons: list = field(default_factory=list)
    seconds: float = 0.0
    problem: str = ""
    notes: list = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(lesson.score for lesson in self.lessons)

    @property
    def max_score(self) -> float:
        return sum(lesson.max_score for lesson in self.lessons)

    @property
    def results(self) -> list:
        return [r for lesson in self.lessons for r in lesson.results]


def default_forbidden_paths() -> list[str]:
    """Files a submission may not read: the graded suite, and the reference beside the package."""
    paths = [registry.SUITE_DIR]
    root = os.path.dirname(os.path.dirname(registry.SUITE_DIR))
    # The history holds the solutions too, compressed but readable.
    for candidate in (os.path.join(os.path.dirname(root), "solutions"),
                      os.path.join(os.path.dirname(root), "tests"),
                      os.path.join(os.path.dirname(root), ".git")):
        if os.path.isdir(candidate):
            paths.append(candidate)
    return paths


def grade(submission: str, lessons=None, limits: Limits | None = None,
          forbidden_paths=None, on_result=None) -> GradeReport:
    """Grade the submission folder and return the full report.

    ``lessons`` restricts grading to some lessons; ``on_result(result)`` is
    called after every test (the CLI draws progress with it).
    """
    started = time.monotonic()
    report = GradeReport(os.path.abspath(submission))
    if not os.path.isdir(submission):
        report.problem = f"{submission} is not a folder"
        return report
    if forbidden_paths is None:
        forbidden_paths = default_forbidden_paths()
    session = Session(os.path.abspath(submission), limits or Limits(),
                      tuple(forbidden_paths))
    session.grading_deadline = started + session.limits.total_seconds
    try:
        for lesson in lessons or registry.LESSONS:
            tests = registry.all_tests(lesson)
            if tests:
                report.lessons.append(grade_lesson(session, lesson, tests, on_result))
    finally:
        if session.worker.privilege_note:
            report.notes.append(session.worker.privilege_note)
        report.notes.extend(session.worker.copy_notes)
        session.close()
    report.seconds = time.monotonic() - started
    return report


def grade_lesson(session: Session, lesson: str, tests, on_result=None) -> LessonResult:
    result = LessonResult(lesson)
    session.restart()
    for test in tests:
        outcome = run_test(session, test)
        result.results.append(outcome)
        if on_result is not None:
            on_result(outcome)
    apply_flags(result, session.flags.get(lesson, []))
    return result


def run_test(session: Session, test: registry.GradedTest) -> TestResult:
    """Run one graded test; every way it can end becomes a TestResult."""
    started = time.monotonic()
    deadline = getattr(session, "grading_deadline", None)
    if deadline is not None and started >= deadline:
        return TestResult(test, 0.0, "failed", "not run: grading this submission "
                          f"took more than {session.limits.total_seconds:g} s in all")
    session.test_deadline = started + test.budget
    if deadline is not None:
        session.test_deadline = min(session.test_deadline, deadline)
    session.worker.output_since_mark()
    try:
        test.func(*[session.lesson(name) for name in test.lessons_used])
    except GradingAbort as exc:
        status, message = "failed", exc.reason
        if isinstance(exc, NotImplementedYet):
            message = exc.reason
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        status, message = "failed", explain(exc)
    else:
        status, message = "passed", ""
    finally:
        session.test_deadline = None
    output = session.worker.output_since_mark()
    score = test.points if status == "passed" else 0.0
    return TestResult(test, score, status, message, output,
                      time.monotonic() - started)


def explain(exc: BaseException) -> str:
    """Feedback text for an exception that ended a graded test."""
    inner = _unwrap(exc)
    if isinstance(inner, GradingAbort):
        return inner.reason
    if isinstance(inner, PropertyFailed):
        text = str(inner)
    elif isinstance(inner, SubmissionError):
        text = f"your code raised {inner}"
    elif isinstance(inner, AssertionError):
        text = str(inner) or "a property does not hold"
    else:
        text = (f"internal grader error ({type(inner).__name__}: {inner}); "
                "please report this to your instructor")
    example = falsifying_example(exc) or falsifying_example(inner)
    if example:
        text += f"\nsmallest failing input found: {example}"
    return text


def _unwrap(exc: BaseException) -> BaseException:
    """The first real failure inside Hypothesis' exception groups."""
    seen = 0
    # Python 3.10 has no BaseExceptionGroup; Hypothesis then raises the
    # backport's groups, which have the same ``exceptions`` attribute.
    while isinstance(getattr(exc, "exceptions", None), tuple) and exc.exceptions \
            and seen < 10:
        exc = exc.exceptions[0]
        seen += 1
    return exc


def falsifying_example(exc: BaseException) -> str:
    """Hypothesis' falsifying example, without the lesson handles, on one line."""
    for note in getattr(exc, "__notes__", ()) or ():
        # Hypothesis has called it both ways over its versions.
        if note.startswith(("Falsifying example", "Failing test case")):
            lines = [line.split("  # ")[0].strip() for line in note.splitlines()[1:]]
            args = [line.rstrip(",") for line in lines
                    if line and not line.startswith("#") and line != ")"
                    and not line.rstrip(",").endswith(".py>")]
            text = ", ".join(args)
            return text if len(text) <= 600 else text[:597] + "..."
    return ""


def apply_flags(result: LessonResult, flags) -> None:
    """Turn the worker's flags for this lesson into notes and, if needed, zero it."""
    for kind, detail in flags:
        if kind in DISQUALIFYING:
            result.disqualified = True
            result.notes.append("no credit for this lesson: the submission "
                                + DISQUALIFYING[kind].format(detail=detail))
        elif kind in NOTED:
            result.notes.append("the submission " + NOTED[kind].format(detail=detail))
    if result.disqualified:
        for outcome in result.results:
            if outcome.passed:
                outcome.score = 0.0
                outcome.status = "failed"
                outcome.message = result.notes[0]
