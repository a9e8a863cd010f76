"""Forecasts under uncertainty: run models on a scenario's central values and its draws.

``forecast(scenario, models, draws, seed)`` runs each model once on the central values (the
point forecast, with its rounds) and, with draws > 1, once on all Monte Carlo draws in one
vectorised pass, summarised per issue by the mean and the 5/10/50/90/95 % quantiles
(shared/DESIGN.md, "Around the models"). Every model sees the same draws.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord import models as model_registry
from accord.arrays import ScenarioArrays, sample
from accord.models.base import BaseModel, Forecast
from accord.scenario import Scenario

QUANTILES = {"q05": 0.05, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q95": 0.95}

Progress = Callable[[str], None]


@dataclass
class ModelResult:
    """One model's forecast of a scenario: the point run and, with draws, the distribution."""

    model: str
    options: dict[str, Any]
    point: Forecast
    draws: Forecast | None = None

    @property
    def outcome(self) -> np.ndarray:
        """Point forecast per issue, shape (d,)."""
        return self.point.outcome[0]

    def distribution(self) -> dict[str, dict[str, float]] | None:
        """Per issue: mean and quantiles of the outcome over the draws."""
        if self.draws is None:
            return None
        return summarise(self.draws.outcome, self.point.issue_ids)


@dataclass
class ForecastResult:
    scenario: Scenario
    draws: int
    seed: int
    results: list[ModelResult] = field(default_factory=list)

    def result(self, model: str) -> ModelResult:
        for r in self.results:
            if r.model == model:
                return r
        raise KeyError(model)


def summarise(outcome: np.ndarray, issue_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """Mean and quantiles per issue of outcome (S, d)."""
    qs = np.quantile(outcome, list(QUANTILES.values()), axis=0)
    mean = outcome.mean(axis=0)
    out: dict[str, dict[str, float]] = {}
    for k, iid in enumerate(issue_ids):
        entry = {"mean": float(mean[k])}
        entry.update({name: float(qs[j, k]) for j, name in enumerate(QUANTILES)})
        out[iid] = entry
    return out


def resolve_models(models: Sequence[str | BaseModel] | None,
                   options: dict[str, Any] | None = None) -> list[BaseModel]:
    """Model objects from specs (``"bdm:scholz"``) or objects; None means all registered.

    ``options`` are applied to every model that declares them (others ignore them).
    """
    specs: Sequence[str | BaseModel] = models if models else model_registry.names()
    out = []
    for spec in specs:
        if isinstance(spec, BaseModel):
            out.append(spec)
            continue
        cls = model_registry.model_class(spec.partition(":")[0])
        known = {f for f in cls.Options.__dataclass_fields__}
        mine = {k: v for k, v in (options or {}).items() if k in known}
        out.append(model_registry.get(spec, **mine))
    return out


def run_model(model: BaseModel, arrays: ScenarioArrays, seed: int | np.random.SeedSequence
              ) -> Forecast:
    return model.run(arrays, rng=np.random.default_rng(seed))


def forecast(scenario: Scenario, models: Sequence[str | BaseModel] | None = None,
             draws: int = 1, seed: int = 0, options: dict[str, Any] | None = None,
             progress: Progress | None = None) -> ForecastResult:
    """Forecast a scenario with each model: point run, and with draws > 1 the distribution.

    The same seed gives the same numbers; every model sees the same Monte Carlo draws.
    """
    chosen = resolve_models(models, options)
    central = sample(scenario, 1)
    sampled = sample(scenario, draws, seed) if draws > 1 else None
    model_seeds = np.random.SeedSequence(seed).spawn(len(chosen))
    result = ForecastResult(scenario, draws, seed)
    for model, ss in zip(chosen, model_seeds, strict=True):
        if progress:
            progress(model.name)
        point_seed, draw_seed = ss.spawn(2)
        point = run_model(model, central, point_seed)
        spread = run_model(model, sampled, draw_seed) if sampled is not None else None
        result.results.append(ModelResult(model.name, model.options_dict(), point, spread))
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def rounds_json(point: Forecast) -> list[dict[str, Any]]:
    """The rounds of the central run as the JSON contract has them."""
    if point.trajectory is None:
        return []
    out = []
    for t in range(point.trajectory.shape[1]):
        positions = {
            a: {i: float(point.trajectory[0, t, ai, ii])
                for ii, i in enumerate(point.issue_ids)}
            for ai, a in enumerate(point.actor_ids)
        }
        outcome = (
            {i: float(point.round_outcome[0, t, ii]) for ii, i in enumerate(point.issue_ids)}
            if point.round_outcome is not None else {}
        )
        details = point.details[t] if t < len(point.details) else {}
        out.append({"round": t, "positions": positions, "outcome": outcome,
                    "details": _jsonable(details)})
    return out


def to_json(result: ForecastResult) -> dict[str, Any]:
    """The ``accord forecast --json`` document (shape fixed by the package issue)."""
    sc = result.scenario
    forecasts = []
    for r in result.results:
        entry: dict[str, Any] = {
            "model": r.model,
            "options": _jsonable(r.options),
            "outcome": {i: float(r.outcome[k]) for k, i in enumerate(sc.issue_ids)},
        }
        dist = r.distribution()
        if dist is not None:
            entry["distribution"] = dist
        entry["rounds"] = rounds_json(r.point)
        forecasts.append(entry)
    return {
        "scenario": {"title": sc.title, "actors": sc.actor_ids, "issues": sc.issue_ids},
        "draws": result.draws,
        "seed": result.seed,
        "forecasts": forecasts,
    }
