"""Data for the lessons: tiny generated sets and small real ones.

Generated (seeded, see :mod:`microtensor.datasets.synthetic`):
``logic_gate``, ``linearly_separable``, ``two_moons``, ``circles``.

Shipped with the package (see :mod:`microtensor.datasets.real`, and
``data/README.md`` for sources, licences and citations): ``load_digits``,
``load_iris``, ``binarized_digits``, ``load_text``.

Drawn in the source: ``letters_5x7``, a 5x7 pixel font of the capital letters,
with ``pattern_to_text`` to print any +-1 pattern as text art.
"""

from microtensor.datasets.letters import (
    LETTER_SHAPE,
    letters_5x7,
    pattern_to_text,
    text_to_pattern,
)
from microtensor.datasets.real import (
    TEST_EVERY,
    Dataset,
    binarized_digits,
    load_digits,
    load_iris,
    load_text,
    stratified_split,
)
from microtensor.datasets.synthetic import (
    GATE_NAMES,
    SeparableData,
    circles,
    linearly_separable,
    logic_gate,
    two_moons,
)

__all__ = [
    "GATE_NAMES",
    "LETTER_SHAPE",
    "TEST_EVERY",
    "Dataset",
    "SeparableData",
    "binarized_digits",
    "circles",
    "letters_5x7",
    "linearly_separable",
    "load_digits",
    "load_iris",
    "load_text",
    "logic_gate",
    "pattern_to_text",
    "stratified_split",
    "text_to_pattern",
    "two_moons",
]
