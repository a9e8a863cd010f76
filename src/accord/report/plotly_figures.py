"""The plotly renderer of figure data (HTML report, dashboard): it only draws.

Each figure becomes a plotly figure dict (``{"data": [...], "layout": {...}}``); user text is
escaped for plotly's subset of HTML (:func:`_h`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np

from accord.report.figure_data import (
    _SHOCK_SERIES,
    OUTCOME_COLOUR,
    PALETTE,
    STATUS_QUO_COLOUR,
    ActorMapData,
    AdviceData,
    DistributionData,
    FigureData,
    ShockData,
    TornadoData,
    TrajectoryData,
    WarAgreementData,
    WarFrontData,
    WarTermsData,
    _bubble_sizes,
    _interval_segments,
    _op,
    _pad,
    _quantile_marks,
    colour,
)


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
    models = list(f.cdf)
    for model, cdf in f.predictive_cdf.items():
        m = models.index(model) if model in models else list(f.predictive_cdf).index(model)
        data.append({"type": "scatter", "x": list(f.x), "y": list(cdf), "mode": "lines",
                     "line": {"shape": "hv", "color": colour(m), "width": 2, "dash": "dash"},
                     "name": _h(f"{model}, calibrated"), "legendgroup": _h(model)})
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
    xtitle = "outcome"
    if f.predictive_cdf:
        xtitle = "outcome (solid: input uncertainty alone; dashed: calibrated, model error added)"
    layout = _layout(
        f.title, xaxis={"title": {"text": xtitle}, "range": list(_pad(f.scale))},
        yaxis={"title": {"text": "P(outcome ≤ x)"}, "range": [0, 1.02]},
        shapes=shapes, annotations=notes)
    if f.predictive_cdf:
        layout["title"]["text"] += f"<br><sup>dashed: {_h(f.calibration)}</sup>"
    return {"data": data, "layout": layout}


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


# --------------------------------------------------------------------------- war


def _gaps(values: Sequence[float]) -> list[float | None]:
    """NaN as None, so plotly leaves a gap."""
    return [None if not np.isfinite(v) else v for v in values]


def _plotly_war_agreement(f: WarAgreementData) -> dict[str, Any]:
    x = list(f.dates)
    data = [
        {"type": "scatter", "x": x, "y": list(f.low), "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False, "name": "band low"},
        {"type": "scatter", "x": x, "y": list(f.high), "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": "rgba(78,121,167,0.2)",
         "name": "90 % band (Monte Carlo error)"},
        {"type": "scatter", "x": x, "y": list(f.p), "mode": "lines+markers",
         "line": {"color": colour(0), "width": 2.5, "shape": "hv"}, "marker": {"size": 4},
         "name": "P(agreement by date)",
         "hovertemplate": "%{x}: %{y:.0%}<extra></extra>"},
    ]
    return {"data": data, "layout": _layout(
        f"{f.title} ({f.basis})", xaxis={"title": {"text": "date"}, "type": "date"},
        yaxis={"title": {"text": "P(agreement by date)"}, "range": [0, 1.02],
               "tickformat": ".0%"})}


def _plotly_war_front(f: WarFrontData) -> dict[str, Any]:
    x = list(f.dates)
    xs = x[:-1]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "x": x, "y": list(f.front[0]), "mode": "lines",
         "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "name": "10 %"},
        {"type": "scatter", "x": x, "y": list(f.front[2]), "mode": "lines",
         "line": {"width": 0}, "fill": "tonexty", "fillcolor": "rgba(34,34,34,0.15)",
         "name": "front, 10–90 % of draws"},
        {"type": "scatter", "x": x, "y": list(f.front[1]), "mode": "lines",
         "line": {"color": OUTCOME_COLOUR, "width": 2.5}, "name": "front (median)"},
        {"type": "scatter", "x": xs, "y": _gaps(f.expect_a), "mode": "lines",
         "line": {"color": colour(2), "dash": "dot"}, "name": _h(f"{f.side_a} expects")},
        {"type": "scatter", "x": xs, "y": _gaps(f.expect_b), "mode": "lines",
         "line": {"color": colour(0), "dash": "dot"}, "name": _h(f"{f.side_b} expects")},
        {"type": "scatter", "x": xs, "y": _gaps(f.lower), "mode": "lines",
         "line": {"color": colour(2), "width": 2}, "name": _h(f"L: least {f.side_a} accepts")},
        {"type": "scatter", "x": xs, "y": _gaps(f.upper), "mode": "lines",
         "line": {"color": colour(0), "width": 2}, "name": _h(f"U: most {f.side_b} accepts")},
    ]
    return {"data": data, "layout": _layout(
        f.title, xaxis={"title": {"text": "date"}, "type": "date"},
        yaxis={"title": {"text": f.issue}, "range": list(_pad(f.scale))})}


def _plotly_war_terms(f: WarTermsData) -> dict[str, Any]:
    centres = [(a + b) / 2 for a, b in zip(f.edges[:-1], f.edges[1:], strict=True)]
    width = f.edges[1] - f.edges[0]
    data: list[dict[str, Any]] = [
        {"type": "bar", "x": centres, "y": list(f.share), "width": width * 0.95,
         "marker": {"color": colour(0)}, "name": f"agreed on these terms (all: "
         f"{f.agreed:.0%})", "hovertemplate": "%{x:.3g}: %{y:.1%}<extra></extra>"}]
    shapes = []
    if f.median is not None:
        shapes.append({"type": "line", "x0": f.median, "x1": f.median, "yref": "paper",
                       "y0": 0, "y1": 1, "line": {"color": OUTCOME_COLOUR, "dash": "dash"}})
    title = "terms" + "".join(f"; {v:g} = {_h(t)}" for v, t in ((f.scale[0], f.low_label),
                                                                 (f.scale[1], f.high_label)) if t)
    return {"data": data, "layout": _layout(
        f.title, xaxis={"title": {"text": title}, "range": list(_pad(f.scale))},
        yaxis={"title": {"text": "share of draws"}, "tickformat": ".0%"}, shapes=shapes)}


def _plotly_advice(f: AdviceData) -> dict[str, Any]:
    gains = np.array(f.gains, dtype=float)
    top = float(np.abs(gains).max()) if gains.size else 1.0
    text = [[f"{g:+.1f}<br>{h:.0%}" for g, h in zip(row, hrow, strict=True)]
            for row, hrow in zip(f.gains, f.helps, strict=True)]
    data = [{"type": "heatmap", "z": [list(r) for r in f.gains], "x": [_h(m) for m in f.models],
             "y": [_h(m) for m in f.moves], "text": text, "texttemplate": "%{text}",
             "zmin": -top, "zmax": top, "colorscale": "RdBu", "reversescale": False,
             "colorbar": {"title": {"text": "gain"}},
             "hovertemplate": "%{y}<br>%{x}: gain %{z:+.2f}<extra></extra>"}]
    layout = _layout(f.title, yaxis={"automargin": True, "autorange": "reversed"},
                     xaxis={"side": "top"})
    layout["height"] = max(300, 120 + 34 * len(f.moves))
    return {"data": data, "layout": layout}


_PLOTLY = {
    "advice": _plotly_advice,
    "war_agreement": _plotly_war_agreement,
    "war_front": _plotly_war_front,
    "war_terms": _plotly_war_terms,
    "trajectory": _plotly_trajectory,
    "distribution": _plotly_distribution,
    "actor_map": _plotly_actor_map,
    "tornado": _plotly_tornado,
    "shock": _plotly_shock,
}


def to_plotly(fig: FigureData) -> dict[str, Any]:
    """A plotly figure dict (``data`` and ``layout``) for figure data of any kind."""
    return _PLOTLY[fig.kind](fig)
