"""The ``accord`` command. Parses arguments, calls the library, renders; computes nothing.

User mistakes (bad files, unknown models, bad options) print a clear message on stderr and
exit with code 2, never a traceback. Only the table or the JSON goes to stdout.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord import analysis
from accord import examples as builtin
from accord import models as model_registry
from accord.io import dumps_as, load_any
from accord.models.base import ModelSpecError
from accord.scenario import Scenario, ScenarioError, format_for, write_atomic

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="accord: forecast how multi-party negotiations end.",
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class UserError(Exception):
    """A mistake in what the user asked for; shown as a message, exit code 2."""


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        err.print(line, markup=False, highlight=False)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except ScenarioError as e:
        n = len(e.problems)
        _fail([str(p) for p in e.problems] + [f"{n} problem{'s' if n != 1 else ''} found."])
    except (ModelSpecError, UserError) as e:
        _fail([f"error: {e}"])


def load_scenario(ref: str, salience_scale: float = 100.0) -> Scenario:
    """A scenario from a file path or a built-in example name."""
    path = Path(ref)
    if path.exists():
        return load_any(path, salience_scale=salience_scale)
    if ref in builtin.example_names():
        return builtin.example(ref)
    raise UserError(f"{ref}: no such file, and not a built-in example "
                    f"(examples: {', '.join(builtin.example_names())})")


def parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--option {pair!r} is not KEY=VALUE (e.g. --option rounds=20)")
        options[key.strip()] = value.strip()
    return options


@contextmanager
def progress_on_stderr(enabled: bool) -> Iterator[Callable[[str], None] | None]:
    if not enabled:
        yield None
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def step(name: str) -> None:
            bar.update(task, description=f"running {name}")

        yield step


def _fmt(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1 else f"{x:.1f}"


def _bound(x: float) -> str:
    return f"{x:g}"


def render_forecast(result: analysis.ForecastResult) -> None:
    sc = result.scenario
    out.print(f"[bold]{sc.title}[/bold]")
    if sc.question:
        out.print(sc.question)
    if result.draws > 1:
        out.print(f"{result.draws} Monte Carlo draws, seed {result.seed}.")
    for k, issue in enumerate(sc.issues):
        lo, hi = sc.scale_of(issue)
        table = Table(title=f"{issue.label or issue.id}", title_justify="left")
        table.add_column("model")
        table.add_column("forecast", justify="right")
        if result.draws > 1:
            table.add_column("10–90 %", justify="right")
        for r in result.results:
            row = [r.model, _fmt(float(r.outcome[k]))]
            dist = r.distribution()
            if dist is not None:
                d = dist[issue.id]
                row.append(f"{_fmt(d['q10'])} – {_fmt(d['q90'])}")
            table.add_row(*row)
        meaning = []
        if issue.low:
            meaning.append(f"{_bound(lo)} = {issue.low}")
        if issue.high:
            meaning.append(f"{_bound(hi)} = {issue.high}")
        if issue.status_quo is not None:
            meaning.append(f"status quo {_bound(issue.status_quo.value)}")
        table.caption = "; ".join(meaning) if meaning else f"scale {_bound(lo)}–{_bound(hi)}"
        table.caption_justify = "left"
        out.print(table)
    for r in result.results:
        for note in r.point.notes:
            out.print(f"[dim]{r.model}: {note}[/dim]")


@app.command()
def forecast(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in example name.")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model name or name:preset; repeat for several. Default: all.")
    ] = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws (1 = central values).")
                     ] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.")] = 0,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="Model option KEY=VALUE, for every model that has it.")] = None,
    salience_scale: Annotated[float, typer.Option(
        help="Scale of saliences in one-issue CSV tables: 100 or 1.")] = 100.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")
                       ] = False,
) -> None:
    """Forecast a scenario with one or more models."""
    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        options = parse_options(option or [])
        chosen = analysis.resolve_models(model, options)
        with progress_on_stderr(draws > 1 and not as_json) as step:
            result = analysis.forecast(sc, chosen, draws=draws, seed=seed, progress=step)
    if as_json:
        sys.stdout.write(json.dumps(analysis.to_json(result), indent=2) + "\n")
    else:
        render_forecast(result)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="The scenario file to check.")],
    salience_scale: Annotated[float, typer.Option(help="One-issue CSV saliences: 100 or 1.")
                              ] = 100.0,
) -> None:
    """Check a scenario file and list every problem (exit 2 if there are any)."""
    with user_errors():
        sc = load_scenario(file, salience_scale)
    out.print(f"{file}: ok — {len(sc.actors)} actors, {len(sc.issues)} issues.")


@app.command()
def examples(
    show: Annotated[str | None, typer.Option(help="Print this example's scenario file.")] = None,
) -> None:
    """List the built-in example scenarios, or print one."""
    with user_errors():
        if show is not None:
            sys.stdout.write(builtin.example_text(show))
            return
    table = Table("name", "title", "actors", "issues")
    for name in builtin.example_names():
        sc = builtin.example(name)
        table.add_row(name, sc.title, str(len(sc.actors)), str(len(sc.issues)))
    out.print(table)


TEMPLATE = """\
# An accord scenario. Every number may be bare (90) or an object
# {value, low, high, dist, evidence, source, note}; low/high give the range Monte Carlo
# draws from (triangular unless dist: uniform | normal). Positions are on the issue's scale,
# saliences and capabilities on 0-100. Check it with `accord validate FILE`.
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
"""


@app.command()
def new(file: Annotated[Path, typer.Argument(help="Where to write the template (.yaml).")]
        ) -> None:
    """Write a commented scenario template to start from."""
    with user_errors():
        if file.exists():
            raise UserError(f"{file}: already exists; choose another name")
        if file.suffix.lower() not in (".yaml", ".yml"):
            raise UserError(f"{file}: the template is YAML; use a .yaml or .yml name")
        write_atomic(file, TEMPLATE)
    err.print(f"wrote {file}; edit it, then run: accord validate {file}")


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="Scenario file (any known format) or example.")],
    target: Annotated[Path, typer.Argument(help="Output file: .yaml, .yml, .json or .csv.")],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="Output format (default: by suffix): yaml, json, csv, or "
        "another tool's format such as ktab or decide.")] = None,
    salience_scale: Annotated[float, typer.Option(help="One-issue CSV saliences: 100 or 1.")
                              ] = 100.0,
) -> None:
    """Convert a scenario between formats (by the output's suffix, or --format)."""
    with user_errors():
        sc = load_scenario(source, salience_scale)
        if Path(source).exists() and Path(source).resolve() == target.resolve():
            raise UserError(f"{target}: the output would overwrite the input; choose another "
                            "name")
        write_atomic(target, dumps_as(sc, fmt or format_for(target)))
    err.print(f"wrote {target}")


def list_models() -> list[dict[str, Any]]:
    return [{"name": n, "presets": list(model_registry.model_class(n).presets)}
            for n in model_registry.names()]


@app.command("models")
def models_command() -> None:
    """List the registered models with their options and presets."""
    import dataclasses

    table = Table("model", "options (default)", "presets")
    for name in model_registry.names():
        cls = model_registry.model_class(name)
        opts = ", ".join(f"{f.name}={f.default}" for f in dataclasses.fields(cls.Options))
        table.add_row(name, opts or "—", ", ".join(cls.presets) or "—")
    out.print(table)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
