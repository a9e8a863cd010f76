"""Time the report of the Ukraine example with 2 000 draws (issue 7: under 10 s).

Run: .venv/bin/python benchmarks/bench_report.py [--draws N] [--repeat K] [--pdf]

Steps, as ``accord report ukraine-2025 --draws 2000`` runs them: the analyses (forecast of
every registered model, the scenario's shocks beside the base, sensitivity), the figure
data, the HTML (plotly.js embedded), the PNGs of ``forecast --png``, and with --pdf the PDF
(headless Chromium where installed). Prints the best of K runs of each step and the total
of the steps the report needs (analyses + HTML), in a fresh process including imports.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def best(fn, repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    import accord
    from accord import models
    from accord import report as reports
    t_import = time.perf_counter() - t0

    sc = accord.example("ukraine-2025")
    print(f"ukraine-2025, {args.draws} draws, models: {', '.join(models.names())}; "
          f"shocks: {', '.join(sc.shocks)}; best of {args.repeat}")
    print(f"  import accord + report:        {t_import:6.2f} s")
    t_build, rep = best(lambda: reports.build(sc, draws=args.draws, seed=1,
                                              thresholds=["territory>=80"]), args.repeat)
    print(f"  analyses (forecast, shocks, sensitivity): {t_build:6.2f} s")
    t_figs, figs = best(lambda: reports.report_figures(rep), args.repeat)
    print(f"  figure data ({len(figs)} figures):      {t_figs:6.3f} s")
    t_html, html = best(lambda: reports.render_html(rep), args.repeat)
    print(f"  HTML ({len(html) / 1e6:.1f} MB, plotly.js embedded): {t_html:6.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        t_png, paths = best(lambda: reports.write_pngs(figs, Path(tmp) / "png"), 1)
        print(f"  PNG files ({len(paths)}, matplotlib):  {t_png:6.2f} s")
        if args.pdf:
            t_pdf, how = best(lambda: reports.write_pdf(rep, Path(tmp) / "r.pdf", html), 1)
            print(f"  PDF ({how}):                {t_pdf:6.2f} s")
        out = Path(tmp) / "report.html"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "accord", "report", "ukraine-2025", "-o",
                        str(out), "--draws", str(args.draws), "--seed", "1"], check=True,
                       capture_output=True)
        t_cli = time.perf_counter() - t0
    print(f"report total (analyses + figures + HTML): {t_build + t_figs + t_html:6.2f} s")
    print(f"`accord report ukraine-2025 --draws {args.draws}` as a process: {t_cli:6.2f} s "
          f"(target < 10 s)")


if __name__ == "__main__":
    main()
