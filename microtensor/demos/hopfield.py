"""``microtensor demo hopfield``: an associative memory recalls damaged letters.

A Hopfield network stores a few 5x7 letters (or binarized 8x8 digits) by
Hebb's or Storkey's rule. Each stored picture is then damaged twice, once with
a fraction of its pixels flipped and once with its lower half erased, and the
network recalls from each probe by asynchronous updates. Probe and recall are
printed side by side as text art.

``--plot FILE`` also saves the picture grid and a capacity curve: how often
recall succeeds against the load P/n, for both rules, on random patterns.
Hebb's rule collapses near P/n = 0.138 (a little later at this small n);
Storkey's holds on much longer.

The network is a few lines of NumPy below (the lesson's own exercise is in
``exercises/hopfield.py``; the demo never imports the solutions).
"""

from __future__ import annotations

import numpy as np

from microtensor.datasets import binarized_digits, letters_5x7, pattern_to_text
from microtensor.demos.progress import ProgressBar, save_or_explain, say
from microtensor.random import as_rng

NAME = "hopfield"
HELP = "store letters in a Hopfield network and recall them from damaged copies"

CRITICAL_LOAD = 0.138
#: recall counts as a success when at most this fraction of bits is wrong
SUCCESS_ERRORS = 0.025
#: the fraction of bits flipped in the probes of the capacity curve
CAPACITY_NOISE = 0.05
LOADS = np.round(np.arange(0.02, 0.401, 0.02), 2)


def add_arguments(parser) -> None:
    parser.add_argument("--letters", default="TOXL", metavar="ABC",
                        help="capital letters to store (default TOXL)")
    parser.add_argument("--digits", metavar="0123",
                        help="store binarized 8x8 digits instead of letters")
    parser.add_argument("--rule", choices=("hebb", "storkey"), default="hebb",
                        help="learning rule (default hebb)")
    parser.add_argument("--flip", type=float, default=0.1, metavar="FRACTION",
                        help="fraction of pixels flipped in the noisy probes "
                             "(default 0.1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE",
                        help="save the picture grid and the capacity curve")
    parser.add_argument("--capacity", action="store_true",
                        help="print the capacity table (implied by --plot)")
    parser.add_argument("--size", type=int, default=200, metavar="N",
                        help="units of the capacity experiment (default 200)")
    parser.add_argument("--trials", type=int, default=2, metavar="K",
                        help="pattern sets per load in the capacity experiment "
                             "(default 2)")


# ---------------------------------------------------------------- the network


def hebb(patterns: np.ndarray) -> np.ndarray:
    """Hebb's weights (1/n) Σ ξξᵀ with a zero diagonal, for patterns (P, n)."""
    W = patterns.T @ patterns / patterns.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def storkey(patterns: np.ndarray) -> np.ndarray:
    """Storkey's weights, adding the patterns (P, n) one at a time."""
    n = patterns.shape[1]
    W = np.zeros((n, n))
    for xi in patterns:
        # h[i, j]: the field on unit i from every unit but i and j.
        h = (W @ xi)[:, None] - W * xi[None, :]
        delta = (np.outer(xi, xi) - xi[:, None] * h.T - h * xi[None, :]) / n
        np.fill_diagonal(delta, 0.0)
        W = W + delta
    return W


RULES = {"hebb": hebb, "storkey": storkey}


def recall(W: np.ndarray, probes: np.ndarray, rng, max_sweeps: int = 50):
    """Asynchronous recall of many probes (m, n) at once.

    Every sweep visits the units in a fresh random order; a unit takes the sign
    of its field and keeps its state when the field is 0. Returns the final
    states (m, n) and the number of sweeps run.
    """
    states = np.array(probes, dtype=np.float64)
    for sweep in range(1, max_sweeps + 1):
        before = states.copy()
        for i in rng.permutation(states.shape[1]):
            field = states @ W[i]
            states[:, i] = np.where(field > 0, 1.0, np.where(field < 0, -1.0,
                                                             states[:, i]))
        if np.array_equal(states, before):
            return states, sweep
    return states, max_sweeps


# ---------------------------------------------------------------- the pictures


