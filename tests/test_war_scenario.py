"""The ``conflict:`` section and the war model in the pipeline: validation, round trips,
shocks, Monte Carlo draws, the model's contract, what it reports, the CLI and the report."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord import analysis, models
from accord.analysis import parse_war_event, period_date, period_index, summarise_war
from accord.arrays import sample
from accord.cli import app
from accord.cli.scenarios import TEMPLATE
from accord.examples import example, example_text
from accord.models.war import NoConflictError
from accord.scenario import ScenarioError, dumps, loads
from accord.scenario.conflict import quantities as conflict_quantities
from accord.shocks import apply_edits as apply_shock

runner = CliRunner()

SMALL = """\
title: Two sides
date: '2025-01-01'
issues:
  - id: land
    status_quo: 50
actors:
  - id: A
    capability: 60
    position: {land: 90}
    salience: {land: 80}
  - id: B
    capability: 40
    position: {land: 10}
    salience: {land: 80}
  - id: M
    capability: 30
    position: {land: 50}
    salience: {land: 30}
conflict:
  issue: land
  sides: {a: [A], b: [B]}
  mediators: [M]
  horizon: 12
  truth: {drift: {value: 0.5, low: 0, high: 1}, volatility: 2}
  beliefs:
    a: {drift: 3, sd: 0.5}
    B: {drift: -1, sd: 0.5}
  costs: {a: {value: 0.5, low: 0.25, high: 1}, b: 0.5}
