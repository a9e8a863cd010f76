"""``accord explain`` (why each model forecasts what it does) and ``accord advise`` (which
moves help one actor)."""

from pathlib import Path
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
    Json,
    ModelOptions,
    Models,
    SalienceScale,
    ScenarioArg,
    Seed,
)
from accord.errors import UserError

Issues = Annotated[list[str] | None, typer.Option(
    "--issue", "-i", help="Only this issue (its id); repeat for several. Default: every issue.")]


@app.command()
def explain(
    scenario: ScenarioArg,
    model: Models = None,
    issue: Issues = None,
    draws: Annotated[int, typer.Option(
        "--draws", min=1, help="Monte Carlo draws, to show each forecast's 10–90 % interval "
        "beside its reasons (1 = central values only).")] = 1,
    seed: Seed = 0,
    option: ModelOptions = None,
    salience_scale: SalienceScale = 100.0,
    as_json: Json = False,
) -> None:
    """Why each model forecasts what it does: a short brief per issue.

    Per issue: the models side by side (where they agree, where they split and through whom),
    each model's reasons in its own mechanics (the compromise model's pulls, the median's
    pivot, what binds Nash, BDM's challenges, SMP's coalitions, the exchange model's trades),
    and each model's record on real EU outcomes.
    """
    from accord import analysis

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        plan = analysis.plan_models(model, parse_options(option))
        with progress_on_stderr(draws > 1 and not as_json) as step:
            result = analysis.forecast(sc, plan, draws=draws, seed=seed, progress=step)
        brief = analysis.brief(result, issue)
    if as_json:
        write_json(brief.to_json())
        return
    from accord.cli import render

    render.brief(brief, result)


@app.command()
def advise(
    scenario: ScenarioArg,
    actor: Annotated[str, typer.Option("--actor", "-a", help="The actor to advise (its id).")],
    model: Models = None,
    issue: Issues = None,
    draws: Annotated[int, typer.Option(
        "--draws", min=1, help="Monte Carlo draws each move is tried on (1 = central values "
        "only).")] = 200,
    seed: Seed = 0,
    option: ModelOptions = None,
    top: Annotated[int, typer.Option(min=1, help="Moves shown.")] = 12,
    salience_scale: SalienceScale = 100.0,
    as_json: Json = False,
    png: Annotated[Path | None, typer.Option(
        "--png", help="Also write the figure (moves × models, gain and share of draws) as "
        "this PNG file.")] = None,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Models run side by side in this many threads (default: one per core); "
        "the advice does not depend on it.")] = None,
) -> None:
    """What one actor can do: its candidate moves ranked by how far they bring the forecast
    toward its positions.

    Tried, all in one batch per model: shifting its own position toward or away from the
    expected outcome, raising or lowering its salience, persuading each other actor to move
    toward it, bringing in an ally. Each move is scored per model by the gain in the actor's
    utility (salience-weighted closeness of the forecast to its positions) and the share of
    draws in which it helps; each move's --shock edits are in the JSON. --issue counts only
    those issues as the actor's gain.
    """
    from accord import analysis

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        plan = analysis.plan_models(model, parse_options(option))
        with progress_on_stderr(not as_json) as step:
            advice = analysis.advise(sc, actor, plan, draws=draws, seed=seed, issues=issue,
                                     progress=step, workers=workers)
    if png is not None:
        from accord.report import figures as F
        from accord.report.builder import write_png

        with user_errors():
            try:
                write_png(F.advice_data(advice, top), png)
            except OSError as e:
                raise UserError(f"{png}: cannot write the PNG file ({e.strerror or e})"
                                ) from None
        err.print(f"wrote {png}")
    if as_json:
        write_json(advice.to_json())
        return
    from accord.cli import render

    render.advice(advice, top)
