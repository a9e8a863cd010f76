"""Asymmetric Nash bargaining solution, one issue at a time.

Utilities u_i(x) = −s_i (|x − x_i| / Δ)²; disagreement point q = the issue's status quo, or
where none is given each actor's utility at the scale endpoint farthest from it. The outcome
maximises the generalised Nash product Σ_i c_i log(u_i(x) − u_i(q)) over the x every actor
weakly prefers to q; if only q itself qualifies, the status quo stands (Nash 1950;
Kalai 1977 for the asymmetric weights; shared/DESIGN.md, "Nash bargaining solution").

Solution method. With r_i = |q − x_i| (or the distance to the farthest endpoint),
u_i(x) − u_i(q) = s_i (r_i² − (x − x_i)²) / Δ², so the feasible set is the interval
∩_i [x_i − r_i, x_i + r_i] ∩ [lo, hi] and the objective is strictly concave on it. Where
the derivative points outward at an edge of the interval, that edge is the maximum;
otherwise we start from the c-weighted mean and refine with safeguarded Newton steps on
the derivative (bisection whenever Newton leaves the bracket).
This finds the same maximiser as the grid + golden-section search the design names, to
1e-12 of the scale, but needs no logarithms and a handful of vectorised passes.
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
from accord.models.compromise import weighted_mean

_MAX_STEPS = 60
_TOLERANCE = 1e-13


def _slope(x: np.ndarray, pos: np.ndarray, r2: np.ndarray, c: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """First and second derivative of Σ_i c_i log(r_i² − (x − x_i)²) at x.

    x: (m,) one point per cell; pos, r2, c: (m, n) the cell's actors."""
    dx = x[:, None] - pos
    dx2 = dx * dx
    gap = np.maximum(r2 - dx2, 1e-100)
    cg = c / gap
    first = -2.0 * (cg * dx).sum(axis=1)
    second = -2.0 * (cg * (r2 + dx2) / gap).sum(axis=1)
    return first, second


def _maximise(pos: np.ndarray, r2: np.ndarray, c: np.ndarray, left: np.ndarray,
              right: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """argmax over [left, right] of the strictly concave Σ c log(r² − (x − pos)²), per cell.

    pos, r2, c: (m, n); left, right, tol: (m,). Cells that have converged drop out of the
    arrays, so late iterations cost only what the slow cells need."""
    g_left, _ = _slope(left, pos, r2, c)
    g_right, _ = _slope(right, pos, r2, c)
    # A maximum on an edge: the derivative already points outward there.
    x = np.where(g_left <= 0, left, right)
    idx = np.flatnonzero((g_left > 0) & (g_right < 0))
    a, b = left[idx], right[idx]
    total = c[idx].sum(axis=1)
    start = (c[idx] * pos[idx]).sum(axis=1) / np.where(total > 0, total, 1.0)
    xi = np.clip(start, a + 1e-3 * (b - a), b - 1e-3 * (b - a))
    for _ in range(_MAX_STEPS):
        if idx.size == 0:
            break
        g, h = _slope(xi, pos[idx], r2[idx], c[idx])
        a = np.where(g > 0, xi, a)
        b = np.where(g <= 0, xi, b)
        newton = xi - g / np.where(h < 0, h, -1.0)
        step = np.where((newton >= a) & (newton <= b), newton, 0.5 * (a + b))
        done = np.abs(step - xi) <= tol[idx]
        x[idx] = step
        keep = ~done
        idx, xi, a, b = idx[keep], step[keep], a[keep], b[keep]
    return x


def nash_solution(position: np.ndarray, salience: np.ndarray, capability: np.ndarray,
                  mask: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  status_quo: np.ndarray) -> np.ndarray:
    """The asymmetric Nash bargaining outcome per draw and issue.

    position, salience, capability: (S, n, d); mask (n, d); lower, upper (d,);
    status_quo (S, d) with NaN for none. Returns (S, d).
    """
    S, n, d = position.shape
    active = mask & (salience > 0)  # indifferent actors constrain nothing
    has_sq = ~np.isnan(status_quo)
    sq = np.where(has_sq, status_quo, 0.0)[:, None, :]
    farthest = np.maximum(position - lower, upper - position)
    reach = np.where(has_sq[:, None, :], np.abs(sq - position), farthest)
    left = np.maximum(np.where(active, position - reach, -np.inf).max(axis=1), lower)
    right = np.minimum(np.where(active, position + reach, np.inf).min(axis=1), upper)
    weight = np.where(active, capability, 0.0)
    span = np.broadcast_to(upper - lower, (S, d))
    degenerate = (right - left) <= 1e-12 * span
    no_weight = weight.sum(axis=1) <= 0

    def cells(a: np.ndarray) -> np.ndarray:  # (S, n, d) -> (S*d, n)
        return np.moveaxis(a, 1, 2).reshape(S * d, n)

    solve = ~(degenerate | no_weight)
    flat = np.flatnonzero(solve.ravel())
    x = np.zeros(S * d)
    x[flat] = _maximise(cells(position)[flat], cells(reach * reach)[flat],
                        cells(weight)[flat], left.ravel()[flat], right.ravel()[flat],
                        _TOLERANCE * span.ravel()[flat])
    x = x.reshape(S, d)
    plain_mean = weighted_mean(position, np.zeros_like(position), mask)
    fallback = np.where(has_sq, status_quo, plain_mean)
    return np.where(solve, x, fallback)


@register
class NashModel(BaseModel):
    """Asymmetric Nash bargaining solution, bargaining weights c, quadratic utilities."""

    name = "nash"
    cost = Cost(ns=290.0, actor_power=1, ns_lower=1100.0, fixed_ms=1.2)  # bench_cost.py

    issue_by_issue = True  # each issue is bargained on its own (BaseModel.issue_by_issue)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        outcome = nash_solution(arrays.position, arrays.salience, arrays.capability,
                                arrays.mask, arrays.lower, arrays.upper, arrays.status_quo)
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome)


