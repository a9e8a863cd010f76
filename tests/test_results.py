"""Results a notebook user reads: labelled outcomes, named axes, quantiles computed once, a
distribution without draws; and the one summary table and number format of every front end.

Expected numbers are hand calculations: the compromise model on TWO is Σ c s x / Σ c s;
quantiles are numpy's default (linear) rule, worked out in the comments.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from accord import analysis, cli
from accord.analysis import calibration
from accord.analysis import results as R
from accord.cli.common import load_scenario
from accord.models.base import ACTOR, AXES, DRAW, ISSUE, ROUND, Forecast, axis
from accord.scenario import validate_data

TWO = validate_data({
    "title": "Two",
    "issues": [{"id": "x"}, {"id": "y", "scale": [0, 1]}],
    "actors": [
        {"id": "A", "capability": 1, "position": {"x": 0, "y": 0.2},
         "salience": {"x": 100, "y": 100}},
        {"id": "B", "capability": 3, "position": {"x": 100, "y": 1.0},
         "salience": {"x": 100, "y": 100}},
    ],
})  # compromise: x = 100 · 3/4 = 75; y = (0.2 + 3 · 1.0)/4 = 0.8


def test_axes_are_named_in_one_place() -> None:
    assert AXES["outcome"] == (DRAW, ISSUE)
    assert AXES["trajectory"] == (DRAW, ROUND, ACTOR, ISSUE)
    assert AXES["position"] == (DRAW, ACTOR, ISSUE)
    assert axis("trajectory", ACTOR) == 2 and axis("outcome", DRAW) == 0


def test_outcome_is_a_labelled_mapping() -> None:
    r = analysis.forecast(TWO, ["compromise"]).result("compromise")
    assert dict(r.outcome) == pytest.approx({"x": 75.0, "y": 0.8})
    assert r.outcome["x"] == pytest.approx(75.0)
    assert list(r.outcome) == ["x", "y"]
    np.testing.assert_allclose(np.asarray(r.outcome), [75.0, 0.8])
    assert repr(r.outcome) == "{'x': 75, 'y': 0.8}"
    with pytest.raises(KeyError, match="the issues are: x, y"):
        r.outcome["z"]


def test_distribution_without_draws_is_the_point_with_a_note() -> None:
    r = analysis.forecast(TWO, ["compromise"]).result("compromise")
    dist = r.distribution()
    assert dist is not None and not dist.has_draws and dist.draws == 1
    assert "draws > 1" in dist.note
    assert dist["x"] == pytest.approx({s: 75.0 for s in ("mean", *analysis.QUANTILES)})
    assert "note=" in repr(dist)


def test_quantiles_by_hand_for_all_issues_at_once() -> None:
    # draws of x: 0, 10, 20, 40 -> mean 17.5; q10 at position 0.3 -> 3; q50 at 1.5 -> 15;
    # q90 at 2.7 -> 20 + 0.7 · 20 = 34.  y = x / 100.
    x = np.array([0.0, 10.0, 20.0, 40.0])
    q = R.quantiles(np.stack([x, x / 100], axis=1), ("x", "y"))
    assert q.values.shape == (1 + len(analysis.QUANTILES), 2) and q.draws == 4
    assert dict(q["q10"]) == pytest.approx({"x": 3.0, "y": 0.03})
    assert q.issue("x")["mean"] == pytest.approx(17.5)
    assert q.issue("x")["q50"] == pytest.approx(15.0)
    assert q.issue("x")["q90"] == pytest.approx(34.0)


def test_quantiles_are_computed_once_per_model(monkeypatch) -> None:
    result = analysis.forecast(TWO, ["compromise", "median"], draws=20, seed=1)
    calls = []
    real = R.linear_quantiles  # np.quantile's numbers without importing numpy.ma

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(R, "linear_quantiles", counting)
    for r in result.results:  # every issue's distribution, and the table, read the cache
        for iid in ("x", "y"):
            r.distribution()[iid]
    analysis.summary_table(result)
    assert len(calls) == 2  # one per model, for both issues


# --------------------------------------------------------------------------- number format


def test_decimals_follow_the_scale() -> None:
    assert [analysis.decimals(s) for s in (100, 10, 1, 0.5, 20000, 1000)] == [1, 2, 3, 3, 0, 0]


def test_differences_on_one_scale_print_alike() -> None:
    # the issue's example: -0.9545, +0.7256, -0.003515 next to +18.2 on a 0-100 scale
    got = [analysis.format_difference(d, 100) for d in (-0.9545, 0.7256, -0.003515, 18.2)]
    assert got == ["-1.0", "+0.7", "0.0", "+18.2"]
    assert analysis.format_difference(-0.003515, 1) == "-0.004"
    assert analysis.format_difference(1234.7, 20000) == "+1235"  # 0 decimals on 0-20000
    assert analysis.format_value(-0.01, 100) == "0.0"  # never "-0.0"
    assert analysis.format_value(float("nan"), 100) == "–"


def test_summary_table_rows() -> None:
    result = analysis.forecast(TWO, ["compromise"], draws=50, seed=2, thresholds=["x>=50"])
    x, y = analysis.summary_table(result)
    assert x.issue.id == "x" and x.scale == (0.0, 100.0) and y.scale == (0.0, 1.0)
    (row,) = x.rows
    assert row.label == "compromise" and row.point == pytest.approx(75.0)
    assert row.point_text == "75.0" and y.rows[0].point_text == "0.800"
    q = result.results[0].distribution()["x"]
    assert (row.low, row.high) == pytest.approx((q["q10"], q["q90"]))
    assert re.fullmatch(r"\d+\.\d – \d+\.\d", row.interval_text)
    assert [t.text for t, _ in row.probabilities] == ["x>=50"] and not y.rows[0].probabilities
    no_draws = analysis.summary_table(analysis.forecast(TWO, ["compromise"]))
    assert no_draws[0].rows[0].low is None and no_draws[0].rows[0].interval_text == ""


def difference_cells(text: str) -> list[str]:
    """The 'difference' column of the CLI's shock tables (the fourth cell of a model row)."""
    cells = []
    for line in text.splitlines():
        parts = [p.strip() for p in re.split(r"[│┃|]", line)]
        parts = [p for p in parts if p]
        if len(parts) >= 4 and parts[0] in ("compromise", "median", "nash", "bdm", "smp",
                                            "exchange"):
            cells.append(parts[3])
    return cells


