"""Backtest: models against real outcomes, on data in the DEU format.

The DEU data are read by :mod:`accord.io.deu` (:func:`load_deu`, re-exported here) into
:class:`Proposal` objects, one multi-issue scenario per proposal. :func:`backtest` runs models on
every proposal through :func:`accord.analysis.sweep` and scores them on the issues that have
an outcome.

Input noise (for the coverage of predictive intervals, draws > 1): every actor's position,
salience and capability, and the reference point, get a triangular range around the coded
value (mode = coded value): positions and the reference point ± ``Noise.position`` points,
saliences ± ``Noise.salience`` points, both clipped to 0–100, and capabilities
× (1 ± ``Noise.capability``). The defaults (±10, ±20, ±25 %) were set before looking at any
result, as a guess at expert-coding error; see docs/validation.md for what they give.
"""
# Longer than ~500 lines on purpose: scoring models against outcomes (point scores, interval
# coverage, CRPS, paired bootstrap, cross-validated calibration) is one concern; the DEU
# reading is in accord.io.deu and the calibration itself in accord.analysis.calibration.

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scoringrules as sr

from accord import analysis
from accord.analysis import Ensemble, ModelPlan, calibration
from accord.analysis.calibration import Calibration, CalibrationSet
from accord.arrays import to_arrays
from accord.io.deu import (  # noqa: F401  the reading moved to io; its names stay here
    DEFAULT_SALIENCE,
    Capabilities,
    DeuIssue,
    Institutions,
    Proposal,
    issue_capabilities,
    load_deu,
    read_capabilities,
)
from accord.models.base import BaseModel
from accord.scenario import Scenario

REFERENCE = "compromise"  # the model every other is compared against (DESIGN.md)

# --------------------------------------------------------------------------- noise


@dataclass(frozen=True)
class Noise:
    """Input noise for predictive intervals: triangular ranges around the coded values.

    position: ± points (positions and reference point, clipped to the scale).
    salience: ± points (clipped to 0–100). capability: ± this share of the value.
    """

    position: float = 10.0
    salience: float = 20.0
    capability: float = 0.25

    @classmethod
    def parse(cls, pairs: Sequence[str]) -> Noise:
        """From ``KEY=VALUE`` pairs (``position=10``); unknown keys raise AnalysisError."""
        values: dict[str, float] = {}
        for pair in pairs:
            for part in pair.split(","):
                key, sep, value = part.partition("=")
                key = key.strip()
                if not sep or key not in cls.__dataclass_fields__:
                    raise analysis.AnalysisError(
                        f"--noise {part!r} is not KEY=VALUE with KEY one of position, "
                        "salience, capability")
                try:
                    v = float(value)
                except ValueError:
                    raise analysis.AnalysisError(f"--noise {part!r}: {value!r} is not a "
                                                 "number") from None
                if not math.isfinite(v) or v < 0:
                    raise analysis.AnalysisError(f"--noise {part!r}: must be a number >= 0")
                values[key] = v
        return cls(**values)


