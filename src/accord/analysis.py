"""Forecasts under uncertainty, ensembles, thresholds, sensitivity, shocks and sweeps.

The library side of ``accord forecast``, ``accord sensitivity`` and the report; the CLI only
renders what these functions return (shared/DESIGN.md, "Around the models").

- :func:`forecast` runs each model once on the central values (the point forecast, with its
  rounds) and, with draws > 1, once on all Monte Carlo draws in one vectorised pass,
  summarised per issue by the mean and the 5/10/50/90/95 % quantiles and the probability of
  user thresholds (``"territory>=80"``). Every model sees the same draws; the same seed gives
  the same numbers.
- ``"ensemble"`` (or ``"ensemble:compromise=2,nash=1"``) among the models combines the
  members' forecasts: the point forecast is the weighted mean of the members' point
  forecasts, the distribution the weighted mixture of their draws.
- :func:`sensitivity` moves one input at a time from its low to its high end, the rest at
  their central values, all in one model pass (each move is one draw), and ranks the inputs
  by the swing of each issue's forecast: the numbers of a tornado chart.
- :func:`run_shocks` runs shocked scenarios (:mod:`accord.shocks`) beside the base case with
  the same seed and reports the difference.
- :func:`sweep` maps a function over many items through any
  :class:`concurrent.futures.Executor` (or serially), each item with its own seed from
  :meth:`numpy.random.SeedSequence.spawn`, so results do not depend on the executor.

These functions and the dataclasses they return are a stable API for the report and the
dashboard: new fields are only ever added at the end, with defaults.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

import numpy as np

from accord import models as model_registry
from accord import shocks as shock_edits
from accord.arrays import ScenarioArrays, sample
from accord.errors import AnalysisError
from accord.models.base import BaseModel, Forecast, ModelSpecError
from accord.scenario import Scenario

QUANTILES = {"q05": 0.05, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q95": 0.95}

Progress = Callable[[str], None]
Seed = int | np.random.SeedSequence


# --------------------------------------------------------------------------- thresholds

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}
_THRESHOLD = re.compile(r"^\s*(?P<issue>[^<>=\s]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class Threshold:
    """An event on one issue's outcome, e.g. ``territory >= 80``."""

    issue: str
    op: Literal[">=", ">", "<=", "<"]
    value: float

    @property
    def text(self) -> str:
        return f"{self.issue}{self.op}{self.value:g}"

    def holds(self, outcome: np.ndarray) -> np.ndarray:
        """Element-wise truth of the event for outcomes of this issue."""
        return _OPS[self.op](outcome, self.value)


def parse_threshold(text: str | Threshold, issue_ids: Sequence[str]) -> Threshold:
    """Read ``"ISSUE>=V"`` (also ``>``, ``<=``, ``<``); the issue must exist."""
    if isinstance(text, Threshold):
        t = text
    else:
        m = _THRESHOLD.match(text)
        if not m:
            raise AnalysisError(f"--prob {text!r} is not ISSUE OP NUMBER with OP one of "
                                f">=, >, <=, < (e.g. \"territory>=80\")")
        try:
            value = float(m["value"])
        except ValueError:
            raise AnalysisError(f"--prob {text!r}: {m['value']!r} is not a number") from None
        if not math.isfinite(value):
            raise AnalysisError(f"--prob {text!r}: {m['value']!r} is not a finite number")
        t = Threshold(m["issue"], m["op"], value)  # type: ignore[arg-type]
    if t.issue not in issue_ids:
        raise AnalysisError(f"--prob {t.text!r}: no issue {t.issue!r}; the issues are: "
                            f"{', '.join(issue_ids)}")
    return t


def probability(outcome: np.ndarray, threshold: Threshold, issue_ids: Sequence[str]) -> float:
    """Share of draws of ``outcome`` (S, d) in which the threshold's event holds."""
    k = list(issue_ids).index(threshold.issue)
    return float(np.mean(threshold.holds(outcome[:, k])))


# --------------------------------------------------------------------------- results


