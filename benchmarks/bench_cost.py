"""The dashboard's cost estimate against measured times (issue 11): for each registered
model, ``accord.analysis.estimated_seconds`` (the model's declared ``Cost``) beside the CPU
seconds (``time.process_time``, median of ``--repeat``) a forecast actually takes, on
ukraine-2025 (4 actors × 3 issues) and random scenarios of 20 × 3 and 50 × 3, with 1, 200 and
2000 draws; and their ratio. The declared costs are fitted to these figures and rounded up, so
the ratio estimate/measured should lie between 1 and 2 (the test, tests/test_cost.py, allows
0.5 to 2 after scaling by the machine's speed on ``reference_seconds``).

Run: .venv/bin/python benchmarks/bench_cost.py [--repeat N] [--models a,b] [--max-seconds S]
(cases whose estimate is above --max-seconds, default 60, are skipped and listed).
"""

from __future__ import annotations

import argparse
import statistics
import time

from accord import examples
from accord import models as registry
from accord.analysis import estimated_seconds, forecast, plan_models
from accord.examples import random_scenario
from accord.models.base import REFERENCE_SECONDS, reference_seconds
from accord.scenario import Scenario


def measured(sc: Scenario, name: str, draws: int, repeat: int) -> float:
    plan = plan_models([name], {})
    times = []
    for _ in range(repeat):
        c0 = time.process_time()
        forecast(sc, plan, draws=draws, seed=1)
        times.append(time.process_time() - c0)
        if times[-1] > 10:
            break
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--models", default=",".join(registry.names()))
    ap.add_argument("--draws", default="1,200,2000")
    ap.add_argument("--max-seconds", type=float, default=60.0)
    args = ap.parse_args()
    ref = reference_seconds()
    speed = ref / REFERENCE_SECONDS
    print(f"reference workload: {ref:.4f} s CPU (declared machine: {REFERENCE_SECONDS} s): "
          f"this machine, now, {speed:.2f}× as slow")
    cases = [("ukraine-2025 4×3", examples.example("ukraine-2025")),
             ("random 20×3", random_scenario(20, 3)), ("random 50×3", random_scenario(50, 3))]
    print("| model | scenario | draws | estimate s | measured s | estimate / measured | "
          "scaled by speed |")
    print("|---|---|---|---|---|---|---|")
    skipped = []
    for name in args.models.split(","):
        for label, sc in cases:
            if name == "war" and sc.conflict is None:
                continue
            for draws in (int(x) for x in args.draws.split(",")):
                est = estimated_seconds(sc, plan_models([name], {}), draws)
                if est > args.max_seconds:
                    skipped.append(f"{name} {label} {draws} (estimate {est:.0f} s)")
                    continue
                took = measured(sc, name, draws, args.repeat)
                ratio = est / took if took > 0 else float("inf")
                flag = "" if 1.0 <= ratio <= 2.0 else " (outside 1–2×)"
                print(f"| {name} | {label} | {draws} | {est:.3f} | {took:.3f} | "
                      f"{ratio:.2f}{flag} | {ratio * speed:.2f} |", flush=True)
    if skipped:
        print("skipped (over --max-seconds):", "; ".join(skipped))


if __name__ == "__main__":
    main()
