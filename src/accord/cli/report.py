"""``accord report``: one self-contained HTML report (and optionally a PDF)."""

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
)
from accord.cli.options import (
    CalibrationFile,
    LedgerUrl,
    ModelOptions,
    Models,
    Prob,
    SalienceScale,
    ScenarioArg,
    Seed,
    Shock,
)
from accord.errors import UserError


@app.command()
def report(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")
                      ] = Path("report.html"),
    model: Models = None,
    draws: Annotated[int, typer.Option(
        "--draws", min=1, help="Monte Carlo draws of the inputs from their ranges.")] = 2000,
    seed: Seed = 0,
    option: ModelOptions = None,
    prob: Prob = None,
    shock: Shock = None,
    no_shocks: Annotated[bool, typer.Option("--no-shocks", help="Run no shocks.")] = False,
    no_sensitivity: Annotated[bool, typer.Option(
        "--no-sensitivity", help="Leave out the sensitivity analysis.")] = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write a PDF beside the HTML: printed by headless Chromium where "
        "installed, else the figures drawn by matplotlib.")] = False,
    salience_scale: SalienceScale = 100.0,
    ledger_history: Annotated[bool, typer.Option(
        "--ledger-history", help="Include the ledger's questions about this scenario (by its "
        "title) with their forecast history and resolution.")] = False,
    ledger: LedgerUrl = None,
    calibration: CalibrationFile = "shipped",
) -> None:
    """Write one self-contained HTML report that works offline.

    The report holds the question, the scenario with its evidence, each model's forecast in
    words, numbers and figures, the sensitivity analysis, the shocks (by default every shock
    the scenario names), and the settings to rerun it.
    """
    from accord import report as reports
    from accord.analysis import calibration as calibrations
    from accord.fileio import write_text

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        if output.suffix.lower() not in (".html", ".htm"):
            raise UserError(f"{output}: the report is HTML; use a .html name")
        options = parse_options(option)
        cal = calibrations.load(calibration)
        with progress_on_stderr(True) as step:
            rep = reports.build(sc, model, draws=draws, seed=seed, options=options,
                                thresholds=prob or (), shocks=[] if no_shocks else shock,
                                sensitivity=not no_sensitivity, progress=step,
                                source=scenario, calibrations=cal)
            if ledger_history:
                from accord.ledger import Ledger
                from accord.report.ledger import scenario_history

                with Ledger.open(ledger) as store:
                    rep.ledger = scenario_history(store, sc.title)
            html = reports.render_html(rep)
        try:
            write_text(output, html)
            if pdf:
                how = reports.write_pdf(rep, output.with_suffix(".pdf"), html)
        except OSError as e:
            raise UserError(f"{output}: cannot write the report ({e.strerror or e})") from None
    err.print(f"wrote {output}")
    if pdf:
        note = ("printed by Chromium" if how == "chromium"
                else "matplotlib figures; no Chromium found")
        err.print(f"wrote {output.with_suffix('.pdf')} ({note})")
