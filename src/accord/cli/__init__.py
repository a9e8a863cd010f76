"""The ``accord`` command. Parses arguments, calls the library, renders; computes nothing.

User mistakes (bad files, unknown models, bad options) print a clear message on stderr and
exit with code 2, never a traceback. Only the table or the JSON goes to stdout.

Layout: one module per command group; what they share lives in three modules.

- ``common``: the shared ``app``, the consoles ``out`` / ``err`` (Rich markup off, so user
  strings print as written), ``user_errors()`` (an ``AccordError`` becomes exit code 2),
  ``load_scenario``, ``parse_options``, ``progress_on_stderr``, ``write_json``.
- ``options``: the ``Annotated`` types of options several commands share (``Models``,
  ``ModelOptions``, ``Seed``, ``Draws``, ``SalienceScale``, ``Json``, ``Prob``, ``Shock`` …) and
  the Enum choices.
- ``render``: the tables printed to the terminal.

Adding a command group is one new module plus one line here:

1. Write ``cli/<group>.py``. For top-level commands, decorate functions with
   ``@app.command()`` (``app`` from ``accord.cli.common``). For a group with subcommands
   (``accord ledger add``), make a sub-app and attach it::

       from accord.cli.common import App, app, out, user_errors
       from accord.cli.options import Models, Seed

       ledger = App(help="The forecast ledger: forecasts on the record, scored later.")
       app.add_typer(ledger, name="ledger")

       @ledger.command()
       def add(model: Models = None, seed: Seed = 0) -> None:
           \"\"\"One-line summary shown in the command list.

           More detail; lines are joined, paragraphs kept.
           \"\"\"
           from accord import ledger as store   # heavy imports inside the command
           with user_errors():
               ...

2. Add the module to ``MODULES`` below (its place there is its place in ``accord --help``)
   and each of its top-level command names to ``COMMANDS``.

The console script imports only the module of the command it runs (``accord forecast``
imports ``cli.forecast``, and Typer builds that one command): the other modules and their
dozens of options cost ~15-20 ms a run (issue 12: start-up). ``app`` (``from accord.cli
import app``) is the whole command, every module imported.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from accord.cli.common import err

# The command modules, in the order of `accord --help`; the module of each top-level command.
MODULES = ("forecast", "explain", "sensitivity", "report", "scenarios", "draft", "backtest",
           "ledger", "models", "serve")
COMMANDS = {"forecast": "forecast", "explain": "explain", "advise": "explain",
            "sensitivity": "sensitivity", "report": "report", "validate": "scenarios",
            "examples": "scenarios", "new": "scenarios", "convert": "scenarios",
            "draft": "draft", "calibrate": "backtest", "backtest": "backtest",
            "ledger": "ledger", "models": "models", "serve": "serve"}

__all__ = ["app", "main"]


def load(modules: tuple[str, ...] = MODULES) -> Any:
    """The shared Typer app once ``modules`` have registered their commands on it."""
    from accord.cli import common

    for name in modules:
        importlib.import_module(f"accord.cli.{name}")
    return common.app


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command (tests, ``typer.testing.CliRunner``)
        return load()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The console script ``accord``: the command named first on the command line alone,
    or the whole command (help, no command, a name it does not know)."""
    module = COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    try:
        if module is None:
            load()()
        else:
            from typer.main import get_group

            get_group(load((module,)))()  # a group even of one command
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
