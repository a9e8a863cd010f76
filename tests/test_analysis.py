"""Monte Carlo summaries, thresholds, ensembles, sensitivity and sweeps (issue 6).

Expected numbers are hand calculations: the quantiles of a uniform distribution, weighted
means of two or three actors.
"""

from __future__ import annotations

import concurrent.futures as cf
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from accord import analysis, cli
from accord import models as registry
from accord.analysis import AnalysisError, Ensemble, Threshold
from accord.models.base import ModelSpecError
from accord.scenario import validate_data


def uniform_scenario():
    """One actor whose position on 'x' is uniform on [20, 60]: the outcome of every
    baseline model is that position."""
    return validate_data({
        "issues": [{"id": "x"}],
        "actors": [{"id": "A", "capability": 50,
                    "position": {"x": {"value": 40, "low": 20, "high": 60, "dist": "uniform"}},
                    "salience": {"x": 80}}],
    })


def two_actors(a_cap: float = 1.0, b_cap: float = 3.0):
    """A at 0 and B at 100, equal saliences: compromise = 100 b/(a+b), median = B's when
    b > a."""
    return validate_data({
        "issues": [{"id": "x"}],
        "actors": [
            {"id": "A", "capability": a_cap, "position": {"x": 0}, "salience": {"x": 100}},
            {"id": "B", "capability": b_cap, "position": {"x": 100}, "salience": {"x": 100}},
        ],
    })


# --------------------------------------------------------------------------- Monte Carlo


@pytest.mark.parametrize("model", ["compromise", "median"])
def test_quantiles_of_a_uniform_position(model: str) -> None:
    res = analysis.forecast(uniform_scenario(), [model], draws=20_000, seed=3)
    r = res.result(model)
    assert r.outcome[0] == pytest.approx(40.0)  # the point run uses the central value
    d = r.distribution()["x"]
    # U(20, 60): q_p = 20 + 40 p; standard errors ≈ 0.2 at 20 000 draws
    assert d["mean"] == pytest.approx(40.0, abs=0.4)
    for name, p in (("q05", 0.05), ("q10", 0.10), ("q50", 0.50), ("q90", 0.90),
                    ("q95", 0.95)):
        assert d[name] == pytest.approx(20 + 40 * p, abs=0.8), name


def test_threshold_probabilities_of_a_uniform_position() -> None:
    res = analysis.forecast(uniform_scenario(), ["compromise"], draws=20_000, seed=5,
                            thresholds=["x>=50", "x<30", "x>60", "x<=60"])
    probs = res.result("compromise").probabilities()
    assert probs["x>=50"] == pytest.approx(0.25, abs=0.015)  # (60-50)/40
    assert probs["x<30"] == pytest.approx(0.25, abs=0.015)  # (30-20)/40
    assert probs["x>60"] == 0.0
    assert probs["x<=60"] == 1.0
    doc = analysis.to_json(res)
    assert doc["forecasts"][0]["probabilities"] == probs
    assert {"scenario", "draws", "seed", "forecasts"} <= set(doc)


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    sc = uniform_scenario()
    a = analysis.forecast(sc, ["compromise"], draws=500, seed=11).result("compromise")
    b = analysis.forecast(sc, ["compromise"], draws=500, seed=11).result("compromise")
    c = analysis.forecast(sc, ["compromise"], draws=500, seed=12).result("compromise")
    assert np.array_equal(a.draws.outcome, b.draws.outcome)
    assert not np.array_equal(a.draws.outcome, c.draws.outcome)


@pytest.mark.parametrize("text", ["x=>50", "x>=abc", "x", ">=5", "x>=inf"])
def test_bad_threshold_is_a_user_error(text: str) -> None:
    with pytest.raises(AnalysisError):
        analysis.parse_threshold(text, ["x"])


def test_threshold_on_unknown_issue_names_the_issues() -> None:
    with pytest.raises(AnalysisError, match="the issues are: x"):
        analysis.parse_threshold("y>=5", ["x"])
    assert analysis.parse_threshold(" x >= 5 ", ["x"]) == Threshold("x", ">=", 5.0)


