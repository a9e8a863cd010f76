"""The model contract, the forecast it returns, options, cost, and the registry of models.

Every model is a class with a ``name``, an ``Options`` frozen dataclass derived from
:class:`ModelOptions` (defaults that name their source), optional named ``presets``, its
declared :class:`Cost` and a ``run(arrays, rng=...)`` method returning a :class:`Forecast`.
``accord.models.get("bdm:scholz", rounds=20)`` builds one by name.

Options are checked in one place, :func:`check_options`, from their type hints alone:
``Literal[...]`` choices, ``int``/``float``/``bool`` types (an int is a float, a bool is not a
number) and ranges written as ``Annotated[float, Interval(ge=0, le=1)]`` (``annotated_types``,
which pydantic uses). A model declares its options and gets the check, the CLI's string
conversion and the conformance suite's bad-value tests with nothing more to write.

A new model is one module: a ``BaseModel`` subclass with ``name``, ``Options``, ``cost`` and
``run``, decorated with :func:`register` (and imported in ``accord/models/__init__.py``).

The explain hook: a function at the end of the model's module decorated ``@explains(name)``
turns a forecast into an :class:`Explanation` (the numbers that decide it and a few plain
sentences, in the model's own mechanics); :func:`explain` finds it by the forecast's model.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, ClassVar, Protocol, TypeVar, runtime_checkable

import annotated_types
import numpy as np
import pydantic

from accord.arrays import ScenarioArrays
from accord.errors import ModelSpecError

T = TypeVar("T")
R = TypeVar("R")

# --------------------------------------------------------------------------- axes

DRAW, ROUND, ACTOR, ISSUE = "draw", "round", "actor", "issue"

AXES: dict[str, tuple[str, ...]] = {
    # ScenarioArrays (accord.arrays): the inputs, one leading draw axis (S = 1: central values)
    "position": (DRAW, ACTOR, ISSUE),
    "salience": (DRAW, ACTOR, ISSUE),
    "capability": (DRAW, ACTOR, ISSUE),
    "mask": (ACTOR, ISSUE),
    "status_quo": (DRAW, ISSUE),
    # Forecast: what a model returns
    "outcome": (DRAW, ISSUE),
    "trajectory": (DRAW, ROUND, ACTOR, ISSUE),
    "round_outcome": (DRAW, ROUND, ISSUE),
}
"""The one place that says which axis of which array is draw, round, actor and issue.

Every array of :class:`~accord.arrays.ScenarioArrays` and :class:`Forecast` keeps this order;
summaries reduce over an axis by name (``axis("outcome", DRAW)``), so no caller guesses a
number. Labels: draws are 0..S-1, rounds 0..T (round 0 = the input), actors
``actor_ids``, issues ``issue_ids``.
"""


def axis(array: str, name: str) -> int:
    """The position of axis ``name`` in the array ``array`` (see :data:`AXES`)."""
    return AXES[array].index(name)


@dataclass
class Forecast:
    """What a model says about a scenario (axis order: :data:`AXES`).

    outcome: (S, d) the forecast per draw and issue.
    trajectory: (S, T+1, n, d) positions per round, round 0 = the input; None for models
      without rounds. Models whose draws stop at different rounds pad with the last state.
      A Monte Carlo run asked for summaries (``run(..., trajectories=False)``, models with
      :attr:`BaseModel.trajectory_option`) keeps draw 0's only: shape (1, T+1, n, d).
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
        if self.round_outcome is not None:
            return self.round_outcome.shape[1] - 1
        return 0 if self.trajectory is None else self.trajectory.shape[1] - 1


@runtime_checkable
class Model(Protocol):
    """A bargaining model: arrays in, forecast out. Never reads files, never prints."""

    name: str

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast: ...


# --------------------------------------------------------------------------- options

Interval = annotated_types.Interval
"""A range for a numeric option: ``Annotated[float, Interval(ge=0, le=1)]``."""

Fraction = Annotated[float, Interval(ge=0.0, le=1.0)]
"""A number in [0, 1]."""

Count = Annotated[int, Interval(ge=0)]
"""A whole number >= 0 (rounds, steps)."""


