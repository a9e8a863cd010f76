"""Build the report: run the analyses (library calls), then render HTML, PNG or PDF."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

import accord
from accord import analysis
from accord.analysis import ForecastResult
from accord.analysis.calibration import CalibrationSet
from accord.fileio import atomic_path
from accord.report import figures as F
from accord.report.ledger import history_figure
from accord.scenario import Quantity, Scenario, dumps
from accord.scenario.conflict import quantities as conflict_quantities

Progress = Callable[[str], None]


@dataclass
class Report:
    """Everything the report shows; built by :func:`build`, rendered by the writers."""

    result: ForecastResult
    sensitivity: list[analysis.SensitivityResult] = field(default_factory=list)
    shocks: list[analysis.ShockRun] = field(default_factory=list)
    source: str | None = None  # how the scenario was named on the command line
    options: dict[str, Any] = field(default_factory=dict)  # the user's --option KEY=VALUE
    notes: list[str] = field(default_factory=list)  # what was left out, and why
    seconds: float = 0.0  # time spent in the analyses
    top: int = 10  # inputs per tornado
    ledger: list[dict[str, Any]] = field(default_factory=list)  # the scenario's questions
    # on the record, each with its forecast history (accord.report.ledger.scenario_history)

    @property
    def scenario(self) -> Scenario:
        return self.result.scenario

    def to_json(self) -> dict[str, Any]:
        """The ``accord forecast --json`` document of what was run: with shocks, the
        document of ``--shock`` (``shocks`` beside the base); with a sensitivity analysis,
        also ``sensitivity``, the document of ``accord sensitivity --json``."""
        doc = (analysis.ShockComparison(self.result, list(self.shocks)).to_json()
               if self.shocks else analysis.to_json(self.result))
        if self.sensitivity:
            doc["sensitivity"] = analysis.sensitivity_json(self.sensitivity)
        return doc


def build(scenario: Scenario, models: Sequence[Any] | None = None, draws: int = 2000,
          seed: int = 0, options: Mapping[str, Any] | None = None,
          thresholds: Sequence[Any] = (), shocks: Sequence[str] | None = None,
          sensitivity: bool = True, progress: Progress | None = None,
          source: str | None = None, top: int = 10,
          calibrations: CalibrationSet | None = None) -> Report:
    """Run what the report shows, all through :mod:`accord.analysis`.

    thresholds: events such as ``"territory>=80"`` (their probabilities need draws > 1).
    shocks: names of the scenario's shocks or edits (as ``accord forecast --shock``); None
      runs every shock the scenario names, ``[]`` none.
    sensitivity: one-at-a-time sensitivity of each model's point forecast (skipped, with a
      note, when the scenario has no ranged input).
    calibrations: model-error terms for calibrated predictive intervals of the base case
      (:mod:`accord.analysis.calibration`); None: input uncertainty only.
    """
    t0 = time.perf_counter()
    opts = dict(options or {})
    plan = analysis.plan_models(models, opts)
    wanted = list(scenario.shocks) if shocks is None else list(shocks)
    notes: list[str] = []
    if wanted:
        comparison = analysis.run_shocks(scenario, wanted, plan, draws=draws, seed=seed,
                                         progress=progress, thresholds=thresholds)
        result, runs = comparison.base, comparison.shocks
    else:
        result = analysis.forecast(scenario, plan, draws=draws, seed=seed, progress=progress,
                                   thresholds=thresholds)
        runs = []
    analysis.add_predictive(result, calibrations)
    sens: list[analysis.SensitivityResult] = []
    if sensitivity:
        try:
            sens = analysis.sensitivity(scenario, plan, seed=seed, progress=progress)
        except analysis.AnalysisError as err:
            notes.append(f"No sensitivity analysis: {err}.")
    return Report(result=result, sensitivity=sens, shocks=runs, source=source, options=opts,
                  notes=notes, seconds=time.perf_counter() - t0, top=top)


# --------------------------------------------------------------------------- words


def _num(x: float) -> str:
    """A number as the report prints it: whole numbers bare, else 3 significant digits
    below 10 and one decimal above."""
    x = float(x)
    if x.is_integer() or abs(x - round(x)) < 1e-9:
        return str(round(x))
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def describe(result: ForecastResult, model: int | str, issue: str) -> str:
    """One model's forecast on one issue in words: the number, its interval under draws,
    what that end of the scale means, and where it stands against the status quo.

    model: the model result's index, or its label (see :func:`accord.analysis.unique_labels`;
    a model's name where one result has it)."""
    sc = result.scenario
    k = sc.issue_ids.index(issue)
    iss = sc.issues[k]
    if isinstance(model, int):
        r, model = result.results[model], F.model_labels(result)[model]
    else:
        r = result.result(model)
    value = r.outcome[issue]
    if value != value:  # NaN: a one-issue model (war) on another issue
        return f"{model} does not forecast {iss.label or iss.id} (it decides one issue)."
    lo, hi = sc.scale_of(iss)
    words = f"{model} forecasts {_num(value)} on {iss.label or iss.id}"
    if r.draws is not None:
        d = r.distribution()[issue]
        words += (f" (median {_num(d['q50'])} over {result.draws} draws; 80 % between "
                  f"{_num(d['q10'])} and {_num(d['q90'])})")
    frac = (value - lo) / (hi - lo)
    if frac <= 0.2 and iss.low:
        words += f": close to “{iss.low}”"
    elif frac >= 0.8 and iss.high:
        words += f": close to “{iss.high}”"
    elif iss.low and iss.high:
        side = iss.low if frac < 0.5 else iss.high
        words += f": between the ends, nearer “{side}”" if abs(frac - 0.5) > 0.05 else \
            ": midway between the ends of the scale"
    if iss.status_quo is not None:
        sq = iss.status_quo.value
        if abs(value - sq) < 0.005 * (hi - lo):
            words += f"; that is the status quo ({_num(sq)})"
        else:
            way = "above" if value > sq else "below"
            words += f"; {_num(abs(value - sq))} {way} the status quo ({_num(sq)})"
    return words + "."


