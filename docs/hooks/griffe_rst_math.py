"""A griffe extension: turn the reST markup of numpydoc docstrings into Markdown.

The package's docstrings follow numpydoc, which writes math as ``:math:`x^2```
and ``.. math:: x^2`` and cross-references as ``:func:`softmax```. The API
reference is rendered as Markdown, where those would show up verbatim. Before
mkdocstrings renders a docstring, this extension rewrites

- ``:math:`TEX``` to the inline math ``\\(TEX\\)``,
- a ``.. math::`` directive (its text on the same line and/or on the indented
  lines below it) to a display block ``$$ TEX $$``, inside an ``aligned``
  environment when it uses ``&`` or ``\\\\`` as reST allows,
- ``:func:`name```, ``:class:`name``` and the other Python roles to the code
  span ``name``,
- a simple table (rows between ``====  ====`` borders) to a Markdown table,
- the ``::`` that introduces a literal block to a plain colon,

which pymdownx.arithmatex and the bundled KaTeX then render like the rest of the
site. The docstrings themselves stay plain numpydoc.
"""

from __future__ import annotations

import itertools
import re

import griffe

INLINE_MATH = re.compile(r":math:`([^`]+)`")
PY_ROLE = re.compile(
    r":(?:py:)?(?:func|class|meth|mod|attr|data|obj|exc|const):`~?([^`]+)`"
)
# A paragraph ending in "::" introduces a literal block in reST; in Markdown the
# indented block is already code, and the marker shows as "text:".
LITERAL_MARKER = re.compile(r"^(?![ \t]*\.\. )(.*\S)::[ \t]*$", re.MULTILINE)
LONE_LITERAL_MARKER = re.compile(r"^[ \t]*::[ \t]*$", re.MULTILINE)
TABLE_BORDER = re.compile(r"^[ \t]*=+(?: +=+)+[ \t]*$")
DIRECTIVE = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)$")


def _indent_of(line):
    """Number of leading spaces of a line."""
    return len(line) - len(line.lstrip(" "))


def _math_blocks(text):
    """Rewrite every ``.. math::`` directive of ``text`` as a ``$$`` block."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        match = DIRECTIVE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        indent = match.group("indent")
        body = [match.group("first")] if match.group("first").strip() else []
        i += 1
        while i < len(lines) and (not lines[i].strip()
                                  or _indent_of(lines[i]) > len(indent)):
            body.append(lines[i].strip())
            i += 1
        tex = " ".join(part for part in body if part)
        if ("&" in tex or "\\\\" in tex) and "\\begin" not in tex:
            # reST's math directive aligns on & by itself; KaTeX needs it said.
            tex = f"\\begin{{aligned}} {tex} \\end{{aligned}}"
        out.extend(["", f"{indent}$$", f"{indent}{tex}", f"{indent}$$", ""])
    return "\n".join(out)


def _columns(border):
    """The (start, end) of each ``===`` run of a simple-table border line."""
    return [(m.start(), m.end()) for m in re.finditer(r"=+", border)]


def _cells(line, columns):
    """Split one table row at the columns' starts; the last column runs on."""
    starts = [start for start, _ in columns] + [len(line) + 1]
    return [line[a:b].strip() for a, b in itertools.pairwise(starts)]


def _markdown_table(rows):
    """A Markdown table from a header row and body rows of cells."""
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return lines


def _simple_tables(text):
    """Rewrite every reST simple table (``===  ===`` borders) as a Markdown table."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        if not TABLE_BORDER.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        columns = _columns(lines[i])
        rows, borders = [], 1
        i += 1
        while i < len(lines) and borders < 3:
            if TABLE_BORDER.match(lines[i]):
                borders += 1
            elif lines[i].strip():
                rows.append(_cells(lines[i], columns))
            i += 1
        out.extend(["", *_markdown_table(rows), ""])
    return "\n".join(out)


def rst_to_markdown(text):
    """Return ``text`` with reST math and Python roles rewritten as Markdown.

    Parameters
    ----------
    text : str
        A docstring.

    Returns
    -------
    str
    """
    text = _simple_tables(_math_blocks(text))
    text = LONE_LITERAL_MARKER.sub("", LITERAL_MARKER.sub(r"\1:", text))
    text = INLINE_MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    return PY_ROLE.sub(lambda m: f"`{m.group(1)}`", text)


class RstMath(griffe.Extension):
    """Rewrite each object's docstring before it is rendered."""

    def on_instance(self, *, node, obj, agent, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)
