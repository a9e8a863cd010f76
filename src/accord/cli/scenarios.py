"""Scenario files: ``validate``, ``examples``, ``new`` and ``convert``."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.common import app, err, load_scenario, out, user_errors
from accord.cli.options import SalienceScale, ScenarioArg
from accord.errors import UserError

TEMPLATE = """\
# An accord scenario. Every number may be bare (90) or an object
# {value, low, high, dist, evidence, source, note}; low/high give the range Monte Carlo
# draws from (triangular unless dist: uniform | normal). Positions are on the issue's scale,
# saliences on 0-100, capability any number ≥ 0 (only ratios matter).
# Check it with `accord validate FILE`.
title: My negotiation
date: '2025-01-01'
question: What is agreed?
sources:
  - id: source1
    title: Where the numbers come from
scale: [0, 100]            # default scale of every issue
issues:
  - id: issue1
    label: What the issue is about
    low: What 0 means
    high: What 100 means
    status_quo: 50         # optional: where things stand now
actors:
  - id: A
    name: Actor A
    capability: {value: 60, low: 50, high: 70, evidence: "a quote", source: source1}
    position: {issue1: 20}
    salience: {issue1: 80}
  - id: B
    name: Actor B
    capability: 40
    position: {issue1: {value: 80, low: 70, high: 90, note: "analyst's judgement: why"}}
    salience: {issue1: 60}
rule:                      # optional: how the decision is taken (the core model uses it)
  kind: weighted-majority  # weighted-majority (with threshold), majority (> half), unanimity
  threshold: 0.6           # the share of the weights a winning coalition needs
  # weights: {A: 3, B: 2}  # votes per actor (actors not listed do not vote); default: capability
  # veto: [B]              # actors whose consent every decision needs
# Optional, for the war model (bargaining under fire): the fighting that decides one issue.
# Uncomment to use it. Every number may carry a range, evidence and a note, as above.
# conflict:
#   issue: issue1
#   sides: {a: [B], b: [A]}  # side a wants the top of the scale, side b the bottom
#   mediators: []            # optional: actors on neither side
#   period: month            # day | week | month | quarter | year; from `start` (default: date)
#   horizon: 24              # periods to look ahead
#   front: 50                # where the fighting stands (default: the issue's status_quo)
#   truth: {drift: 0.5, volatility: 2}   # the front moves drift + volatility x N(0,1) a period
#   beliefs:                 # each side's prior belief about the drift: mean and sd
#     a: {drift: 2, sd: 0.5}
#     b: {drift: 0, sd: 1}
#   costs: {a: 0.5, b: 0.8}  # what one more period of fighting costs a side, in scale points
#   power: 0.5               # optional: side a's bargaining power (default: capability share)
"""


@app.command()
def validate(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The scenario file to check.")],
    salience_scale: SalienceScale = 100.0,
) -> None:
    """Check a scenario file and list every problem (exit code 2 if there are any)."""
    with user_errors():
        sc = load_scenario(file, salience_scale)
    out.print(f"{file}: ok — {len(sc.actors)} actors, {len(sc.issues)} issues.")


@app.command()
def examples(
    show: Annotated[str | None, typer.Option(help="Print this example's scenario file.")] = None,
) -> None:
    """List the built-in example scenarios, or print one."""
    from rich.table import Table

    from accord import examples as builtin

    with user_errors():
        if show is not None:
            sys.stdout.write(builtin.example_text(show))
            return
    table = Table("name", "title", "actors", "issues")
    for name in builtin.example_names():
        sc = builtin.example(name)
        table.add_row(name, sc.title, str(len(sc.actors)), str(len(sc.issues)))
    out.print(table)


@app.command()
def new(file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the template (.yaml).")]) -> None:
    """Write a commented scenario template to start from."""
    from accord.fileio import write_text

    with user_errors():
        if file.exists():
            raise UserError(f"{file}: already exists; choose another name")
        if file.suffix.lower() not in (".yaml", ".yml"):
            raise UserError(f"{file}: the template is YAML; use a .yaml or .yml name")
        write_text(file, TEMPLATE)
    err.print(f"wrote {file}; edit it, then run: accord validate {file}")


@app.command()
def convert(
    source: ScenarioArg,
    target: Annotated[Path, typer.Argument(
        metavar="TARGET", help="The file to write: .yaml, .yml, .json, .csv, .ktab or "
        ".decide, or any name with --format.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="Output format (default: by suffix): yaml, json, csv, or "
        "another tool's format such as ktab or decide.")] = None,
    salience_scale: SalienceScale = 100.0,
    lossy: Annotated[bool, typer.Option(
        "--lossy", help="Write even when the format cannot hold something that changes a "
        "forecast (ranges, scales, status quo, named shocks).")] = False,
) -> None:
    """Convert a scenario between formats, by the output's suffix or --format.

    The input is never modified; the output is written atomically. A format that cannot hold
    something a forecast depends on is refused (exit 2, naming it) unless --lossy; what it
    does not keep is listed on stderr.
    """
    from accord.fileio import write_text
    from accord.io import convert as convert_to
    from accord.io import output_format

    with user_errors():
        sc = load_scenario(source, salience_scale)
        if Path(source).exists() and Path(source).resolve() == target.resolve():
            raise UserError(f"{target}: the output would overwrite the input; choose another "
                            "name")
        chosen = output_format(target, fmt)
        text, lost = convert_to(sc, chosen, lossy=lossy)
        write_text(target, text)
    err.print(f"wrote {target}")
    if lost:
        err.print(f"note: the {chosen} format does not keep: {'; '.join(lost)}")