def test_threshold_needs_draws() -> None:
    with pytest.raises(AnalysisError, match="--draws"):
        analysis.forecast(uniform_scenario(), ["compromise"], draws=1, thresholds=["x>=5"])


# --------------------------------------------------------------------------- ensembles


def test_ensemble_weights_point_and_mixture() -> None:
    # compromise = 100·3/4 = 75, median = 100 (B holds 3/4 of the weight)
    res = analysis.forecast(two_actors(), ["ensemble:compromise=1,median=3"], draws=1000,
                            seed=0, thresholds=["x>=90"])
    assert [r.model for r in res.results] == ["compromise", "median", "ensemble"]
    ens = res.result("ensemble")
    assert ens.outcome[0] == pytest.approx((75 * 1 + 100 * 3) / 4)
    # inputs have no ranges: the mixture is 75 with weight 1/4 and 100 with weight 3/4
    assert np.sum(ens.draws.outcome == 100.0) == 750
    assert np.sum(ens.draws.outcome == 75.0) == 250
    assert ens.probabilities()["x>=90"] == 0.75
    assert ens.options["weights"] == [0.25, 0.75]


def test_ensemble_alone_combines_every_registered_model_equally() -> None:
    plan = analysis.plan_models(["ensemble"])
    assert [m.name for m in plan.models] == analysis.every_model_name()  # not war
    (_, idx, w), = plan.ensembles
    assert list(idx) == list(range(len(analysis.every_model_name())))
    assert w == pytest.approx([1 / len(idx)] * len(idx))


def test_ensemble_of_the_other_chosen_models() -> None:
    plan = analysis.plan_models(["compromise", "median", "ensemble"])
    assert [m.name for m in plan.models] == ["compromise", "median"]
    assert plan.labels == ["compromise", "median", "ensemble"]
    assert Ensemble.parse("ensemble:compromise,median") == Ensemble(("compromise", "median"),
                                                                      (1.0, 1.0))


@pytest.mark.parametrize("spec", ["ensemble:compromise=x", "ensemble:nosuchmodel",
                                  "ensemble:compromise=-1", "ensemble:compromise=0",
                                  "ensemble:=2"])
def test_bad_ensemble_spec(spec: str) -> None:
    with pytest.raises(ModelSpecError):
        analysis.plan_models([spec])


def test_mixture_counts_follow_weights() -> None:
    a = np.zeros((10, 1))
    b = np.ones((10, 1))
    mixed = analysis.mix_draws([a, b], [0.35, 0.65], np.random.default_rng(0))
    assert mixed.sum() in (6.0, 7.0)  # round(6.5) by largest remainder


# --------------------------------------------------------------------------- sensitivity


def dominated_scenario():
    """Compromise of A (0 → 20), B (100, capability 1 → 9), C (50, salience 40 → 60).

    Base: weights 0.5 each: (0 + 50 + 25)/1.5 = 50.
    B.capability 1 → 9: 50 → (450 + 25)/5.5 = 86.36; A.position 0 → 20: 50 → 56.67;
    C.salience 40 → 60: (50 + 20)/1.4 = 50 and (50 + 30)/1.6 = 50, no swing.
    """
    return validate_data({
        "issues": [{"id": "x"}],
        "actors": [
            {"id": "A", "capability": 1, "position": {"x": {"value": 0, "high": 20}},
             "salience": {"x": 50}},
            {"id": "B", "capability": {"value": 1, "low": 1, "high": 9},
             "position": {"x": 100}, "salience": {"x": 50}},
            {"id": "C", "capability": 1, "position": {"x": 50},
             "salience": {"x": {"value": 50, "low": 40, "high": 60}}},
        ],
    })


