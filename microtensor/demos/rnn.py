"""``microtensor demo rnn``: a character-level Elman network learns to write English.

The text is the short public-domain corpus of `microtensor.datasets.load_text`.
It is cut into ``--streams`` equal parts read side by side (one batch row
each); every epoch walks through them in windows of ``--window`` characters,
the hidden state carried from one window to the next but detached (truncated
BPTT), with Adam and gradient clipping. The network predicts each next
character; text is sampled from it before and after training.
"""

from __future__ import annotations

import numpy as np

import microtensor as mt
import microtensor.functional as F
from microtensor import nn, optim
from microtensor.datasets import load_text
from microtensor.demos.progress import ProgressBar, save_or_explain, say

NAME = "rnn"
HELP = ("a character-level Elman network trained on a short English text, with "
        "text sampled before and after")


def add_arguments(parser) -> None:
    parser.add_argument("--epochs", type=int, default=40,
                        help="passes over the text (default 40)")
    parser.add_argument("--hidden", type=int, default=128,
                        help="hidden units (default 128)")
    parser.add_argument("--window", type=int, default=25,
                        help="characters per truncated-BPTT window (default 25)")
    parser.add_argument("--streams", type=int, default=32,
                        help="parts of the text read side by side (default 32)")
    parser.add_argument("--lr", type=float, default=0.01,
                        help="Adam's learning rate (default 0.01)")
    parser.add_argument("--clip", type=float, default=5.0,
                        help="maximal joint gradient norm (default 5)")
    parser.add_argument("--length", type=int, default=200,
                        help="characters to sample (default 200)")
    parser.add_argument("--temperature", type=float, default=0.6,
                        help="sampling temperature, lower is more cautious "
                             "(default 0.6)")
    parser.add_argument("--prompt", default="Four score",
                        help="text the samples start from (default 'Four score')")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--plot", metavar="FILE",
                        help="save the loss curve to FILE (PNG, SVG or PDF)")


class CharElman(nn.Module):
    r"""An Elman network over one-hot characters.

    :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h)` and the scores of the
    next character :math:`y_t = h_t W_{hy} + b_y`. A one-hot :math:`x_t` picks
    one row of :math:`W_{xh}`, so the input product is a row lookup.

    Parameters
    ----------
    n_chars : int
        Size of the alphabet.
    n_hidden : int
    rng : numpy.random.Generator
    """

    def __init__(self, n_chars: int, n_hidden: int, rng):
        super().__init__()
        self.W_xh = nn.Parameter(rng.normal(0.0, 1.0, (n_chars, n_hidden)) * 0.3)
        # An orthogonal-like start keeps the state's norm through time.
        q, _ = np.linalg.qr(rng.normal(size=(n_hidden, n_hidden)))
        self.W_hh = nn.Parameter(0.9 * q)
        self.b_h = nn.Parameter(np.zeros(n_hidden))
        self.readout = nn.Linear(n_hidden, n_chars, rng=rng)

    def forward(self, codes, h):
        """Scores (T, batch, n_chars) for integer ``codes`` (T, batch) from state ``h``.

        Returns the scores and the last state (batch, n_hidden).
        """
        states = []
        for t in range(codes.shape[0]):
            h = (self.W_xh[codes[t]] + h @ self.W_hh + self.b_h).tanh()
            states.append(h)
        return self.readout(mt.stack(states)), h


def encode(text: str):
    """The alphabet (sorted characters) and the text as integer codes."""
    alphabet = sorted(set(text))
    index = {c: i for i, c in enumerate(alphabet)}
    return alphabet, np.array([index[c] for c in text])


def streams(codes: np.ndarray, count: int):
    """Inputs and next-character targets, (length, count) each."""
    length = (len(codes) - 1) // count
    inputs = codes[: length * count].reshape(count, length).T
    targets = codes[1 : length * count + 1].reshape(count, length).T
    return inputs, targets


def train_epoch(model, optimizer, inputs, targets, window, clip) -> float:
    """One pass of truncated BPTT; returns the mean cross-entropy (nats/char)."""
    h = mt.zeros((inputs.shape[1], model.W_hh.shape[0]))
    total, count = 0.0, 0
    for start in range(0, inputs.shape[0], window):
        stop = min(start + window, inputs.shape[0])
        scores, h = model(inputs[start:stop], h)
        n_chars = scores.shape[-1]
        loss = F.cross_entropy(scores.reshape(-1, n_chars),
                               targets[start:stop].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        h = h.detach()
        total += loss.item() * (stop - start)
        count += stop - start
    return total / count


def sample(model, alphabet, prompt: str, length: int, temperature: float, rng) -> str:
    """Continue ``prompt`` by ``length`` characters drawn from the network."""
    index = {c: i for i, c in enumerate(alphabet)}
    prompt = "".join(c for c in prompt if c in index) or alphabet[0]
    h = mt.zeros((1, model.W_hh.shape[0]))
    out = list(prompt)
    with mt.no_grad():
        scores, h = model(np.array([[index[c]] for c in prompt]), h)
        for _ in range(length):
            logits = scores.data[-1, 0] / temperature
            p = np.exp(logits - logits.max())
            code = int(rng.choice(len(alphabet), p=p / p.sum()))
            out.append(alphabet[code])
            scores, h = model(np.array([[code]]), h)
    return "".join(out)


def run(args) -> int:
    for name in ("epochs", "hidden", "window", "streams", "length"):
        if getattr(args, name) < 1:
            say(f"--{name} must be at least 1, got {getattr(args, name)}")
            return 2
    if args.temperature <= 0:
        say(f"--temperature must be positive, got {args.temperature}")
        return 2

    text = load_text()
    alphabet, codes = encode(text)
    inputs, targets = streams(codes, args.streams)
    rng = np.random.default_rng(args.seed)
    model = CharElman(len(alphabet), args.hidden, rng)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    say(f"text: {len(text)} characters, {len(alphabet)} distinct; "
        f"{args.streams} streams of {inputs.shape[0]}, windows of {args.window}")
    say(f"network: {len(alphabet)} -> {args.hidden} (tanh, recurrent) -> "
        f"{len(alphabet)}, {model.num_parameters()} parameters")
    say()
    say("sampled before training:")
    say(sample(model, alphabet, args.prompt, args.length, args.temperature, rng))
    say()

    losses = []
    with ProgressBar(args.epochs, "training") as bar:
        for _ in range(args.epochs):
            losses.append(train_epoch(model, optimizer, inputs, targets,
                                      args.window, args.clip))
            bar.update(loss=losses[-1])
    say()
    say(f"loss: {losses[0]:.3f} -> {losses[-1]:.3f} nats per character "
        f"(uniform guessing: {np.log(len(alphabet)):.3f})")
    say("sampled after training:")
    say(sample(model, alphabet, args.prompt, args.length, args.temperature, rng))

    if args.plot:
        return save_or_explain(lambda plt: _loss_figure(plt, losses), args.plot)
    return 0


def _loss_figure(plt, losses):
    figure, axes = plt.subplots(figsize=(6, 3.5))
    axes.plot(range(1, len(losses) + 1), losses)
    axes.set_xlabel("epoch")
    axes.set_ylabel("cross-entropy (nats per character)")
    axes.set_title("Character-level Elman network, truncated BPTT")
    axes.grid(alpha=0.3)
    return figure
