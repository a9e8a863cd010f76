"""Weighted median: the held position minimising Σ_i c_i s_i |x_i − x|.

Black's median voter with capability×salience weights; the position that beats every other
in weighted pairwise majority votes (Black 1948; Bueno de Mesquita 1994's "median voter"
forecast). Ties go to the lower position (shared/DESIGN.md, "Weighted median").
"""

from __future__ import annotations

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import BaseModel, Cost, Forecast, register

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
    cost = Cost(ns=2.0)  # per draw × actor³ × issue (web budget, measured)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = weighted_median(arrays.position, arrays.weight, arrays.mask)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome)
