"""The differentiable primitives, one module per family.

- ``elementwise``: arithmetic, unary functions, where, maximum/minimum,
  comparisons
- ``reductions``: sum, mean, max, min
- ``shape``: reshape, transpose, indexing, concatenate, stack
- ``matmul``: the matrix product
"""
