"""Monte Carlo time and memory (issue 12), each in a fresh process.

* SMP, 10 000 draws of a 20 × 3 scenario from KTAB's generator (benchmarks/bench_smp.py),
  default options, as the Monte Carlo pass of a forecast runs it (summaries: draw 0's
  trajectory, every draw's outcome per step): time and peak resident memory (targets ≤ 10 s,
  ≤ 600 MB; before issue 12: 88 s, 2.4 GiB), and the draws that reached the step cap.
* BDM (``bdm:scholz``), ``accord forecast`` of a 20-actor one-issue scenario with every number
  ranged, ``--draws 10000``, whole process, best wall and best CPU of ``--repeat`` runs with
  byte code cached (target ≤ 5 s; before: 23 s).
* ``accord backtest`` of the DEU dev file with every registered model and ``--draws 100``,
  whole process (target ≤ 60 s; before: about 4 min).

Run: .venv/bin/python benchmarks/bench_montecarlo.py [--draws S] [--repeat N] [--skip-backtest]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEU = HERE.parent.parent / "shared" / "reference" / "deu"

SMP_CHILD = """
import resource, sys, time
sys.path.insert(0, {here!r})
import numpy as np
from bench_smp import ktab_random
from accord import models
arrays = ktab_random(20, 3, 7, {draws})
model = models.get("smp")
w0, c0 = time.perf_counter(), time.process_time()
fc = model.run_draws(arrays, rng=np.random.default_rng(0))
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
capped = int(fc.extras["capped"].sum())
print(f"{{wall:.2f}} {{cpu:.2f}} {{rss:.0f}} {{capped}} {{int(fc.extras['steps'].max())}}")
"""


def bdm_yaml(path: Path, n: int = 20, seed: int = 0) -> None:
    sys.path.insert(0, str(HERE))
    from bench_bdm import scenario

    from accord.scenario import save

    save(scenario(n, seed), path)


def timed(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall and CPU seconds (user + sys) of a child process, its exit code and stderr's tail.
    The child may write byte code (these sessions set PYTHONDONTWRITEBYTECODE, which would
    make every run compile accord's sources, as no installed copy does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, res.returncode, res.stderr[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--skip-backtest", action="store_true")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of the BDM forecast (best wall and best CPU are shown)")
    args = parser.parse_args()
    out = subprocess.run([sys.executable, "-c", SMP_CHILD.format(here=str(HERE),
                                                                   draws=args.draws)],
                         capture_output=True, text=True, check=True).stdout.split()
    wall, cpu, rss, capped, longest = out
    print(f"smp, {args.draws} draws × 20 × 3 (summaries): {wall} s wall, {cpu} s CPU, peak "
          f"{rss} MB; {capped} draws reached the 100-step cap (longest {longest} steps); "
          "targets ≤ 10 s, ≤ 600 MB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bdm20.yaml"
        bdm_yaml(path)
        runs = [timed([sys.executable, "-m", "accord", "forecast", str(path), "--model",
                       "bdm:scholz", "--draws", str(args.draws), "--json"])
                for _ in range(args.repeat)]
        code, err = runs[-1][2:]
        print(f"accord forecast (20 actors, bdm:scholz, --draws {args.draws}, --json), best of "
              f"{args.repeat}: {min(r[0] for r in runs):.2f} s wall, "
              f"{min(r[1] for r in runs):.2f} s CPU (exit {code}; target ≤ 5 s)"
              + (f" {err}" if code else ""))
    if not args.skip_backtest:
        wall_t, _, code, err = timed([sys.executable, "-m", "accord", "backtest",
                                      str(DEU / "deu-dev.csv"), "--capabilities",
                                      str(DEU / "capabilities.csv"), "--draws", "100",
                                      "--json"])
        print(f"accord backtest deu-dev.csv --draws 100 (every model): {wall_t:.1f} s "
              f"(exit {code}; target ≤ 60 s)" + (f" {err}" if code else ""))


if __name__ == "__main__":
    main()
