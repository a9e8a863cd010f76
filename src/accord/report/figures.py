"""Figures of a forecast, once: figure data, then a plotly and a matplotlib renderer.

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

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

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


FigureData = TrajectoryData | DistributionData | ActorMapData | TornadoData | ShockData


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
    on this issue (``result.thresholds``) and their probabilities; None without draws."""
    from accord.analysis import probability

    sc = result.scenario
    labels = model_labels(result)
    with_draws = [(lab, r) for lab, r in zip(labels, result.results, strict=True)
                  if r.draws is not None]
    if not with_draws:
        return None
    k = sc.issue_ids.index(issue)
    lo, hi = sc.scale_of(sc.issues[k])
    grid = np.linspace(lo, hi, ECDF_POINTS)
    cdf, quantiles = {}, {}
    for lab, r in with_draws:
        cdf[lab] = _t(ecdf(r.draws.outcome[:, k], grid))
        quantiles[lab] = {key: v for key, v in r.distribution()[issue].items()
                          if key.startswith("q")}
    marks = tuple(
        ThresholdMark(t.text, t.op, float(t.value),
                      {lab: probability(r.draws.outcome, t, sc.issue_ids)
                       for lab, r in with_draws})
        for t in getattr(result, "thresholds", ()) if t.issue == issue
    )
    return DistributionData(
        id=f"dist-{k}", title=f"{_issue_label(sc, k)}: forecast over draws",
        issue=issue, scale=(lo, hi), x=_t(grid), cdf=cdf, quantiles=quantiles,
        thresholds=marks,
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


def forecast_figures(result: ForecastResult) -> list[FigureData]:
    """Every figure a forecast has, in reading order: per issue the actor map and the
    distribution, then the trajectories of each model with rounds."""
    sc = result.scenario
    labels = model_labels(result)
    figs: list[FigureData] = []
    for issue in sc.issue_ids:
        points = {lab: r.outcome[issue] for lab, r in zip(labels, result.results,
                                                          strict=True)}
        figs.append(actor_map_data(sc, issue, points))
        dist = distribution_data(result, issue)
        if dist is not None:
            figs.append(dist)
    for m in range(len(result.results)):
        for issue in sc.issue_ids:
            traj = trajectory_data(result, m, issue)
            if traj is not None:
                figs.append(traj)
    return figs


# --------------------------------------------------------------------------- plotly


def _op(op: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(op, op)


def _h(text: str) -> str:
    """Plotly label text: plotly reads a subset of HTML, so escape user text."""
    return html.escape(str(text), quote=False)


_BASE_LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
    "height": 400,
    "template": None,
    "plot_bgcolor": "#ffffff",
    "paper_bgcolor": "#ffffff",
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "legend": {"orientation": "h", "y": -0.2, "yanchor": "top"},
    "hovermode": "closest",
}


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    layout = dict(_BASE_LAYOUT)
    layout["title"] = {"text": _h(title), "x": 0.01, "font": {"size": 15}}
    grid = {"gridcolor": "#e6e6e6", "zeroline": False}
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**grid, **extra.pop(axis, {})}
    layout.update(extra)
    return layout


def _plotly_trajectory(f: TrajectoryData) -> dict[str, Any]:
    x = list(f.rounds)
    data: list[dict[str, Any]] = []
    if f.band is not None:
        bx = list(range(len(f.band[0])))
        data.append({"type": "scatter", "x": bx, "y": list(f.band[0]), "mode": "lines",
                     "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False,
                     "name": "10 %"})
        data.append({"type": "scatter", "x": bx, "y": list(f.band[1]), "mode": "lines",
                     "line": {"width": 0}, "fill": "tonexty",
                     "fillcolor": "rgba(34,34,34,0.15)", "name": "10–90 % of draws"})
    for i, s in enumerate(f.actors):
        data.append({"type": "scatter", "x": x, "y": list(s.y), "mode": "lines+markers",
                     "name": _h(s.name), "line": {"color": colour(i), "width": 1.5},
                     "marker": {"size": 5}})
    if f.outcome is not None:
        data.append({"type": "scatter", "x": x, "y": list(f.outcome), "mode": "lines+markers",
                     "name": "outcome", "line": {"color": OUTCOME_COLOUR, "width": 3}})
    return {"data": data, "layout": _layout(
        f.title, xaxis={"title": {"text": "round"},
                        **({"dtick": 1} if _span(f) <= 21 else {})},
        yaxis={"title": {"text": "position"}, "range": list(_pad(f.scale))})}


def _span(f: TrajectoryData) -> int:
    return max(len(f.rounds), len(f.band[0]) if f.band else 0)


def _pad(scale: tuple[float, float], frac: float = 0.03) -> tuple[float, float]:
    lo, hi = scale
    d = (hi - lo) * frac
    return lo - d, hi + d


