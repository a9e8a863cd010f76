"""The HTML report of a forecast, its figures as PNG files, and a PDF.

    from accord.report import build, render_html
    report = build(scenario, models=None, draws=2000, seed=1)   # runs the analyses
    html = render_html(report)                                 # one self-contained file

The HTML embeds plotly.js once, read from the installed plotly package (never a CDN), so
the file opens offline. The figures come from :mod:`accord.report.figures`, the same code
the dashboard uses.
"""

from accord.report.builder import (
    Report,
    build,
    describe,
    plotly_js,
    render_html,
    report_figures,
    script_json,
    write_forecast_pngs,
    write_pdf,
    write_pngs,
)

__all__ = ["Report", "build", "describe", "plotly_js", "render_html", "report_figures",
           "script_json", "write_forecast_pngs", "write_pdf", "write_pngs"]
