"""``accord forecast``: models on a scenario, with probabilities and shocks beside the base."""

from typing import Annotated

import typer

from accord.cli.common import (
    app,
    err,
    load_scenario,
    parse_options,
    progress_on_stderr,
    user_errors,
    write_json,
)
from accord.cli.options import (
    Analyst,
    CalibrationFile,
    Draws,
    Intervals,
    IntervalsOpt,
    Json,
    LedgerUrl,
    ModelOptions,
    Models,
    Note,
    Png,
    Prob,
    SalienceScale,
    ScenarioArg,
    Seed,
    Shock,
    Trajectories,
)
from accord.errors import UserError


@app.command()
def forecast(
    scenario: ScenarioArg,
    model: Models = None,
    draws: Draws = 1,
    seed: Seed = 0,
    option: ModelOptions = None,
    salience_scale: SalienceScale = 100.0,
    as_json: Json = False,
    prob: Prob = None,
    shock: Shock = None,
    png: Png = None,
    trajectories: Trajectories = False,
    record: Annotated[bool, typer.Option(
        "--record", help="Also record the forecast in the ledger (see `accord ledger`).")
    ] = False,
    ledger: LedgerUrl = None,
    by: Analyst = None,
    note: Note = "",
    calibration: CalibrationFile = "shipped",
    intervals: IntervalsOpt = Intervals.calibrated,
) -> None:
    """Forecast a scenario with one or more models.

    --model ensemble[:M=W,...] combines models into one forecast; --draws gives intervals
    and, with --prob, the probability of events; --shock runs a changed scenario beside the
    base. Intervals are calibrated by default: the input draws plus the model's own error on
    EU legislative bargaining (the DEU dev file; --calibration FILE|none, --intervals).
    """
    from accord import analysis
    from accord.analysis import calibration as calibrations

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        cal = None if intervals == Intervals.input else calibrations.load(calibration)
        plan = analysis.plan_models(model, parse_options(option))
        with progress_on_stderr((draws > 1 or bool(shock)) and not as_json) as step:
            if shock:
                comparison = analysis.run_shocks(sc, shock, plan, draws=draws, seed=seed,
                                                 progress=step, thresholds=prob or (),
                                                 trajectories=trajectories)
                result = comparison.base
                analysis.add_predictive(result, cal)
            else:
                comparison = None
                result = analysis.forecast(sc, plan, draws=draws, seed=seed, progress=step,
                                           thresholds=prob or (), trajectories=trajectories,
                                           calibrations=cal)
    if record:
        from accord.ledger import Ledger

        with user_errors(), Ledger.open(ledger) as store:
            rid, _ = store.record(result, analyst=by, note=note, source=scenario)
            err.print(f"recorded R{rid} in the ledger {store.where}")
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
        write_json(comparison.to_json() if comparison else analysis.to_json(result))
        return
    from accord.cli import render

    render.forecast(result, intervals.value)
    render.war(result.scenario, [(r.label, r.war) for r in result.results if r.war])
    render.probabilities(result)
    if comparison:
        render.shocks(comparison)
        for run in comparison.shocks:
            render.war(run.result.scenario, [(f"{r.label} under shock {run.name}", r.war)
                                             for r in run.result.results if r.war])
