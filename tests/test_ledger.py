"""The ledger: recording, questions, resolutions, scores, export/import, schema versions.

Every test that touches a database runs against SQLite and PostgreSQL (``ledger_url`` in
conftest.py). Scores are checked against hand calculations written here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from accord.analysis import ForecastResult, ModelResult
from accord.errors import LedgerError
from accord.ledger import Ledger, db, make_question, scoring
from accord.models.base import Forecast
from accord.scenario import loads

DATA = Path(__file__).parent / "data" / "ledger"

SCENARIO = """\
title: Two issues
scale: [0, 100]
issues:
  - id: territory
  - id: ceasefire
    scale: [0, 10]
actors:
  - id: A
    capability: 60
    position: {territory: 90, ceasefire: 2}
    salience: {territory: 80, ceasefire: 40}
  - id: B
    capability: 40
    position: {territory: 10, ceasefire: 8}
    salience: {territory: 70, ceasefire: 60}
"""


def scenario(title: str = "Two issues"):
    return loads(SCENARIO.replace("Two issues", title), "yaml")


def fake_result(points: dict[str, list[float]], draws: dict[str, np.ndarray] | None = None,
                title: str = "Two issues", seed: int = 0) -> ForecastResult:
    """A forecast with the given point forecasts (model -> per issue) and draws (model ->
    (S, 2)), as if the models had produced them."""
    sc = scenario(title)
    issues = tuple(sc.issue_ids)
    actors = tuple(sc.actor_ids)
    results = []
    for model, pt in points.items():
        point = Forecast(model, {}, actors, issues, np.array([pt], float))
        drawn = None
        if draws and model in draws:
            drawn = Forecast(model, {}, actors, issues, np.asarray(draws[model], float))
        results.append(ModelResult(model, {}, point, drawn))
    n = next(iter(draws.values())).shape[0] if draws else 1
    return ForecastResult(sc, n, seed, results)


@pytest.fixture
def ledger(ledger_url: str):
    with Ledger.open(ledger_url) as opened:
        yield opened


# --------------------------------------------------------------------------- scoring (pure)


def test_crps_of_a_two_member_ensemble_by_hand() -> None:
    # draws {0, 10}, outcome 4: E|X - y| = (4 + 6) / 2 = 5, E|X - X'| = (0 + 10 + 10 + 0) / 4
    # = 5, CRPS = 5 - 5/2 = 2.5 (Gneiting & Raftery 2007, eq. 20, on the empirical law).
    assert scoring.crps(np.array([4.0]), np.array([[0.0, 10.0]]))[0] == pytest.approx(2.5)
    # outcome outside the draws {2, 4, 6}, y = 10: E|X-y| = 6, E|X-X'| = 16/9, CRPS = 6 - 8/9
    assert scoring.crps(np.array([10.0]), np.array([[2.0, 4.0, 6.0]]))[0] == pytest.approx(
        6 - 8 / 9)


def test_brier_and_log_score_by_hand() -> None:
    event = np.array([1.0, 0.0])
    prob = np.array([0.7, 0.2])
    assert scoring.brier(event, prob).tolist() == pytest.approx([0.09, 0.04])
    assert scoring.log_score(event, prob, np.array([2000, 2000])).tolist() == pytest.approx(
        [-math.log(0.7), -math.log(0.8)])
    # none of 2000 draws showed the event, and it happened: log(4000), not infinity
    assert scoring.log_score(np.array([1.0]), np.array([0.0]), np.array([2000]))[0] == \
        pytest.approx(math.log(4000))


def test_group_scores_by_hand_and_too_few() -> None:
    rows = scoring.ScoredRows()
    # five value forecasts of model a: errors 1, 2, 3, 4, 10 -> MAE 4
    for point, y in [(1, 0), (2, 0), (3, 0), (4, 0), (10, 0)]:
        rows.add_value("a", point, y, (None,) * 4, None)
    # four of model b: too few for a mean
    for point in (1, 2, 3, 4):
        rows.add_value("b", point, 0, (None,) * 4, None)
    groups = {g.key: g for g in scoring.score(rows)}
    assert groups["a"].n_value == 5 and groups["a"].mae == pytest.approx(4.0)
    assert groups["b"].n_value == 4 and groups["b"].mae is None
    assert any("too few" in n for n in groups["b"].notes)
    assert groups["a"].coverage80 is None and groups["a"].crps is None


def test_coverage_and_calibration_table_by_hand() -> None:
    rows = scoring.ScoredRows()
    # ten intervals q05..q95 = [0, 10, 20, 30]; outcomes 15 (in both) x6, 25 (in 90 only) x2,
    # 40 (in neither) x2 -> coverage 80 % = 6/10, 90 % = 8/10
    for y in [15] * 6 + [25] * 2 + [40] * 2:
        rows.add_value("m", 20, y, (0, 10, 20, 30), None)
    # twenty probabilities: 0.15 x10 of which 2 happened, 0.85 x10 of which 7 happened
    for k in range(10):
        rows.add_threshold("m", 0.15, k < 2)
        rows.add_threshold("m", 0.85, k < 7)
    (g,) = scoring.score(rows)
    assert (g.coverage80, g.coverage90) == (pytest.approx(0.6), pytest.approx(0.8))
    assert g.mae == pytest.approx((5 * 6 + 5 * 2 + 20 * 2) / 10)
    # Brier: 2 x (0.85)^2 + 8 x 0.15^2 over the first ten, 7 x 0.15^2 + 3 x 0.85^2 the rest
    expected = (2 * 0.85 ** 2 + 8 * 0.15 ** 2 + 7 * 0.15 ** 2 + 3 * 0.85 ** 2) / 20
    assert g.brier == pytest.approx(expected)
    table = {(b["low"], b["high"]): b for b in g.calibration}
    assert table[(0.1, 0.2)] == {"low": 0.1, "high": 0.2, "n": 10,
                                 "forecast": pytest.approx(0.15), "observed": 0.2}
    assert table[(0.8, 0.9)]["observed"] == pytest.approx(0.7)
    assert sum(b["n"] for b in g.calibration) == 20


# --------------------------------------------------------------------------- recording


def test_record_keeps_the_scenario_the_quantiles_and_the_draws(ledger: Ledger) -> None:
    rng = np.random.default_rng(3)
    draws = {"compromise": rng.uniform(0, 100, (400, 2)) * [1, 0.1],
             "median": rng.uniform(0, 100, (400, 2)) * [1, 0.1]}
    result = fake_result({"compromise": [50, 5], "median": [60, 4]}, draws)
    rid, _ = ledger.record(result, analyst="ana", note="first look", source="two.yaml")
    doc = ledger.run(rid)
    assert doc["analyst"] == "ana" and doc["note"] == "first look" and doc["draws"] == 400
    assert loads(doc["scenario_yaml"], "yaml") == result.scenario
    assert doc["scenario_hash"] == hashlib.sha256(doc["scenario_yaml"].encode()).hexdigest()
    assert [m["label"] for m in doc["models"]] == ["compromise", "median"]
    rows = {(f["model"], f["issue"]): f for f in doc["forecasts"]}
    assert len(rows) == 4
    f = rows[("median", "ceasefire")]
    assert f["point"] == 4
    col = draws["median"][:, 1]
    assert f["q10"] == pytest.approx(np.quantile(col, 0.1))
    assert f["q95"] == pytest.approx(np.quantile(col, 0.95))
    assert f["mean"] == pytest.approx(col.mean())
    exported = ledger.export_json()["runs"][0]["forecasts"]
    blob = next(e["draws"] for e in exported if (e["model"], e["issue"]) ==
                ("median", "ceasefire"))
    import base64

    assert np.array_equal(np.frombuffer(base64.b64decode(blob), "<f8"), col)


def test_predictive_quantiles_are_stored_when_the_forecast_has_them(ledger: Ledger) -> None:
    result = fake_result({"compromise": [50, 5]})
    result.results[0].predictive = {  # type: ignore[attr-defined]
        "territory": {"q05": 10.0, "q10": 20.0, "q50": 50.0, "q90": 80.0, "q95": 90.0}}
    rid, _ = ledger.record(result)
    rows = {f["issue"]: f for f in ledger.run(rid)["forecasts"]}
    assert (rows["territory"]["p05"], rows["territory"]["p95"]) == (10.0, 90.0)
    assert rows["ceasefire"]["p10"] is None


PROVENANCE = {"corpus": "deu-dev.csv", "n": 243, "date": "2026-11-30"}


class _Calibration:
    model = "compromise"
    method = "conformal"
    provenance = PROVENANCE
    residuals = np.zeros(243)  # not stored


def test_predictive_draws_are_stored_and_scored_in_place_of_the_input_draws(
        ledger: Ledger) -> None:
    """A calibrated forecast (predictive draws (M, d) beside the input draws) is scored by
    its predictive distribution: CRPS of the predictive draws, coverage of its interval."""
    narrow = np.column_stack([np.full(10, 50.0), np.full(10, 5.0)])
    wide = np.column_stack([np.linspace(0, 100, 11), np.linspace(0, 10, 11)])
    res = fake_result({"compromise": [50, 5]}, {"compromise": narrow})
    res.results[0].predictive = wide  # type: ignore[attr-defined]
    res.results[0].calibration = _Calibration()  # type: ignore[attr-defined]
    rid, (q,) = ledger.record(res, questions_asked=[make_question(res.scenario, "territory")])
    run = ledger.run(rid)
    assert run["calibration"] == {"compromise": {"model": "compromise", "method": "conformal",
                                                 "provenance": PROVENANCE}}
    f = next(f for f in run["forecasts"] if f["issue"] == "territory")
    assert (f["q10"], f["q90"]) == (50.0, 50.0)  # the input draws
    assert (f["p10"], f["p90"]) == (pytest.approx(10.0), pytest.approx(90.0))
    ledger.resolve(q, value=75, on="2026-01-01", source="s")
    (h,) = ledger.history(q)
    xs = np.linspace(0, 100, 11)
    crps = np.mean(np.abs(xs - 75)) - 0.5 * np.mean(np.abs(xs[:, None] - xs[None, :]))
    assert h["score"]["crps"] == pytest.approx(crps)  # not the narrow draws' 25
    assert h["score"]["in80"] is True  # 75 in the predictive 10..90, not in 50..50
    doc = ledger.export_json()
    assert doc["runs"][0]["forecasts"][0]["predictive_draws"] is not None


def test_a_question_resolves_and_scores_the_latest_forecast_before_it(ledger: Ledger) -> None:
    sc = scenario()
    q_value = make_question(sc, "territory")
    q_event = make_question(sc, "ceasefire<5", deadline="2025-12-31")
    draws = np.column_stack([np.linspace(0, 100, 11), np.linspace(0, 10, 11)])
    first = fake_result({"compromise": [40, 6]}, {"compromise": draws})
    _, (qv, qe) = ledger.record(first, questions_asked=[q_value, q_event])
    later = fake_result({"compromise": [70, 3]}, {"compromise": draws})
    ledger.record(later)
    ledger.resolve(f"Q{qv}", value=75, on="2026-01-05", source="treaty text")
    ledger.resolve(qe, event=True, on=dt.date(2026, 1, 1), source="news")
    after = fake_result({"compromise": [0, 0]}, {"compromise": draws})
    ledger.record(after)  # recorded after the resolution: in the history, never scored
    hist = ledger.history(qv)
    assert [h["point"] for h in hist] == [40, 70, 0]
    assert [h["counts"] for h in hist] == [True, True, False]
    assert hist[1]["score"]["abs_error"] == 5
    # draws 0, 10, ..., 100 against 75: E|X-y| = 350/11 ... CRPS from the hand formula
    xs = np.linspace(0, 100, 11)
    crps = np.mean(np.abs(xs - 75)) - 0.5 * np.mean(np.abs(xs[:, None] - xs[None, :]))
    assert hist[1]["score"]["crps"] == pytest.approx(crps)
    ev = ledger.history(qe)
    assert ev[1]["probability"] == pytest.approx(5 / 11)  # ceasefire 0..4 of 0..10
    assert ev[1]["score"]["brier"] == pytest.approx((1 - 5 / 11) ** 2)
    rows, _ = ledger.scored_rows("model")
    assert rows.kind == ["value", "threshold"]
    assert rows.point[0] == 70 and rows.prob[1] == pytest.approx(5 / 11)
    opened = ledger.list_questions("open")
    assert opened == []
    resolved = ledger.list_questions("resolved")
    assert [q["resolution"]["value"] for q in resolved] == [75, None]
    assert resolved[1]["resolution"]["event"] is True


def test_scores_group_by_analyst_and_scenario(ledger: Ledger) -> None:
    for k in range(6):
        title = f"Scenario {k % 2}"
        res = fake_result({"compromise": [10 * k, 5]}, title=title)
        _, (q,) = ledger.record(res, analyst=f"an{k % 3}",
                                questions_asked=[make_question(res.scenario, "territory",
                                                               deadline=f"2026-0{k + 1}-01")])
        ledger.resolve(q, value=10 * k + 2, on="2026-01-01", source="s")
    by_model = ledger.score("model")
    assert [(g.key, g.n_value, g.mae) for g in by_model] == [("compromise", 6,
                                                              pytest.approx(2.0))]
    assert {g.key: g.n_value for g in ledger.score("analyst")} == {"an0": 2, "an1": 2,
                                                                   "an2": 2}
    assert {g.key: g.n_value for g in ledger.score("scenario")} == {"Scenario 0": 3,
                                                                    "Scenario 1": 3}


# --------------------------------------------------------------------------- bad input


def _snapshot(ledger: Ledger) -> str:
    return json.dumps(ledger.export_json(), sort_keys=True)


@pytest.mark.parametrize(("ref", "kwargs", "message"), [
    ("Q99", {"value": 50}, "no question Q99"),
    ("what", {"value": 50}, "not a question id"),
    ("Q1", {"value": 150}, "outside the scale"),
    ("Q2", {"value": 11}, "outside the scale"),
    ("Q1", {"value": 50, "on": "31/12/2025"}, "not a date"),
    ("Q1", {"value": 50, "on": None}, "--date is required"),
    ("Q1", {"value": 50, "source": " "}, "--source is required"),
    ("Q1", {"event": True}, "not yes/no"),
    ("Q2", {"value": 2, "event": False}, "means ceasefire < 5 is true"),
])
def test_bad_resolutions_are_refused_and_write_nothing(ledger: Ledger, ref, kwargs,
                                                       message) -> None:
    sc = scenario()
    ledger.record(fake_result({"compromise": [50, 5]}), questions_asked=[
        make_question(sc, "territory"), make_question(sc, "ceasefire<5")])
    before = _snapshot(ledger)
    args = {"on": "2026-01-01", "source": "news", **kwargs}
    with pytest.raises(LedgerError, match=message):
        ledger.resolve(ref, **args)
    assert _snapshot(ledger) == before


def test_a_question_is_resolved_once(ledger: Ledger) -> None:
    _, (q,) = ledger.record(fake_result({"compromise": [50, 5]}),
                            questions_asked=[make_question(scenario(), "territory")])
    ledger.resolve(q, value=40, on="2026-01-01", source="first")
    before = _snapshot(ledger)
    with pytest.raises(LedgerError, match=r"resolved already.*40.*first"):
        ledger.resolve(q, value=60, on="2026-02-01", source="second")
    assert _snapshot(ledger) == before


@pytest.mark.parametrize(("text", "message"), [
    ("land", "no issue 'land'"),
    ("territory=>80", "not ISSUE OP NUMBER"),
    ("territory>=180", "outside the scale"),
    ("land>=3", "no issue 'land'"),
])
def test_bad_questions_are_refused(text: str, message: str) -> None:
    with pytest.raises(LedgerError, match=message):
        make_question(scenario(), text)


def test_a_bad_deadline_is_refused() -> None:
    with pytest.raises(LedgerError, match="--deadline '2025-13-01' is not a date"):
        make_question(scenario(), "territory", deadline="2025-13-01")


# --------------------------------------------------------------------------- export/import


def test_export_import_round_trip_is_idempotent(ledger: Ledger, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    res = fake_result({"compromise": [50, 5]}, {"compromise": rng.uniform(0, 10, (50, 2))})
    _, (q,) = ledger.record(res, questions_asked=[make_question(res.scenario, "ceasefire>3")])
    ledger.record(fake_result({"nash": [20, 1]}))
    ledger.resolve(q, value=4, on="2026-01-01", source="s", quote="they agreed")
    doc = ledger.export_json()
    with Ledger.open(f"sqlite:///{tmp_path / 'copy.sqlite'}") as other:
        assert other.import_json(doc) == {"runs": 2, "questions": 1, "resolutions": 1}
        assert other.import_json(json.loads(json.dumps(doc))) == {
            "runs": 0, "questions": 0, "resolutions": 0}
        again = other.export_json()
    strip = lambda d: json.dumps(d, sort_keys=True)  # noqa: E731
    assert strip(again) == strip(doc)
    assert ledger.export_csv().splitlines()[0].startswith("run,created_at,analyst,scenario")
    assert len(ledger.export_csv().splitlines()) == 1 + 2 + 2


@pytest.mark.parametrize("doc", [[], {"format": "other"}, {"format": "accord-ledger",
                                                          "version": 9},
                                 {"format": "accord-ledger", "version": 1,
                                  "runs": [{"uid": "x"}]}])
def test_a_bad_import_is_refused_whole(ledger: Ledger, doc) -> None:
    with pytest.raises(LedgerError):
        ledger.import_json(doc, "bad.json")
    assert ledger.counts() == {"runs": 0, "questions": 0, "resolved": 0}


# --------------------------------------------------------------------------- schema


def test_a_new_ledger_gets_the_head_schema(ledger: Ledger) -> None:
    assert ledger.revision() == db.head_revision() == db.known_revisions()[-1]
    ledger.check_schema()
    assert ledger.upgrade() == (db.head_revision(), db.head_revision())


def test_a_ledger_from_a_newer_accord_is_refused(ledger_url: str) -> None:
    Ledger.open(ledger_url).close()
    engine = sa.create_engine(ledger_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    with pytest.raises(LedgerError, match=r"revision .0999.*newer accord"):
        Ledger.open(ledger_url)


def test_a_ledger_of_the_first_schema_is_upgraded_with_nothing_lost(tmp_path: Path) -> None:
    """tests/data/ledger/first-schema.sqlite was written at revision 0001 (see its README)."""
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "first-schema.sqlite", path)
    url = f"sqlite:///{path}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == \
            "0001"
        before = {t: conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id")).all()
                  for t in ("runs", "forecasts", "questions", "resolutions")}
    engine.dispose()
    with pytest.raises(LedgerError, match="run `accord ledger upgrade`"):
        Ledger.open(url, upgrade=False)
    with Ledger.open(url) as ledger:
        assert ledger.revision() == db.head_revision()
        with ledger.engine.connect() as conn:
            for table, rows in before.items():
                cols = ", ".join(rows[0]._fields)
                after = conn.execute(sa.text(f"SELECT {cols} FROM {table} ORDER BY id")).all()
                assert after == rows, table
        assert ledger.counts() == {"runs": 2, "questions": 2, "resolved": 1}
        q = ledger.question("Q1")
        assert q["resolution"]["value"] == 30 and len(q["history"]) == 2
        assert q["history"][1]["score"]["abs_error"] == pytest.approx(5.0)
        res = fake_result({"compromise": [50, 5]}, title="Old scenario")
        res.results[0].predictive = {"territory": {"q05": 1.0}}  # type: ignore[attr-defined]
        rid, _ = ledger.record(res)
        assert ledger.run(rid)["forecasts"][0]["p05"] == 1.0


# --------------------------------------------------------------------------- opening


def test_a_bad_url_is_a_clear_message() -> None:
    with pytest.raises(LedgerError, match="not a database URL"):
        Ledger.open("://nonsense")
    with pytest.raises(LedgerError, match="not a database URL"):
        Ledger.open("postgresql://u@h:port/db")
    with pytest.raises(LedgerError, match="no driver"):
        Ledger.open("mysql+nosuchdriver://u@h/db")


def test_the_default_ledger_is_in_the_user_data_dir(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ACCORD_LEDGER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert db.default_url() == f"sqlite:///{tmp_path / 'accord' / 'ledger.sqlite'}"
    monkeypatch.setenv("ACCORD_LEDGER", "postgresql://team@db/ledger")
    assert db.default_url() == "postgresql://team@db/ledger"


def test_sqlite_ledgers_are_in_wal_mode(tmp_path: Path) -> None:
    with Ledger.open(str(tmp_path / "plain-path.sqlite")) as ledger, \
            ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
