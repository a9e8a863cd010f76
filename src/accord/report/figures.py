"""Figures of a forecast, once: figure data, then a plotly and a matplotlib renderer.

Three modules, gathered here: :mod:`~accord.report.figure_data` (what each figure shows),
:mod:`~accord.report.plotly_figures` and :mod:`~accord.report.mpl_figures` (how it is drawn).

Each ``*_data`` function turns results into a small frozen dataclass of plain numbers and
labels (what the picture shows, testable without drawing); :func:`to_plotly` turns any of
them into a plotly figure dict (``{"data": [...], "layout": {...}}``, for the HTML report and
the dashboard) and :func:`to_matplotlib` into a ``matplotlib.figure.Figure`` (PNG / PDF for
the CLI and papers). Renderers only draw: they compute nothing the data does not hold.

Figures (shared/DESIGN.md, "Around the models"; issue 7):

- trajectory: positions round by round, one line per actor, the model's outcome line and,
  with draws, the 10–90 % band of the outcome over the draws (models with rounds only);
- distribution: the empirical CDF of the outcome over the draws per model (input uncertainty,
  solid) and, where a calibration is attached, of the calibrated predictive draws (model
  error added, dashed, labelled with the calibration's source), with the 5/10/50/90/95 %
  quantiles marked and the user's thresholds with P(outcome ≥ t);
- actor map: position × salience per issue, bubble area ∝ capability, the models' point
  forecasts and the status quo as vertical lines;
- tornado: one-at-a-time sensitivity, each input's low and high end against the base;
- shocks: base versus shocked forecast per model (with 10–90 % intervals under draws);
- war (bargaining under fire, issue 13): P(agreement by date) with its band, the fan of the
  front with both sides' expectations and the range [L, U], the terms at agreement.

User text (actor, issue and model names) is kept raw in the data; each renderer escapes it
for its target (plotly reads a subset of HTML in labels, matplotlib reads ``$...$`` as
mathematics).
"""

from __future__ import annotations

from accord.report.figure_data import (
    BAND,
    ECDF_POINTS,
    OUTCOME_COLOUR,
    PALETTE,
    SETTLED,
    STATUS_QUO_COLOUR,
    ActorMapData,
    AdviceData,
    DistributionData,
    FigureData,
    MapActor,
    Series,
    ShockData,
    ShockRow,
    ThresholdMark,
    TornadoBar,
    TornadoData,
    TrajectoryData,
    WarAgreementData,
    WarFrontData,
    WarTermsData,
    actor_map_data,
    advice_data,
    colour,
    distribution_data,
    ecdf,
    forecast_figures,
    model_labels,
    settled_length,
    shock_data,
    tornado_data,
    tornado_from_sensitivity,
    trajectory_data,
    war_figures,
)
from accord.report.mpl_figures import _m, to_matplotlib
from accord.report.plotly_figures import _h, to_plotly

__all__ = [
    "BAND",
    "ECDF_POINTS",
    "OUTCOME_COLOUR",
    "PALETTE",
    "SETTLED",
    "STATUS_QUO_COLOUR",
    "ActorMapData",
    "AdviceData",
    "DistributionData",
    "FigureData",
    "MapActor",
    "Series",
    "ShockData",
    "ShockRow",
    "ThresholdMark",
    "TornadoBar",
    "TornadoData",
    "TrajectoryData",
    "WarAgreementData",
    "WarFrontData",
    "WarTermsData",
    "_h",
    "_m",
    "actor_map_data",
    "advice_data",
    "colour",
    "distribution_data",
    "ecdf",
    "forecast_figures",
    "model_labels",
    "settled_length",
    "shock_data",
    "to_matplotlib",
    "to_plotly",
    "tornado_data",
    "tornado_from_sensitivity",
    "trajectory_data",
    "war_figures",
]
