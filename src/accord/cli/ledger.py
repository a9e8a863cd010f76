"""``accord ledger …``: forecasts on the record, the questions they answer, their scores.

The commands parse, call :mod:`accord.ledger` and print; the ledger computes. Which ledger:
``--ledger URL`` (any SQLAlchemy URL, or a path to an SQLite file), else ``ACCORD_LEDGER``,
else an SQLite file in the user data directory.
"""

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord.cli.common import (
    App,
    app,
    err,
    load_scenario,
    out,
    parse_options,
    progress_on_stderr,
    user_errors,
    write_json,
)
from accord.cli.options import (
    Analyst,
    Draws,
    Json,
    LedgerUrl,
    ModelOptions,
    Models,
    Note,
    Prob,
    SalienceScale,
    ScenarioArg,
    Seed,
)
from accord.errors import LedgerError

if TYPE_CHECKING:
    from accord.ledger import Ledger

ledger_app = App(help="The forecast ledger: record forecasts, resolve the questions they "
                 "answer, score them.")
app.add_typer(ledger_app, name="ledger")


class ScoreBy(StrEnum):
    model = "model"
    analyst = "analyst"
    scenario = "scenario"


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def open_ledger(url: str | None) -> "Ledger":
    from accord.ledger import Ledger

    return Ledger.open(url)


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def _n(x: float | None, spec: str = ".1f") -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


@ledger_app.command()
def record(
    scenario: ScenarioArg,
    model: Models = None,
    draws: Draws = 2000,
    seed: Seed = 0,
    option: ModelOptions = None,
    prob: Prob = None,
    question: Annotated[list[str] | None, typer.Option(
        "--question", help="A question this forecast answers: \"ceasefire<50\" (will the event "
        "happen?) or an issue id such as \"territory\" (where will it end up?); repeat for "
        "several.")] = None,
    deadline: Annotated[str | None, typer.Option(
        help="The questions' deadline, YYYY-MM-DD.")] = None,
    title: Annotated[str | None, typer.Option(
        help="The question's title in words (one --question).")] = None,
    criteria: Annotated[str, typer.Option(
        help="How the question will be resolved, in words.")] = "",
    by: Analyst = None,
    note: Note = "",
    salience_scale: SalienceScale = 100.0,
    ledger: LedgerUrl = None,
    as_json: Json = False,
) -> None:
    """Forecast a scenario and record it, with the questions it answers.

    The record keeps the scenario itself, models, options, seed and draws, and per model and
    issue the point forecast, quantiles and draws (so CRPS and event probabilities can be
    scored later).
    """
    from accord import analysis
    from accord.ledger import make_question

    with user_errors():
        sc = load_scenario(scenario, salience_scale)
        if title is not None and len(question or []) != 1:
            raise LedgerError("--title names one question: give exactly one --question with it")
        asked = [make_question(sc, q, deadline=deadline, title=title, criteria=criteria)
                 for q in question or []]
        if deadline is not None and not asked:
            raise LedgerError("--deadline belongs to a question: add --question")
        plan = analysis.plan_models(model, parse_options(option))
        with progress_on_stderr(not as_json) as step:
            result = analysis.forecast(sc, plan, draws=draws, seed=seed, progress=step,
                                       thresholds=prob or ())
        with open_ledger(ledger) as store:
            rid, qids = store.record(result, analyst=by, note=note, source=scenario,
                                     questions_asked=asked)
            where = store.where
    if as_json:
        write_json({"run": f"R{rid}", "questions": [f"Q{q}" for q in qids], "ledger": where})
        return
    out.print(f"recorded R{rid}: {sc.title} — {len(result.results)} models, {draws} draws, "
              f"seed {seed}")
    for spec, q in zip(asked, qids, strict=True):
        out.print(f"question Q{q}: {spec.title}")
    err.print(f"ledger: {where}")


