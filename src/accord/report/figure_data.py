"""Figure data: what each figure of a forecast shows, as plain numbers and labels.

The renderers are :mod:`accord.report.plotly_figures` and :mod:`accord.report.mpl_figures`;
:mod:`accord.report.figures` gathers all three (``figures.to_plotly(...)``).

Each ``*_data`` function turns results into a small frozen dataclass of plain numbers and
labels (what the picture shows, testable without drawing); :func:`to_plotly` turns any of
them into a plotly figure dict (``{"data": [...], "layout": {...}}``, for the HTML report and
the dashboard) and :func:`to_matplotlib` into a ``matplotlib.figure.Figure`` (PNG / PDF for
the CLI and papers). Renderers only draw: they compute nothing the data does not hold.

Figures (shared/DESIGN.md, "Around the models"; issue 7):

- trajectory: positions round by round, one line per actor, the model's outcome line and,
  with draws, the 10–90 % band of the outcome over the draws (models with rounds only);
- distribution: the empirical CDF of the outcome over the draws per model, with the
  5/10/50/90/95 % quantiles marked and the user's thresholds with P(outcome ≥ t);
- actor map: position × salience per issue, bubble area ∝ capability, the models' point
  forecasts and the status quo as vertical lines;
- tornado: one-at-a-time sensitivity, each input's low and high end against the base;
- shocks: base versus shocked forecast per model (with 10–90 % intervals under draws).

User text (actor, issue and model names) is kept raw in the data; each renderer escapes it
for its target (plotly reads a subset of HTML in labels, matplotlib reads ``$...$`` as
mathematics).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover

    from accord.analysis import ForecastResult
    from accord.scenario import Scenario

# Tableau 10: the same colour for the same actor / model in both renderers.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
OUTCOME_COLOUR = "#222222"
STATUS_QUO_COLOUR = "#888888"
BAND = (0.10, 0.90)  # the trajectory band and the interval shown for shocks
ECDF_POINTS = 201  # grid points of the empirical CDF over the issue's scale
SETTLED = 0.002  # a band that moves less than this share of the scale per round has settled


def colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


# --------------------------------------------------------------------------- figure data


@dataclass(frozen=True)
class Series:
    """One named line: y per x."""

    name: str
    y: tuple[float, ...]


@dataclass(frozen=True)
class TrajectoryData:
    kind = "trajectory"
    id: str
    title: str
    model: str
    issue: str
    scale: tuple[float, float]
    rounds: tuple[int, ...]
    actors: tuple[Series, ...]
    outcome: tuple[float, ...] | None  # the central run's outcome after each round
    band: tuple[tuple[float, ...], tuple[float, ...]] | None  # 10 % and 90 % over draws


@dataclass(frozen=True)
class ThresholdMark:
    """A user's threshold on the issue (``territory>=80``) with P(event) per model."""

    text: str
    op: str
    value: float
    probability: dict[str, float]  # model -> P(event) over the draws


@dataclass(frozen=True)
class DistributionData:
    kind = "distribution"
    id: str
    title: str
    issue: str
    scale: tuple[float, float]
    x: tuple[float, ...]  # the grid over the scale
    cdf: dict[str, tuple[float, ...]]  # model -> P(outcome <= x) on the grid
    quantiles: dict[str, dict[str, float]]  # model -> {"q05": .., "q10": .., ...}
    thresholds: tuple[ThresholdMark, ...] = ()
    # the calibrated predictive distribution (model error added), where there is one
    predictive_cdf: dict[str, tuple[float, ...]] = field(default_factory=dict)
    predictive_quantiles: dict[str, dict[str, float]] = field(default_factory=dict)
    calibration: str = ""  # where the calibration comes from (one line)


@dataclass(frozen=True)
class MapActor:
    id: str
    name: str
    position: float
    salience: float
    capability: float


@dataclass(frozen=True)
class ActorMapData:
    kind = "actor_map"
    id: str
    title: str
    issue: str
    scale: tuple[float, float]
    actors: tuple[MapActor, ...]
    forecasts: dict[str, float]  # model -> point forecast
    status_quo: float | None
    low_label: str | None = None
    high_label: str | None = None


