"""Write each lesson's table of graded properties from the grading suite itself.

A page asks for the table with ``<!-- microtensor:graded-table LESSON -->`` on a
line of its own. The hook asks ``microtensor.grading.registry.all_tests(LESSON)``
for the registered tests and writes one row per test: its number, the property it
checks (the test's title and the first paragraph of its docstring), its points and
when the student sees its result. Tests marked ``hidden`` are counted, not listed:
their titles are for the instructor only. The pages therefore show exactly what the
grader grades, and cannot drift from it.
"""

from __future__ import annotations

import html
import importlib
import logging
import re
import sys
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.graded_tables")

MARKER = re.compile(
    r"^<!-- microtensor:graded-table (?P<lesson>\w+) -->$", re.MULTILINE
)
MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]|$]")

VISIBILITY_WORDS = {
    "visible": "always",
    "after_due_date": "after the due date",
    "after_published": "when grades are published",
}


def _registry():
    """Return the registry module, or None while the grader is not installed."""
    try:
        registry = importlib.import_module("microtensor.grading.registry")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("microtensor"):
            log.info("graded_tables: %s is not available yet", exc.name)
            return None
        raise
    return registry


def _cell(text):
    """Make suite text literal inside one Markdown table cell.

    Titles and docstrings are plain text: ``leaky_relu``, ``alpha * z`` or a
    dollar sign must show as written, not as emphasis, a table border or math.
    """
    text = html.escape(" ".join(str(text or "").split()), quote=False)
    return MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _points(value):
    """Points as a short number: 2, 1.5."""
    return f"{value:g}"


def _table(tests):
    """The Markdown table for a list of GradedTest, hidden ones summarized."""
    shown = [t for t in tests if t.visibility != "hidden"]
    hidden = [t for t in tests if t.visibility == "hidden"]
    lines = ["| # | Graded property | Points | Result shown |",
             "|---|---|--:|---|"]
    for test in shown:
        prop = f"<strong>{_cell(test.title)}</strong>"
        if test.description:
            prop += f"<br>{_cell(test.description)}"
        when = VISIBILITY_WORDS.get(test.visibility, _cell(test.visibility))
        lines.append(f"| {_cell(test.number)} | {prop} | {_points(test.points)} "
                     f"| {when} |")
    total = sum(t.points for t in tests)
    lines.append("")
    summary = f"**Total: {_points(total)} points** in {len(tests)} graded tests"
    if hidden:
        hidden_points = _points(sum(t.points for t in hidden))
        summary += (f", of which {len(hidden)} hidden tests worth {hidden_points} "
                    "points are graded on submission and not listed here")
    lines.append(summary + ".")
    return "\n".join(lines) + "\n"


def _replacement(lesson):
    """Markdown for one marker."""
    registry = _registry()
    if registry is None:
        return ('!!! note "Graded properties"\n'
                "    This table is generated from the grading suite when the site "
                "is built; the grader is not installed in this build.\n")
    if lesson not in registry.LESSONS:
        raise ValueError(f"graded_tables: unknown lesson {lesson!r}; "
                         f"the registry knows {registry.LESSONS}")
    tests = registry.all_tests(lesson)
    if not tests:
        return ('!!! note "Graded properties"\n'
                f"    No graded tests are registered for `{lesson}` yet.\n")
    return _table(tests)



def on_config(config):
    """Make the checkout's ``microtensor`` importable, installed or not."""
    root = str(Path(config.config_file_path).resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return config

def on_page_markdown(markdown, page, config, files):
    """Replace each graded-table marker with the lesson's table."""
    return MARKER.sub(lambda m: _replacement(m.group("lesson")), markdown)
