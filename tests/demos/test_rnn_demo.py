"""``microtensor demo rnn`` runs end to end, quickly, and says what it did."""

import numpy as np
import pytest

from microtensor.cli import main
from microtensor.datasets import load_text
from microtensor.demos import rnn as demo

FAST = ["demo", "rnn", "--epochs", "3", "--hidden", "24", "--length", "40"]


def run_demo(capsys, *extra):
    code = main(FAST + list(extra))
    return code, capsys.readouterr().out


def test_demo_trains_and_samples_before_and_after(capsys):
    code, out = run_demo(capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("text: 4983 characters")
    before = lines[lines.index("sampled before training:") + 1]
    after = lines[lines.index("sampled after training:") + 1]
    assert before.startswith("Four score") and after.startswith("Four score")
    assert "training [" in out and "3/3" in out


def test_samples_continue_the_prompt_with_characters_of_the_text():
    rng = np.random.default_rng(1)
    alphabet, _ = demo.encode(load_text())
    model = demo.CharElman(len(alphabet), 8, rng)
    text = demo.sample(model, alphabet, "Four score", 50, 0.6, rng)
    assert text.startswith("Four score") and len(text) == len("Four score") + 50
    assert set(text) <= set(alphabet)


def test_demo_loss_goes_down_within_three_epochs(capsys):
    _, out = run_demo(capsys)
    (line,) = [line for line in out.splitlines() if line.startswith("loss: ")]
    first, last = (float(word) for word in line.split()[1:4:2])
    uniform = float(line.rsplit(" ", 1)[1].rstrip(")"))
    assert last < first < uniform + 0.5


def test_demo_saves_the_loss_curve(capsys, tmp_path):
    target = tmp_path / "loss.png"
    code, out = run_demo(capsys, "--plot", str(target))
    assert code == 0
    assert f"saved {target}" in out
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("option", ["--epochs", "--hidden", "--window"])
def test_demo_refuses_sizes_below_one(capsys, option):
    code, out = run_demo(capsys, option, "0")
    assert code == 2
    assert f"{option} must be at least 1" in out


def test_streams_pair_each_character_with_the_next():
    alphabet, codes = demo.encode("abcdefghij")
    inputs, targets = demo.streams(codes, 3)
    assert inputs.shape == targets.shape == (3, 3)
    assert "".join(alphabet[c] for c in inputs[:, 0]) == "abc"
    assert "".join(alphabet[c] for c in targets[:, 0]) == "bcd"
    np.testing.assert_array_equal(targets[:-1], inputs[1:])


def test_one_window_of_truncated_bptt_lowers_the_loss():
    rng = np.random.default_rng(0)
    alphabet, codes = demo.encode(load_text()[:400])
    inputs, targets = demo.streams(codes, 4)
    model = demo.CharElman(len(alphabet), 16, rng)
    optimizer = demo.optim.Adam(model.parameters(), lr=0.01)
    losses = [demo.train_epoch(model, optimizer, inputs, targets, 10, 5.0)
              for _ in range(3)]
    assert losses[-1] < losses[0]
