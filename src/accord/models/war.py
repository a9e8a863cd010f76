"""Bargaining under fire (``war``): is there a settlement both sides prefer to fighting on now;
if not, when does one open, and on what terms?

The bargaining theory of war (Fearon 1995, "Rationalist explanations for war", IO 49: 379–414;
Slantchev 2003, "The principle of convergence in wartime negotiations", APSR 97: 621–632;
Smith & Stam 2004, "Bargaining and the nature of war", JCR 48: 783–813; Powell 2004, "Bargaining
and learning while fighting", AJPS 48: 344–361), as specified in shared/DESIGN.md, "Bargaining
under fire". On one issue with scale [lo, hi], side A wants hi and side B wants lo. Per draw and
period t = 0, 1, …, H − 1:

1. Beliefs (:func:`posterior_mean`): both sides see the same front changes Δ_k = X_k − X_{k−1}
   and update a normal prior N(m_s, τ_s²) on the drift δ with known volatility σ:
   P_s(t) = 1/τ_s² + t/σ²,  m_s(t) = (m_s/τ_s² + Σ_{k≤t} Δ_k/σ²) / P_s(t).
2. Reservation values (:func:`bargaining_range`), R = H − t periods left:
   L_t = clip(X_t + m_A(t)·R − c_A·R),  U_t = clip(X_t + m_B(t)·R + c_B·R).
3. If L_t ≤ U_t: agreement at T = t on x = L_t + β (U_t − L_t) (:func:`nash_split`). Stop.
4. Otherwise X_{t+1} = clip(X_t + δ + σ ε_t, lo, hi); a side whose end is reached wins
   outright (outcome lo or hi, absorbing; :func:`victory_probabilities`).
5. No range before H: no agreement within the horizon; the outcome is X_H.

Without clipping the range condition is m_A(t) − m_B(t) ≤ c_A + c_B; with equal prior sd τ the
gap is (m_A − m_B)/(1 + tτ²/σ²), so T = max(0, ⌈(σ²/τ²)((m_A − m_B)/(c_A + c_B) − 1)⌉)
(:func:`closed_form_agreement_time`, the golden tests' hand calculation).

Vectorised over draws: :func:`simulate` has one Python loop, over periods. Random numbers:
the front's shocks ε (S, H) are an input of :func:`simulate`. A scenario's Monte Carlo draws
carry them (``arrays.conflict.noise``, drawn by :func:`accord.arrays.sample` beside the other
ranged numbers, so draw k is one possible world: its numbers and its battlefield luck, and S
draws equal S single runs exactly). Arrays without noise (the central values; the moves of
a sensitivity analysis) are run over ``paths`` front paths per draw from the model's ``rng``
(the same paths for every draw): the front's randomness alone; the draw's outcome is the
median over its paths, and the extras hold every path (draw-major).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from accord.arrays import ConflictArrays, ScenarioArrays
from accord.errors import ModelSpecError
from accord.models.base import (
    BaseModel,
    Cost,
    Explanation,
    Forecast,
    Interval,
    ModelOptions,
    explains,
    on_scale,
    register,
    signed,
)

# --------------------------------------------------------------------------- kernels


def posterior_mean(prior_mean: np.ndarray, prior_sd: np.ndarray, change_sum: np.ndarray,
                   periods: np.ndarray | float, volatility: np.ndarray) -> np.ndarray:
    """Normal–normal posterior mean of the drift after ``periods`` observed changes summing
    to ``change_sum``, each N(δ, σ²) (DESIGN.md step 1):
    m(t) = (m/τ² + ΣΔ/σ²) / (1/τ² + t/σ²). Broadcasts."""
    prior_prec = 1.0 / np.square(prior_sd)
    data_prec = 1.0 / np.square(volatility)
    return (prior_mean * prior_prec + change_sum * data_prec) / (prior_prec + periods * data_prec)


def posterior_sd(prior_sd: np.ndarray, periods: np.ndarray | float, volatility: np.ndarray
                 ) -> np.ndarray:
    """Posterior sd of the drift, 1/sqrt(1/τ² + t/σ²) (data-free with known σ)."""
    return 1.0 / np.sqrt(1.0 / np.square(prior_sd) + periods / np.square(volatility))


def bargaining_range(front: np.ndarray, mean_a: np.ndarray, mean_b: np.ndarray,
                     cost_a: np.ndarray, cost_b: np.ndarray, remaining: np.ndarray | float,
                     lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    """(L, U): the least A accepts, L = clip(X + m_A·R − c_A·R), and the most B accepts,
    U = clip(X + m_B·R + c_B·R), with R periods left (DESIGN.md step 2). A range exists
    where L ≤ U; with common beliefs and no clipping its width is (c_A + c_B)·R (Fearon)."""
    low = np.clip(front + (mean_a - cost_a) * remaining, lower, upper)
    high = np.clip(front + (mean_b + cost_b) * remaining, lower, upper)
    return low, high


def nash_split(low: np.ndarray, high: np.ndarray, power: np.ndarray) -> np.ndarray:
    """Terms x = L + β (U − L): the asymmetric Nash bargaining solution with linear
    utilities over the range [L, U], β = A's bargaining power (DESIGN.md step 3)."""
    return low + power * (high - low)


