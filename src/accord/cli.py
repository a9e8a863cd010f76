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
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from accord import analysis
from accord import backtest as backtests
from accord import examples as builtin
from accord import models as model_registry
from accord.errors import AccordError, UserError
from accord.io import dumps_as, load_any, lost_in
from accord.scenario import Scenario, format_for, write_atomic

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="accord: forecast how multi-party negotiations end.",
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        err.print(line, markup=False, highlight=False)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    try:
        yield
    except AccordError as e:
        _fail(e.lines())
    except OSError as e:  # a path the user gave cannot be read or written
        where = e.filename if e.filename is not None else "a file"
        _fail([f"error: cannot read or write {where}: {e.strerror or e}"])


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
            row = [r.label, _fmt(float(r.outcome[k]))]
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
            out.print(f"[dim]{r.label}: {note}[/dim]")


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
    prob: Annotated[list[str] | None, typer.Option(
        "--prob", help="Probability of an event over the draws, e.g. \"territory>=80\" "
        "(>=, >, <=, <); repeat for several. Needs --draws.")] = None,
    shock: Annotated[list[str] | None, typer.Option(
        "--shock", help="Run a shocked scenario beside the base: a shock named in the "
        "scenario's shocks: section, or an edit such as RUS.capability=40, "
        "USA.salience.ceasefire=95, drop:EUR, add:CHN (all edits together form one shock).")
    ] = None,
    png: Annotated[Path | None, typer.Option(
        "--png", help="Also write the figures as PNG files into this folder.")] = None,
) -> None:
    """Forecast a scenario with one or more models (``--model ensemble[:M=W,...]`` combines
    them), with probabilities of events and shocked scenarios beside the base."""
    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        options = parse_options(option or [])
        plan = analysis.plan_models(model, options)
        with progress_on_stderr((draws > 1 or bool(shock)) and not as_json) as step:
            if shock:
                comparison = analysis.run_shocks(sc, shock, plan, draws=draws, seed=seed,
                                                 progress=step, thresholds=prob or ())
                result = comparison.base
            else:
                comparison = None
                result = analysis.forecast(sc, plan, draws=draws, seed=seed, progress=step,
                                           thresholds=prob or ())
    if png is not None:
        from accord.report import write_forecast_pngs

        with user_errors():
            try:
                paths = write_forecast_pngs(result, png, comparison.shocks if comparison else ())
            except OSError as e:
                raise UserError(f"{png}: cannot write the PNG files ({e.strerror or e})"
                                ) from None
        err.print(f"wrote {len(paths)} PNG files to {png}")
    if as_json:
        doc = comparison.to_json() if comparison else analysis.to_json(result)
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    render_forecast(result)
    render_probabilities(result)
    if comparison:
        render_shocks(comparison)


def render_probabilities(result: analysis.ForecastResult) -> None:
    if not result.thresholds:
        return
    table = Table(title=f"Probabilities over {result.draws} draws", title_justify="left")
    table.add_column("model")
    for t in result.thresholds:
        table.add_column(f"P({t.issue} {t.op} {t.value:g})", justify="right")
    for r in result.results:
        probs = r.probabilities() or {}
        table.add_row(r.label, *(f"{probs[t.text]:.2f}" for t in result.thresholds))
    out.print(table)


def _signed(x: float) -> str:
    return "0" if abs(x) < 5e-5 else f"{x:+.4g}" if abs(x) < 1 else f"{x:+.1f}"


