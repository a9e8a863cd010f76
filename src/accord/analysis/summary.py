"""The summary table every front end prints, and the one number format they print it in.

:func:`summary_table` gives, per issue, one row per model: the point forecast, its 10–90 %
interval over the draws and the probabilities of the issue's events. :func:`shock_table`
gives, per shock and issue, base, shocked and difference. The CLI, the HTML report and the
dashboard render these rows and nothing else, so the three show the same numbers in the
same format.

Number format: a value on a scale is printed to a thousandth of the scale's span
(:func:`decimals`: 0–100 → 1 decimal, 0–10 → 2, 0–1 → 3, 0–20000 → none), and a difference
on that scale with the same decimals and a sign (``+18.2``, ``-1.0``, ``0.0``), so ``-0.9545``
never stands next to ``+18.2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accord.analysis.results import ForecastResult, ModelResult
from accord.analysis.thresholds import Threshold
from accord.scenario import Issue

if TYPE_CHECKING:
    from accord.analysis.shocks import ShockRun

INTERVAL = ("q10", "q90")  # the interval the tables show
INTERVAL_LABEL = "10–90 %"
CALIBRATED_LABEL = "10–90 % calibrated"  # the predictive interval (model error added)
MISSING = "–"


def decimals(span: float) -> int:
    """Decimals that resolve a thousandth of a scale of width ``span``."""
    if not (math.isfinite(span) and span > 0):
        return 3
    return max(0, 3 - math.ceil(math.log10(span) - 1e-12))


def format_value(x: float | None, span: float) -> str:
    """A value on a scale of width ``span`` (see :func:`decimals`); ``–`` for none/NaN."""
    if x is None or not math.isfinite(x):
        return MISSING
    text = f"{x:.{decimals(span)}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_difference(x: float | None, span: float) -> str:
    """A difference on a scale of width ``span``: signed, same decimals as its values;
    a difference that rounds to zero prints unsigned (``0.0``)."""
    if x is None or not math.isfinite(x):
        return MISSING
    text = f"{x:+.{decimals(span)}f}"
    return text[1:] if float(text) == 0 else text


def format_interval(low: float | None, high: float | None, span: float) -> str:
    """``low – high`` on a scale of width ``span``; empty without an interval."""
    if low is None or high is None:
        return ""
    return f"{format_value(low, span)} – {format_value(high, span)}"


@dataclass(frozen=True)
class SummaryRow:
    """One model on one issue: point forecast, 10–90 % interval (None without draws) and
    the probabilities of the issue's events, with their printed forms."""

    label: str
    point: float
    low: float | None
    high: float | None
    probabilities: tuple[tuple[Threshold, float], ...]
    point_text: str
    interval_text: str
    swing: tuple[float, float] | None = None  # a run that does not settle (see swings())
    # the calibrated 10–90 % interval (the model's error added; None without a calibration)
    calibrated_low: float | None = None
    calibrated_high: float | None = None
    calibrated_text: str = ""


@dataclass(frozen=True)
class IssueTable:
    """The rows of one issue, in the run's model order."""

    issue: Issue
    scale: tuple[float, float]
    rows: tuple[SummaryRow, ...]

    @property
    def span(self) -> float:
        return self.scale[1] - self.scale[0]


def swings(r: ModelResult) -> dict[str, tuple[float, float]]:
    """Issue id -> (lowest, highest) round outcome over the final cycle of the central run,
    for the issues where a model's rounds do not settle (BDM's ``swing_low``/``swing_high``);
    such a forecast is shown as its swing, ``20.0 ↔ 74.6``, never as one number."""
    ex = r.point.extras
    if "swing_low" not in ex or "swing_high" not in ex:
        return {}
    lo, hi = ex["swing_low"][0], ex["swing_high"][0]
    return {iid: (float(lo[k]), float(hi[k])) for k, iid in enumerate(r.point.issue_ids)
            if hi[k] - lo[k] > 0}


def point_text(value: float, swing: tuple[float, float] | None, span: float) -> str:
    """A point forecast as printed: ``60.5``, or a swing ``20.0 ↔ 74.6``."""
    if swing is None:
        return format_value(value, span)
    return f"{format_value(swing[0], span)} ↔ {format_value(swing[1], span)}"


def summary_table(result: ForecastResult) -> list[IssueTable]:
    """Per issue, one row per model (see :class:`SummaryRow`). Each model's quantiles and
    probabilities are computed once for all issues. A model whose rounds do not settle on an
    issue shows its swing as the point text (:func:`swings`)."""
    sc = result.scenario
    stats = [(r.label, r.outcome, r.quantiles() if r.draws is not None else None,
              r.probabilities() or {}, swings(r), r.predictive_distribution())
             for r in result.results]
    tables = []
    for issue in sc.issues:
        scale = sc.scale_of(issue)
        span = scale[1] - scale[0]
        rows = []
        for label, outcome, q, probs, swing, pred in stats:
            point = outcome[issue.id]
            low = q[INTERVAL[0]][issue.id] if q is not None else None
            high = q[INTERVAL[1]][issue.id] if q is not None else None
            events = tuple((t, probs[t.text]) for t in result.thresholds
                           if t.issue == issue.id and t.text in probs)
            sw = swing.get(issue.id)
            plow = pred[issue.id][INTERVAL[0]] if pred is not None else None
            phigh = pred[issue.id][INTERVAL[1]] if pred is not None else None
            rows.append(SummaryRow(label, point, low, high, events,
                                   point_text(point, sw, span),
                                   format_interval(low, high, span), sw, plow, phigh,
                                   format_interval(plow, phigh, span) or MISSING))
        tables.append(IssueTable(issue, scale, tuple(rows)))
    return tables


@dataclass(frozen=True)
class ShockRow:
    """One model on one issue under a shock: base and shocked point forecasts, their
    difference, the shocked 10–90 % interval (None without draws), and their printed forms."""

    label: str
    base: float
    shocked: float
    difference: float
    low: float | None
    high: float | None
    base_text: str
    shocked_text: str
    difference_text: str
    interval_text: str


@dataclass(frozen=True)
class ShockTable:
    issue: Issue
    scale: tuple[float, float]
    rows: tuple[ShockRow, ...]


def shock_table(base: ForecastResult, run: ShockRun) -> list[ShockTable]:
    """Per issue, one row per model: base, shocked and shocked − base (point forecasts)."""
    sc = base.scenario
    diff = run.difference(base)
    tables = []
    pairs = list(zip(base.results, run.result.results, strict=True))
    shocked_q = [s.quantiles() if s.draws is not None else None for _, s in pairs]
    for issue in sc.issues:
        scale = sc.scale_of(issue)
        span = scale[1] - scale[0]
        rows = []
        for (b, s), q in zip(pairs, shocked_q, strict=True):
            low = q[INTERVAL[0]][issue.id] if q is not None else None
            high = q[INTERVAL[1]][issue.id] if q is not None else None
            d = diff[b.label][issue.id]
            rows.append(ShockRow(b.label, b.outcome[issue.id], s.outcome[issue.id], d, low,
                                 high, format_value(b.outcome[issue.id], span),
                                 format_value(s.outcome[issue.id], span),
                                 format_difference(d, span), format_interval(low, high, span)))
        tables.append(ShockTable(issue, scale, tuple(rows)))
    return tables