@cache
def _adapter(hint: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(hint)


def allowed(hint: Any) -> str:
    """What a type hint allows, in words: ``one of: a | b``, ``a number in [0, 1]``."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return "one of: " + " | ".join(map(str, typing.get_args(hint)))
    if origin in (typing.Union, types.UnionType):
        return " or ".join("none" if a is type(None) else allowed(a)
                           for a in typing.get_args(hint))
    if origin is Annotated:
        base, *meta = typing.get_args(hint)
        bounds = []
        for m in meta:
            for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
                v = getattr(m, attr, None)
                if v is not None:
                    bounds.append(f"{sym} {v:g}")
        lo = next((b for b in bounds if b[0] == ">"), None)
        hi = next((b for b in bounds if b[0] == "<"), None)
        words = allowed(base)
        if lo and hi and lo.startswith(">=") and hi.startswith("<="):
            return f"{words} in [{lo[3:]}, {hi[3:]}]"
        return " ".join([words, *(b for b in (lo, hi) if b)])
    if hint is bool:
        return "on or off (true/false)"
    if hint is int:
        return "a whole number"
    if hint is float:
        return "a number"
    return getattr(hint, "__name__", str(hint))


def option_problems(options: Any) -> list[str]:
    """Every field of an options dataclass whose value its type hint does not allow."""
    hints = typing.get_type_hints(type(options), include_extras=True)
    problems = []
    for f in dataclasses.fields(options):
        value = getattr(options, f.name)
        hint = hints[f.name]
        try:
            _adapter(hint).validate_python(value, strict=True)
        except pydantic.ValidationError:
            problems.append(f"option {f.name}={value!r} is not allowed; {f.name} must be "
                            f"{allowed(hint)}")
    return problems


def check_options(options: Any) -> None:
    """Raise :class:`ModelSpecError` naming every option whose value its type does not allow."""
    problems = option_problems(options)
    if problems:
        raise ModelSpecError(f"{type(options).__name__}: " + "; ".join(problems))


@dataclass(frozen=True)
class ModelOptions:
    """Base of every model's options: a frozen dataclass checked on construction by
    :func:`check_options` (so ``SMPOptions(voting_rule="Nonsense")`` is a ModelSpecError)."""

    def __post_init__(self) -> None:
        check_options(self)


@dataclass(frozen=True)
class NoOptions(ModelOptions):
    """The model has no options."""


# --------------------------------------------------------------------------- cost

MIN_COST_ACTORS = 1  # (was a floor on n standing in for fixed costs; now ``Cost.fixed_ms``)


@dataclass(frozen=True)
class Cost:
    """A model's declared work, in CPU time on the development machine (measured with
    benchmarks/bench_cost.py on scenarios of 4, 20 and 50 actors with 1, 200 and 2000 draws,
    and rounded up; benchmarks/README.md "cost estimate"). ``runs`` runs of the model over
    ``draws`` draws in all, on a scenario with ``n`` actors and ``d`` issues, are expected to
    take

        runs × (fixed_ms / 1e3 + run_ns × n**run_power × d × rounds / 1e9)
        + draws × d × rounds × (ns × n**actor_power + ns_lower × n**lower_power) / 1e9

    seconds: ``fixed_ms`` is what a run costs whatever its size (sampling the scenario,
    set-up, summaries) and ``run_ns`` what it costs by size (the central run's details:
    exchanges, bargains); ``ns`` is the leading term per draw × actor**actor_power × issue ×
    round, ``ns_lower`` a lower-order one (``lower_power``, by default ``actor_power - 1``).
    ``rounds`` names the option that counts rounds (or steps); None for a model without
    rounds. The web app's budget adds these up (:func:`accord.analysis.estimated_seconds`);
    tests/test_cost.py checks each model's estimate against its measured CPU time (within
    2×, after scaling by this machine's speed on :func:`reference_seconds`)."""

    ns: float
    actor_power: int = 3
    rounds: str | None = None
    ns_lower: float = 0.0
    fixed_ms: float = 0.0
    lower_power: int | None = None
    run_ns: float = 0.0
    run_power: int = 2

    def seconds(self, options: Any, draws: int, actors: int, issues: int,
                runs: int = 1) -> float:
        """Estimated CPU seconds of ``runs`` runs of the model over ``draws`` draws in all
        on a scenario of that size."""
        rounds = 1.0
        if self.rounds is not None:
            rounds = max(1.0, float(getattr(options, self.rounds)))
        n = float(max(actors, MIN_COST_ACTORS))
        per_draw = self.ns * n ** self.actor_power
        if self.ns_lower:
            lower = self.actor_power - 1 if self.lower_power is None else self.lower_power
            per_draw += self.ns_lower * n ** lower
        per_run = self.fixed_ms * 1e6 + self.run_ns * n ** self.run_power * issues * rounds
        return (runs * per_run + per_draw * draws * issues * rounds) / 1e9


