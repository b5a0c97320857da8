"""Find lines of the reference solutions in a folder that is about to be published.

A *secret* line is a line of a function body in ``solutions/<lesson>.py``
(docstrings left out) that is not trivial: not blank, not a comment, not
only brackets and punctuation, not a bare statement such as ``return self``
or ``break``, not a short idiom with at most `MAX_TRIVIAL_WORDS` names and
numbers in it (``for p in params:``), and not a line the lesson's stub has
outside its function bodies (signatures, docstrings and imports are shared
with the students on purpose; a stub's bodies only raise
NotImplementedError).

Every text file of the release is read line by line, and each line that is a
secret line is a finding. Findings outside the ``microtensor`` package (the
exercises, the README, configuration, any stray file) are leaks. Inside the
package the engine and the graded suite's trusted references compute some of
the same formulas in NumPy, one line at a time, on purpose; there a finding
is a leak when `MIN_BLOCK` or more consecutive lines of one file are secret
lines, which is what a copied function looks like, and single shared lines
are reported as notes.
"""

from __future__ import annotations

import ast
import io
import keyword
import os
import re
import tokenize
from dataclasses import dataclass

MAX_TRIVIAL_WORDS = 3
MIN_BLOCK = 3
BARE_STATEMENTS = frozenset(
    [
        "return self",
        "return",
        "return None",
        "return True",
        "return False",
        "pass",
        "break",
        "continue",
        "else:",
        "try:",
        "finally:",
        "except Exception:",
        "raise",
        "...",
    ]
)
TEXT_SUFFIXES = (
    ".py",
    ".md",
    ".txt",
    ".toml",
    ".cfg",
    ".ini",
    ".json",
    ".yml",
    ".yaml",
    ".rst",
    ".csv",
    ".sh",
    ".html",
    ".ipynb",
)
PUNCTUATION = re.compile(r"[\s()\[\]{},:;.]*")


@dataclass(frozen=True)
class Finding:
    """A release line equal to a line of a reference solution."""

    path: str
    line: int
    text: str
    solution: str
    solution_line: int

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.text!r} "
            f"(solutions/{self.solution}:{self.solution_line})"
        )


def normalize(line: str) -> str:
    """A line without its indentation, its comment-free trailing space collapsed."""
    return " ".join(line.strip().split())


def is_trivial(text: str) -> bool:
    """True for lines that identify no solution (see the module docstring)."""
    if (
        not text
        or text.startswith("#")
        or PUNCTUATION.fullmatch(text)
        or text in BARE_STATEMENTS
    ):
        return True
    return _word_count(text) <= MAX_TRIVIAL_WORDS


def _word_count(text: str) -> int:
    """Names (keywords excluded), numbers and strings on the line."""
    count = 0
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return len(re.findall(r"\w+", text))
    for token in tokens:
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string) or token.type in (tokenize.NUMBER, tokenize.STRING):
            count += 1
    return count


def body_line_numbers(source: str) -> set[int]:
    """Line numbers of every function body in ``source``, docstrings left out."""
    numbers: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = node.body
        if body and _is_docstring(body[0]):
            body = body[1:]
        for statement in body:
            numbers.update(range(statement.lineno, statement.end_lineno + 1))
    return numbers


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def secret_lines(solutions_dir: str, stubs_dir: str) -> dict[str, tuple[str, int]]:
    """Normalized secret line -> (solution file, line number) of its first use."""
    secrets: dict[str, tuple[str, int]] = {}
    for name in sorted(os.listdir(solutions_dir)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(solutions_dir, name), encoding="utf-8") as f:
            source = f.read()
        shared = _stub_lines(os.path.join(stubs_dir, name))
        lines = source.splitlines()
        for number in sorted(body_line_numbers(source)):
            text = normalize(lines[number - 1])
            if text not in shared and not is_trivial(text):
                secrets.setdefault(text, (name, number))
    return secrets


def _stub_lines(path: str) -> set[str]:
    """The stub's lines outside its function bodies: signatures, docstrings, imports.

    Body lines of the stub are not shared: a stub that is really the solution
    must not make the solution's lines look public.
    """
    if not os.path.exists(path):
        return set()
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        body = body_line_numbers(source)
    except SyntaxError:
        body = set()
    return {
        normalize(line)
        for number, line in enumerate(source.splitlines(), start=1)
        if number not in body
    }


def scan(release_dir: str, secrets: dict) -> list[Finding]:
    """Every line of every text file under ``release_dir`` that is a secret line."""
    findings = []
    for root, dirs, files in os.walk(release_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith(TEXT_SUFFIXES) and "." in name:
                continue
            path = os.path.join(root, name)
            findings.extend(
                _scan_file(path, os.path.relpath(path, release_dir), secrets)
            )
    return findings


def _scan_file(path: str, shown: str, secrets: dict) -> list[Finding]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (UnicodeDecodeError, OSError):
        return []
    found = []
    for number, line in enumerate(lines, start=1):
        text = normalize(line)
        if text in secrets:
            found.append(Finding(shown, number, text, *secrets[text]))
    return found


def leaks(findings: list[Finding], package: str = "microtensor") -> tuple[list, list]:
    """Split findings into (leaks, notes) by the rule in the module docstring."""
    inside = [f for f in findings if f.path.split(os.sep)[0] == package]
    outside = [f for f in findings if f.path.split(os.sep)[0] != package]
    blocks = _blocks(inside)
    in_block = {id(f) for block in blocks for f in block}
    notes = [f for f in inside if id(f) not in in_block]
    return outside + [f for block in blocks for f in block], notes


def _blocks(findings: list[Finding]) -> list[list[Finding]]:
    """Runs of at least MIN_BLOCK findings on consecutive lines of one file."""
    runs: list[list[Finding]] = []
    for finding in sorted(findings, key=lambda f: (f.path, f.line)):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last.path == finding.path
            and finding.line == last.line + 1
        ):
            runs[-1].append(finding)
        else:
            runs.append([finding])
    return [run for run in runs if len(run) >= MIN_BLOCK]