WAR_AND_SPATIAL = (
    "The spatial models (compromise, median, Nash, BDM, SMP, exchange) answer where the "
    "parties would meet if they bargained now; the war model answers whether either side "
    "would rather keep fighting, and when a settlement both prefer to fighting on becomes "
    "possible. Read them together: the chance of a bargaining range now says whether any of "
    "the spatial forecasts is on the table today; the time to agreement says when one will "
    "be; and the war model's terms, where each side's expected battlefield gains minus its "
    "costs put the line, set beside the spatial models' forecast on the same issue, say "
    "whether the battlefield or the bargaining table is expected to draw it.")


def war_words(scenario: Scenario, summary: analysis.WarSummary) -> list[str]:
    """The war model's answer in sentences (report; the CLI prints the same numbers)."""
    s = summary
    names = {a.id: a.name or a.id for a in scenario.actors}
    a = ", ".join(names[x] for x in s.side_a)
    b = ", ".join(names[x] for x in s.side_b)
    basis = (f"{s.draws} simulated front paths at the central values" if s.central
             else f"{s.draws} Monte Carlo draws")
    unit = f"{s.period}s"

    def when(t: int | None) -> str:
        return (f"after the horizon ({s.date(s.horizon - 1).isoformat()})" if t is None
                else f"{t} {unit} ({s.date(t).isoformat()})")

    words = [
        f"{a} (side a, wants the top of the scale) against {b} (side b); from "
        f"{s.start.isoformat()}, {s.horizon} {unit}, over {basis}.",
        f"A bargaining range now (an immediate breakthrough): {s.range_now:.0%}.",
        "Agreement by " + ", by ".join(f"{d.isoformat()}: {p:.0%}" for d, p in
                                       s.checkpoints())
        + f"; within the horizon: {s.agreement_at_horizon:.0%}." if s.checkpoints() else
        f"Agreement within the horizon: {s.agreement_at_horizon:.0%}.",
        f"Time to agreement: median {when(s.time['q50'])}; 10 %: {when(s.time['q10'])}; "
        f"90 %: {when(s.time['q90'])}.",
    ]
    if s.terms is not None:
        words.append(f"Terms at agreement: median {_num(s.terms['q50'])} (80 % between "
                     f"{_num(s.terms['q10'])} and {_num(s.terms['q90'])}) on {s.issue}.")
    words.append(f"Outright victory: {a} {s.victory_a:.0%}, {b} {s.victory_b:.0%}; neither "
                 f"a deal nor a victory by {s.date(s.horizon).isoformat()}: {s.no_deal:.0%}.")
    return words