def test_cli_shock_differences_use_the_one_format() -> None:
    out = CliRunner().invoke(cli.app, ["forecast", "ukraine-2025", "--shock",
                                       "us-walks-away"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    cells = difference_cells(out.output)
    assert len(cells) >= 6
    assert all(re.fullmatch(r"[+-]\d+\.\d|0\.0", c) for c in cells), cells


def test_report_and_cli_print_the_same_numbers() -> None:
    from accord.report import build, render_html

    rep = build(TWO, ["compromise"], draws=30, seed=3, sensitivity=False, shocks=[])
    html = render_html(rep, embed_plotly=False)
    for table in analysis.summary_table(rep.result):
        for row in table.rows:
            assert row.point_text in html and row.interval_text in html
    out = CliRunner().invoke(cli.app, ["forecast", "ukraine-2025", "--draws", "30", "--seed",
                                       "3", "-m", "compromise", "--intervals", "both"],
                             env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    res = analysis.forecast(load_scenario("ukraine-2025"), ["compromise"], draws=30, seed=3,
                            calibrations=calibration.load(None))
    for table in analysis.summary_table(res):
        assert table.rows[0].point_text in out.output
        assert table.rows[0].interval_text in out.output
        assert table.rows[0].calibrated_text in out.output


def test_forecast_keeps_working_with_a_bare_forecast() -> None:
    point = Forecast("m", {}, ("A",), ("x", "y"), np.array([[1.0, 2.0]]))
    r = analysis.ModelResult("m", {}, point)
    assert r.outcome[1] == 2.0 and r.outcome["y"] == 2.0  # position still reads


def test_sensitivity_swings_use_the_one_format() -> None:
    # ukraine-2025 issues are on 0-100: every forecast and swing with exactly one decimal
    out = CliRunner().invoke(cli.app, ["sensitivity", "ukraine-2025", "-m", "compromise",
                                       "--top", "3"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    rows = [[p.strip() for p in re.split(r"[│┃|]", line) if p.strip()]
            for line in out.output.splitlines()]
    rows = [r for r in rows if len(r) == 6 and "." in r[0]]  # input label, then 5 numbers
    assert len(rows) >= 3
    for r in rows:
        assert all(re.fullmatch(r"-?\d+\.\d", cell) for cell in r[3:]), r
    from accord.report import build, render_html

    rep = build(load_scenario("ukraine-2025"), ["compromise"], draws=1, shocks=[])
    html = render_html(rep, embed_plotly=False)
    swing = max(s.swing for s in rep.sensitivity[0].ranking("territory"))
    assert f'<td class="n">{analysis.format_value(swing, 100)}</td>' in html