def with_noise(scenario: Scenario, noise: Noise) -> Scenario:
    """The scenario with every actor number and status quo given the noise's range."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    default_scale = data["scale"]

    def ranged(q: dict[str, Any], step: float, lo: float, hi: float) -> dict[str, Any]:
        v = q["value"]
        return {**q, "low": max(v - step, lo), "high": min(v + step, hi), "dist": "triangular"}

    scales = {}
    for issue in data["issues"]:
        lo, hi = issue.get("scale", default_scale)
        scales[issue["id"]] = (lo, hi)
        if issue.get("status_quo"):
            issue["status_quo"] = ranged(issue["status_quo"], noise.position, lo, hi)
    for actor in data["actors"]:
        for iid, q in actor["position"].items():
            actor["position"][iid] = ranged(q, noise.position, *scales[iid])
        for iid, q in actor["salience"].items():
            actor["salience"][iid] = ranged(q, noise.salience, 0.0, 100.0)
        cap = actor["capability"]
        if "value" in cap:
            actor["capability"] = ranged(cap, noise.capability * abs(cap["value"]), 0.0, math.inf)
        else:
            actor["capability"] = {i: ranged(q, noise.capability * abs(q["value"]), 0.0,
                                             math.inf) for i, q in cap.items()}
    return Scenario.model_validate(data)


# --------------------------------------------------------------------------- running

INTERVALS = ("q05", "q10", "q90", "q95")


@dataclass(frozen=True)
class TaskOutput:
    """One model on one proposal: point forecast (d,), interval ends (4, d) or None,
    the draws (S, d) (the central forecast (1, d) without draws), the error if the model
    failed."""

    point: np.ndarray
    interval: np.ndarray | None
    draws: np.ndarray | None
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class ModelTask:
    """Runs one model on one proposal (a picklable callable for :func:`analysis.sweep`).

    Every model on a proposal gets the proposal's seed, so all see the same noise draws.
    """

    model: BaseModel
    draws: int
    noise: Noise

    def __call__(self, proposal: Proposal, seed: np.random.SeedSequence) -> TaskOutput:
        sc = with_noise(proposal.scenario, self.noise) if self.draws > 1 else proposal.scenario
        t0 = time.perf_counter()
        d = len(sc.issues)
        try:
            res = analysis.forecast(sc, [self.model], draws=self.draws, seed=seed).results[0]
        except Exception as e:  # a model failing on one proposal must not lose the rest
            return TaskOutput(np.full(d, np.nan), None, None, time.perf_counter() - t0,
                              f"{type(e).__name__}: {e}")
        interval = None
        kept = np.asarray(res.point.outcome, float)  # (1, d): the central forecast
        if res.draws is not None:
            qs = [analysis.QUANTILES[q] for q in INTERVALS]
            interval = np.quantile(res.draws.outcome, qs, axis=0)
            kept = res.draws.outcome
        return TaskOutput(np.asarray(res.outcome, float), interval, kept,
                          time.perf_counter() - t0)


@dataclass(frozen=True)
class Scores:
    """One model's accuracy on a set of issues.

    n: issues scored (with an outcome and a finite forecast). paired: mean of
    |error| − |error of compromise| over the issues both scored, with a bootstrap 95 %
    interval resampling proposals. coverage: share of outcomes inside the 80 % (q10–q90)
    and 90 % (q05–q95) intervals of input noise (None without draws). predictive (with a
    calibration): mean CRPS, the paired CRPS difference against the compromise model
    [bootstrap 95 %], coverage and mean width of the calibrated 80 % and 90 % intervals.
    """

    model: str
    n: int
    mae: float
    median_ae: float
    rmse: float
    within10: float
    mean_diff: float
    ci95: tuple[float, float]
    coverage: dict[str, float] | None
    failures: int = 0
    predictive: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"model": self.model, "n": self.n, "mae": self.mae, "median_ae": self.median_ae,
               "rmse": self.rmse, "within10": self.within10,
               "paired_vs_compromise": {"mean_diff": self.mean_diff, "ci95": list(self.ci95)},
               "coverage": self.coverage}
        if self.predictive is not None:
            out["predictive"] = self.predictive
        if self.failures:
            out["failures"] = self.failures
        return analysis._jsonable(out)


def bootstrap_mean_ci(diff: np.ndarray, cluster: np.ndarray, reps: int,
                      rng: np.random.Generator, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean of ``diff`` resampling whole clusters.

    Each replicate draws the clusters with replacement (as many as there are) and takes the
    mean over all their elements (a ratio estimator: clusters weigh by their size).
    """
    if diff.size == 0:
        return (math.nan, math.nan)
    labels, inverse = np.unique(cluster, return_inverse=True)
    sums = np.bincount(inverse, weights=diff, minlength=labels.size)
    sizes = np.bincount(inverse, minlength=labels.size).astype(float)
    picks = rng.multinomial(labels.size, np.full(labels.size, 1.0 / labels.size), size=reps)
    est = (picks @ sums) / (picks @ sizes)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(est, [tail, 1.0 - tail])
    return (float(lo), float(hi))


