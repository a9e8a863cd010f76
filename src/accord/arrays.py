"""Scenario -> arrays, and Monte Carlo draws of every ranged number.

Axis order everywhere: (draw S, actor n, issue d). Saliences are divided by 100 so they lie
in [0, 1] (shared/DESIGN.md, "Notation"); positions stay on each issue's own scale and
capabilities keep the file's units (every model here is invariant to scaling them).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from statistics import NormalDist

import numpy as np

from accord.scenario import Quantity, Scenario
from accord.scenario.conflict import by_side, start_of

_DIST_CODES = {"triangular": 0, "uniform": 1, "normal": 2}


@dataclass(frozen=True)
class ConflictArrays:
    """The numbers of a scenario's ``conflict:`` section (shared/DESIGN.md, "Bargaining under
    fire"), each per draw: shape (S,).

    issue: index of the issue the fighting decides; side_a (wants the top of the scale),
    side_b, mediators: actor indices. horizon H periods of ``period`` from ``start``.
    front X_0, drift δ, volatility σ: the front and the analyst's estimate of its process.
    belief_a/sd_a, belief_b/sd_b: each side's prior N(m, τ²) on the drift. cost_a, cost_b:
    what one more period of fighting costs each side, in points of the issue. power: A's
    bargaining power β, NaN where not given (the model then uses the capability share).
    noise: ε (S, H), the front's standard normal shocks of each draw; None for the central
    values (the model then simulates its own paths).
    """

    issue: int
    side_a: tuple[int, ...]
    side_b: tuple[int, ...]
    mediators: tuple[int, ...]
    start: date
    period: str
    horizon: int
    front: np.ndarray
    drift: np.ndarray
    volatility: np.ndarray
    belief_a: np.ndarray
    sd_a: np.ndarray
    belief_b: np.ndarray
    sd_b: np.ndarray
    cost_a: np.ndarray
    cost_b: np.ndarray
    power: np.ndarray
    noise: np.ndarray | None = None

    NUMBERS = ("front", "drift", "volatility", "belief_a", "sd_a", "belief_b", "sd_b",
               "cost_a", "cost_b", "power")

    def take_draws(self, index: slice | np.ndarray) -> ConflictArrays:
        changes = {f.name: getattr(self, f.name)[index] for f in fields(self)
                   if f.name in self.NUMBERS}
        if self.noise is not None:
            changes["noise"] = self.noise[index]
        return replace(self, **changes)

    def take_actors(self, index: np.ndarray) -> ConflictArrays:
        new: dict[int, int] = {}
        for k, old in enumerate(index):  # a repeated actor keeps its first place
            new.setdefault(int(old), k)
        def remap(group: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(sorted(new[i] for i in group if i in new))
        return replace(self, side_a=remap(self.side_a), side_b=remap(self.side_b),
                       mediators=remap(self.mediators))


@dataclass(frozen=True)
class DecisionRule:
    """A scenario's decision rule as numbers (shared/DESIGN.md, "Decision rules").

    share: τ, the share of the voting weight a coalition needs (≥ τ, or > τ when
    ``strict``); weight: (n,) votes per actor, None = capability; veto: (n,) bool.
    """

    kind: str
    share: float
    strict: bool
    weight: np.ndarray | None
    veto: np.ndarray

    def take(self, idx: np.ndarray) -> DecisionRule:
        return replace(self, weight=None if self.weight is None else self.weight[idx],
                       veto=self.veto[idx])


def decision_rule(scenario: Scenario) -> DecisionRule | None:
    """The scenario's ``rule:`` as numbers, in actor order; None without one."""
    rule = scenario.rule
    if rule is None:
        return None
    ids = scenario.actor_ids
    weight = None
    if rule.weights is not None:
        weight = np.array([float(rule.weights.get(a, 0.0)) for a in ids])
    veto = np.array([a in rule.veto for a in ids], dtype=bool)
    return DecisionRule(rule.kind, rule.share, rule.strict, weight, veto)


