"""Terminal output for the demos: a progress bar with the loss, and plain lines.

The one place demos write to the terminal, so the rest of the library never
prints.
"""

from __future__ import annotations

import sys
import time


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class ProgressBar:
    """``with ProgressBar(total, "training") as bar: bar.update(loss=...)``.

    Redraws one line on a terminal; elsewhere (a pipe, CI) it prints at most
    ten evenly spaced lines so logs stay short.
    """

    def __init__(self, total: int, label: str = "", width: int = 30, stream=None):
        self.total, self.label, self.width = max(1, int(total)), label, width
        self.stream = stream or sys.stdout
        self.count = 0
        self.started = time.monotonic()
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self._last_logged = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
        return False

    def update(self, steps: int = 1, **values) -> None:
        self.count = min(self.total, self.count + steps)
        line = self._line(values)
        if self.live:
            self.stream.write("\r" + line)
            self.stream.flush()
            return
        decile = (10 * self.count) // self.total
        if decile != self._last_logged:
            self._last_logged = decile
            self.stream.write(line + "\n")
            self.stream.flush()

    def _line(self, values: dict) -> str:
        done = int(self.width * self.count / self.total)
        bar = "#" * done + "." * (self.width - done)
        extra = "  ".join(f"{k} {_fmt(v)}" for k, v in values.items())
        seconds = time.monotonic() - self.started
        return f"{self.label} [{bar}] {self.count}/{self.total}  {extra}  {seconds:.1f}s"


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def save_or_explain(figure_maker, path: str) -> int:
    """Call ``figure_maker(plt)`` and save to ``path``; explain when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        say(f"--plot {path}: matplotlib is not installed; install it with "
            "pip install 'microtensor[plots]' (nothing was saved)")
        return 1
    import os

    if not os.path.splitext(path)[1]:
        path += ".png"  # what matplotlib would write; say the real name
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        say(f"--plot {path}: the folder {folder} does not exist (nothing was saved)")
        return 1
    figure = figure_maker(plt)
    try:
        figure.savefig(path, dpi=110, bbox_inches="tight")
    except (OSError, ValueError) as exc:
        say(f"--plot {path}: could not save the picture ({exc})")
        return 1
    finally:
        plt.close(figure)
    say(f"saved {path}")
    return 0