"""


def small(text: str = SMALL):
    return loads(text, "yaml", "small.yaml")


# --------------------------------------------------------------------------- the section


def test_the_section_reads_with_defaults() -> None:
    c = small().conflict
    assert c is not None and c.issue == "land" and c.sides.a == ["A"] and c.mediators == ["M"]
    assert c.period == "month" and c.start is None and c.front is None and c.power is None


BAD = [
    ("  sides: {a: [A], b: [B]}", "  sides: {a: [A], b: [B, A]}",
     "small.yaml:21 conflict.sides.b[1]: actor 'A' is on side a and in side b"),
    ("  sides: {a: [A], b: [B]}", "  sides: {a: [A], b: [Z]}",
     "small.yaml:21 conflict.sides.b[0]: unknown actor id 'Z'; the actors are: A, B, M"),
    ("  issue: land", "  issue: sea",
     "small.yaml:20 conflict.issue: unknown issue id 'sea'; the issues are: land"),
    ("a: {drift: 3, sd: 0.5}", "a: {drift: 3, sd: 0}",
     "small.yaml:26 conflict.beliefs.a.sd: 0 is not allowed: must be above 0"),
    ("volatility: 2}", "volatility: -1}",
     "small.yaml:24 conflict.truth.volatility: -1 is not allowed: must be above 0"),
    ("  horizon: 12", "  horizon: 0",
     "small.yaml:23 conflict.horizon: 0 is outside 1..1200"),
    ("  horizon: 12", "  horizon: 12\n  front: 130",
     "small.yaml:24 conflict.front: 130 is outside 0..100"),
    ("  mediators: [M]", "  mediators: [B]",
     "small.yaml:22 conflict.mediators[0]: actor 'B' is on side b and in mediators"),
    ("    B: {drift: -1, sd: 0.5}", "    Q: {drift: -1, sd: 0.5}",
     "conflict.beliefs.Q: 'Q' is neither a side (a, b) nor an actor on one"),
]


@pytest.mark.parametrize("old, new, message", BAD)
def test_each_mistake_is_a_clear_problem(old: str, new: str, message: str) -> None:
    assert old in SMALL
    with pytest.raises(ScenarioError) as err:
        small(SMALL.replace(old, new, 1))
    assert any(message in line for line in err.value.lines()), err.value.lines()


def test_every_problem_at_once() -> None:
    text = SMALL.replace("  issue: land", "  issue: sea").replace("horizon: 12", "horizon: 0")
    text = text.replace("sd: 0.5}", "sd: -2}")
    with pytest.raises(ScenarioError) as err:
        small(text)
    paths = {p.path for p in err.value.problems}
    assert {"conflict.issue", "conflict.horizon", "conflict.beliefs.a.sd",
            "conflict.beliefs.B.sd"} <= paths


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_round_trip(fmt: str) -> None:
    sc = example("ukraine-2025")
    again = loads(dumps(sc, fmt), fmt, f"again.{fmt}")
    assert again.conflict == sc.conflict
    assert again == sc


def test_template_conflict_block_is_valid_when_uncommented() -> None:
    lines = TEMPLATE.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("# conflict:"))
    block = [line[2:] for line in lines[start:]]
    sc = loads("\n".join(lines[:start] + block), "yaml", "template.yaml")
    assert sc.conflict is not None and sc.conflict.sides.a == ["B"]


def test_every_ukraine_conflict_number_has_a_range_and_evidence_or_note() -> None:
    sc = example("ukraine-2025")
    article = (Path(__file__).parent / "data" / "baseline" / "article.txt").read_text("utf-8")
    numbers = list(conflict_quantities(sc.conflict))
    assert len(numbers) >= 8  # the front is the issue's status quo, checked with the issues
    for path, q in numbers:
        assert q.is_ranged and (q.evidence or q.note), path
        if q.evidence:
            assert q.evidence in article, path
    c = sc.conflict
    assert c.sides.a == ["RUS"] and set(c.sides.b) == {"UKR", "EUR"}
    assert c.mediators == ["USA"] and c.issue == "territory" and c.period == "month"
    assert c.horizon >= 24 and (c.start or sc.date) == "2025-05-19"


# --------------------------------------------------------------------------- shocks


def test_shocks_edit_the_section() -> None:
    sc = small()
    shocked = apply_shock(sc, ["conflict.costs.a+=2", "conflict.truth.drift=-1",
                               "conflict.beliefs.a.sd=0.2", "conflict.beliefs.b.drift*=2",
                               "conflict.front=40"])
    c = shocked.conflict
    assert c.costs["a"].value == 2.5 and (c.costs["a"].low, c.costs["a"].high) == (2.25, 3.0)
    assert c.truth.drift.value == -1 and c.beliefs["a"].sd.value == 0.2
    assert c.beliefs["B"].drift.value == -2 and c.front.value == 40
    assert sc.conflict.costs["a"].value == 0.5  # the base is untouched


@pytest.mark.parametrize("edit, says", [
    ("conflict.costs.c=1", "'c'"),
    ("conflict.beliefs.a.sd=0", "must be above 0"),
    ("conflict.wheels=3", "conflict"),
])
def test_bad_conflict_shocks(edit: str, says: str) -> None:
    from accord.errors import AccordError
    with pytest.raises(AccordError) as err:
        apply_shock(small(), [edit])
    assert says in str(err.value)


def test_a_conflict_shock_needs_a_section() -> None:
    from accord.errors import AccordError
    with pytest.raises(AccordError, match="no conflict"):
        apply_shock(example("emission-1994"), ["conflict.costs.a+=1"])


# --------------------------------------------------------------------------- draws


def test_draws_of_the_section() -> None:
    sc = small()
    central = sample(sc, 1).conflict
    assert central.noise is None and central.cost_a[0] == 0.5 and central.front[0] == 50
    assert np.isnan(central.power[0]) and central.side_a == (0,) and central.side_b == (1,)
    drawn = sample(sc, 4000, seed=5)
    c = drawn.conflict
    assert c.noise.shape == (4000, 12)
    assert c.cost_a.min() >= 0.25 and c.cost_a.max() <= 1.0
    assert abs(c.cost_a.mean() - (0.25 + 0.5 + 1.0) / 3) < 0.01  # triangular mean
    assert np.all(c.cost_b == 0.5) and np.all(c.volatility == 2)
    np.testing.assert_array_equal(c.front, drawn.status_quo[:, 0])  # front = status quo


def test_adding_a_conflict_section_leaves_other_draws_alone() -> None:
    with_c = example("ukraine-2025")
    without = with_c.model_copy(update={"conflict": None})
    a, b = sample(with_c, 300, seed=7), sample(without, 300, seed=7)
    np.testing.assert_array_equal(a.position, b.position)
    np.testing.assert_array_equal(a.capability, b.capability)
    assert b.conflict is None


def test_same_seed_same_battlefield_after_a_shock() -> None:
    sc = small()
    shocked = apply_shock(sc, ["A.capability=10"])
    np.testing.assert_array_equal(sample(sc, 50, seed=1).conflict.noise,
                                  sample(shocked, 50, seed=1).conflict.noise)


# --------------------------------------------------------------------------- the model


def run_war(arrays, seed: int = 0):
    return models.get("war").run(arrays, rng=np.random.default_rng(seed))


def test_no_conflict_section_says_so() -> None:
    with pytest.raises(NoConflictError, match="conflict:"):
        run_war(sample(example("emission-1994"), 1))


def test_s_draws_equal_s_single_runs() -> None:
    arrays = sample(example("ukraine-2025"), 6, seed=3)
    together = run_war(arrays)
    for k in range(6):
        alone = run_war(arrays.take_draws(k), seed=k + 100)  # the rng is not used for draws
        for key in ("agreement_period", "terms", "outcome", "front", "lower"):
            np.testing.assert_array_equal(alone.extras[key], together.extras[key][k:k + 1])


def test_actor_order_and_a_ghost_do_not_matter() -> None:
    arrays = sample(example("ukraine-2025"), 40, seed=2)
    base = run_war(arrays)
    perm = np.array([2, 0, 3, 1])
    moved = run_war(arrays.take_actors(perm))
    np.testing.assert_array_equal(moved.extras["terms"], base.extras["terms"])
    ghost = arrays.take_actors([0, 1, 2, 3, 0])
    mask = ghost.mask.copy()
    mask[4] = False
    cap = ghost.capability.copy()
    cap[:, 4] = 0
    ghost = replace(ghost, actor_ids=(*arrays.actor_ids, "ghost"), mask=mask, capability=cap)
    np.testing.assert_array_equal(run_war(ghost).extras["terms"], base.extras["terms"])


def test_affine_rescaling_of_the_scale() -> None:
    """Every number in points of the scale (front, drifts, sds, volatility, costs) rescaled
    with it: the same periods, terms rescaled."""
    arrays = sample(example("ukraine-2025"), 60, seed=4)
    a, b = 0.07, 4.0
    c = arrays.conflict
    scaled = replace(c, front=a * c.front + b, drift=a * c.drift, volatility=a * c.volatility,
                     belief_a=a * c.belief_a, sd_a=a * c.sd_a, belief_b=a * c.belief_b,
                     sd_b=a * c.sd_b, cost_a=a * c.cost_a, cost_b=a * c.cost_b)
    moved = replace(arrays, position=a * arrays.position + b, lower=a * arrays.lower + b,
                    upper=a * arrays.upper + b, status_quo=a * arrays.status_quo + b,
                    conflict=scaled)
    base, other = run_war(arrays), run_war(moved)
    np.testing.assert_array_equal(other.extras["agreement_period"],
                                  base.extras["agreement_period"])
    np.testing.assert_allclose(other.extras["outcome"], a * base.extras["outcome"] + b,
                               atol=1e-9)


def test_power_defaults_to_the_capability_share() -> None:
    fc = run_war(sample(small(), 1))
    assert fc.extras["power"][0] == pytest.approx(60 / (60 + 40))
    fc = run_war(sample(small(SMALL.replace("  horizon: 12", "  horizon: 12\n  power: 0.2")),
                        1))
    assert fc.extras["power"][0] == pytest.approx(0.2)


def test_war_outcome_only_on_its_issue() -> None:
    arrays = sample(example("ukraine-2025"), 20, seed=1)
    fc = run_war(arrays)
    k = arrays.issue_ids.index("territory")
    assert np.all(np.isfinite(fc.outcome[:, k]))
    assert np.all(np.isnan(np.delete(fc.outcome, k, axis=1)))


# --------------------------------------------------------------------------- what it reports


def test_period_dates_by_hand() -> None:
    start = date(2025, 5, 19)
    assert period_date(start, "month", 7) == date(2025, 12, 19)
    assert period_date(date(2025, 1, 31), "month", 1) == date(2025, 2, 28)
    assert period_date(start, "quarter", 2) == date(2025, 11, 19)
    assert period_date(start, "week", 2) == date(2025, 6, 2)
    assert period_index(start, "month", date(2025, 12, 31)) == 7
    assert period_index(start, "month", date(2025, 12, 18)) == 6
    assert period_index(start, "month", date(2025, 5, 1)) == -1


def test_summary_and_prob_event_agree_by_hand() -> None:
    result = analysis.forecast(small(), ["war"], draws=500, seed=2)
    s = summarise_war(result.results[0].draws, small())
    T = result.results[0].draws.extras["agreement_period"]
    # agreement by 2025-06-30 = agreement at t = 0..5 (2025-01-01 .. 2025-06-01)
    by_june = float(np.mean(T <= 5))
    assert s.agreement_by_date(date(2025, 6, 30)) == pytest.approx(by_june)
    assert parse_war_event("agreement<=2025-06-30").probability(s) == pytest.approx(by_june)
    assert parse_war_event("agreement<2025-06-01").probability(s) == pytest.approx(
        float(np.mean(T <= 4)))
    assert parse_war_event("agreement<=3").probability(s) == pytest.approx(
        float(np.mean(T <= 3)))
    assert s.range_now == pytest.approx(float(np.mean(T == 0)))
    assert s.victory_a + s.victory_b + s.agreement_at_horizon + s.no_deal == pytest.approx(1)
    assert np.all(np.diff(s.agreement_by) >= 0)


def test_all_models_leave_war_out_without_a_section() -> None:
    result = analysis.forecast(example("emission-1994"), None)
    assert "war" not in [r.model for r in result.results]
    assert any("war" in note for note in result.notes)
    result = analysis.forecast(example("ukraine-2025"), None)
    assert "war" in [r.model for r in result.results]


# --------------------------------------------------------------------------- CLI


def test_cli_forecast_war() -> None:
    res = runner.invoke(app, ["forecast", "ukraine-2025", "--model", "war"])
    assert res.exit_code == 0, res.output
    for text in ("P(a bargaining range now", "P(agreement by 2025-12-31)",
                 "time to agreement", "terms at agreement", "P(outright victory)"):
        assert text in res.output


def test_cli_war_by_name_without_a_section_exits_2() -> None:
    res = runner.invoke(app, ["forecast", "emission-1994", "--model", "war"])
    assert res.exit_code == 2
    assert "conflict:" in res.output and "Traceback" not in res.output


def test_cli_json_and_prob() -> None:
    res = runner.invoke(app, ["forecast", "ukraine-2025", "--model", "war", "--model",
                              "compromise", "--draws", "300", "--json", "--prob",
                              "agreement<=2025-12-31", "--prob", "territory>=70"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    war_entry = next(f for f in doc["forecasts"] if f["model"] == "war")
    w = war_entry["war"]
    assert 0 <= w["p_range_now"] <= 1 and len(w["agreement_by"]) == w["horizon"]
    assert w["agreement_by"][7]["date"] == "2025-12-19"
    assert war_entry["probabilities"]["agreement<=2025-12-31"] == pytest.approx(
        w["agreement_by"][7]["p"])
    comp = next(f for f in doc["forecasts"] if f["model"] == "compromise")
    assert "war" not in comp and "territory>=70" in comp["probabilities"]
    assert set(doc) >= {"scenario", "draws", "seed", "forecasts"}


def test_example_text_has_the_section() -> None:
    assert "conflict:" in example_text("ukraine-2025")


# --------------------------------------------------------------------------- web, report, figures


def test_web_api_returns_the_war_answer() -> None:
    from fastapi.testclient import TestClient

    from accord.web import create_app

    with TestClient(create_app()) as client:
        doc = client.post("/api/forecast", json={
            "example": "ukraine-2025", "models": ["war"], "draws": 200, "seed": 3,
            "thresholds": ["agreement<=2025-12-31"]}).json()
        w = doc["forecasts"][0]["war"]
        assert w["horizon"] == 24 and 0 <= w["p_range_now"] <= 1
        assert doc["forecasts"][0]["probabilities"]["agreement<=2025-12-31"] == pytest.approx(
            w["agreement_by"][7]["p"])
        doc = client.post("/api/forecast", json={"example": "emission-1994"}).json()
        assert "war" not in [f["model"] for f in doc["forecasts"]]
        assert any("conflict" in n for n in doc["notes"])


def test_war_figures_agree_with_the_summary() -> None:
    import json as _json

    from accord.report import figures as F

    result = analysis.forecast(example("ukraine-2025"), ["war", "compromise"], draws=300,
                               seed=1)
    figs = {f.kind: f for f in F.forecast_figures(result) if f.kind.startswith("war")}
    assert set(figs) == {"war_agreement", "war_front", "war_terms"}
    s = result.results[0].war
    np.testing.assert_allclose(figs["war_agreement"].p, s.agreement_by)
    assert figs["war_agreement"].dates[7] == "2025-12-19"
    assert np.all(np.diff(figs["war_agreement"].p) >= 0)
    lo, p, hi = (np.array(x) for x in (figs["war_agreement"].low, figs["war_agreement"].p,
                                        figs["war_agreement"].high))
    assert np.all(lo <= p + 1e-12) and np.all(p <= hi + 1e-12)
    assert sum(figs["war_terms"].share) == pytest.approx(s.terms_draws.size / 300)
    for f in figs.values():  # plotly JSON without NaN (the report embeds it strictly)
        _json.dumps(F.to_plotly(f), allow_nan=False)
        F.to_matplotlib(f)


def test_report_has_the_war_section_and_its_evidence() -> None:
    from accord.report import build, render_html

    html = render_html(build(example("ukraine-2025"), draws=200, sensitivity=False,
                             shocks=[]), embed_plotly=False)
    assert "Bargaining under fire" in html and "war-agreement-war" in html
    assert "A bargaining range now (an immediate breakthrough)" in html
    assert "beliefs.a.drift" in html and "can break through Ukraine" in html
    assert "where the parties would meet" in html  # the link to the spatial models


def test_sanctions_shock_never_delays_agreement_end_to_end(accord) -> None:
    """The example's `sanctions-bite` (conflict.costs.a*=2) with the same seed: the same
    battlefield luck and the same uniforms behind every cost draw, so each draw's cost is
    higher and its agreement no later (the property, through files, shocks and sampling)."""
    sc = example("ukraine-2025")
    comparison = analysis.run_shocks(sc, ["sanctions-bite"], ["war"], draws=400, seed=2)
    base, shocked = comparison.base.results[0], comparison.shocks[0].result.results[0]
    t0 = np.nan_to_num(base.draws.extras["agreement_period"], nan=np.inf)
    t1 = np.nan_to_num(shocked.draws.extras["agreement_period"], nan=np.inf)
    assert np.all(t1 <= t0) and np.any(t1 < t0)
    assert np.all(shocked.war.agreement_by >= base.war.agreement_by)
    res = accord("forecast", "ukraine-2025", "--model", "war", "--draws", "200", "--shock",
                 "sanctions-bite")
    assert res.returncode == 0 and "war under shock sanctions-bite" in res.stdout
