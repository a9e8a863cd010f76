"""Time the war model's kernel (bargaining under fire): S = 10 000 draws × H = 120 periods in
one vectorised pass (target < 1 s), every number different per draw; and the same through
the model with the draws of the ukraine-2025 example's conflict section (when it has one).

Two cases for the kernel: "long" (the optimism gap rarely closes, so most draws fight through
all 120 periods: the worst case) and "mixed" (most draws agree early: the loop stops when no
draw is left fighting). Best of ``--repeat`` calls, wall and CPU seconds.

Run: .venv/bin/python benchmarks/bench_war.py [--repeat N] [--draws S] [--periods H]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from accord.models import war


def inputs(draws: int, periods: int, case: str, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    gap = rng.uniform(5, 15, draws) if case == "long" else rng.uniform(0, 6, draws)
    return dict(noise=rng.standard_normal((draws, periods)), front=rng.uniform(40, 70, draws),
                drift=rng.normal(0.3, 0.5, draws), volatility=rng.uniform(1, 4, draws),
                belief_a=gap / 2, sd_a=rng.uniform(0.1, 0.5, draws), belief_b=-gap / 2,
                sd_b=rng.uniform(0.1, 0.5, draws), cost_a=rng.uniform(0.1, 0.5, draws),
                cost_b=rng.uniform(0.1, 0.5, draws), power=rng.uniform(0.3, 0.7, draws),
                lower=-1e6 if case == "long" else 0.0, upper=1e6 if case == "long" else 100.0)


def timed(fn, repeat: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=120)
    args = parser.parse_args()
    for case in ("long", "mixed"):
        data = inputs(args.draws, args.periods, case)
        result = war.simulate(**data)
        fighting = float(np.mean(np.isnan(result.agreement_period) & (result.winner == 0)))
        wall, cpu = timed(lambda data=data: war.simulate(**data), args.repeat)
        print(f"kernel {case:5s} {args.draws} draws x {args.periods} periods: "
              f"{wall:.3f} s wall, {cpu:.3f} s cpu (no agreement within H: {fighting:.0%})")
    try:
        from accord import examples, models
        from accord.arrays import sample
        scenario = examples.example("ukraine-2025")
        if getattr(scenario, "conflict", None) is None:
            return
    except (ImportError, AttributeError):
        return
    t0 = time.perf_counter()
    arrays = sample(scenario, args.draws, seed=1)
    t_sample = time.perf_counter() - t0
    model = models.get("war")
    wall, cpu = timed(lambda: model.run(arrays, rng=np.random.default_rng(0)), args.repeat)
    print(f"ukraine-2025: sample {args.draws} draws {t_sample:.3f} s; war model "
          f"({scenario.conflict.horizon} periods) {wall:.3f} s wall, {cpu:.3f} s cpu")


if __name__ == "__main__":
    main()