@dataclass
class BacktestResult:
    """Forecasts and outcomes of every scored issue (rows), per model.

    outcome (N,), proposal (N,) index into ``proposals``, prediction[model] (N,),
    interval[model] (N, 4) = q05, q10, q90, q95 (only with draws > 1).
    """

    proposals: list[Proposal]
    models: list[str]
    issue_ids: list[str]
    meta: list[dict[str, str]]
    outcome: np.ndarray
    proposal: np.ndarray
    prediction: dict[str, np.ndarray]
    interval: dict[str, np.ndarray] = field(default_factory=dict)
    draws: int = 1
    seed: int = 0
    noise: Noise = field(default_factory=Noise)
    bootstrap: int = 2000
    seconds: dict[str, float] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    samples: dict[str, np.ndarray] = field(default_factory=dict)  # model -> (N, S) draws
    features: np.ndarray | None = None  # (N, 4) difficulty, off-centre of the compromise
    lower: np.ndarray | None = None  # (N,) scale bounds
    upper: np.ndarray | None = None
    calibrated: CalibratedScores | None = None

    @property
    def n_issues(self) -> int:
        return int(self.outcome.size)

    def scores(self, rows: np.ndarray | None = None, boot_key: int = 0) -> list[Scores]:
        """Scores of every model on the given rows (boolean mask; default all).

        The bootstrap is seeded from the backtest's seed and ``boot_key``, and every model
        is resampled with the same proposals.
        """
        rows = np.ones(self.n_issues, bool) if rows is None else np.asarray(rows, bool)
        ref = self.prediction.get(REFERENCE)
        ref_err = np.abs(ref - self.outcome) if ref is not None else None
        out = []
        for model in self.models:
            err = np.abs(self.prediction[model] - self.outcome)
            ok = rows & np.isfinite(err)
            e = err[ok]
            n = int(ok.sum())
            nan = math.nan
            mae = float(e.mean()) if n else nan
            med = float(np.median(e)) if n else nan
            rmse = float(np.sqrt(np.mean(e ** 2))) if n else nan
            within = float(np.mean(e <= 10.0)) if n else nan
            mean_diff, ci = nan, (nan, nan)
            if ref_err is not None:
                both = ok & np.isfinite(ref_err)
                diff = err[both] - ref_err[both]
                if diff.size:
                    mean_diff = float(diff.mean())
                    rng = np.random.default_rng(np.random.SeedSequence(self.seed,
                                                                       spawn_key=(1, boot_key)))
                    ci = bootstrap_mean_ci(diff, self.proposal[both], self.bootstrap, rng)
            coverage = None
            if model in self.interval:
                q = self.interval[model][ok]
                y = self.outcome[ok]
                coverage = {
                    "80": float(np.mean((q[:, 1] <= y) & (y <= q[:, 2]))) if n else nan,
                    "90": float(np.mean((q[:, 0] <= y) & (y <= q[:, 3]))) if n else nan,
                }
            failures = int((rows & np.isnan(self.prediction[model])).sum())
            pred = None
            if self.calibrated is not None and model in self.calibrated.crps:
                pred = self.calibrated.summary(model, rows, self.proposal, self.outcome,
                                               self.bootstrap, np.random.SeedSequence(
                                                   self.seed, spawn_key=(3, boot_key)))
            out.append(Scores(model, n, mae, med, rmse, within, mean_diff, ci, coverage,
                              failures, pred))
        return out

    def groups(self, columns: Sequence[str]) -> list[tuple[str, np.ndarray]]:
        """(value, rows) per distinct value of the columns (joined with '/'), sorted."""
        for c in columns:
            if self.meta and c not in self.meta[0]:
                known = ", ".join(self.meta[0])
                raise analysis.AnalysisError(f"--by {c!r} is not a column of the file; "
                                             f"columns: {known}")
        keys = np.array(["/".join(m[c] for c in columns) for m in self.meta])
        return [(str(v), keys == v) for v in sorted(set(keys.tolist()))]

    def breakdown(self, by: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Scores per group for each ``by`` item (a column, or columns joined by '+')."""
        out: dict[str, dict[str, Any]] = {}
        key = 1
        for item in by:
            columns = [c.strip() for c in item.split("+") if c.strip()]
            groups: dict[str, Any] = {}
            for value, rows in self.groups(columns):
                groups[value] = {"n_issues": int(rows.sum()),
                                 "models": [s.to_json() for s in self.scores(rows, key)]}
                key += 1
            out["+".join(columns)] = groups
        return out

    def to_json(self, by: Sequence[str] = ()) -> dict[str, Any]:
        """``{"n_issues", "models": [...], ...}`` as issue 6 fixes it, plus the run's
        settings and, with ``by``, ``breakdown``: column -> value -> {n_issues, models}."""
        doc: dict[str, Any] = {
            "n_issues": self.n_issues,
            "models": [s.to_json() for s in self.scores()],
            "n_proposals": len(self.proposals),
            "draws": self.draws,
            "seed": self.seed,
            "bootstrap": self.bootstrap,
        }
        if self.draws > 1:
            doc["noise"] = {"position": self.noise.position, "salience": self.noise.salience,
                            "capability": self.noise.capability}
        if self.calibrated is not None:
            doc["calibration"] = self.calibrated.source
        if by:
            doc["breakdown"] = self.breakdown(by)
        doc["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return analysis._jsonable(doc)


BacktestProgress = Callable[[str, int, int], None]  # (what finished, done, total)


def backtest(proposals: Sequence[Proposal],
             models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
             draws: int = 1, seed: int = 0, noise: Noise | None = None,
             options: dict[str, Any] | None = None, bootstrap: int = 2000,
             executor: Any = None, progress: BacktestProgress | None = None,
             calibrations: CalibrationSet | None = None, cv: int | None = None,
             method: str = calibration.DEFAULT_METHOD) -> BacktestResult:
    """Run each model on every proposal and collect forecasts of the issues with outcomes.

    models: as in :func:`accord.analysis.forecast` (None = every registered model); the
      compromise model is added when missing, as every model is compared against it.
    draws > 1 adds input noise (``noise``, default :class:`Noise`) and predictive intervals.
    One task per model and proposal goes through :func:`accord.analysis.sweep` (serially, or
    through ``executor``); a proposal's seed is the same for every model, so the numbers do
    not depend on the executor. A model that raises on a proposal gets NaN there (its error
    is kept in ``errors``) and the others go on.
    Predictive scores (CRPS, calibrated intervals; :func:`calibrate_result`): with ``cv`` = K
    from calibrations fit (``method``) on K − 1 folds of proposals, else from
    ``calibrations`` when given.
    """
    if draws < 1:
        raise analysis.AnalysisError(f"draws must be at least 1, got {draws}")
    noise = noise or Noise()
    plan = analysis.plan_models(models, options)
    if not any(m.name == REFERENCE for m in plan.models):
        ref = analysis.resolve_models([REFERENCE])[0]
        plan = ModelPlan((ref, *plan.models),
                         tuple((e, tuple(k + 1 for k in idx), w) for e, idx, w in plan.ensembles))
    labels = analysis.unique_labels(plan)
    props = list(proposals)
    workload = [(draws, len(prop.scenario.actors)) for prop in props]
    for model in plan.models:
        model.prepare(workload)  # e.g. SMP loads its compiled code for the many runs ahead
    seeds = np.random.SeedSequence(seed).spawn(len(props))
    tasks = [(ModelTask(m, draws, noise), prop)
             for k, m in enumerate(plan.models) for prop in props]
    report = None
    if progress:
        def report(k: int, done: int, total: int) -> None:
            progress(labels[k // max(len(props), 1)], done, total)
    outputs = analysis.sweep(tasks, run_task, executor,
                             seeds=[seeds[k % len(props)] for k in range(len(tasks))],
                             progress=report)

    scored = [(p, k) for p, prop in enumerate(props) for k, i in enumerate(prop.issues)
              if i.outcome is not None]
    outcome = np.array([props[p].issues[k].outcome for p, k in scored], float)
    result = BacktestResult(
        proposals=props, models=labels,
        issue_ids=[props[p].issues[k].id for p, k in scored],
        meta=[props[p].issues[k].meta for p, k in scored],
        outcome=outcome, proposal=np.array([p for p, _ in scored], int),
        prediction={}, draws=draws, seed=seed, noise=noise, bootstrap=bootstrap)
    per_model = [outputs[m * len(props):(m + 1) * len(props)] for m in range(len(plan.models))]
    for label, outs in zip(labels, per_model, strict=False):
        result.prediction[label] = np.array([outs[p].point[k] for p, k in scored], float)
        if draws > 1:
            result.interval[label] = np.array(
                [outs[p].interval[:, k] if outs[p].interval is not None else [np.nan] * 4
                 for p, k in scored], float).reshape(-1, 4)
        width = max(o.draws.shape[0] if o.draws is not None else 1 for o in outs)
        result.samples[label] = np.array(
            [outs[p].draws[:, k] if outs[p].draws is not None else np.full(width, np.nan)
             for p, k in scored], float).reshape(len(scored), width)
        result.seconds[label] = float(sum(o.seconds for o in outs))
        errs = [f"{props[p].id}: {o.error}" for p, o in enumerate(outs) if o.error]
        if errs:
            result.errors[label] = errs
    for j, (_ens, idx, w) in enumerate(plan.ensembles):
        label = labels[len(plan.models) + j]
        _add_ensemble(result, label, [per_model[k] for k in idx], w, scored, len(props), seed,
                      j)
    _set_features(result, scored)
    if cv or calibrations is not None:
        t0 = time.perf_counter()
        result.calibrated = calibrate_result(result, calibrations, cv, method, seed)
        result.seconds["calibration"] = time.perf_counter() - t0
    return result


def _set_features(result: BacktestResult, scored: list[tuple[int, int]]) -> None:
    """Difficulty features (N, 4) and scale bounds of the scored rows (central inputs)."""
    per_prop: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for p in sorted({p for p, _ in scored}):
        sc = result.proposals[p].scenario
        arr = to_arrays(sc)
        un = unanimity(sc)
        z = calibration.difficulty(arr.position[0], arr.weight[0], arr.mask, arr.lower,
                                   arr.upper, (arr.lower + arr.upper) / 2.0, un)
        per_prop[p] = (z, arr.lower, arr.upper)
    result.features = np.array([per_prop[p][0][k] for p, k in scored], float).reshape(-1, 4)
    result.lower = np.array([per_prop[p][1][k] for p, k in scored], float)
    result.upper = np.array([per_prop[p][2][k] for p, k in scored], float)


def unanimity(scenario: Scenario) -> np.ndarray:
    """(d,) True where the scenario's decision rule is unanimity."""
    rule = getattr(scenario, "rule", None)
    kind = getattr(rule, "kind", None)
    return np.full(len(scenario.issues), kind == "unanimity")


def model_features(result: BacktestResult, model: str) -> np.ndarray:
    """The features with the model's own distance of its forecast from the middle."""
    assert result.features is not None and result.lower is not None
    z = result.features.copy()
    span = np.where(result.upper > result.lower, result.upper - result.lower, 1.0)
    z[:, 2] = np.nan_to_num(np.abs(result.prediction[model] - (result.lower + result.upper)
                                   / 2.0) / span)
    return z


@dataclass
class CalibratedScores:
    """Per model and scored row: CRPS of the predictive draws and the calibrated interval
    ends (q05, q10, q90, q95); ``source`` says which calibration (shipped, a file, or K-fold
    cross-validation)."""

    source: dict[str, Any]
    crps: dict[str, np.ndarray] = field(default_factory=dict)
    interval: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self, model: str, rows: np.ndarray, proposal: np.ndarray, outcome: np.ndarray,
                bootstrap: int, seed: np.random.SeedSequence) -> dict[str, Any]:
        c = self.crps[model]
        ok = rows & np.isfinite(c)
        q = self.interval[model][ok]
        y = outcome[ok]
        nan = math.nan
        n = int(ok.sum())
        out: dict[str, Any] = {
            "crps": float(c[ok].mean()) if n else nan,
            "coverage": {"80": float(np.mean((q[:, 1] <= y) & (y <= q[:, 2]))) if n else nan,
                         "90": float(np.mean((q[:, 0] <= y) & (y <= q[:, 3]))) if n else nan},
            "width": {"80": float(np.mean(q[:, 2] - q[:, 1])) if n else nan,
                      "90": float(np.mean(q[:, 3] - q[:, 0])) if n else nan},
        }
        ref = self.crps.get(REFERENCE)
        if ref is not None:
            both = ok & np.isfinite(ref)
            diff = c[both] - ref[both]
            ci = bootstrap_mean_ci(diff, proposal[both], bootstrap,
                                   np.random.default_rng(seed))
            out["crps_vs_compromise"] = {"mean_diff": float(diff.mean()) if diff.size else nan,
                                         "ci95": list(ci)}
        return out