@ledger_app.command("list")
def list_command(
    open_only: Annotated[bool, typer.Option("--open", help="Only open questions.")] = False,
    resolved: Annotated[bool, typer.Option("--resolved", help="Only resolved questions.")
                        ] = False,
    runs: Annotated[bool, typer.Option("--runs", help="List the recorded runs instead.")
                    ] = False,
    ledger: LedgerUrl = None,
    as_json: Json = False,
) -> None:
    """List the questions (or, with --runs, the recorded forecasts)."""
    from rich import box
    from rich.table import Table
    with user_errors():
        if open_only and resolved:
            raise LedgerError("--open and --resolved exclude each other; give one")
        with open_ledger(ledger) as store:
            if runs:
                rows = store.list_runs()
            else:
                state = "open" if open_only else "resolved" if resolved else "all"
                rows = store.list_questions(state)  # type: ignore[arg-type]
    if as_json:
        write_json(rows)
        return
    if runs:
        table = Table("run", "recorded (UTC)", "by", "scenario", "models", "draws", "note",
                      box=box.SIMPLE_HEAD)
        for r in rows:
            table.add_row(r["id"], _when(r["created_at"]), r["analyst"], r["scenario"],
                          ", ".join(r["models"]), str(r["draws"]), r["note"])
    else:
        table = Table("question", "title", "scenario", "asks", "deadline", "resolution",
                      box=box.SIMPLE_HEAD)
        for q in rows:
            table.add_row(q["id"], q["title"], q["scenario"], q["event"] or q["issue"],
                          q["deadline"] or "–", _resolution(q["resolution"]))
    if not rows:
        out.print("the ledger has no " + ("runs" if runs else "questions") + " yet")
        return
    out.print(table)


def _resolution(res: dict[str, Any] | None) -> str:
    if res is None:
        return "open"
    shown = (f"{res['value']:g}" if res["value"] is not None
             else "yes" if res["event"] else "no")
    if res["value"] is not None and res["event"] is not None:
        shown += f" ({'yes' if res['event'] else 'no'})"
    return f"{shown} on {res['date']}"


@ledger_app.command()
def show(
    ref: Annotated[str, typer.Argument(metavar="ID", help="A question (Q3) or a run (R12).")],
    ledger: LedgerUrl = None,
    as_json: Json = False,
) -> None:
    """Show a question with every forecast of it and their scores, or a recorded run."""
    with user_errors():
        is_run = ref.strip()[:1] in ("R", "r")
        with open_ledger(ledger) as store:
            doc = store.run(ref) if is_run else store.question(ref)
    if as_json:
        write_json(doc)
        return
    if is_run:
        _show_run(doc)
    else:
        _show_question(doc)


def _show_run(doc: dict[str, Any]) -> None:
    from rich import box
    from rich.table import Table

    out.print(f"{doc['id']}: {doc['title']}", style="bold")
    out.print(f"recorded {_when(doc['created_at'])} UTC by {doc['analyst']}; "
              f"{doc['draws']} draws, seed {doc['seed']}; accord {doc['accord_version']}; "
              f"scenario sha256 {doc['scenario_hash'][:12]}…")
    if doc["note"]:
        out.print(f"note: {doc['note']}")
    table = Table("model", "issue", "forecast", "10–90 %", "predictive 10–90 %",
                  box=box.SIMPLE_HEAD)
    for f in doc["forecasts"]:
        table.add_row(f["model"], f["issue"], _n(f["point"]),
                      f"{_n(f['q10'])} – {_n(f['q90'])}" if f["q10"] is not None else "–",
                      f"{_n(f['p10'])} – {_n(f['p90'])}" if f["p10"] is not None else "–")
    out.print(table)
    for q in doc["questions"]:
        out.print(f"asked {q['id']}: {q['title']}")


def _show_question(doc: dict[str, Any]) -> None:
    out.print(f"{doc['id']}: {doc['title']}", style="bold")
    asks = (f"will {doc['event']} hold?" if doc["kind"] == "threshold"
            else f"where will {doc['issue']} end up?")
    out.print(f"{doc['scenario']} — {asks} (scale {doc['scale'][0]:g}–{doc['scale'][1]:g})"
              + (f"; deadline {doc['deadline']}" if doc["deadline"] else ""))
    if doc["criteria"]:
        out.print(f"resolves by: {doc['criteria']}")
    res = doc["resolution"]
    if res is None:
        out.print("open: not resolved yet")
    else:
        out.print(f"resolved: {_resolution(res)}; source: {res['source']}"
                  + (f" — “{res['quote']}”" if res["quote"] else ""))
    _history_table(doc, doc["history"])


