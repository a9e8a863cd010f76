"""Tables for the terminal. Every function takes a result and prints it; none computes.

User strings reach Rich only through consoles with markup off (see ``common``), so a title or
label containing ``[/x]`` prints as written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.cli.common import out
from accord.cli.plain import Table as PlainTable

if TYPE_CHECKING:
    from accord.analysis import (
        Advice,
        Brief,
        ForecastResult,
        SensitivityResult,
        ShockComparison,
    )


def Table(**kwargs: Any) -> Any:
    """A ``rich.table.Table``, Rich imported on first use (a forecast's tables are
    :class:`PlainTable`, drawn without Rich where it would draw them plainly); a ``box``
    given by name (``"SIMPLE_HEAD"``) is Rich's box of that name."""
    from rich import box
    from rich.table import Table as RichTable

    if isinstance(kwargs.get("box"), str):
        kwargs["box"] = getattr(box, kwargs["box"])
    return RichTable(**kwargs)


def fmt(x: float) -> str:
    """A forecast or input value: 4 significant digits below 1, else one decimal; an en dash
    where the model gives none (NaN: the war model on the issues it does not decide)."""
    if x != x:
        return "–"
    return f"{x:.4g}" if abs(x) < 1 else f"{x:.1f}"


def bound(x: float) -> str:
    return f"{x:g}"


def num(x: float | None, spec: str = ".1f") -> str:
    """A score, or an en dash where there is none."""
    return "–" if x is None else format(x, spec)


def forecast(result: ForecastResult, intervals: str = "calibrated") -> None:
    """One table per issue: each model's forecast and its 10–90 % intervals: calibrated
    (input draws plus model error, where a calibration is attached) and/or input-only (with
    draws), as ``intervals`` (calibrated, input, both) asks."""
    sc = result.scenario
    out.print(sc.title, style="bold")
    if sc.question:
        out.print(sc.question)
    if result.draws > 1:
        out.print(f"{result.draws} Monte Carlo draws, seed {result.seed}.")
    from accord.analysis import CALIBRATED_LABEL, INTERVAL_LABEL, summary_table

    calibrated = intervals in ("calibrated", "both") and any(
        r.predictive is not None for r in result.results)
    show_input = result.draws > 1 and (intervals in ("input", "both") or not calibrated)
    for summary in summary_table(result):  # the rows the report and the dashboard show too
        if all(row.point != row.point for row in summary.rows):
            continue  # no model forecasts this issue (the war model decides one issue)
        issue = summary.issue
        lo, hi = summary.scale
        table = PlainTable(title=issue.label or issue.id, title_justify="left")
        table.add_column("model")
        table.add_column("forecast", justify="right")
        if calibrated:
            table.add_column(CALIBRATED_LABEL, justify="right")
        if show_input:
            table.add_column(INTERVAL_LABEL if not calibrated else
                             f"{INTERVAL_LABEL} input only", justify="right")
        for row in summary.rows:
            cells = [row.label, row.point_text]
            if calibrated:
                cells.append(row.calibrated_text)
            if show_input:
                cells.append(row.interval_text)
            table.add_row(*cells)
        meaning = []
        if issue.low:
            meaning.append(f"{bound(lo)} = {issue.low}")
        if issue.high:
            meaning.append(f"{bound(hi)} = {issue.high}")
        if issue.status_quo is not None:
            meaning.append(f"status quo {bound(issue.status_quo.value)}")
        table.caption = "; ".join(meaning) if meaning else f"scale {bound(lo)}–{bound(hi)}"
        table.caption_justify = "left"
        out.print(table)
    if calibrated:
        sources = {r.calibration.describe() for r in result.results if r.calibration}
        missing = [r.label for r in result.results if r.predictive is None]
        for source in sorted(sources):
            out.print(f"Calibrated intervals: the model's own error added to its forecast, "
                      f"{source}. Outside that domain, read them as a rough guide.")
        if missing:
            out.print(f"No calibration for {', '.join(missing)}: no calibrated interval.")
        if show_input:
            out.print("Input-only intervals: the spread of the inputs' ranges alone; real "
                      "outcomes fall outside them far more often than 20 % of the time.")
    for r in result.results:
        for note in r.point.notes:
            out.print(f"{r.label}: {note}", style="dim")
    for note in result.notes:
        out.print(note, style="dim")


