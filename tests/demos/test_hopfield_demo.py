"""``microtensor demo hopfield`` runs end to end, quickly, and says what it did."""

import numpy as np

from microtensor.cli import main
from microtensor.datasets import letters_5x7, pattern_to_text
from microtensor.demos import hopfield as demo

FAST = ["--size", "40", "--trials", "1"]


def run_demo(capsys, *args):
    code = main(["demo", "hopfield", *args])
    return code, capsys.readouterr().out


def test_demo_prints_probe_and_recall_side_by_side(capsys):
    code, out = run_demo(capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Hopfield network: 35 units (5x7 letters T O X L)")
    assert "stored pictures that are fixed points: 4 of 4" in out
    # The recalled T stands beside its probes, row by row, as in the font.
    art = pattern_to_text(letters_5x7()["T"]).splitlines()
    start = lines.index("--- T " + "-" * 40)
    block = lines[start + 1:start + 13]
    rows = [line for line in block if line.strip().startswith(("#", "."))]
    assert len(rows) == 7
    flipped = 0
    for k, (row, expected) in enumerate(zip(rows, art)):
        noisy, recalled, erased, recalled_too = row.split()
        assert recalled == expected and recalled_too == expected
        assert erased == (expected if k < 3 else ".....")
        flipped += sum(a != b for a, b in zip(noisy, expected))
    assert flipped == 4  # 10% of 35 pixels, as the title says
    assert "4 px flipped" in lines[start + 1]
    assert out.count("recalled T,") == 2
    assert "recalled the right picture from 8 of 8 damaged probes" in out


def test_correlated_letters_need_storkey(capsys):
    _, hebb = run_demo(capsys, "--letters", "HOPE")
    assert "fixed points: 1 of 4" in hebb and "try --rule storkey" in hebb
    _, storkey = run_demo(capsys, "--letters", "HOPE", "--rule", "storkey")
    assert "fixed points: 4 of 4" in storkey and "try --rule" not in storkey


def test_digits_can_be_stored_instead(capsys):
    code, out = run_demo(capsys, "--digits", "017", "--rule", "storkey")
    assert code == 0
    assert "64 units (8x8 digits 0 1 7)" in out
    assert "recalled 0," in out and "recalled 7," in out


def test_demo_refuses_bad_options(capsys):
    code, out = run_demo(capsys, "--letters", "123")
    assert code == 2 and "expected capital letters" in out
    code, out = run_demo(capsys, "--flip", "1.5")
    assert code == 2 and "--flip" in out


def test_demo_saves_the_grid_and_the_capacity_curve(capsys, tmp_path):
    target = tmp_path / "hopfield.png"
    code, out = run_demo(capsys, "--plot", str(target), *FAST)
    assert code == 0
    assert f"saved {target}" in out and target.stat().st_size > 10_000
    assert "Capacity with n = 40 random patterns" in out
    table = [line.split() for line in out.splitlines()
             if line.startswith("      0.")]
    assert len(table) == len(demo.LOADS)
    assert all(float(hebb) <= 1 and float(storkey) <= 1 for _, hebb, storkey in table)


def test_storkey_outlasts_hebb_on_the_capacity_curve():
    success = demo.capacity_curve(60, 2, np.random.default_rng(0))
    hebb, storkey = np.array(success["hebb"]), np.array(success["storkey"])
    assert hebb[0] == storkey[0] == 1.0
    high = demo.LOADS >= 0.2
    assert hebb[high].mean() < 0.5 < storkey[high].mean()
    assert demo.collapse_load(success["hebb"]) is not None


def test_demo_rules_match_the_lesson_formulas():
    rng = np.random.default_rng(4)
    patterns = rng.choice([-1.0, 1.0], size=(3, 9))
    W = demo.hebb(patterns)
    expected = patterns.T @ patterns / 9
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(W, expected)
    np.testing.assert_allclose(demo.storkey(patterns[:1]), demo.hebb(patterns[:1]))
    S = demo.storkey(patterns)
    np.testing.assert_allclose(S, S.T, atol=1e-12)
    assert not np.diag(S).any()


def test_recall_keeps_a_unit_whose_field_is_zero():
    W = np.zeros((3, 3))
    probes = np.array([[1.0, -1.0, 1.0]])
    states, sweeps = demo.recall(W, probes, np.random.default_rng(0))
    np.testing.assert_array_equal(states, probes)
    assert sweeps == 1