def render_shocks(comparison: analysis.ShockComparison) -> None:
    base = comparison.base
    sc = base.scenario
    for run in comparison.shocks:
        out.print(f"[bold]Shock: {escape(run.name)}[/bold]", highlight=False)
        diff = run.difference(base)
        for k, issue in enumerate(sc.issues):
            table = Table(title=f"{issue.label or issue.id}", title_justify="left")
            for col in ("model", "base", "shocked", "difference"):
                table.add_column(col, justify="left" if col == "model" else "right")
            if base.draws > 1:
                table.add_column("shocked 10–90 %", justify="right")
            for b, s in zip(base.results, run.result.results, strict=True):
                row = [b.label, _fmt(float(b.outcome[k])), _fmt(float(s.outcome[k])),
                       _signed(diff[b.label][issue.id])]
                dist = s.distribution()
                if dist is not None:
                    d = dist[issue.id]
                    row.append(f"{_fmt(d['q10'])} – {_fmt(d['q90'])}")
                table.add_row(*row)
            out.print(table)
        if base.thresholds:
            render_probabilities(run.result)


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
# saliences on 0-100, capabilities any number >= 0 (only ratios matter).
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
        chosen = fmt or format_for(target)
        write_atomic(target, dumps_as(sc, chosen))
    err.print(f"wrote {target}")
    lost = lost_in(sc, chosen)
    if lost:
        err.print(f"note: the {chosen} format does not keep: {'; '.join(lost)}", markup=False)


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in example name.")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model name, name:preset or ensemble[:M=W,...]; repeat for "
        "several. Default: all.")] = None,
    all_inputs: Annotated[bool, typer.Option(
        "--all", help="Move every input by ±20 % of its scale (capabilities ±20 % of their "
        "value), not only the ranged ones across their range.")] = False,
    top: Annotated[int, typer.Option(min=1, help="Inputs shown per issue.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of models that draw random numbers.")] = 0,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="Model option KEY=VALUE, for every model that has it.")] = None,
    salience_scale: Annotated[float, typer.Option(
        help="Scale of saliences in one-issue CSV tables: 100 or 1.")] = 100.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every input, ranked) "
                                          "instead of tables.")] = False,
) -> None:
    """Which inputs move the forecast most: each one from low to high, the rest central."""
    which = "all" if all_inputs else "ranged"
    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        plan = analysis.plan_models(model, parse_options(option or []))
        with progress_on_stderr(not as_json) as step:
            results = analysis.sensitivity(sc, plan, which=which, seed=seed, progress=step)
    if as_json:
        doc = analysis.sensitivity_json(results, which)
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    out.print(f"[bold]{escape(sc.title)}[/bold]")
    how = ("every input ±20 % of its scale" if all_inputs
           else "each ranged input from its low to its high end")
    out.print(f"One at a time: {how}, the rest at their central values.")
    for r in results:
        for k, issue in enumerate(sc.issues):
            table = Table(title=f"{r.label}: {issue.label or issue.id} (base "
                          f"{_fmt(float(r.base[k]))})", title_justify="left")
            table.add_column("input", no_wrap=True)
            for col in ("input low", "input high", "forecast at low", "forecast at high",
                        "swing"):
                table.add_column(col, justify="right")
            for s in r.ranking(issue.id)[:top]:
                table.add_row(s.input.label, _fmt(s.input.low), _fmt(s.input.high),
                              _fmt(s.low_outcome), _fmt(s.high_outcome), _fmt(s.swing))
            out.print(table)


@app.command()
def backtest(
    file: Annotated[Path, typer.Argument(help="Issues with known outcomes, DEU format "
                                         "(p<actor>, s<actor>, rp, out columns).")],
    capabilities: Annotated[Path, typer.Option(
        help="Council votes per actor (actor,name,council_votes_pre_nice,council_votes_nice).")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model name, name:preset or ensemble[:M=W,...]; repeat for "
        "several. Default: every registered model.")] = None,
    draws: Annotated[int, typer.Option(
        min=1, help="Monte Carlo draws of input noise per issue (> 1 gives interval "
        "coverage).")] = 1,
    seed: Annotated[int, typer.Option(help="Seed of the draws and the bootstrap.")] = 0,
    noise: Annotated[list[str] | None, typer.Option(
        help="Input noise with draws: position=10,salience=20,capability=0.25 (± points, "
        "± points, ± share), triangular around the coded values.")] = None,
    by: Annotated[str | None, typer.Option(
        help="Breakdowns by columns of the file, comma-separated (e.g. proc,counvte); "
        "join columns with + to cross them.")] = None,
    institutions: Annotated[str, typer.Option(
        help="Capability of the Commission and Parliament: largest (the largest state's "
        "votes), mean, none, or a number.")] = "largest",
    capability: Annotated[str, typer.Option(
        help="Capability proxy: votes (Council votes) or equal.")] = "votes",
    bootstrap: Annotated[int, typer.Option(min=100, help="Bootstrap replicates.")] = 2000,
    executor: Annotated[str, typer.Option(
        help="Where the tasks run: serial, thread, process or dask.")] = "serial",
    workers: Annotated[int | None, typer.Option(help="Workers of the executor.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a Dask scheduler (implies --executor dask).")] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="Model option KEY=VALUE, for every model that has it.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")
                       ] = False,
) -> None:
    """Score models against real outcomes: MAE, median AE, RMSE, share within ±10, the
    paired difference against the compromise model (bootstrap 95 % interval over proposals)
    and, with --draws, the coverage of the 80 % and 90 % predictive intervals."""
    with user_errors():
        if capability not in ("votes", "equal"):
            raise UserError(f"--capability {capability!r}: choose votes or equal")
        inst: Any = institutions
        if institutions not in ("largest", "mean", "none"):
            try:
                inst = float(institutions)
            except ValueError:
                raise UserError(f"--institutions {institutions!r}: choose largest, mean, none "
                                "or a number") from None
        if scheduler and executor == "serial":
            executor = "dask"  # a scheduler address means a Dask cluster
        if executor not in ("serial", "thread", "process", "dask"):
            raise UserError(f"--executor {executor!r}: choose serial, thread, process or dask")
        columns = [c.strip() for c in (by or "").split(",") if c.strip()]
        proposals = backtests.load_deu(file, capabilities, institutions=inst,
                                       capability=capability)  # type: ignore[arg-type]
        plan = analysis.plan_models(model, parse_options(option or []))
        noise_spec = backtests.Noise.parse(noise or [])
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task("backtest", total=None)

            def step(what: str, done: int, total: int) -> None:
                bar.update(task, description=f"backtest: {what}", completed=done, total=total)

            with analysis.make_executor(executor, workers, scheduler) as ex:  # type: ignore[arg-type]
                result = backtests.backtest(proposals, plan, draws=draws, seed=seed,
                                            noise=noise_spec, bootstrap=bootstrap,
                                            executor=ex, progress=step)
        doc = result.to_json(columns)
    for label, errors in result.errors.items():
        err.print(f"warning: {label} failed on {len(errors)} proposal(s); first: {errors[0]}",
                  markup=False, highlight=False)
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    out.print(f"{doc['n_issues']} issues with outcomes in {doc['n_proposals']} proposals"
              + (f"; {draws} draws of input noise, seed {seed}" if draws > 1 else "") + ".")
    render_scores("all issues", doc["models"], draws > 1)
    for column, groups in doc.get("breakdown", {}).items():
        for value, group in groups.items():
            render_scores(f"{column} = {value} ({group['n_issues']} issues)", group["models"],
                          draws > 1)
    out.print("MdAE: median absolute error; ≤10: share within ±10; ΔAE: mean |error| minus "
              "the compromise model's, with a bootstrap 95 % interval over proposals"
              + ("; cov80, cov90: share of outcomes inside the 80 % and 90 % predictive "
                 "intervals" if draws > 1 else "") + ".", highlight=False)


