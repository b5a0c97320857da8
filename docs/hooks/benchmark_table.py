"""Include the benchmark engineer's results table on the Performance page.

The page holds ``<!-- microtensor:benchmark-table -->`` on a line of its own. The
first of ``CANDIDATES`` that exists is pulled in through the snippets extension
(``--8<--``), so the site shows the same file the benchmark run wrote. When none
exists yet, the page says how to produce one.
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = re.compile(r"^<!-- microtensor:benchmark-table -->$", re.MULTILINE)
CANDIDATES = (
    "benchmarks/results/table.md",
    "benchmarks/results/README-table.md",
)

MISSING = """!!! note "No measured table in this build"
    The table is written by the benchmark run, which is not part of the site
    build. Run the benchmarks from the project root with `python -m benchmarks`
    (see `benchmarks/README.md`), then build the site again to include the table.
"""


def _table_file(config):
    """Path of the results table relative to the project root, or None."""
    root = Path(config.config_file_path).parent
    for candidate in CANDIDATES:
        if (root / candidate).is_file():
            return candidate
    return None


def on_page_markdown(markdown, page, config, files):
    """Replace the marker with a snippet include of the table, or a note."""
    if not MARKER.search(markdown):
        return markdown
    found = _table_file(config)
    text = f'--8<-- "{found}"\n' if found else MISSING
    return MARKER.sub(lambda m: text, markdown)
