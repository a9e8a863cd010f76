"""Compromise model: the capability×salience-weighted mean of positions.

O_p = Σ_i c_ip s_ip x_ip / Σ_i c_ip s_ip  (van den Bos 1991; Achen 2006, "Evaluating
political decision-making models", in Thomson et al., *The European Union Decides*). The
baseline every other model is compared against (shared/DESIGN.md, "Compromise model").
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
    on_scale,
    register,
    signed,
)


def weighted_mean(position: np.ndarray, weight: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Σ w x / Σ w over the actor axis (-2); where all weights are zero, the plain mean of
    the participants; NaN where nobody takes part. position, weight: (..., n, d);
    mask: (n, d). Returns (..., d)."""
    weight = np.where(mask, weight, 0.0)
    total = weight.sum(axis=-2)
    weighted = (weight * position).sum(axis=-2)
    count = mask.sum(axis=-2)
    plain = np.where(mask, position, 0.0).sum(axis=-2) / np.where(count > 0, count, np.nan)
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, weighted / safe, plain)


@register
class CompromiseModel(BaseModel):
    """Weighted mean of positions, weights c·s (no rounds)."""

    name = "compromise"
    cost = Cost(ns=210.0, actor_power=1, ns_lower=150.0, fixed_ms=0.6)  # bench_cost.py

    issue_by_issue = True  # each issue's weighted mean is its own (BaseModel.issue_by_issue)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = weighted_mean(arrays.position, arrays.weight, arrays.mask)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome)


# --------------------------------------------------------------------------- explanation


@explains("compromise")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """Each actor's pull: its weight share w_i/Σw times its signed distance from a reference
    point r (the status quo, else the scale's middle). Since O = Σ_i (w_i/Σw) x_i, the pulls
    sum to O − r, the outcome's offset from the reference; the two or three largest decide it.
    """
    ids = arrays.actor_ids
    why = Explanation("compromise")
    for k, iid in enumerate(arrays.issue_ids):
        span = float(arrays.scale_range[k])
        m = arrays.mask[:, k]
        x = arrays.position[0, :, k]
        w = np.where(m, arrays.weight[0, :, k], 0.0)
        outcome = float(forecast.outcome[0, k])
        if not m.any() or w.sum() <= 0:
            why.sentences[iid] = [f"{iid} {on_scale(outcome, span)}: nobody weighs in, so it is "
                                  "the plain mean of the positions."]
            continue
        sq = float(arrays.status_quo[0, k])
        has_sq = np.isfinite(sq)
        ref = sq if has_sq else float(arrays.lower[k] + span / 2)
        share = w / w.sum()
        pull = share * (x - ref)
        order = [i for i in np.argsort(-np.abs(pull), kind="stable") if m[i]]
        why.facts[iid] = {
            "outcome": outcome, "reference": ref,
            "reference_is": "status quo" if has_sq else "middle of the scale",
            "offset": outcome - ref,
            "actors": {ids[i]: {"position": float(x[i]), "weight_share": float(share[i]),
                                "pull": float(pull[i])} for i in order},
            "deciding": [ids[i] for i in order[:3]],
        }
        where = "the status quo" if has_sq else "the middle of the scale"
        offset = outcome - ref
        side = ("on it" if float(on_scale(abs(offset), span)) == 0 else
                f"{on_scale(abs(offset), span)} {'higher' if offset > 0 else 'lower'}")
        parts = [f"{ids[i]} {signed(pull[i], span)} ({share[i]:.0%} of the weight, at "
                 f"{on_scale(x[i], span)})" for i in order[:3]]
        why.sentences[iid] = [
            f"{iid} {on_scale(outcome, span)}, the capability×salience-weighted mean of the "
            f"positions: {side} than {where} ({on_scale(ref, span)}).",
            "The pulls (weight share × distance from it), which add up to that offset: "
            + "; ".join(parts) + (f"; {len(order) - 3} more" if len(order) > 3 else "") + ".",
        ]
    return why