def _history_table(q: dict[str, Any], history: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.table import Table

    if not history:
        out.print(f"no recorded forecast of {q['issue']} in runs of this scenario yet")
        return
    threshold = q["kind"] == "threshold"
    cols = ["run", "recorded (UTC)", "model", "forecast", "10–90 %"]
    cols += ["P(event)"] if threshold else []
    if q["resolution"] is not None:
        cols += ["Brier", "log"] if threshold else ["|error|", "CRPS", "in 80 %"]
    table = Table(box=box.SIMPLE_HEAD)
    for c in cols:
        table.add_column(c, no_wrap=True)
    for h in history:
        row = [h["run"], _when(h["created_at"]), h["model"], _n(h["point"]),
               f"{_n(h['q10'])} – {_n(h['q90'])}" if h["q10"] is not None else "–"]
        if threshold:
            row.append(_n(h.get("probability"), ".2f"))
        if q["resolution"] is not None:
            s = h.get("score")
            if s is None:
                row += ["after resolution"] + [""] * (1 if threshold else 2)
            elif threshold:
                row += [_n(s.get("brier"), ".3f"), _n(s.get("log"), ".2f")]
            else:
                inside = s.get("in80")
                row += [_n(s.get("abs_error")), _n(s.get("crps")),
                        "–" if inside is None else "yes" if inside else "no"]
        table.add_row(*row)
    out.print(table)
    if q["resolution"] is not None:
        out.print("A forecast counts if recorded before the resolution; the score uses each "
                  "model's latest one (see `accord ledger score`).")


@ledger_app.command()
def resolve(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="The question, e.g. Q3.")],
    value: Annotated[str, typer.Option(
        help="What happened: a number on the issue's scale, or yes/no for a threshold "
        "question.")],
    date: Annotated[str, typer.Option("--date", help="When it was observed, YYYY-MM-DD.")],
    source: Annotated[str, typer.Option(help="Where it can be checked (a URL, a document).")],
    quote: Annotated[str, typer.Option(help="The words of the source that settle it.")] = "",
    by: Analyst = None,
    ledger: LedgerUrl = None,
) -> None:
    """Resolve a question with what happened (once; nothing is written if anything is
    wrong)."""
    with user_errors():
        number: float | None = None
        event: bool | None = None
        word = value.strip().lower()
        if word in ("yes", "no", "true", "false"):
            event = word in ("yes", "true")
        else:
            try:
                number = float(value)
            except ValueError:
                raise LedgerError(f"--value {value!r} is neither a number nor yes/no"
                                  ) from None
        with open_ledger(ledger) as store:
            store.resolve(question, value=number, event=event, on=date, source=source,
                          quote=quote, analyst=by)
            doc = store.question(question)
    out.print(f"resolved {doc['id']}: {doc['title']} — {_resolution(doc['resolution'])}")


@ledger_app.command()
def history(
    question: Annotated[str, typer.Argument(metavar="QUESTION", help="The question, e.g. Q3.")],
    ledger: LedgerUrl = None,
    as_json: Json = False,
) -> None:
    """How the forecast of a question moved over successive records."""
    with user_errors(), open_ledger(ledger) as store:
        doc = store.question(question)
    if as_json:
        write_json(doc["history"])
        return
    out.print(f"{doc['id']}: {doc['title']}", style="bold")
    _history_table(doc, doc["history"])


