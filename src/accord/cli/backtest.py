"""``accord backtest``: score the models against negotiations whose outcome is known."""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import app, err, out, parse_options, user_errors, write_json
from accord.cli.options import (
    CalibrationFile,
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


class Method(StrEnum):
    """How a calibration turns a model's errors into a predictive distribution."""

    normalised = "normalised"
    resample = "resample"
    conformal = "conformal"


MethodOpt = Annotated[Method, typer.Option(
    "--method", help="normalised: errors scaled by a difficulty score (spread of positions, "
    "distance from the middle, unanimity); resample: the signed errors as they are; "
    "conformal: ± the absolute errors (split-conformal intervals).")]
Institutions = Annotated[str, typer.Option(
    help="Capability of the Commission and Parliament: largest (the largest state's votes), "
    "mean, none, or a number.")]
CapabilitiesFile = Annotated[Path, typer.Option(
    help="Council votes per actor (columns actor, name, council_votes_pre_nice, "
    "council_votes_nice).")]
DataFile = Annotated[Path, typer.Argument(
    metavar="FILE", help="Issues with known outcomes, DEU format (p<actor>, s<actor>, rp, "
    "out columns).")]


def _institutions(institutions: str) -> Any:
    if institutions in ("largest", "mean", "none"):
        return institutions
    try:
        return float(institutions)
    except ValueError:
        raise UserError(f"--institutions {institutions!r}: choose largest, mean, none or a "
                        "number") from None


@contextmanager
def _progress(what: str) -> Iterator[Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                  BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err.console,
                  transient=True) as bar:
        task = bar.add_task(what, total=None)

        def step(label: str, done: int, total: int) -> None:
            bar.update(task, description=f"{what}: {label}", completed=done, total=total)

        yield step


@app.command()
def calibrate(
    file: DataFile,
    capabilities: CapabilitiesFile,
    output: Annotated[Path, typer.Option("--output", "-o", help="The calibration file to "
                                         "write (JSON).")] = Path("calibration.json"),
    model: Models = None,
    method: MethodOpt = Method.normalised,
    institutions: Institutions = "largest",
    capability: Annotated[CapabilityProxy, typer.Option(
        help="Capability proxy: Council votes, or equal for all.")] = CapabilityProxy.votes,
    option: ModelOptions = None,
) -> None:
    """Fit the model-error calibrations of the predictive intervals from resolved issues.

    Runs each model on every issue of FILE (DEU format) and keeps its errors, with their
    provenance (file, n, date, accord version, method); use the result with
    `accord forecast --calibration FILE`.
    """
    import json

    from accord import analysis
    from accord import backtest as backtests
    from accord.fileio import write_text

    with user_errors():
        proposals = backtests.load_deu(file, capabilities,
                                       institutions=_institutions(institutions),
                                       capability=capability.value)
        plan = analysis.plan_models(model, parse_options(option))
        with _progress("calibrate") as step:
            cs = backtests.fit_calibrations(proposals, plan, method.value, corpus=file.name,
                                            progress=step)
        try:
            write_text(output, json.dumps(cs.to_json(), indent=1) + "\n")
        except OSError as e:
            raise UserError(f"{output}: cannot write the calibration ({e.strerror or e})"
                            ) from None
    err.print(f"wrote {output}: {len(cs.calibrations)} calibrations "
              f"({', '.join(cs.calibrations)}), n = {cs.provenance['n']}, method {method.value}")


@app.command()
def backtest(
    file: DataFile,
    capabilities: CapabilitiesFile,
    model: Models = None,
    draws: Draws = 1,
    seed: Seed = 0,
    noise: Annotated[list[str] | None, typer.Option(
        help="Input noise with --draws: position=10,salience=20,capability=0.25 (± points, "
        "± points, ± share), triangular around the coded values.")] = None,
    by: Annotated[str | None, typer.Option(
        help="Breakdowns by columns of the file, comma-separated (e.g. proc,counvte); "
        "join columns with + to cross them.")] = None,
    institutions: Institutions = "largest",
    capability: Annotated[CapabilityProxy, typer.Option(
        help="Capability proxy: Council votes, or equal for all.")] = CapabilityProxy.votes,
    bootstrap: Annotated[int, typer.Option(min=100, help="Bootstrap replicates.")] = 2000,
    executor: Annotated[Executor, typer.Option(
        help="Where the tasks run; auto: with --draws, one process per core (the numbers do "
        "not depend on it), else serially.")] = Executor.auto,
    workers: Annotated[int | None, typer.Option(help="Workers of the executor.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Address of a Dask scheduler (implies --executor dask).")] = None,
    option: ModelOptions = None,
    cv: Annotated[int | None, typer.Option(
        "--cv", min=2, help="K-fold cross-validation of the calibrated intervals: fit on K−1 "
        "folds of proposals, score the K-th (seeded by --seed).")] = None,
    method: MethodOpt = Method.normalised,
    calibration: CalibrationFile = "shipped",
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
    compromise model (bootstrap 95 % interval over proposals); CRPS, the coverage and mean
    width of the calibrated 80 % and 90 % intervals and the paired CRPS difference against
    the compromise model (with --cv K calibrations fit on the other folds; else the given
    or shipped calibration, which may have seen these issues); with --draws, the coverage of
    the input-only intervals.
    """
    from accord import analysis
    from accord import backtest as backtests
    from accord.analysis import calibration as calibrations

    with user_errors():
        inst = _institutions(institutions)
        cal = None if cv else calibrations.load(calibration)
        kind = executor.value
        if kind == "auto" and (draws <= 1 or scheduler):
            kind = "serial"  # one draw a task: not worth starting processes
        if scheduler and kind == "serial":
            kind = "dask"  # a scheduler address means a Dask cluster
        columns = [c.strip() for c in (by or "").split(",") if c.strip()]
        proposals = backtests.load_deu(file, capabilities, institutions=inst,
                                       capability=capability.value)
        plan = analysis.plan_models(model, parse_options(option))
        noise_spec = backtests.Noise.parse(noise or [])
        with _progress("backtest") as step, \
                analysis.make_executor(kind, workers, scheduler) as ex:  # type: ignore[arg-type]
            result = backtests.backtest(proposals, plan, draws=draws, seed=seed,
                                        noise=noise_spec, bootstrap=bootstrap, executor=ex,
                                        progress=step, calibrations=cal, cv=cv,
                                        method=method.value)
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
    from accord.cli import render

    render.scores("all issues", doc["models"], draws > 1)
    render.predictive_scores("calibrated predictive distributions, all issues", doc["models"])
    for column, groups in doc.get("breakdown", {}).items():
        for value, group in groups.items():
            title = f"{column} = {value} ({group['n_issues']} issues)"
            render.scores(title, group["models"], draws > 1)
            render.predictive_scores(f"calibrated, {title}", group["models"])
    out.print("MdAE: median absolute error; ≤10: share within ±10; ΔAE: mean |error| minus "
              "the compromise model's, with a bootstrap 95 % interval over proposals"
              + ("; cov80, cov90: share of outcomes inside the 80 % and 90 % intervals of "
                 "input noise alone" if draws > 1 else "") + ".", highlight=False)
    source = doc.get("calibration")
    if source:
        if "cv" in source:
            where = (f"{source['cv']}-fold cross-validation grouped by proposal (seed "
                     f"{source['seed']}, method {source['method']}): each issue scored by a "
                     "calibration fit on the other folds")
        else:
            where = (f"the calibration {source.get('name')} ({source.get('corpus')}, n = "
                     f"{source.get('n')}, {source.get('date')}, method {source.get('method')}); "
                     "if it was fit on this file, these scores are in-sample: use --cv K")
        out.print("CRPS: continuous ranked probability score of the calibrated predictive "
                  "draws (lower is better; scoringrules); ΔCRPS: minus the compromise "
                  "model's [bootstrap 95 %]; cal80/cal90 and width: coverage and mean width "
                  f"of the calibrated intervals. Calibration: {where}.", highlight=False)
