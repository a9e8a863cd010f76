"""The dashboard's cost estimate against measured times (issue 11): for each registered
model, ``accord.analysis.estimated_seconds`` (the model's declared ``Cost``) beside the CPU
seconds a forecast of a small built-in example actually takes (best of ``--repeat``), and
their ratio. The estimate is meant to be generous but honest: measured ≤ estimate ≤ 2 ×
measured (a ratio estimate/measured from 1 to 2) on cases large enough to time; the script
flags any model outside that band.

Run: .venv/bin/python benchmarks/bench_cost.py [--repeat N] [--draws S] [--example NAME]
"""

from __future__ import annotations

import argparse
import time

from accord import examples
from accord import models as registry
from accord.analysis import estimated_seconds, forecast, plan_models


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--draws", type=int, default=500)
    ap.add_argument("--example", default="ukraine-2025")
    args = ap.parse_args()
    sc = examples.example(args.example)
    print(f"{args.example}: {len(sc.actors)} actors, {len(sc.issues)} issues, "
          f"{args.draws} draws")
    print(f"{'model':12} {'estimate s':>11} {'measured s':>11} {'ratio':>7}")
    for name in registry.names():
        plan = plan_models([name], {})
        estimate = estimated_seconds(sc, plan, args.draws)
        best = float("inf")
        for _ in range(args.repeat):
            c0 = time.process_time()
            forecast(sc, plan, draws=args.draws, seed=1)
            best = min(best, time.process_time() - c0)
        ratio = estimate / best if best > 0 else float("inf")
        flag = "" if 1.0 <= ratio <= 2.0 else "  <- outside 1-2x"
        print(f"{name:12} {estimate:11.3f} {best:11.3f} {ratio:7.2f}{flag}")


if __name__ == "__main__":
    main()
