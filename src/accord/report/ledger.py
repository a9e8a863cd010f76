"""Figures and tables of the ledger, for the report and the dashboard (plotly JSON, drawn by
``plots.js`` from a ``data-figure`` attribute, as every other figure).

- :func:`history_figure`: how each model's forecast of a question moved over successive
  records (a line per model: the point forecast for a value question, P(event) for a
  threshold question), the resolution marked (the observed value as a horizontal line, the
  date it was recorded as a vertical one).
- :func:`reliability_figure`: a calibration table as a reliability diagram (mean forecast
  probability per bin against the observed frequency; the diagonal is perfect calibration).
- :func:`scenario_history`: the questions about one scenario with their histories, read from
  a ledger (what the report's "On the record" section shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.ledger import GroupScore, Ledger

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]


def history_figure(question: dict[str, Any], height: int = 320) -> dict[str, Any]:
    """Plotly JSON of a question's forecast history (``Ledger.question`` document)."""
    threshold = question["kind"] == "threshold"
    models: dict[str, list[dict[str, Any]]] = {}
    for h in question["history"]:
        models.setdefault(h["model"], []).append(h)
    data: list[dict[str, Any]] = []
    for k, (model, rows) in enumerate(models.items()):
        ys = [h.get("probability") if threshold else h["point"] for h in rows]
        data.append({"type": "scatter", "mode": "lines+markers", "name": model,
                     "x": [h["created_at"] for h in rows], "y": ys,
                     "line": {"color": PALETTE[k % len(PALETTE)]},
                     "hovertemplate": f"{model}<br>%{{x}}<br>%{{y:.3g}}<extra>%{{text}}</extra>",
                     "text": [h["run"] for h in rows]})
    lo, hi = (0.0, 1.0) if threshold else tuple(question["scale"])
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    res = question["resolution"]
    if res is not None:
        observed = ((1.0 if res["event"] else 0.0) if threshold else res["value"])
        if observed is not None:
            shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": observed,
                           "y1": observed, "line": {"color": "#000", "dash": "dash"}})
            what = ("happened" if res["event"] else "did not happen") if threshold \
                else f"outcome {observed:g}"
            annotations.append({"xref": "paper", "x": 1, "y": observed, "xanchor": "right",
                                "yanchor": "bottom", "showarrow": False,
                                "text": f"resolved {res['date']}: {what}"})
    title = "P(" + question["event"] + ")" if threshold else question["issue"]
    layout = {"height": height, "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
              "xaxis": {"title": {"text": "recorded (UTC)"}},
              "yaxis": {"title": {"text": title}, "range": [lo, hi]},
              "shapes": shapes, "annotations": annotations,
              "legend": {"orientation": "h", "y": -0.25}}
    return {"data": data, "layout": layout}


def reliability_figure(group: GroupScore, height: int = 320) -> dict[str, Any] | None:
    """Plotly JSON of a group's reliability diagram; None without a calibration table."""
    if not group.calibration:
        return None
    bins = [b for b in group.calibration if b["n"]]
    data = [
        {"type": "scatter", "mode": "lines", "name": "perfect calibration", "x": [0, 1],
         "y": [0, 1], "line": {"color": "#999", "dash": "dot"}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "lines+markers", "name": group.key,
         "x": [b["forecast"] for b in bins], "y": [b["observed"] for b in bins],
         "marker": {"size": [6 + min(b["n"], 40) / 2 for b in bins]},
         "text": [f"n = {b['n']}" for b in bins],
         "hovertemplate": "forecast %{x:.2f}<br>observed %{y:.2f}<br>%{text}<extra></extra>"},
    ]
    layout = {"height": height, "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
              "title": {"text": f"reliability: {group.key}"},
              "xaxis": {"title": {"text": "forecast probability"}, "range": [0, 1]},
              "yaxis": {"title": {"text": "observed frequency"}, "range": [0, 1]},
              "showlegend": False}
    return {"data": data, "layout": layout}


def scenario_history(ledger: Ledger, title: str) -> list[dict[str, Any]]:
    """The questions about the scenario with this title, each with its history."""
    return [ledger.question(q["id"]) for q in ledger.list_questions()
            if q["scenario"] == title]