# --------------------------------------------------------------------------- figures


def tornado_figures(report: Report) -> list[F.TornadoData]:
    """A tornado per model and issue, leaving out those where no input moves anything."""
    figs = [F.tornado_from_sensitivity(sr, issue, m=m, top=report.top)
            for m, sr in enumerate(report.sensitivity) for issue in report.scenario.issue_ids]
    return [f for f in figs if f.bars]


def report_figures(report: Report) -> list[F.FigureData]:
    """Every figure of the report, in reading order."""
    figs: list[F.FigureData] = list(F.forecast_figures(report.result))
    figs.extend(tornado_figures(report))
    for j, shock in enumerate(report.shocks):
        for issue in report.scenario.issue_ids:
            figs.append(F.shock_data(report.result, shock.result, shock.name, issue,
                                     index=j, edits=shock.edits))
    return figs


def script_json(obj: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@cache
def plotly_js() -> str:
    """plotly.js as shipped inside the plotly Python package (works offline)."""
    text = (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")
    return text.replace("</script", "<\\/script")  # none today; never end the element


@cache
def plots_js() -> str:
    """The few lines that draw every ``<script data-plot>`` figure with plotly.js."""
    return (resources.files("accord.report") / "static" / "plots.js").read_text("utf-8")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accord.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    install_filters(env)
    return env


def install_filters(env: jinja2.Environment) -> None:
    """Filters the report's partials need (the dashboard installs them too)."""
    env.filters["script_json"] = script_json
    env.filters["num"] = _num
    env.globals["plotly_figure"] = F.to_plotly


@cache
def _env() -> jinja2.Environment:
    return environment()


def _sensitivity_tables(report: Report) -> list[dict[str, Any]]:
    """Per issue: the inputs ranked by their largest swing over the models, with each
    model's swing (the numbers behind the tornadoes)."""
    tables = []
    for iid in report.scenario.issue_ids:
        swings: dict[str, dict[str, float]] = {}
        ends: dict[str, tuple[float, float]] = {}
        for label, sr in zip(_labels(report.sensitivity), report.sensitivity, strict=True):
            for sw in sr.ranking(iid):
                swings.setdefault(sw.input.label, {})[label] = sw.swing
                ends[sw.input.label] = (sw.input.low, sw.input.high)
        ranked = sorted(swings, key=lambda name: -max(swings[name].values()))[:report.top]
        lo, hi = report.scenario.scale_of(report.scenario.issues[
            report.scenario.issue_ids.index(iid)])
        tables.append({"issue": iid, "models": _labels(report.sensitivity),
                       "rows": [{"input": name, "ends": ends[name], "swings": swings[name],
                                 "swing_texts": {m: analysis.format_value(v, hi - lo)
                                                 for m, v in swings[name].items()}}
                                for name in ranked]})
    return tables


def _labels(results: Sequence[Any]) -> list[str]:
    return [r.label for r in results]


def _shock_tables(report: Report) -> list[dict[str, Any]]:
    """Per shock: one row per model with, per issue, the library's shock rows (base,
    shocked and the difference as :func:`accord.analysis.shock_table` prints them)."""
    out = []
    for run in report.shocks:
        tables = analysis.shock_table(report.result, run)
        rows = [{"model": row.label, "cells": [t.rows[m] for t in tables]}
                for m, row in enumerate(tables[0].rows)] if tables else []
        out.append({"name": run.name, "edits": run.edits, "rows": rows})
    return out


def _quantity_rows(sc: Scenario) -> list[dict[str, Any]]:
    """One row per number of the scenario, for the evidence table."""
    rows: list[dict[str, Any]] = []
    for iss in sc.issues:
        if iss.status_quo is not None:
            rows.append({"who": "status quo", "what": iss.label or iss.id, "q": iss.status_quo})
    for a in sc.actors:
        who = a.name or a.id
        if isinstance(a.capability, Quantity):
            rows.append({"who": who, "what": "capability", "q": a.capability})
        else:
            for iid, q in a.capability.items():
                rows.append({"who": who, "what": f"capability on {iid}", "q": q})
        for iid in sc.issue_ids:
            if iid in a.position:
                rows.append({"who": who, "what": f"position on {iid}", "q": a.position[iid]})
            if iid in a.salience:
                rows.append({"who": who, "what": f"salience on {iid}", "q": a.salience[iid]})
    if sc.conflict is not None:
        for path, q in conflict_quantities(sc.conflict):
            rows.append({"who": "conflict (war model)", "what": path.removeprefix("conflict."),
                         "q": q})
    return rows


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_.:,=+/@%-]+", text) else shlex.quote(text)


def rerun_command(report: Report) -> str:
    """The ``accord report`` command that gives the same numbers."""
    r = report.result
    parts = ["accord", "report", report.source or "scenario.yaml", "--draws", str(r.draws),
             "--seed", str(r.seed)]
    for m in r.results:
        if not analysis.is_ensemble_spec(m.model):
            parts += ["--model", analysis.model_spec(m)]
    for k, v in report.options.items():
        parts += ["--option", f"{k}={v}"]
    for t in r.thresholds:
        parts += ["--prob", t.text]
    for e in r.events:
        parts += ["--prob", e.text]
    for s in report.shocks:
        named = report.scenario.shocks.get(s.name) == list(s.edits)
        for e in ([s.name] if named else list(s.edits)):
            parts += ["--shock", e]
    if not report.shocks and report.scenario.shocks:
        parts.append("--no-shocks")
    if not report.sensitivity:
        parts.append("--no-sensitivity")
    return " ".join(_quote(p) for p in parts)


def render_html(report: Report, *, embed_plotly: bool = True) -> str:
    """The report as one self-contained HTML document."""
    sc = report.scenario
    r = report.result
    figs = report_figures(report)
    by_kind: dict[str, list[F.FigureData]] = {}
    for f in figs:
        by_kind.setdefault(f.kind, []).append(f)
    summary = analysis.summary_table(r)
    why = analysis.brief(r)  # the "Why" section: accord explain's brief
    sources = {s.id: s for s in sc.sources}
    return _env().get_template("report.html.j2").render(
        report=report, sc=sc, result=r, summary=summary, why=why, figs=by_kind,
        issue_figs=[[f for f in figs if getattr(f, "issue", None) == iid
                     and f.kind in ("actor_map", "distribution")] for iid in sc.issue_ids],
        quantities=_quantity_rows(sc), sources=sources, labels=F.model_labels(r),
        wars=[{"label": lab, "words": war_words(sc, m.war)}
              for lab, m in zip(F.model_labels(r), r.results, strict=True) if m.war],
        war_and_spatial=WAR_AND_SPATIAL, record_corpus=analysis.RECORD_CORPUS,
        sensitivity=_sensitivity_tables(report), shock_tables=_shock_tables(report),
        rerun=rerun_command(report),
        ledger_history=[{"q": q, "figure": history_figure(q) if q["history"] else None}
                        for q in report.ledger],
        scenario_yaml=dumps(sc, "yaml"), version=accord.__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        plotly_js=plotly_js() if embed_plotly else "", plots_js=plots_js(),
        Quantity=Quantity,
    )


# --------------------------------------------------------------------------- PNG / PDF


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:40] or "x"