def _quantile_marks(qs: Mapping[str, float]) -> list[tuple[str, float, float]]:
    """(name, level, value) of the quantiles a model's summary has, in the order of
    :data:`accord.analysis.results.QUANTILES` (the one table of them)."""
    from accord.analysis import results

    return [(q, p, qs[q]) for q, p in results.QUANTILES.items() if q in qs]


def _plotly_distribution(f: DistributionData) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    for m, (model, cdf) in enumerate(f.cdf.items()):
        data.append({"type": "scatter", "x": list(f.x), "y": list(cdf), "mode": "lines",
                     "line": {"shape": "hv", "color": colour(m), "width": 2},
                     "name": _h(model), "legendgroup": _h(model)})
        marks = _quantile_marks(f.quantiles.get(model, {}))
        data.append({"type": "scatter", "x": [v for _, _, v in marks],
                     "y": [p for _, p, _ in marks], "mode": "markers",
                     "marker": {"color": colour(m), "size": 8, "symbol": "line-ns-open",
                                "line": {"width": 2}},
                     "text": [f"{100 * p:g} %" for _, p, _ in marks],
                     "hovertemplate": "%{text}: %{x:.3g}<extra>" + _h(model) + "</extra>",
                     "showlegend": False, "legendgroup": _h(model)})
    shapes, notes = [], []
    for t in f.thresholds:
        shapes.append({"type": "line", "x0": t.value, "x1": t.value, "y0": 0, "y1": 1,
                       "yref": "paper", "line": {"dash": "dash", "color": "#555", "width": 1}})
        probs = "<br>".join(f"{_h(m)} {p:.0%}" for m, p in t.probability.items())
        right = t.value > (f.scale[0] + f.scale[1]) / 2
        notes.append({"x": t.value, "y": 1.0, "yref": "paper", "showarrow": False,
                      "xanchor": "right" if right else "left", "yanchor": "top", "align": "left",
                      "text": f"P(outcome {_op(t.op)} {t.value:g}):<br>{probs}",
                      "font": {"size": 10},
                      "bgcolor": "rgba(255,255,255,0.8)"})
    return {"data": data, "layout": _layout(
        f.title, xaxis={"title": {"text": "outcome"}, "range": list(_pad(f.scale))},
        yaxis={"title": {"text": "P(outcome ≤ x)"}, "range": [0, 1.02]},
        shapes=shapes, annotations=notes)}


def _bubble_sizes(caps: Sequence[float], largest: float = 60.0) -> list[float]:
    top = max((c for c in caps if c > 0), default=1.0)
    return [max(6.0, largest * float(np.sqrt(max(c, 0.0) / top))) for c in caps]


def _plotly_actor_map(f: ActorMapData) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    sizes = _bubble_sizes([a.capability for a in f.actors])
    data.append({
        "type": "scatter", "mode": "markers+text", "name": "actors",
        "x": [a.position for a in f.actors], "y": [a.salience for a in f.actors],
        "text": [_h(a.name) for a in f.actors], "textposition": "top center",
        "customdata": [a.capability for a in f.actors],
        "hovertemplate": "%{text}<br>position %{x:.3g}<br>salience %{y:.3g}"
                         "<br>capability %{customdata:.3g}<extra></extra>",
        "marker": {"size": sizes, "color": [colour(i) for i in range(len(f.actors))],
                   "opacity": 0.7, "line": {"color": "#333", "width": 1}},
        "showlegend": False, "cliponaxis": False,
    })
    for m, (model, value) in enumerate(f.forecasts.items()):
        data.append({"type": "scatter", "mode": "lines", "x": [value, value], "y": [0, 105],
                     "name": f"{_h(model)} {value:.3g}",
                     "line": {"color": colour(m), "width": 2, "dash": "dot"}})
    if f.status_quo is not None:
        data.append({"type": "scatter", "mode": "lines", "x": [f.status_quo] * 2,
                     "y": [0, 105], "name": f"status quo {f.status_quo:.3g}",
                     "line": {"color": STATUS_QUO_COLOUR, "width": 2, "dash": "dash"}})
    lo, hi = f.scale
    xtitle = "position"
    if f.low_label or f.high_label:
        xtitle = f"{lo:g} = {_h(f.low_label or '')}<br>{hi:g} = {_h(f.high_label or '')}"
    layout = _layout(f.title, xaxis={"title": {"text": xtitle, "font": {"size": 11}},
                                     "range": list(_pad(f.scale, 0.08))},
                     yaxis={"title": {"text": "salience"}, "range": [0, 118]})
    layout["margin"] = {**layout["margin"], "b": 90}
    layout["height"] = 440
    layout["legend"] = {"orientation": "h", "y": -0.3, "yanchor": "top"}
    return {"data": data, "layout": layout}


