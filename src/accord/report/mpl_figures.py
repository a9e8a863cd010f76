"""The matplotlib renderer of figure data (PNG and PDF for the CLI and papers): it only
draws. User text is escaped for matplotlib, which reads ``$...$`` as mathematics (:func:`_m`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


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
    models = list(f.cdf)
    for model, cdf in f.predictive_cdf.items():
        m = models.index(model) if model in models else list(f.predictive_cdf).index(model)
        ax.step(f.x, cdf, where="post", color=colour(m), linewidth=1.5, linestyle="--",
                label=_m(f"{model}, calibrated"))
    ax.set_xlim(*_pad(f.scale))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("outcome" if not f.predictive_cdf else
                  "outcome (solid: input uncertainty alone; dashed: calibrated, model error "
                  "added)")
    ax.set_ylabel("P(outcome ≤ x)")
    ax.set_title(_m(f.title) + (f"\ndashed: {_m(f.calibration)}" if f.calibration else ""),
                 loc="left", fontsize=11 if not f.calibration else 9)
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


# --------------------------------------------------------------------------- war


def _mpl_dates(dates: Sequence[str]) -> list[Any]:
    from datetime import date

    return [date.fromisoformat(d) for d in dates]


def _mpl_war_agreement(f: WarAgreementData) -> Figure:
    fig, ax = _new_figure()
    x = _mpl_dates(f.dates)
    ax.fill_between(x, f.low, f.high, step="post", color=colour(0), alpha=0.2, linewidth=0,
                    label="90 % band (Monte Carlo error)")
    ax.step(x, f.p, where="post", color=colour(0), linewidth=2, label="P(agreement by date)")
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(agreement by date)")
    ax.set_title(_m(f"{f.title} ({f.basis})"), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    fig.autofmt_xdate()
    return fig


def _mpl_war_front(f: WarFrontData) -> Figure:
    fig, ax = _new_figure()
    x = _mpl_dates(f.dates)
    xs = x[:-1]
    ax.fill_between(x, f.front[0], f.front[2], color=OUTCOME_COLOUR, alpha=0.15, linewidth=0,
                    label="front, 10–90 % of draws")
    ax.plot(x, f.front[1], color=OUTCOME_COLOUR, linewidth=2, label="front (median)")
    ax.plot(xs, f.expect_a, color=colour(2), linestyle=":", label=_m(f"{f.side_a} expects"))
    ax.plot(xs, f.expect_b, color=colour(0), linestyle=":", label=_m(f"{f.side_b} expects"))
    ax.plot(xs, f.lower, color=colour(2), linewidth=1.8, label=_m(f"L: least {f.side_a} "
                                                                  "accepts"))
    ax.plot(xs, f.upper, color=colour(0), linewidth=1.8, label=_m(f"U: most {f.side_b} "
                                                                  "accepts"))
    ax.set_ylim(*_pad(f.scale))
    ax.set_ylabel(_m(f.issue))
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=7, loc="best")
    fig.autofmt_xdate()
    return fig


def _mpl_war_terms(f: WarTermsData) -> Figure:
    fig, ax = _new_figure()
    ax.stairs(f.share, f.edges, fill=True, color=colour(0), alpha=0.8,
              label=f"agreed on these terms (all: {f.agreed:.0%})")
    if f.median is not None:
        ax.axvline(f.median, color=OUTCOME_COLOUR, linestyle="--", linewidth=1,
                   label=f"median {f.median:.3g}")
    ax.set_xlim(*_pad(f.scale))
    ax.set_xlabel("terms")
    ax.set_ylabel("share of draws")
    ax.set_title(_m(f.title), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="best")
    return fig


def _mpl_advice(f: AdviceData) -> Figure:
    gains = np.array(f.gains, dtype=float).reshape(len(f.moves), len(f.models))
    top = float(np.abs(gains).max()) if gains.size and np.abs(gains).max() > 0 else 1.0
    fig, ax = _new_figure(3.5 + 1.0 * len(f.models), 1.2 + 0.42 * len(f.moves))
    ax.imshow(gains, cmap="RdBu", vmin=-top, vmax=top, aspect="auto")
    for i in range(gains.shape[0]):
        for j in range(gains.shape[1]):
            ax.text(j, i, f"{gains[i, j]:+.1f}\n{f.helps[i][j]:.0%}", ha="center",
                    va="center", fontsize=7,
                    color="white" if abs(gains[i, j]) > 0.6 * top else "black")
    ax.grid(False)
    ax.set_xticks(range(len(f.models)), [_m(m) for m in f.models], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(f.moves)), [_m(textwrap.shorten(m, 70)) for m in f.moves],
                  fontsize=7)
    ax.set_title(_m(f.title), loc="left", fontsize=10, pad=24)
    return fig


_MPL = {
    "war_agreement": _mpl_war_agreement,
    "war_front": _mpl_war_front,
    "war_terms": _mpl_war_terms,
    "trajectory": _mpl_trajectory,
    "distribution": _mpl_distribution,
    "actor_map": _mpl_actor_map,
    "tornado": _mpl_tornado,
    "shock": _mpl_shock,
    "advice": _mpl_advice,
}


def to_matplotlib(fig: FigureData) -> Figure:
    """A matplotlib Figure (no pyplot state; safe in threads) for figure data of any kind."""
    return _MPL[fig.kind](fig)