def probabilities(result: ForecastResult) -> None:
    """The probability of each ``--prob`` event, per model."""
    if not result.thresholds and not result.events:
        return
    over = f"over {result.draws} draws" if result.draws > 1 else "at the central values"
    table = PlainTable(title=f"Probabilities {over}", title_justify="left")
    table.add_column("model")
    texts = [t.text for t in result.thresholds] + [e.text for e in result.events]
    for t in result.thresholds:
        table.add_column(f"P({t.issue} {t.op} {t.value:g})", justify="right")
    for e in result.events:
        table.add_column(f"P({e.text})", justify="right")
    for r in result.results:
        probs = r.probabilities() or {}
        table.add_row(r.label, *(f"{probs[t]:.2f}" if t in probs else "–" for t in texts))
    out.print(table)


def shocks(comparison: ShockComparison) -> None:
    """For each shock, base against shocked forecast per issue and model."""
    from accord.analysis import INTERVAL_LABEL, shock_table

    base = comparison.base
    for run in comparison.shocks:
        out.print(f"Shock: {run.name}", style="bold")
        for shocked in shock_table(base, run):  # differences in the one format (summary.py)
            issue = shocked.issue
            table = PlainTable(title=issue.label or issue.id, title_justify="left")
            for col in ("model", "base", "shocked", "difference"):
                table.add_column(col, justify="left" if col == "model" else "right")
            if base.draws > 1:
                table.add_column(f"shocked {INTERVAL_LABEL}", justify="right")
            for row in shocked.rows:
                cells = [row.label, row.base_text, row.shocked_text, row.difference_text]
                if base.draws > 1:
                    cells.append(row.interval_text)
                table.add_row(*cells)
            out.print(table)
        if base.thresholds:
            probabilities(run.result)


def sensitivity(title: str, results: list[SensitivityResult], issues: list[Any], how: str,
                top: int) -> None:
    """The inputs that swing each model's forecast most, per issue."""
    out.print(title, style="bold")
    out.print(f"One at a time: {how}, the rest at their central values.")
    from accord.analysis import format_value

    for r in results:
        for k, issue in enumerate(issues):
            lo, hi = r.scenario.scale_of(issue)

            def on_scale(x: float, span: float = hi - lo) -> str:  # forecasts: the one format
                return format_value(x, span)

            table = Table(title=f"{r.label}: {issue.label or issue.id} (base "
                          f"{on_scale(float(r.base[k]))})", title_justify="left")
            table.add_column("input", no_wrap=True)
            for col in ("input low", "input high", "forecast at low", "forecast at high",
                        "swing"):
                table.add_column(col, justify="right")
            for s in r.ranking(issue.id)[:top]:
                table.add_row(s.input.label, fmt(s.input.low), fmt(s.input.high),
                              on_scale(s.low_outcome), on_scale(s.high_outcome),
                              on_scale(s.swing))
            out.print(table)