def write_pngs(figs: Sequence[F.FigureData], directory: str | os.PathLike[str],
               dpi: int = 130) -> list[Path]:
    """Each figure as a PNG file in ``directory`` (created); returns the paths."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in figs:
        parts = [f.id, _slug(getattr(f, "model", "") or ""), _slug(getattr(f, "issue", ""))]
        path = out / ("-".join(p for p in parts if p and p != "x") + ".png")
        with atomic_path(path) as tmp:
            F.to_matplotlib(f).savefig(tmp, dpi=dpi, format="png")
        paths.append(path)
    return paths


def write_png(fig: F.FigureData, path: str | os.PathLike[str], dpi: int = 130) -> Path:
    """One figure as a PNG file (written atomically)."""
    out = Path(path)
    with atomic_path(out) as tmp:
        F.to_matplotlib(fig).savefig(tmp, dpi=dpi, format="png", bbox_inches="tight")
    return out


def write_forecast_pngs(result: ForecastResult, directory: str | os.PathLike[str],
                        shocks: Sequence[analysis.ShockRun] = ()) -> list[Path]:
    """The figures of a forecast (and of shocks run beside it) as PNG files."""
    return write_pngs(report_figures(Report(result=result, shocks=list(shocks))), directory)


CHROMIUM_FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-pdf-header-footer", "--virtual-time-budget=5000")


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium_pdf(html_path: Path, pdf_path: Path, chromium: str) -> bool:
    """Print the page to ``pdf_path`` (a fresh, empty file: see :func:`write_pdf`); True when
    Chromium wrote a PDF there."""
    with tempfile.TemporaryDirectory(prefix="accord-chromium-") as profile:
        args = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with it
        try:
            subprocess.run(args, capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return False
    if not pdf_path.is_file() or pdf_path.stat().st_size <= 1000:
        return False
    with pdf_path.open("rb") as fh:
        return fh.read(5) == b"%PDF-"


class _NotPrinted(Exception):
    """Chromium left no PDF: keep the target as it was and fall back to matplotlib."""


def _matplotlib_pdf(report: Report, pdf_path: Path) -> None:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    sc = report.scenario
    with atomic_path(pdf_path) as tmp, PdfPages(tmp) as pdf:
        title = Figure(figsize=(8.27, 11.69))
        lines = [sc.title, "", sc.question or "", ""]
        for j in range(len(report.result.results)):
            lines += [describe(report.result, j, i) for i in sc.issue_ids] + [""]
        lines.append(rerun_command(report))
        text = "\n".join(F._m(x) for x in lines)
        title.text(0.06, 0.96, text, va="top", ha="left", fontsize=8, wrap=True)
        pdf.savefig(title)
        for f in report_figures(report):
            pdf.savefig(F.to_matplotlib(f))


def write_pdf(report: Report, pdf_path: str | os.PathLike[str],
              html_text: str | None = None, use_chromium: bool = True) -> str:
    """Write the report as a PDF: printed by headless Chromium where one is installed,
    else the matplotlib figures with a title page. Returns "chromium" or "matplotlib".

    Either way the PDF is written to a temporary file beside ``pdf_path`` and renamed onto it
    once complete, so a failed run never leaves a half-written file nor passes off an old
    one as new."""
    pdf = Path(pdf_path)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    chromium = find_chromium() if use_chromium else None
    if chromium:
        with tempfile.TemporaryDirectory(prefix="accord-report-") as tmp:
            page = Path(tmp) / "report.html"
            page.write_text(html_text or render_html(report), encoding="utf-8")
            try:
                with atomic_path(pdf) as fresh:
                    if not _chromium_pdf(page, fresh, chromium):
                        raise _NotPrinted
                return "chromium"
            except _NotPrinted:
                pass
    _matplotlib_pdf(report, pdf)
    return "matplotlib"