@dataclass(frozen=True)
class EngineCost(Cost):
    """A declared cost with a second one for the runs a model plays in compiled code:
    ``uses_compiled(options, draws, actors)`` says which engine such a run gets (SMP, the
    exchange model)."""

    compiled: Cost | None = None
    uses_compiled: Callable[[Any, int, int], bool] | None = None

    def seconds(self, options: Any, draws: int, actors: int, issues: int,
                runs: int = 1) -> float:
        if (self.compiled is not None and self.uses_compiled is not None
                and self.uses_compiled(options, draws, actors)):
            return self.compiled.seconds(options, draws, actors, issues, runs)
        return super().seconds(options, draws, actors, issues, runs)


def compiled_wanted(setting: str, module: str, work: int, threshold: int) -> bool:
    """Whether a run of ``work`` uses a model's compiled engine (numba, in ``module``): the
    environment variable ``setting`` = ``numpy`` or ``compiled`` says so; unset (``auto``),
    from ``threshold`` on (importing numba and loading cached code takes ~1 s), or at any
    size once this process has loaded ``module`` (a backtest's many small runs,
    :meth:`BaseModel.prepare`), where numba is installed."""
    import importlib.util
    import sys

    chosen = os.environ.get(setting, "auto").strip().lower()
    if chosen == "numpy":
        return False
    if chosen == "compiled" or module in sys.modules:
        return True
    return work >= threshold and importlib.util.find_spec("numba") is not None


UNKNOWN_COST = Cost(ns=500.0, rounds=None, fixed_ms=50.0)
"""What a model that declares no cost is assumed to need (above the dearest measured)."""

REFERENCE_SECONDS = 0.037
"""CPU seconds :func:`reference_seconds` takes on the machine the declared costs were
measured on: a machine k times slower takes k times both (tests/test_cost.py scales by it)."""


def reference_work() -> None:
    """A fixed numpy workload like the models' (broadcast arithmetic over draws × actors ×
    actors × issues, reductions, a sort, and many small-array calls), to tell how fast a
    machine is next to the one the declared costs were measured on."""
    rng = np.random.default_rng(0)
    x = rng.random((200, 20, 20, 3))
    for _ in range(6):
        y = np.abs(x - x.transpose(0, 2, 1, 3))
        z = (y * x).sum(axis=2)
        np.sort(z, axis=1)
        np.exp(-y, out=y)
    small = np.arange(12.0)
    for _ in range(5000):
        (small * 2.0).sum()


def reference_seconds(repeat: int = 5) -> float:
    """The median CPU seconds (:func:`time.process_time`) of :func:`reference_work`."""
    import statistics
    import time

    times = []
    for _ in range(repeat):
        c0 = time.process_time()
        reference_work()
        times.append(time.process_time() - c0)
    return statistics.median(times)


# --------------------------------------------------------------------------- models


def block_threads() -> int:
    """How many threads play a model's blocks of draws side by side: ``ACCORD_THREADS`` if
    set (1 turns it off), else one per core."""
    setting = os.environ.get("ACCORD_THREADS", "")
    if setting.strip().isdigit() and int(setting) >= 1:
        return int(setting)
    return os.cpu_count() or 1


