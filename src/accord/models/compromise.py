"""Compromise model: the capability×salience-weighted mean of positions.

O_p = Σ_i c_ip s_ip x_ip / Σ_i c_ip s_ip  (van den Bos 1991; Achen 2006, "Evaluating
political decision-making models", in Thomson et al., *The European Union Decides*). The
baseline every other model is compared against (shared/DESIGN.md, "Compromise model").
"""

from __future__ import annotations

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import BaseModel, Cost, Forecast, register


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
    cost = Cost(ns=2.0)  # per draw × actor³ × issue (web budget, measured)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = weighted_mean(arrays.position, arrays.weight, arrays.mask)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome)