@dataclass(frozen=True)
class TornadoBar:
    label: str  # the input, e.g. "RUS capability"
    low_input: float
    high_input: float
    low_outcome: float  # forecast with the input at its low end
    high_outcome: float  # ... at its high end

    @property
    def swing(self) -> float:
        return abs(self.high_outcome - self.low_outcome)


@dataclass(frozen=True)
class TornadoData:
    kind = "tornado"
    id: str
    title: str
    model: str
    issue: str
    base: float
    bars: tuple[TornadoBar, ...]  # largest swing first


@dataclass(frozen=True)
class ShockRow:
    model: str
    base: float
    shocked: float
    base_interval: tuple[float, float] | None = None
    shocked_interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class ShockData:
    kind = "shock"
    id: str
    title: str
    shock: str
    issue: str
    scale: tuple[float, float]
    rows: tuple[ShockRow, ...]
    edits: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class WarAgreementData:
    kind = "war_agreement"
    id: str
    title: str
    dates: tuple[str, ...]  # ISO date of each period t = 0..H-1
    p: tuple[float, ...]  # P(agreement by the date)
    low: tuple[float, ...]  # 90 % band of the Monte Carlo estimate
    high: tuple[float, ...]
    basis: str  # "2000 Monte Carlo draws" / "2000 front paths at the central values"


@dataclass(frozen=True)
class WarFrontData:
    kind = "war_front"
    id: str
    title: str
    issue: str
    scale: tuple[float, float]
    dates: tuple[str, ...]  # t = 0..H
    front: tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]  # 10, 50, 90 %
    expect_a: tuple[float, ...]  # median over draws still fighting, t = 0..H-1 (NaN: none)
    expect_b: tuple[float, ...]
    lower: tuple[float, ...]  # median L_t (what A accepts at least)
    upper: tuple[float, ...]  # median U_t (what B accepts at most)
    side_a: str
    side_b: str


@dataclass(frozen=True)
class WarTermsData:
    kind = "war_terms"
    id: str
    title: str
    issue: str
    scale: tuple[float, float]
    edges: tuple[float, ...]  # histogram bin edges over the scale
    share: tuple[float, ...]  # share of all draws agreeing on terms in each bin
    median: float | None
    agreed: float  # P(agreement within the horizon)
    low_label: str | None = None
    high_label: str | None = None


WAR_TERMS_BINS = 25


@dataclass(frozen=True)
class AdviceData:
    """``accord advise``: the best moves (rows, best first) × the models (columns), each cell
    the move's mean gain in the actor's utility (×100) under that model."""

    kind = "advice"
    id: str
    title: str
    actor: str
    moves: tuple[str, ...]
    models: tuple[str, ...]
    gains: tuple[tuple[float, ...], ...]  # [move][model]
    helps: tuple[tuple[float, ...], ...]  # share of draws in which it helps


FigureData = (TrajectoryData | DistributionData | ActorMapData | TornadoData | ShockData
              | WarAgreementData | WarFrontData | WarTermsData | AdviceData)


def advice_data(advice: Any, top: int = 12) -> AdviceData:
    """The figure of an :class:`accord.analysis.Advice`: its ``top`` moves by every model."""
    ranked = advice.ranked[:top]
    labels = tuple(advice.labels)
    return AdviceData(
        "advice", f"What {advice.actor} can do: gain in its utility by move and model",
        advice.actor, tuple(r.move.text for r in ranked), labels,
        tuple(tuple(r.effects[m].utility for m in labels) for r in ranked),
        tuple(tuple(r.effects[m].helps for m in labels) for r in ranked))


def _t(values: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=float).ravel())


def _issue_label(scenario: Scenario, k: int, limit: int = 42) -> str:
    """The issue's label for a figure title, cut to ``limit`` characters."""
    issue = scenario.issues[k]
    label = issue.label or issue.id
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _actor_name(scenario: Scenario, actor_id: str) -> str:
    for a in scenario.actors:
        if a.id == actor_id:
            return a.name or a.id
    return actor_id


def model_labels(result: ForecastResult) -> list[str]:
    """The label of each model result, unique within the run
    (:func:`accord.analysis.unique_labels`)."""
    return [r.label for r in result.results]


