"""The exchange model's Monte Carlo on the DEU development file, as the backtest runs it
(issue 12, ``backtest --draws 100`` ≤ 60 s): every proposal of reference/deu/deu-dev.csv
(read with accord.io.deu.load_deu, capabilities.csv), sampled to S draws
(``accord.arrays.sample``, seed 0) and run once with ``ExchangeModel.run_draws``, with the
numpy kernels and with the compiled ones (env ACCORD_EXCHANGE_KERNELS, one child process
each, so the compiled code is not loaded into the numpy run). Prints the process CPU and wall
seconds of the model runs (sampling excluded), and checks that both give the same outcomes.

Run: .venv/bin/python benchmarks/bench_exchange_mc.py [--draws S] [--kernels numpy|compiled]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "reference" / "deu"
if not SHARED.is_dir():  # a git worktree beside the main checkout
    SHARED = Path("/work/shared/reference/deu")


def one(kernels: str, draws: int, out: str) -> None:
    """Run every proposal with the given kernels; save the outcomes to ``out`` (npz)."""
    os.environ["ACCORD_EXCHANGE_KERNELS"] = kernels
    from accord import arrays as arr
    from accord import models
    from accord.io.deu import load_deu

    proposals = load_deu(SHARED / "deu-dev.csv", SHARED / "capabilities.csv")
    model = models.get("exchange")
    model.prepare([(draws, len(p.scenario.actors)) for p in proposals])
    samples = [arr.sample(p.scenario, draws, np.random.default_rng(0)) for p in proposals]
    wall, cpu = time.perf_counter(), time.process_time()
    outcomes = {}
    for k, a in enumerate(samples):
        fc = model.run_draws(a, rng=np.random.default_rng(0))
        outcomes[f"p{k}"] = fc.round_outcome
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    np.savez(out, **outcomes)
    print(f"{kernels}: {len(samples)} proposals × {draws} draws: CPU {cpu:.1f} s, "
          f"wall {wall:.1f} s, load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--kernels", choices=["numpy", "compiled"])
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.kernels:
        one(args.kernels, args.draws, args.out or os.devnull)
        return
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for kernels in ("numpy", "compiled"):
            files[kernels] = str(Path(tmp) / f"{kernels}.npz")
            subprocess.run([sys.executable, __file__, "--draws", str(args.draws),
                            "--kernels", kernels, "--out", files[kernels]], check=True)
        a, b = np.load(files["numpy"]), np.load(files["compiled"])
        worst = max(float(np.nanmax(np.abs(a[k] - b[k]), initial=0.0)) for k in a.files)
        print(f"largest difference of the outcomes per round: {worst:.2e}")


if __name__ == "__main__":
    main()
