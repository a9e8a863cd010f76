"""Calibrated predictive distributions (issue 14): the error term by hand, its invariants,
the shipped calibrations, the forecast JSON, and the grouped cross-validation on the DEU
dev file that the issue's "Done when" asks for.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord import analysis, examples
from accord import backtest as bt
from accord.analysis import calibration
from accord.errors import AnalysisError

DEU = Path(__file__).parent / "data" / "deu"
Z0 = np.array([[1.0, 0.0, 0.0, 0.0]])  # features of one issue: intercept only


def test_resample_adds_every_corpus_error_once_and_clips() -> None:
    # corpus: forecasts 50, 50, 50 with outcomes 40, 50, 70 -> errors −10, 0, +20 (0–100).
    cal = calibration.fit("m", np.full(12, 50.0), np.array([40, 50, 70] * 4, float),
                          np.tile(Z0, (12, 1)), method="resample")
    assert sorted(set(np.round(cal.residuals * 100, 9))) == [-10.0, 0.0, 20.0]
    # a new forecast of 90: 80, 90, 110 -> clipped to 100
    y = cal.predictive(np.array([[90.0]]), Z0, np.array([0.0]), np.array([100.0]))
    assert sorted(set(y[:, 0])) == [80.0, 90.0, 100.0]
    assert y.shape == (12, 1)


def test_conformal_is_symmetric_in_the_absolute_errors() -> None:
    cal = calibration.fit("m", np.full(10, 50.0), np.array([40, 70] * 5, float),
                          np.tile(Z0, (10, 1)), method="conformal")
    # |e| = 10, 20 -> ±10, ±20
    assert sorted(set(np.round(cal.residuals * 100, 9))) == [-20.0, -10.0, 10.0, 20.0]


def test_normalised_scales_errors_by_the_difficulty() -> None:
    # |e| = 10 where the spread is 0.1 and 30 where it is 0.3: least squares on
    # [1, spread] gives σ = 0 + 100·spread (in points), so r = e/σ = ±1 for every row.
    spread = np.array([0.1, 0.3] * 6)
    z = np.column_stack([np.ones(12), spread, np.zeros(12), np.zeros(12)])
    f = np.full(12, 50.0)
    y = f + np.array([10, 30, -10, -30] * 3, float)
    cal = calibration.fit("m", f, y, z, method="normalised")
    assert cal.coef is not None
    assert cal.coef[:2] == pytest.approx([0.0, 1.0], abs=1e-9)
    assert np.abs(cal.residuals) == pytest.approx(np.ones(12))
    # a new issue with spread 0.2: draws 50 ± 20
    new = np.array([[1.0, 0.2, 0.0, 0.0]])
    out = cal.predictive(np.array([[50.0]]), new, np.array([0.0]), np.array([100.0]))
    assert sorted(set(np.round(out[:, 0], 9))) == [30.0, 70.0]


def test_errors_are_shares_of_the_scale() -> None:
    # fit on 0–100 (error +10), apply on a 0–10 scale: +1 point
    cal = calibration.fit("m", np.full(10, 50.0), np.full(10, 60.0), np.tile(Z0, (10, 1)),
                          method="resample")
    out = cal.predictive(np.array([[5.0]]), Z0, np.array([0.0]), np.array([10.0]))
    assert out[:, 0] == pytest.approx(np.full(10, 6.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-60, 60), min_size=10, max_size=40),
       st.lists(st.floats(0, 100), min_size=1, max_size=30),
       st.sampled_from(calibration.METHODS))
def test_predictive_draws_stay_on_the_scale(errors: list[float], draws: list[float],
                                            method: str) -> None:
    f = np.full(len(errors), 50.0)
    z = np.column_stack([np.ones(len(errors)), np.linspace(0, 0.4, len(errors)),
                         np.zeros(len(errors)), np.zeros(len(errors))])
    cal = calibration.fit("m", f, np.clip(f + np.array(errors), 0, 100), z, method=method)
    out = cal.predictive(np.array(draws)[:, None], z[:1], np.array([0.0]), np.array([100.0]),
                         np.random.default_rng(0))
    assert out.shape == (max(len(draws), cal.residuals.size), 1)
    assert np.all((out >= 0) & (out <= 100))


def test_too_small_a_corpus_and_an_unknown_method_are_user_errors() -> None:
    with pytest.raises(AnalysisError, match="at least 10"):
        calibration.fit("m", np.zeros(5), np.zeros(5), np.tile(Z0, (5, 1)))
    with pytest.raises(AnalysisError, match="--method 'quantile'"):
        calibration.fit("m", np.zeros(20), np.zeros(20), np.tile(Z0, (20, 1)), method="quantile")


def test_grouped_folds_keep_proposals_together_and_are_seeded() -> None:
    groups = np.repeat(np.arange(30), np.arange(30) % 4 + 1)
    folds = calibration.grouped_folds(groups, 10, seed=5)
    for g in np.unique(groups):
        assert len(set(folds[groups == g])) == 1
    assert set(folds) == set(range(10))
    assert np.array_equal(folds, calibration.grouped_folds(groups, 10, seed=5))
    assert not np.array_equal(folds, calibration.grouped_folds(groups, 10, seed=6))
    with pytest.raises(AnalysisError, match="--cv 40"):
        calibration.grouped_folds(groups, 40)


def test_the_shipped_set_has_provenance_for_every_model() -> None:
    cs = calibration.load(None)
    assert cs is not None
    for name in ("compromise", "median", "nash", "bdm", "smp", "exchange", "core"):
        cal = cs.get(name)
        assert cal is not None, name
        p = cal.provenance
        assert p["corpus"] == "deu-dev.csv" and p["n"] == 243
        assert {"date", "accord_version", "method"} <= set(p)
        assert "EU legislative bargaining" in cal.describe()
    assert calibration.load("none") is None


def test_a_calibration_file_round_trips_and_bad_ones_name_the_file(tmp_path: Path) -> None:
    cs = calibration.load(None)
    assert cs is not None
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(cs.to_json()))
    again = calibration.load(path)
    assert again is not None
    assert np.array_equal(again.calibrations["nash"].residuals,
                          cs.calibrations["nash"].residuals)
    bad = tmp_path / "bad.json"
    bad.write_text('{"calibrations": {"x": {"model": "x", "method": "magic"}}}')
    with pytest.raises(AnalysisError, match=r"bad.json: calibrations.x: .*'magic'"):
        calibration.load(bad)
    with pytest.raises(AnalysisError, match="no such file"):
        calibration.load(tmp_path / "missing.json")


def test_forecast_json_has_predictive_beside_an_unchanged_distribution() -> None:
    sc = examples.example("ukraine-2025")
    plain = analysis.to_json(analysis.forecast(sc, ["compromise"], draws=200, seed=1))
    cal = analysis.to_json(analysis.forecast(sc, ["compromise"], draws=200, seed=1,
                                             calibrations=calibration.load(None)))
    a, b = plain["forecasts"][0], cal["forecasts"][0]
    assert "predictive" not in a
    assert a["distribution"] == b["distribution"]
    assert set(b["predictive"]) == set(b["distribution"])
    for issue, q in b["predictive"].items():
        assert set(q) == set(b["distribution"][issue])
        # model error widens the band well beyond input noise
        assert q["q90"] - q["q10"] > 2 * (b["distribution"][issue]["q90"]
                                          - b["distribution"][issue]["q10"])
    assert "EU legislative bargaining" in b["calibration"]["name"]
    assert b["calibration"]["corpus"] == "deu-dev.csv"


def test_cv_never_scores_an_issue_with_a_calibration_that_saw_it() -> None:
    # Change the outcomes of one fold's issues: that fold's intervals must not move
    # (they come from the other folds), every other fold's may.
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    res = bt.backtest(props, ["compromise"], bootstrap=100, cv=5, seed=2)
    assert res.calibrated is not None
    before = res.calibrated.interval["compromise"].copy()
    folds = calibration.grouped_folds(res.proposal, 5, seed=2)
    res.outcome = np.where(folds == 0, 100.0 - res.outcome, res.outcome)
    after = bt.calibrate_result(res, None, 5, seed=2).interval["compromise"]
    assert np.array_equal(before[folds == 0], after[folds == 0])
    assert not np.array_equal(before[folds != 0], after[folds != 0])


# ----------------------------------------------------------------- the "Done when" check

SHIPPED = ["compromise", "median", "nash", "bdm", "smp", "exchange", "core"]


@pytest.fixture(scope="module")
def dev_backtest() -> bt.BacktestResult:
    """Every shipped model on the dev file, central forecasts (one draw)."""
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    return bt.backtest(props, SHIPPED, bootstrap=200)


@pytest.mark.parametrize(("method", "models"), [
    (calibration.DEFAULT_METHOD, SHIPPED),  # the shipped method, every shipped model
    ("resample", ["compromise"]),  # (nash over-covers: 94.2 % at 90 %; docs/validation.md)
    ("conformal", ["compromise"]),
])
def test_grouped_10_fold_cv_coverage_on_the_dev_file(dev_backtest: bt.BacktestResult,
                                                     method: str, models: list[str]) -> None:
    """Issue 14, "Done when": calibrated 80 % intervals cover 76–84 % and 90 % intervals
    86–94 % of the dev outcomes under grouped 10-fold CV (seeded), for the compromise
    model and every model with a shipped calibration."""
    cs = calibration.load(None)
    assert cs is not None
    assert all(cs.get(m).method == calibration.DEFAULT_METHOD for m in SHIPPED)
    dev_backtest.calibrated = bt.calibrate_result(dev_backtest, None, 10, method, seed=0)
    scores = [s for s in dev_backtest.scores() if s.model in models]
    assert len(scores) == len(models)
    for s in scores:
        cov = s.predictive["coverage"]
        assert 0.76 <= cov["80"] <= 0.84, (s.model, method, cov)
        assert 0.86 <= cov["90"] <= 0.94, (s.model, method, cov)
        assert s.predictive["crps"] > 0


# ----------------------------------------------------------------- the command


def test_forecast_shows_calibrated_intervals_and_says_where_they_come_from(accord) -> None:
    res = accord("forecast", "ukraine-2025", "--draws", "300", "--seed", "1",
                 "-m", "compromise")
    assert res.returncode == 0, res.stderr
    assert "10–90 % calibrated" in res.stdout
    assert "calibrated on EU legislative bargaining (deu-dev.csv, n = 243" in res.stdout
    # --intervals input prints what accord printed before calibration existed
    plain = accord("forecast", "ukraine-2025", "--draws", "300", "--seed", "1",
                   "-m", "compromise", "--intervals", "input")
    none = accord("forecast", "ukraine-2025", "--draws", "300", "--seed", "1",
                  "-m", "compromise", "--calibration", "none")
    assert plain.returncode == 0 and "calibrated" not in plain.stdout
    assert plain.stdout == none.stdout
    both = accord("forecast", "ukraine-2025", "--draws", "300", "--seed", "1",
                  "-m", "compromise", "--intervals", "both")
    assert "10–90 % calibrated" in both.stdout and "10–90 % input only" in both.stdout


def test_forecast_json_keeps_distribution_and_adds_predictive(accord) -> None:
    res = accord("forecast", "ukraine-2025", "--draws", "200", "-m", "median", "--json")
    doc = json.loads(res.stdout)
    entry = doc["forecasts"][0]
    assert set(entry["predictive"]["territory"]) == set(entry["distribution"]["territory"])
    assert entry["calibration"]["method"] == "normalised"


def test_calibrate_writes_a_calibration_forecast_can_use(accord, tmp_path: Path) -> None:
    out = tmp_path / "cal.json"
    res = accord("calibrate", DEU / "deu-dev.csv", "--capabilities", DEU / "capabilities.csv",
                 "-m", "compromise", "-m", "median", "--method", "resample", "-o", out)
    assert res.returncode == 0, res.stderr
    doc = json.loads(out.read_text())
    assert set(doc["calibrations"]) == {"compromise", "median"}
    prov = doc["calibrations"]["compromise"]["provenance"]
    assert prov["corpus"] == "deu-dev.csv" and prov["n"] == 243 and prov["method"] == "resample"
    # the errors are the compromise model's on the dev file: MAE 22.9 (DESIGN.md)
    assert np.mean(np.abs(doc["calibrations"]["compromise"]["residuals"])) * 100 == (
        pytest.approx(22.9, abs=0.05))
    fc = accord("forecast", "ukraine-2025", "-m", "compromise", "--calibration", out)
    assert fc.returncode == 0 and "method resample" in fc.stdout
    bad = accord("forecast", "ukraine-2025", "--calibration", tmp_path / "nope.json")
    assert bad.returncode == 2 and "no such file" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_backtest_cv_reports_crps_and_calibrated_coverage(accord) -> None:
    res = accord("backtest", DEU / "deu-dev.csv", "--capabilities", DEU / "capabilities.csv",
                 "-m", "compromise", "-m", "core", "--cv", "5", "--json", "--bootstrap", "200")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["calibration"] == {"cv": 5, "method": "normalised", "seed": 0,
                                  "grouped_by": "proposal"}
    by = {m["model"]: m for m in doc["models"]}
    assert by["compromise"]["predictive"]["crps_vs_compromise"]["mean_diff"] == 0
    assert 10 < by["core"]["predictive"]["crps"] < 25
    table = accord("backtest", DEU / "deu-dev.csv", "--capabilities", DEU / "capabilities.csv",
                   "-m", "compromise", "--bootstrap", "200")
    assert "CRPS" in table.stdout and "in-sample" in table.stdout


def test_report_and_serve_take_a_calibration(accord, tmp_path: Path) -> None:
    bad = accord("serve", "--calibration", tmp_path / "missing.json")
    assert bad.returncode == 2 and "no such file" in bad.stderr
    out = tmp_path / "r.html"
    res = accord("report", "ukraine-2025", "-o", out, "--draws", "50", "-m", "compromise",
                 "--no-sensitivity", "--no-shocks")
    assert res.returncode == 0, res.stderr
    assert "calibrated on EU legislative bargaining" in out.read_text()


def test_the_distribution_figure_shows_both_bands_labelled() -> None:
    from accord.report import figures as F

    sc = examples.example("ukraine-2025")
    res = analysis.forecast(sc, ["compromise"], draws=100, seed=0,
                            calibrations=calibration.load(None))
    data = F.distribution_data(res, "territory")
    assert data is not None
    assert set(data.cdf) == set(data.predictive_cdf) == {"compromise"}
    assert "EU legislative bargaining" in data.calibration
    # the calibrated CDF is the wider one: lower at the low quantile's point and so on
    assert (data.predictive_quantiles["compromise"]["q90"]
            - data.predictive_quantiles["compromise"]["q10"]) > (
        data.quantiles["compromise"]["q90"] - data.quantiles["compromise"]["q10"])
    fig = F.to_plotly(data)
    dashed = [t for t in fig["data"] if t.get("line", {}).get("dash") == "dash"]
    assert [t["name"] for t in dashed] == ["compromise, calibrated"]
    assert "EU legislative bargaining" in fig["layout"]["title"]["text"]
    assert "input uncertainty alone" in fig["layout"]["xaxis"]["title"]["text"]
