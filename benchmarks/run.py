"""Run the benchmarks: ``python -m benchmarks [options]`` from the project root.

Times W1..W4 three ways in this one process, measures W3's peak memory over a
long sequence and the time of grading the reference solutions in child
processes, then writes the results as JSON and as a Markdown table and prints
the table.
"""

import argparse
import datetime
import json
import os

from benchmarks.environment import (
    blas_probe,
    describe_machine,
    pin_threads,
    torch_or_none,
)
from benchmarks.report import check_targets, judged_medians, markdown_table, say

__all__ = ["main", "run"]

_HERE = os.path.dirname(os.path.abspath(__file__))
_RESULTS = os.path.join(_HERE, "results")


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time microtensor against hand-written NumPy and PyTorch.",
    )
    parser.add_argument(
        "--workloads",
        default="W1,W2,W3,W4",
        help="comma-separated workload keys (default: all four)",
    )
    parser.add_argument("--repeats", type=int, default=7, help="timed repeats")
    parser.add_argument(
        "--clock",
        choices=("cpu", "wall"),
        default="cpu",
        help="the times the targets are judged on: process CPU time (default) "
        "or wall-clock time; both are recorded",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="the smoke test's small sizes, one repeat (checks that it runs)",
    )
    parser.add_argument("--memory-steps", type=int, default=10_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-grading", action="store_true")
    parser.add_argument(
        "--output",
        help="where to write the JSON results (default: results/latest.json; "
        "with --tiny, nowhere)",
    )
    parser.add_argument(
        "--table",
        help="where to write the Markdown table (default: results/table.md; "
        "with --tiny, nowhere)",
    )
    return parser


def _destinations(args):
    """The JSON and table paths; a --tiny run overwrites neither by default."""
    if args.tiny:
        return args.output, args.table
    output = args.output or os.path.join(_RESULTS, "latest.json")
    return output, args.table or os.path.join(_RESULTS, "table.md")


def run(args):
    """Measure everything ``args`` asks for and return the results dict."""
    from benchmarks.timing import time_workload
    from benchmarks.workloads import IMPLEMENTATIONS, WORKLOADS

    keys = [key.strip().upper() for key in args.workloads.split(",") if key.strip()]
    unknown = sorted(set(keys) - set(WORKLOADS))
    if unknown:
        raise SystemExit(f"benchmarks: unknown workload(s) {unknown}")
    implementations = [i for i in IMPLEMENTATIONS if i != "torch" or torch_or_none()]
    repeats = 1 if args.tiny else args.repeats
    results = {
        "date": datetime.date.today().isoformat(),
        "machine": describe_machine(),
        "load_average": list(os.getloadavg()),
        "repeats": repeats,
        "clock": args.clock,
        "sizes": "tiny" if args.tiny else "full",
        "workloads": {},
    }
    for key in keys:
        workload = WORKLOADS[key]
        sizes = workload.tiny if args.tiny else workload.full
        say(f"{key}: {workload.title} ...")
        measured = time_workload(workload, sizes, implementations, repeats)
        measured["title"] = workload.title
        results["workloads"][key] = measured
        say("    " + _medians_line(judged_medians(measured, args.clock)))
    _measure_extras(args, results)
    results["load_average_end"] = list(os.getloadavg())
    results["targets"] = check_targets(results)
    return results


def _measure_extras(args, results):
    """Peak memory, grading time and the BLAS probe, each when asked for."""
    if not args.skip_memory:
        from benchmarks.memory import measure_rnn_memory

        steps = 50 if args.tiny else args.memory_steps
        say(f"W3 memory over {steps:,} time steps ...")
        results["memory"] = measure_rnn_memory(steps)
        say(f"    peak {results['memory']['maxrss_mb']:.0f} MB")
    if not args.skip_grading:
        from benchmarks.grading import time_grading

        say("grading the reference solutions ...")
        results["grading"] = time_grading()
        say(f"    {results['grading']['seconds']:.1f} s")
    if not args.tiny:
        results["blas_probe"] = blas_probe()


def _medians_line(median):
    return "   ".join(
        f"{impl} {seconds * 1e3:,.1f} ms" for impl, seconds in median.items()
    )


def _write(path, text):
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def main(argv=None):
    """Entry point of ``python -m benchmarks``; returns the exit code."""
    args = _parser().parse_args(argv)
    if not pin_threads():
        say("note: NumPy was imported before the threads were pinned")
    results = run(args)
    table = markdown_table(results)
    output, table_path = _destinations(args)
    _write(output, json.dumps(results, indent=2) + "\n")
    _write(table_path, table)
    say("")
    say(table)
    missed = [v["target"] for v in results["targets"] if not v["met"]]
    say(
        f"targets met: {len(results['targets']) - len(missed)} of "
        f"{len(results['targets'])}"
    )
    return 0
