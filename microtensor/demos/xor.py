"""``microtensor demo xor``: one hidden layer learns what no straight line can.

A network 2 -> hidden (tanh) -> 1 (sigmoid) is trained by plain gradient
descent on the four points of XOR, with the binary cross-entropy of its
output. For comparison the same training without the hidden layer (logistic
regression, one straight boundary) is run too: it cannot get all four right.
"""

from __future__ import annotations

import numpy as np

import microtensor as mt
import microtensor.functional as F
from microtensor import nn, optim
from microtensor.datasets import logic_gate
from microtensor.demos.progress import ProgressBar, save_or_explain, say

NAME = "xor"
HELP = "a two-layer network learns XOR, which a single layer cannot"


def add_arguments(parser) -> None:
    parser.add_argument("--epochs", type=int, default=300,
                        help="gradient-descent steps on the four points (default 300)")
    parser.add_argument("--hidden", type=int, default=8,
                        help="hidden tanh units (default 8)")
    parser.add_argument("--lr", type=float, default=2.0,
                        help="learning rate (default 2.0)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE",
                        help="save the loss curve and the decision boundary to FILE "
                             "(PNG, SVG or PDF)")


def network(hidden: int, rng) -> nn.Module:
    """Scores (logits) of a 2 -> hidden (tanh) -> 1 network; hidden 0 means linear."""
    if hidden == 0:
        return nn.Linear(2, 1, init="xavier_uniform", rng=rng)
    return nn.Sequential(
        nn.Linear(2, hidden, init="xavier_uniform", rng=rng),
        nn.Tanh(),
        nn.Linear(hidden, 1, init="xavier_uniform", rng=rng),
    )


def fit(model, X, y, epochs: int, lr: float, bar=None) -> list:
    """Full-batch gradient descent on the mean BCE; returns the loss of each step."""
    optimizer = optim.SGD(model.parameters(), lr=lr)
    targets = y.reshape(-1, 1)
    losses = []
    for _ in range(epochs):
        # The loss takes the logits: sigmoid and log fused never form log(0).
        loss = F.binary_cross_entropy_with_logits(model(X), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if bar is not None:
            bar.update(loss=losses[-1])
    return losses


def probabilities(model, X) -> np.ndarray:
    """The network's P(y = 1) for each row of X, shape (n,)."""
    with mt.no_grad():
        return F.sigmoid(model(X)).data[:, 0]


def run(args) -> int:
    for name in ("epochs", "hidden"):
        if getattr(args, name) < 1:
            say(f"--{name} must be at least 1, got {getattr(args, name)}")
            return 2
    if not args.lr > 0:
        say(f"--lr must be positive, got {args.lr}")
        return 2

    X, y = logic_gate("xor")
    rng = np.random.default_rng(args.seed)
    model = network(args.hidden, rng)
    say(f"XOR: 4 points; network 2 -> {args.hidden} (tanh) -> 1 (sigmoid), "
        f"{model.num_parameters()} parameters; gradient descent, lr {args.lr:g}")
    with ProgressBar(args.epochs, "training") as bar:
        losses = fit(model, X, y, args.epochs, args.lr, bar)
    p = probabilities(model, X)
    right = _report(X, y, p)
    say(f"accuracy: {right}/4, loss {losses[-1]:.4f}")

    linear = network(0, rng)
    fit(linear, X, y, args.epochs, args.lr)
    straight = int(((probabilities(linear, X) > 0.5) == (y > 0.5)).sum())
    say(f"without the hidden layer: {straight}/4 (one straight line cannot "
        "separate XOR)")

    if args.plot:
        return save_or_explain(lambda plt: _figure(plt, model, X, y, losses),
                               args.plot)
    return 0


def _report(X, y, p) -> int:
    """Print each point with its target and output; return how many are right."""
    say("  x1  x2  target  output")
    for (x1, x2), target, out in zip(X, y, p):
        mark = "" if (out > 0.5) == (target > 0.5) else "  wrong"
        say(f"  {x1:2.0f}  {x2:2.0f}  {target:6.0f}  {out:6.3f}{mark}")
    return int(((p > 0.5) == (y > 0.5)).sum())


def _figure(plt, model, X, y, losses):
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
    left.plot(range(1, len(losses) + 1), losses)
    left.set_xlabel("step")
    left.set_ylabel("binary cross-entropy")
    left.set_yscale("log")
    left.set_title("Training loss")
    left.grid(alpha=0.3)

    grid = np.linspace(-0.5, 1.5, 161)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    surface = probabilities(model, points).reshape(gx.shape)
    shading = right.contourf(gx, gy, surface, levels=np.linspace(0, 1, 11),
                             cmap="RdBu_r", alpha=0.8)
    right.contour(gx, gy, surface, levels=[0.5], colors="k", linewidths=1.5)
    right.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=120,
                  vmin=0, vmax=1)
    right.set_xlabel("$x_1$")
    right.set_ylabel("$x_2$")
    right.set_title("Decision boundary (output = 1/2)")
    figure.colorbar(shading, ax=right, label="output")
    figure.tight_layout()
    return figure
