"""Feedback for people: the terminal table and each test's feedback text.

This is the one place the grader turns results into words; the CLI prints
what it returns, results.json embeds the same texts.
"""

from __future__ import annotations

import textwrap

from microtensor.grading import registry

PASS, FAIL = "PASS", "FAIL"
OUTPUT_SHOWN = 1500


def feedback_text(result) -> str:
    """What a student reads about one test: the reason, then what their code printed."""
    parts = []
    if result.message:
        parts.append(result.message)
    if result.output.strip():
        shown = result.output[-OUTPUT_SHOWN:]
        parts.append("your code printed:\n" + textwrap.indent(shown.rstrip(), "  | "))
    return "\n".join(parts)


def summary_line(report) -> str:
    score, total = report.score, report.max_score
    percent = 100.0 * score / total if total else 0.0
    return f"Score: {_num(score)} / {_num(total)} ({percent:.0f}%) in {report.seconds:.1f} s"


def _num(x: float) -> str:
    return f"{x:g}"


def lesson_table(lesson, width: int = 88) -> str:
    """One lesson's table: status, points, number and name, then reasons."""
    title = registry.LESSON_TITLES.get(lesson.lesson, lesson.lesson)
    lines = [f"{title}  [{lesson.lesson}.py]  "
             f"{_num(lesson.score)}/{_num(lesson.max_score)}"]
    lines.append("-" * min(width, max(len(lines[0]), 40)))
    for result in lesson.results:
        mark = PASS if result.passed else FAIL
        points = f"{_num(result.score)}/{_num(result.test.points)}"
        lines.append(f"  {mark}  {points:>7}  {result.test.number:<5} {result.test.title}")
        if not result.passed:
            text = feedback_text(result)
            lines.append(textwrap.indent(_clip(text), "               "))
    for note in lesson.notes:
        lines.append(f"  NOTE  {note}")
    return "\n".join(lines)


def _clip(text: str, max_lines: int = 14) -> str:
    lines = text.splitlines()
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"[... {len(lines) - max_lines} more lines]"]
    return "\n".join(lines)


def render(report) -> str:
    """The whole terminal report of one graded submission."""
    blocks = [f"Grading {report.submission}"]
    if report.problem:
        blocks.append(report.problem)
    blocks.extend(lesson_table(lesson) for lesson in report.lessons)
    blocks.extend(f"NOTE  {note}" for note in report.notes)
    blocks.append(summary_line(report))
    return "\n\n".join(blocks)
