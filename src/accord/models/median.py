"""Weighted median: the held position minimising Σ_i c_i s_i |x_i − x|.

Black's median voter with capability×salience weights; the position that beats every other
in weighted pairwise majority votes (Black 1948; Bueno de Mesquita 1994's "median voter"
forecast). Ties go to the lower position (shared/DESIGN.md, "Weighted median").
"""

from __future__ import annotations

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import (
    BaseModel,
    Cost,
    Explanation,
    Forecast,
    explains,
    names_list,
    on_scale,
    register,
)

_TIE_TOLERANCE = 1e-12


def weighted_median(position: np.ndarray, weight: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The lowest held position x_k whose cumulative weight (sorted by position) reaches half
    the total. position, weight: (..., n, d); mask: (n, d). Returns (..., d).

    Where every participant has weight zero, all of them count equally; where nobody takes
    part in an issue, the median is NaN.
    """
    mask_b = np.broadcast_to(mask, position.shape)
    weight = np.where(mask_b, weight, 0.0)
    total = weight.sum(axis=-2, keepdims=True)
    weight = np.where(total > 0, weight, mask_b.astype(float))
    total = weight.sum(axis=-2, keepdims=True)
    key = np.where(mask_b, position, np.inf)  # non-participants sort last
    order = np.argsort(key, axis=-2, kind="stable")
    sorted_pos = np.take_along_axis(key, order, axis=-2)
    cum = np.cumsum(np.take_along_axis(weight, order, axis=-2), axis=-2)
    reached = cum >= total * (0.5 - _TIE_TOLERANCE)
    first = np.argmax(reached, axis=-2)[..., None, :]
    median = np.take_along_axis(sorted_pos, first, axis=-2)[..., 0, :]
    return np.where(np.isfinite(median), median, np.nan)  # nobody takes part: undefined


@register
class MedianModel(BaseModel):
    """Capability×salience-weighted median of the held positions (no rounds)."""

    name = "median"
    cost = Cost(ns=310.0, actor_power=1, fixed_ms=0.7)  # bench_cost.py (a sort per issue)

    issue_by_issue = True  # each issue's weighted median is its own (BaseModel.issue_by_issue)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = weighted_median(arrays.position, arrays.weight, arrays.mask)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome)


# --------------------------------------------------------------------------- explanation


@explains("median")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The pivot: the actor(s) at the median position, and the weight (c·s) strictly below,
    at and above it. The median is the lowest held position where the weight at or below it
    reaches half, so it moves down when the weight below reaches half, and up when the weight
    at or below falls short of half: the margins say how much weight must change sides."""
    ids = arrays.actor_ids
    why = Explanation("median")
    for k, iid in enumerate(arrays.issue_ids):
        span = float(arrays.scale_range[k])
        m = arrays.mask[:, k]
        outcome = float(forecast.outcome[0, k])
        if not m.any():
            continue
        x = arrays.position[0, :, k]
        w = np.where(m, arrays.weight[0, :, k], 0.0)
        if w.sum() <= 0:
            w = m.astype(float)
        share = w / w.sum()
        tol = 1e-9 * max(span, 1e-300)
        at = m & (np.abs(x - outcome) <= tol)
        below, above = m & (x < outcome - tol), m & (x > outcome + tol)
        s_below, s_at, s_above = (float(share[g].sum()) for g in (below, at, above))

        def group(g: np.ndarray, x: np.ndarray = x) -> list[str]:
            return [ids[i] for i in np.flatnonzero(g)[np.argsort(x[g], kind="stable")]]

        pivots = group(at)
        why.facts[iid] = {
            "outcome": outcome, "pivot": pivots,
            "weight_below": s_below, "weight_at": s_at, "weight_above": s_above,
            "below": group(below), "above": group(above),
            # weight that must cross to move the median down / up
            "margin_down": max(0.0, 0.5 - s_below), "margin_up": max(0.0, s_below + s_at - 0.5),
        }

        def side(g: np.ndarray, where: str, s: float, x: np.ndarray = x,
                 span: float = span) -> str:
            who = group(g)
            if not who:
                return f"nobody {where}"
            held = ", ".join(f"{a} {on_scale(x[ids.index(a)], span)}" for a in who)
            return f"{where} ({held}) {s:.0%}"

        why.sentences[iid] = [
            f"{iid} {on_scale(outcome, span)}, the weighted median: the pivot is "
            f"{names_list(pivots)} at {on_scale(outcome, span)}, with {s_at:.0%} of the weight "
            f"(capability × salience); {side(below, 'below', s_below)}, "
            f"{side(above, 'above', s_above)}.",
            f"Neither side reaches half without the pivot: to pull the outcome down, "
            f"{_share(0.5 - s_below)} of the weight would have to join those below; to "
            f"push it up, {_share(s_below + s_at - 0.5)} would have to leave the pivot "
            "and those below.",
        ]
    return why


def _share(x: float) -> str:
    """A share of the weight in words: ``11%``, ``0.4%``, ``a sliver`` below 0.1 %."""
    x = max(0.0, x)
    return "a sliver" if x < 0.001 else f"{x:.1%}" if x < 0.1 else f"{x:.0%}"
