"""The ``accord forecast --json`` document (also the answer of the web API's forecast)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from accord.analysis.results import ForecastResult, ModelResult
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
                   takes_part: Mapping[str, set[str]] | None = None) -> dict[str, Any]:
    """One model's entry of the ``forecasts`` list of the JSON document (NaN -> null)."""
    entry: dict[str, Any] = {
        "model": r.model,
        "label": r.label,
        "options": _jsonable(r.options),
        "outcome": {i: _jsonable(r.outcome[i]) for i in issue_ids},
    }
    if r.draws is not None:
        entry["distribution"] = dict(r.distribution())
    probs = r.probabilities()
    if probs is not None:
        entry["probabilities"] = probs
    entry["rounds"] = rounds_json(r.point, takes_part)
    return entry


def to_json(result: ForecastResult) -> dict[str, Any]:
    """The ``accord forecast --json`` document (shape fixed by the package issue).

    Added by the analysis issue, only where they apply: per forecast ``probabilities``
    (threshold text -> P) and the ensemble's entry (options ``members``, ``weights``).
    Each forecast's ``label`` tells apart two variants of one model (``bdm``,
    ``bdm:literal``; see :func:`unique_labels`); ``model`` stays the registry name.
    """
    sc = result.scenario
    return {
        "scenario": {"title": sc.title, "actors": sc.actor_ids, "issues": sc.issue_ids},
        "draws": result.draws,
        "seed": result.seed,
        "forecasts": [forecast_entry(r, sc.issue_ids, participation(sc))
                      for r in result.results],
    }
