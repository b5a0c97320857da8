"""``python -m benchmarks``: pin every thread pool to one thread, then run."""

import sys

from benchmarks.environment import pin_threads

# Must run before anything imports NumPy or PyTorch: the BLAS libraries read
# their thread counts from the environment once, when they are loaded.
pin_threads()

from benchmarks.run import main

sys.exit(main())