@dataclass
class ModelResult:
    """One model's forecast of a scenario: the point run and, with draws, the distribution."""

    model: str
    options: dict[str, Any]
    point: Forecast
    draws: Forecast | None = None
    thresholds: tuple[Threshold, ...] = ()
    label: str = ""  # unique within its run (see unique_labels); defaults to the model name

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.model

    @property
    def outcome(self) -> np.ndarray:
        """Point forecast per issue, shape (d,)."""
        return self.point.outcome[0]

    def distribution(self) -> dict[str, dict[str, float]] | None:
        """Per issue: mean and quantiles of the outcome over the draws."""
        if self.draws is None:
            return None
        return summarise(self.draws.outcome, self.point.issue_ids)

    def probabilities(self) -> dict[str, float] | None:
        """P(event) over the draws for each threshold, keyed by its text; None without draws
        or thresholds."""
        if self.draws is None or not self.thresholds:
            return None
        return {t.text: probability(self.draws.outcome, t, self.point.issue_ids)
                for t in self.thresholds}


@dataclass
class ForecastResult:
    scenario: Scenario
    draws: int
    seed: int
    results: list[ModelResult] = field(default_factory=list)
    thresholds: tuple[Threshold, ...] = ()

    def result(self, label: str) -> ModelResult:
        """The result with this label (see :func:`unique_labels`), or with this model name
        when exactly one result has it; KeyError otherwise."""
        for r in self.results:
            if r.label == label:
                return r
        named = [r for r in self.results if r.model == label]
        if len(named) == 1:
            return named[0]
        labels = ", ".join(r.label for r in self.results)
        if named:
            raise KeyError(f"{label!r} names {len(named)} results; choose one of: {labels}")
        raise KeyError(f"no result {label!r}; the results are: {labels}")


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


# --------------------------------------------------------------------------- models, ensembles


def resolve_models(models: Sequence[str | BaseModel] | None,
                   options: dict[str, Any] | None = None) -> list[BaseModel]:
    """Model objects from specs (``"bdm:scholz"``) or objects; None means all registered.

    ``options`` are applied to every model that declares them (others ignore them); an
    option that none of the chosen models declares is a mistake (ModelSpecError).
    Ensemble specs are not models: see :func:`plan_models`.
    """
    specs: Sequence[str | BaseModel] = models if models else model_registry.names()
    out = []
    declared: set[str] = set()
    for spec in specs:
        if isinstance(spec, BaseModel):
            out.append(spec)
            continue
        if is_ensemble_spec(spec):
            raise ModelSpecError(f"{spec!r} combines models; use analysis.plan_models or "
                                 "analysis.forecast for it")
        cls = model_registry.model_class(spec.partition(":")[0])
        known = {f for f in cls.Options.__dataclass_fields__}
        declared |= known
        mine = {k: v for k, v in (options or {}).items() if k in known}
        out.append(model_registry.get(spec, **mine))
    unknown = [k for k in options or {} if k not in declared]
    if unknown and all(isinstance(s, str) for s in specs):
        chosen = ", ".join(str(s) for s in specs)
        raise ModelSpecError(f"option {unknown[0]!r} belongs to none of the models chosen "
                             f"({chosen}); see `accord models` for each model's options")
    return out


ENSEMBLE = "ensemble"


def is_ensemble_spec(spec: Any) -> bool:
    return isinstance(spec, Ensemble) or (
        isinstance(spec, str) and spec.partition(":")[0].strip() == ENSEMBLE)