def test_sensitivity_ranks_the_dominant_input_first() -> None:
    (res,) = analysis.sensitivity(dominated_scenario(), ["compromise"])
    assert res.base[0] == pytest.approx(50.0)
    ranking = res.ranking("x")
    assert [s.input.label for s in ranking] == ["B.capability", "A.position.x", "C.salience.x"]
    top = ranking[0]
    assert (top.input.low, top.input.high) == (1.0, 9.0)
    assert top.low_outcome == pytest.approx(50.0)
    assert top.high_outcome == pytest.approx(475 / 5.5)
    assert ranking[1].swing == pytest.approx(170 / 3 - 50)
    assert ranking[2].swing == pytest.approx(0.0, abs=1e-9)
    doc = analysis.sensitivity_json([res])
    bars = doc["models"][0]["issues"]["x"]["inputs"]
    assert bars[0]["input"] == "B.capability" and bars[0]["swing"] == pytest.approx(
        475 / 5.5 - 50)
    assert doc["models"][0]["issues"]["x"]["base"] == pytest.approx(50.0)


def test_sensitivity_all_moves_every_input_by_a_fifth_of_its_scale() -> None:
    inputs = {i.label: i for i in analysis.scenario_inputs(dominated_scenario(), "all")}
    # 3 capabilities, 3 positions, 3 saliences
    assert len(inputs) == 9
    assert (inputs["C.position.x"].low, inputs["C.position.x"].high) == (30.0, 70.0)
    assert (inputs["A.position.x"].low, inputs["A.position.x"].high) == (0.0, 20.0)  # clipped
    assert (inputs["C.salience.x"].low, inputs["C.salience.x"].high) == (30.0, 70.0)
    assert inputs["B.capability"].low == pytest.approx(0.8)
    assert inputs["B.capability"].high == pytest.approx(1.2)


def test_sensitivity_of_an_ensemble_is_the_weighted_mean() -> None:
    res = analysis.sensitivity(dominated_scenario(), ["ensemble:compromise=1,median=1"])
    comp, med, ens = res
    assert ens.model == "ensemble"
    assert np.allclose(ens.high, (comp.high + med.high) / 2)


def test_sensitivity_without_ranges_asks_for_all() -> None:
    with pytest.raises(AnalysisError, match="--all"):
        analysis.sensitivity(two_actors(), ["compromise"])


def test_sensitivity_runs_every_registered_model() -> None:
    res = analysis.sensitivity(dominated_scenario())  # the war model needs a conflict section
    assert [r.model for r in res] == [n for n in registry.names() if n != "war"]
    for r in res:
        assert r.low.shape == r.high.shape == (3, 1)


# --------------------------------------------------------------------------- sweeps


def _draw(item: int, seed: np.random.SeedSequence) -> float:
    return float(item + np.random.default_rng(seed).random())


def test_sweep_results_do_not_depend_on_the_executor() -> None:
    items = list(range(12))
    serial = analysis.sweep(items, _draw, seed=4)
    with cf.ThreadPoolExecutor(max_workers=3) as ex:
        threaded = analysis.sweep(items, _draw, ex, seed=4)
    assert serial == threaded
    expected = [k + np.random.default_rng(ss).random()
                for k, ss in enumerate(np.random.SeedSequence(4).spawn(12))]
    assert serial == expected
    assert analysis.sweep(items, _draw, seed=5) != serial


