"""Time each implementation of a workload: interleaved repeats, medians.

The repeats of the implementations are interleaved (microtensor, NumPy,
PyTorch, then again), so that a slow spell of the machine hits all three
alike. Building a trainer (copying parameters, making the optimizer) is not
timed; the training loop is, garbage collection included, as a student's
run would see it.
"""

import gc
import statistics
import time

import numpy as np

__all__ = ["max_disagreement", "time_workload"]


def time_workload(workload, sizes, implementations, repeats, warmup=1):
    """Run every implementation ``warmup + repeats`` times; time the repeats.

    Parameters
    ----------
    workload : benchmarks.workloads.Workload
    sizes : object
        ``workload.full`` or ``workload.tiny``.
    implementations : sequence of str
        Keys of ``workload.builders``.
    repeats, warmup : int

    Returns
    -------
    dict
        ``times`` and ``cpu_times`` (``{impl: [seconds, ...]}``, wall clock and
        process CPU time), ``median`` and ``median_cpu`` (``{impl: seconds}``),
        ``final_loss`` and ``max_loss_difference`` (``{impl: float}``); the
        differences are against the NumPy losses, step by step, over the last
        repeat.
    """
    problem = workload.make_problem(sizes)
    times = {impl: [] for impl in implementations}
    cpu_times = {impl: [] for impl in implementations}
    losses = {}
    for repeat in range(warmup + repeats):
        for impl in implementations:
            trainer = workload.builders[impl](problem)
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            losses[impl] = trainer.train()
            elapsed = time.perf_counter() - start
            elapsed_cpu = time.process_time() - start_cpu
            if repeat >= warmup:
                times[impl].append(elapsed)
                cpu_times[impl].append(elapsed_cpu)
    return {
        "times": times,
        "cpu_times": cpu_times,
        "median": _medians(times),
        "median_cpu": _medians(cpu_times),
        "final_loss": {impl: loss[-1] for impl, loss in losses.items()},
        "max_loss_difference": max_disagreement(losses, "numpy"),
    }


def _medians(times):
    return {impl: statistics.median(values) for impl, values in times.items()}


def max_disagreement(losses, reference):
    """Largest step-by-step absolute difference from ``losses[reference]``.

    Parameters
    ----------
    losses : dict of str to list of float
    reference : str

    Returns
    -------
    dict of str to float
        One entry per implementation other than ``reference``.
    """
    base = np.asarray(losses[reference])
    return {
        impl: float(np.max(np.abs(np.asarray(values) - base)))
        for impl, values in losses.items()
        if impl != reference
    }
