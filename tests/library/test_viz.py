"""viz.to_dot describes the graph; viz.render calls Graphviz or says it is missing."""

import os
import re
import shutil
import stat
import sys

import numpy as np
import pytest

import microtensor as mt
import microtensor.functional as F
from microtensor import nn, viz


def _loss():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
    loss = F.cross_entropy(model(mt.tensor([[1.0, 2.0]])), np.array([1]))
    return model, loss


def test_to_dot_names_every_op_shape_and_which_tensors_require_grad():
    model, loss = _loss()
    text = viz.to_dot(loss, names=dict(model.named_parameters()))
    assert text.startswith("digraph microtensor {") and text.rstrip().endswith("}")
    labels = re.findall(r'label="([^"]*)"', text)
    assert labels[0] == "cross_entropy\\nshape ()\\nrequires_grad"
    assert sum(label.startswith("linear\\n") for label in labels) == 2
    assert "relu\\nshape (1, 3)\\nrequires_grad" in labels
    assert "0.weight\\nshape (3, 2)\\nrequires_grad" in labels
    assert "constant\\nshape (1, 2)" in labels
    nodes = len(labels)
    edges = re.findall(r"n(\d+) -> n(\d+);", text)
    assert nodes == 9 and len(edges) == 8
    assert {int(b) for _, b in edges} <= set(range(nodes))


def test_to_dot_marks_dtype_and_leaves():
    x = mt.tensor([1.0, 2.0], requires_grad=True, dtype=np.float32)
    text = viz.to_dot(F.sigmoid(x))
    assert "float32" in text and "leaf\\nshape (2,)" in text


def test_to_dot_of_a_very_deep_graph_does_not_recurse():
    x = mt.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0
    assert viz.to_dot(y).count("->") == 5000


def test_to_dot_quotes_names_safely_and_rejects_non_tensors():
    x = mt.tensor([1.0], requires_grad=True)
    text = viz.to_dot(x * 2.0, names={'say "hi"\\': x})
    assert 'label="say \\"hi\\"\\\\' in text
    with pytest.raises(TypeError, match="to_dot: expected a Tensor"):
        viz.to_dot(np.ones(2))


def _fake_dot(directory):
    """A stand-in 'dot' that writes its input and arguments to the -o file."""
    script = directory / "dot"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "with open(sys.argv[3], 'w') as out:\n"
        "    out.write('args: ' + ' '.join(sys.argv[1:]) + '\\n' + sys.stdin.read())\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_render_pipes_the_dot_text_to_the_dot_program(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_dot(bin_dir)
    monkeypatch.setenv("PATH", str(bin_dir))
    _, loss = _loss()
    out = viz.render(loss, tmp_path / "graph.svg")
    written = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert out == str(tmp_path / "graph.svg")
    assert written.startswith("args: -Tsvg -o")
    assert viz.to_dot(loss) in written


def test_render_without_graphviz_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    _, loss = _loss()
    with pytest.raises(viz.GraphvizError) as info:
        viz.render(loss, tmp_path / "graph.png")
    message = str(info.value)
    assert "'dot' was not found" in message and "install" in message.lower()
    assert isinstance(info.value, RuntimeError)
    assert not (tmp_path / "graph.png").exists()


def test_render_rejects_an_unknown_format(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf"):
        viz.render(mt.ones(1), tmp_path / "graph.gif")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_render_with_real_graphviz_writes_svg_and_png(tmp_path):
    _, loss = _loss()
    svg = viz.render(loss, tmp_path / "graph.svg")
    png = viz.render(loss, os.fspath(tmp_path / "graph.png"))
    assert "<svg" in (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert svg.endswith(".svg")
