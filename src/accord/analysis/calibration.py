"""Calibrated predictive distributions: the model's own error added to its forecast.

Monte Carlo over the coded ranges gives input uncertainty only; on real outcomes the error
is mostly the model's (shared/DESIGN.md, "Predictive intervals that mean what they say").
A :class:`Calibration` learns that error from a backtest corpus (the DEU dev file by
default) and turns a model's draws into a predictive distribution

    y = f(x) + σ(x) · r,    r drawn from the corpus's (scaled) errors, y clipped to the scale,

with three methods:

* ``resample``: σ ≡ 1 and r the signed errors e = y − f on the corpus (residual bootstrap;
  Efron & Tibshirani 1993, ch. 9).
* ``conformal``: σ ≡ 1 and r = ±|e|, a symmetric band whose central p-interval is the
  split-conformal interval f ± q_p(|e|) (Lei et al. 2018, "Distribution-free predictive
  inference for regression", JASA 113, eq. 2; without the (n + 1)/n finite-sample factor).
* ``normalised``: r = e / σ(x) with σ(x) = max(floor, z·β) a difficulty score fit by least
  squares of |e| on z = [1, spread of the positions (c·s-weighted standard deviation),
  distance of the forecast from the scale's middle, unanimity rule] (the normalised
  nonconformity score of Papadopoulos et al. 2008 and Lei et al. 2018, sec. 5.2).

Errors are stored as shares of the issue's scale, so one calibration serves any scale. On the
DEU dev file (grouped 10-fold cross-validation, docs/validation.md) the calibrated 80 % and
90 % intervals of every shipped model (``normalised``) cover 77.8–79.4 % and 87.7–89.3 % of
outcomes; ``normalised`` (the default) has the lowest CRPS of the three methods (16.07
against 16.32 for the compromise model, difference −0.25 [−0.48, −0.01]).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from accord.errors import AnalysisError

Method = Literal["normalised", "resample", "conformal"]
METHODS: tuple[str, ...] = ("normalised", "resample", "conformal")
DEFAULT_METHOD: Method = "normalised"
FLOOR = 0.05  # smallest σ(x), as a share of the scale (5 points on 0–100)
FEATURES = ("intercept", "spread", "off_centre", "unanimity")
SHIPPED = "deu-dev"  # the package's calibration set
DOMAIN = "EU legislative bargaining"
FORMAT = 1


def difficulty(position: np.ndarray, weight: np.ndarray, mask: np.ndarray,
               lower: np.ndarray, upper: np.ndarray, forecast: np.ndarray,
               unanimity: np.ndarray | None = None) -> np.ndarray:
    """The features z (d, 4) of the normalised method, per issue.

    position, weight (n, d) central values (weight = c·s), mask (n, d); forecast (d,) the
    model's central forecast; unanimity (d,) True where the issue is decided by unanimity.
    Spread and distance from the middle are shares of the scale.
    """
    span = np.where(upper > lower, upper - lower, 1.0)
    w = np.where(mask, weight, 0.0)
    total = w.sum(axis=0)
    w = np.where(total > 0, w / np.where(total > 0, total, 1.0), mask / np.maximum(
        mask.sum(axis=0), 1))
    mean = (w * position).sum(axis=0)
    spread = np.sqrt((w * (position - mean) ** 2).sum(axis=0)) / span
    off = np.abs(forecast - (lower + upper) / 2.0) / span
    un = np.zeros_like(off) if unanimity is None else np.asarray(unanimity, float)
    return np.column_stack([np.ones_like(off), spread, np.nan_to_num(off), un])


@dataclass(frozen=True)
class Calibration:
    """One model's error term. residuals: r (shares of the scale), sorted; coef: β of σ(x)
    (normalised only); provenance: corpus, n, date, accord version, method."""

    model: str
    method: str
    residuals: np.ndarray
    coef: np.ndarray | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.provenance.get("n", self.residuals.size))

    def describe(self) -> str:
        """One line: where it comes from (for the CLI and figures)."""
        p = self.provenance
        return (f"calibrated on {p.get('domain', DOMAIN)} ({p.get('corpus', '?')}, "
                f"n = {self.n}, {p.get('date', '?')}, method {self.method})")

    def sigma(self, features: np.ndarray) -> np.ndarray:
        """σ(x) per issue (shares of the scale); 1 for resample and conformal."""
        if self.coef is None:
            return np.ones(features.shape[0])
        return np.maximum(features @ self.coef, FLOOR)

    def predictive(self, outcome: np.ndarray, features: np.ndarray, lower: np.ndarray,
                   upper: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """Predictive draws (M, d) from the model's draws ``outcome`` (S, d).

        M = max(S, number of residuals): each member pairs a model draw with a corpus error
        (both cycled, the pairing shuffled by ``rng``; with S = 1 every error is used once).
        """
        outcome = np.atleast_2d(np.asarray(outcome, float))
        s, _ = outcome.shape
        r = self.residuals
        m = max(s, r.size)
        draw = np.arange(m) % s
        err = np.arange(m) % r.size
        if rng is not None and s > 1:
            err = rng.permutation(err)
        span = upper - lower
        scale = self.sigma(features) * span  # (d,)
        y = outcome[draw] + r[err][:, None] * scale[None, :]
        return np.clip(y, lower, upper)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "method": self.method,
                "residuals": [round(float(v), 6) for v in self.residuals],
                "coef": None if self.coef is None else [float(v) for v in self.coef],
                "features": list(FEATURES) if self.coef is not None else None,
                "provenance": self.provenance}

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], where: str = "") -> Calibration:
        try:
            method = str(doc["method"])
            if method not in METHODS:
                raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
            res = np.sort(np.asarray(doc["residuals"], float))
            if res.ndim != 1 or res.size == 0 or not np.all(np.isfinite(res)):
                raise ValueError("residuals must be a non-empty list of numbers")
            coef = doc.get("coef")
            coef_arr = None if coef is None else np.asarray(coef, float)
            if coef_arr is not None and coef_arr.shape != (len(FEATURES),):
                raise ValueError(f"coef must have {len(FEATURES)} numbers")
            return cls(str(doc["model"]), method, res, coef_arr, dict(doc.get("provenance",
                                                                              {})))
        except (KeyError, TypeError, ValueError) as e:
            raise AnalysisError(f"{where}: not a calibration: {e}") from None


def fit(model: str, forecast: np.ndarray, outcome: np.ndarray, features: np.ndarray,
        lower: np.ndarray | float = 0.0, upper: np.ndarray | float = 100.0,
        method: str = DEFAULT_METHOD, provenance: Mapping[str, Any] | None = None
        ) -> Calibration:
    """Fit a calibration from a corpus: forecasts (N,), outcomes (N,), features (N, 4)
    (see :func:`difficulty`), the scales' bounds. Rows with a NaN forecast are left out."""
    if method not in METHODS:
        raise AnalysisError(f"--method {method!r} is not one of {', '.join(METHODS)}")
    f = np.asarray(forecast, float)
    y = np.asarray(outcome, float)
    z = np.asarray(features, float)
    span = np.broadcast_to(np.asarray(upper, float) - np.asarray(lower, float), f.shape)
    ok = np.isfinite(f) & np.isfinite(y) & np.all(np.isfinite(z), axis=1)
    if ok.sum() < 10:
        raise AnalysisError(f"a calibration of {model} needs at least 10 forecasts with an "
                            f"outcome; the corpus has {int(ok.sum())}")
    e = (y[ok] - f[ok]) / span[ok]
    coef = None
    if method == "resample":
        r = e
    elif method == "conformal":
        r = np.concatenate([np.abs(e), -np.abs(e)])
    else:
        coef = np.linalg.lstsq(z[ok], np.abs(e), rcond=None)[0]
        r = e / np.maximum(z[ok] @ coef, FLOOR)
    prov = {"domain": DOMAIN, "method": method, "n": int(ok.sum())}
    prov.update(provenance or {})
    return Calibration(model, method, np.sort(r), coef, prov)


