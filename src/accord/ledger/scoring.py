"""Scores of resolved forecasts: pure functions over arrays, no database.

Value questions ("where will territory end up?") score the point forecast by its absolute
error, the predictive draws by the continuous ranked probability score (CRPS; Gneiting &
Raftery 2007, eq. 20, CRPS(F, y) = E|X − y| − ½ E|X − X′|, estimated from the draws by the
``scoringrules`` package), and the 80 % and 90 % intervals (q10–q90, q05–q95) by coverage,
the share of outcomes inside. Threshold questions ("territory ≥ 80?") score the probability
of the event over the draws by the Brier score (p − o)² (Brier 1950) and the log score
−log(p if o else 1 − p) (Good 1952), both from ``scoringrules``, and by a calibration table:
forecasts binned by probability against the observed frequency in each bin (the numbers of a
reliability diagram).

A mean over a handful of forecasts says little about skill, so a group with fewer resolved
forecasts than ``MIN_MEAN`` (``MIN_COVERAGE`` for coverage, ``MIN_CALIBRATION`` for the
calibration table) gets no number, only the count and a note saying so.

The scores of one recorded forecast (a database row: :func:`scored_draws`,
:func:`scored_interval`, :func:`_single_score`) are here too, for the ledger's history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.ledger.documents import decode_draws
from accord.ledger.questions import _holds

MIN_MEAN = 5  # a mean error of fewer forecasts is one or two forecasts' luck
MIN_COVERAGE = 10  # a share of outcomes inside an interval needs at least 10 to mean much
MIN_CALIBRATION = 20  # ten bins; fewer than 20 forecasts leave most bins empty or single
BINS = np.linspace(0.0, 1.0, 11)


@dataclass
class ScoredRows:
    """One row per (resolved question, forecast) that counts, grouped by ``key``.

    kind: "value" or "threshold". For value rows: point, outcome, the interval ends
    (q05, q10, q90, q95; NaN where not recorded) and draws (an array, or None). For
    threshold rows: prob (P of the event over the draws; NaN when the run had no draws) and
    event (0/1).
    """

    key: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    point: list[float] = field(default_factory=list)
    outcome: list[float] = field(default_factory=list)
    interval: list[tuple[float, float, float, float]] = field(default_factory=list)
    draws: list[np.ndarray | None] = field(default_factory=list)
    prob: list[float] = field(default_factory=list)
    event: list[float] = field(default_factory=list)

    def add_value(self, key: str, point: float | None, outcome: float,
                  interval: Sequence[float | None], draws: np.ndarray | None) -> None:
        self.key.append(key)
        self.kind.append("value")
        self.point.append(math.nan if point is None else float(point))
        self.outcome.append(float(outcome))
        self.interval.append(tuple(math.nan if q is None else float(q)  # type: ignore[misc]
                                   for q in interval))
        self.draws.append(draws)
        self.prob.append(math.nan)
        self.event.append(math.nan)

    def add_threshold(self, key: str, prob: float | None, event: bool) -> None:
        self.key.append(key)
        self.kind.append("threshold")
        self.point.append(math.nan)
        self.outcome.append(math.nan)
        self.interval.append((math.nan,) * 4)  # type: ignore[arg-type]
        self.draws.append(None)
        self.prob.append(math.nan if prob is None else float(prob))
        self.event.append(1.0 if event else 0.0)

    def __len__(self) -> int:
        return len(self.key)


@dataclass
class GroupScore:
    """Scores of one group (a model, an analyst or a scenario). ``None`` = too few to say."""

    key: str
    n_value: int = 0
    mae: float | None = None
    n_crps: int = 0
    crps: float | None = None
    n_interval: int = 0
    coverage80: float | None = None
    coverage90: float | None = None
    n_threshold: int = 0
    brier: float | None = None
    log: float | None = None
    calibration: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": {"n": self.n_value, "mae": self.mae, "n_crps": self.n_crps,
                      "crps": self.crps, "n_interval": self.n_interval,
                      "coverage": {"80": self.coverage80, "90": self.coverage90}},
            "threshold": {"n": self.n_threshold, "brier": self.brier, "log": self.log,
                          "calibration": self.calibration},
            "notes": list(self.notes),
        }


def crps(outcome: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """CRPS of each row of ``draws`` (n, S) against ``outcome`` (n,) (scoringrules)."""
    import scoringrules as sr

    return np.asarray(sr.crps_ensemble(outcome, draws, m_axis=-1, backend="numpy"), float)


def brier(event: np.ndarray, prob: np.ndarray) -> np.ndarray:
    import scoringrules as sr

    return np.asarray(sr.brier_score(event, prob, backend="numpy"), float)


def log_score(event: np.ndarray, prob: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Log score of each probability; a probability of S draws is first kept within
    [1/(2S), 1 − 1/(2S)], so an event none of 2000 draws showed costs log(4000) rather
    than infinity (what S draws can tell apart from 0)."""
    import scoringrules as sr

    eps = 1.0 / (2.0 * np.maximum(draws, 1.0))
    p = np.clip(prob, eps, 1.0 - eps)
    return np.asarray(sr.log_score(event, p, backend="numpy"), float)


