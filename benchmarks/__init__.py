"""Benchmarks of microtensor against hand-written NumPy and PyTorch.

Run everything with ``python -m benchmarks`` from the project root; see
``benchmarks/README.md`` for the workloads, the options and the targets.

This package imports nothing at load time, so that ``benchmarks.__main__``
can pin the BLAS libraries to one thread before NumPy is first imported.
"""
