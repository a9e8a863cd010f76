"""Backtest with calibrated predictive intervals on the DEU dev file (issue 14: < 30 s).

Run: .venv/bin/python benchmarks/bench_calibration.py [--draws N] [--cv K]

Times (wall, and the process's CPU time, which other work on the machine does not inflate),
on tests/data/deu/deu-dev.csv: the whole backtest of every registered model with
grouped K-fold calibration (fit on K − 1 folds, CRPS and intervals on the K-th), the
calibration step alone (fits + predictive draws + CRPS of every model), the same with the
shipped calibration, and one forecast of ukraine-2025 with 2000 draws and calibrated
intervals.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from accord import analysis, examples
from accord import backtest as bt
from accord.analysis import calibration

DEU = Path(__file__).resolve().parent.parent / "tests" / "data" / "deu"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1)
    ap.add_argument("--cv", type=int, default=10)
    args = ap.parse_args()
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    t0, c0 = time.perf_counter(), time.process_time()
    # None: every registered model that applies (war needs a conflict section; DEU has none)
    res = bt.backtest(props, None, draws=args.draws, cv=args.cv)
    names = [n for n in res.seconds if n != "calibration"]  # its own timing, not a model
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"backtest --cv {args.cv}, {len(names)} models ({', '.join(names)}), "
          f"draws={args.draws}: {wall:.1f} s wall, {cpu:.1f} s CPU (this process)")
    for name, seconds in res.seconds.items():
        print(f"  {name:<11} {seconds:.2f} s")
    t0 = time.perf_counter()
    bt.calibrate_result(res, None, args.cv)
    print(f"calibration step alone (--cv {args.cv}, every model): "
          f"{time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    bt.calibrate_result(res, calibration.load(None), None)
    print(f"calibration step alone (shipped calibration): {time.perf_counter() - t0:.3f} s")
    sc = examples.example("ukraine-2025")
    t0 = time.perf_counter()
    analysis.forecast(sc, None, draws=2000, seed=1, calibrations=calibration.load(None))
    with_cal = time.perf_counter() - t0
    t0 = time.perf_counter()
    analysis.forecast(sc, None, draws=2000, seed=1)
    print(f"forecast ukraine-2025, every model, 2000 draws: {time.perf_counter() - t0:.2f} s "
          f"input only, {with_cal:.2f} s with calibrated intervals")


if __name__ == "__main__":
    main()