def settled_length(band: np.ndarray, atol: float = 0.0) -> int:
    """Rounds to show of a per-round series (..., T+1): up to the last round that moves it
    by more than ``atol``, plus one.

    Draws that stop early are padded with their last state; rounds after every draw has
    (nearly) stopped add nothing to the picture."""
    b = np.asarray(band, dtype=float)
    b = b.reshape(-1, b.shape[-1])
    if b.shape[-1] <= 1:
        return b.shape[-1]
    moved = np.any(np.abs(np.diff(b, axis=-1)) > atol, axis=0)
    changes = np.flatnonzero(moved)
    return int(changes[-1]) + 2 if changes.size else 1


def trajectory_data(result: ForecastResult, m: int, issue: str) -> TrajectoryData | None:
    """Positions per round of the central run of model result ``m`` on ``issue``; None for
    a model without rounds.

    Actors who do not take part in the issue are left out. The band is the 10 and 90 %
    quantiles over the draws of the model's outcome after each round (when it ran draws
    with rounds), cut after the last round in which it still moves.
    """
    sc = result.scenario
    r = result.results[m]
    model = model_labels(result)[m]
    point = r.point
    if point.trajectory is None:
        return None
    k = list(point.issue_ids).index(issue)
    traj = point.trajectory[0, :, :, k]  # (T+1, n)
    taking_part = {a.id for a in sc.actors if issue in a.position}
    actors = tuple(
        Series(_actor_name(sc, aid), _t(traj[:, i]))
        for i, aid in enumerate(point.actor_ids) if aid in taking_part
    )
    outcome = _t(point.round_outcome[0, :, k]) if point.round_outcome is not None else None
    band = None
    spread = r.draws
    if spread is not None and spread.round_outcome is not None and spread.draws > 1:
        ro = spread.round_outcome[:, :, k]  # (S, T'+1)
        q = np.quantile(ro, BAND, axis=0)
        lo, hi = sc.scale_of(sc.issues[k])
        keep = max(settled_length(q, SETTLED * (hi - lo)), traj.shape[0])
        band = (_t(q[0, :keep]), _t(q[1, :keep]))
    lo, hi = sc.scale_of(sc.issues[k])
    return TrajectoryData(
        id=f"traj-{m}-{k}",
        title=f"{model}: {_issue_label(sc, k)}, round by round",
        model=model, issue=issue, scale=(lo, hi),
        rounds=tuple(range(traj.shape[0])), actors=actors, outcome=outcome, band=band,
    )


