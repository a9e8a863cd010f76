"""Options and arguments that several commands share, declared once as ``Annotated`` types.

A command writes ``seed: Seed = 0``; the flag, its short form and its help live here, so
``--model``, ``--option``, ``--seed``, ``--draws``, ``--salience-scale`` and ``--json`` read
the same in every command. Fixed choices are Enums, so Typer lists them in ``--help`` and
refuses anything else with exit code 2.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

ScenarioArg = Annotated[str, typer.Argument(
    metavar="SCENARIO", help="A scenario file (any known format), or a built-in example name.")]

Models = Annotated[list[str] | None, typer.Option(
    "--model", "-m", help="Model name, name:preset or ensemble[:M=W,...]; repeat for several. "
    "Default: every registered model.")]

ModelOptions = Annotated[list[str] | None, typer.Option(
    "--option", help="Model option KEY=VALUE, for every chosen model that has it; "
    "repeat for several.")]

Seed = Annotated[int, typer.Option(
    "--seed", help="Seed of every random number (draws, random models, bootstrap): the same "
    "seed gives the same result.")]

Draws = Annotated[int, typer.Option(
    "--draws", min=1, help="Monte Carlo draws of the inputs from their ranges (1 = central "
    "values only).")]

SalienceScale = Annotated[float, typer.Option(
    "--salience-scale", help="Scale of saliences in one-issue CSV tables: 100 or 1.")]

Json = Annotated[bool, typer.Option(
    "--json", help="Print one JSON document on stdout instead of tables.")]

Prob = Annotated[list[str] | None, typer.Option(
    "--prob", help="Probability of an event over the draws, e.g. \"territory>=80\" (>=, >, <=, <); "
    "repeat for several. Needs --draws.")]

Shock = Annotated[list[str] | None, typer.Option(
    "--shock", help="A shock to run beside the base: a name from the scenario's shocks "
    "section, or an edit such as RUS.capability=40, USA.salience.ceasefire=95, drop:EUR, "
    "add:CHN (all edits together form one shock).")]

Trajectories = Annotated[bool, typer.Option(
    "--trajectories", help="Keep every draw's round-by-round positions (memory: draws × "
    "rounds × actors × issues; with --json written as draw_trajectories). By default only the "
    "central run's are kept, and the outcome per round of every draw.")]

LedgerUrl = Annotated[str | None, typer.Option(
    "--ledger", envvar="ACCORD_LEDGER", show_envvar=True,
    help="The ledger: an SQLAlchemy URL (sqlite:///path, postgresql://user@host/db) or a "
    "path to an SQLite file. Default: ledger.sqlite in the user data directory.")]

Analyst = Annotated[str | None, typer.Option(
    "--by", help="Who records it (default: the user name).")]

Note = Annotated[str, typer.Option("--note", help="A free-text note kept with the record.")]

Png = Annotated[Path | None, typer.Option(
    "--png", help="Also write the figures as PNG files into this folder.")]


class Executor(StrEnum):
    """Where independent tasks run."""

    auto = "auto"
    serial = "serial"
    thread = "thread"
    process = "process"
    dask = "dask"


class CapabilityProxy(StrEnum):
    """What stands for an actor's capability in the DEU back-test."""

    votes = "votes"
    equal = "equal"

CalibrationFile = Annotated[str, typer.Option(
    "--calibration", metavar="FILE|none", help="The model-error calibration of the "
    "predictive intervals: a file written by `accord calibrate`, 'none', or (default) the "
    "shipped one, fit on the DEU dev file (EU legislative bargaining).")]


class Intervals(StrEnum):
    """Which 10–90 % intervals the forecast table shows."""

    calibrated = "calibrated"
    input = "input"
    both = "both"


IntervalsOpt = Annotated[Intervals, typer.Option(
    "--intervals", help="calibrated: input draws plus the model's error on the calibration "
    "corpus (default); input: input uncertainty alone (needs --draws); both.")]
