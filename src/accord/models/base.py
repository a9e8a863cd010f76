"""The model contract, the forecast it returns, and the registry of models.

Every model is a class with a ``name``, an ``Options`` frozen dataclass (defaults that name
their source), optional named ``presets`` and a ``run(arrays, rng=...)`` method returning a
:class:`Forecast`. ``accord.models.get("bdm:scholz", rounds=20)`` builds one by name.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from accord.arrays import ScenarioArrays
from accord.errors import ModelSpecError


@dataclass
class Forecast:
    """What a model says about a scenario.

    outcome: (S, d) the forecast per draw and issue.
    trajectory: (S, T+1, n, d) positions per round, round 0 = the input; None for models
      without rounds. Models whose draws stop at different rounds pad with the last state.
    round_outcome: (S, T+1, d) the model's outcome after each round (None without rounds).
    details: per round, model-specific diagnostics of draw 0 (BDM offers, SMP election
      probabilities, exchanges); plain JSON-able data. May be empty.
    extras: named arrays of diagnostics over draws (e.g. BDM's mean per round).
    """

    model: str
    options: dict[str, Any]
    actor_ids: tuple[str, ...]
    issue_ids: tuple[str, ...]
    outcome: np.ndarray
    trajectory: np.ndarray | None = None
    round_outcome: np.ndarray | None = None
    details: list[dict[str, Any]] = field(default_factory=list)
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def draws(self) -> int:
        return self.outcome.shape[0]

    @property
    def rounds(self) -> int:
        return 0 if self.trajectory is None else self.trajectory.shape[1] - 1


@runtime_checkable
class Model(Protocol):
    """A bargaining model: arrays in, forecast out. Never reads files, never prints."""

    name: str

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast: ...


@dataclass(frozen=True)
class NoOptions:
    """The model has no options."""


class BaseModel:
    """Convenience base: holds validated options; subclasses set name, Options, presets."""

    name: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    presets: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def options_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.options)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        raise NotImplementedError


_REGISTRY: dict[str, type[BaseModel]] = {}


def register(cls: type[BaseModel]) -> type[BaseModel]:
    """Class decorator: make a model available by its name."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    """Registered model names, in registration order."""
    return list(_REGISTRY)


def model_class(name: str) -> type[BaseModel]:
    if name not in _REGISTRY:
        raise ModelSpecError(f"unknown model {name!r}; the models are: {', '.join(_REGISTRY)}")
    return _REGISTRY[name]


def _coerce(value: Any, hint: Any, name: str) -> Any:
    """Turn a CLI string into the option's declared type."""
    if not isinstance(value, str):
        return value
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        allowed = typing.get_args(hint)
        for a in allowed:
            if str(a) == value:
                return a
        raise ModelSpecError(f"option {name}={value!r} is not allowed; choose one of: "
                             f"{' | '.join(map(str, allowed))}")
    if origin in (typing.Union, types.UnionType):
        errors = []
        for arg in typing.get_args(hint):
            if arg is type(None):
                if value.lower() in ("none", "null", ""):
                    return None
                continue
            try:
                return _coerce(value, arg, name)
            except ModelSpecError as err:
                errors.append(str(err))
        raise ModelSpecError(f"option {name}={value!r} is not allowed ({'; '.join(errors)})")
    if hint is bool:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ModelSpecError(f"option {name}={value!r} is not allowed; use on or off")
    if hint in (int, float):
        try:
            return hint(value)
        except ValueError:
            kind = "an integer" if hint is int else "a number"
            raise ModelSpecError(f"option {name}={value!r} is not {kind}") from None
    return value


def make_options(cls: type[BaseModel], preset: str | None, overrides: Mapping[str, Any]) -> Any:
    """The model's Options from a preset and overrides (strings are converted)."""
    values: dict[str, Any] = {}
    if preset:
        if preset not in cls.presets:
            known = ", ".join(cls.presets) or "(none)"
            raise ModelSpecError(f"model {cls.name!r} has no preset {preset!r}; presets: {known}")
        values.update(cls.presets[preset])
    fields = {f.name: f for f in dataclasses.fields(cls.Options)}
    hints = typing.get_type_hints(cls.Options)
    for key, value in overrides.items():
        if key not in fields:
            known = ", ".join(fields) or "(none)"
            raise ModelSpecError(f"model {cls.name!r} has no option {key!r}; options: {known}")
        values[key] = _coerce(value, hints[key], key)
    try:
        return cls.Options(**values)
    except (TypeError, ValueError) as err:
        raise ModelSpecError(f"model {cls.name!r}: {err}") from None


def get(spec: str, **options: Any) -> BaseModel:
    """A model by spec ``name`` or ``name:preset``, with option overrides."""
    name, _, preset = spec.partition(":")
    cls = model_class(name)
    return cls(make_options(cls, preset or None, options))


Factory = Callable[..., BaseModel]
