"""Time the ledger: recording a forecast, and scoring many resolved questions.

Run: .venv/bin/python benchmarks/bench_ledger.py [--questions N] [--draws S] [--url URL]

1. Record the Ukraine example forecast by six models with 2 000 draws (the forecast is
   computed once, outside the timing): one transaction with the scenario, 18 forecast rows
   and their draws. Median and slowest of 20 records. Target < 0.5 s.
2. Score N (default 10 000) resolved questions: N/10 runs of a ten-issue scenario by two
   models with S (default 500) draws each, one question per issue and run (half value, half
   threshold), all resolved; then ``Ledger.score`` (query, decode draws, CRPS, Brier, log,
   coverage, calibration) per model. Target < 5 s.

SQLite in a temporary directory by default; ``--url`` for another database (an empty one).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from accord import analysis, example
from accord.analysis import ForecastResult, ModelResult
from accord.ledger import Ledger, make_question
from accord.ledger.db import resolutions
from accord.ledger.store import now
from accord.models.base import Forecast
from accord.scenario import loads

SIX = ["compromise", "median", "nash", "bdm", "smp", "exchange"]


def bench_record(url: str) -> None:
    sc = example("ukraine-2025")
    t0 = time.perf_counter()
    result = analysis.forecast(sc, SIX, draws=2000, seed=1)
    print(f"forecast ukraine-2025, 6 models, 2000 draws (not timed below): "
          f"{time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    ledger = Ledger.open(url)
    print(f"open a new ledger (schema created): {time.perf_counter() - t0:.3f} s")
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        ledger.record(result, note="bench")
        times.append(time.perf_counter() - t0)
    print(f"record 6 models x 3 issues x 2000 draws: median {statistics.median(times):.3f} s, "
          f"slowest {max(times):.3f} s (20 records)")
    ledger.close()


def _scenario(issues: int):  # type: ignore[no-untyped-def]
    ids = [f"i{k}" for k in range(issues)]
    pos_a = ", ".join(f"{i}: 80" for i in ids)
    pos_b = ", ".join(f"{i}: 20" for i in ids)
    sal = ", ".join(f"{i}: 50" for i in ids)
    text = ("title: Bench scenario\nscale: [0, 100]\nissues:\n"
            + "".join(f"  - id: {i}\n" for i in ids)
            + f"actors:\n  - id: A\n    capability: 60\n    position: {{{pos_a}}}\n"
            f"    salience: {{{sal}}}\n  - id: B\n    capability: 40\n"
            f"    position: {{{pos_b}}}\n    salience: {{{sal}}}\n")
    return loads(text, "yaml")


def bench_score(url: str, n_questions: int, draws: int) -> None:
    issues = 10
    sc = _scenario(issues)
    rng = np.random.default_rng(0)
    ledger = Ledger.open(url)
    runs = n_questions // issues
    t0 = time.perf_counter()
    for r in range(runs):
        results = []
        for model in ("compromise", "median"):
            drawn = rng.uniform(0, 100, (draws, issues))
            point = Forecast(model, {}, ("A", "B"), tuple(sc.issue_ids), drawn[:1].copy())
            results.append(ModelResult(model, {}, point,
                                       Forecast(model, {}, ("A", "B"), tuple(sc.issue_ids),
                                                drawn)))
        result = ForecastResult(sc, draws, r, results)
        asked = [make_question(sc, i if k % 2 == 0 else f"{i}>=50", deadline=None,
                               title=f"run {r} {i}") for k, i in enumerate(sc.issue_ids)]
        ledger.record(result, questions_asked=asked)
    setup = time.perf_counter() - t0
    with ledger.engine.begin() as conn:  # resolve them all at once (setup, not timed)
        qids = conn.execute(sa.text("SELECT id, op FROM questions")).all()
        when = now()
        conn.execute(resolutions.insert(), [
            {"question_id": q, "value": None if op else float(rng.uniform(0, 100)),
             "event": bool(rng.random() < 0.5) if op else None, "resolved_on": when.date(),
             "source": "bench", "quote": "", "recorded_at": when, "analyst": "bench"}
            for q, op in qids])
    print(f"setup: {runs} runs, {len(qids)} resolved questions, 2 models x {draws} draws each "
          f"({setup:.1f} s)")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        groups = ledger.score("model")
        times.append(time.perf_counter() - t0)
    g = groups[0]
    print(f"score {len(qids)} resolved questions ({sum(x.n_value + x.n_threshold for x in groups)}"
          f" scored forecasts, CRPS of {g.n_crps} per model): best {min(times):.2f} s, "
          f"slowest {max(times):.2f} s (3 runs)")
    ledger.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=10_000)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--url", help="An empty ledger database (default: SQLite in a temp dir).")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_record(args.url or f"sqlite:///{Path(tmp) / 'record.sqlite'}")
        bench_score(args.url or f"sqlite:///{Path(tmp) / 'score.sqlite'}", args.questions,
                    args.draws)


if __name__ == "__main__":
    main()
