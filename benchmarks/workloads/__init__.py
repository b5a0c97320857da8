"""The four workloads of the benchmark, in order: W1 to W4."""

from benchmarks.workloads.base import IMPLEMENTATIONS, Trainer, Workload
from benchmarks.workloads.mlp import W2, W4
from benchmarks.workloads.rnn import WORKLOAD as W3
from benchmarks.workloads.xor import WORKLOAD as W1

__all__ = ["IMPLEMENTATIONS", "WORKLOADS", "Trainer", "Workload"]

WORKLOADS = {workload.key: workload for workload in (W1, W2, W3, W4)}
