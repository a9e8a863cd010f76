"""Time KTAB's spatial model of politics (smp) on random scenarios of 10–200 actors × 3 issues.

Scenarios follow KTAB's random-scenario generator (issue 4): capability U(10, 200), each
actor's total salience U(0.75, 0.99) split at random over the issues (uniform weights,
normalised), positions U(0, 1) (here × 100 on the 0–100 scale). Each size runs three seeds
with the default options until the model stops by itself, and reports the median CPU time
(``time.process_time``: the machine is shared, so wall time says more about the neighbours),
the steps taken and the CPU time per step; the slope is the least-squares exponent of time
per step against n. A Monte Carlo line times 1 000 draws of a 10 × 3 scenario in one run.

Run: .venv/bin/python benchmarks/bench_smp.py [sizes...]   (default 10 30 50 100 200)
"""

from __future__ import annotations

import sys
import time

import numpy as np

from accord import models
from accord.arrays import ScenarioArrays

ISSUES = 3
SEEDS = (1, 2, 3)
# KTAB's library on this machine (issue 4): 10, 30, 50, 100 actors × 3 dimensions
KTAB_SECONDS = {10: 0.04, 30: 0.88, 50: 5.9, 100: 227.0}


def ktab_random(n: int, d: int, seed: int, draws: int = 1) -> ScenarioArrays:
    """KTAB's generator: (draws, n, d) arrays on the 0–100 scale, salience on [0, 1]."""
    rng = np.random.default_rng(seed)
    cap = rng.uniform(10.0, 200.0, (draws, n))
    total = rng.uniform(0.75, 0.99, (draws, n, 1))
    split = rng.uniform(0.0, 1.0, (draws, n, d))
    sal = total * split / split.sum(axis=-1, keepdims=True)
    pos = 100.0 * rng.uniform(0.0, 1.0, (draws, n, d))
    return ScenarioArrays(
        actor_ids=tuple(f"a{k}" for k in range(n)), issue_ids=tuple(f"d{p}" for p in range(d)),
        position=pos, salience=sal, capability=np.repeat(cap[..., None], d, axis=-1),
        mask=np.ones((n, d), dtype=bool), lower=np.zeros(d), upper=np.full(d, 100.0),
        status_quo=np.full((draws, d), np.nan))


def time_run(arrays: ScenarioArrays) -> tuple[float, int]:
    """CPU seconds of one run and the steps of its longest draw."""
    model = models.get("smp")
    t0 = time.process_time()
    fc = model.run(arrays, rng=np.random.default_rng(0))
    return time.process_time() - t0, fc.rounds


def main(sizes: list[int]) -> None:
    print(f"smp, default options, {ISSUES} issues, seeds {SEEDS}; median of the seeds")
    print(f"{'actors':>6} {'steps':>12} {'CPU s':>8} {'ms/step':>8} {'KTAB s':>8}")
    per_step = []
    for n in sizes:
        results = [time_run(ktab_random(n, ISSUES, seed)) for seed in SEEDS]
        times = np.array([t for t, _ in results])
        steps = [s for _, s in results]
        ms = np.median(times / np.array(steps)) * 1000
        per_step.append(ms)
        ktab = KTAB_SECONDS.get(n)
        print(f"{n:>6} {'/'.join(map(str, steps)):>12} {np.median(times):>8.3f} {ms:>8.2f} "
              f"{'' if ktab is None else f'{ktab:>8.2f}'}", flush=True)
    if len(sizes) > 1:
        slope = np.polyfit(np.log(sizes), np.log(per_step), 1)[0]
        local = np.diff(np.log(per_step)) / np.diff(np.log(sizes))
        pairs = ", ".join(f"{a}→{b}: {x:.2f}" for a, b, x in zip(sizes, sizes[1:], local,
                                                                strict=False))
        print(f"slope of log(time per step) on log(n): {slope:.2f} overall; {pairs}")
    draws = 1000
    arrays = ktab_random(10, ISSUES, 7, draws)
    t, steps = time_run(arrays)
    print(f"Monte Carlo: {draws} draws x 10 actors x {ISSUES} issues in one run: {t:.2f} s CPU "
          f"(longest draw {steps} steps)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10, 30, 50, 100, 200])