@ledger_app.command()
def score(
    by: Annotated[ScoreBy, typer.Option(help="Score per model, analyst or scenario.")
                  ] = ScoreBy.model,
    ledger: LedgerUrl = None,
    as_json: Json = False,
) -> None:
    """Score the resolved questions: absolute error, CRPS, 80/90 % coverage, Brier and log
    scores, and the calibration table.

    Each model's latest forecast recorded before the resolution counts. Too few resolved
    forecasts give a count and a note, not a number.
    """
    from rich import box
    from rich.table import Table

    from accord.ledger import scoring

    with user_errors(), open_ledger(ledger) as store:
        groups = store.score(by.value)
    if as_json:
        write_json({"by": by.value, "minimum": {"mean": scoring.MIN_MEAN,
                                                "coverage": scoring.MIN_COVERAGE,
                                                "calibration": scoring.MIN_CALIBRATION},
                    "groups": [g.to_json() for g in groups]})
        return
    if not groups:
        out.print("nothing to score yet: no resolved question has a recorded forecast "
                  "(`accord ledger resolve` a question first)")
        return
    table = Table(by.value, "n", "MAE", "CRPS", "cov80", "cov90", "n P", "Brier", "log",
                  box=box.SIMPLE_HEAD)
    for g in groups:
        table.add_row(g.key, str(g.n_value), _n(g.mae), _n(g.crps), _n(g.coverage80, ".0%"),
                      _n(g.coverage90, ".0%"), str(g.n_threshold), _n(g.brier, ".3f"),
                      _n(g.log, ".2f"))
    out.print(table)
    out.print("n: resolved value questions; MAE: mean |forecast − outcome|; CRPS: of the "
              "draws; cov80, cov90: share of outcomes inside the 80 % and 90 % intervals; "
              "n P: resolved threshold questions with a probability; Brier, log: their "
              "scores (lower is better).")
    said: dict[str, list[str]] = {}
    for g in groups:
        for line in g.notes:
            said.setdefault(line, []).append(g.key)
    for line, keys in said.items():
        out.print(f"{', '.join(keys)}: {line}", style="dim")
    for g in groups:
        if g.calibration:
            cal = Table("P forecast", "n", "mean P", "observed",
                        title=f"calibration: {g.key}", title_justify="left",
                        box=box.SIMPLE_HEAD)
            for b in g.calibration:
                if b["n"]:
                    cal.add_row(f"{b['low']:.1f}–{b['high']:.1f}", str(b["n"]),
                                _n(b["forecast"], ".2f"), _n(b["observed"], ".2f"))
            out.print(cal)


@ledger_app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="json (everything, for "
                                              "`ledger import`) or csv (one row per "
                                              "forecast).")] = ExportFormat.json,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file (atomically) instead of stdout.")] = None,
    ledger: LedgerUrl = None,
) -> None:
    """Export the ledger: JSON with everything (runs, draws, questions, resolutions) or CSV
    with one row per recorded forecast."""
    import json
    import sys

    from accord.fileio import write_text

    with user_errors(), open_ledger(ledger) as store:
        text = (json.dumps(store.export_json(), indent=1, ensure_ascii=False) + "\n"
                if fmt is ExportFormat.json else store.export_csv())
        if output is not None:
            write_text(output, text)
    if output is None:
        sys.stdout.write(text)
    else:
        err.print(f"wrote {output}")


@ledger_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A JSON file written by "
                                         "`accord ledger export --format json`.")],
    ledger: LedgerUrl = None,
) -> None:
    """Import an export: adds the runs, questions and resolutions this ledger lacks (by
    content hash), so importing a file twice adds nothing the second time."""
    import json

    with user_errors():
        text = file.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise LedgerError(f"{file}: line {e.lineno}: not JSON ({e.msg})") from None
        with open_ledger(ledger) as store:
            added = store.import_json(doc, str(file))
    out.print(f"imported from {file}: {added['runs']} runs, {added['questions']} questions, "
              f"{added['resolutions']} resolutions (the rest were there already)")


@ledger_app.command()
def upgrade(ledger: LedgerUrl = None) -> None:
    """Bring the ledger's schema up to this version of accord (opening a ledger does it
    too); says from which revision to which."""
    from accord.ledger import upgrade_ledger

    with user_errors():
        before, after, where = upgrade_ledger(ledger)
    if before == after:
        out.print(f"{where}: schema revision {after}, the latest")
    else:
        out.print(f"{where}: upgraded the schema from {before or 'nothing (a new ledger)'} "
                  f"to {after}")
