"""Advice for one actor: which of its moves bring the forecast toward what it wants, by how
much, under which models, and how robustly across the draws (shared/DESIGN.md, "Explanations
and advice").

Candidate moves (:func:`candidate_moves`), each also written as the shock edits that apply it
(:mod:`accord.shocks`), so any move can be run as a what-if with ``--shock``:

- its own position on an issue, by 5, 10 or 20 % of the scale toward the expected outcome
  (the compromise forecast of the central values) or away from it;
- its salience on an issue, up or down by 10 or 25 points;
- persuading another actor to move 5, 10 or 20 % of the scale toward it on an issue;
- bringing in an ally at its positions and saliences, with a tenth or a quarter of the
  others' combined capability.

Evaluation is one batch per model (:func:`advise`): the scenario's S Monte Carlo draws are
repeated once per move and each copy edited, so every move of every draw runs in one
vectorised model pass (moves that add an actor form a second batch, as they have one actor
more). A model that forecasts each issue on its own (``issue_by_issue``: compromise, median,
nash, bdm) gets a packed batch instead (:func:`packed_moves`): the moves on different issues
share copies, a third as many on three issues, with the same numbers.
A move's effect per draw and issue is how much closer the forecast comes to the
actor's own position, |f₀ − x| − |f − x| (points of the issue's scale), and its gain in the
actor's utility u = −Σ_p s_p |f_p − x_p| / Δ_p (salience-weighted distance, reported ×100 so
one point on a fully salient 0–100 issue is 1). A move *helps* under a model when its mean
gain is positive and it gains in at least half the draws; it *hurts* when the reverse holds.
Moves are ranked by their mean gain over the models.

A draw of the edited scenario is the base draw with the central edit's difference added
(positions clipped to the scale, saliences to 0–100): the shock's own semantics (a shock moves
a number's range with it), exact for the central values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from accord.analysis.ensembles import ModelPlan, plan_models
from accord.analysis.explain import explanation_of
from accord.analysis.forecast import _seed_int
from accord.analysis.results import ModelResult
from accord.analysis.sweeps import Progress, Seed, fresh_seed, run_model
from accord.arrays import ScenarioArrays, sample
from accord.errors import AnalysisError
from accord.models.base import BaseModel, on_scale, parallel_map, signed
from accord.models.compromise import weighted_mean
from accord.scenario import Scenario

MoveKind = Literal["position", "salience", "persuade", "ally"]
POSITION_STEPS = (0.05, 0.10, 0.20)  # share of the issue's scale
SALIENCE_STEPS = (10.0, 25.0)  # points on 0–100
PERSUADE_STEPS = (0.05, 0.10, 0.20)  # share of the issue's scale
ALLY_SHARES = (0.10, 0.25)  # of the other actors' combined capability
_TOL = 1e-9  # a gain smaller than this (utility ×100) counts as no change


@dataclass(frozen=True)
class Move:
    """One candidate move of the advised actor. ``delta`` is the change of the central value
    (points of the issue's scale for position and persuade, 0–100 for salience, the ally's
    capability for ally); ``edits`` apply it as a shock."""

    kind: MoveKind
    text: str
    edits: tuple[str, ...]
    issue: str | None = None
    other: str | None = None
    delta: float = 0.0


@dataclass(frozen=True)
class Effect:
    """A move under one model: mean change of the forecast toward the actor per issue
    (points), mean utility gain (×100), and the shares of draws where it helps or hurts."""

    points: dict[str, float]
    utility: float
    helps: float
    hurts: float

    @property
    def verdict(self) -> Literal["helps", "hurts", "mixed", "none"]:
        if abs(self.utility) <= _TOL and self.helps == 0 and self.hurts == 0:
            return "none"
        if self.utility > _TOL and self.helps >= 0.5:
            return "helps"
        if self.utility < -_TOL and self.hurts >= 0.5:
            return "hurts"
        return "mixed"


@dataclass
class Ranked:
    """A move with its effect under each model (by label), its score (mean utility gain over
    the models) and why it works where it does."""

    move: Move
    effects: dict[str, Effect]
    score: float
    reasons: list[str] = field(default_factory=list)

    def models(self, verdict: str) -> list[str]:
        return [m for m, e in self.effects.items() if e.verdict == verdict]

    @property
    def summary(self) -> str:
        helps, hurts = self.models("helps"), self.models("hurts")
        text = f"helps under {', '.join(helps)}" if helps else "helps under no model"
        if hurts:
            text += f"; hurts under {', '.join(hurts)}"
        return text


@dataclass
class Advice:
    """The ranked moves for one actor."""

    scenario: Scenario
    actor: str
    issues: tuple[str, ...]
    labels: tuple[str, ...]
    draws: int
    seed: int
    ranked: list[Ranked]

    def to_json(self) -> dict[str, Any]:
        return {
            "actor": self.actor, "issues": list(self.issues), "models": list(self.labels),
            "draws": self.draws, "seed": self.seed,
            "utility": "gain in -Σ s_p |f_p − x_p| / Δ_p, ×100, mean over draws",
            "moves": [{
                "rank": k + 1, "kind": r.move.kind, "move": r.move.text,
                "edits": list(r.move.edits), "issue": r.move.issue, "other": r.move.other,
                "score": r.score, "helps_under": r.models("helps"),
                "hurts_under": r.models("hurts"), "reasons": r.reasons,
                "effects": {m: {"points": e.points, "utility": e.utility, "helps": e.helps,
                                "hurts": e.hurts, "verdict": e.verdict}
                            for m, e in r.effects.items()},
            } for k, r in enumerate(self.ranked)],
        }


# --------------------------------------------------------------------------- moves


def _fmt(x: float) -> str:
    return f"{x:g}"


def candidate_moves(scenario: Scenario, actor: str) -> list[Move]:
    """The candidate moves of ``actor`` (see the module docstring), on the issues it takes
    part in; moves that would change nothing (already at the scale's end, already at the
    actor's position) are left out."""
    if actor not in scenario.actor_ids:
        raise AnalysisError(f"no actor {actor!r}; the actors are: "
                            f"{', '.join(scenario.actor_ids)}")
    central = sample(scenario, 1)
    a = scenario.actor_ids.index(actor)
    outcome = weighted_mean(central.position, central.weight, central.mask)[0]
    moves: list[Move] = []
    for k, iid in enumerate(scenario.issue_ids):
        if not central.mask[a, k]:
            continue
        lo, hi = float(central.lower[k]), float(central.upper[k])
        span = hi - lo
        x = float(central.position[0, a, k])
        toward = 1.0 if outcome[k] >= x else -1.0
        for step in POSITION_STEPS:
            for sign, word in ((toward, "toward"), (-toward, "away from")):
                new = float(np.clip(x + sign * step * span, lo, hi))
                if abs(new - x) <= 1e-12 * span:
                    continue
                moves.append(Move(
                    "position", f"{actor} moves its {iid} position {on_scale(x, span)} → "
                    f"{on_scale(new, span)} ({word} the expected outcome)",
                    (f"{actor}.position.{iid}={_fmt(new)}",), iid, None, new - x))
        s = float(central.salience[0, a, k]) * 100
        for step in SALIENCE_STEPS:
            for sign, word in ((1.0, "raises"), (-1.0, "lowers")):
                new = float(np.clip(s + sign * step, 0.0, 100.0))
                if abs(new - s) <= 1e-9:
                    continue
                moves.append(Move(
                    "salience", f"{actor} {word} its salience on {iid} {_fmt(s)} → {_fmt(new)}",
                    (f"{actor}.salience.{iid}={_fmt(new)}",), iid, None, new - s))
        for j, other in enumerate(scenario.actor_ids):
            if j == a or not central.mask[j, k]:
                continue
            xj = float(central.position[0, j, k])
            gap = x - xj
            if abs(gap) <= 1e-12 * span:
                continue
            tried: set[float] = set()
            for step in PERSUADE_STEPS:
                new = float(xj + np.sign(gap) * min(step * span, abs(gap)))
                if new in tried:  # the actor is nearer than the larger steps
                    continue
                tried.add(new)
                moves.append(Move(
                    "persuade", f"{actor} persuades {other} to move {iid} {on_scale(xj, span)} "
                    f"→ {on_scale(new, span)} (toward {actor})",
                    (f"{other}.position.{iid}={_fmt(new)}",), iid, other, new - xj))
    ally = _ally_id(scenario)
    others = [i for i in range(len(scenario.actor_ids)) if i != a]
    total = float(central.capability[0, others].sum(axis=0).mean()) if others else 1.0
    for share in ALLY_SHARES:
        cap = share * total
        edits = [f"add:{ally}", f"{ally}.capability={_fmt(cap)}"]
        for k, iid in enumerate(scenario.issue_ids):
            if central.mask[a, k]:
                edits += [f"{ally}.position.{iid}={_fmt(float(central.position[0, a, k]))}",
                          f"{ally}.salience.{iid}="
                          f"{_fmt(float(central.salience[0, a, k]) * 100)}"]
        moves.append(Move("ally", f"{actor} brings in an ally at its positions with "
                          f"{share:.0%} of the others' capability ({_fmt(round(cap, 3))})",
                          tuple(edits), None, ally, cap))
    return moves


def _ally_id(scenario: Scenario) -> str:
    name, k = "ALLY", 1
    while name in scenario.actor_ids:
        k += 1
        name = f"ALLY{k}"
    return name


def moved_arrays(base: ScenarioArrays, moves: Sequence[Move | Sequence[Move]]
                 ) -> ScenarioArrays:
    """The base draws repeated: copy 0 unchanged, copy m + 1 edited by ``moves[m]``
    (position, salience or persuade moves; draws axis = copy-major, then base draw). An entry
    may be several moves, applied together to one copy (:func:`packed_moves`). Positions are
    clipped to their issue's scale, saliences to [0, 1]."""
    m_count, (S, n, d) = len(moves) + 1, base.position.shape
    pos = np.repeat(base.position[None], m_count, axis=0)
    sal = np.repeat(base.salience[None], m_count, axis=0)
    ids, issues = list(base.actor_ids), list(base.issue_ids)
    for m, entry in enumerate(moves, start=1):
        for mv in (entry,) if isinstance(entry, Move) else entry:
            k = issues.index(mv.issue) if mv.issue is not None else -1
            if mv.kind == "position":
                i = ids.index(_actor_of(mv))
                pos[m, :, i, k] = np.clip(pos[m, :, i, k] + mv.delta, base.lower[k],
                                          base.upper[k])
            elif mv.kind == "persuade":
                i = ids.index(mv.other or "")
                pos[m, :, i, k] = np.clip(pos[m, :, i, k] + mv.delta, base.lower[k],
                                          base.upper[k])
            elif mv.kind == "salience":
                i = ids.index(_actor_of(mv))
                sal[m, :, i, k] = np.clip(sal[m, :, i, k] + mv.delta / 100.0, 0.0, 1.0)
            else:
                raise AnalysisError(f"moved_arrays cannot apply a {mv.kind!r} move")

    def tile(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a[None], (m_count, *a.shape)).reshape(m_count * S, *a.shape[1:])

    return replace(base, position=pos.reshape(m_count * S, n, d),
                   salience=sal.reshape(m_count * S, n, d), capability=tile(base.capability),
                   status_quo=tile(base.status_quo), conflict=_tiled_conflict(base, m_count))


def packed_moves(moves: Sequence[Move], issue_ids: Sequence[str]
                 ) -> tuple[list[tuple[Move, ...]], np.ndarray, np.ndarray]:
    """The moves laid side by side for a model that forecasts each issue on its own
    (:attr:`~accord.models.base.BaseModel.issue_by_issue`): a move on issue p changes only
    p's inputs, so only p's forecast, and the r-th moves of all issues can share one copy
    of the draws, each issue's forecast there being its own move's. Row r holds the r-th move
    on each issue that has one, so there are as many rows as the most moves on one issue
    (18 for 53 moves on ukraine-2025's three issues) instead of one per move.

    Returns the rows (for :func:`moved_arrays`) and, per move, its copy (row + 1; copy 0 is
    the base) and the index of its issue."""
    by_issue: dict[str, list[int]] = {iid: [] for iid in issue_ids}
    for m, mv in enumerate(moves):
        if mv.issue is None or mv.kind not in ("position", "salience", "persuade"):
            raise AnalysisError(f"packed_moves cannot place a {mv.kind!r} move")
        by_issue[mv.issue].append(m)
    copy = np.zeros(len(moves), dtype=np.intp)
    issue = np.zeros(len(moves), dtype=np.intp)
    rows: list[tuple[Move, ...]] = []
    for k, at in enumerate(by_issue.values()):
        for r, m in enumerate(at):
            copy[m], issue[m] = r + 1, k
    for r in range(max((len(at) for at in by_issue.values()), default=0)):
        rows.append(tuple(moves[at[r]] for at in by_issue.values() if r < len(at)))
    return rows, copy, issue


def move_outcomes(model: BaseModel, base: ScenarioArrays, moves: Sequence[Move],
                  seed: np.random.SeedSequence, packed: bool | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """The model's forecasts of the base draws, f0 (S, d), and of every move's copy of them,
    (M, S, d), in one batch: one copy per move, or, for a model that forecasts each issue on
    its own (``packed`` None: the model's ``issue_by_issue``), the packed copies of
    :func:`packed_moves`, with each issue a move leaves alone read from the base copy (the
    same numbers, since its inputs there are the base's). Position, salience and persuade
    moves only."""
    S, _, d = base.position.shape
    if packed is None:
        packed = bool(getattr(model, "issue_by_issue", False))
    if not packed:
        out = run_model(model, moved_arrays(base, moves), seed, trajectories=False).outcome
        out = out.reshape(len(moves) + 1, S, d)
        return out[0], out[1:]
    rows, copy, issue = packed_moves(moves, base.issue_ids)
    out = run_model(model, moved_arrays(base, rows), seed, trajectories=False).outcome
    out = out.reshape(len(rows) + 1, S, d)
    moved = np.repeat(out[:1], len(moves), axis=0)
    moved[np.arange(len(moves)), :, issue] = out[copy, :, issue]
    return out[0], moved


def _tiled_conflict(base: ScenarioArrays, copies: int) -> Any:
    """The war model's numbers, repeated once per copy (the same front noise in each: common
    random numbers, so a move's effect is not battlefield luck)."""
    if base.conflict is None:
        return None
    return base.conflict.take_draws(np.tile(np.arange(base.draws), copies))


def ally_arrays(base: ScenarioArrays, central: ScenarioArrays, actor: str,
                moves: Sequence[Move]) -> ScenarioArrays:
    """The base draws with one actor more, once per ally move (copy-major): the ally holds
    the actor's central position and salience (fixed numbers, as the move's shock edits set
    them) with capability ``move.delta``, on every issue the actor takes part in."""
    S, n, d = base.position.shape
    m_count = len(moves)
    a = list(base.actor_ids).index(actor)
    pos = np.empty((m_count, S, n + 1, d))
    sal = np.empty((m_count, S, n + 1, d))
    cap = np.empty((m_count, S, n + 1, d))
    pos[:, :, :n], sal[:, :, :n], cap[:, :, :n] = base.position, base.salience, base.capability
    takes_part = central.mask[a]
    pos[:, :, n] = np.where(takes_part, central.position[0, a], base.lower)
    sal[:, :, n] = np.where(takes_part, central.salience[0, a], 0.0)
    caps = np.array([mv.delta for mv in moves])
    cap[:, :, n] = np.where(takes_part, caps[:, None, None], 0.0)
    mask = np.concatenate([base.mask, takes_part[None]], axis=0)
    return replace(base, actor_ids=(*base.actor_ids, moves[0].other or "ALLY"),
                   position=pos.reshape(m_count * S, n + 1, d),
                   salience=sal.reshape(m_count * S, n + 1, d),
                   capability=cap.reshape(m_count * S, n + 1, d), mask=mask,
                   status_quo=np.broadcast_to(base.status_quo[None], (m_count, S, d)
                                              ).reshape(m_count * S, d),
                   conflict=_tiled_conflict(base, m_count))


def _actor_of(move: Move) -> str:
    return move.edits[0].split(".", 1)[0]


# --------------------------------------------------------------------------- evaluation


def advise(scenario: Scenario, actor: str,
           models: Sequence[str | BaseModel] | ModelPlan | None = None, draws: int = 500,
           seed: Seed = 0, issues: Sequence[str] | None = None,
           options: dict[str, Any] | None = None, moves: Sequence[Move] | None = None,
           progress: Progress | None = None, workers: int | None = None) -> Advice:
    """Rank ``actor``'s candidate moves (default :func:`candidate_moves`) by how far they
    bring each model's forecast toward the actor, over ``draws`` Monte Carlo draws (1: the
    central values). ``issues`` restricts what counts as the actor's gain to those issues
    (moves on every issue are still tried: a salience shift elsewhere can matter).
    ``workers``: models run side by side in that many threads (default: one per core, or
    ``ACCORD_THREADS``; at most one per model; 1 runs them in turn); the result does not
    depend on it."""
    if actor not in scenario.actor_ids:
        raise AnalysisError(f"no actor {actor!r}; the actors are: "
                            f"{', '.join(scenario.actor_ids)}")
    chosen = tuple(issues) if issues else tuple(scenario.issue_ids)
    unknown = [i for i in chosen if i not in scenario.issue_ids]
    if unknown:
        raise AnalysisError(f"no issue {unknown[0]!r}; the issues are: "
                            f"{', '.join(scenario.issue_ids)}")
    plan = plan_models(models, options)
    if plan.ensembles:
        raise AnalysisError("advise runs models, not ensembles: name the models instead")
    moves = list(candidate_moves(scenario, actor) if moves is None else moves)
    if not moves:
        raise AnalysisError(f"{actor} has no move to try (it takes part in no issue)")
    ss = fresh_seed(seed)
    central = sample(scenario, 1)
    base = sample(scenario, draws, np.random.default_rng(ss)) if draws > 1 else central
    plain_at = [k for k, m in enumerate(moves) if m.kind != "ally"]
    ally_at = [k for k, m in enumerate(moves) if m.kind == "ally"]
    plain, allies = [moves[k] for k in plain_at], [moves[k] for k in ally_at]
    extra = ally_arrays(base, central, actor, allies) if allies else None
    S, _, d = base.position.shape
    a = scenario.actor_ids.index(actor)
    x = base.position[:, a, :]  # (S, d) the actor's own positions: what it wants
    s = base.salience[:, a, :]
    counts = np.array([iid in chosen for iid in scenario.issue_ids]) & base.mask[a]
    labels = _labels(plan)
    effects: list[dict[str, Effect]] = [{} for _ in moves]
    order = plain_at + ally_at
    model_seeds = ss.spawn(len(plan.models))
    for model in plan.models:  # e.g. SMP loads its compiled code for the moves' draws
        model.prepare([(S * (1 + len(moves)), len(scenario.actor_ids))])

    def outcomes(k: int) -> tuple[np.ndarray, np.ndarray]:
        """Model k's base forecasts (S, d) and every move's (M, S, d), moves in ``order``."""
        if progress:
            progress(labels[k])
        s_plain, s_ally = model_seeds[k].spawn(2)
        f0, moved = move_outcomes(plan.models[k], base, plain, s_plain)
        if extra is not None:
            f_ally = run_model(plan.models[k], extra, s_ally,
                               trajectories=False).outcome.reshape(len(allies), S, d)
            moved = np.concatenate([moved, f_ally], axis=0)
        return f0, moved

    # the models run side by side in threads (each has its own seed, so the numbers do not
    # depend on the number of workers)
    results = list(parallel_map(outcomes, range(len(plan.models)), threads=workers))
    for label, (f0, moved) in zip(labels, results, strict=True):
        toward = np.abs(f0 - x)[None] - np.abs(moved - x[None])  # (M, S, d)
        toward = np.where(counts, np.nan_to_num(toward), 0.0)
        gain = 100.0 * (toward * s[None] / base.scale_range).sum(axis=-1)  # (M, S)
        mean_points = toward.mean(axis=1)
        for row, m in enumerate(order):
            g = gain[row]
            effects[m][label] = Effect(
                {iid: float(mean_points[row, k]) for k, iid in enumerate(scenario.issue_ids)
                 if counts[k]},
                float(g.mean()), float((g > _TOL).mean()), float((g < -_TOL).mean()))
    ranked = [Ranked(mv, eff, float(np.mean([e.utility for e in eff.values()])))
              for mv, eff in zip(moves, effects, strict=True)]
    ranked.sort(key=lambda r: -r.score)
    _explain_top(ranked, scenario, plan, labels, actor)
    return Advice(scenario, actor, chosen, tuple(labels), draws, _seed_int(seed), ranked)


def _labels(plan: ModelPlan) -> list[str]:
    from accord.analysis.ensembles import unique_labels

    return unique_labels(plan)[:len(plan.models)]


_ROLE = {"compromise": "one of the largest pulls", "median": "the pivot",
         "nash": "one of the actors that bind it", "bdm": "a mover in the challenges",
         "smp": "in the leading coalition", "exchange": "a trader who gives ground"}


def _explain_top(ranked: list[Ranked], scenario: Scenario, plan: ModelPlan,
                 labels: list[str], actor: str, top: int = 8) -> None:
    """Reasons for the top moves, from the models' own explanations of the base case: the
    actor the move works on decides the issue there (the median's pivot, the largest pulls,
    …), and the issues the move shifts under each model that it helps."""
    central = sample(scenario, 1)
    spans = {i.id: scenario.scale_of(i)[1] - scenario.scale_of(i)[0] for i in scenario.issues}
    whys = {}
    for model, label in zip(plan.models, labels, strict=True):
        point = model.run(central, rng=np.random.default_rng(0))
        whys[label] = (model.name, explanation_of(
            ModelResult(model.name, model.options_dict(), point), central))
    for r in ranked[:top]:
        mv = r.move
        who = mv.other if mv.kind == "persuade" else actor
        for label in r.models("helps"):
            name, why = whys[label]
            issue = mv.issue
            facts = why.facts.get(issue, {}) if issue else {}
            deciding = facts.get("pivot") or facts.get("deciding") or []
            moved = ", ".join(f"{iid} {signed(v, spans[iid])}"
                              for iid, v in r.effects[label].points.items() if abs(v) > 1e-9)
            if mv.kind != "ally" and who in deciding:
                role = _ROLE.get(name, "decisive")
                r.reasons.append(f"under {label}, {who} is {role} on {issue}; the forecast moves "
                                 f"{moved} toward {actor}")
            else:
                r.reasons.append(f"under {label} the forecast moves {moved} toward {actor}")
        hurts = r.models("hurts")
        if hurts and r.models("helps"):
            r.reasons.append(f"but it hurts under {', '.join(hurts)}: the models disagree")
