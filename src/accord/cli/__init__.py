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

2. Import the module in the list below (its place there is its place in ``accord --help``).

Rules: the docstring's first paragraph is the summary; reuse the option types of
``options``; import numpy, models, analysis, plotting and the web app inside the command
function, never at module level, so ``accord --help`` stays fast; print user strings through
``out`` / ``err`` only; wrap library calls in ``with user_errors():``.
"""

from __future__ import annotations

import sys

from accord.cli.common import app, err

# Imported to register their commands; the order here is the order in `accord --help`.
# isort: off
from accord.cli import (  # noqa: F401
    forecast,
    explain,
    sensitivity,
    report,
    scenarios,
    draft,
    backtest,
    ledger,
    models,
    serve,
)
# isort: on

__all__ = ["app", "main"]


def main() -> None:
    """The console script ``accord``."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
