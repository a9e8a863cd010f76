"""The ``accord forecast --json`` document (also the answer of the web API's forecast)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from accord.analysis.explain import explanation_of
from accord.analysis.results import ForecastResult, ModelResult
from accord.arrays import ScenarioArrays, sample
from accord.models.base import Forecast
from accord.scenario import Scenario


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return _jsonable(value.item())
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def participation(scenario: Scenario) -> dict[str, set[str]]:
    """Actor id -> the issues it takes part in (those it has a position on)."""
    return {a.id: set(a.position) for a in scenario.actors}


def rounds_json(point: Forecast, takes_part: Mapping[str, set[str]] | None = None
                ) -> list[dict[str, Any]]:
    """The rounds of the central run as the JSON contract has them. With ``takes_part``
    (see :func:`participation`), an actor's positions list only the issues it takes part in."""
    if point.trajectory is None:
        return []
    out = []
    for t in range(point.trajectory.shape[1]):
        positions = {
            a: {i: _jsonable(float(point.trajectory[0, t, ai, ii]))
                for ii, i in enumerate(point.issue_ids)
                if takes_part is None or i in takes_part.get(a, ())}
            for ai, a in enumerate(point.actor_ids)
        }
        outcome = (
            {i: _jsonable(float(point.round_outcome[0, t, ii]))
             for ii, i in enumerate(point.issue_ids)}
            if point.round_outcome is not None else {}
        )
        details = point.details[t] if t < len(point.details) else {}
        out.append({"round": t, "positions": positions, "outcome": outcome,
                    "details": _jsonable(details)})
    return out


def forecast_entry(r: ModelResult, issue_ids: Sequence[str],
                   takes_part: Mapping[str, set[str]] | None = None,
                   central: ScenarioArrays | None = None) -> dict[str, Any]:
    """One model's entry of the ``forecasts`` list of the JSON document (NaN -> null).

    ``notes``: what the model says about its run (non-convergence, rescaled saliences), for
    the central run, and ``draw_notes`` for the draws; with ``central`` (the scenario's
    central arrays) also ``explanation``, the model's own (:func:`explanation_of`)."""
    entry: dict[str, Any] = {
        "model": r.model,
        "label": r.label,
        "options": _jsonable(r.options),
        "outcome": {i: _jsonable(r.outcome[i]) for i in issue_ids},
    }
    if r.draws is not None:  # the issues the model forecasts (the war model: one)
        entry["distribution"] = {i: d for i, d in r.distribution().items()
                                 if d["mean"] == d["mean"]}
    pred = r.predictive_distribution()
    if pred is not None and r.calibration is not None:
        entry["predictive"] = {i: d for i, d in pred.items() if d["mean"] == d["mean"]}
        entry["calibration"] = {"name": r.calibration.describe(),
                                **_jsonable(r.calibration.provenance)}
    probs = r.probabilities()
    if probs is not None:
        entry["probabilities"] = probs
    entry["rounds"] = rounds_json(r.point, takes_part)
    ex = r.point.extras
    if "swing_low" in ex and "swing_high" in ex:
        # a run that does not settle: its outcome is the median over the final cycle, and
        # this is the cycle's lowest and highest round outcome (equal where it settles)
        entry["swing"] = {i: [_jsonable(float(ex["swing_low"][0, k])),
                              _jsonable(float(ex["swing_high"][0, k]))]
                          for k, i in enumerate(r.point.issue_ids)}
    entry["notes"] = list(r.point.notes)
    if r.draws is not None:
        entry["draw_notes"] = list(r.draws.notes)
    if central is not None:
        entry["explanation"] = _jsonable(explanation_of(r, central).to_json())
    spread = r.draws
    if spread is not None and spread.trajectory is not None and spread.trajectory.shape[0] > 1:
        # kept only when asked (forecast --trajectories): [draw][round][actor][issue]
        entry["draw_trajectories"] = _jsonable(spread.trajectory.tolist())
    if r.war is not None:
        entry["war"] = r.war.to_json()
    return entry


def to_json(result: ForecastResult) -> dict[str, Any]:
    """The ``accord forecast --json`` document (shape fixed by the package issue).

    Added by the analysis issue, only where they apply: per forecast ``probabilities``
    (threshold text -> P) and the ensemble's entry (options ``members``, ``weights``).
    Each forecast also carries ``notes`` (and ``draw_notes`` with draws) and ``explanation``
    (the model's own: per issue ``sentences`` and ``facts``, and ``general`` sentences).
    Added by issue 14, with a calibration: ``predictive`` (the calibrated predictive
    distribution, the same quantile keys as ``distribution``) and ``calibration`` (its name
    and provenance).
    Each forecast's ``label`` tells apart two variants of one model (``bdm``,
    ``bdm:literal``; see :func:`unique_labels`); ``model`` stays the registry name.
    """
    sc = result.scenario
    central = sample(sc, 1)
    return {
        "scenario": {"title": sc.title, "actors": sc.actor_ids, "issues": sc.issue_ids},
        "draws": result.draws,
        "seed": result.seed,
        "forecasts": [forecast_entry(r, sc.issue_ids, participation(sc), central)
                      for r in result.results],
        **({"notes": list(result.notes)} if result.notes else {}),
    }