def _num(x: float | None, fmt: str = ".1f") -> str:
    return "–" if x is None else format(x, fmt)


def render_scores(title: str, models: list[dict[str, Any]], coverage: bool) -> None:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    table.add_column("model", no_wrap=True)
    for col in ("n", "MAE", "MdAE", "RMSE", "≤10", "ΔAE", "95 % CI"):
        table.add_column(col, justify="right", no_wrap=True)
    if coverage:
        table.add_column("cov80", justify="right", no_wrap=True)
        table.add_column("cov90", justify="right", no_wrap=True)
    for m in models:
        paired = m["paired_vs_compromise"]
        lo, hi = paired["ci95"]
        row = [m["model"], str(m["n"]), _num(m["mae"]), _num(m["median_ae"]), _num(m["rmse"]),
               _num(m["within10"], ".0%"), _num(paired["mean_diff"], "+.1f"),
               f"[{_num(lo, '+.1f')}, {_num(hi, '+.1f')}]"]
        if coverage:
            cov = m["coverage"] or {}
            row += [_num(cov.get("80"), ".0%"), _num(cov.get("90"), ".0%")]
        table.add_row(*row)
    out.print(table)


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


@app.command()
def report(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or a built-in example name.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")
                      ] = Path("report.html"),
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", help="Model name, name:preset or ensemble[:M=W,...]; repeat for "
        "several. Default: all.")] = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the random draws.")] = 0,
    option: Annotated[list[str] | None, typer.Option(
        "--option", help="Model option KEY=VALUE, for every model that has it.")] = None,
    prob: Annotated[list[str] | None, typer.Option(
        "--prob", help="Probability of an event, e.g. \"territory>=80\"; repeat for several.")
    ] = None,
    shock: Annotated[list[str] | None, typer.Option(
        "--shock", help="Shocks to run (names or edits, as in forecast). Default: every "
        "shock the scenario names.")] = None,
    no_shocks: Annotated[bool, typer.Option("--no-shocks", help="Run no shocks.")] = False,
    no_sensitivity: Annotated[bool, typer.Option(
        "--no-sensitivity", help="Leave out the sensitivity analysis.")] = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write a PDF beside the HTML: printed by headless Chromium where "
        "installed, else the figures drawn by matplotlib.")] = False,
    salience_scale: Annotated[float, typer.Option(
        help="Scale of saliences in one-issue CSV tables: 100 or 1.")] = 100.0,
) -> None:
    """Write one self-contained HTML report (works offline): the question, the scenario
    with its evidence, each model's forecast in words, numbers and figures, sensitivity,
    shocks, and the settings to rerun it."""
    from accord import report as reports

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        if output.suffix.lower() not in (".html", ".htm"):
            raise UserError(f"{output}: the report is HTML; use a .html name")
        options = parse_options(option or [])
        with progress_on_stderr(True) as step:
            rep = reports.build(sc, model, draws=draws, seed=seed, options=options,
                                thresholds=prob or (), shocks=[] if no_shocks else shock,
                                sensitivity=not no_sensitivity, progress=step,
                                source=scenario)
            html = reports.render_html(rep)
        try:
            write_atomic(output, html)
            if pdf:
                how = reports.write_pdf(rep, output.with_suffix(".pdf"), html)
        except OSError as e:
            raise UserError(f"{output}: cannot write the report ({e.strerror or e})") from None
    err.print(f"wrote {output}")
    if pdf:
        note = ("printed by Chromium" if how == "chromium"
                else "matplotlib figures; no Chromium found")
        err.print(f"wrote {output.with_suffix('.pdf')} ({note})")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine "
                                      "only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
) -> None:
    """Run the dashboard: edit scenarios, run forecasts, see the figures, download the
    scenario and the report. Open http://HOST:PORT/ in a browser; Ctrl-C stops it."""
    from accord.web import serve as run_server

    err.print(f"accord dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print("warning: listening beyond this machine; the dashboard has no login")
    run_server(host=host, port=port)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
