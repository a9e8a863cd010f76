"""Start-up and whole-process times of the ``accord`` command (issue 12).

* import-time budget: ``python -X importtime -c "import accord.cli"`` must load none of
  numpy, pydantic, the models or the analysis, and take at most IMPORT_BUDGET seconds (the
  sum of the self times it reports); prints OK or OVER.
* whole process, best of ``--repeat`` runs, wall and CPU (user + sys of the child, which is
  what to compare when other programs share the cores): ``accord --help`` (target ≤ 0.15 s),
  ``accord forecast`` of KTAB's 7 × 3 example with ``--model smp`` (≤ 0.35 s), the compromise
  model on a random 200 × 3 YAML scenario (≤ 0.4 s), with ``--json`` too.
* byte code cached, as after ``pip install``: the children run without
  ``PYTHONDONTWRITEBYTECODE`` (any value of it, "0" too, stops Python writing ``.pyc`` files,
  and compiling accord's sources anew costs ~0.1 s a run), after one warm-up run each.
* every KTAB example file (tests/data/ktab: the six inputs) through ``accord forecast FILE
  --model smp --json``: exit code and time each.

Before issue 12 (issue 12's figures): ``import accord.cli`` 0.4–0.8 s; 7 × 3 KTAB file
0.52–0.72 s (KTAB's C++ 0.075–0.23 s); compromise 0.60 s at 10 actors, 1.14 s at 200.

Run: .venv/bin/python benchmarks/bench_startup.py [--repeat N] [--against OTHER/src] (another
tree's code, e.g. ``git archive COMMIT | tar -x -C /tmp/old``, run interleaved with this one)
[--instructions] (instead: each command once under ``valgrind --tool=callgrind``, its count of
instructions, which a busy machine does not change; with ``OPENBLAS_NUM_THREADS=1`` so that
BLAS threads' spinning does not count, and ``PYTHONHASHSEED=0``; ~30 s a command).
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

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
KTAB = HERE.parent / "tests" / "data" / "ktab"
KTAB_INPUTS = ("dummyData_3Dim.csv", "dummyData_6Dim.csv", "dummyData-a040.csv",
               "SOE-Pol-Comp.csv", "SOE-Policy.csv", "SOE-Competitive.csv")
IMPORT_BUDGET = 0.10  # seconds of self time for ``import accord.cli`` (Typer, mostly)
HEAVY = ("numpy", "pydantic", "accord.models", "accord.analysis", "accord.scenario", "rich",
         "markdown_it", "yaml", "orjson")
ACCORD = [sys.executable, "-m", "accord"]
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


AGAINST: dict[str, str] | None = None  # --against: the other tree's environment


def _runs(cmd: list[str], repeat: int, envs: list[dict[str, str]]
          ) -> list[tuple[float, float, int]]:
    """Per environment: best wall and best CPU seconds (user + sys) of ``repeat`` runs, the
    environments' runs interleaved, after one warm-up run each (which writes the byte code),
    and the last exit code."""
    for env in envs:
        subprocess.run(cmd, capture_output=True, check=False, env=env)
    walls: list[list[float]] = [[] for _ in envs]
    cpus: list[list[float]] = [[] for _ in envs]
    codes = [0] * len(envs)
    for _ in range(repeat):
        for k, env in enumerate(envs):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            codes[k] = subprocess.run(cmd, capture_output=True, check=False,
                                      env=env).returncode
            walls[k].append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[k].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return [(min(w), min(c), code) for w, c, code in zip(walls, cpus, codes, strict=True)]


def best(cmd: list[str], repeat: int) -> tuple[float, float, int]:
    """This tree's best wall, best CPU and last exit code; with ``--against``, the other
    tree's figures, interleaved run for run, are printed first."""
    if AGAINST is None:
        return _runs(cmd, repeat, [ENV])[0]
    ours, theirs = _runs(cmd, repeat, [ENV, AGAINST])
    what = " ".join(Path(a).name if "/" in a else a for a in cmd[1:])
    print(f"    against ({what}): {fmt(theirs[0], theirs[1])} (exit {theirs[2]})")
    return ours


def fmt(wall: float, cpu: float) -> str:
    return f"{wall:.3f} s wall, {cpu:.3f} s CPU"


