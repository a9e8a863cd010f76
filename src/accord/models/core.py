"""Core model: the compromise outcome clipped into the core of the decision rule.

On one issue a point x is in the core when no winning coalition prefers to move it: the
actors strictly on one side of x do not win (weight short of the threshold τ, or a veto
player missing). With the voters sorted by position this is the interval between the
pivots, [a, b] with a the lowest voter position x_i whose right side W(x > x_i) does not
win and b the highest whose left side W(x < x_i) does not win; each veto player's position
bounds it on its side: [min(a, min veto), max(b, max veto)] (Krehbiel 1998, *Pivotal
Politics*, ch. 2; Tsebelis 2002, *Veto Players*, ch. 1; shared/DESIGN.md, "Decision
rules"). Majority: W > 1/2 wins; unanimity: only the whole set wins, so the core is the
range of the voters' positions. Without a ``rule:`` (or on an issue without voters) the
model is the compromise model.

Dev file (DEU, 243 issues, Council QMV/unanimity from ``counvte``; docs/validation.md):
clipping changes 31 % of the compromise forecasts and lowers the MAE from 22.9 to 22.1
(paired difference −0.8, proposal-bootstrap 95 % interval [−2.3, +0.6]); under grouped
10-fold CV of the calibrated distributions its CRPS is 16.20 against the compromise model's
16.07 (difference +0.13 [−0.71, +0.95]). Worth having, not proven better.
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
)
from accord.models.compromise import weighted_mean

_TOL = 1e-9


def core_bounds(position: np.ndarray, weight: np.ndarray, voters: np.ndarray,
                veto: np.ndarray, share: float, strict: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """The core [lower, upper] per draw and issue, shapes (S, d).

    position, weight: (S, n, d); voters: (n, d) bool, who votes on each issue (takes part
    and has weight); veto: (n, d) bool, the veto players taking part in each issue; share τ
    and strict (> τ instead of ≥ τ) as in :class:`~accord.arrays.DecisionRule`. Where
    nobody votes and nobody has a veto the core is (−inf, +inf).
    """
    w = np.where(voters, weight, 0.0)
    total = w.sum(axis=1, keepdims=True)  # (S, 1, d)
    w = w / np.where(total > 0, total, 1.0)
    # W(x_j > x_i) and W(x_j < x_i) for every voter i: pairwise over actors, (S, n, d)
    above = position[:, None, :, :] > position[:, :, None, :]  # [s, i, j, k]: x_j > x_i
    below = position[:, None, :, :] < position[:, :, None, :]
    w_above = np.einsum("sijk,sjk->sik", above, w)
    w_below = np.einsum("sijk,sjk->sik", below, w)
    if strict:
        wins_above, wins_below = w_above > share + _TOL, w_below > share + _TOL
    else:
        wins_above, wins_below = w_above >= share - _TOL, w_below >= share - _TOL
    counted = np.broadcast_to(voters & (total[0] > 0), position.shape)
    lo = np.where(counted & ~wins_above, position, np.inf).min(axis=1)
    hi = np.where(counted & ~wins_below, position, -np.inf).max(axis=1)
    lo = np.minimum(lo, np.where(veto, position, np.inf).min(axis=1))
    hi = np.maximum(hi, np.where(veto, position, -np.inf).max(axis=1))
    return np.where(np.isfinite(lo), lo, -np.inf), np.where(np.isfinite(hi), hi, np.inf)


@register
class CoreModel(BaseModel):
    """Compromise (c·s-weighted mean) clipped into the core of the scenario's rule."""

    name = "core"
    cost = Cost(ns=230.0, actor_power=1, fixed_ms=0.8)  # bench_cost.py

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = weighted_mean(arrays.position, arrays.weight, arrays.mask)
        rule = arrays.rule
        notes: list[str] = []
        if rule is None:
            notes.append("no decision rule in the scenario: the core model is the compromise "
                         "model")
            return Forecast(self.name, self.options_dict(), arrays.actor_ids,
                            arrays.issue_ids, outcome, notes=notes)
        if rule.weight is None:
            weight = arrays.capability
        else:
            weight = np.broadcast_to(rule.weight[None, :, None], arrays.position.shape)
        voters = arrays.mask & (weight > 0).any(axis=0)
        veto = rule.veto[:, None] & arrays.mask
        lo, hi = core_bounds(arrays.position, weight, voters, veto, rule.share, rule.strict)
        clipped = np.clip(outcome, lo, hi)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        clipped, extras={"core_low": lo, "core_high": hi}, notes=notes)


@explains("core")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The compromise outcome, the core of the rule (its pivots and veto players) and
    whether clipping moved it."""
    why = Explanation("core")
    rule = arrays.rule
    compromise = weighted_mean(arrays.position[:1], arrays.weight[:1], arrays.mask)[0]
    if rule is None:
        why.general.append("No decision rule in the scenario: the core model is the "
                           "compromise model.")
    kind = {"weighted-majority": f"a weighted majority of {rule.share:.0%}" if rule else "",
            "majority": "a majority of the weights", "unanimity": "unanimity"}
    low = forecast.extras.get("core_low")
    high = forecast.extras.get("core_high")
    for k, iid in enumerate(arrays.issue_ids):
        span = float(arrays.scale_range[k])
        out, comp = float(forecast.outcome[0, k]), float(compromise[k])
        if rule is None or low is None or high is None:
            why.sentences[iid] = [f"{iid} {on_scale(out, span)}, the compromise outcome."]
            continue
        lo, hi = float(low[0, k]), float(high[0, k])
        vetoes = [a for a, v, m in zip(arrays.actor_ids, rule.veto, arrays.mask[:, k],
                                       strict=True) if v and m]
        why.facts[iid] = {"compromise": comp, "core": [lo, hi], "clipped": out != comp,
                          "rule": rule.kind, "share": rule.share, "veto": vetoes}
        core = (f"the core of {kind[rule.kind]}"
                + (f" with vetoes of {', '.join(vetoes)}" if vetoes else "")
                + (f" is {on_scale(lo, span)}–{on_scale(hi, span)}" if np.isfinite(lo)
                   and np.isfinite(hi) else " is the whole scale (nobody votes)"))
        if out != comp:
            why.sentences[iid] = [f"{iid} {on_scale(out, span)}: the compromise outcome "
                                  f"{on_scale(comp, span)} lies outside {core}, so a winning "
                                  "coalition would move it to the core's edge."]
        else:
            why.sentences[iid] = [f"{iid} {on_scale(out, span)}: the compromise outcome lies "
                                  f"inside {core}; no winning coalition can move it."]
    return why