def coverage(outcome: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    return float(np.mean((low <= outcome) & (outcome <= high)))


def calibration_table(prob: np.ndarray, event: np.ndarray) -> list[dict[str, Any]]:
    """Forecast probability bins (tenths) against the observed frequency in each."""
    idx = np.clip(np.digitize(prob, BINS[1:-1]), 0, len(BINS) - 2)
    n = np.bincount(idx, minlength=len(BINS) - 1)
    psum = np.bincount(idx, weights=prob, minlength=len(BINS) - 1)
    esum = np.bincount(idx, weights=event, minlength=len(BINS) - 1)
    table = []
    for b in range(len(BINS) - 1):
        table.append({"low": float(BINS[b]), "high": float(BINS[b + 1]), "n": int(n[b]),
                      "forecast": float(psum[b] / n[b]) if n[b] else None,
                      "observed": float(esum[b] / n[b]) if n[b] else None})
    return table


def _crps_by_size(outcome: np.ndarray, draws: list[np.ndarray]) -> np.ndarray:
    """CRPS of ragged draws: one vectorised call per distinct number of draws."""
    out = np.empty(len(draws))
    sizes = np.array([d.size for d in draws])
    for s in np.unique(sizes):
        rows = np.flatnonzero(sizes == s)
        out[rows] = crps(outcome[rows], np.stack([draws[r] for r in rows]))
    return out


def score(rows: ScoredRows, draws_per_row: np.ndarray | None = None) -> list[GroupScore]:
    """Scores per group of ``rows`` (groups sorted by key).

    draws_per_row: the number of draws behind each threshold row's probability (for the
    log score's clipping; default: the row's draws, else 2000).
    """
    if not len(rows):
        return []
    keys = np.array(rows.key, dtype=object)
    kind = np.array(rows.kind)
    point = np.array(rows.point, float)
    outcome = np.array(rows.outcome, float)
    interval = np.array(rows.interval, float).reshape(-1, 4)
    prob = np.array(rows.prob, float)
    event = np.array(rows.event, float)
    has_draws = np.array([d is not None and d.size > 1 for d in rows.draws])
    crps_all = np.full(len(rows), np.nan)
    if has_draws.any():
        idx = np.flatnonzero(has_draws & (kind == "value"))
        if idx.size:
            crps_all[idx] = _crps_by_size(outcome[idx], [rows.draws[i] for i in idx])  # type: ignore[misc]
    n_draws = (np.asarray(draws_per_row, float) if draws_per_row is not None
               else np.full(len(rows), 2000.0))
    groups = []
    for key in sorted(set(rows.key)):
        g = keys == key
        out = GroupScore(key)
        v = g & (kind == "value") & np.isfinite(point)
        out.n_value = int(v.sum())
        if out.n_value >= MIN_MEAN:
            out.mae = float(np.mean(np.abs(point[v] - outcome[v])))
        elif out.n_value:
            out.notes.append(f"{out.n_value} resolved value forecast(s): too few for a mean "
                             f"error (needs {MIN_MEAN})")
        c = g & np.isfinite(crps_all)
        out.n_crps = int(c.sum())
        if out.n_crps >= MIN_MEAN:
            out.crps = float(np.mean(crps_all[c]))
        iv = g & (kind == "value") & np.isfinite(interval).all(axis=1)
        out.n_interval = int(iv.sum())
        if out.n_interval >= MIN_COVERAGE:
            y = outcome[iv]
            out.coverage80 = coverage(y, interval[iv, 1], interval[iv, 2])
            out.coverage90 = coverage(y, interval[iv, 0], interval[iv, 3])
        elif out.n_interval:
            out.notes.append(f"{out.n_interval} resolved interval(s): too few for coverage "
                             f"(needs {MIN_COVERAGE})")
        t = g & (kind == "threshold") & np.isfinite(prob)
        out.n_threshold = int(t.sum())
        if out.n_threshold >= MIN_MEAN:
            out.brier = float(np.mean(brier(event[t], prob[t])))
            out.log = float(np.mean(log_score(event[t], prob[t], n_draws[t])))
        elif out.n_threshold:
            out.notes.append(f"{out.n_threshold} resolved probability forecast(s): too few "
                             f"for a Brier or log score (needs {MIN_MEAN})")
        if out.n_threshold >= MIN_CALIBRATION:
            out.calibration = calibration_table(prob[t], event[t])
        elif out.n_threshold:
            out.notes.append(f"calibration table needs {MIN_CALIBRATION} resolved probability "
                             f"forecasts ({out.n_threshold} so far)")
        groups.append(out)
    return groups


def scored_draws(f: Any) -> np.ndarray | None:
    """The draws a forecast is scored by: the calibrated predictive draws when it has them
    (what the forecast printed as its interval), else the input draws."""
    pred = decode_draws(f["predictive_draws"])
    return pred if pred is not None else decode_draws(f["draws"])


def scored_interval(f: Any) -> tuple[Any, Any, Any, Any]:
    """The 90 % and 80 % interval ends (q05, q10, q90, q95) a forecast is scored by: the
    predictive ones when recorded, else those of the input draws."""
    if f["p10"] is not None:
        return (f["p05"], f["p10"], f["p90"], f["p95"])
    return (f["q05"], f["q10"], f["q90"], f["q95"])


def _single_score(q: Any, res: Any, f: Any) -> dict[str, Any]:
    """The scores of one forecast of one resolved question."""
    draws = scored_draws(f)
    if q["op"] is None:
        y = res["value"]
        out: dict[str, Any] = {"abs_error": None if f["point"] is None
                               else abs(f["point"] - y)}
        if draws is not None and draws.size > 1:
            out["crps"] = float(crps(np.array([y]), draws[None, :])[0])
        q05, q10, q90, q95 = scored_interval(f)
        if q10 is not None and q90 is not None:
            out["in80"] = bool(q10 <= y <= q90)
        if q05 is not None and q95 is not None:
            out["in90"] = bool(q05 <= y <= q95)
        return out
    if draws is None or draws.size <= 1:
        return {"brier": None, "note": "recorded without draws: no probability to score"}
    p = float(np.mean(_holds(q["op"], q["threshold"], draws)))
    o = np.array([1.0 if res["event"] else 0.0])
    return {"probability": p, "brier": float(brier(o, np.array([p]))[0]),
            "log": float(log_score(o, np.array([p]), np.array([draws.size]))[0])}
