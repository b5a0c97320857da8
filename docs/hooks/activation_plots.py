"""Plot each activation function and its derivative, computed by the engine.

A page asks for a plot with the marker ``<!-- microtensor:activation-plot NAME -->``
on a line of its own. At build time this hook evaluates the activation on a grid
with ``microtensor``, back-propagates through it to get the derivative curve from
the engine's autograd, checks the function and that curve against the formulas the
Learn page states, draws both with matplotlib (Agg backend) and adds the PNG to
the site as a generated file. A derivative that disagrees with the formula on the
page stops the build, so the page and the engine cannot drift apart.
"""

from __future__ import annotations

import io
import logging
import math
import re
import sys
from pathlib import Path

import numpy as np

log = logging.getLogger("mkdocs.hooks.activation_plots")

MARKER = re.compile(
    r"^<!-- microtensor:activation-plot (?P<name>[\w-]+) -->$", re.MULTILINE
)
PLOT_DIR = "assets/plots"
GRID = np.linspace(-4.0, 4.0, 801)
LEAKY_SLOPE = 0.1  # larger than the usual 0.01 so the slope is visible in a plot
PAGE_TOL = 1e-8


def _sigmoid(z):
    """Logistic sigmoid in NumPy, exponentiating only -|z| so it never overflows."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _erf(z):
    """The error function, elementwise, from the standard library."""
    return np.vectorize(math.erf)(z)


def _phi(z):
    """Density of the standard normal distribution."""
    return np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)


# The functions stated on docs/learn/activations.md, in NumPy.
REFERENCE_FUNCTIONS = {
    "step": lambda z: (z >= 0).astype(float),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))),
    "swish": lambda z: z * _sigmoid(z),
}

# The closed-form derivatives stated on docs/learn/activations.md, in NumPy.
# Away from the kink at 0 the engine's autograd must agree with each of them.
REFERENCE_DERIVATIVES = {
    "step": lambda z: np.zeros_like(z),
    "sigmoid": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)),
    "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE),
    "gelu": lambda z: 0.5 * (1.0 + _erf(z / math.sqrt(2.0))) + z * _phi(z),
    "swish": lambda z: _sigmoid(z) + z * _sigmoid(z) * (1.0 - _sigmoid(z)),
}

TITLES = {
    "step": "step",
    "sigmoid": r"sigmoid $\sigma$",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": rf"leaky ReLU ($\alpha = {LEAKY_SLOPE}$)",
    "gelu": "GELU (exact)",
    "swish": "swish / SiLU",
}


def _engine_activations(mt):
    """The library's activations, and the step built from engine primitives.

    Parameters
    ----------
    mt : module
        The ``microtensor`` package.

    Returns
    -------
    dict of str to callable
        Maps a name to a function from a Tensor to a Tensor of the same shape.
    """
    import microtensor.functional as F

    return {
        # The step carries no gradient; adding 0 * z keeps it in the graph so
        # that backward() still reaches z and reports the flat derivative.
        "step": lambda z: mt.where(z >= 0, 1.0, 0.0) + 0.0 * z,
        "sigmoid": F.sigmoid,
        "tanh": F.tanh,
        "relu": F.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=LEAKY_SLOPE),
        "gelu": F.gelu,
        "swish": F.silu,
    }


def _value_and_derivative(mt, fn):
    """Evaluate ``fn`` on the grid and differentiate it with the engine.

    Parameters
    ----------
    mt : module
        The ``microtensor`` package.
    fn : callable
        Tensor to Tensor, elementwise.

    Returns
    -------
    value, derivative : ndarray, shape (len(GRID),)
        f(z) and f'(z); the derivative comes from ``backward()`` on ``f(z).sum()``,
        which for an elementwise f has gradient f'(z_i) in slot i.
    """
    z = mt.tensor(GRID.copy(), requires_grad=True)
    out = fn(z)
    out.sum().backward()
    return np.array(out.data, dtype=float), np.array(z.grad, dtype=float)


def _check_against_page(name, value, derivative):
    """Stop the build when the engine leaves the formulas stated on the page."""
    away_from_kink = np.abs(GRID) > 1e-6
    checks = (("value", value, REFERENCE_FUNCTIONS[name](GRID)),
              ("derivative", derivative, REFERENCE_DERIVATIVES[name](GRID)))
    for what, got, expected in checks:
        err = np.max(np.abs(got - expected)[away_from_kink])
        if err > PAGE_TOL:
            raise ValueError(
                f"activation_plots: the engine's {what} of {name} differs from the "
                f"formula on the Learn page by {err:.3g} (tolerance {PAGE_TOL})"
            )


def _draw(name, value, derivative):
    """Draw f and f' on one set of axes and return the PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 3.2), dpi=110)
    ax.axhline(0.0, color="0.75", linewidth=0.8)
    ax.axvline(0.0, color="0.75", linewidth=0.8)
    ax.plot(GRID, value, color="#3949ab", linewidth=2.0, label="f(z)")
    ax.plot(GRID, derivative, color="#e64a19", linewidth=1.6, linestyle="--",
            label="f'(z), from autograd")
    ax.set_title(TITLES[name])
    ax.set_xlabel("z")
    ax.set_xlim(GRID[0], GRID[-1])
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _render_all():
    """Return ``{name: png_bytes}``, or None when the engine is not importable."""
    try:
        import microtensor as mt
    except ImportError:
        return None
    try:
        import microtensor.functional
    except ImportError as exc:
        log.info("activation_plots: %s; plots skipped", exc)
        return None
    pictures = {}
    for name, fn in _engine_activations(mt).items():
        value, derivative = _value_and_derivative(mt, fn)
        _check_against_page(name, value, derivative)
        pictures[name] = _draw(name, value, derivative)
    return pictures


_pictures: dict | None = None



def on_config(config):
    """Make the checkout's ``microtensor`` importable, installed or not."""
    root = str(Path(config.config_file_path).resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return config

def on_files(files, config):
    """Add one generated PNG per activation to the site."""
    global _pictures
    from mkdocs.structure.files import File

    _pictures = _render_all()
    for name, png in (_pictures or {}).items():
        files.append(File.generated(config, f"{PLOT_DIR}/{name}.png", content=png))
    return files


def _replacement(page, name):
    """Markdown for one marker: the image, or a note when there is none."""
    if name not in REFERENCE_DERIVATIVES:
        raise ValueError(f"activation_plots: unknown activation {name!r} on "
                         f"{page.file.src_uri}; known: {sorted(TITLES)}")
    if _pictures is None:
        return ('!!! note "Plot not built"\n'
                "    This plot is drawn by the engine when the site is built; "
                "build the site with `microtensor` installed to see it.\n")
    depth = page.file.src_uri.count("/")
    src = "../" * depth + f"{PLOT_DIR}/{name}.png"
    alt = f"{name}: the function and its derivative computed by microtensor"
    return f'<figure class="activation-plot" markdown>\n![{alt}]({src})\n</figure>\n'


def on_page_markdown(markdown, page, config, files):
    """Replace each activation-plot marker with its picture."""
    return MARKER.sub(lambda m: _replacement(page, m.group("name")), markdown)
