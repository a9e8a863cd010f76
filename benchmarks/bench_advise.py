"""Time ``accord advise``: every candidate move of one actor under every model, on Monte Carlo
draws, one batch per model (the draws repeated once per move; moves that add an actor form a
second batch; a model that forecasts issue by issue gets the packed batch of
``advice.packed_moves``, one copy per move *on the busiest issue*).
Target (issue 16): 6 models × ~60 moves × 500 draws on ukraine-2025 < 20 s.

Prints per model the wall and CPU seconds of its batches with the models run in turn
(``workers=1``), and the total; then the total of the default run, the models side by side in
one thread per core (the same advice, checked); also the load average, since the machine is
shared.

Run: .venv/bin/python benchmarks/bench_advise.py [--draws 500] [--actor UKR] [--model M ...]
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

import accord
from accord import analysis
from accord.analysis.advice import packed_moves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--actor", default="UKR")
    parser.add_argument("--scenario", default="ukraine-2025")
    parser.add_argument("--model", action="append", default=None)
    args = parser.parse_args()
    sc = accord.example(args.scenario)
    moves = analysis.candidate_moves(sc, args.actor)
    plain = [m for m in moves if m.kind != "ally"]
    rows, _, _ = packed_moves(plain, sc.issue_ids)
    marks: list[tuple[str, float, float]] = []

    def step(label: str) -> None:
        marks.append((label, time.perf_counter(), time.process_time()))

    w0, c0 = time.perf_counter(), time.process_time()
    advice = analysis.advise(sc, args.actor, args.model, draws=args.draws, progress=step,
                             workers=1)
    w1, c1 = time.perf_counter(), time.process_time()
    marks.append(("(ranking and reasons)", w1, c1))
    # the default: the models side by side, one thread per core
    p0, q0 = time.perf_counter(), time.process_time()
    again = analysis.advise(sc, args.actor, args.model, draws=args.draws)
    p1, q1 = time.perf_counter(), time.process_time()
    assert again.to_json() == advice.to_json()
    print(f"{args.scenario}, actor {args.actor}: {len(moves)} moves × {args.draws} draws = "
          f"{(len(moves) + 1) * args.draws} model draws per model "
          f"({(len(rows) + 1 + len(moves) - len(plain)) * args.draws} packed, for the models "
          f"that forecast issue by issue); load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")
    for (label, w, c), (_, wn, cn) in itertools.pairwise(marks):
        print(f"  {label:12s} wall {wn - w:7.2f} s   cpu {cn - c:7.2f} s")
    print(f"total, models in turn: wall {w1 - w0:.2f} s, cpu {c1 - c0:.2f} s")
    print(f"total, models side by side (default, {os.cpu_count()} cores): wall {p1 - p0:.2f} s, "
          f"cpu {q1 - q0:.2f} s; the same advice; best move: {advice.ranked[0].move.text}")


if __name__ == "__main__":
    main()
