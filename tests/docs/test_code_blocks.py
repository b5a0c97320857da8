"""Every ```python block in docs/ runs, so no example in the site can rot.

The blocks of one page run in order in one namespace, as a reader would type them
into one session; a page's blocks form one test, named after the page. Blocks that
are not meant to run are fenced as ```text, ```bash or ```console instead.
Blocks nested in tabs or admonitions (indented fences) are found too.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```python[^\n]*\n(?P<body>.*?)^(?P=indent)```",
                   re.MULTILINE | re.DOTALL)


def python_blocks(page):
    """The source of each ```python block of ``page``, dedented, in order.

    Parameters
    ----------
    page : Path
        A Markdown file.

    Returns
    -------
    list of (int, str)
        The line number of each fence and the block's code.
    """
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        blocks.append((line, textwrap.dedent(match.group("body"))))
    return blocks


def pages_with_code():
    """Every Markdown page under docs/ that has at least one python block."""
    pages = sorted(DOCS.rglob("*.md"))
    return [p for p in pages if python_blocks(p)]


def page_id(page):
    """A readable test id: the page's path inside docs/."""
    return page.relative_to(DOCS).as_posix()


def test_the_docs_have_runnable_examples():
    """Guard against the finder silently finding nothing."""
    assert len(pages_with_code()) >= 10


@pytest.mark.parametrize("page", pages_with_code(), ids=page_id)
def test_every_python_block_of_a_page_runs_in_order(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)             # a block that writes files writes here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": f"docs_{page.stem}"}
    for line, code in python_blocks(page):
        compiled = compile(code, f"{page_id(page)}:{line}", "exec")
        try:
            exec(compiled, namespace)  # noqa: S102 (running the docs is the point)
        except Exception as exc:
            raise AssertionError(
                f"the ```python block at {page_id(page)} line {line} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc


def test_the_finder_sees_indented_blocks_inside_tabs(tmp_path):
    page = tmp_path / "tabs.md"
    page.write_text(
        '=== "one"\n\n    ```python\n    a = 1\n    ```\n\n'
        "```text\nnot code\n```\n\n```python\nb = a + 1\n```\n",
        encoding="utf-8",
    )
    assert [code for _, code in python_blocks(page)] == ["a = 1\n", "b = a + 1\n"]


def test_no_block_is_fenced_with_a_bare_or_unknown_language():
    """A fence without a language would be neither run nor declared not to run."""
    allowed = {"python", "text", "bash", "console", "yaml", "toml", "json", "ini"}
    opening = re.compile(r"^[ \t]*```(?P<lang>[^\s`]*)", re.MULTILINE)
    problems = []
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        inside = False
        for match in opening.finditer(text):
            if not inside and match.group("lang") not in allowed:
                problems.append(f"{page_id(page)}: ```{match.group('lang')}")
            inside = not inside
    assert problems == []