# --------------------------------------------------------------------------- explanation


@explains("nash")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """What binds. Each actor i accepts only x within r_i of its position (r_i = its distance
    to the disagreement point), so the deals all prefer to no deal form the interval
    [max_i (x_i − r_i), min_i (x_i + r_i)]. If it is a point, the status quo stands and the
    actors that close it (one on each side) are named; if the outcome sits on an edge, the
    actor whose constraint that edge is gains nothing over no deal. Otherwise nothing binds
    and the least-satisfied actor is the one keeping the smallest share of its possible gain,
    g_i = 1 − (O − x_i)²/r_i²."""
    ids = arrays.actor_ids
    why = Explanation("nash")
    for k, iid in enumerate(arrays.issue_ids):
        span = float(arrays.scale_range[k])
        x = arrays.position[0, :, k]
        active = arrays.mask[:, k] & (arrays.salience[0, :, k] > 0)
        outcome = float(forecast.outcome[0, k])
        if not active.any():
            continue
        sq = float(arrays.status_quo[0, k])
        lo, hi = float(arrays.lower[k]), float(arrays.upper[k])
        has_sq = np.isfinite(sq)
        reach = np.abs(sq - x) if has_sq else np.maximum(x - lo, hi - x)
        left_edge = np.where(active, x - reach, -np.inf)
        right_edge = np.where(active, x + reach, np.inf)
        left, right = max(float(left_edge.max()), lo), min(float(right_edge.min()), hi)
        gain = np.where(reach > 0, 1.0 - (outcome - x) ** 2 / np.where(reach > 0, reach, 1.0)
                        ** 2, 0.0)
        tol = 1e-6 * span
        act = list(np.flatnonzero(active))
        least = min(act, key=lambda i: gain[i])
        facts: dict[str, object] = {
            "outcome": outcome, "disagreement": sq if has_sq else "each actor's worst end",
            "acceptable": [left, right],
            "gain_share": {ids[i]: float(gain[i]) for i in act},
            "least_satisfied": ids[least],
        }
        head = f"{iid} {on_scale(outcome, span)}, the Nash bargaining solution"
        if right - left <= tol and has_sq:
            below = [i for i in act if x[i] < sq - tol]
            above = [i for i in act if x[i] > sq + tol]
            facts["binds"] = "status quo"
            w = arrays.capability[0, :, k]
            facts["deciding"] = [ids[max(g, key=lambda i: w[i])] for g in (below, above) if g]

            def who(group: list[int], x: np.ndarray = x, span: float = span) -> str:
                if not group:
                    return "nobody wants"
                verb = "wants" if len(group) == 1 else "want"
                return names_list([f"{ids[i]} ({on_scale(x[i], span)})" for i in group]
                                  ) + f" {verb}"

            text = [f"{head}: the status quo ({on_scale(sq, span)}) stands. {who(below)} it "
                    f"lower, {who(above)} it higher, so every deal away from "
                    f"{on_scale(sq, span)} leaves one side worse off than no deal, and no deal "
                    "is what it gets."]
        elif outcome - left <= tol or right - outcome <= tol:
            edge = left_edge if outcome - left <= tol else right_edge
            binding = [i for i in act if abs(edge[i] - outcome) <= tol] or [least]
            facts["binds"] = "participation"
            facts["binding"] = facts["deciding"] = [ids[i] for i in binding]
            who = names_list([ids[i] for i in binding])
            text = [f"{head}: it sits on the edge of what every actor prefers to no deal; "
                    f"{who} would gain nothing from going further, so {who} "
                    f"{'binds' if len(binding) == 1 else 'bind'} it. Acceptable to all: "
                    f"{on_scale(left, span)}–{on_scale(right, span)}."]
        else:
            facts["binds"] = "nothing"
            facts["deciding"] = [ids[least]]
            text = [f"{head}: inside the range every actor prefers to no deal "
                    f"({on_scale(left, span)}–{on_scale(right, span)}), where the "
                    "capability-weighted gains over no deal balance. The least satisfied is "
                    f"{ids[least]} (at {on_scale(x[least], span)}), keeping {gain[least]:.0%} "
                    "of what it could gain."]
        why.facts[iid] = facts
        why.sentences[iid] = text
    return why