@dataclass(frozen=True)
class ScenarioArrays:
    """The numbers of a scenario as arrays, with a leading draw axis.

    position, salience, capability: (S, n, d). salience on [0, 1].
    mask: (n, d), True where the actor takes part in the issue. Cells outside the mask hold
    salience 0 and capability 0 (so weighted sums ignore them) and the issue's lower bound
    as position; models must still consult the mask.
    lower, upper: (d,) the issues' scale bounds. status_quo: (S, d), NaN where none is given.
    conflict: the ``conflict:`` section's numbers, None where the scenario has none.
    rule: the decision rule, None when the scenario names none.
    """

    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    mask: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    status_quo: np.ndarray
    conflict: ConflictArrays | None = None
    rule: DecisionRule | None = None

    @property
    def draws(self) -> int:
        return self.position.shape[0]

    @property
    def n_actors(self) -> int:
        return self.position.shape[1]

    @property
    def n_issues(self) -> int:
        return self.position.shape[2]

    @property
    def scale_range(self) -> np.ndarray:
        """Δ = upper − lower per issue, shape (d,)."""
        return self.upper - self.lower

    @property
    def weight(self) -> np.ndarray:
        """c·s, shape (S, n, d), zero outside the mask."""
        return self.capability * self.salience * self.mask

    def take_draws(self, index: slice | np.ndarray | int) -> ScenarioArrays:
        """A subset of draws (an int keeps a draw axis of length 1)."""
        if isinstance(index, int | np.integer):
            index = slice(int(index), int(index) + 1)
        return replace(
            self,
            position=self.position[index],
            salience=self.salience[index],
            capability=self.capability[index],
            status_quo=self.status_quo[index],
            conflict=None if self.conflict is None else self.conflict.take_draws(index),
        )

    def take_actors(self, index: np.ndarray | list[int]) -> ScenarioArrays:
        idx = np.asarray(index)
        return replace(
            self,
            actor_ids=tuple(self.actor_ids[i] for i in idx),
            position=self.position[:, idx],
            salience=self.salience[:, idx],
            capability=self.capability[:, idx],
            mask=self.mask[idx],
            conflict=None if self.conflict is None else self.conflict.take_actors(idx),
            rule=None if self.rule is None else self.rule.take(idx),
        )

    def take_issues(self, index: np.ndarray | list[int]) -> ScenarioArrays:
        idx = np.asarray(index)
        conflict = self.conflict
        if conflict is not None:  # kept only with its issue, which gets its new index
            kept = np.flatnonzero(idx == conflict.issue)
            conflict = replace(conflict, issue=int(kept[0])) if kept.size else None
        return replace(
            self,
            issue_ids=tuple(self.issue_ids[i] for i in idx),
            position=self.position[:, :, idx],
            salience=self.salience[:, :, idx],
            capability=self.capability[:, :, idx],
            mask=self.mask[:, idx],
            lower=self.lower[idx],
            upper=self.upper[idx],
            status_quo=self.status_quo[:, idx],
            conflict=conflict,
        )


