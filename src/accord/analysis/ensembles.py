"""Which models run: specs and presets, labels that tell variants apart, ensembles.

``"ensemble"`` (or ``"ensemble:compromise=2,nash=1"``) among the models combines the members'
forecasts: the point forecast is the weighted mean of the members' point forecasts, the
distribution the weighted mixture of their draws (:func:`mix_draws`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord import models as model_registry
from accord.analysis.results import ModelResult
from accord.analysis.thresholds import Threshold
from accord.models.base import BaseModel, Forecast, ModelSpecError


def every_model_name() -> list[str]:
    """The registered models that run on any scenario: "all models". The war model needs a
    ``conflict:`` section, so :func:`accord.analysis.forecast` adds it where there is one."""
    return [n for n in model_registry.names()
            if not getattr(model_registry.model_class(n), "requires_conflict", False)]


def resolve_models(models: Sequence[str | BaseModel] | None,
                   options: dict[str, Any] | None = None) -> list[BaseModel]:
    """Model objects from specs (``"bdm:scholz"``) or objects; None means all registered.

    ``options`` are applied to every model that declares them (others ignore them); an
    option that none of the chosen models declares is a mistake (ModelSpecError).
    Ensemble specs are not models: see :func:`plan_models`.
    """
    specs: Sequence[str | BaseModel] = models if models else every_model_name()
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
            if not math.isfinite(weight) or not 0 <= weight <= 1e6:
                raise ModelSpecError(f"ensemble {spec!r}: weight {w!r} of {member!r} must be "
                                     "a number from 0 to 1e6 (weights are relative)")
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
    # the user named no model ("all models"): forecast() then adds the war model where the
    # scenario has a conflict: section, and says why it is left out where it has not
    every: bool = False

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
            indices = [k for k, c in enumerate(chosen)  # not the one-issue war model
                       if not getattr(c, "requires_conflict", False)]
            weights = np.ones(len(indices))
        weights = weights / weights.sum()
        built.append((e, tuple(indices), tuple(float(w) for w in weights)))
    return ModelPlan(tuple(chosen), tuple(built), every=not plain)


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