def import_budget() -> None:
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", "import accord.cli"],
                         capture_output=True, text=True, check=True, env=ENV)
    total, loaded = 0, []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        try:
            total += int(parts[0].split(":")[1])
        except ValueError:
            continue  # the header line
        loaded.append(parts[2].strip())
    heavy = [m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY
             or any(m.startswith(h + ".") for h in HEAVY)]
    verdict = "OK" if total / 1e6 <= IMPORT_BUDGET and not heavy else "OVER"
    print(f"import accord.cli: {total / 1e6:.3f} s self time over {len(loaded)} modules "
          f"(budget {IMPORT_BUDGET} s, none of {', '.join(HEAVY)}): {verdict}"
          + (f"; heavy: {', '.join(heavy)}" if heavy else ""))


def instructions(cmd: list[str], env: dict[str, str]) -> int:
    """Instructions ``cmd`` executes (callgrind's total, user space), byte code cached."""
    env = {**env, "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    subprocess.run(cmd, capture_output=True, check=False, env=env)
    res = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                         capture_output=True, text=True, check=False, env=env)
    for line in res.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1])
    raise RuntimeError(f"no count from callgrind: {res.stderr[-300:]}")


def count_instructions() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r200.yaml"
        random_yaml(path, 200)
        seven = str(KTAB / "dummyData_3Dim.csv")
        commands = {"accord --help": ["--help"],
                    "forecast 7 × 3 --model smp": ["forecast", seven, "--model", "smp"],
                    "  the same, --json": ["forecast", seven, "--model", "smp", "--json"],
                    "compromise 200 × 3 --json": ["forecast", str(path), "--model",
                                                  "compromise", "--json"],
                    "compromise 200 × 3": ["forecast", str(path), "--model", "compromise"]}
        for what, args in commands.items():
            ours = instructions([*ACCORD, *args], ENV)
            line = f"{what}: {ours / 1e6:,.1f} M instructions"
            if AGAINST is not None:
                theirs = instructions([*ACCORD, *args], AGAINST)
                line += f" (against: {theirs / 1e6:,.1f} M, {ours / theirs - 1:+.1%})"
            print(line, flush=True)


def random_yaml(path: Path, n: int, d: int = 3, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    doc = {"title": f"random {n} x {d}",
           "issues": [{"id": f"i{k}", "scale": [0, 100]} for k in range(d)],
           "actors": [{"id": f"a{j}", "capability": float(round(rng.uniform(10, 200), 2)),
                       "position": {f"i{k}": float(round(rng.uniform(0, 100), 2))
                                    for k in range(d)},
                       "salience": {f"i{k}": float(round(rng.uniform(10, 90), 1))
                                    for k in range(d)}} for j in range(n)]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command")
    parser.add_argument("--against", metavar="SRC", help="also run another tree's accord (its "
                        "src folder, e.g. a `git archive` of an older commit), interleaved "
                        "with this one's runs, so both see the same load")
    parser.add_argument("--instructions", action="store_true", help="count each command's "
                        "instructions under valgrind's callgrind instead of timing it")
    args = parser.parse_args()
    if args.against:
        global AGAINST
        AGAINST = {**ENV, "PYTHONPATH": str(Path(args.against).resolve())}
    if args.instructions:
        count_instructions()
        return
    import_budget()
    r = args.repeat
    w, c, code = best([sys.executable, "-c", "pass"], r)
    print(f"python -c pass (the interpreter alone): {fmt(w, c)}")
    w, c, code = best([*ACCORD, "--help"], r)
    print(f"accord --help: {fmt(w, c)} (exit {code}; target ≤ 0.15 s)")
    seven = str(KTAB / "dummyData_3Dim.csv")
    w, c, code = best([*ACCORD, "forecast", seven, "--model", "smp"], r)
    print(f"accord forecast dummyData_3Dim.csv (7 × 3) --model smp: {fmt(w, c)} (exit {code}; "
          "target ≤ 0.35 s)")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 200):
            path = Path(tmp) / f"r{n}.yaml"
            random_yaml(path, n)
            w, c, code = best([*ACCORD, "forecast", str(path), "--model", "compromise"], r)
            wj, cj, _ = best([*ACCORD, "forecast", str(path), "--model", "compromise",
                              "--json"], r)
            print(f"accord forecast random {n} × 3 --model compromise: {fmt(w, c)}; with "
                  f"--json {fmt(wj, cj)} (exit {code}; target at 200 ≤ 0.4 s)")
    print("KTAB example files through the CLI (forecast FILE --model smp --json):")
    for name in KTAB_INPUTS:
        w, c, code = best([*ACCORD, "forecast", str(KTAB / name), "--model", "smp", "--json"],
                          max(1, r // 2))
        print(f"  {name}: {fmt(w, c)} (exit {code})")


if __name__ == "__main__":
    main()