def _plotly_tornado(f: TornadoData) -> dict[str, Any]:
    bars = list(reversed(f.bars))  # plotly draws the first category at the bottom
    labels = [_h(b.label) for b in bars]
    lows = [b.low_outcome - f.base for b in bars]
    highs = [b.high_outcome - f.base for b in bars]
    data = [
        {"type": "bar", "orientation": "h", "y": labels, "x": lows, "base": f.base,
         "name": "input at its low end", "marker": {"color": PALETTE[0]},
         "customdata": [b.low_input for b in bars],
         "hovertemplate": "input %{customdata:.3g}<br>forecast %{x:.3g}<extra></extra>"},
        {"type": "bar", "orientation": "h", "y": labels, "x": highs, "base": f.base,
         "name": "input at its high end", "marker": {"color": PALETTE[1]},
         "customdata": [b.high_input for b in bars],
         "hovertemplate": "input %{customdata:.3g}<br>forecast %{x:.3g}<extra></extra>"},
    ]
    layout = _layout(f.title, xaxis={"title": {"text": "forecast"}},
                     yaxis={"automargin": True}, barmode="overlay",
                     shapes=[{"type": "line", "x0": f.base, "x1": f.base, "y0": 0, "y1": 1,
                              "yref": "paper", "line": {"color": OUTCOME_COLOUR}}])
    layout["height"] = max(280, 130 + 24 * len(bars))
    layout["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0}
    layout["margin"] = {**layout["margin"], "t": 70}
    return {"data": data, "layout": layout}


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


def _plotly_shock(f: ShockData) -> dict[str, Any]:
    data: list[dict[str, Any]] = []
    for name, col, attr, iattr, off in _SHOCK_SERIES:
        xs, ys = _interval_segments(f.rows, iattr, off)
        if xs:
            data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys,
                         "line": {"color": col, "width": 6}, "opacity": 0.35,
                         "name": f"{name}: 10–90 % of draws", "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "markers", "name": name,
                     "x": [getattr(r, attr) for r in f.rows],
                     "y": [j + off for j in range(len(f.rows))],
                     "text": [_h(r.model) for r in f.rows],
                     "hovertemplate": "%{text}: %{x:.3g}<extra>" + name + "</extra>",
                     "marker": {"color": col, "size": 11}})
    shapes = [{"type": "line", "x0": r.base, "x1": r.shocked, "y0": j + 0.12,
               "y1": j - 0.12, "line": {"color": "#999", "width": 1}}
              for j, r in enumerate(f.rows)]
    layout = _layout(f.title, xaxis={"title": {"text": "forecast"},
                                     "range": list(_pad(f.scale))},
                     yaxis={"automargin": True, "tickvals": list(range(len(f.rows))),
                            "ticktext": [_h(r.model) for r in f.rows],
                            "range": [len(f.rows) - 0.5, -0.5]},
                     shapes=shapes)
    layout["height"] = max(280, 140 + 40 * len(f.rows))
    layout["legend"] = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0}
    layout["margin"] = {**layout["margin"], "t": 90}
    return {"data": data, "layout": layout}


_PLOTLY = {
    "trajectory": _plotly_trajectory,
    "distribution": _plotly_distribution,
    "actor_map": _plotly_actor_map,
    "tornado": _plotly_tornado,
    "shock": _plotly_shock,
}


def to_plotly(fig: FigureData) -> dict[str, Any]:
    """A plotly figure dict (``data`` and ``layout``) for figure data of any kind."""
    return _PLOTLY[fig.kind](fig)


# --------------------------------------------------------------------------- matplotlib


def _m(text: str) -> str:
    """Matplotlib label text: a ``$`` would start mathematics; show it as itself."""
    return str(text).replace("$", r"\$")


def _new_figure(width: float = 7.0, height: float = 4.2) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.grid(True, color="#e6e6e6")
    ax.set_axisbelow(True)
    return fig, ax


def _mpl_trajectory(f: TrajectoryData) -> Figure:
    fig, ax = _new_figure()
    x = list(f.rounds)
    if f.band is not None:
        bx = list(range(len(f.band[0])))
        ax.fill_between(bx, f.band[0], f.band[1], color=OUTCOME_COLOUR, alpha=0.15,
                        linewidth=0, label="10–90 % of draws")
    for i, s in enumerate(f.actors):
        ax.plot(x, s.y, marker="o", markersize=3, linewidth=1.2, color=colour(i),
                label=_m(s.name))
    if f.outcome is not None:
        ax.plot(x, f.outcome, color=OUTCOME_COLOUR, linewidth=2.5, label="outcome")
    ax.set_ylim(*_pad(f.scale))
    ax.set_xlabel("round")
    ax.set_ylabel("position")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="best")
    return fig


