"""One-at-a-time sensitivity: the numbers of a tornado chart.

:func:`sensitivity` moves one input at a time from its low to its high end, the rest at
their central values, all in one model pass (each move is one draw), and ranks the inputs by
the swing of each issue's forecast.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from accord.analysis.document import _jsonable
from accord.analysis.ensembles import Ensemble, ModelPlan, plan_models, unique_labels
from accord.analysis.sweeps import Progress, Seed, fresh_seed, own_seed, run_model
from accord.arrays import ScenarioArrays, sample
from accord.errors import AnalysisError
from accord.models.base import BaseModel
from accord.scenario import Scenario

SENSITIVITY_SPREAD = 0.2  # ±20 % of an input's scale with --all (issue 6)


@dataclass(frozen=True)
class Input:
    """One number of a scenario that sensitivity moves.

    kind: position | salience | capability | status_quo. actor: index or -1 (status quo).
    issue: index, or -1 for an actor's one capability on every issue.
    """

    label: str
    kind: Literal["position", "salience", "capability", "status_quo"]
    actor: int
    issue: int
    value: float
    low: float
    high: float
    ranged: bool


def scenario_inputs(scenario: Scenario, which: Literal["ranged", "all"] = "ranged",
                    spread: float = SENSITIVITY_SPREAD) -> list[Input]:
    """The inputs sensitivity moves, with the ends they move to.

    ``ranged``: every number with a ``low``/``high`` range, moved across it. ``all``: every
    number, moved by ± ``spread`` of its scale, whether ranged or not: positions and status
    quo by ± spread·(issue's range) and saliences by ± spread·100, clipped to their scale;
    capabilities, which have no scale, by ± spread of their value.
    """
    issues = {iid: k for k, iid in enumerate(scenario.issue_ids)}
    out: list[Input] = []

    def add(label: str, kind: Any, a: int, k: int, q: Any, lo: float, hi: float,
            width: float, relative: bool = False) -> None:
        if which == "ranged":
            if not q.is_ranged:
                return
            low, high = q.bounds
        else:
            step = spread * (abs(q.value) if relative else width)
            low, high = max(q.value - step, lo), min(q.value + step, hi)
        out.append(Input(label, kind, a, k, q.value, low, high, q.is_ranged))

    for a, actor in enumerate(scenario.actors):
        if isinstance(actor.capability, dict):
            for iid, q in actor.capability.items():
                add(f"{actor.id}.capability.{iid}", "capability", a, issues[iid], q, 0.0,
                    math.inf, 0.0, relative=True)
        else:
            add(f"{actor.id}.capability", "capability", a, -1, actor.capability, 0.0,
                math.inf, 0.0, relative=True)
        for iid, q in actor.position.items():
            lo, hi = scenario.scale_of(scenario.issues[issues[iid]])
            add(f"{actor.id}.position.{iid}", "position", a, issues[iid], q, lo, hi, hi - lo)
        for iid, q in actor.salience.items():
            add(f"{actor.id}.salience.{iid}", "salience", a, issues[iid], q, 0.0, 100.0, 100.0)
    for k, issue in enumerate(scenario.issues):
        if issue.status_quo is not None:
            lo, hi = scenario.scale_of(issue)
            add(f"{issue.id}.status_quo", "status_quo", -1, k, issue.status_quo, lo, hi,
                hi - lo)
    return out


def perturbed_arrays(scenario: Scenario, inputs: Sequence[Input]) -> ScenarioArrays:
    """Arrays with 1 + 2m draws: draw 0 the central values, draw 1 + 2j input j at its low
    end and draw 2 + 2j at its high end, everything else central."""
    base = sample(scenario, 1)
    s_count = 1 + 2 * len(inputs)
    pos = np.repeat(base.position, s_count, axis=0)
    sal = np.repeat(base.salience, s_count, axis=0)
    cap = np.repeat(base.capability, s_count, axis=0)
    sq = np.repeat(base.status_quo, s_count, axis=0)
    for j, inp in enumerate(inputs):
        rows = np.array([1 + 2 * j, 2 + 2 * j])
        ends = np.array([inp.low, inp.high])
        if inp.kind == "position":
            pos[rows, inp.actor, inp.issue] = ends
        elif inp.kind == "salience":
            sal[rows, inp.actor, inp.issue] = ends / 100.0
        elif inp.kind == "status_quo":
            sq[rows, inp.issue] = ends
        elif inp.issue < 0:
            cap[rows, inp.actor, :] = ends[:, None] * base.mask[inp.actor]
        else:
            cap[rows, inp.actor, inp.issue] = ends
    # a conflict: section's numbers stay central in every move (one per draw, like the rest)
    conflict = (None if base.conflict is None
                else base.conflict.take_draws(np.zeros(s_count, dtype=int)))
    return replace(base, position=pos, salience=sal, capability=cap, status_quo=sq,
                   conflict=conflict)


@dataclass(frozen=True)
class Swing:
    """One input's effect on one issue: the forecast with the input at each end."""

    input: Input
    low_outcome: float
    high_outcome: float

    @property
    def swing(self) -> float:
        return abs(self.high_outcome - self.low_outcome)


@dataclass
class SensitivityResult:
    """One model's one-at-a-time sensitivities.

    base: (d,) forecast at the central values; low, high: (m, d) forecasts with input j at
    its low / high end.
    """

    scenario: Scenario
    model: str
    inputs: list[Input]
    base: np.ndarray
    low: np.ndarray
    high: np.ndarray
    label: str = ""  # unique within its run (see unique_labels); defaults to the model name

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.model

    def ranking(self, issue: str) -> list[Swing]:
        """Inputs by the swing of ``issue``'s forecast, largest first (stable on ties)."""
        k = self.scenario.issue_ids.index(issue)
        swings = [Swing(inp, float(self.low[j, k]), float(self.high[j, k]))
                  for j, inp in enumerate(self.inputs)]
        return sorted(swings, key=lambda s: -s.swing)

    def to_json(self, top: int | None = None) -> dict[str, Any]:
        """Per issue the ranked bars of a tornado: input, its ends, the forecast at each."""
        issues: dict[str, Any] = {}
        for k, iid in enumerate(self.scenario.issue_ids):
            bars = self.ranking(iid)[:top] if top else self.ranking(iid)
            issues[iid] = {
                "base": float(self.base[k]),
                "inputs": [{
                    "input": s.input.label, "kind": s.input.kind,
                    "value": s.input.value, "low": s.input.low, "high": s.input.high,
                    "outcome_low": s.low_outcome, "outcome_high": s.high_outcome,
                    "swing": s.swing,
                } for s in bars],
            }
        return {"model": self.model, "label": self.label, "issues": _jsonable(issues)}


def sensitivity(scenario: Scenario,
                models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
                which: Literal["ranged", "all"] = "ranged", spread: float = SENSITIVITY_SPREAD,
                seed: Seed = 0, options: dict[str, Any] | None = None,
                progress: Progress | None = None) -> list[SensitivityResult]:
    """One-at-a-time sensitivity of each model's point forecast (see :func:`scenario_inputs`).

    All moves of one model run as one vectorised pass (each move is a draw). An ensemble's
    forecast is the weighted mean of its members'. Raises AnalysisError when there is
    nothing to move (no ranged input without ``which="all"``).
    """
    inputs = scenario_inputs(scenario, which, spread)
    if not inputs:
        raise AnalysisError("the scenario has no ranged inputs (low/high) to move; use --all "
                            "to move every input by ±20 % of its scale")
    plan = plan_models(models, options)
    arrays = perturbed_arrays(scenario, inputs)
    outcomes = []
    labels = unique_labels(plan)
    ss = fresh_seed(seed)
    seeds = [own_seed(ss, "model", m.name, m.options_dict()) for m in plan.models]
    for model, mss, label in zip(plan.models, seeds, labels, strict=False):
        if progress:
            progress(label)
        outcomes.append(run_model(model, arrays, mss, trajectories=False).outcome)
    names = [m.name for m in plan.models]
    for ens, idx, w in plan.ensembles:
        outcomes.append(np.tensordot(np.asarray(w), np.stack([outcomes[k] for k in idx]), 1))
        names.append(ens.name)
    return [SensitivityResult(scenario, name, inputs, out[0], out[1::2], out[2::2], label)
            for name, label, out in zip(names, labels, outcomes, strict=True)]


def sensitivity_json(results: Sequence[SensitivityResult], which: str = "ranged",
                     spread: float = SENSITIVITY_SPREAD, top: int | None = None
                     ) -> dict[str, Any]:
    """The ``accord sensitivity --json`` document."""
    sc = results[0].scenario if results else None
    return {
        "scenario": {"title": sc.title, "actors": sc.actor_ids, "issues": sc.issue_ids}
        if sc else {},
        "inputs": which,
        "spread": spread if which == "all" else None,
        "models": [r.to_json(top) for r in results],
    }
