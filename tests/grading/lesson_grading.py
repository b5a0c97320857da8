"""What every lesson's grading test checks, written once.

A lesson's test module sets ``LESSON`` (a name or a list of names) and
``EXPECTED_FAILURES`` (fixture folder -> titles its bug must fail); the
fixtures in ``conftest.py`` grade each folder once per module, and the
functions here make the assertions.
"""

import os

from microtensor.grading.runner import grade

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "submissions")


def lessons_of(module) -> list:
    lesson = module.LESSON
    return [lesson] if isinstance(lesson, str) else list(lesson)


def grade_folder(folder: str, lessons: list):
    path = folder if os.path.isabs(folder) else os.path.join(ROOT, folder)
    return grade(path, lessons)


def failed_titles(report) -> set:
    return {r.test.title for r in report.results if not r.passed}


def messages(report) -> dict:
    return {r.test.title: r.message for r in report.results if not r.passed}


def assert_full_marks(report, lessons) -> None:
    failures = {r.test.name: r.message for r in report.results if not r.passed}
    assert failures == {}
    assert report.score == report.max_score > 0
    assert [lesson.lesson for lesson in report.lessons] == list(lessons)


def assert_nothing_implemented(report) -> None:
    assert report.score == 0
    assert report.results
    assert all("not implemented yet" in r.message for r in report.results)


def assert_loses_exactly(report, expected: set) -> None:
    """The bug costs exactly the expected tests, and exactly their points."""
    assert not report.problem
    assert failed_titles(report) == expected, messages(report)
    deserved = sum(r.test.points for r in report.results if r.test.title in expected)
    assert report.max_score - report.score == deserved


def assert_titles_exist(report, expected_failures: dict) -> None:
    titles = {r.test.title for r in report.results}
    for fixture, expected in expected_failures.items():
        assert expected <= titles, fixture