def parallel_map(fn: Callable[[T], R], items: Iterable[T], threads: int | None = None
                 ) -> Iterator[R]:
    """``map(fn, items)``, the items side by side in ``threads`` threads (default
    :func:`block_threads`; never more than there are items), results in the items' order.
    For independent blocks of draws, or models: numpy releases the GIL inside its array
    loops, so operations of a few thousand elements run in parallel; ``fn`` must not share
    mutable state between items, so the numbers do not depend on the number of threads."""
    items = list(items)
    threads = min(block_threads() if threads is None else threads, len(items))
    if threads <= 1:
        yield from map(fn, items)
        return
    import concurrent.futures as cf  # here: threading and logging for the runs that use it

    with cf.ThreadPoolExecutor(max_workers=threads) as pool:
        yield from pool.map(fn, items)


class BaseModel:
    """Base of every model: holds checked options; subclasses set ``name``, ``Options``
    (a :class:`ModelOptions` dataclass), ``presets``, ``cost`` and ``run``."""

    name: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    presets: ClassVar[dict[str, dict[str, Any]]] = {}
    cost: ClassVar[Cost | None] = None

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()
        if not isinstance(self.options, self.Options):
            raise ModelSpecError(f"model {self.name!r} takes {self.Options.__name__}, not "
                                 f"{type(self.options).__name__}")
        check_options(self.options)

    def options_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self.options)

    def estimated_seconds(self, draws: int, actors: int, issues: int, runs: int = 1) -> float:
        """The CPU seconds ``runs`` runs over ``draws`` draws in all are expected to take
        (from :attr:`cost`)."""
        return (self.cost or UNKNOWN_COST).seconds(self.options, draws, actors, issues, runs)

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        raise NotImplementedError

    def prepare(self, workload: Sequence[tuple[int, int]]) -> None:
        """Get ready for the runs ahead, (draws, actors) each (a backtest's proposals, or
        advise's moves): a model with a one-off set-up that pays only over much work (SMP's
        compiled code) does it now. The default does nothing."""

    issue_by_issue: ClassVar[bool] = False
    """Whether the model forecasts each issue on its own, from that issue's inputs only
    (positions, saliences, capabilities, mask, scale and status quo on that issue), each draw
    from its own inputs only, and uses no random numbers. Then a batch of draws may carry
    edits on different issues in one draw and read each issue's forecast as if the other
    edits were absent (``accord.analysis.advice`` packs its moves that way); a test checks
    the packed batch against the full one for every model that declares it."""

    trajectory_option: ClassVar[bool] = False
    """Whether ``run`` takes ``trajectories=False``: keep the per-round positions of draw 0
    only, summaries (outcomes per round) for every draw (issue 12, Monte Carlo memory)."""

    def run_draws(self, arrays: ScenarioArrays, *, rng: np.random.Generator,
                  trajectories: bool = False) -> Forecast:
        """``run`` for Monte Carlo draws: every draw's trajectory only if ``trajectories``
        (models without rounds have none to drop)."""
        if self.trajectory_option:
            return self.run(arrays, rng=rng, trajectories=trajectories)  # type: ignore[call-arg]
        return self.run(arrays, rng=rng)


BUILTIN: dict[str, str] = {
    "compromise": "accord.models.compromise",
    "median": "accord.models.median",
    "nash": "accord.models.nash",
    "bdm": "accord.models.bdm",
    "smp": "accord.models.smp",
    "exchange": "accord.models.exchange",
    "war": "accord.models.war",
    "core": "accord.models.core",
}
"""The built-in models by name, in the order they are shown, and the module each lives in:
the registry knows their names without importing them, and imports a model's module only
when it is asked for (start-up, issue 12). A test checks this table against the modules."""

_REGISTRY: dict[str, type[BaseModel]] = {}


