"""Reference only the parts of ``microtensor`` that exist in this checkout.

A page asks for a module's reference with ``<!-- microtensor:api MODULE -->`` on a
line of its own. When ``MODULE`` can be imported the hook writes the mkdocstrings
directive ``::: MODULE`` in its place, and the reference is rendered from the
docstrings (for an exercise stub, ``exercises.LESSON``, without the module heading,
so that it sits under the page's own headings). When it cannot (the module has not
been written yet, or this build runs without an optional part), the page says so
instead of failing the strict build.
"""

from __future__ import annotations

import importlib
import logging
import re
import sys
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.api_modules")

MARKER = re.compile(r"^<!-- microtensor:api (?P<module>[\w.]+) -->$", re.MULTILINE)


def _importable(module):
    """True when ``module`` imports without error."""
    try:
        importlib.import_module(module)
    except ImportError as exc:
        log.info("api_modules: %s is not importable (%s)", module, exc)
        return False
    return True


# An exercise page documents its stub below its own headings: no module heading,
# members one level under the page's "The API" section.
EXERCISE_OPTIONS = """    options:
      show_root_heading: false
      show_root_toc_entry: false
      show_if_no_docstring: false
      heading_level: 3
      group_by_category: false
"""


def _replacement(module):
    """Markdown for one marker."""
    if _importable(module):
        options = EXERCISE_OPTIONS if module.startswith("exercises.") else ""
        return f"::: {module}\n{options}"
    return (f'!!! note "`{module}`"\n'
            "    This module is not part of this build of the package.\n")



def on_config(config):
    """Make the checkout's ``microtensor`` importable, installed or not."""
    root = str(Path(config.config_file_path).resolve().parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    return config

def on_page_markdown(markdown, page, config, files):
    """Replace each api marker with a mkdocstrings directive or a note."""
    return MARKER.sub(lambda m: _replacement(m.group("module")), markdown)
