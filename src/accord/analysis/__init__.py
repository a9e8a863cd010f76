"""Forecasts under uncertainty, ensembles, thresholds, sensitivity, shocks and sweeps.

One concern a module (each imports only those before it):

- ``calibration``: model-error terms for calibrated predictive intervals (fit from a
  backtest corpus, shipped for the DEU dev file);
- ``thresholds``: events such as ``"territory>=80"`` and their probability over draws;
- ``results``: :class:`ModelResult`, :class:`ForecastResult` with labelled outcomes
  (issue id -> value) and :func:`quantiles` computed once for all issues (axis names:
  :data:`accord.models.base.AXES`);
- ``sweeps``: seeds, executors, :func:`sweep`;
- ``ensembles``: model specs, presets, labels, ensembles (:func:`plan_models`);
- ``explain``: each model's explanation of its forecast and the cross-model brief
  (:func:`brief`, with the models' back-test :data:`RECORD`);
- ``advice``: advice for one actor, its candidate moves ranked in one batch per model
  (:func:`advise`);
- ``document``: the ``accord forecast --json`` document (:func:`to_json`);
- ``sensitivity``: one-at-a-time sensitivity (tornado numbers);
- ``forecast``: :func:`forecast` and what it costs (:func:`estimated_seconds`);
- ``shocks``: shocked scenarios beside the base (:func:`run_shocks`);
- ``summary``: the summary table (model, forecast, interval per issue) and the one number
  format that the CLI, the report and the dashboard print.

``from accord.analysis import X`` works for every name below.

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

# Every name above resolves on first use (PEP 562), importing only the submodule that defines
# it (start-up, issue 12): ``accord forecast`` loads neither ``advice`` nor what only
# ``advice`` needs. ``forecast`` and ``sensitivity`` are both functions exported here and
# submodules of this package; the import system sets a package attribute to the submodule
# once it is loaded, so ``_Package.__setattr__`` keeps the function under that name, as the
# eager imports of before did: ``accord.analysis.forecast`` is the function and
# ``from accord.analysis.forecast import forecast`` the way to reach the module's contents.

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.analysis.advice import (
        Advice,
        Effect,
        Move,
        Ranked,
        advise,
        ally_arrays,
        candidate_moves,
        moved_arrays,
    )
    from accord.analysis.document import (
        _jsonable,
        forecast_entry,
        participation,
        rounds_json,
        to_json,
    )
    from accord.analysis.ensembles import (
        ENSEMBLE,
        Ensemble,
        ModelPlan,
        _ensemble_result,
        _ensemble_spec,
        _same_model,
        _spec_of,
        every_model_name,
        is_ensemble_spec,
        mix_draws,
        model_spec,
        plan_models,
        resolve_models,
        unique_labels,
    )
    from accord.analysis.explain import (
        RECORD,
        RECORD_CORPUS,
        Brief,
        IssueBrief,
        ModelLine,
        Record,
        brief,
        explanation_of,
        record_text,
    )
    from accord.analysis.forecast import (
        _seed_int,
        add_predictive,
        estimated_seconds,
        forecast,
        with_war,
    )
    from accord.analysis.results import (
        NO_DRAWS,
        QUANTILES,
        STATISTICS,
        Distribution,
        ForecastResult,
        IssueValues,
        ModelResult,
        Quantiles,
        quantiles,
        summarise,
    )
    from accord.analysis.sensitivity import (
        SENSITIVITY_SPREAD,
        Input,
        SensitivityResult,
        Swing,
        perturbed_arrays,
        scenario_inputs,
        sensitivity,
        sensitivity_json,
    )
    from accord.analysis.shocks import (
        ShockComparison,
        ShockRun,
        _prefixed,
        run_shocks,
    )
    from accord.analysis.summary import (
        CALIBRATED_LABEL,
        INTERVAL,
        INTERVAL_LABEL,
        IssueTable,
        ShockRow,
        ShockTable,
        SummaryRow,
        decimals,
        format_difference,
        format_interval,
        format_value,
        point_text,
        shock_table,
        summary_table,
        swings,
    )
    from accord.analysis.sweeps import (
        ExecutorKind,
        Progress,
        Seed,
        SweepProgress,
        fresh_seed,
        make_executor,
        run_model,
        sweep,
    )
    from accord.analysis.thresholds import Threshold, parse_threshold, probability
    from accord.analysis.war import (
        WarEvent,
        WarSummary,
        is_war_event,
        parse_war_event,
        period_date,
        period_index,
        summarise_war,
    )
    from accord.errors import AnalysisError
    from accord.models.base import ModelSpecError

#: name -> the module that defines it, for every name of ``__all__``.
_EXPORTS: dict[str, str] = {
    "Advice": "accord.analysis.advice",
    "Effect": "accord.analysis.advice",
    "Move": "accord.analysis.advice",
    "Ranked": "accord.analysis.advice",
    "advise": "accord.analysis.advice",
    "ally_arrays": "accord.analysis.advice",
    "candidate_moves": "accord.analysis.advice",
    "moved_arrays": "accord.analysis.advice",
    "_jsonable": "accord.analysis.document",
    "forecast_entry": "accord.analysis.document",
    "participation": "accord.analysis.document",
    "rounds_json": "accord.analysis.document",
    "to_json": "accord.analysis.document",
    "ENSEMBLE": "accord.analysis.ensembles",
    "Ensemble": "accord.analysis.ensembles",
    "ModelPlan": "accord.analysis.ensembles",
    "_ensemble_result": "accord.analysis.ensembles",
    "_ensemble_spec": "accord.analysis.ensembles",
    "_same_model": "accord.analysis.ensembles",
    "_spec_of": "accord.analysis.ensembles",
    "every_model_name": "accord.analysis.ensembles",
    "is_ensemble_spec": "accord.analysis.ensembles",
    "mix_draws": "accord.analysis.ensembles",
    "model_spec": "accord.analysis.ensembles",
    "plan_models": "accord.analysis.ensembles",
    "resolve_models": "accord.analysis.ensembles",
    "unique_labels": "accord.analysis.ensembles",
    "RECORD": "accord.analysis.explain",
    "RECORD_CORPUS": "accord.analysis.explain",
    "Brief": "accord.analysis.explain",
    "IssueBrief": "accord.analysis.explain",
    "ModelLine": "accord.analysis.explain",
    "Record": "accord.analysis.explain",
    "brief": "accord.analysis.explain",
    "explanation_of": "accord.analysis.explain",
    "record_text": "accord.analysis.explain",
    "_seed_int": "accord.analysis.forecast",
    "add_predictive": "accord.analysis.forecast",
    "estimated_seconds": "accord.analysis.forecast",
    "forecast": "accord.analysis.forecast",
    "with_war": "accord.analysis.forecast",
    "NO_DRAWS": "accord.analysis.results",
    "QUANTILES": "accord.analysis.results",
    "STATISTICS": "accord.analysis.results",
    "Distribution": "accord.analysis.results",
    "ForecastResult": "accord.analysis.results",
    "IssueValues": "accord.analysis.results",
    "ModelResult": "accord.analysis.results",
    "Quantiles": "accord.analysis.results",
    "quantiles": "accord.analysis.results",
    "summarise": "accord.analysis.results",
    "SENSITIVITY_SPREAD": "accord.analysis.sensitivity",
    "Input": "accord.analysis.sensitivity",
    "SensitivityResult": "accord.analysis.sensitivity",
    "Swing": "accord.analysis.sensitivity",
    "perturbed_arrays": "accord.analysis.sensitivity",
    "scenario_inputs": "accord.analysis.sensitivity",
    "sensitivity": "accord.analysis.sensitivity",
    "sensitivity_json": "accord.analysis.sensitivity",
    "ShockComparison": "accord.analysis.shocks",
    "ShockRun": "accord.analysis.shocks",
    "_prefixed": "accord.analysis.shocks",
    "run_shocks": "accord.analysis.shocks",
    "CALIBRATED_LABEL": "accord.analysis.summary",
    "INTERVAL": "accord.analysis.summary",
    "INTERVAL_LABEL": "accord.analysis.summary",
    "IssueTable": "accord.analysis.summary",
    "ShockRow": "accord.analysis.summary",
    "ShockTable": "accord.analysis.summary",
    "SummaryRow": "accord.analysis.summary",
    "decimals": "accord.analysis.summary",
    "format_difference": "accord.analysis.summary",
    "format_interval": "accord.analysis.summary",
    "format_value": "accord.analysis.summary",
    "point_text": "accord.analysis.summary",
    "shock_table": "accord.analysis.summary",
    "summary_table": "accord.analysis.summary",
    "swings": "accord.analysis.summary",
    "ExecutorKind": "accord.analysis.sweeps",
    "Progress": "accord.analysis.sweeps",
    "Seed": "accord.analysis.sweeps",
    "SweepProgress": "accord.analysis.sweeps",
    "fresh_seed": "accord.analysis.sweeps",
    "make_executor": "accord.analysis.sweeps",
    "run_model": "accord.analysis.sweeps",
    "sweep": "accord.analysis.sweeps",
    "Threshold": "accord.analysis.thresholds",
    "parse_threshold": "accord.analysis.thresholds",
    "probability": "accord.analysis.thresholds",
    "WarEvent": "accord.analysis.war",
    "WarSummary": "accord.analysis.war",
    "is_war_event": "accord.analysis.war",
    "parse_war_event": "accord.analysis.war",
    "period_date": "accord.analysis.war",
    "period_index": "accord.analysis.war",
    "summarise_war": "accord.analysis.war",
    "AnalysisError": "accord.errors",
    "ModelSpecError": "accord.models.base",
}

#: Functions that share their name with a submodule of this package.
_SHADOWED = frozenset({"forecast", "sensitivity"})


class _Package(types.ModuleType):
    """This package's module type: a submodule set as the attribute of a function's name
    (which the import system does when it loads ``accord.analysis.forecast``) is replaced by
    that function."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    """The names of ``__all__`` and the submodules (``analysis.results``), on first use."""
    module = _EXPORTS.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "CALIBRATED_LABEL",
    "ENSEMBLE",
    "INTERVAL",
    "INTERVAL_LABEL",
    "NO_DRAWS",
    "QUANTILES",
    "RECORD",
    "RECORD_CORPUS",
    "SENSITIVITY_SPREAD",
    "STATISTICS",
    "Advice",
    "AnalysisError",
    "Brief",
    "Distribution",
    "Effect",
    "Ensemble",
    "ExecutorKind",
    "ForecastResult",
    "Input",
    "IssueBrief",
    "IssueTable",
    "IssueValues",
    "ModelLine",
    "ModelPlan",
    "ModelResult",
    "ModelSpecError",
    "Move",
    "Progress",
    "Quantiles",
    "Ranked",
    "Record",
    "Seed",
    "SensitivityResult",
    "ShockComparison",
    "ShockRow",
    "ShockRun",
    "ShockTable",
    "SummaryRow",
    "SweepProgress",
    "Swing",
    "Threshold",
    "WarEvent",
    "WarSummary",
    "_ensemble_result",
    "_ensemble_spec",
    "_jsonable",
    "_prefixed",
    "_same_model",
    "_seed_int",
    "_spec_of",
    "add_predictive",
    "advise",
    "ally_arrays",
    "brief",
    "candidate_moves",
    "decimals",
    "estimated_seconds",
    "every_model_name",
    "explanation_of",
    "forecast",
    "forecast_entry",
    "format_difference",
    "format_interval",
    "format_value",
    "fresh_seed",
    "is_ensemble_spec",
    "is_war_event",
    "make_executor",
    "mix_draws",
    "model_spec",
    "moved_arrays",
    "parse_threshold",
    "parse_war_event",
    "participation",
    "period_date",
    "period_index",
    "perturbed_arrays",
    "plan_models",
    "point_text",
    "probability",
    "quantiles",
    "record_text",
    "resolve_models",
    "rounds_json",
    "run_model",
    "run_shocks",
    "scenario_inputs",
    "sensitivity",
    "sensitivity_json",
    "shock_table",
    "summarise",
    "summarise_war",
    "summary_table",
    "sweep",
    "swings",
    "to_json",
    "unique_labels",
    "with_war",
]