def register(cls: type[BaseModel]) -> type[BaseModel]:
    """Class decorator: make a model available by its name."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def names() -> list[str]:
    """Model names: the built-in ones (:data:`BUILTIN`, without importing them), then any
    other registered model, in registration order."""
    return list(dict.fromkeys([*BUILTIN, *_REGISTRY]))


def model_class(name: str) -> type[BaseModel]:
    """The model class of a name, importing its module on first use."""
    if name not in _REGISTRY and name in BUILTIN:
        importlib.import_module(BUILTIN[name])
    if name not in _REGISTRY:
        raise ModelSpecError(f"unknown model {name!r}; the models are: {', '.join(names())}")
    return _REGISTRY[name]


def model_classes() -> list[type[BaseModel]]:
    """Every model class, importing the built-in modules not yet imported."""
    return [model_class(name) for name in names()]


def _coerce(value: Any, hint: Any, name: str) -> Any:
    """Turn a CLI string into the option's declared type."""
    if not isinstance(value, str):
        return value
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        choices = typing.get_args(hint)
        for a in choices:
            if str(a) == value:
                return a
        raise ModelSpecError(f"option {name}={value!r} is not allowed; choose one of: "
                             f"{' | '.join(map(str, choices))}")
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
        raise ModelSpecError(f"option {name}={value!r} is not choices ({'; '.join(errors)})")
    if hint is bool:
        if value.lower() in ("1", "true", "yes", "on"):
            return True
        if value.lower() in ("0", "false", "no", "off"):
            return False
        raise ModelSpecError(f"option {name}={value!r} is not choices; use on or off")
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
    except ModelSpecError as err:
        raise ModelSpecError(f"model {cls.name!r}: {err}") from None
    except (TypeError, ValueError) as err:
        raise ModelSpecError(f"model {cls.name!r}: {err}") from None


def get(spec: str, **options: Any) -> BaseModel:
    """A model by spec ``name`` or ``name:preset``, with option overrides."""
    name, _, preset = spec.partition(":")
    cls = model_class(name)
    return cls(make_options(cls, preset or None, options))


Factory = Callable[..., BaseModel]


# --------------------------------------------------------------------------- explanations


@dataclass
class Explanation:
    """Why a model gives its forecast, in the model's own mechanics (shared/DESIGN.md,
    "Explanations and advice"): per issue a small JSON-able record of the numbers that decide
    it (``facts``) and a few plain sentences (``sentences``), plus sentences about the whole
    scenario (``general``, e.g. SMP's coalitions or the exchange model's trades).

    Explanations read the central run (draw 0 of the forecast and of the arrays)."""

    model: str
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    sentences: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "general": list(self.general),
                "issues": {iid: {"sentences": self.sentences.get(iid, []),
                                 "facts": self.facts.get(iid, {})}
                           for iid in dict.fromkeys([*self.facts, *self.sentences])}}


Explainer = Callable[[Forecast, ScenarioArrays], Explanation]
_EXPLAINERS: dict[str, Explainer] = {}


def explains(name: str) -> Callable[[Explainer], Explainer]:
    """Decorator: ``@explains("median")`` makes a function ``(forecast, arrays) ->
    Explanation`` the explanation of that model's forecasts. Each model module ends with its
    own, so a new model brings its explanation with it."""

    def decorator(f: Explainer) -> Explainer:
        _EXPLAINERS[name] = f
        return f

    return decorator


def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The explanation of ``forecast`` (a run on ``arrays``; draw 0 is explained). A model
    without an explainer gets a plain statement of its forecast and notes."""
    if forecast.model not in _EXPLAINERS and forecast.model in BUILTIN:
        importlib.import_module(BUILTIN[forecast.model])  # its module holds the explainer
    explainer = _EXPLAINERS.get(forecast.model)
    if explainer is not None:
        return explainer(forecast, arrays)
    span = arrays.scale_range
    return Explanation(forecast.model, general=[
        f"{forecast.model} gives no explanation of its own; it forecasts "
        + ", ".join(f"{iid} {on_scale(forecast.outcome[0, k], span[k])}"
                    for k, iid in enumerate(forecast.issue_ids)) + ".",
        *forecast.notes])


def on_scale(x: float, span: float) -> str:
    """A value on a scale of width ``span`` to a thousandth of it (0–100 → ``60.5``), as the
    tables print it (``accord.analysis.summary.format_value``)."""
    if not np.isfinite(x):
        return "–"
    dec = 3 if not (np.isfinite(span) and span > 0) else max(
        0, 3 - int(np.ceil(np.log10(span) - 1e-12)))
    text = f"{x:.{dec}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def signed(x: float, span: float) -> str:
    """A difference on that scale, with its sign (``+4.5``, ``-16.2``)."""
    text = on_scale(abs(x), span)
    return text if float(text) == 0 else ("+" if x > 0 else "-") + text


def names_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
