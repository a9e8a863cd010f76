"""Time the analysis layer: 10 000 Monte Carlo draws of the Ukraine example through every
registered model, its sensitivity, and the whole DEU dev backtest.

Run: .venv/bin/python benchmarks/bench_analysis.py [--draws N] [--backtest-draws N]
     [--executor serial|process|dask] [--skip-backtest] [--json-out FILE]

Prints per model the seconds of the 10 000-draw pass and of the backtest (serial task time
summed over the 94 proposals), then the backtest table (the one in docs/validation.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from accord import analysis, example, models
from accord import backtest as bt
from accord.arrays import sample

DEU = Path(__file__).resolve().parents[2] / "shared" / "reference" / "deu"


def bench_draws(draws: int) -> None:
    sc = example("ukraine-2025")
    t0 = time.perf_counter()
    arrays = sample(sc, draws, seed=1)
    print(f"sample ukraine-2025, {draws} draws: {time.perf_counter() - t0:.3f} s")
    for name in models.names():
        model = models.get(name)
        t0 = time.perf_counter()
        model.run(arrays, rng=np.random.default_rng(0))
        print(f"  {name:<11} {draws} draws: {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    analysis.forecast(sc, ["ensemble"], draws=draws, seed=1, thresholds=["territory>=80"])
    print(f"forecast(all models + ensemble, {draws} draws, point runs, summaries): "
          f"{time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    analysis.sensitivity(sc, which="all")
    print(f"sensitivity --all (every model, {len(analysis.scenario_inputs(sc, 'all'))} inputs):"
          f" {time.perf_counter() - t0:.3f} s")


def bench_backtest(draws: int, executor: str, json_out: str | None = None) -> None:
    if not (DEU / "deu-dev.csv").is_file():
        print("backtest: shared/reference/deu absent, skipped")
        return
    t0 = time.perf_counter()
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    print(f"load_deu: {len(props)} proposals in {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    with analysis.make_executor(executor) as ex:  # type: ignore[arg-type]
        res = bt.backtest(props, [*models.names(), "ensemble"], draws=draws, seed=0,
                          executor=ex)
    wall = time.perf_counter() - t0
    print(f"backtest, every model + ensemble, draws={draws}, executor={executor}: "
          f"{wall:.1f} s wall")
    for name, seconds in res.seconds.items():
        print(f"  {name:<11} {seconds:.2f} s (task time)")
    doc = res.to_json(["proc", "counvte"])
    print("| model | n | MAE | median AE | RMSE | within ±10 | ΔAE vs compromise [95 % CI] |"
          + (" cover 80 % | cover 90 % |" if draws > 1 else ""))
    for m in doc["models"]:
        p = m["paired_vs_compromise"]
        row = (f"| {m['model']} | {m['n']} | {m['mae']:.1f} | {m['median_ae']:.1f} | "
               f"{m['rmse']:.1f} | {m['within10']:.0%} | {p['mean_diff']:+.1f} "
               f"[{p['ci95'][0]:+.1f}, {p['ci95'][1]:+.1f}] |")
        if draws > 1:
            row += f" {m['coverage']['80']:.0%} | {m['coverage']['90']:.0%} |"
        print(row)
    if json_out:
        Path(json_out).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"full JSON (with breakdowns by proc and counvte): {json_out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--backtest-draws", type=int, default=1)
    ap.add_argument("--executor", default="serial")
    ap.add_argument("--skip-backtest", action="store_true")
    ap.add_argument("--json-out", help="Write the backtest's JSON (with breakdowns) here.")
    args = ap.parse_args()
    bench_draws(args.draws)
    if not args.skip_backtest:
        bench_backtest(args.backtest_draws, args.executor, args.json_out)


if __name__ == "__main__":
    main()