@dataclass(frozen=True)
class Ensemble:
    """A weighted combination of models.

    ``members`` are model specs (``"compromise"``, ``"bdm:scholz"``); empty means every
    other model of the run (or every registered model when there is no other).
    ``weights`` are relative (normalised to sum 1); empty means equal weights.
    """

    members: tuple[str, ...] = ()
    weights: tuple[float, ...] = ()
    name: str = ENSEMBLE

    @classmethod
    def parse(cls, spec: str) -> Ensemble:
        """``ensemble`` | ``ensemble:compromise=2,nash=1`` | ``ensemble:compromise,nash``."""
        head, _, rest = spec.partition(":")
        if head.strip() != ENSEMBLE:
            raise ModelSpecError(f"{spec!r} is not an ensemble spec")
        if not rest.strip():
            return cls()
        members, weights = [], []
        for part in rest.split(","):
            member, sep, w = part.strip().rpartition("=")
            if not sep:
                member, w = w, "1"
            member = member.strip()
            if not member:
                raise ModelSpecError(f"ensemble {spec!r}: {part!r} names no model; write "
                                     "ensemble:MODEL=WEIGHT,MODEL=WEIGHT")
            try:
                weight = float(w)
            except ValueError:
                raise ModelSpecError(f"ensemble {spec!r}: weight {w!r} of {member!r} is not "
                                     "a number") from None
            if not math.isfinite(weight) or weight < 0:
                raise ModelSpecError(f"ensemble {spec!r}: weight {w!r} of {member!r} must be "
                                     "a number >= 0")
            members.append(member)
            weights.append(weight)
        if sum(weights) <= 0:
            raise ModelSpecError(f"ensemble {spec!r}: the weights sum to 0")
        return cls(tuple(members), tuple(weights))


@dataclass(frozen=True)
class ModelPlan:
    """The models to run and the ensembles to build from them (by index into ``models``)."""

    models: tuple[BaseModel, ...]
    ensembles: tuple[tuple[Ensemble, tuple[int, ...], tuple[float, ...]], ...] = ()

    @property
    def labels(self) -> list[str]:
        """Unique labels in result order: the models, then the ensembles (see
        :func:`unique_labels`)."""
        return unique_labels(self)


def _spec_of(cls: type[BaseModel], name: str, opts: Mapping[str, Any]
             ) -> tuple[str, dict[str, Any]]:
    """The spec (``name`` or ``name:preset``) closest to the options, and the options that
    differ from that spec's. A preset is named only when it explains more of the options
    than the defaults do."""
    try:
        defaults = cls().options_dict()
    except Exception:  # a model that cannot be built without options: no spec to compare to
        return name, {}
    best: tuple[str, dict[str, Any]] | None = None
    for preset, values in [(None, {}), *getattr(cls, "presets", {}).items()]:
        base = {**defaults, **values}
        diff = {k: v for k, v in opts.items() if base.get(k) != v}
        if best is None or len(diff) < len(best[1]):
            best = (name if preset is None else f"{name}:{preset}", diff)
    assert best is not None
    return best


def model_spec(model: BaseModel | ModelResult) -> str:
    """The spec (``bdm``, ``bdm:literal``) that names a model or a model's result: the preset
    closest to its options (options beyond it are not part of the spec)."""
    if isinstance(model, BaseModel):
        return _spec_of(type(model), model.name, model.options_dict())[0]
    try:
        cls = model_registry.model_class(model.model)
    except ModelSpecError:
        return model.model
    return _spec_of(cls, model.model, model.options)[0]


def _ensemble_spec(ensemble: Ensemble) -> str:
    if not ensemble.members:
        return ensemble.name
    weights = ensemble.weights or (1.0,) * len(ensemble.members)
    return f"{ensemble.name}:" + ",".join(f"{m}={w:g}" for m, w in
                                          zip(ensemble.members, weights, strict=True))


def unique_labels(models: ModelPlan | Sequence[BaseModel]) -> list[str]:
    """One label per model of a run (then per ensemble of a plan), unique within the run.

    A model's label is its name while no other model of the run has that name; else its spec
    (``bdm``, ``bdm:literal``: the preset closest to its options); where specs still repeat,
    the spec with the options that tell them apart (``bdm[rounds=3]``); and where models are
    the same, `` (2)``, `` (3)`` on the repeats. An ensemble is ``ensemble`` or, beside
    another, its spec (``ensemble:compromise=2,nash=1``). Results, tables, figures, JSON and
    shock differences key on these labels.
    """
    plan = models if isinstance(models, ModelPlan) else ModelPlan(tuple(models))
    names = [m.name for m in plan.models] + [e.name for e, _, _ in plan.ensembles]
    specs = [_spec_of(type(m), m.name, m.options_dict()) for m in plan.models]
    specs += [(_ensemble_spec(e), {}) for e, _, _ in plan.ensembles]
    labels = []
    for k, name in enumerate(names):
        if names.count(name) == 1:
            labels.append(name)
            continue
        spec, diff = specs[k]
        twins = [specs[j][1] for j in range(len(names)) if specs[j][0] == spec]
        if len(twins) > 1:
            keys = [key for key in diff if any(t.get(key) != diff[key] for t in twins)]
            if keys:
                spec += "[" + ",".join(f"{key}={diff[key]}" for key in keys) + "]"
        labels.append(spec)
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _same_model(a: BaseModel, b: BaseModel) -> bool:
    return type(a) is type(b) and a.options_dict() == b.options_dict()