def scores(title: str, models: list[dict[str, Any]], coverage: bool) -> None:
    """Back-test scores per model (the ``models`` list of the back-test JSON)."""
    table = Table(title=title, title_justify="left", box="SIMPLE_HEAD", pad_edge=False,
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
        row = [m["model"], str(m["n"]), num(m["mae"]), num(m["median_ae"]), num(m["rmse"]),
               num(m["within10"], ".0%"), num(paired["mean_diff"], "+.1f"),
               f"[{num(lo, '+.1f')}, {num(hi, '+.1f')}]"]
        if coverage:
            cov = m["coverage"] or {}
            row += [num(cov.get("80"), ".0%"), num(cov.get("90"), ".0%")]
        table.add_row(*row)
    out.print(table)


def brief(b: Brief, result: ForecastResult) -> None:
    """The analyst's brief of ``accord explain``: per issue the models side by side and their
    reasons, then what holds across issues, the models' record and their notes."""
    from accord.analysis import INTERVAL_LABEL, RECORD, RECORD_CORPUS, format_value

    out.print(b.title, style="bold")
    if b.question:
        out.print(b.question)
    issues = {i.id: i for i in result.scenario.issues}
    for ib in b.issues:
        issue = issues[ib.issue_id]
        lo, hi = ib.scale
        span = hi - lo
        out.print()
        meaning = [f"{bound(lo)} = {issue.low}" if issue.low else "",
                   f"{bound(hi)} = {issue.high}" if issue.high else "",
                   f"status quo {bound(issue.status_quo.value)}"
                   if issue.status_quo is not None else ""]
        out.print(f"{ib.label} ({ib.issue_id})", style="bold")
        if any(meaning):
            out.print("; ".join(m for m in meaning if m), style="dim")
        table = Table(box="SIMPLE_HEAD", pad_edge=False, show_edge=False)
        table.add_column("model", no_wrap=True)
        table.add_column("forecast", justify="right", no_wrap=True)
        if result.draws > 1:
            table.add_column(INTERVAL_LABEL, justify="right", no_wrap=True)
        table.add_column("decided by")
        table.add_column("EU record (MAE)", justify="right", no_wrap=True)
        for m in ib.lines:
            point = (f"{format_value(m.swing[0], span)} ↔ {format_value(m.swing[1], span)}"
                     if m.swing and m.swing[0] != m.swing[1] else format_value(m.point, span))
            cells = [m.label, point]
            if result.draws > 1:
                cells.append("" if m.low is None else
                             f"{format_value(m.low, span)} – {format_value(m.high, span)}")
            rec = RECORD.get(m.model)
            cells += [", ".join(m.deciding), f"{rec.mae:.1f}" if rec else "–"]
            table.add_row(*cells)
        out.print(table)
        for sentence in ib.sentences:
            out.print(sentence)
        for label, why in b.explanations.items():
            for k, sentence in enumerate(why.sentences.get(ib.issue_id, [])):
                out.print(f"  {label if k == 0 else ' ' * len(label)}  {sentence}")
    general = [(label, why.general) for label, why in b.explanations.items() if why.general]
    if general:
        out.print()
        out.print("Across issues", style="bold")
        for label, lines in general:
            for k, sentence in enumerate(lines):
                out.print(f"  {label if k == 0 else ' ' * len(label)}  {sentence}")
    if b.record:
        out.print()
        out.print("Record on real outcomes", style="bold")
        out.print(RECORD_CORPUS + ". It says how each mechanism has done on EU legislation, "
                  "not which is right here.", style="dim")
        for line in b.record:
            out.print(f"  {line}")
    if b.notes:
        out.print()
        for label, notes in b.notes.items():
            for note in notes:
                out.print(f"{label}: {note}", style="dim")


def _when(s: Any, t: int | None) -> str:
    """A period of a war summary with its date, or 'after' the last one."""
    return (f"after {s.date(s.horizon - 1).isoformat()}" if t is None
            else f"{t} ({s.date(t).isoformat()})")


def war(scenario: Any, summaries: list[tuple[str, Any]]) -> None:
    """The war model's answer (bargaining under fire), one block per war result: the
    breakthrough probability, the agreement-by-date curve, the time to agreement, the terms,
    outright victory. ``summaries``: (label, :class:`accord.analysis.war.WarSummary`)."""
    for label, s in summaries:
        issue = next(i for i in scenario.issues if i.id == s.issue)
        names = {a.id: a.name or a.id for a in scenario.actors}
        a = ", ".join(names[x] for x in s.side_a)
        b = ", ".join(names[x] for x in s.side_b)
        lo, hi = s.scale
        out.print(f"{label}: bargaining under fire over {issue.label or issue.id}", style="bold")
        mediators = f"; mediators: {', '.join(names[x] for x in s.mediators)}" \
            if s.mediators else ""
        out.print(f"Side a: {a} (wants {bound(hi)}); side b: {b} (wants {bound(lo)})"
                  f"{mediators}.")
        basis = (f"{s.draws} simulated front paths at the central values (add --draws for the "
                 "inputs' uncertainty)" if s.central else f"{s.draws} Monte Carlo draws")
        out.print(f"From {s.start.isoformat()}, a period is a {s.period}, horizon {s.horizon} "
                  f"{s.period}s; {basis}.")
        table = Table(box="SIMPLE_HEAD", show_header=False, pad_edge=False)
        table.add_column("what")
        table.add_column("value", justify="right")
        table.add_row("P(a bargaining range now: an immediate breakthrough)",
                      f"{s.range_now:.2f}")
        for when, p in s.checkpoints():
            table.add_row(f"P(agreement by {when.isoformat()})", f"{p:.2f}")
        table.add_row(f"P(agreement within {s.horizon} {s.period}s)",
                      f"{s.agreement_at_horizon:.2f}")

        table.add_row(f"time to agreement, {s.period}s: median", _when(s, s.time["q50"]))
        table.add_row("  10 % / 90 %", f"{_when(s, s.time['q10'])} / {_when(s, s.time['q90'])}")
        if s.terms is None:
            table.add_row("terms at agreement", "no draw agrees")
        else:
            t = s.terms
            table.add_row("terms at agreement: median (10–90 %)",
                          f"{fmt(t['q50'])} ({fmt(t['q10'])} – {fmt(t['q90'])})")
        table.add_row(f"P(outright victory): {a}", f"{s.victory_a:.2f}")
        table.add_row(f"P(outright victory): {b}", f"{s.victory_b:.2f}")
        table.add_row(f"P(no deal and no victory by {s.date(s.horizon).isoformat()})",
                      f"{s.no_deal:.2f}")
        meaning = [f"{bound(lo)} = {issue.low}" if issue.low else "",
                   f"{bound(hi)} = {issue.high}" if issue.high else ""]
        table.caption = "; ".join(m for m in meaning if m) or None
        table.caption_justify = "left"
        out.print(table)


def advice(a: Advice, top: int) -> None:
    """The ranked moves of ``accord advise``, with the reasons of the best."""
    sc = a.scenario
    name = next((x.name for x in sc.actors if x.id == a.actor), None) or a.actor
    out.print(f"What {name} can do: {sc.title}", style="bold")
    draws = f"{a.draws} Monte Carlo draws (seed {a.seed})" if a.draws > 1 else "central values"
    out.print(f"{len(a.ranked)} moves tried under {', '.join(a.labels)} on {draws}; gain = "
              f"change in {a.actor}'s utility (closeness of the forecast to its positions on "
              f"{', '.join(a.issues)}, salience-weighted, ×100), mean over draws and models. "
              "A move helps under a model when it gains on average and in at least half the "
              "draws.")
    table = Table(box="SIMPLE_HEAD", pad_edge=False, show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("move")
    table.add_column("gain", justify="right", no_wrap=True)
    table.add_column("helps under (share of draws)")
    table.add_column("hurts under")
    for k, r in enumerate(a.ranked[:top], start=1):
        helps = ", ".join(f"{m} {r.effects[m].helps:.0%}" for m in r.models("helps")) or "–"
        hurts = ", ".join(r.models("hurts")) or "–"
        table.add_row(str(k), r.move.text, f"{r.score:+.2f}", helps, hurts)
    out.print(table)
    out.print("Why the best moves work", style="bold")
    for k, r in enumerate(a.ranked[:min(top, 5)], start=1):
        out.print(f"{k}. {r.move.text} (as a what-if: --shock "
                  + " --shock ".join(f'"{e}"' if " " in e else e for e in r.move.edits) + ")")
        for reason in r.reasons:
            out.print(f"   - {reason}")
    mixed = [r for r in a.ranked[:top] if r.models("helps") and r.models("hurts")]
    if mixed:
        out.print("The models disagree on: " + "; ".join(
            f"{r.move.text} (helps under {', '.join(r.models('helps'))}, hurts under "
            f"{', '.join(r.models('hurts'))})" for r in mixed) + ".")


def predictive_scores(title: str, models: list[dict[str, Any]]) -> None:
    """CRPS, the paired CRPS difference against compromise, and the coverage and width of
    the calibrated intervals (the ``predictive`` entry of the back-test JSON)."""
    rows = [m for m in models if m.get("predictive")]
    if not rows:
        return
    table = Table(title=title, title_justify="left", box="SIMPLE_HEAD", pad_edge=False,
                  collapse_padding=True)
    table.add_column("model", no_wrap=True)
    for col in ("CRPS", "ΔCRPS", "95 % CI", "cal80", "width80", "cal90", "width90"):
        table.add_column(col, justify="right", no_wrap=True)
    for m in rows:
        p = m["predictive"]
        paired = p.get("crps_vs_compromise") or {"mean_diff": None, "ci95": [None, None]}
        lo, hi = paired["ci95"]
        table.add_row(m["model"], num(p["crps"], ".2f"), num(paired["mean_diff"], "+.2f"),
                      f"[{num(lo, '+.2f')}, {num(hi, '+.2f')}]",
                      num(p["coverage"]["80"], ".1%"), num(p["width"]["80"]),
                      num(p["coverage"]["90"], ".1%"), num(p["width"]["90"]))
    out.print(table)
