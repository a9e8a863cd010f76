"""``accord backtest``: score the models against negotiations whose outcome is known."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli import render
from accord.cli.common import app, err, out, parse_options, user_errors, write_json
from accord.cli.options import (
    CapabilityProxy,
    Draws,
    Executor,
    Json,
    LedgerUrl,
    ModelOptions,
    Models,
    Note,
    Seed,
)
from accord.errors import UserError


@app.command()
def backtest(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Issues with known outcomes, DEU format (p<actor>, s<actor>, rp, "
        "out columns).")],
    capabilities: Annotated[Path, typer.Option(
        help="Council votes per actor (columns actor, name, council_votes_pre_nice, "
        "council_votes_nice).")],
    model: Models = None,
    draws: Draws = 1,
    seed: Seed = 0,
    noise: Annotated[list[str] | None, typer.Option(
        help="Input noise with --draws: position=10,salience=20,capability=0.25 (± points, "
        "± points, ± share), triangular around the coded values.")] = None,
    by: Annotated[str | None, typer.Option(
        help="Breakdowns by columns of the file, comma-separated (e.g. proc,counvte); "
        "join columns with + to cross them.")] = None,
    institutions: Annotated[str, typer.Option(
        help="Capability of the Commission and Parliament: largest (the largest state's "
        "votes), mean, none, or a number.")] = "largest",
    capability: Annotated[CapabilityProxy, typer.Option(
        help="Capability proxy: Council votes, or equal for all.")] = CapabilityProxy.votes,
    bootstrap: Annotated[int, typer.Option(min=100, help="Bootstrap replicates.")] = 2000,
    executor: Annotated[Executor, typer.Option(
        help="Where the tasks run.")] = Executor.serial,
    workers: Annotated[int | None, typer.Option(help="Workers of the executor.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a Dask scheduler (implies --executor dask).")] = None,
    option: ModelOptions = None,
    as_json: Json = False,
    record: Annotated[bool, typer.Option(
        "--record", help="Record every scored issue in the ledger as a resolved question "
        "with each model's forecast, so `accord ledger score` scores them.")] = False,
    ledger: LedgerUrl = None,
    analyst: Annotated[str | None, typer.Option(
        "--analyst", help="Who records it with --record (default: the user name).")] = None,
    note: Note = "",
) -> None:
    """Score models against real outcomes (the DEU data set of EU decisions).

    Scores: MAE, median AE, RMSE, share within ±10, the paired difference against the
    compromise model (bootstrap 95 % interval over proposals) and, with --draws, the coverage
    of the 80 % and 90 % predictive intervals.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from accord import analysis
    from accord import backtest as backtests

    with user_errors():
        inst: Any = institutions
        if institutions not in ("largest", "mean", "none"):
            try:
                inst = float(institutions)
            except ValueError:
                raise UserError(f"--institutions {institutions!r}: choose largest, mean, none "
                                "or a number") from None
        kind = executor.value
        if scheduler and kind == "serial":
            kind = "dask"  # a scheduler address means a Dask cluster
        columns = [c.strip() for c in (by or "").split(",") if c.strip()]
        proposals = backtests.load_deu(file, capabilities, institutions=inst,
                                       capability=capability.value)
        plan = analysis.plan_models(model, parse_options(option))
        noise_spec = backtests.Noise.parse(noise or [])
        with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                      BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                      transient=True) as bar:
            task = bar.add_task("backtest", total=None)

            def step(what: str, done: int, total: int) -> None:
                bar.update(task, description=f"backtest: {what}", completed=done, total=total)

            with analysis.make_executor(kind, workers, scheduler) as ex:  # type: ignore[arg-type]
                result = backtests.backtest(proposals, plan, draws=draws, seed=seed,
                                            noise=noise_spec, bootstrap=bootstrap,
                                            executor=ex, progress=step)
        doc = result.to_json(columns)
        if record:
            from accord.ledger import Ledger

            with Ledger.open(ledger) as store:
                n_runs, n_questions = store.record_backtest(result, analyst=analyst, note=note,
                                                            source=file.name)
                err.print(f"recorded {n_runs} runs and {n_questions} resolved questions in "
                          f"the ledger {store.where}")
    for label, errors in result.errors.items():
        err.print(f"warning: {label} failed on {len(errors)} proposal(s); first: {errors[0]}")
    if as_json:
        write_json(doc)
        return
    out.print(f"{doc['n_issues']} issues with outcomes in {doc['n_proposals']} proposals"
              + (f"; {draws} draws of input noise, seed {seed}" if draws > 1 else "") + ".")
    render.scores("all issues", doc["models"], draws > 1)
    for column, groups in doc.get("breakdown", {}).items():
        for value, group in groups.items():
            render.scores(f"{column} = {value} ({group['n_issues']} issues)", group["models"],
                          draws > 1)
    out.print("MdAE: median absolute error; ≤10: share within ±10; ΔAE: mean |error| minus "
              "the compromise model's, with a bootstrap 95 % interval over proposals"
              + ("; cov80, cov90: share of outcomes inside the 80 % and 90 % predictive "
                 "intervals" if draws > 1 else "") + ".", highlight=False)