def plan_models(models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None,
                options: dict[str, Any] | None = None) -> ModelPlan:
    """Resolve model specs, ensembles included.

    An ensemble's named members are run too (added after the other models if not already
    there), so an ensemble is always shown beside its members; an ensemble without named
    members combines every other model of the run, or every registered model.
    """
    if isinstance(models, ModelPlan):
        return models
    specs = list(models or [])
    ensembles = [s if isinstance(s, Ensemble) else Ensemble.parse(s)
                 for s in specs if is_ensemble_spec(s)]
    plain = [s for s in specs if not is_ensemble_spec(s)]
    chosen = resolve_models(plain or None, options) if plain or not ensembles else []
    if ensembles and not plain and any(not e.members for e in ensembles):
        chosen = resolve_models(None, options)
    built = []
    for e in ensembles:
        if e.members:
            indices = []
            for spec in e.members:
                m = resolve_models([spec], options)[0]
                found = next((k for k, c in enumerate(chosen) if _same_model(c, m)), None)
                if found is None:
                    chosen.append(m)
                    found = len(chosen) - 1
                indices.append(found)
            weights = np.asarray(e.weights if e.weights else [1.0] * len(indices), float)
        else:
            indices = list(range(len(chosen)))
            weights = np.ones(len(indices))
        weights = weights / weights.sum()
        built.append((e, tuple(indices), tuple(float(w) for w in weights)))
    return ModelPlan(tuple(chosen), tuple(built))


def estimated_seconds(scenario: Scenario, plan: ModelPlan, draws: int, shocks: int = 0,
                      sensitivity: bool = False) -> float:
    """A generous estimate of the CPU seconds a forecast takes: each model's declared cost
    (:class:`accord.models.base.Cost`, per draw × actors × issues × rounds) times the model
    passes (the draws plus the point run, for the base and each shock, and the sensitivity
    moves). The web app refuses forecasts over its budget with it."""
    passes = (1 + shocks) * (draws + (1 if draws > 1 else 0))
    if sensitivity:
        passes += 1 + 2 * len(scenario_inputs(scenario, "ranged"))
    n, d = len(scenario.actors), len(scenario.issues)
    return sum(m.estimated_seconds(passes, n, d) for m in plan.models)


def mix_draws(outcomes: Sequence[np.ndarray], weights: Sequence[float],
              rng: np.random.Generator) -> np.ndarray:
    """One (S, d) sample of the weighted mixture of the members' (S, d) draws.

    Draw s comes from one member, chosen so that member m supplies round(w_m S) draws
    (largest remainders) at seeded random places; each member's draw s is a draw of its own
    predictive distribution, so the result is a draw of the mixture.
    """
    stack = np.stack(outcomes)  # (M, S, d)
    m_count, s_count = stack.shape[0], stack.shape[1]
    w = np.asarray(weights, float)
    exact = w / w.sum() * s_count
    counts = np.floor(exact).astype(int)
    short = s_count - counts.sum()
    if short:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    who = rng.permutation(np.repeat(np.arange(m_count), counts))
    return stack[who, np.arange(s_count)]