def _mpl_distribution(f: DistributionData) -> Figure:
    fig, ax = _new_figure()
    for m, (model, cdf) in enumerate(f.cdf.items()):
        ax.step(f.x, cdf, where="post", color=colour(m), linewidth=1.8, label=_m(model))
        marks = _quantile_marks(f.quantiles.get(model, {}))
        ax.plot([v for _, _, v in marks], [p for _, p, _ in marks], "|",
                color=colour(m), markersize=12, markeredgewidth=2)
    for t in f.thresholds:
        ax.axvline(t.value, color="#555", linestyle="--", linewidth=1)
        probs = "\n".join(f"{_m(m)} {p:.0%}" for m, p in t.probability.items())
        right = t.value > (f.scale[0] + f.scale[1]) / 2
        ax.text(t.value, 0.98, f" P(outcome {_op(t.op)} {t.value:g}):\n{probs} ", va="top",
                ha="right" if right else "left", fontsize=7,
                transform=ax.get_xaxis_transform(),
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    ax.set_xlim(*_pad(f.scale))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("outcome")
    ax.set_ylabel("P(outcome ≤ x)")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _mpl_actor_map(f: ActorMapData) -> Figure:
    fig, ax = _new_figure(7.0, 4.8)
    sizes = [s * s for s in _bubble_sizes([a.capability for a in f.actors], 40.0)]
    ax.scatter([a.position for a in f.actors], [a.salience for a in f.actors], s=sizes,
               c=[colour(i) for i in range(len(f.actors))], alpha=0.7, edgecolors="#333")
    for a in f.actors:
        ax.annotate(_m(a.name), (a.position, a.salience), textcoords="offset points",
                    xytext=(0, 9), ha="center", fontsize=8)
    for m, (model, value) in enumerate(f.forecasts.items()):
        ax.axvline(value, color=colour(m), linestyle=":", linewidth=2,
                   label=f"{_m(model)} {value:.3g}")
    if f.status_quo is not None:
        ax.axvline(f.status_quo, color=STATUS_QUO_COLOUR, linestyle="--", linewidth=2,
                   label=f"status quo {f.status_quo:.3g}")
    lo, hi = f.scale
    ax.set_xlim(*_pad(f.scale, 0.08))
    ax.set_ylim(0, 112)
    label = "position"
    if f.low_label or f.high_label:
        label = f"{lo:g} = {_m(f.low_label or '')}\n{hi:g} = {_m(f.high_label or '')}"
    ax.set_xlabel(label, fontsize=8)
    ax.set_ylabel("salience")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    if f.forecasts or f.status_quo is not None:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def _mpl_tornado(f: TornadoData) -> Figure:
    fig, ax = _new_figure(7.0, max(2.6, 0.8 + 0.35 * len(f.bars)))
    bars = list(reversed(f.bars))
    y = np.arange(len(bars))
    ax.barh(y, [b.low_outcome - f.base for b in bars], left=f.base, color=PALETTE[0],
            label="input at its low end")
    ax.barh(y, [b.high_outcome - f.base for b in bars], left=f.base, color=PALETTE[1],
            alpha=0.85, label="input at its high end")
    ax.axvline(f.base, color=OUTCOME_COLOUR, linewidth=1)
    ax.set_yticks(y, [_m(b.label) for b in bars], fontsize=8)
    ax.set_xlabel("forecast")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="best")
    return fig


def _mpl_shock(f: ShockData) -> Figure:
    fig, ax = _new_figure(7.0, max(2.4, 1.0 + 0.5 * len(f.rows)))
    for j, r in enumerate(f.rows):
        ax.plot([r.base, r.shocked], [j + 0.12, j - 0.12], color="#999", linewidth=1)
    for name, col, attr, iattr, off in _SHOCK_SERIES:
        xs, ys = _interval_segments(f.rows, iattr, off)
        if xs:
            ax.plot([np.nan if x is None else x for x in xs],
                    [np.nan if y is None else y for y in ys], color=col, linewidth=6,
                    alpha=0.35, solid_capstyle="butt", label=f"{name}: 10–90 % of draws")
        ax.plot([getattr(r, attr) for r in f.rows], [j + off for j in range(len(f.rows))],
                "o", color=col, label=name)
    ax.set_yticks(range(len(f.rows)), [_m(r.model) for r in f.rows], fontsize=8)
    ax.set_ylim(len(f.rows) - 0.5, -0.5)
    ax.set_xlim(*_pad(f.scale))
    ax.set_xlabel("forecast")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=7, loc="best")
    return fig


_MPL = {
    "trajectory": _mpl_trajectory,
    "distribution": _mpl_distribution,
    "actor_map": _mpl_actor_map,
    "tornado": _mpl_tornado,
    "shock": _mpl_shock,
}


def to_matplotlib(fig: FigureData) -> Figure:
    """A matplotlib Figure (no pyplot state; safe in threads) for figure data of any kind."""
    return _MPL[fig.kind](fig)
