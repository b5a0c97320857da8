"""``microtensor demo NAME``: small end-to-end trainings that show a lesson at work.

Each demo is a module in this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Demos train with
`microtensor.nn` and `microtensor.optim`, never with the reference solutions.
Terminal output goes through `microtensor.demos.progress`.
"""

from __future__ import annotations

import importlib
import pkgutil


def demo_modules() -> list:
    """Every demo module in this package, by name."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "progress":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "run"):
            found.append(module)
    return sorted(found, key=lambda m: m.NAME)


def add_command(commands, name: str, help_text: str) -> None:
    """Register ``microtensor demo NAME ...`` on the CLI's sub-command parser."""
    parser = commands.add_parser(name, help=help_text,
                                 description="Train a small network and show it.")
    demos = parser.add_subparsers(dest="demo", metavar="NAME")
    for module in demo_modules():
        sub = demos.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    parser.set_defaults(run=lambda args: _no_demo(parser))


def _no_demo(parser) -> int:
    parser.print_help()
    return 2