def _ensemble_result(ensemble: Ensemble, members: Sequence[ModelResult],
                     weights: Sequence[float], rng: np.random.Generator,
                     thresholds: tuple[Threshold, ...], label: str = "") -> ModelResult:
    first = members[0].point
    w = np.asarray(weights, float)
    point_outcome = np.tensordot(w, np.stack([m.point.outcome for m in members]), axes=1)
    opts = {"members": [m.label for m in members], "weights": [float(x) for x in w]}
    notes = ["weighted mean of " + ", ".join(f"{m.label} {x:.2f}" for m, x in
                                               zip(members, w, strict=True))]
    point = Forecast(ensemble.name, opts, first.actor_ids, first.issue_ids, point_outcome,
                     notes=notes)
    spread = None
    if all(m.draws is not None for m in members):
        mixed = mix_draws([m.draws.outcome for m in members], w, rng)  # type: ignore[union-attr]
        spread = Forecast(ensemble.name, opts, first.actor_ids, first.issue_ids, mixed)
    return ModelResult(ensemble.name, opts, point, spread, thresholds, label)


# --------------------------------------------------------------------------- forecast


def fresh_seed(seed: Seed) -> np.random.SeedSequence:
    """A SeedSequence for ``seed`` that has spawned nothing yet (a copy when given one), so
    the children it spawns depend only on the seed, never on earlier use."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key,
                                      pool_size=seed.pool_size)
    return np.random.SeedSequence(seed)


def run_model(model: BaseModel, arrays: ScenarioArrays, seed: int | np.random.SeedSequence
              ) -> Forecast:
    return model.run(arrays, rng=np.random.default_rng(seed))


def forecast(scenario: Scenario,
             models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
             draws: int = 1, seed: Seed = 0, options: dict[str, Any] | None = None,
             progress: Progress | None = None,
             thresholds: Sequence[str | Threshold] = ()) -> ForecastResult:
    """Forecast a scenario with each model: point run, and with draws > 1 the distribution.

    models: specs (``"nash"``, ``"bdm:scholz"``, ``"ensemble:compromise=2,nash=1"``), model
      objects, or None for every registered model. Ensembles come after the models.
    thresholds: events such as ``"territory>=80"`` whose probability over the draws each
      :class:`ModelResult` reports (needs draws > 1).
    The same seed gives the same numbers; every model sees the same Monte Carlo draws.
    """
    plan = plan_models(models, options)
    parsed = tuple(parse_threshold(t, scenario.issue_ids) for t in thresholds)
    if parsed and draws < 2:
        raise AnalysisError("a probability needs Monte Carlo draws: add --draws N "
                            "(e.g. --draws 2000)")
    ss = fresh_seed(seed)
    central = sample(scenario, 1)
    sampled = sample(scenario, draws, np.random.default_rng(ss)) if draws > 1 else None
    model_seeds = ss.spawn(len(plan.models))
    labels = unique_labels(plan)
    result = ForecastResult(scenario, draws, _seed_int(seed), thresholds=parsed)
    for model, mss, label in zip(plan.models, model_seeds, labels, strict=False):
        if progress:
            progress(label)
        point_seed, draw_seed = mss.spawn(2)
        point = run_model(model, central, point_seed)
        spread = run_model(model, sampled, draw_seed) if sampled is not None else None
        result.results.append(ModelResult(model.name, model.options_dict(), point, spread,
                                          parsed, label))
    ens_labels = labels[len(plan.models):]
    for (ens, idx, w), ess, label in zip(plan.ensembles, ss.spawn(len(plan.ensembles)),
                                         ens_labels, strict=True):
        members = [result.results[k] for k in idx]
        result.results.append(_ensemble_result(ens, members, w, np.random.default_rng(ess),
                                               parsed, label))
    return result


def _seed_int(seed: Seed) -> int:
    if isinstance(seed, np.random.SeedSequence):
        return int(seed.entropy) if isinstance(seed.entropy, int) else 0
    return int(seed)


# --------------------------------------------------------------------------- JSON


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
        "outcome": {i: _jsonable(float(r.outcome[k])) for k, i in enumerate(issue_ids)},
    }
    dist = r.distribution()
    if dist is not None:
        entry["distribution"] = dist
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


# --------------------------------------------------------------------------- shocks


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
            out[b.label] = {i: float(s.outcome[k] - b.outcome[k])
                            for k, i in enumerate(issues)}
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
            entry: dict[str, Any] = {
                "name": run.name,
                "edits": list(run.edits),
                "forecasts": [forecast_entry(r, issues, participation(run.scenario))
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
               thresholds: Sequence[str | Threshold] = ()) -> ShockComparison:
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
                    thresholds=thresholds)
    comparison = ShockComparison(base)
    for name, edits, sc in shocked:
        res = forecast(sc, plan, draws, seed, progress=_prefixed(progress, name),
                       thresholds=thresholds)
        comparison.shocks.append(ShockRun(name, edits, sc, res))
    return comparison


def _prefixed(progress: Progress | None, prefix: str) -> Progress | None:
    if progress is None:
        return None
    return lambda what: progress(f"{what} ({prefix})")


# --------------------------------------------------------------------------- sensitivity

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
    return replace(base, position=pos, salience=sal, capability=cap, status_quo=sq)


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
    for model, mss, label in zip(plan.models, fresh_seed(seed).spawn(len(plan.models)), labels,
                                 strict=False):
        if progress:
            progress(label)
        outcomes.append(run_model(model, arrays, mss).outcome)
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


# --------------------------------------------------------------------------- sweeps

T = TypeVar("T")
R = TypeVar("R")
SweepProgress = Callable[[int, int, int], None]  # (index of the item done, done, total)


def sweep(items: Sequence[T], fn: Callable[[T, np.random.SeedSequence], R],
          executor: cf.Executor | None = None, *, seed: int = 0,
          seeds: Sequence[np.random.SeedSequence] | None = None,
          progress: SweepProgress | None = None) -> list[R]:
    """``[fn(item, seed_i) for each item]``, serially or through any Executor.

    Each item gets its own seed: ``SeedSequence(seed).spawn(len(items))`` unless ``seeds``
    gives them, so results do not depend on the executor or the order tasks finish in.
    ``fn`` (and the items) must pickle for a process pool or a Dask cluster: use a
    module-level function or a dataclass instance with ``__call__``. Results come back in
    the items' order; ``progress(index, done, total)`` is called as each one finishes.
    """
    items = list(items)
    spawned = list(seeds) if seeds is not None else np.random.SeedSequence(seed).spawn(
        len(items))
    if len(spawned) != len(items):
        raise ValueError(f"{len(spawned)} seeds for {len(items)} items")
    total = len(items)
    if executor is None:
        out = []
        for k, (item, ss) in enumerate(zip(items, spawned, strict=True)):
            out.append(fn(item, fresh_seed(ss)))
            if progress:
                progress(k, k + 1, total)
        return out
    futures = {executor.submit(fn, item, fresh_seed(ss)): k
               for k, (item, ss) in enumerate(zip(items, spawned, strict=True))}
    results: list[Any] = [None] * total
    try:
        for done, fut in enumerate(cf.as_completed(futures), start=1):
            k = futures[fut]
            results[k] = fut.result()
            if progress:
                progress(k, done, total)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise
    return results


ExecutorKind = Literal["serial", "thread", "process", "dask"]


@contextmanager
def make_executor(kind: ExecutorKind = "serial", workers: int | None = None,
                  scheduler: str | None = None) -> Iterator[cf.Executor | None]:
    """An executor for :func:`sweep` (None for serial), shut down on exit.

    ``dask`` needs the optional extra ``accord[dask]``: with ``scheduler`` (an address such
    as ``tcp://10.0.0.5:8786``) it uses that cluster, else a local cluster of ``workers``
    processes.
    """
    if kind == "serial":
        yield None
        return
    if kind == "thread":
        with cf.ThreadPoolExecutor(max_workers=workers) as ex:
            yield ex
        return
    if kind == "process":
        with cf.ProcessPoolExecutor(max_workers=workers) as ex:
            yield ex
        return
    if kind != "dask":
        raise AnalysisError(f"unknown executor {kind!r}; choose serial, thread, process or "
                            "dask")
    try:
        from distributed import Client
    except ImportError:
        raise AnalysisError("the dask executor needs the optional extra: "
                            "pip install 'accord[dask]'") from None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as e:
            raise AnalysisError(f"cannot reach the Dask scheduler at {scheduler}: {e}"
                                ) from None
    else:
        client = Client(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=None)
    try:
        yield client.get_executor()
    finally:
        client.close()