def closed_form_agreement_time(gap: np.ndarray, joint_cost: np.ndarray, sd_ratio: np.ndarray
                               ) -> np.ndarray:
    """T = max(0, ⌈(σ/τ)² ((m_A − m_B)/(c_A + c_B) − 1)⌉): the first period with a range when
    both priors have sd τ and nothing is clipped (DESIGN.md, after step 5). ``gap`` = m_A − m_B,
    ``joint_cost`` = c_A + c_B > 0, ``sd_ratio`` = σ/τ."""
    gap, joint_cost, sd_ratio = np.broadcast_arrays(*map(np.asarray, (gap, joint_cost,
                                                                      sd_ratio)))
    return np.maximum(0.0, np.ceil(np.square(sd_ratio) * (gap / joint_cost - 1.0)))


def victory_probabilities(winner: np.ndarray) -> tuple[float, float]:
    """(P(A wins outright), P(B wins outright)) over draws; ``winner`` is +1 where A reached
    its end of the scale, −1 where B did, 0 otherwise."""
    winner = np.asarray(winner)
    return float(np.mean(winner > 0)), float(np.mean(winner < 0))


# --------------------------------------------------------------------------- simulation


@dataclass(frozen=True)
class WarPaths:
    """What one simulation gives, per draw (axis 0, S) and period (axis 1).

    agreement_period: (S,) the period T of agreement, NaN where none within the horizon.
    terms: (S,) x at agreement, NaN where none. winner: (S,) +1 A won outright, −1 B, 0 none.
    outcome: (S,) terms, or lo/hi after a victory, or the front X_H at the horizon.
    front: (S, H+1) X_0..X_H (frozen after agreement or victory).
    belief_a, belief_b, lower, upper: (S, H) m_A(t), m_B(t), L_t, U_t while the draw is still
      fighting at the start of period t (NaN after it stopped).
    """

    agreement_period: np.ndarray
    terms: np.ndarray
    winner: np.ndarray
    outcome: np.ndarray
    front: np.ndarray
    belief_a: np.ndarray
    belief_b: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def range_now(self) -> np.ndarray:
        """(S,) True where a bargaining range exists at t = 0."""
        return self.agreement_period == 0


def simulate(*, front: np.ndarray, drift: np.ndarray, volatility: np.ndarray,
             belief_a: np.ndarray, sd_a: np.ndarray, belief_b: np.ndarray, sd_b: np.ndarray,
             cost_a: np.ndarray, cost_b: np.ndarray, power: np.ndarray, noise: np.ndarray,
             lower: float, upper: float) -> WarPaths:
    """Run the model for S draws at once; every number is (S,) (or broadcastable), ``noise``
    is ε of shape (S, H) and fixes the horizon H. One loop over periods (DESIGN.md steps 1–5).
    """
    noise = np.asarray(noise, dtype=float)
    S, H = noise.shape
    def col(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), (S,)).copy()
    x, drift, vol = col(front), col(drift), col(volatility)
    m_a, t_a, m_b, t_b = col(belief_a), col(sd_a), col(belief_b), col(sd_b)
    c_a, c_b, beta = col(cost_a), col(cost_b), col(power)

    fronts = np.empty((S, H + 1))
    fronts[:, 0] = x
    rec = {k: np.full((S, H), np.nan) for k in ("belief_a", "belief_b", "lower", "upper")}
    period = np.full(S, np.nan)
    terms = np.full(S, np.nan)
    winner = np.zeros(S, dtype=np.int8)
    active = np.ones(S, dtype=bool)
    change_sum = np.zeros(S)
    for t in range(H):
        if not active.any():
            fronts[:, t + 1:] = x[:, None]
            break
        mean_a = posterior_mean(m_a, t_a, change_sum, t, vol)
        mean_b = posterior_mean(m_b, t_b, change_sum, t, vol)
        low, high = bargaining_range(x, mean_a, mean_b, c_a, c_b, H - t, lower, upper)
        for key, value in (("belief_a", mean_a), ("belief_b", mean_b), ("lower", low),
                           ("upper", high)):
            rec[key][:, t] = np.where(active, value, np.nan)
        agree = active & (low <= high)
        period[agree] = t
        terms[agree] = nash_split(low[agree], high[agree], beta[agree])
        active &= ~agree
        step = drift + vol * noise[:, t]
        moved = x + step
        winner[active & (moved >= upper)] = 1
        winner[active & (moved <= lower)] = -1
        x = np.where(active, np.clip(moved, lower, upper), x)
        change_sum += np.where(active, step, 0.0)
        active &= winner == 0
        fronts[:, t + 1] = x
    outcome = np.where(np.isnan(terms), x, terms)
    return WarPaths(period, terms, winner, outcome, fronts, **rec)


