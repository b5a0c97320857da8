"""One BLAS thread, and a description of the machine the numbers come from.

:func:`pin_threads` only touches ``os.environ`` and must run before NumPy is
imported; :func:`describe_machine` imports NumPy (and PyTorch when present)
to read their versions and build settings.
"""

import os
import platform
import re
import subprocess
import sys

__all__ = [
    "THREAD_VARIABLES",
    "blas_probe",
    "describe_machine",
    "pin_threads",
    "torch_or_none",
]

# Every variable that a BLAS or OpenMP runtime bundled with NumPy or PyTorch
# reads for its thread count.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

# Variables that change which kernels OpenBLAS picks; recorded, never changed,
# so that the run sees the environment CI sees.
_RECORDED_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_", "GOTO")


def pin_threads():
    """Set every thread-count variable to 1 and report whether it was in time.

    Returns
    -------
    bool
        False when NumPy was already imported, so that its BLAS may already
        have started several threads.
    """
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"
    return "numpy" not in sys.modules


def torch_or_none():
    """Return the ``torch`` module pinned to one thread, or None without it."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def describe_machine():
    """Return a plain dict describing the CPU, the libraries and the settings.

    Returns
    -------
    dict
        ``cpu``, ``cores``, ``python``, ``numpy``, ``numpy_blas``, ``torch``,
        ``torch_blas``, ``torch_threads`` and ``environment`` (the thread and
        OpenBLAS variables as they were during the run).
    """
    import numpy as np

    torch = torch_or_none()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numpy_blas": _numpy_blas(np),
        "torch": None if torch is None else torch.__version__,
        "torch_blas": None if torch is None else _torch_blas(torch),
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "environment": {
            name: value
            for name, value in sorted(os.environ.items())
            if name.startswith(_RECORDED_PREFIXES)
        },
    }


def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_blas(np):
    """Name, version and build options of the BLAS NumPy was built against."""
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
    except (TypeError, KeyError):
        return "unknown"
    details = blas.get("openblas configuration", "")
    return f"{blas.get('name')} {blas.get('version')} ({details})".strip()


def _torch_blas(torch):
    """The ``BLAS_INFO`` and CPU capability of PyTorch's build, e.g. ``mkl, AVX512``."""
    summary = torch.__config__.show()
    blas = re.search(r"BLAS_INFO=(\w+)", summary)
    capability = re.search(r"CPU capability usage: (\w+)", summary)
    found = [match.group(1) for match in (blas, capability) if match]
    return ", ".join(found) or "unknown"


# Times one float64 product of the W4 first layer's size, best of seven, in a
# fresh interpreter (OpenBLAS reads OPENBLAS_CORETYPE once, when loaded).
_PROBE = """
import time
import numpy as np
a = np.random.default_rng(0).standard_normal((512, 1024))
b = np.random.default_rng(1).standard_normal((1024, 1024))
best = float("inf")
for _ in range(7):
    start = time.perf_counter()
    a @ b
    best = min(best, time.perf_counter() - start)
print(best)
"""


def blas_probe():
    """Time one matrix product with and without ``OPENBLAS_CORETYPE``.

    Returns
    -------
    dict or None
        ``coretype`` (the variable's value), ``with`` and ``without`` (the
        best of seven times, in seconds, of a (512, 1024) by (1024, 1024)
        product); None when the variable is not set.
    """
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if not coretype:
        return None
    without = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    return {
        "coretype": coretype,
        "with": _time_product(dict(os.environ)),
        "without": _time_product(without),
    }


def _time_product(env):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return float(done.stdout.strip())