@dataclass(frozen=True)
class CalibrationSet:
    """Calibrations by model label, with the set's name and provenance."""

    name: str
    calibrations: dict[str, Calibration]
    provenance: dict[str, Any] = field(default_factory=dict)

    def get(self, label: str, model: str | None = None) -> Calibration | None:
        """The calibration of a model label (``bdm:scholz``), else of its model name."""
        if label in self.calibrations:
            return self.calibrations[label]
        return self.calibrations.get(model) if model else None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "name": self.name, "provenance": self.provenance,
                "calibrations": {k: c.to_json() for k, c in self.calibrations.items()}}

    @classmethod
    def from_json(cls, doc: Any, where: str) -> CalibrationSet:
        if not isinstance(doc, dict) or not isinstance(doc.get("calibrations"), dict):
            raise AnalysisError(f"{where}: not a calibration file (no 'calibrations' table); "
                                "write one with `accord calibrate`")
        cals = {k: Calibration.from_json(v, f"{where}: calibrations.{k}")
                for k, v in doc["calibrations"].items()}
        return cls(str(doc.get("name", Path(where).stem)), cals,
                   dict(doc.get("provenance", {})))


def provenance(corpus: str, n: int, method: str) -> dict[str, Any]:
    """The provenance record of a calibration fit today by this accord."""
    try:
        version = metadata.version("accord")
    except metadata.PackageNotFoundError:  # running from a source tree
        version = "unknown"
    return {"corpus": corpus, "n": n, "date": _dt.date.today().isoformat(),
            "accord_version": version, "method": method, "domain": DOMAIN}


def load(path: str | os.PathLike[str] | None) -> CalibrationSet | None:
    """A calibration set: from a file, the shipped one (None or ``"shipped"``), or none
    (``"none"``). A bad file raises :class:`~accord.errors.AnalysisError` naming it."""
    if path is not None and str(path) == "none":
        return None
    if path is None or str(path) == "shipped":
        text = resources.files("accord").joinpath(
            "data", "calibrations", f"{SHIPPED}.json").read_text(encoding="utf-8")
        return CalibrationSet.from_json(json.loads(text), f"{SHIPPED}.json (shipped)")
    p = Path(path)
    if not p.is_file():
        raise AnalysisError(f"--calibration {path}: no such file (or give 'none')")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise AnalysisError(f"{p.name}: not JSON: {e}") from None
    return CalibrationSet.from_json(doc, p.name)


def grouped_folds(groups: Sequence[int] | np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """Fold (0..k−1) of each row, whole groups together: the groups are shuffled with the
    seed and dealt round-robin, so fold sizes differ by at most one group."""
    g = np.asarray(groups)
    labels, inverse = np.unique(g, return_inverse=True)
    if not 2 <= k <= labels.size:
        raise AnalysisError(f"--cv {k}: needs 2 ≤ K ≤ {labels.size} (the number of "
                            "proposals)")
    order = np.random.default_rng(seed).permutation(labels.size)
    fold_of = np.empty(labels.size, int)
    fold_of[order] = np.arange(labels.size) % k
    return fold_of[inverse]
