"""The graded property tests, their points and their visibility.

A graded test is an ordinary function in ``microtensor/grading/suite/test_<lesson>.py``
marked with `graded`. Its parameters name the lessons it talks to: a test
``def test_x(neuron)`` receives the `LessonClient` of the submission's
``neuron.py``. The same functions run under ``microtensor grade`` (through
`runner`) and under ``pytest`` (through `pytest_plugin`).
"""

from __future__ import annotations

import importlib
import inspect
import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, settings

LESSONS = ("neuron", "perceptron", "mlp", "rnn", "hopfield")
LESSON_TITLES = {
    "neuron": "Lesson 1: the artificial neuron and its activations",
    "perceptron": "Lesson 2: Rosenblatt's perceptron",
    "mlp": "Lesson 3: the multi-layer perceptron and backpropagation",
    "rnn": "Lesson 4: the Elman network and backpropagation through time",
    "hopfield": "Lesson 5: associative memory (Hopfield, BAM)",
}
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
SUITE_PACKAGE = "microtensor.grading.suite"
SUITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "suite")

#: Hypothesis settings of every graded test: the same examples on every run and
#: machine (derandomized, no example database), no deadline, whatever profile
#: is loaded. Tests narrow ``max_examples`` with `examples`. The explain phase
#: is left out: the feedback drops its comments anyway, and after a failure it
#: re-runs the test many times (ten times the grading time of a buggy
#: submission on some suites).
GRADING = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[phase for phase in Phase if phase is not Phase.explain],
    max_examples=30,
    print_blob=False,
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
)


def examples(n: int) -> settings:
    """Grading settings with ``n`` examples (use as a decorator under `given`)."""
    return settings(GRADING, max_examples=n)


@dataclass
class GradedTest:
    """One graded property: where it is, what it is worth, who may see it."""

    lesson: str
    title: str
    points: float
    func: object
    visibility: str = "visible"
    tags: tuple = ()
    budget: float = 60.0
    number: str = ""
    lessons_used: tuple = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return f"{self.lesson}: {self.title}"

    @property
    def description(self) -> str:
        doc = inspect.getdoc(self.func) or ""
        return doc.split("\n\n")[0].replace("\n", " ")


def graded(points: float, title: str, visibility: str = "visible", tags=(),
           budget: float = 60.0):
    """Mark a suite function as a graded test worth ``points``.

    ``budget`` is the test's wall-time limit in seconds, submission calls
    included.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, got {visibility!r}")
    if points <= 0:
        raise ValueError(f"a graded test is worth more than 0 points, got {points}")

    def mark(func):
        lesson = func.__module__.rsplit(".", 1)[-1].removeprefix("test_")
        used = tuple(_lesson_parameters(func))
        func.graded = GradedTest(lesson, title, float(points), func, visibility,
                                 tuple(tags), float(budget), lessons_used=used)
        return func

    return mark


def _lesson_parameters(func):
    # Hypothesis' wrapper keeps exactly the parameters that `given` does not fill.
    for name in inspect.signature(func).parameters:
        if name in LESSONS:
            yield name


def suite_modules(lessons=LESSONS):
    """Import the suite module of each lesson that has one."""
    modules = []
    for lesson in lessons:
        if os.path.exists(os.path.join(SUITE_DIR, f"test_{lesson}.py")):
            modules.append(importlib.import_module(f"{SUITE_PACKAGE}.test_{lesson}"))
    return modules


def all_tests(lesson: str | None = None) -> list[GradedTest]:
    """Every graded test in suite order, numbered ``<lesson index>.<k>``."""
    if lesson is not None and lesson not in LESSONS:
        raise ValueError(f"unknown lesson {lesson!r}; the lessons are {', '.join(LESSONS)}")
    tests = []
    for module in suite_modules():
        found = [obj.graded for obj in vars(module).values() if hasattr(obj, "graded")]
        found = [t for t in found if t.func.__module__ == module.__name__]
        found.sort(key=lambda t: inspect.getsourcelines(t.func)[1])
        lesson_name = module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
        index = LESSONS.index(lesson_name) + 1
        for k, test in enumerate(found, start=1):
            test.number = f"{index}.{k}"
        tests.extend(found)
    if lesson is not None:
        tests = [t for t in tests if t.lesson == lesson]
    return tests


def lessons_with_tests() -> list[str]:
    return [lesson for lesson in LESSONS if all_tests(lesson)]
