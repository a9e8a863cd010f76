"""The ledger: forecasts on the record, the questions they answer, and what happened.

A **run** is one recorded forecast: the scenario itself (as saved YAML) and its SHA-256,
the models with their options, seed, draws, the accord version, when and by whom, a note;
per model and issue the point forecast, the mean and 5/10/50/90/95 % quantiles of the input
draws (and the draws themselves, for CRPS and event probabilities), and the calibrated
predictive quantiles when the forecast has them. A **question** names a scenario (by its
title) and an issue: a value question ("where will territory end up?") or a threshold
question (``territory>=80``), with a deadline and resolution criteria in words. A
**resolution** gives the observed value (or, for a threshold question, yes/no), its date, a
source and a quote.

Which forecasts answer a question: every recorded run of a scenario with the question's
title, on the question's issue, recorded before the question was resolved. Scores use each
model's latest such forecast; ``history`` shows them all.

Every write is one transaction (a killed process leaves the whole record or none), retried
while another process holds SQLite's write lock (:func:`accord.ledger.db.retrying`).

This module holds the database reads and writes (:class:`Ledger`); what they store and show
is built without the database in :mod:`accord.ledger.questions` (questions, ids, dates) and
:mod:`accord.ledger.documents` (rows, documents, export reading), and re-exported here.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from accord.errors import LedgerError
from accord.ledger import db, scoring
from accord.ledger.db import forecasts, questions, resolutions, runs
from accord.ledger.documents import (  # noqa: F401  (re-exported: accord.ledger.store.*)
    EXPORT_FORMAT,
    EXPORT_VERSION,
    QUANTILES,
    _calibration_doc,
    _cell,
    _datetime,
    _export_question,
    _finite,
    _json_default,
    _plain,
    _predictive,
    _question_doc,
    _read_export,
    _run_doc,
    _run_uid,
    _version,
    decode_draws,
    default_analyst,
    encode_draws,
    now,
    run_rows,
    scenario_yaml,
)
from accord.ledger.questions import (  # noqa: F401  (re-exported: accord.ledger.store.*)
    QuestionSpec,
    _holds,
    _sha,
    event_probabilities,
    make_question,
    parse_date,
    question_id,
    run_id,
)
from accord.ledger.scoring import _single_score, scored_draws, scored_interval

if TYPE_CHECKING:
    from accord.analysis import ForecastResult
    from accord.backtest import BacktestResult

GroupBy = Literal["model", "analyst", "scenario"]


# --------------------------------------------------------------------------- the ledger


class Ledger:
    """An open ledger. ``Ledger.open(url)`` creates or upgrades its schema as needed."""

    def __init__(self, engine: Engine, where: str):
        self.engine = engine
        self.where = where

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Ledger:
        """Open the ledger at ``url`` (default :func:`accord.ledger.db.default_url`),
        creating it or applying missing migrations unless ``upgrade`` is False; in every
        case refuse a schema this version does not know."""
        url = url or db.default_url()
        engine = db.make_engine(url)
        where = sa.make_url(engine.url).render_as_string(hide_password=True)
        ledger = cls(engine, where)
        try:
            if upgrade:
                db.upgrade(engine, where)
            else:
                ledger.check_schema()
        except OperationalError as e:
            engine.dispose()
            raise LedgerError(f"{where}: cannot open the ledger: {getattr(e, 'orig', e)}"
                              ) from None
        except BaseException:
            engine.dispose()
            raise
        return ledger

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------- schema

    def revision(self) -> str | None:
        with self.engine.connect() as conn:
            return db.current_revision(conn)

    def check_schema(self) -> None:
        rev = self.revision()
        db.check_revision(rev, self.where)
        if rev != db.head_revision():
            raise LedgerError(f"{self.where}: the ledger's schema is revision {rev!r}; this "
                              f"accord needs {db.head_revision()!r}: run `accord ledger "
                              "upgrade`")

    def upgrade(self) -> tuple[str | None, str]:
        return db.upgrade(self.engine, self.where)

    def _write(self, fn: Any) -> Any:
        """Run ``fn(conn)`` as one write transaction, retried while the database is locked."""
        def attempt() -> Any:
            with db.write(self.engine) as conn:
                return fn(conn)

        try:
            return db.retrying(attempt)
        except OperationalError as e:
            raise LedgerError(f"{self.where}: the write failed, nothing was recorded: "
                              f"{getattr(e, 'orig', e)}") from None

    # ------------------------------------------------------------------- recording

    def record(self, result: ForecastResult, *, analyst: str | None = None, note: str = "",
               source: str = "", questions_asked: Sequence[QuestionSpec] = (),
               created_at: dt.datetime | None = None) -> tuple[int, list[int]]:
        """Record a forecast (and questions asked with it) in one transaction; return the
        run id and the question ids."""
        row, rows = run_rows(result, analyst=analyst, note=note, source=source,
                             created_at=created_at)

        def body(conn: Connection) -> tuple[int, list[int]]:
            rid = self._insert_run(conn, row, rows)
            qids = [self._ask(conn, q, row["analyst"], rid, row["created_at"])
                    for q in questions_asked]
            return rid, qids

        return self._write(body)

    @staticmethod
    def _insert_run(conn: Connection, row: dict[str, Any], rows: list[dict[str, Any]]) -> int:
        rid = conn.execute(runs.insert().values(**row).returning(runs.c.id)).scalar_one()
        if rows:
            conn.execute(forecasts.insert(), [{**r, "run_id": rid} for r in rows])
        return int(rid)

    @staticmethod
    def _ask(conn: Connection, q: QuestionSpec, analyst: str, rid: int | None,
             when: dt.datetime) -> int:
        uid = q.uid()
        found = conn.execute(sa.select(questions.c.id).where(questions.c.uid == uid)
                             ).scalar_one_or_none()
        if found is not None:
            return int(found)
        return int(conn.execute(questions.insert().values(
            uid=uid, created_at=when, analyst=analyst, title=q.title, scenario=q.scenario,
            issue=q.issue, op=q.op, threshold=q.threshold, scale_low=q.scale[0],
            scale_high=q.scale[1], deadline=q.deadline, criteria=q.criteria, run_id=rid,
        ).returning(questions.c.id)).scalar_one())

    def ask(self, q: QuestionSpec, *, analyst: str | None = None) -> int:
        """Store a question (an identical one already stored is returned, not repeated)."""
        return self._write(lambda conn: self._ask(conn, q, analyst or default_analyst(),
                                                  None, now()))

    def resolve(self, question: str | int, *, value: float | None = None,
                event: bool | None = None, on: str | dt.date | None = None, source: str = "",
                quote: str = "", analyst: str | None = None) -> dict[str, Any]:
        """Resolve a question with the observed value (or, for a threshold question, yes/no),
        its date and a source. Every check comes before anything is written."""
        qid = question_id(question)
        when = parse_date(on, "--date")
        if when is None:
            raise LedgerError("--date is required: the date the outcome was observed "
                              "(YYYY-MM-DD)")
        if not source.strip():
            raise LedgerError("--source is required: where the outcome can be checked")
        if value is not None and not math.isfinite(value):
            raise LedgerError(f"--value {value!r} is not a finite number")

        def body(conn: Connection) -> dict[str, Any]:
            q = conn.execute(sa.select(questions).where(questions.c.id == qid)).mappings().first()
            if q is None:
                raise LedgerError(f"no question Q{qid} in {self.where} (see `accord ledger "
                                  "list`)")
            done = conn.execute(sa.select(resolutions).where(
                resolutions.c.question_id == qid)).mappings().first()
            if done is not None:
                shown = (f"{done['value']:g}" if done["value"] is not None
                         else "yes" if done["event"] else "no")
                raise LedgerError(f"Q{qid} is resolved already ({shown} on "
                                  f"{done['resolved_on']}, source: {done['source']}); a "
                                  "question is resolved once")
            lo, hi = q["scale_low"], q["scale_high"]
            ev = event
            if value is not None:
                if not lo <= value <= hi:
                    raise LedgerError(f"--value {value:g} is outside the scale of "
                                      f"{q['issue']!r} ({lo:g}..{hi:g})")
                if q["op"] is not None:
                    observed = bool(_holds(q["op"], q["threshold"], np.array([value]))[0])
                    if event is not None and event != observed:
                        raise LedgerError(f"--value {value:g} means {q['issue']} "
                                          f"{q['op']} {q['threshold']:g} is "
                                          f"{'true' if observed else 'false'}, but the event "
                                          f"was given as {'yes' if event else 'no'}")
                    ev = observed
            elif event is None:
                raise LedgerError("give the observed value (--value X) or, for a threshold "
                                  "question, whether it happened (--value yes|no)")
            elif q["op"] is None:
                raise LedgerError(f"Q{qid} asks for the value of {q['issue']!r}: give "
                                  f"--value as a number in {lo:g}..{hi:g}, not yes/no")
            row = {"question_id": qid, "value": value, "event": ev, "resolved_on": when,
                   "source": source.strip(), "quote": quote, "recorded_at": now(),
                   "analyst": analyst or default_analyst()}
            conn.execute(resolutions.insert().values(**row))
            return row

        return self._write(body)

    def record_backtest(self, result: BacktestResult, *, analyst: str | None = None,
                        note: str = "", source: str = "") -> tuple[int, int]:
        """Store a backtest: one run per proposal (its scenario and every model's forecast
        of each scored issue) and one resolved value question per scored issue, all in one
        transaction. Recording the same backtest twice adds runs but reuses the questions.
        Returns (runs, questions)."""
        who = analyst or default_analyst()
        when = now()
        day = when.date()
        by_proposal: dict[int, list[int]] = {}
        for row, p in enumerate(result.proposal.tolist()):
            by_proposal.setdefault(int(p), []).append(row)
        models = [{"label": m, "model": m.split(":")[0], "spec": m, "options": {}}
                  for m in result.models]
        plan: list[tuple[dict[str, Any], list[dict[str, Any]], list[tuple[QuestionSpec,
                                                                         float]]]] = []
        for p, rows in sorted(by_proposal.items()):
            prop = result.proposals[p]
            sc = prop.scenario
            yaml_text = scenario_yaml(sc)
            frows = []
            for m in result.models:
                pred = result.prediction[m]
                iv = result.interval.get(m)
                for r in rows:
                    q = iv[r] if iv is not None else (None,) * 4
                    frows.append({"model": m, "issue": result.issue_ids[r],
                                  "point": _finite(pred[r]), "mean": None,
                                  "q05": _finite(q[0]), "q10": _finite(q[1]), "q50": None,
                                  "q90": _finite(q[2]), "q95": _finite(q[3]), "draws": None,
                                  "predictive_draws": None})
            run = {"created_at": when, "analyst": who, "note": note, "title": sc.title,
                   "source": source, "scenario_yaml": yaml_text,
                   "scenario_hash": hashlib.sha256(yaml_text.encode()).hexdigest(),
                   "models": models, "thresholds": [], "seed": result.seed,
                   "draws": result.draws, "accord_version": _version(), "calibration": None}
            run["uid"] = _run_uid(run, frows)
            asked = []
            for r in rows:
                iss = next(i for i in sc.issues if i.id == result.issue_ids[r])
                lo, hi = sc.scale_of(iss)
                asked.append((QuestionSpec(sc.title, iss.id, None, None, (lo, hi),
                                           f"{sc.title}: outcome of {iss.id}",
                                           None, f"the decision outcome coded in {source}"),
                              float(result.outcome[r])))
            plan.append((run, frows, asked))

        def body(conn: Connection) -> tuple[int, int]:
            n_q = 0
            for run, frows, asked in plan:
                rid = self._insert_run(conn, run, frows)
                for spec, outcome in asked:
                    qid = self._ask(conn, spec, who, rid, when)
                    have = conn.execute(sa.select(resolutions.c.value).where(
                        resolutions.c.question_id == qid)).first()
                    if have is None:
                        conn.execute(resolutions.insert().values(
                            question_id=qid, value=outcome, event=None, resolved_on=day,
                            source=source or "backtest", quote="", recorded_at=when,
                            analyst=who))
                    n_q += 1
            return len(plan), n_q

        return self._write(body)

    # ------------------------------------------------------------------- reading

    def list_questions(self, state: Literal["all", "open", "resolved"] = "all"
                       ) -> list[dict[str, Any]]:
        """Questions with their resolution (None while open), oldest first."""
        j = questions.outerjoin(resolutions, resolutions.c.question_id == questions.c.id)
        stmt = sa.select(questions, resolutions.c.value, resolutions.c.event,
                         resolutions.c.resolved_on, resolutions.c.source,
                         resolutions.c.quote, resolutions.c.id.label("resolution_id")
                         ).select_from(j).order_by(questions.c.id)
        if state == "open":
            stmt = stmt.where(resolutions.c.id.is_(None))
        elif state == "resolved":
            stmt = stmt.where(resolutions.c.id.is_not(None))
        with self.engine.connect() as conn:
            return [_question_doc(dict(r)) for r in conn.execute(stmt).mappings()]

    def list_runs(self) -> list[dict[str, Any]]:
        stmt = sa.select(runs.c.id, runs.c.created_at, runs.c.analyst, runs.c.title,
                         runs.c.models, runs.c.draws, runs.c.seed, runs.c.note,
                         runs.c.scenario_hash).order_by(runs.c.id)
        with self.engine.connect() as conn:
            return [{"id": f"R{r['id']}", "created_at": r["created_at"].isoformat(),
                     "analyst": r["analyst"], "scenario": r["title"],
                     "models": [m["label"] for m in r["models"]], "draws": r["draws"],
                     "seed": r["seed"], "note": r["note"],
                     "scenario_hash": r["scenario_hash"]}
                    for r in conn.execute(stmt).mappings()]

    def question(self, ref: str | int) -> dict[str, Any]:
        """A question with its resolution and every forecast that answers it (history),
        each with its score where resolved."""
        qid = question_id(ref)
        docs = [d for d in self._questions_where(questions.c.id == qid)]
        if not docs:
            raise LedgerError(f"no question Q{qid} in {self.where} (see `accord ledger list`)")
        doc = docs[0]
        doc["history"] = self.history(qid)
        return doc

    def _questions_where(self, cond: Any) -> list[dict[str, Any]]:
        j = questions.outerjoin(resolutions, resolutions.c.question_id == questions.c.id)
        stmt = sa.select(questions, resolutions.c.value, resolutions.c.event,
                         resolutions.c.resolved_on, resolutions.c.source,
                         resolutions.c.quote, resolutions.c.recorded_at,
                         resolutions.c.id.label("resolution_id")).select_from(j).where(cond)
        with self.engine.connect() as conn:
            return [_question_doc(dict(r)) for r in conn.execute(stmt).mappings()]

    def history(self, ref: str | int) -> list[dict[str, Any]]:
        """Every recorded forecast of the question's issue in runs of its scenario, oldest
        first: when, by whom, model, point forecast, 10–90 % interval, P(event) for a
        threshold question, and whether it counts (recorded before the resolution)."""
        qid = question_id(ref)
        with self.engine.connect() as conn:
            q = conn.execute(sa.select(questions).where(questions.c.id == qid)).mappings().first()
            if q is None:
                raise LedgerError(f"no question Q{qid} in {self.where} (see `accord ledger "
                                  "list`)")
            res = conn.execute(sa.select(resolutions).where(
                resolutions.c.question_id == qid)).mappings().first()
            stmt = (sa.select(runs.c.created_at, runs.c.analyst, forecasts)
                    .select_from(runs.join(forecasts, forecasts.c.run_id == runs.c.id))
                    .where(runs.c.title == q["scenario"], forecasts.c.issue == q["issue"])
                    .order_by(runs.c.created_at, runs.c.id, forecasts.c.id))
            rows = list(conn.execute(stmt).mappings())
        out = []
        for r in rows:
            entry: dict[str, Any] = {
                "run": f"R{r['run_id']}", "created_at": r["created_at"].isoformat(),
                "analyst": r["analyst"], "model": r["model"], "point": r["point"],
                "q10": r["q10"], "q90": r["q90"], "p10": r["p10"], "p90": r["p90"],
                "counts": res is None or r["created_at"] <= res["recorded_at"],
            }
            if q["op"] is not None:
                draws = scored_draws(r)
                entry["probability"] = (float(np.mean(_holds(q["op"], q["threshold"], draws)))
                                        if draws is not None and draws.size > 1 else None)
            if res is not None and entry["counts"]:
                entry["score"] = _single_score(q, res, r)
            out.append(entry)
        return out

    def run(self, ref: str | int) -> dict[str, Any]:
        """A recorded run with its scenario and its forecasts (without the raw draws)."""
        rid = run_id(ref)
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(runs).where(runs.c.id == rid)).mappings().first()
            if r is None:
                raise LedgerError(f"no run R{rid} in {self.where} (see `accord ledger list "
                                  "--runs`)")
            rows = list(conn.execute(sa.select(forecasts).where(forecasts.c.run_id == rid)
                                     .order_by(forecasts.c.id)).mappings())
            asked = list(conn.execute(sa.select(questions.c.id, questions.c.title).where(
                questions.c.run_id == rid)).mappings())
        doc = _run_doc(dict(r), rows, with_draws=False)
        doc["id"] = f"R{rid}"
        doc["questions"] = [{"id": f"Q{a['id']}", "title": a["title"]} for a in asked]
        return doc

    # ------------------------------------------------------------------- scores

    def scored_rows(self, by: GroupBy = "model") -> tuple[scoring.ScoredRows, np.ndarray]:
        """The forecasts that count, one per resolved question and model (the latest recorded
        before the resolution), as rows for :func:`accord.ledger.scoring.score`."""
        if by not in ("model", "analyst", "scenario"):
            raise LedgerError(f"--by {by!r}: choose model, analyst or scenario")
        with self.engine.connect() as conn:
            resolved = conn.execute(
                sa.select(questions.c.id, questions.c.op, questions.c.threshold,
                          questions.c.scenario, questions.c.issue, resolutions.c.value,
                          resolutions.c.event, resolutions.c.recorded_at)
                .select_from(questions.join(resolutions,
                                            resolutions.c.question_id == questions.c.id))
                .order_by(questions.c.id)).all()
            # every forecast's place (no draws yet): (scenario, issue, model) -> time order
            index = conn.execute(
                sa.select(runs.c.title, forecasts.c.issue, forecasts.c.model,
                          runs.c.created_at, runs.c.id, forecasts.c.id)
                .select_from(runs.join(forecasts, forecasts.c.run_id == runs.c.id))
                .order_by(runs.c.created_at, runs.c.id)).all()
            by_slot: dict[tuple[str, str], dict[str, tuple[list[Any], list[int]]]] = {}
            for title, issue, model, created, _rid, fid in index:
                times, ids = by_slot.setdefault((title, issue), {}).setdefault(model,
                                                                              ([], []))
                times.append(created)
                ids.append(fid)
            chosen: list[tuple[Any, int]] = []  # (question row, forecast id)
            for q in resolved:
                for times, ids in by_slot.get((q.scenario, q.issue), {}).values():
                    k = bisect.bisect_right(times, q.recorded_at)  # latest at or before
                    if k:
                        chosen.append((q, ids[k - 1]))
            detail: dict[int, Any] = {}
            wanted = sorted({fid for _, fid in chosen})
            for lo in range(0, len(wanted), 5000):
                for r in conn.execute(
                        sa.select(forecasts.c.id, forecasts.c.model, forecasts.c.point,
                                  forecasts.c.q05, forecasts.c.q10, forecasts.c.q90,
                                  forecasts.c.q95, forecasts.c.draws, forecasts.c.p05,
                                  forecasts.c.p10, forecasts.c.p90, forecasts.c.p95,
                                  forecasts.c.predictive_draws, runs.c.analyst,
                                  runs.c.draws.label("n_draws"))
                        .select_from(forecasts.join(runs, runs.c.id == forecasts.c.run_id))
                        .where(forecasts.c.id.in_(wanted[lo:lo + 5000]))):
                    detail[r.id] = r._asdict()
        rows = scoring.ScoredRows()
        n_draws = []
        pending: list[tuple[int, np.ndarray, str, float]] = []  # threshold rows' draws
        for q, fid in chosen:
            f = detail[fid]
            key = f["model"] if by == "model" else f["analyst"] if by == "analyst" \
                else q.scenario
            draws = scored_draws(f)
            if q.op is None:
                if q.value is None:
                    continue
                rows.add_value(key, f["point"], q.value, scored_interval(f), draws)
            else:
                if draws is not None and draws.size > 1:
                    pending.append((len(rows), draws, q.op, q.threshold))
                rows.add_threshold(key, None, bool(q.event))
            n_draws.append(float(f["n_draws"]))
        for at, prob in zip([p[0] for p in pending], event_probabilities(pending), strict=True):
            rows.prob[at] = prob
        return rows, np.array(n_draws, float)

    def score(self, by: GroupBy = "model") -> list[scoring.GroupScore]:
        rows, n_draws = self.scored_rows(by)
        return scoring.score(rows, n_draws)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "runs": conn.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one(),
                "questions": conn.execute(sa.select(sa.func.count()).select_from(questions)
                                          ).scalar_one(),
                "resolved": conn.execute(sa.select(sa.func.count()).select_from(resolutions)
                                         ).scalar_one(),
            }

    # ------------------------------------------------------------------- export / import

    def export_json(self) -> dict[str, Any]:
        """Everything in the ledger as one JSON document (draws base64-encoded float64);
        :meth:`import_json` reads it back."""
        with self.engine.connect() as conn:
            all_runs = list(conn.execute(sa.select(runs).order_by(runs.c.id)).mappings())
            all_fc = list(conn.execute(sa.select(forecasts).order_by(forecasts.c.id)
                                       ).mappings())
            qs = list(conn.execute(sa.select(questions).order_by(questions.c.id)).mappings())
            res = {r["question_id"]: r for r in conn.execute(sa.select(resolutions)).mappings()}
        by_run: dict[int, list[Any]] = {}
        for f in all_fc:
            by_run.setdefault(f["run_id"], []).append(f)
        run_uid = {r["id"]: r["uid"] for r in all_runs}
        return {
            "format": EXPORT_FORMAT, "version": EXPORT_VERSION, "schema": db.head_revision(),
            "runs": [_run_doc(dict(r), by_run.get(r["id"], []), with_draws=True)
                     for r in all_runs],
            "questions": [_export_question(dict(q), res.get(q["id"]), run_uid)
                          for q in qs],
        }

    def export_csv(self) -> str:
        """One row per recorded forecast (run, model, issue) with the run's settings."""
        cols = ["run", "created_at", "analyst", "scenario", "scenario_hash", "draws", "seed",
                "model", "issue", "point", "mean", *db.QUANTILE_COLUMNS,
                *db.PREDICTIVE_COLUMNS, "note"]
        stmt = (sa.select(runs.c.id.label("rid"), runs.c.created_at, runs.c.analyst,
                          runs.c.title, runs.c.scenario_hash, runs.c.draws.label("n"),
                          runs.c.seed, runs.c.note, forecasts)
                .select_from(runs.join(forecasts, forecasts.c.run_id == runs.c.id))
                .order_by(runs.c.id, forecasts.c.id))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        with self.engine.connect() as conn:
            for r in conn.execute(stmt).mappings():
                w.writerow([f"R{r['rid']}", r["created_at"].isoformat(), r["analyst"],
                            r["title"], r["scenario_hash"], r["n"], r["seed"], r["model"],
                            r["issue"], *(_cell(r[c]) for c in ("point", "mean",
                                                                *db.QUANTILE_COLUMNS,
                                                                *db.PREDICTIVE_COLUMNS)),
                            r["note"]])
        return buf.getvalue()

    def import_json(self, doc: Any, file: str = "<import>") -> dict[str, int]:
        """Add what an export holds and this ledger lacks (runs and questions by content
        hash, resolutions of questions still open here), in one transaction. Importing the
        same file twice adds nothing the second time."""
        plan = _read_export(doc, file)

        def body(conn: Connection) -> dict[str, int]:
            added = {"runs": 0, "questions": 0, "resolutions": 0}
            have = set(conn.execute(sa.select(runs.c.uid)).scalars())
            for run, rows in plan["runs"]:
                if run["uid"] in have:
                    continue
                self._insert_run(conn, run, rows)
                have.add(run["uid"])
                added["runs"] += 1
            for q, res, run_uid in plan["questions"]:
                found = conn.execute(sa.select(questions.c.id).where(
                    questions.c.uid == q["uid"])).scalar_one_or_none()
                if found is None:
                    rid = (conn.execute(sa.select(runs.c.id).where(runs.c.uid == run_uid)
                                        ).scalar_one_or_none() if run_uid else None)
                    found = conn.execute(questions.insert().values(**q, run_id=rid)
                                         .returning(questions.c.id)).scalar_one()
                    added["questions"] += 1
                if res is not None:
                    done = conn.execute(sa.select(resolutions.c.id).where(
                        resolutions.c.question_id == found)).first()
                    if done is None:
                        conn.execute(resolutions.insert().values(**res, question_id=found))
                        added["resolutions"] += 1
            return added

        return self._write(body)


def upgrade_ledger(url: str | None = None) -> tuple[str | None, str, str]:
    """Apply the missing migrations to the ledger at ``url``: (revision before, after,
    where)."""
    engine = db.make_engine(url or db.default_url())
    where = sa.make_url(engine.url).render_as_string(hide_password=True)
    try:
        before, after = db.upgrade(engine, where)
    except OperationalError as e:
        raise LedgerError(f"{where}: cannot open the ledger: {getattr(e, 'orig', e)}"
                          ) from None
    finally:
        engine.dispose()
    return before, after, where
