"""Time the Stokman exchange model (equal gain, 10 rounds, default options).

* cop21 (15 actors × 13 issues, reference/exchange/cop21.csv): one draw, best of a few runs
  of ``ExchangeModel.run``, and the same with loading the file; target < 0.5 s (the reference
  program needs about 14 s of CPU with its output writers).
* every multi-issue proposal of reference/deu/deu-dev.csv, read with accord.backtest.load_deu
  (capabilities as in DESIGN.md: pre-Nice votes where only EU-15 states take part, Nice
  votes otherwise, the Commission and Parliament at the largest state's weight; a blank
  salience is 50); one run of the model per proposal; target < 2 s (the reference library:
  about 80 s). Also prints the mean absolute error against the recorded outcomes beside the
  compromise model's on the same issues, for information.
* cop21 with S Monte Carlo draws (saliences and capabilities perturbed ±20 %), one call, and
  the same for one 17 × 6 DEU proposal with accord.backtest's default input noise.

* scaling (issue 12): random scenarios from KTAB's generator (benchmarks/bench_smp.py) with
  50, 100 and 200 actors × 3 issues, three seeds each, one draw, 10 rounds; median CPU time
  per size, the log-log slope between 50 and 200 actors (target ≤ 2.2) and the time at 200
  (target ≤ 2 s; before issue 12: 8 s and slope 2.7), with the exchanges made and the
  candidates re-evaluated per exchange (a full recompute would re-evaluate all of them).

Run: .venv/bin/python benchmarks/bench_exchange.py [--repeat N] [--draws S] [--only scaling]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from accord import models
from accord.arrays import ScenarioArrays, sample, to_arrays
from accord.backtest import Noise, load_deu, with_noise
from accord.io import load_any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
SHARED = HERE.parent.parent / "shared" / "reference"
COP21 = HERE.parent / "tests" / "data" / "exchange" / "cop21.csv"


def timed(fn, repeat: int) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def perturbed(arrays: ScenarioArrays, draws: int, seed: int = 0) -> ScenarioArrays:
    rng = np.random.default_rng(seed)
    factor = rng.uniform(0.8, 1.2, (draws, *arrays.salience.shape[1:]))
    sal = np.clip(arrays.salience * factor, 0.0, 1.0)
    cap = arrays.capability * rng.uniform(0.8, 1.2, (draws, *arrays.capability.shape[1:]))
    return replace(arrays, position=np.repeat(arrays.position, draws, axis=0), salience=sal,
                   capability=cap, status_quo=np.repeat(arrays.status_quo, draws, axis=0))


def scaling(sizes: tuple[int, ...] = (50, 100, 200), seeds: tuple[int, ...] = (1, 2, 3)) -> None:
    """Time one draw of 10 rounds on KTAB-generator scenarios of each size (issue 12)."""
    from bench_smp import ktab_random

    model = models.get("exchange")
    print("scaling: KTAB-generator scenarios × 3 issues, one draw, 10 rounds; median of "
          f"seeds {seeds} (CPU s)")
    medians = []
    for n in sizes:
        cpus, made, redone, cands = [], [], [], []
        for seed in seeds:
            arrays = ktab_random(n, 3, seed)
            c0 = time.process_time()
            fc = model.run(arrays, rng=np.random.default_rng(0))
            cpus.append(time.process_time() - c0)
            made.append(int(fc.extras["exchanges"][0].sum()))
            redone.append(int(fc.extras["recomputed"][0]))
            cands.append(int(fc.extras["candidates"][0, 1]))
        medians.append(float(np.median(cpus)))
        each = ", ".join(f"{c:.2f}" for c in cpus)
        print(f"  {n:>4} actors: {medians[-1]:.3f} s CPU (seeds {each}); "
              f"{int(np.median(made))} exchanges, {int(np.median(cands))} candidates in "
              f"round 1, {np.sum(redone) / max(1, np.sum(made)):.0f} re-evaluated per exchange",
              flush=True)
    slope = np.polyfit(np.log(sizes), np.log(medians), 1)[0]
    print(f"  log-log slope {sizes[0]}–{sizes[-1]}: {slope:.2f} (target ≤ 2.2); "
          f"{sizes[-1]} actors {medians[-1]:.2f} s (target ≤ 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="repeats of the timed runs")
    parser.add_argument("--draws", type=int, default=100, help="draws of the Monte Carlo run")
    parser.add_argument("--only", choices=["scaling"], help="run only this part")
    args = parser.parse_args()
    scaling()
    if args.only == "scaling":
        return
    model = models.get("exchange")
    rng = np.random.default_rng(0)

    arrays = to_arrays(load_any(COP21))
    fc = model.run(arrays, rng=rng)
    made = int(fc.extras["exchanges"][0].sum())
    wall, cpu = timed(lambda: model.run(arrays, rng=rng), args.repeat)
    print(f"cop21, 15 × 13, 10 rounds, {made} exchanges: {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(best of {args.repeat}; target < 0.5 s)")
    wall, cpu = timed(lambda: model.run(to_arrays(load_any(COP21)), rng=rng), args.repeat)
    print(f"cop21 with loading the file: {wall:.3f} s wall, {cpu:.3f} s CPU")

    deu = SHARED / "deu"
    t0 = time.perf_counter()
    proposals = load_deu(deu / "deu-dev.csv", deu / "capabilities.csv")
    load_time = time.perf_counter() - t0
    multi = [p for p in proposals if len(p.scenario.issues) >= 2]
    prepared = [(p, to_arrays(p.scenario)) for p in multi]
    issues = sum(a.n_issues for _, a in prepared)
    compromise = models.get("compromise")

    def all_proposals() -> list[np.ndarray]:
        return [model.run(a, rng=rng).outcome[0] for _, a in prepared]

    wall, cpu = timed(all_proposals, max(1, args.repeat // 2))
    outcomes = np.concatenate([p.outcomes for p, _ in prepared])
    ours = np.concatenate(all_proposals())
    base = np.concatenate([compromise.run(a, rng=rng).outcome[0] for _, a in prepared])
    known = ~np.isnan(outcomes)
    mae = np.abs(ours - outcomes)[known].mean()
    mae_base = np.abs(base - outcomes)[known].mean()
    exchanges = sum(int(model.run(a, rng=rng).extras["exchanges"].sum()) for _, a in prepared)
    print(f"DEU dev: {len(multi)} multi-issue proposals of {len(proposals)} ({issues} issues, "
          f"{exchanges} exchanges), 10 rounds each: {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"(best of {max(1, args.repeat // 2)}; target < 2 s; loading {load_time:.2f} s)")
    print(f"  MAE on the {int(known.sum())} issues with an outcome: exchange {mae:.1f}, "
          f"compromise {mae_base:.1f}")

    many = perturbed(arrays, args.draws)
    wall, cpu = timed(lambda: model.run(many, rng=rng), 1)
    print(f"cop21, {args.draws} draws in one call: {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({1000 * wall / args.draws:.0f} ms a draw)")
    biggest = max(multi, key=lambda p: (len(p.scenario.issues), len(p.scenario.actors)))
    noisy = sample(with_noise(biggest.scenario, Noise()), args.draws, seed=1)
    wall, cpu = timed(lambda: model.run(noisy, rng=rng), 1)
    print(f"DEU proposal {biggest.id} ({noisy.n_actors} × {noisy.n_issues}), {args.draws} "
          f"draws in one call: {wall:.2f} s wall ({1000 * wall / args.draws:.0f} ms a draw)")


if __name__ == "__main__":
    main()
