"""The ledger's rows and documents, built without the database: the rows that record a
forecast (:func:`run_rows`), the scenario as saved YAML, draws in their stored form, the JSON
documents of runs and questions shown and exported, and the reading of an export before
anything is imported (:func:`_read_export`, which checks the whole document first).

The database reads and writes are :class:`accord.ledger.store.Ledger`'s.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import hashlib
import json
import math
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import LedgerError
from accord.ledger import db
from accord.ledger.questions import _sha, parse_date

if TYPE_CHECKING:
    from accord.analysis import ForecastResult
    from accord.scenario import Scenario

EXPORT_FORMAT = "accord-ledger"
EXPORT_VERSION = 1
QUANTILES = {"q05": 0.05, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q95": 0.95}


def now() -> dt.datetime:
    """UTC now, naive (the ledger stores UTC without a zone, the same on every database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def default_analyst() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER", "unknown")


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def encode_draws(draws: np.ndarray | None) -> bytes | None:
    """Draws as little-endian float64 bytes (the stored form)."""
    if draws is None:
        return None
    return np.ascontiguousarray(draws, dtype="<f8").tobytes()


def decode_draws(blob: bytes | None) -> np.ndarray | None:
    if blob is None:
        return None
    return np.frombuffer(blob, dtype="<f8")



def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as saved YAML (what ``accord.save`` writes to a .yaml file), through
    libyaml's emitter where PyYAML has it (the same text, several times faster)."""
    import yaml

    from accord.scenario import dumps

    dumper = getattr(yaml, "CSafeDumper", None)
    if dumper is None:
        return dumps(scenario, "yaml")
    return yaml.dump(scenario.to_data(), Dumper=dumper, sort_keys=False, allow_unicode=True,
                     width=100)


def _version() -> str:
    from accord import __version__

    return __version__


def _run_uid(run: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """The content hash of a run: what was forecast, how, when and by whom."""
    return _sha({k: run[k] for k in ("created_at", "analyst", "note", "title",
                                     "scenario_hash", "models", "seed", "draws")}
                | {"forecasts": [[r["model"], r["issue"], r["point"]] for r in rows]})


def run_rows(result: ForecastResult, *, analyst: str | None = None, note: str = "",
             source: str = "", created_at: dt.datetime | None = None
             ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The rows that record a forecast: the run, and one per model and issue (quantiles of
    all issues computed in one pass per model)."""
    from accord.analysis import model_spec

    sc = result.scenario
    yaml_text = scenario_yaml(sc)
    models = [{"label": r.label, "model": r.model, "spec": model_spec(r),
               "options": _plain(r.options)} for r in result.results]
    qs = list(QUANTILES.values())
    rows: list[dict[str, Any]] = []
    calibration: dict[str, Any] = {}
    for r in result.results:
        point = np.asarray(r.outcome, float)
        drawn = r.draws.outcome if r.draws is not None else None
        quant = np.quantile(drawn, qs, axis=0) if drawn is not None else None
        mean = drawn.mean(axis=0) if drawn is not None else None
        pred, pdraws = _predictive(r, sc.issue_ids)
        if pred is not None:
            calibration[r.label] = _calibration_doc(getattr(r, "calibration", None))
        for k, iid in enumerate(sc.issue_ids):
            row: dict[str, Any] = {"model": r.label, "issue": iid, "point": _finite(point[k]),
                                   "mean": _finite(mean[k]) if mean is not None else None,
                                   "draws": encode_draws(drawn[:, k]) if drawn is not None
                                   else None,
                                   "predictive_draws": encode_draws(pdraws[:, k])
                                   if pdraws is not None else None}
            for j, name in enumerate(QUANTILES):
                row[name] = _finite(quant[j, k]) if quant is not None else None
            for name, pname in zip(QUANTILES, db.PREDICTIVE_COLUMNS, strict=True):
                row[pname] = _finite(pred[iid].get(name)) if pred and iid in pred else None
            rows.append(row)
    run = {"created_at": created_at or now(), "analyst": analyst or default_analyst(),
           "note": note, "title": sc.title, "source": source, "scenario_yaml": yaml_text,
           "scenario_hash": hashlib.sha256(yaml_text.encode("utf-8")).hexdigest(),
           "models": models, "thresholds": [t.text for t in result.thresholds],
           "seed": int(result.seed), "draws": int(result.draws),
           "accord_version": _version(), "calibration": calibration or None}
    run["uid"] = _run_uid(run, rows)
    return run, rows


def _predictive(r: Any, issue_ids: Sequence[str]
                ) -> tuple[dict[str, dict[str, float]] | None, np.ndarray | None]:
    """A model result's calibrated predictive quantiles (issue -> {q05, …, q95}) and draws
    (M, d), when the forecast has them: ``predictive`` as draws (an array; accord's
    calibration, shared/DESIGN.md "Predictive intervals that mean what they say") or as a
    mapping of quantiles per issue."""
    pred = getattr(r, "predictive", None)
    if pred is None:
        return None, None
    if isinstance(pred, np.ndarray):
        draws = np.atleast_2d(np.asarray(pred, float))
        q = np.quantile(draws, list(QUANTILES.values()), axis=0)
        return ({iid: {name: float(q[j, k]) for j, name in enumerate(QUANTILES)}
                 for k, iid in enumerate(issue_ids)}, draws)
    return {i: dict(pred[i]) for i in issue_ids if i in pred} or None, None


def _calibration_doc(cal: Any) -> dict[str, Any] | None:
    """Where a predictive distribution's model error comes from (method and provenance:
    corpus, size, date), without the residuals themselves."""
    if cal is None:
        return None
    if hasattr(cal, "provenance"):
        return _plain({"model": getattr(cal, "model", None),
                       "method": getattr(cal, "method", None),
                       "provenance": cal.provenance})
    return _plain(cal)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, dt.date | dt.datetime):
        return x.isoformat()
    if hasattr(x, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(x)
    return str(x)


def _cell(x: Any) -> str:
    return "" if x is None else repr(float(x))


def _question_doc(r: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": f"Q{r['id']}", "title": r["title"], "scenario": r["scenario"],
        "issue": r["issue"], "kind": "value" if r["op"] is None else "threshold",
        "event": None if r["op"] is None else f"{r['issue']}{r['op']}{r['threshold']:g}",
        "scale": [r["scale_low"], r["scale_high"]],
        "deadline": r["deadline"].isoformat() if r["deadline"] else None,
        "criteria": r["criteria"], "asked_by": r["analyst"],
        "asked_at": r["created_at"].isoformat(), "resolution": None,
    }
    if r.get("resolution_id") is not None:
        doc["resolution"] = {
            "value": r["value"],
            "event": None if r["event"] is None else bool(r["event"]),
            "date": r["resolved_on"].isoformat(), "source": r["source"], "quote": r["quote"],
        }
    return doc



def _run_doc(r: dict[str, Any], rows: Iterable[Any], *, with_draws: bool) -> dict[str, Any]:
    doc = {k: r[k] for k in ("uid", "analyst", "note", "title", "source", "scenario_hash",
                             "models", "thresholds", "seed", "draws", "accord_version",
                             "calibration")}
    doc["created_at"] = r["created_at"].isoformat()
    doc["scenario_yaml"] = r["scenario_yaml"]
    fcs = []
    for f in rows:
        entry = {k: f[k] for k in ("model", "issue", "point", "mean", *db.QUANTILE_COLUMNS,
                                   *db.PREDICTIVE_COLUMNS)}
        if with_draws:
            for blob in ("draws", "predictive_draws"):
                entry[blob] = (base64.b64encode(f[blob]).decode("ascii")
                               if f[blob] is not None else None)
        fcs.append(entry)
    doc["forecasts"] = fcs
    return doc


def _export_question(q: dict[str, Any], res: Any, run_uid: dict[int, str]) -> dict[str, Any]:
    doc = {k: q[k] for k in ("uid", "analyst", "title", "scenario", "issue", "op",
                             "threshold", "scale_low", "scale_high", "criteria")}
    doc["created_at"] = q["created_at"].isoformat()
    doc["deadline"] = q["deadline"].isoformat() if q["deadline"] else None
    doc["run"] = run_uid.get(q["run_id"]) if q["run_id"] is not None else None
    doc["resolution"] = None if res is None else {
        "value": res["value"], "event": res["event"],
        "resolved_on": res["resolved_on"].isoformat(), "source": res["source"],
        "quote": res["quote"], "recorded_at": res["recorded_at"].isoformat(),
        "analyst": res["analyst"]}
    return doc


def _read_export(doc: Any, file: str) -> dict[str, Any]:
    """Check an export document whole before anything is written; rows ready to insert."""
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise LedgerError(f"{file}: not an accord ledger export (expected a JSON object with "
                          f"\"format\": \"{EXPORT_FORMAT}\"; `accord ledger export --format "
                          "json` writes one)")
    if doc.get("version") != EXPORT_VERSION:
        raise LedgerError(f"{file}: export version {doc.get('version')!r}; this accord reads "
                          f"version {EXPORT_VERSION}")
    out: dict[str, Any] = {"runs": [], "questions": []}
    try:
        for k, r in enumerate(doc.get("runs", [])):
            where = f"{file}: runs[{k}]"
            run = {c: r[c] for c in ("uid", "analyst", "note", "title", "source",
                                     "scenario_yaml", "scenario_hash", "models",
                                     "thresholds", "seed", "draws", "accord_version")}
            run["calibration"] = r.get("calibration")
            run["created_at"] = _datetime(r["created_at"], f"{where}.created_at")
            rows = []
            for f in r["forecasts"]:
                row = {c: f.get(c) for c in ("model", "issue", "point", "mean",
                                             *db.QUANTILE_COLUMNS, *db.PREDICTIVE_COLUMNS)}
                for blob in ("draws", "predictive_draws"):
                    row[blob] = base64.b64decode(f[blob]) if f.get(blob) else None
                rows.append(row)
            out["runs"].append((run, rows))
        for k, q in enumerate(doc.get("questions", [])):
            where = f"{file}: questions[{k}]"
            row = {c: q[c] for c in ("uid", "analyst", "title", "scenario", "issue", "op",
                                     "threshold", "scale_low", "scale_high", "criteria")}
            row["created_at"] = _datetime(q["created_at"], f"{where}.created_at")
            row["deadline"] = parse_date(q.get("deadline"), f"{where}.deadline")
            res = q.get("resolution")
            rrow = None
            if res is not None:
                rrow = {c: res[c] for c in ("value", "event", "source", "quote", "analyst")}
                rrow["resolved_on"] = parse_date(res["resolved_on"],
                                                 f"{where}.resolution.resolved_on")
                rrow["recorded_at"] = _datetime(res["recorded_at"],
                                                f"{where}.resolution.recorded_at")
            out["questions"].append((row, rrow, q.get("run")))
    except KeyError as e:
        raise LedgerError(f"{file}: a record lacks the field {e.args[0]!r}; was it written "
                          "by `accord ledger export --format json`?") from None
    except (TypeError, ValueError) as e:
        if isinstance(e, LedgerError):
            raise
        raise LedgerError(f"{file}: not a ledger export: {e}") from None
    return out


def _datetime(text: Any, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise LedgerError(f"{where}: {text!r} is not a date and time (ISO 8601)") from None
