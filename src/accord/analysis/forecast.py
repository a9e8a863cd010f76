"""The forecast of a scenario by each model: the point run and the Monte Carlo distribution.

:func:`forecast` runs each model once on the central values (the point forecast, with its
rounds) and, with draws > 1, once on all Monte Carlo draws in one vectorised pass. Every model
sees the same draws; the same seed gives the same numbers. :func:`estimated_seconds` is what
such a forecast is expected to cost, from the models' declared costs.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from accord import models as model_registry
from accord.analysis import calibration
from accord.analysis.calibration import CalibrationSet
from accord.analysis.ensembles import (
    Ensemble,
    ModelPlan,
    _ensemble_result,
    mix_draws,
    plan_models,
    unique_labels,
)
from accord.analysis.results import ForecastResult, ModelResult
from accord.analysis.sweeps import Progress, Seed, fresh_seed, own_seed, run_model
from accord.analysis.thresholds import Threshold, parse_threshold
from accord.arrays import sample
from accord.errors import AnalysisError
from accord.models.base import BaseModel
from accord.scenario import Scenario


def forecast(scenario: Scenario,
             models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
             draws: int = 1, seed: Seed = 0, options: dict[str, Any] | None = None,
             progress: Progress | None = None,
             thresholds: Sequence[str | Threshold] = (),
             trajectories: bool = False,
             calibrations: CalibrationSet | None = None) -> ForecastResult:
    """Forecast a scenario with each model: point run, and with draws > 1 the distribution.

    models: specs (``"nash"``, ``"bdm:scholz"``, ``"ensemble:compromise=2,nash=1"``), model
      objects, or None for every registered model. Ensembles come after the models.
    thresholds: events such as ``"territory>=80"`` whose probability over the draws each
      :class:`ModelResult` reports (needs draws > 1), and events of the war model on the
      time of agreement (``"agreement<=2025-12-31"``; see :mod:`accord.analysis.war`).
    "All models" (``models`` None) adds the war model where the scenario has a ``conflict:``
    section, and otherwise leaves it out with a note (``ForecastResult.notes``).
    calibrations: model-error terms (:mod:`accord.analysis.calibration`); each model with
      one gets ``predictive`` draws (:func:`add_predictive`).
    The same seed gives the same numbers; every model sees the same Monte Carlo draws.
    trajectories: keep every draw's round-by-round positions (memory: draws × rounds ×
      actors × issues); by default only the central run's, and outcomes per round for the
      draws.
    """
    plan, notes = with_war(plan_models(models, options), scenario)
    if thresholds or any(m.name == "war" for m in plan.models):  # loaded when asked for
        from accord.analysis.war import is_war_event, parse_war_event, summarise_war
    war_texts = [t for t in thresholds if isinstance(t, str) and is_war_event(t)]
    parsed = tuple(parse_threshold(t, scenario.issue_ids) for t in thresholds
                   if t not in war_texts)
    events = tuple(parse_war_event(t) for t in war_texts)
    if parsed and draws < 2:
        raise AnalysisError("a probability needs Monte Carlo draws: add --draws N "
                            "(e.g. --draws 2000)")
    if events and not any(m.name == "war" for m in plan.models):
        raise AnalysisError(f"{events[0].text!r} is an event of the war model: add --model "
                            "war (the scenario needs a conflict: section)")
    ss = fresh_seed(seed)
    central = sample(scenario, 1)
    sampled = sample(scenario, draws, np.random.default_rng(ss)) if draws > 1 else None
    model_seeds = [own_seed(ss, "model", m.name, m.options_dict()) for m in plan.models]
    labels = unique_labels(plan)
    result = ForecastResult(scenario, draws, _seed_int(seed), thresholds=parsed, events=events,
                            notes=notes)
    for model, mss, label in zip(plan.models, model_seeds, labels, strict=False):
        if progress:
            progress(label)
        point_seed, draw_seed = mss.spawn(2)
        point = run_model(model, central, point_seed)
        spread = (run_model(model, sampled, draw_seed, trajectories)
                  if sampled is not None else None)
        war = summarise_war(spread or point, scenario) if model.name == "war" else None
        result.results.append(ModelResult(model.name, model.options_dict(), point, spread,
                                          parsed, label, events=events if war else (),
                                          war=war))
    ens_labels = labels[len(plan.models):]
    ens_seeds = [own_seed(ss, "ensemble", label) for label in ens_labels]
    for (ens, idx, w), ess, label in zip(plan.ensembles, ens_seeds, ens_labels, strict=True):
        members = [result.results[k] for k in idx]
        result.results.append(_ensemble_result(ens, members, w, np.random.default_rng(ess),
                                               parsed, label))
    add_predictive(result, calibrations)
    return result


def with_war(plan: ModelPlan, scenario: Scenario) -> tuple[ModelPlan, list[str]]:
    """"All models" (``plan.every``) with the war model added where the scenario has a
    ``conflict:`` section, or a note saying why it is left out. A plan that names models is
    kept as it is (the war model named on a scenario without a section raises when run)."""
    if not plan.every or any(m.name == "war" for m in plan.models):
        return plan, []
    if scenario.conflict is None:
        return plan, ["war: left out: the scenario has no conflict: section (see `accord "
                      "new` for one)"]
    return replace(plan, models=(*plan.models, model_registry.get("war"))), []


def add_predictive(result: ForecastResult, calibrations: CalibrationSet | None) -> None:
    """Attach each result's calibrated predictive draws: its draws (or central forecast)
    plus its model's errors on the calibration corpus (:mod:`accord.analysis.calibration`).
    Models without a calibration in the set keep none; an ensemble without one mixes its
    members'. Seeded by the result's seed and each model's label, so a model's predictive
    draws do not depend on which other models ran."""
    if calibrations is None:
        return
    central = sample(result.scenario, 1)
    un = np.full(central.n_issues, central.rule is not None and central.rule.kind ==
                 "unanimity")
    by_label = {r.label: r for r in result.results}
    for r in result.results:
        rng = np.random.default_rng(np.random.SeedSequence(
            result.seed, spawn_key=(7, zlib.crc32(r.label.encode()))))
        cal = calibrations.get(r.label, r.model)
        if cal is not None:
            z = calibration.difficulty(central.position[0], central.weight[0], central.mask,
                                       central.lower, central.upper, np.asarray(r.outcome), un)
            base = r.draws.outcome if r.draws is not None else r.point.outcome
            r.predictive = cal.predictive(base, z, central.lower, central.upper, rng)
            r.calibration = cal
            continue
        members = [by_label.get(m) for m in r.options.get("members", [])]
        if members and all(m is not None and m.predictive is not None for m in members):
            draws = [m.predictive for m in members]  # type: ignore[union-attr]
            size = min(d.shape[0] for d in draws)
            r.predictive = mix_draws([d[:size] for d in draws], r.options["weights"], rng)
            r.calibration = members[0].calibration  # type: ignore[union-attr]


def _seed_int(seed: Seed) -> int:
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.entropy) if isinstance(seed.entropy, int) else 0
    return int(seed)


def estimated_seconds(scenario: Scenario, plan: ModelPlan, draws: int, shocks: int = 0,
                      sensitivity: bool = False) -> float:
    """A generous estimate of the CPU seconds a forecast takes: each model's declared cost
    (:class:`accord.models.base.Cost`: a fixed part per run, and per draw × actors × issues ×
    rounds) over the model's runs: the point run and, with draws > 1, one run of all draws,
    for the base and each shock, and one run of the sensitivity moves (a draw each). The web app
    refuses forecasts over its budget with it; tests/test_cost.py checks it against measured
    CPU time."""
    runs = (1 + shocks) * (2 if draws > 1 else 1)
    passes = (1 + shocks) * (draws + (1 if draws > 1 else 0))
    if sensitivity:
        from accord.analysis.sensitivity import scenario_inputs

        runs += 1
        passes += 1 + 2 * len(scenario_inputs(scenario, "ranged"))
    n, d = len(scenario.actors), len(scenario.issues)
    return sum(m.estimated_seconds(passes, n, d, runs) for m in plan.models)