def load_pictures(args):
    """Return (names, pictures (P, rows, cols)) for the requested letters or digits."""
    if args.digits:
        images, labels = binarized_digits()
        names = [c for c in args.digits if c.isdigit()]
        if not names:
            raise ValueError(
                f"--digits: expected digits such as 0147, got {args.digits!r}"
            )
        pictures = [images[np.flatnonzero(labels == int(c))[0]] for c in names]
        return names, np.array(pictures)
    font = letters_5x7()
    names = [c for c in args.letters.upper() if c in font]
    if not names:
        raise ValueError(f"--letters: expected capital letters, got {args.letters!r}")
    return names, np.array([font[c] for c in names])


def damage(pictures: np.ndarray, flip: float, rng):
    """Return (noisy, erased): pixels flipped at random, lower half set blank."""
    flat = pictures.reshape(len(pictures), -1)
    noisy = flat.copy()
    count = max(1, round(flip * flat.shape[1]))
    for row in noisy:
        row[rng.choice(flat.shape[1], size=count, replace=False)] *= -1
    erased = pictures.copy()
    erased[:, pictures.shape[1] // 2:, :] = -1.0
    return noisy, erased.reshape(len(pictures), -1), count


def verdict(state: np.ndarray, stored: np.ndarray, names) -> str:
    """Name what recall ended at: a stored picture, its negation, or neither."""
    for name, xi in zip(names, stored):
        if np.array_equal(state, xi):
            return f"recalled {name}"
        if np.array_equal(state, -xi):
            return f"-{name} (spurious)"
    wrong = (state[None, :] != stored).sum(axis=1)
    k = int(np.argmin(wrong))
    return f"spurious ({wrong[k]} px off {names[k]})"


def side_by_side(blocks, gap: int = 4) -> list[str]:
    """Lay out text blocks (lists of equal-width lines) in one row."""
    widths = [max(len(line) for line in block) for block in blocks]
    height = max(len(block) for block in blocks)
    lines = []
    for r in range(height):
        cells = [(block[r] if r < len(block) else "").ljust(w)
                 for block, w in zip(blocks, widths)]
        lines.append((" " * gap).join(cells).rstrip())
    return lines


def show(name, shape, probes, recalls, verdicts, sweeps, titles):
    """Print one stored picture's probes and recalls as text art."""
    blocks = []
    for title, probe, state, said, k in zip(titles, probes, recalls, verdicts, sweeps):
        art_probe = pattern_to_text(probe.reshape(shape)).splitlines()
        art_state = pattern_to_text(state.reshape(shape)).splitlines()
        block = [title, ""] + side_by_side([["probe"] + art_probe,
                                            ["recall"] + art_state], gap=3)
        block += [f"{said}, {k} sweep{'s' * (k != 1)}"]
        blocks.append(block)
    say(f"--- {name} " + "-" * 40)
    for line in side_by_side(blocks, gap=6):
        say(("  " + line).rstrip())
    say()


# ---------------------------------------------------------------- capacity


def capacity_curve(n: int, trials: int, rng) -> dict:
    """Recall success against the load P/n for both rules, on random patterns.

    Each probe is a stored pattern with 5% of its bits flipped; recall succeeds
    when at most 2.5% of the bits end up wrong.
    """
    success = {rule: [] for rule in RULES}
    with ProgressBar(len(LOADS) * len(RULES), "capacity") as bar:
        for load in LOADS:
            p = max(1, round(load * n))
            for rule, learn in RULES.items():
                rates = []
                for _ in range(trials):
                    patterns = rng.choice([-1.0, 1.0], size=(p, n))
                    probes = patterns * np.where(rng.random((p, n)) < CAPACITY_NOISE,
                                                 -1.0, 1.0)
                    states, _ = recall(learn(patterns), probes, rng)
                    wrong = (states != patterns).mean(axis=1)
                    rates.append(float((wrong <= SUCCESS_ERRORS).mean()))
                success[rule].append(float(np.mean(rates)))
                bar.update(load=float(load))
    return success


def collapse_load(success: list) -> float | None:
    """The first load at which fewer than half the recalls succeed."""
    for load, rate in zip(LOADS, success):
        if rate < 0.5:
            return float(load)
    return None


def report_capacity(n: int, success: dict) -> None:
    say(f"Capacity with n = {n} random patterns: share of recalls from a probe with "
        f"{CAPACITY_NOISE:.0%} of bits flipped that end within {SUCCESS_ERRORS:.1%}")
    say("  load P/n   " + "".join(f"{rule:>9}" for rule in success))
    for k, load in enumerate(LOADS):
        say(f"  {load:8.2f}   " + "".join(f"{success[r][k]:9.2f}" for r in success))
    for rule, rates in success.items():
        where = collapse_load(rates)
        if where is None:
            say(f"  {rule}: recall holds up to P/n = {LOADS[-1]:.2f}")
        else:
            say(f"  {rule}: fewer than half the recalls succeed from P/n = {where:.2f}")
    say(f"  (theory for large n: Hebb's rule collapses at P/n = {CRITICAL_LOAD})")


def figure(names, shape, stored, probes, recalls, n, success):
    """A figure maker for save_or_explain: picture grid above, capacity below."""

    def make(plt):
        rows = len(names)
        fig = plt.figure(figsize=(8, 1.6 * rows + 3.6))
        grid = fig.add_gridspec(rows + 2, 5, height_ratios=[1] * rows + [0.3, 2.2])
        titles = ("stored", "noisy probe", "recall", "erased probe", "recall")
        for r in range(rows):
            pictures = (stored[r], probes[0][r], recalls[0][r], probes[1][r],
                        recalls[1][r])
            for c, picture in enumerate(pictures):
                ax = fig.add_subplot(grid[r, c])
                ax.imshow(picture.reshape(shape), cmap="gray_r", vmin=-1, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if r == 0:
                    ax.set_title(titles[c], fontsize=9)
                if c == 0:
                    ax.set_ylabel(names[r], rotation=0, labelpad=12, fontsize=11)
        if success is not None:
            ax = fig.add_subplot(grid[rows + 1, :])
            for rule, rates in success.items():
                ax.plot(LOADS, rates, marker="o", label=f"{rule.capitalize()}'s rule")
            ax.axvline(CRITICAL_LOAD, color="gray", linestyle="--",
                       label=f"P/n = {CRITICAL_LOAD}")
            ax.set_xlabel("load P/n")
            ax.set_ylabel("recall success")
            ax.set_title(f"capacity, n = {n} random patterns", fontsize=10)
            ax.set_ylim(-0.05, 1.05)
            ax.legend(fontsize=8)
        return fig

    return make


# ---------------------------------------------------------------- run


def run(args) -> int:
    try:
        names, pictures = load_pictures(args)
    except ValueError as exc:
        say(f"microtensor demo hopfield: {exc}")
        return 2
    if not 0.0 <= args.flip <= 1.0 or args.size < 4 or args.trials < 1:
        say("microtensor demo hopfield: --flip lies in [0, 1], --size is at least 4 "
            "and --trials at least 1")
        return 2
    rng = as_rng(args.seed)
    shape = pictures.shape[1:]
    stored = pictures.reshape(len(pictures), -1)
    n = stored.shape[1]
    W = RULES[args.rule](stored)
    fixed = sum(bool((W @ xi * xi >= 0).all()) for xi in stored)
    kind = "digits" if args.digits else "letters"
    say(f"Hopfield network: {n} units ({shape[1]}x{shape[0]} {kind} "
        f"{' '.join(names)}), {args.rule.capitalize()}'s rule, load P/n = "
        f"{len(names) / n:.2f}")
    say(f"stored pictures that are fixed points: {fixed} of {len(names)}")
    if fixed < len(names):
        say("  (similar pictures interfere; try --rule storkey, or fewer and more "
            "distinct pictures)")
    say()

    noisy, erased, count = damage(pictures, args.flip, rng)
    titles = (f"{count} px flipped", "lower half erased")
    recalls, sweeps = [], []
    for probes in (noisy, erased):
        states, k = zip(*(recall(W, probe[None, :], rng) for probe in probes))
        recalls.append(np.vstack(states))
        sweeps.append(k)
    verdicts = [[verdict(s, stored, names) for s in states] for states in recalls]
    for i, name in enumerate(names):
        show(name, shape, (noisy[i], erased[i]), (recalls[0][i], recalls[1][i]),
             (verdicts[0][i], verdicts[1][i]), (sweeps[0][i], sweeps[1][i]), titles)
    hits = sum(said == f"recalled {name}" for row in verdicts
               for said, name in zip(row, names))
    say(f"recalled the right picture from {hits} of {2 * len(names)} damaged probes")

    success = None
    if args.capacity or args.plot:
        say()
        success = capacity_curve(args.size, args.trials, rng)
        report_capacity(args.size, success)
    if args.plot:
        return save_or_explain(figure(names, shape, stored, (noisy, erased),
                                      recalls, args.size, success), args.plot)
    return 0
