"""Shocked scenarios (:mod:`accord.shocks`) run beside the base case with the same seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accord import shocks as shock_edits
from accord.analysis.document import forecast_entry, participation, to_json
from accord.analysis.ensembles import Ensemble, ModelPlan, plan_models
from accord.analysis.forecast import forecast
from accord.analysis.results import ForecastResult
from accord.analysis.sweeps import Progress, Seed
from accord.analysis.thresholds import Threshold
from accord.arrays import sample
from accord.models.base import BaseModel
from accord.scenario import Scenario


@dataclass
class ShockRun:
    """A shocked scenario's forecast, to set beside the base case."""

    name: str
    edits: tuple[str, ...]
    scenario: Scenario
    result: ForecastResult

    def difference(self, base: ForecastResult) -> dict[str, dict[str, float]]:
        """Per model (its label) and issue: shocked point forecast minus the base's."""
        out: dict[str, dict[str, float]] = {}
        issues = base.scenario.issue_ids
        for b, s in zip(base.results, self.result.results, strict=True):
            out[b.label] = {i: s.outcome[i] - b.outcome[i] for i in issues}
        return out


@dataclass
class ShockComparison:
    """The base forecast and each shock's, all with the same models, draws and seed."""

    base: ForecastResult
    shocks: list[ShockRun] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The forecast JSON of the base plus ``shocks``: per shock its edits, forecasts (as
        in ``forecasts``) and ``difference`` (model label -> issue -> shocked − base, point
        forecasts; with draws also ``difference_mean``)."""
        doc = to_json(self.base)
        issues = self.base.scenario.issue_ids
        doc["shocks"] = []
        for run in self.shocks:
            central = sample(run.scenario, 1)
            entry: dict[str, Any] = {
                "name": run.name,
                "edits": list(run.edits),
                "forecasts": [forecast_entry(r, issues, participation(run.scenario), central)
                              for r in run.result.results],
                "difference": run.difference(self.base),
            }
            if self.base.draws > 1:
                entry["difference_mean"] = {
                    b.label: {i: float(s.draws.outcome[:, k].mean()  # type: ignore[union-attr]
                                       - b.draws.outcome[:, k].mean())  # type: ignore[union-attr]
                              for k, i in enumerate(issues)}
                    for b, s in zip(self.base.results, run.result.results, strict=True)
                }
            doc["shocks"].append(entry)
        return doc


def run_shocks(scenario: Scenario, shocks: Mapping[str, Sequence[str]] | Sequence[str],
               models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
               draws: int = 1, seed: Seed = 0, options: dict[str, Any] | None = None,
               progress: Progress | None = None,
               thresholds: Sequence[str | Threshold] = (),
               trajectories: bool = False) -> ShockComparison:
    """The base forecast and, beside it, each shocked scenario's with the same seed.

    shocks: name -> edits, or references as on the command line (names of the scenario's
      ``shocks:`` section, or edits, all loose edits forming one shock): see
      :func:`accord.shocks.resolve`. Shocks are applied (and validated) before any run.
    """
    named = (dict(shocks) if isinstance(shocks, Mapping)
             else shock_edits.resolve(scenario, list(shocks)))
    shocked = [(name, tuple(edits), shock_edits.apply_edits(scenario, list(edits), name))
               for name, edits in named.items()]
    plan = plan_models(models, options)
    base = forecast(scenario, plan, draws, seed, progress=_prefixed(progress, "base"),
                    thresholds=thresholds, trajectories=trajectories)
    comparison = ShockComparison(base)
    for name, edits, sc in shocked:
        res = forecast(sc, plan, draws, seed, progress=_prefixed(progress, name),
                       thresholds=thresholds, trajectories=trajectories)
        comparison.shocks.append(ShockRun(name, edits, sc, res))
    return comparison


def _prefixed(progress: Progress | None, prefix: str) -> Progress | None:
    if progress is None:
        return None
    return lambda what: progress(f"{what} ({prefix})")