def ecdf(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """P(value <= x) for each x of grid, from a sample."""
    v = np.sort(np.asarray(values, dtype=float))
    return np.searchsorted(v, grid, side="right") / v.size


def distribution_data(result: ForecastResult, issue: str) -> DistributionData | None:
    """The outcome's distribution over the draws per model, with the forecast's thresholds
    on this issue (``result.thresholds``) and their probabilities, and the calibrated
    predictive distribution of the models that have one; None without either."""
    from accord.analysis import probability

    sc = result.scenario
    labels = model_labels(result)
    k = sc.issue_ids.index(issue)
    pairs = list(zip(labels, result.results, strict=True))
    with_draws = [(lab, r) for lab, r in pairs
                  if r.draws is not None and not np.all(np.isnan(r.draws.outcome[:, k]))]
    calibrated = [(lab, r) for lab, r in pairs
                  if r.predictive is not None and not np.all(np.isnan(r.predictive[:, k]))]
    if not with_draws and not calibrated:
        return None
    lo, hi = sc.scale_of(sc.issues[k])
    grid = np.linspace(lo, hi, ECDF_POINTS)
    cdf, quantiles, pcdf, pquantiles = {}, {}, {}, {}
    for lab, r in with_draws:
        cdf[lab] = _t(ecdf(r.draws.outcome[:, k], grid))
        quantiles[lab] = {key: v for key, v in r.distribution()[issue].items()
                          if key.startswith("q")}
    for lab, r in calibrated:
        pcdf[lab] = _t(ecdf(r.predictive[:, k], grid))
        pred = r.predictive_distribution()
        pquantiles[lab] = {key: v for key, v in pred[issue].items() if key.startswith("q")}
    sources = sorted({r.calibration.describe() for _, r in calibrated if r.calibration})
    marks = tuple(
        ThresholdMark(t.text, t.op, float(t.value),
                      {lab: probability(r.draws.outcome, t, sc.issue_ids)
                       for lab, r in with_draws})
        for t in getattr(result, "thresholds", ()) if t.issue == issue
    )
    title = (f"{_issue_label(sc, k)}: forecast distribution" if calibrated
             else f"{_issue_label(sc, k)}: forecast over draws")
    return DistributionData(
        id=f"dist-{k}", title=title,
        issue=issue, scale=(lo, hi), x=_t(grid), cdf=cdf, quantiles=quantiles,
        thresholds=marks, predictive_cdf=pcdf, predictive_quantiles=pquantiles,
        calibration="; ".join(sources),
    )


def actor_map_data(scenario: Scenario, issue: str,
                   forecasts: Mapping[str, float] | None = None) -> ActorMapData:
    """Who stands where on ``issue``, how much they care (salience) and their clout
    (capability), at the scenario's central values."""
    k = scenario.issue_ids.index(issue)
    iss = scenario.issues[k]
    actors = tuple(
        MapActor(a.id, a.name or a.id, a.position[issue].value, a.salience[issue].value,
                 a.capability_on(issue).value)
        for a in scenario.actors if issue in a.position and issue in a.salience
    )
    return ActorMapData(
        id=f"map-{k}", title=f"{_issue_label(scenario, k)}: who stands where",
        issue=issue, scale=scenario.scale_of(iss), actors=actors,
        forecasts=dict(forecasts or {}),
        status_quo=iss.status_quo.value if iss.status_quo is not None else None,
        low_label=iss.low, high_label=iss.high,
    )


def tornado_data(model: str, issue: str, base: float, bars: Sequence[TornadoBar],
                 *, k: int = 0, m: int = 0, label: str | None = None,
                 top: int | None = 12) -> TornadoData:
    """A tornado of one-at-a-time sensitivities, the largest swing first (``top`` kept)."""
    ranked = sorted((b for b in bars if b.swing > 0), key=lambda b: b.swing, reverse=True)
    if top is not None:
        ranked = ranked[:top]
    return TornadoData(
        id=f"tornado-{m}-{k}", title=f"{model}: {label or issue}",
        model=model, issue=issue, base=float(base), bars=tuple(ranked),
    )


def tornado_from_sensitivity(sens: Any, issue: str, *, m: int = 0, top: int | None = 12
                             ) -> TornadoData:
    """A tornado from an :class:`accord.analysis.SensitivityResult` on one issue."""
    sc = sens.scenario
    k = sc.issue_ids.index(issue)
    bars = [TornadoBar(s.input.label, s.input.low, s.input.high, s.low_outcome,
                       s.high_outcome) for s in sens.ranking(issue)]
    return tornado_data(sens.label, issue, float(sens.base[k]), bars, k=k, m=m,
                        label=_issue_label(sc, k), top=top)


def _interval(values: np.ndarray) -> tuple[float, float]:
    q = np.quantile(values, BAND)
    return float(q[0]), float(q[1])


def shock_data(base: ForecastResult, shocked: ForecastResult, shock: str, issue: str,
               *, index: int = 0, edits: Sequence[str] = ()) -> ShockData:
    """Base versus shocked forecast on ``issue`` for every model both ran."""
    sc = base.scenario
    k = sc.issue_ids.index(issue)
    ks = shocked.scenario.issue_ids.index(issue)
    rows = []
    labels = model_labels(base)
    for lab, r, s in zip(labels, base.results, shocked.results, strict=False):
        if r.outcome[issue] != r.outcome[issue]:
            continue  # NaN: the model does not forecast this issue (the war model)
        rows.append(ShockRow(
            lab, r.outcome[issue], s.outcome[issue],
            _interval(r.draws.outcome[:, k]) if r.draws is not None else None,
            _interval(s.draws.outcome[:, ks]) if s.draws is not None else None,
        ))
    return ShockData(
        id=f"shock-{index}-{k}", title=f"Shock {shock!s}: {_issue_label(sc, k)}",
        shock=shock, issue=issue, scale=sc.scale_of(sc.issues[k]), rows=tuple(rows),
        edits=tuple(edits),
    )


# --------------------------------------------------------------------------- war figures
# Bargaining under fire (shared/DESIGN.md; issue 13): P(agreement by date) with its band, the
# fan of the front with both sides' expectations and the range [L, U], the terms at agreement.




def _nan_none(values: Any) -> tuple[float, ...]:
    return tuple(float(v) for v in np.asarray(values, dtype=float).ravel())


def war_figures(scenario: Scenario, label: str, summary: Any) -> list[FigureData]:
    """The war model's three figures from its :class:`accord.analysis.war.WarSummary`."""
    s = summary
    dates = tuple(s.date(t).isoformat() for t in range(s.horizon + 1))
    issue = next(i for i in scenario.issues if i.id == s.issue)
    name = issue.label or issue.id
    a = ", ".join(_actor_name(scenario, x) for x in s.side_a)
    b = ", ".join(_actor_name(scenario, x) for x in s.side_b)
    basis = (f"{s.draws} front paths at the central values" if s.central
             else f"{s.draws} Monte Carlo draws")
    pp = s.per_period
    lo, hi = s.scale
    edges = np.linspace(lo, hi, WAR_TERMS_BINS + 1)
    counts, _ = np.histogram(s.terms_draws, bins=edges)
    return [
        WarAgreementData(f"war-agreement-{label}", f"{label}: P(agreement by date)",
                         dates[:-1], _t(s.agreement_by), _t(s.band[0]), _t(s.band[1]), basis),
        WarFrontData(f"war-front-{label}", f"{label}: the front and the bargaining range, "
                     f"{name}", s.issue, s.scale, dates,
                     (_t(pp["front_q10"]), _t(pp["front_q50"]), _t(pp["front_q90"])),
                     _nan_none(pp["expect_a"]), _nan_none(pp["expect_b"]),
                     _nan_none(pp["lower"]), _nan_none(pp["upper"]), a, b),
        WarTermsData(f"war-terms-{label}", f"{label}: terms at agreement, {name}", s.issue,
                     s.scale, _t(edges), _t(counts / max(s.draws, 1)),
                     None if s.terms is None else s.terms["q50"], s.agreement_at_horizon,
                     issue.low, issue.high),
    ]


def forecast_figures(result: ForecastResult) -> list[FigureData]:
    """Every figure a forecast has, in reading order: per issue the actor map and the
    distribution, then the trajectories of each model with rounds."""
    sc = result.scenario
    labels = model_labels(result)
    figs: list[FigureData] = []
    for issue in sc.issue_ids:
        points = {lab: r.outcome[issue] for lab, r in zip(labels, result.results,
                                                          strict=True)
                  if r.outcome[issue] == r.outcome[issue]}  # NaN: the war model elsewhere
        figs.append(actor_map_data(sc, issue, points))
        dist = distribution_data(result, issue)
        if dist is not None:
            figs.append(dist)
    for m in range(len(result.results)):
        for issue in sc.issue_ids:
            traj = trajectory_data(result, m, issue)
            if traj is not None:
                figs.append(traj)
    for lab, r in zip(labels, result.results, strict=True):
        if getattr(r, "war", None) is not None:
            figs += war_figures(sc, lab, r.war)
    return figs


# -------------------------------------------------------------- shared by the renderers


def _op(op: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(op, op)


def _pad(scale: tuple[float, float], frac: float = 0.03) -> tuple[float, float]:
    lo, hi = scale
    d = (hi - lo) * frac
    return lo - d, hi + d


def _quantile_marks(qs: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """(name, level, value) of the quantiles a model's summary has, in the order of
    :data:`accord.analysis.results.QUANTILES` (the one table of them)."""
    from accord.analysis import results

    return [(q, p, qs[q]) for q, p in results.QUANTILES.items() if q in qs]


def _bubble_sizes(caps: Sequence[float], largest: float = 60.0) -> list[float]:
    top = max((c for c in caps if c > 0), default=1.0)
    return [max(6.0, largest * float(np.sqrt(max(c, 0.0) / top))) for c in caps]


def _interval_segments(rows: Sequence[ShockRow], attr: str, offset: float
                       ) -> tuple[list[float | None], list[float | None]]:
    """x and y of one line segment per row from its 10 % to its 90 % draw (None breaks the
    line); the point forecast may lie outside its draws' interval, so no error bars."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for j, r in enumerate(rows):
        interval = getattr(r, attr)
        if interval is not None:
            xs += [interval[0], interval[1], None]
            ys += [j + offset, j + offset, None]
    return xs, ys


_SHOCK_SERIES = (("base", PALETTE[0], "base", "base_interval", 0.12),
                 ("shock", PALETTE[2], "shocked", "shocked_interval", -0.12))
