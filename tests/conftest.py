"""Shared test configuration: Hypothesis profiles.

- ``dev`` (default): 50 examples per property, no deadline.
- ``ci`` (loaded when ``CI=true``): derandomized, no example database, so a
  run is reproducible and leaves no files behind.

Choose one explicitly with ``HYPOTHESIS_PROFILE=ci pytest``.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev",
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

_default = "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))