# --------------------------------------------------------------------------- the model


PATH_BUDGET = 400_000  # front paths in one call when draws without noise each get their own


@dataclass(frozen=True)
class WarOptions(ModelOptions):
    """Options of the war model."""

    # front paths simulated for the central values (one draw without noise): the front's
    # randomness alone; 2000 gives P(agreement by t) to about ±1 point (one Monte Carlo sd)
    paths: Annotated[int, Interval(ge=1, le=1_000_000)] = 2000


class NoConflictError(ModelSpecError):
    """The war model was asked for on a scenario without a ``conflict:`` section."""


def power_of(conflict: ConflictArrays, arrays: ScenarioArrays) -> np.ndarray:
    """β per draw: the given power, or A's share of the two sides' capability on the issue
    (DESIGN.md, inputs); 0.5 where neither side has any."""
    cap = arrays.capability[:, :, conflict.issue]
    a = cap[:, list(conflict.side_a)].sum(axis=1)
    b = cap[:, list(conflict.side_b)].sum(axis=1)
    total = a + b
    share = np.where(total > 0, a / np.where(total > 0, total, 1.0), 0.5)
    given = np.broadcast_to(conflict.power, share.shape)
    return np.where(np.isnan(given), share, given)


@register
class WarModel(BaseModel):
    """Bargaining under fire: when does a bargaining range open, on what terms (one issue)."""

    name = "war"
    Options = WarOptions
    # per draw, counted per issue as the budget does (one issue is simulated, so this
    # over-counts by the number of issues); benchmarks/bench_cost.py
    cost = Cost(ns=3000.0, actor_power=0, fixed_ms=9.0)
    requires_conflict = True  # left out of "all models" for a scenario without one

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        conflict = arrays.conflict
        if conflict is None:
            raise NoConflictError(
                "the war model needs a `conflict:` section in the scenario (the issue the "
                "fighting decides, the sides, the front, beliefs and costs); this scenario "
                "has none. See `accord new` for a template.")
        k = conflict.issue
        lo, hi = float(arrays.lower[k]), float(arrays.upper[k])
        power = power_of(conflict, arrays)
        S = arrays.draws
        if conflict.noise is not None:  # Monte Carlo draws: each draw its own front
            noise = conflict.noise
            take = np.arange(S)
            per_draw = 1
        else:  # no noise (the central values, or sensitivity moves): `paths` front paths
            # per draw, the same paths for every draw (common random numbers)
            per_draw = self.options.paths if S == 1 else max(
                16, min(self.options.paths, PATH_BUDGET // S))
            shocks = rng.standard_normal((per_draw, conflict.horizon))
            noise = np.tile(shocks, (S, 1))
            take = np.repeat(np.arange(S), per_draw)
        p = simulate(front=conflict.front[take], drift=conflict.drift[take],
                     volatility=conflict.volatility[take], belief_a=conflict.belief_a[take],
                     sd_a=conflict.sd_a[take], belief_b=conflict.belief_b[take],
                     sd_b=conflict.sd_b[take], cost_a=conflict.cost_a[take],
                     cost_b=conflict.cost_b[take], power=power[take], noise=noise,
                     lower=lo, upper=hi)
        outcome = np.full((S, arrays.n_issues), np.nan)
        outcome[:, k] = np.median(p.outcome.reshape(S, per_draw), axis=1)
        extras: dict[str, np.ndarray] = {
            "agreement_period": p.agreement_period, "terms": p.terms,
            "winner": p.winner, "outcome": p.outcome, "front": p.front,
            "belief_a": p.belief_a, "belief_b": p.belief_b, "lower": p.lower,
            "upper": p.upper, "power": power[take],
            "cost_a": conflict.cost_a[take], "cost_b": conflict.cost_b[take],
            "central": np.array(conflict.noise is None),
        }
        notes = [f"one issue ({arrays.issue_ids[k]}); the other issues are not forecast"]
        if conflict.noise is None:
            notes.append(f"without draws: the median outcome over {per_draw} simulated "
                         "front paths at the central values")
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        outcome, extras=extras, notes=notes)


def paths_of(forecast: Forecast) -> WarPaths:
    """The war model's per-draw (or per-path) arrays back from a :class:`Forecast`."""
    e = forecast.extras
    return WarPaths(e["agreement_period"], e["terms"], e["winner"], e["outcome"], e["front"],
                    e["belief_a"], e["belief_b"], e["lower"], e["upper"])



@explains("war")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The optimism gap against the joint cost, and when it closes (shared/DESIGN.md,
    "Explanations and advice"): without clipping a range exists when m_A(t) − m_B(t) ≤
    c_A + c_B; the gap shrinks as both sides learn from the front, and the central run's
    paths say when it has closed."""
    why = Explanation("war")
    c = arrays.conflict
    if c is None:
        why.general.append("No conflict: section: the war model has nothing to explain.")
        return why
    k = c.issue
    iid = arrays.issue_ids[k]
    span = float(arrays.scale_range[k])
    names = arrays.actor_ids
    a = ", ".join(names[i] for i in c.side_a)
    b = ", ".join(names[i] for i in c.side_b)
    gap = float(c.belief_a[0] - c.belief_b[0])
    joint = float(c.cost_a[0] + c.cost_b[0])
    period = c.period
    T = np.asarray(forecast.extras.get("agreement_period", np.array([np.nan])), dtype=float)
    agreed = np.isfinite(T)
    median = float(np.median(np.where(agreed, T, np.inf))) if T.size else np.inf
    power = float(np.asarray(forecast.extras.get("power", [np.nan]))[0])
    why.facts[iid] = {"optimism_gap": gap, "joint_cost": joint,
                      "sd_a": float(c.sd_a[0]), "sd_b": float(c.sd_b[0]),
                      "volatility": float(c.volatility[0]), "power": power,
                      "p_range_now": float(np.mean(T == 0)) if T.size else 0.0,
                      "median_period": None if not np.isfinite(median) else median}
    lines = [f"{a} expects the front to move {signed(float(c.belief_a[0]), span)} a {period}, "
             f"{b} {signed(float(c.belief_b[0]), span)}: an optimism gap of "
             f"{on_scale(gap, span)} against a joint cost of fighting of "
             f"{on_scale(joint, span)} a {period}."]
    if gap <= joint:
        lines.append("The gap is within the joint cost, so a settlement both prefer to "
                     "fighting on exists now (unless the scale's ends cut the range).")
    else:
        lines.append("The gap exceeds the joint cost, so each side expects more from fighting "
                     "on than any settlement the other would accept: no deal now.")
        tau_a, tau_b, sigma = float(c.sd_a[0]), float(c.sd_b[0]), float(c.volatility[0])
        if np.isclose(tau_a, tau_b):
            t = int(closed_form_agreement_time(gap, joint, sigma / tau_a))
            lines.append(f"Both learn from the front (prior sd {on_scale(tau_a, span)}, "
                         f"volatility {on_scale(sigma, span)}), so the gap shrinks as "
                         f"1/(1 + t·τ²/σ²) and falls to the joint cost after {t} {period}s.")
        else:
            more = a if tau_a < tau_b else b
            lines.append(f"Both learn from the front (prior sds {on_scale(tau_a, span)} and "
                         f"{on_scale(tau_b, span)}, volatility {on_scale(sigma, span)}); "
                         f"{more}, the more confident, moves less, so the gap closes as fast "
                         "as the front refutes it.")
    if np.isfinite(median):
        lines.append(f"Over the simulated fronts half the paths have a range by {period} "
                     f"{int(median)}; the terms then split it, {a} taking a share "
                     f"{power:.2f} (β).")
    else:
        lines.append("Over the simulated fronts fewer than half reach a range within the "
                     "horizon.")
    why.sentences[iid] = lines
    return why
