"""``microtensor demo digits``: an MLP reads real handwritten digits.

The data are the 1,797 UCI digits of `microtensor.datasets.load_digits` (8x8
pixels, values 0..16, divided by 16 here), with the package's fixed split of
1,442 training and 355 test images. A network 64 -> hidden (tanh) -> 10 is
trained with the cross-entropy of its scores by mini-batch gradient descent;
the test accuracy is measured after every epoch, and a confusion matrix
shows which digits it still mixes up.
"""

from __future__ import annotations

import numpy as np

import microtensor as mt
import microtensor.functional as F
from microtensor import nn, optim
from microtensor.datasets import load_digits
from microtensor.demos.progress import ProgressBar, save_or_explain, say

NAME = "digits"
HELP = "an MLP learns the UCI handwritten digits (8x8 pixels) and is tested on new ones"


def add_arguments(parser) -> None:
    parser.add_argument("--epochs", type=int, default=30,
                        help="passes over the training images (default 30)")
    parser.add_argument("--hidden", type=int, default=64,
                        help="hidden tanh units (default 64)")
    parser.add_argument("--lr", type=float, default=0.5,
                        help="learning rate (default 0.5)")
    parser.add_argument("--batch-size", type=int, default=103,
                        help="images per step (default 103, which splits the "
                             "1,442 training images evenly)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE",
                        help="save the loss and accuracy curves and the confusion "
                             "matrix to FILE (PNG, SVG or PDF)")


def network(hidden: int, rng) -> nn.Module:
    """Scores of the ten classes: 64 -> hidden (tanh) -> 10."""
    return nn.Sequential(
        nn.Linear(64, hidden, init="xavier_uniform", rng=rng),
        nn.Tanh(),
        nn.Linear(hidden, 10, init="xavier_uniform", rng=rng),
    )


def train_epoch(model, optimizer, X, y, batch_size: int, rng) -> float:
    """One pass over (X, y) in shuffled mini-batches; returns the mean loss."""
    order = rng.permutation(len(X))
    total = 0.0
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        loss = F.cross_entropy(model(X[rows]), y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(rows)
    return total / len(X)


def predict(model, X) -> np.ndarray:
    """The most likely digit for each row of X."""
    with mt.no_grad():
        return model(X).data.argmax(axis=1)


def confusion_matrix(truth, predicted, n_classes: int = 10) -> np.ndarray:
    """counts[i, j] = how many images of digit i were read as j."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def run(args) -> int:
    for name in ("epochs", "hidden", "batch_size"):
        if getattr(args, name) < 1:
            option = "--" + name.replace("_", "-")
            say(f"{option} must be at least 1, got {getattr(args, name)}")
            return 2
    if not args.lr > 0:
        say(f"--lr must be positive, got {args.lr}")
        return 2

    digits = load_digits()
    X_train, X_test = digits.X_train / 16.0, digits.X_test / 16.0
    rng = np.random.default_rng(args.seed)
    model = network(args.hidden, rng)
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    say(f"digits: {len(X_train)} training and {len(X_test)} test images of 8x8 "
        "pixels")
    say(f"network: 64 -> {args.hidden} (tanh) -> 10 (softmax), "
        f"{model.num_parameters()} parameters; mini-batches of {args.batch_size}, "
        f"lr {args.lr:g}")

    losses, accuracies = [], []
    with ProgressBar(args.epochs, "training") as bar:
        for _ in range(args.epochs):
            losses.append(train_epoch(model, optimizer, X_train, digits.y_train,
                                      args.batch_size, rng))
            accuracies.append(float(np.mean(predict(model, X_test) == digits.y_test)))
            bar.update(loss=losses[-1], test=f"{accuracies[-1]:.1%}")

    counts = confusion_matrix(digits.y_test, predict(model, X_test))
    _print_confusion(counts)
    right = int(np.trace(counts))
    say(f"test accuracy: {right / counts.sum():.1%} ({right} of {counts.sum()} "
        "images)")
    if args.plot:
        return save_or_explain(lambda plt: _figure(plt, losses, accuracies, counts),
                               args.plot)
    return 0


def _print_confusion(counts) -> None:
    say("confusion matrix (rows: true digit, columns: read as; . is 0):")
    say("       " + "".join(f"{j:4d}" for j in range(10)))
    for i, row in enumerate(counts):
        cells = "".join(f"{c:4d}" if c else "   ." for c in row)
        say(f"    {i:2d} {cells}")


def _figure(plt, losses, accuracies, counts):
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    epochs = range(1, len(losses) + 1)
    (loss_line,) = left.plot(epochs, losses, label="training loss")
    left.set_xlabel("epoch")
    left.set_ylabel("cross-entropy")
    left.grid(alpha=0.3)
    twin = left.twinx()
    (accuracy_line,) = twin.plot(epochs, [100 * a for a in accuracies],
                                 color="tab:orange", label="test accuracy")
    twin.set_ylabel("test accuracy (%)")
    left.set_title("Training")
    left.legend(handles=[loss_line, accuracy_line], loc="center right")

    image = right.imshow(counts, cmap="Blues")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            if counts[i, j]:
                color = "white" if counts[i, j] > counts.max() / 2 else "black"
                right.text(j, i, str(counts[i, j]), ha="center", va="center",
                           fontsize=8, color=color)
    right.set_xticks(range(10))
    right.set_yticks(range(10))
    right.set_xlabel("read as")
    right.set_ylabel("true digit")
    right.set_title("Confusion matrix (test images)")
    figure.colorbar(image, ax=right)
    figure.tight_layout()
    return figure