def calibrate_result(result: BacktestResult, calibrations: CalibrationSet | None,
                     cv: int | None, method: str = calibration.DEFAULT_METHOD, seed: int = 0
                     ) -> CalibratedScores:
    """CRPS and calibrated intervals of every model of a backtest.

    With ``cv`` = K: the proposals are dealt into K folds (seeded); each fold's predictive
    distributions come from a calibration fit (``method``) on the other K − 1 folds' errors,
    so no issue is scored by a calibration that has seen it. Without: the given
    calibrations (models without one are not scored).
    """
    assert result.lower is not None and result.upper is not None
    if cv:
        folds = calibration.grouped_folds(result.proposal, cv, seed)
        source: dict[str, Any] = {"cv": cv, "method": method, "seed": seed,
                                  "grouped_by": "proposal"}
    else:
        assert calibrations is not None
        source = {"name": calibrations.name, **calibrations.provenance}
    out = CalibratedScores(source)
    qs = [analysis.QUANTILES[q] for q in INTERVALS]
    y = result.outcome
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(4,)))
    for model in result.models:
        f = result.prediction[model]
        z = model_features(result, model)
        draws = result.samples[model].T  # (S, N)
        crps = np.full(y.size, np.nan)
        interval = np.full((y.size, 4), np.nan)
        parts: list[tuple[np.ndarray, Calibration]] = []
        if cv:
            for k in range(cv):
                test = folds == k
                parts.append((test, calibration.fit(model, f[~test], y[~test], z[~test],
                                                    result.lower[~test], result.upper[~test],
                                                    method)))
        else:
            cal = calibrations.get(model, model.split(":")[0]) if calibrations else None
            if cal is None:
                continue
            parts.append((np.ones(y.size, bool), cal))
        for rows, cal in parts:
            rows = rows & np.isfinite(f)
            if not rows.any():
                continue
            ens = cal.predictive(draws[:, rows], z[rows], result.lower[rows],
                                 result.upper[rows], rng)  # (M, n)
            crps[rows] = sr.crps_ensemble(y[rows], ens, m_axis=0)
            interval[rows] = np.quantile(ens, qs, axis=0).T
        out.crps[model] = crps
        out.interval[model] = interval
    return out


