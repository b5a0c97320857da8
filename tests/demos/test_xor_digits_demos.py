"""``microtensor demo xor`` and ``microtensor demo digits`` run quickly and report."""

import re
import sys

import numpy as np
import pytest

from microtensor.cli import main
from microtensor.datasets import logic_gate
from microtensor.demos import digits as digits_demo
from microtensor.demos import xor as xor_demo

PNG = b"\x89PNG\r\n\x1a\n"


def run_demo(capsys, *argv):
    code = main(["demo", *argv])
    return code, capsys.readouterr().out


# ---------------------------------------------------------------------- xor


def test_xor_demo_solves_xor_and_the_linear_model_does_not(capsys):
    code, out = run_demo(capsys, "xor")
    assert code == 0
    assert out.startswith("XOR: 4 points; network 2 -> 8 (tanh) -> 1 (sigmoid)")
    assert "training [" in out and "300/300" in out
    row = r"^ +([01]) +([01]) +([01]) +([0-9.]+)( +wrong)?$"
    rows = re.findall(row, out, re.MULTILINE)
    assert len(rows) == 4
    for x1, x2, target, output, wrong in rows:
        assert int(target) == int(x1) ^ int(x2)
        assert (float(output) > 0.5) == (target == "1") and not wrong
    assert re.search(r"^accuracy: 4/4, loss 0\.0", out, re.MULTILINE)
    (straight,) = re.findall(r"without the hidden layer: (\d)/4", out)
    assert int(straight) <= 3


def test_xor_demo_marks_wrong_points_after_a_few_steps(capsys):
    code, out = run_demo(capsys, "xor", "--epochs", "3")
    assert code == 0
    (right,) = re.findall(r"^accuracy: (\d)/4", out, re.MULTILINE)
    assert out.count("  wrong") == 4 - int(right) > 0


def test_xor_fit_lowers_the_loss_of_every_seed():
    X, y = logic_gate("xor")
    for seed in range(5):
        model = xor_demo.network(4, np.random.default_rng(seed))
        losses = xor_demo.fit(model, X, y, epochs=50, lr=1.0)
        assert len(losses) == 50
        assert losses[-1] < 0.5 * losses[0]


def test_xor_demo_saves_the_loss_and_the_boundary(capsys, tmp_path):
    target = tmp_path / "xor.png"
    code, out = run_demo(capsys, "xor", "--epochs", "20", "--plot", str(target))
    assert code == 0
    assert f"saved {target}" in out
    assert target.read_bytes()[:8] == PNG


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--hidden", "0"], "--hidden must be at least 1, got 0"),
    (["--lr", "-1"], "--lr must be positive, got -1.0"),
])
def test_xor_demo_refuses_bad_options(capsys, argv, message):
    code, out = run_demo(capsys, "xor", *argv)
    assert code == 2
    assert message in out


def test_plot_without_matplotlib_says_how_to_get_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    target = tmp_path / "xor.png"
    code, out = run_demo(capsys, "xor", "--epochs", "5", "--plot", str(target))
    assert code == 1
    assert "matplotlib is not installed" in out and "nothing was saved" in out
    assert not target.exists()


# ------------------------------------------------------------------- digits


def test_digits_demo_learns_and_prints_the_confusion_matrix(capsys):
    code, out = run_demo(capsys, "digits", "--epochs", "5", "--hidden", "32")
    assert code == 0
    assert out.startswith("digits: 1442 training and 355 test images")
    assert "network: 64 -> 32 (tanh) -> 10 (softmax), 2410 parameters" in out
    assert "5/5" in out
    rows = re.findall(r"^ {4}( \d) ((?:[ .\d]{4}){10})$", out, re.MULTILINE)
    assert [int(label) for label, _ in rows] == list(range(10))
    counts = np.array([[0 if c == "." else int(c) for c in cells.split()]
                       for _, cells in rows])
    assert counts.shape == (10, 10) and counts.sum() == 355
    (percent, right) = re.findall(r"test accuracy: ([\d.]+)% \((\d+) of 355", out)[0]
    assert int(right) == np.trace(counts)
    assert float(percent) >= 90.0


def test_confusion_matrix_counts_each_pair():
    truth = np.array([0, 1, 1, 2, 2, 2])
    read = np.array([0, 1, 2, 2, 2, 0])
    counts = digits_demo.confusion_matrix(truth, read, n_classes=3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [1, 0, 2]])


def test_digits_demo_saves_curves_and_confusion_matrix(capsys, tmp_path):
    target = tmp_path / "digits.png"
    code, out = run_demo(capsys, "digits", "--epochs", "2", "--hidden", "16",
                         "--plot", str(target))
    assert code == 0
    assert f"saved {target}" in out
    assert target.read_bytes()[:8] == PNG


@pytest.mark.parametrize("argv, message", [
    (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--lr", "0"], "--lr must be positive, got 0.0"),
])
def test_digits_demo_refuses_bad_options(capsys, argv, message):
    code, out = run_demo(capsys, "digits", *argv)
    assert code == 2
    assert message in out
