"""Writes first-schema.sqlite: a small ledger at schema revision 0001 (the first schema),
for the migration test in tests/test_ledger.py. Rows are written with plain SQL in the
columns revision 0001 has, as accord wrote them then; rerun only to rebuild the fixture:

    .venv/bin/python tests/data/ledger/make_first_schema.py
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from accord.ledger import db

HERE = Path(__file__).parent
YAML = """\
title: Old scenario
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


def main() -> None:
    path = HERE / "first-schema.sqlite"
    path.unlink(missing_ok=True)
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine, str(path), target="0001")
    sha = hashlib.sha256(YAML.encode()).hexdigest()
    models = json.dumps([{"label": "compromise", "model": "compromise", "spec": "compromise",
                          "options": {}}])
    draws = np.linspace(30.0, 40.0, 10).astype("<f8").tobytes()
    with engine.begin() as conn:
        for rid, (when, point, blob) in enumerate(
                [("2025-01-01 10:00:00.000000", 40.0, None),
                 ("2025-02-01 10:00:00.000000", 35.0, draws)], start=1):
            conn.execute(sa.text(
                "INSERT INTO runs (id, uid, created_at, analyst, note, title, source, "
                "scenario_yaml, scenario_hash, models, thresholds, seed, draws, "
                "accord_version) VALUES (:id, :uid, :t, 'old', 'as of then', 'Old scenario', "
                "'old.yaml', :yaml, :sha, :models, '[]', 0, :n, '0.1.0')"),
                {"id": rid, "uid": f"{rid:064d}", "t": when, "yaml": YAML, "sha": sha,
                 "models": models, "n": 1 if blob is None else 10})
            conn.execute(sa.text(
                "INSERT INTO forecasts (run_id, model, issue, point, mean, q05, q10, q50, "
                "q90, q95, draws) VALUES (:rid, 'compromise', 'territory', :p, NULL, NULL, "
                "NULL, NULL, NULL, NULL, :d)"), {"rid": rid, "p": point, "d": blob})
            conn.execute(sa.text(
                "INSERT INTO forecasts (run_id, model, issue, point) VALUES "
                "(:rid, 'compromise', 'ceasefire', 5.0)"), {"rid": rid})
        conn.execute(sa.text(
            "INSERT INTO questions (id, uid, created_at, analyst, title, scenario, issue, op, "
            "threshold, scale_low, scale_high, deadline, criteria, run_id) VALUES "
            "(1, :u1, '2025-01-01 10:00:00.000000', 'old', 'value of territory', "
            "'Old scenario', 'territory', NULL, NULL, 0, 100, '2025-06-30', 'the map', 1), "
            "(2, :u2, '2025-01-01 10:00:00.000000', 'old', 'ceasefire < 5', 'Old scenario', "
            "'ceasefire', '<', 5, 0, 10, NULL, '', 1)"), {"u1": "1" * 64, "u2": "2" * 64})
        conn.execute(sa.text(
            "INSERT INTO resolutions (question_id, value, event, resolved_on, source, quote, "
            "recorded_at, analyst) VALUES (1, 30, NULL, '2025-03-01', 'the map', '', "
            "'2025-03-01 09:00:00.000000', 'old')"))
    engine.dispose()
    plain = sqlite3.connect(path, isolation_level=None)  # one file, no -wal beside it
    plain.execute("PRAGMA journal_mode = DELETE")
    plain.close()


if __name__ == "__main__":
    main()
