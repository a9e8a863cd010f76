"""Time the BDM expected-utility model (preset scholz, 10 rounds, one issue).

One draw of n = 10, 17, 50, 200 actors, and 10 000 Monte Carlo draws of 20 actors, each run
once through ``BdmModel.run`` (best of a few repeats; wall and CPU time). Prints the slope of
log time against log n. Targets (issue 3): n = 17 under 35 ms, 10 000 × 20 under 10 s.

Run: .venv/bin/python benchmarks/bench_bdm.py [--repeat N] [--draws S]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from accord import models
from accord.arrays import ScenarioArrays, sample
from accord.scenario import validate_data

SIZES = (10, 17, 50, 200)
ROUNDS = 10


def scenario(n: int, seed: int = 0):
    """n actors on one 0–100 issue; every number ranged so that draws differ."""
    rng = np.random.default_rng(seed)

    def ranged(lo: float, hi: float, width: float) -> dict[str, float]:
        v = float(rng.uniform(lo, hi))
        return {"value": v, "low": max(lo, v - width), "high": min(hi, v + width)}

    return validate_data({
        "issues": [{"id": "x", "scale": [0, 100]}],
        "actors": [{"id": f"a{k}", "capability": ranged(1, 100, 10),
                    "position": {"x": ranged(0, 100, 10)},
                    "salience": {"x": ranged(10, 100, 10)}} for k in range(n)],
    })


def timed(arrays: ScenarioArrays, repeat: int) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``repeat`` runs."""
    model = models.get("bdm:scholz", rounds=ROUNDS)
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        model.run(arrays, rng=np.random.default_rng(0))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats of the one-draw runs")
    parser.add_argument("--draws", type=int, default=10_000, help="draws of the batch run")
    args = parser.parse_args()

    print(f"bdm:scholz, {ROUNDS} rounds, one issue, one draw (best of {args.repeat})")
    walls = []
    for n in SIZES:
        wall, cpu = timed(sample(scenario(n), 1), args.repeat)
        walls.append(wall)
        print(f"  n = {n:>3}: {wall * 1e3:8.1f} ms wall  {cpu * 1e3:8.1f} ms cpu")
    logn, logt = np.log(SIZES), np.log(walls)
    slope_all = np.polyfit(logn, logt, 1)[0]
    slope_big = (logt[-1] - logt[-2]) / (logn[-1] - logn[-2])
    print(f"  slope of log time vs log n: {slope_all:.2f} over n = 10..200, "
          f"{slope_big:.2f} from n = 50 to 200")

    arrays = sample(scenario(20), args.draws, seed=1)
    wall, cpu = timed(arrays, 1)
    print(f"bdm:scholz, {args.draws} draws x 20 actors x {ROUNDS} rounds: "
          f"{wall:.2f} s wall  {cpu:.2f} s cpu")


if __name__ == "__main__":
    main()
