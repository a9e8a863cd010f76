"""``accord sensitivity``: which inputs move the forecast most, one at a time."""

from typing import Annotated

import typer

from accord.cli.common import (
    app,
    load_scenario,
    parse_options,
    progress_on_stderr,
    user_errors,
    write_json,
)
from accord.cli.options import Json, ModelOptions, Models, SalienceScale, ScenarioArg, Seed


@app.command()
def sensitivity(
    scenario: ScenarioArg,
    model: Models = None,
    all_inputs: Annotated[bool, typer.Option(
        "--all", help="Move every input by ±20 % of its scale (capabilities ±20 % of their "
        "value), not only the ranged ones across their range.")] = False,
    top: Annotated[int, typer.Option(min=1, help="Inputs shown per issue.")] = 10,
    seed: Seed = 0,
    option: ModelOptions = None,
    salience_scale: SalienceScale = 100.0,
    as_json: Json = False,
) -> None:
    """Which inputs move the forecast most: each one from low to high, the rest central.

    With --json, every input is listed, ranked by its swing.
    """
    from accord import analysis

    which = "all" if all_inputs else "ranged"
    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        plan = analysis.plan_models(model, parse_options(option))
        with progress_on_stderr(not as_json) as step:
            results = analysis.sensitivity(sc, plan, which=which, seed=seed, progress=step)
    if as_json:
        write_json(analysis.sensitivity_json(results, which))
        return
    how = ("every input ±20 % of its scale" if all_inputs
           else "each ranged input from its low to its high end")
    from accord.cli import render

    render.sensitivity(sc.title, results, list(sc.issues), how, top)