def test_sweep_reports_progress() -> None:
    seen = []
    analysis.sweep([1, 2, 3], _draw, progress=lambda k, done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_forecast_probabilities_and_ensemble() -> None:
    res = runner.invoke(cli.app, ["forecast", "ukraine-2025", "-m", "compromise", "-m",
                                  "median", "-m", "ensemble", "--draws", "300", "--prob",
                                  "territory>=80", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [f["model"] for f in doc["forecasts"]] == ["compromise", "median", "ensemble"]
    for f in doc["forecasts"]:
        assert 0.0 <= f["probabilities"]["territory>=80"] <= 1.0
    table = runner.invoke(cli.app, ["forecast", "ukraine-2025", "-m", "compromise", "--draws",
                                    "300", "--prob", "ceasefire<30"])
    assert table.exit_code == 0
    assert "P(ceasefire < 30)" in table.stdout


@pytest.mark.parametrize("args", [
    ["--prob", "territory=>80", "--draws", "10"],
    ["--prob", "nowhere>=80", "--draws", "10"],
    ["--prob", "territory>=80"],
    ["-m", "ensemble:compromise=x"],
])
def test_cli_bad_requests_exit_2(args: list[str]) -> None:
    res = runner.invoke(cli.app, ["forecast", "ukraine-2025", *args])
    assert res.exit_code == 2
    assert "error:" in res.stderr and "Traceback" not in res.output


def test_cli_sensitivity_json_and_table() -> None:
    res = runner.invoke(cli.app, ["sensitivity", "ukraine-2025", "-m", "compromise", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    bars = doc["models"][0]["issues"]["territory"]["inputs"]
    swings = [b["swing"] for b in bars]
    assert swings == sorted(swings, reverse=True)
    assert {"input", "low", "high", "outcome_low", "outcome_high", "swing"} <= set(bars[0])
    table = runner.invoke(cli.app, ["sensitivity", "ukraine-2025", "-m", "nash", "--all",
                                    "--top", "3"])
    assert table.exit_code == 0
    assert "swing" in table.stdout


# --------------------------------------------------------------------------- labels


def test_unique_labels_tell_variants_of_one_model_apart() -> None:
    models = [registry.get("bdm"), registry.get("bdm:literal"), registry.get("bdm", rounds=3),
              registry.get("bdm", rounds=3), registry.get("compromise")]
    assert analysis.unique_labels(models) == [
        "bdm", "bdm:literal", "bdm[rounds=3]", "bdm[rounds=3] (2)", "compromise"]
    plan = analysis.plan_models(["median", "ensemble", "ensemble:median=2,compromise=1"])
    assert plan.labels == ["median", "compromise", "ensemble",
                           "ensemble:median=2,compromise=1"]
    # a model's name alone wherever no other model of the run has it
    assert analysis.unique_labels([registry.get("bdm:literal")]) == ["bdm"]


def test_two_variants_of_one_model_keep_their_own_numbers() -> None:
    from accord.examples import example

    cmp = analysis.run_shocks(example("emission-1994"), ["Germany.capability=10"],
                              ["bdm", "bdm:literal"], options={"rounds": 3})
    base, run = cmp.base, cmp.shocks[0]
    assert [r.label for r in base.results] == ["bdm", "bdm:literal"]
    assert [r.model for r in base.results] == ["bdm", "bdm"]
    plain, literal = base.results
    assert base.result("bdm") is plain and base.result("bdm:literal") is literal
    assert plain.outcome[0] != literal.outcome[0]
    diff = run.difference(base)
    for mine, shocked in zip(base.results, run.result.results, strict=True):
        assert diff[mine.label]["emission"] == pytest.approx(shocked.outcome[0] - mine.outcome[0])
    assert diff["bdm"] != diff["bdm:literal"]
    doc = cmp.to_json()
    assert [(f["model"], f["label"]) for f in doc["forecasts"]] == [
        ("bdm", "bdm"), ("bdm", "bdm:literal")]
    assert set(doc["shocks"][0]["difference"]) == {"bdm", "bdm:literal"}
    with pytest.raises(KeyError, match=r"bdm\[rounds=4\]"):
        analysis.forecast(two_actors(), [registry.get("bdm", rounds=3),
                                         registry.get("bdm", rounds=4)]).result("bdm")


def test_cli_shock_table_shows_each_variant_its_own_difference() -> None:
    res = CliRunner().invoke(cli.app, ["forecast", "emission-1994", "-m", "bdm", "-m",
                                       "bdm:literal", "--option", "rounds=3", "--shock",
                                       "Germany.capability=10"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = [line for line in res.output.splitlines() if line.startswith("│ bdm")]
    shock_rows = [r.split("│")[1:-1] for r in rows if r.count("│") == 5]
    assert [c[0].strip() for c in shock_rows] == ["bdm", "bdm:literal"]
    for label, base, shocked, diff in ((c[0].strip(), *map(float, c[1:])) for c in shock_rows):
        assert diff == pytest.approx(shocked - base, abs=0.1), label