def run_task(item: tuple[ModelTask, Proposal], seed: np.random.SeedSequence) -> TaskOutput:
    """One (model, proposal) task of :func:`backtest` (module-level, so it pickles)."""
    task, proposal = item
    return task(proposal, seed)


def _add_ensemble(result: BacktestResult, label: str, members: list[list[TaskOutput]],
                  weights: Sequence[float], scored: list[tuple[int, int]], n_props: int,
                  seed: int, j: int) -> None:
    w = np.asarray(weights, float)
    points = []
    intervals = []
    mixed_draws: list[np.ndarray] = []
    for p in range(n_props):
        outs = [m[p] for m in members]
        points.append(np.tensordot(w, np.stack([o.point for o in outs]), 1))
        if result.draws > 1:
            if all(o.draws is not None for o in outs):
                rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2, j, p)))
                mixed = analysis.mix_draws([o.draws for o in outs], w, rng)  # type: ignore[misc]
                qs = [analysis.QUANTILES[q] for q in INTERVALS]
                intervals.append(np.quantile(mixed, qs, axis=0))
                mixed_draws.append(mixed)
            else:
                intervals.append(np.full((4, outs[0].point.size), np.nan))
                mixed_draws.append(np.full((result.draws, outs[0].point.size), np.nan))
    result.prediction[label] = np.array([points[p][k] for p, k in scored], float)
    if result.draws > 1:
        result.interval[label] = np.array([intervals[p][:, k] for p, k in scored],
                                          float).reshape(-1, 4)
    result.samples[label] = np.array(
        [(mixed_draws[p] if mixed_draws else points[p][None, :])[:, k] for p, k in scored],
        float)


def fit_calibrations(proposals: Sequence[Proposal],
                     models: Sequence[str | BaseModel | Ensemble] | ModelPlan | None = None,
                     method: str = calibration.DEFAULT_METHOD, corpus: str = "",
                     options: dict[str, Any] | None = None, executor: Any = None,
                     progress: BacktestProgress | None = None) -> CalibrationSet:
    """One calibration per model from a corpus of resolved issues (``accord calibrate``).

    Runs every model on the central inputs (:func:`backtest`, one draw) and fits
    :func:`accord.analysis.calibration.fit` on its errors; the set's provenance names the
    corpus, its size, today's date, the accord version and the method.
    """
    result = backtest(proposals, models, draws=1, options=options, executor=executor,
                      progress=progress)
    assert result.lower is not None and result.upper is not None
    cals = {}
    for model in result.models:
        f = result.prediction[model]
        n = int(np.isfinite(f).sum())
        cals[model] = calibration.fit(model, f, result.outcome, model_features(result, model),
                                      result.lower, result.upper, method,
                                      calibration.provenance(corpus, n, method))
    prov = calibration.provenance(corpus, result.n_issues, method)
    prov["proposals"] = len(result.proposals)
    return CalibrationSet(Path(corpus).stem or "calibration", cals, prov)