@dataclass(frozen=True)
class _Slots:
    """Every number of a scenario flattened, with where it goes in the arrays."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    dist: np.ndarray
    # destination: kind 0 position, 1 salience, 2 capability, 3 status quo; actor; issue list
    kind: np.ndarray
    actor: np.ndarray
    issue: np.ndarray


def _collect(scenario: Scenario) -> _Slots:
    rows: list[tuple[Quantity, int, int, int]] = []
    issue_index = {iid: k for k, iid in enumerate(scenario.issue_ids)}
    for a, actor in enumerate(scenario.actors):
        for iid, q in actor.position.items():
            rows.append((q, 0, a, issue_index[iid]))
        for iid, q in actor.salience.items():
            rows.append((q, 1, a, issue_index[iid]))
        if isinstance(actor.capability, dict):
            for iid, q in actor.capability.items():
                rows.append((q, 2, a, issue_index[iid]))
        else:
            rows.append((actor.capability, 2, a, -1))  # -1: every issue, one draw
    for k, issue in enumerate(scenario.issues):
        if issue.status_quo is not None:
            rows.append((issue.status_quo, 3, -1, k))
    return _slots(rows)


def _slots(rows: list[tuple[Quantity, int, int, int]]) -> _Slots:
    value = np.array([q.value for q, *_ in rows], dtype=float)
    bounds = np.array([q.bounds for q, *_ in rows], dtype=float).reshape(-1, 2)
    return _Slots(
        value=value,
        low=bounds[:, 0],
        high=bounds[:, 1],
        dist=np.array([_DIST_CODES[q.dist] for q, *_ in rows], dtype=int),
        kind=np.array([r[1] for r in rows], dtype=int),
        actor=np.array([r[2] for r in rows], dtype=int),
        issue=np.array([r[3] for r in rows], dtype=int),
    )


_NORMAL_RETRIES = 20
_STD_NORMAL = NormalDist()


def _truncated_normal_icdf(u: np.ndarray, mu: np.ndarray, sd: np.ndarray, lo: np.ndarray,
                           hi: np.ndarray) -> np.ndarray:
    """Draws of N(mu, sd) truncated to [lo, hi] by the inverse CDF: Phi^-1(Phi(a) + u (Phi(b) -
    Phi(a))) with a, b the standardised bounds; for the few draws resampling left (so the
    per-element loop is over a handful). Clipped to [lo, hi] against rounding."""
    a = (lo - mu) / sd
    b = (hi - mu) / sd
    cdf = np.vectorize(_STD_NORMAL.cdf, otypes=[float])
    p = cdf(a) + u * (cdf(b) - cdf(a))
    p = np.clip(p, 1e-300, 1 - 1e-16)
    z = np.vectorize(_STD_NORMAL.inv_cdf, otypes=[float])(p)
    return np.clip(mu + sd * z, lo, hi)


def _draw_values(slots: _Slots, draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, m) values: triangular on low–value–high by default, uniform, or a normal
    with sd = half the wider side of the range, truncated to the range (by resampling)."""
    m = slots.value.size
    out = np.broadcast_to(slots.value, (draws, m)).copy()
    ranged = slots.high > slots.low
    u = rng.random((draws, m))  # one uniform per slot and draw, whatever the distribution
    lo, hi, mode = slots.low, slots.high, slots.value
    width = np.where(ranged, hi - lo, 1.0)
    # triangular by inverse CDF (vectorised, one uniform each)
    tri = slots.dist == 0
    fc = (mode - lo) / width
    left = u < fc
    tri_vals = np.where(
        left,
        lo + np.sqrt(u * width * (mode - lo)),
        hi - np.sqrt((1 - u) * width * (hi - mode)),
    )
    uni_vals = lo + u * width
    out = np.where(ranged & tri, tri_vals, out)
    out = np.where(ranged & (slots.dist == 1), uni_vals, out)
    normal = ranged & (slots.dist == 2)
    if normal.any():
        sd = np.maximum(mode - lo, hi - mode) / 2.0
        cols = np.flatnonzero(normal)
        z = mode[cols] + sd[cols] * rng.standard_normal((draws, cols.size))
        bad = (z < lo[cols]) | (z > hi[cols])
        for _ in range(_NORMAL_RETRIES):  # each retry keeps at least ~48 % of the misses
            if not bad.any():
                break
            fresh = mode[cols] + sd[cols] * rng.standard_normal((draws, cols.size))
            z = np.where(bad, fresh, z)
            bad = (z < lo[cols]) | (z > hi[cols])
        if bad.any():  # what is left (rare): the truncated normal's inverse CDF
            z[bad] = _truncated_normal_icdf(
                rng.random(int(bad.sum())), np.broadcast_to(mode[cols], z.shape)[bad],
                np.broadcast_to(sd[cols], z.shape)[bad], np.broadcast_to(lo[cols], z.shape)[bad],
                np.broadcast_to(hi[cols], z.shape)[bad])
        out[:, cols] = z
    return out


CONFLICT_STREAM = 0xC0F1  # spawn key of the conflict section's own random stream


def _conflict_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """The conflict section's stream: a child of the seed's SeedSequence under a fixed key,
    so adding or shocking a ``conflict:`` section leaves every other number's draws as they
    were, and a shock that changes other numbers keeps the battlefield's luck."""
    if isinstance(seed, np.random.Generator):
        ss = getattr(seed.bit_generator, "seed_seq", None)
        if not isinstance(ss, np.random.SeedSequence):
            return np.random.default_rng(seed.integers(2**63))
        return np.random.default_rng(np.random.SeedSequence(
            ss.entropy, spawn_key=(*ss.spawn_key, CONFLICT_STREAM), pool_size=ss.pool_size))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(CONFLICT_STREAM,)))


