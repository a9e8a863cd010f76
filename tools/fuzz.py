"""``make fuzz``: thousands of generated scenario files through the loader, validation and
the forecast, with the figures for docs/fuzz.md.

Usage: python tools/fuzz.py [CASES] [--seed N]

Each case (tests/fuzzing.py's ``scenario_file``) is written to a file and loaded; an accepted
one is forecast (compromise, median, nash, 4 draws). It counts cases, accepted, rejected
(an AccordError with a message), tracebacks (any other exception) and hangs (over 10 s, by
SIGALRM), prints them and each traceback, and exits 1 if there was a traceback or a hang.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzzing import scenario_file
from hypothesis import HealthCheck, given, seed, settings

from accord.analysis import forecast
from accord.errors import AccordError
from accord.scenario import load

HANG_SECONDS = 10


class Hang(Exception):
    pass


def _alarm(*_: object) -> None:
    raise Hang


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="?", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    counts: Counter[str] = Counter()
    failures: list[str] = []
    slowest = 0.0
    signal.signal(signal.SIGALRM, _alarm)
    tmp = Path(tempfile.mkdtemp(prefix="accord-fuzz-"))

    @settings(max_examples=args.cases, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(scenario_file())
    def one(case: tuple[str, bytes]) -> None:
        nonlocal slowest
        suffix, raw = case
        path = tmp / f"case{suffix}"
        path.write_bytes(raw)
        counts["cases"] += 1
        start = time.perf_counter()
        signal.alarm(HANG_SECONDS)
        try:
            sc = load(path)
            result = forecast(sc, ["compromise", "median", "nash"], draws=4, seed=1)
            if not all(math.isfinite(float(x)) for r in result.results
                       for x in r.point.outcome.ravel()):
                raise AssertionError("a non-finite forecast")
            counts["accepted"] += 1
        except AccordError:
            counts["rejected"] += 1
        except Hang:
            counts["hangs"] += 1
            failures.append(f"hang: {raw[:200]!r}")
        except Exception:
            counts["tracebacks"] += 1
            failures.append(f"{traceback.format_exc()}\ninput: {raw[:300]!r}")
        finally:
            signal.alarm(0)
            slowest = max(slowest, time.perf_counter() - start)

    t0 = time.perf_counter()
    seed(args.seed)(one)()
    took = time.perf_counter() - t0
    for f in failures[:20]:
        print(f, file=sys.stderr)
    print(f"cases {counts['cases']}, accepted {counts['accepted']}, rejected "
          f"{counts['rejected']}, tracebacks {counts['tracebacks']}, hangs {counts['hangs']}; "
          f"slowest case {slowest:.2f} s; {took:.0f} s in all")
    return 1 if counts["tracebacks"] or counts["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
