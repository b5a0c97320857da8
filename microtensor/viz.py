"""Draw the graph behind a tensor, as Graphviz DOT text or as an image.

:func:`to_dot` needs nothing but the standard library; :func:`render` runs
Graphviz's ``dot`` program, which must be installed separately.

>>> import microtensor as mt
>>> from microtensor import viz
>>> w = mt.tensor([[1.0, 2.0]], requires_grad=True)
>>> loss = (w * 3.0).sum()
>>> text = viz.to_dot(loss)
>>> text.splitlines()[0]
'digraph microtensor {'
>>> "mul" in text and "sum" in text
True
"""

import os
import shutil
import subprocess

from microtensor.errors import MicrotensorError
from microtensor.tensor import Tensor

__all__ = ["GraphvizError", "render", "to_dot"]

_FORMATS = ("svg", "png", "pdf")


class GraphvizError(MicrotensorError, RuntimeError):
    """The Graphviz ``dot`` program is missing or failed."""


def _walk(root):
    """Return the nodes under ``root`` (root first) and the parent->child edges.

    Iterative, so a graph of any depth can be drawn.
    """
    nodes = [root]
    index = {id(root): 0}
    edges = []
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if id(parent) not in index:
                index[id(parent)] = len(nodes)
                nodes.append(parent)
                stack.append(parent)
            edges.append((index[id(parent)], index[id(node)]))
    return nodes, edges


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _label(node, name):
    if node.op is not None and node.parents:
        title = node.op
    elif name is not None:
        title = name
    else:
        title = "leaf" if node.requires_grad else "constant"
    lines = [title, f"shape {tuple(node.shape)}"]
    if str(node.dtype) != "float64":
        lines.append(str(node.dtype))
    if node.requires_grad:
        lines.append("requires_grad")
    return "\n".join(lines)


def _style(node, is_root):
    if is_root:
        return "shape=box, style=filled, fillcolor=lightyellow"
    if not node.parents:
        color = "lightblue" if node.requires_grad else "lightgrey"
        return f"shape=ellipse, style=filled, fillcolor={color}"
    return "shape=box"


def to_dot(tensor, names=None):
    """Describe the graph that produced ``tensor`` in Graphviz's DOT language.

    One node per tensor, labelled with the op that made it (or "leaf" /
    "constant", or its name from ``names``), its shape, its dtype when not
    float64, and whether it requires grad; edges run from inputs to results.
    Leaves that require grad are blue, constants grey, ``tensor`` yellow.

    Parameters
    ----------
    tensor : Tensor
        The result whose history to draw (e.g. a loss).
    names : mapping of str to Tensor, optional
        Names for tensors, e.g. ``dict(model.named_parameters())``.

    Returns
    -------
    str
        DOT source, ready for ``dot -Tsvg``.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(tensor).__name__}")
    labels = {}
    for name, value in (names or {}).items():
        labels[id(value)] = name
    nodes, edges = _walk(tensor)
    lines = ["digraph microtensor {", "  rankdir=BT;", '  node [fontname="Helvetica"];']
    for i, node in enumerate(nodes):
        label = _quote(_label(node, labels.get(id(node))))
        lines.append(f"  n{i} [label={label}, {_style(node, i == 0)}];")
    for source, target in edges:
        lines.append(f"  n{source} -> n{target};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tensor, path, names=None, format=None):
    """Draw the graph behind ``tensor`` into an image file with Graphviz.

    Parameters
    ----------
    tensor : Tensor
    path : str or os.PathLike
        The file to write; its suffix picks the format unless ``format`` is given.
    names : mapping of str to Tensor, optional
        As in :func:`to_dot`.
    format : {"svg", "png", "pdf"}, optional

    Returns
    -------
    str
        ``path``, as a string.

    Raises
    ------
    GraphvizError
        When the ``dot`` program is not installed or fails.
    """
    path = os.fspath(path)
    fmt = format or os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in _FORMATS:
        raise ValueError(
            f"render: cannot tell the format of {path!r}; use a .svg, .png or .pdf "
            "suffix or pass format="
        )
    text = to_dot(tensor, names)
    dot = shutil.which("dot")
    if dot is None:
        raise GraphvizError(
            "render: the Graphviz program 'dot' was not found on PATH. Install "
            "Graphviz (for example 'apt-get install graphviz' or 'brew install "
            "graphviz'), or save viz.to_dot(tensor) to a .dot file and render it "
            "elsewhere"
        )
    result = subprocess.run(
        [dot, f"-T{fmt}", "-o", path],
        input=text.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip()
        raise GraphvizError(
            f"render: dot exited with status {result.returncode}: {message}"
        )
    return path