def _conflict_arrays(scenario: Scenario, draws: int, status_quo: np.ndarray,
                     seed: int | np.random.Generator | None) -> ConflictArrays | None:
    """The ``conflict:`` section's numbers per draw (triangular etc., like every number) and,
    with draws > 1, each draw's front shocks ε (draws, H); None without a section."""
    c = scenario.conflict
    if c is None:
        return None
    beliefs, costs = by_side(c, c.beliefs), by_side(c, c.costs)
    numbers: list[Quantity | None] = [
        c.front, c.truth.drift, c.truth.volatility,
        beliefs["a"][1].drift, beliefs["a"][1].sd, beliefs["b"][1].drift, beliefs["b"][1].sd,
        costs["a"][1], costs["b"][1], c.power]
    given = [q for q in numbers if q is not None]
    rows = [(q, 0, -1, -1) for q in given]
    slots = _slots(rows)
    rng = _conflict_rng(seed) if draws > 1 else None
    values = slots.value[None, :] if rng is None else _draw_values(slots, draws, rng)
    columns = iter(values.T)
    drawn = [next(columns) if q is not None else None for q in numbers]
    issue = scenario.issue_ids.index(c.issue)
    if drawn[0] is None:
        drawn[0] = status_quo[:, issue]
    if drawn[-1] is None:
        drawn[-1] = np.full(draws, np.nan)
    index = {aid: k for k, aid in enumerate(scenario.actor_ids)}
    return ConflictArrays(
        issue=issue, side_a=tuple(index[a] for a in c.sides.a),
        side_b=tuple(index[b] for b in c.sides.b),
        mediators=tuple(index[m] for m in c.mediators), start=start_of(scenario),
        period=c.period, horizon=c.horizon,
        **{name: np.broadcast_to(v, (draws,)).astype(float)
           for name, v in zip(ConflictArrays.NUMBERS, drawn, strict=True)},
        noise=None if rng is None else rng.standard_normal((draws, c.horizon)))


def sample(scenario: Scenario, draws: int = 1, seed: int | np.random.Generator | None = 0
           ) -> ScenarioArrays:
    """Arrays for ``draws`` Monte Carlo draws of the scenario's ranged numbers.

    ``draws = 1`` gives the central values (no randomness). The same seed gives the same
    draws on any machine (numpy's PCG64). A ``conflict:`` section's numbers and each draw's
    front shocks come from their own stream of the seed (:func:`_conflict_rng`).
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    slots = _collect(scenario)
    if draws == 1:
        values = slots.value[None, :]
    else:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        values = _draw_values(slots, draws, rng)
    n, d = len(scenario.actors), len(scenario.issues)
    lower = np.array([scenario.scale_of(i)[0] for i in scenario.issues], dtype=float)
    upper = np.array([scenario.scale_of(i)[1] for i in scenario.issues], dtype=float)
    position = np.broadcast_to(lower, (draws, n, d)).copy()
    salience = np.zeros((draws, n, d))
    capability = np.zeros((draws, n, d))
    status_quo = np.full((draws, d), np.nan)
    mask = np.zeros((n, d), dtype=bool)

    k, a, i = slots.kind, slots.actor, slots.issue
    sel = k == 0
    position[:, a[sel], i[sel]] = values[:, sel]
    mask[a[sel], i[sel]] = True
    sel = k == 1
    salience[:, a[sel], i[sel]] = values[:, sel] / 100.0
    sel = (k == 2) & (i >= 0)
    capability[:, a[sel], i[sel]] = values[:, sel]
    sel = np.flatnonzero((k == 2) & (i < 0))
    capability[:, a[sel], :] = values[:, sel][:, :, None]
    sel = k == 3
    status_quo[:, i[sel]] = values[:, sel]
    capability *= mask
    salience *= mask
    return ScenarioArrays(
        actor_ids=tuple(scenario.actor_ids),
        issue_ids=tuple(scenario.issue_ids),
        position=position,
        salience=salience,
        capability=capability,
        mask=mask,
        lower=lower,
        upper=upper,
        status_quo=status_quo,
        conflict=_conflict_arrays(scenario, draws, status_quo, seed),
        rule=decision_rule(scenario),
    )


def to_arrays(scenario: Scenario) -> ScenarioArrays:
    """The central values (S = 1)."""
    return sample(scenario, 1)
