"""Peak memory of one W3 update over a long sequence, measured in a child process.

A child process keeps the parent's own allocations (PyTorch, earlier
workloads) out of the figure. It imports the libraries, makes the problem,
then runs one forward, backward and SGD update of the Elman RNN over
``time_steps`` steps, and prints one JSON line:

- ``maxrss_mb``: the peak resident set size of the whole child
  (``VmHWM``), the figure the target applies to;
- ``baseline_mb``: the same peak just before the update (interpreter,
  NumPy, microtensor and the input sequence);
- ``traced_peak_mb``: with ``--tracemalloc``, the peak of the memory that
  Python and NumPy allocated during the update alone (a separate run, since
  tracing itself costs memory).

Run as ``python -m benchmarks.memory --time-steps 10000``.
"""

import argparse
import json
import os
import subprocess
import sys

from benchmarks.environment import pin_threads

__all__ = ["measure_rnn_memory"]

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure_rnn_memory(time_steps, implementation="microtensor", timeout=600):
    """Run the child twice (plain, then traced) and merge what it reports.

    Parameters
    ----------
    time_steps : int
        Length of the sequence.
    implementation : {"microtensor", "numpy", "torch"}
    timeout : float
        Seconds allowed to each child.

    Returns
    -------
    dict
        ``time_steps``, ``implementation``, ``maxrss_mb``, ``baseline_mb``,
        ``traced_peak_mb`` and ``seconds`` (the wall time of the plain run's
        update).
    """
    plain = _run_child(time_steps, implementation, [], timeout)
    traced = _run_child(time_steps, implementation, ["--tracemalloc"], timeout)
    plain["traced_peak_mb"] = traced["traced_peak_mb"]
    return plain


def _run_child(time_steps, implementation, extra, timeout):
    command = [
        sys.executable,
        "-m",
        "benchmarks.memory",
        "--time-steps",
        str(time_steps),
        "--implementation",
        implementation,
        *extra,
    ]
    done = subprocess.run(
        command, check=False, cwd=_ROOT, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"memory: the child for W3 at {time_steps} time steps failed "
            f"(exit code {done.returncode}):\n{done.stderr[-2000:]}"
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _peak_rss_mb():
    """The process's peak resident set size so far, in MB.

    Linux's ``VmHWM`` belongs to this program image alone; ``ru_maxrss``
    would also count the parent's memory, inherited through fork and exec.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    scale = 2**20 if sys.platform == "darwin" else 2**10
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def _child(time_steps, implementation, trace):
    import time
    import tracemalloc

    from benchmarks.workloads.rnn import WORKLOAD, RnnSizes

    sizes = RnnSizes(time_steps=time_steps, updates=1)
    trainer = WORKLOAD.builders[implementation](WORKLOAD.make_problem(sizes))
    result = {"time_steps": time_steps, "implementation": implementation}
    result["baseline_mb"] = _peak_rss_mb()
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    trainer.train()
    result["seconds"] = time.perf_counter() - start
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    result["maxrss_mb"] = _peak_rss_mb()
    return result


def main(argv=None):
    """Command-line entry of the child process; prints one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("--time-steps", type=int, default=10_000)
    parser.add_argument("--implementation", default="microtensor")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    result = _child(args.time_steps, args.implementation, args.tracemalloc)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    pin_threads()
    sys.exit(main())
