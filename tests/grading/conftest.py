"""Module-scoped gradings shared by the lesson grading tests (see lesson_grading)."""

import pytest
from lesson_grading import FIXTURES, grade_folder, lessons_of


@pytest.fixture(scope="module")
def reference_report(request):
    return grade_folder("solutions", lessons_of(request.module))


@pytest.fixture(scope="module")
def stub_report(request):
    return grade_folder("exercises", lessons_of(request.module))


@pytest.fixture(scope="module")
def fixture_reports(request):
    lessons = lessons_of(request.module)
    return {name: grade_folder(f"{FIXTURES}/{name}", lessons)
            for name in sorted(request.module.EXPECTED_FAILURES)}
