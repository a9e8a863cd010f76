"""Time the baseline models on S = 10 000 draws × 50 actors × 5 issues (one vectorised pass).

Run: .venv/bin/python benchmarks/bench_baseline.py
"""

from __future__ import annotations

import time

import numpy as np

from accord import models
from accord.arrays import sample
from accord.scenario import validate_data

DRAWS, ACTORS, ISSUES = 10_000, 50, 5


def random_scenario(seed: int = 0):
    rng = np.random.default_rng(seed)

    def ranged(lo: float, hi: float) -> dict[str, float]:
        v = float(rng.uniform(lo, hi))
        return {"value": v, "low": max(lo, v - 10), "high": min(hi, v + 10)}

    issues = [{"id": f"i{p}", "status_quo": ranged(0, 100)} for p in range(ISSUES)]
    actors = [{"id": f"a{k}", "capability": ranged(1, 100),
               "position": {f"i{p}": ranged(0, 100) for p in range(ISSUES)},
               "salience": {f"i{p}": ranged(0, 100) for p in range(ISSUES)}}
              for k in range(ACTORS)]
    return validate_data({"issues": issues, "actors": actors})


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    sc = random_scenario()
    t0 = time.perf_counter()
    arrays = sample(sc, DRAWS, seed=1)
    print(f"sample {DRAWS} draws x {ACTORS} actors x {ISSUES} issues: "
          f"{time.perf_counter() - t0:.3f} s")
    rng = np.random.default_rng(0)
    for name in ("compromise", "median", "nash"):
        model = models.get(name)
        t = best_of(lambda m=model: m.run(arrays, rng=rng))
        print(f"{name:<11} {DRAWS} x {ACTORS} x {ISSUES}: {t:.3f} s (best of 5)")


if __name__ == "__main__":
    main()
