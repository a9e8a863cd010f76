"""Explanations against hand calculations: pulls add up to the outcome's offset, the pivot is
the pivot, what binds Nash, BDM's moves account for every move of its rounds, the trades
listed are the trades executed; and where explanations show (JSON, CLI)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import accord
from accord import analysis, models
from accord.arrays import sample, to_arrays
from accord.models.base import _EXPLAINERS, explain
from accord.models.bdm import final_period
from accord.models.exchange import executed_trades
from accord.scenario import validate_data

RNG = np.random.default_rng(0)


def one_issue(positions, capabilities, saliences=None, status_quo=None):
    saliences = saliences or [100] * len(positions)
    issue = {"id": "x"}
    if status_quo is not None:
        issue["status_quo"] = status_quo
    return to_arrays(validate_data({"issues": [issue], "actors": [
        {"id": "ABCDEFG"[k], "capability": c, "position": {"x": p}, "salience": {"x": s}}
        for k, (p, c, s) in enumerate(zip(positions, capabilities, saliences, strict=True))
    ]}))


def why(name: str, arrays, **options):
    forecast = models.get(name, **options).run(arrays, rng=RNG)
    return forecast, explain(forecast, arrays)


def test_every_registered_model_explains_itself() -> None:
    for name in models.names():  # the registry imports model modules lazily
        models.model_class(name)
    assert set(models.names()) <= set(_EXPLAINERS)


def test_compromise_pulls_by_hand_add_up_to_the_offset() -> None:
    # weights c·s = 1, 1, 2 -> shares 1/4, 1/4, 1/2; O = (0 + 50 + 200)/4 = 62.5.
    # Against the status quo 40: pulls 1/4·(0−40) = −10, 1/4·(50−40) = 2.5, 1/2·(100−40) = 30,
    # summing to 22.5 = 62.5 − 40.
    _, e = why("compromise", one_issue([0, 50, 100], [1, 1, 2], status_quo=40))
    f = e.facts["x"]
    assert f["outcome"] == pytest.approx(62.5)
    pulls = {a: v["pull"] for a, v in f["actors"].items()}
    assert pulls == pytest.approx({"A": -10.0, "B": 2.5, "C": 30.0})
    assert sum(pulls.values()) == pytest.approx(f["offset"]) == pytest.approx(22.5)
    assert f["deciding"] == ["C", "A", "B"]
    assert "22.5 higher than the status quo" in e.sentences["x"][0]


def test_compromise_without_status_quo_measures_from_the_middle() -> None:
    _, e = why("compromise", one_issue([0, 100], [1, 3]))  # O = 75, middle 50
    f = e.facts["x"]
    assert f["reference"] == 50 and f["offset"] == pytest.approx(25)
    assert sum(v["pull"] for v in f["actors"].values()) == pytest.approx(25)


def test_median_pivot_and_weights_by_hand() -> None:
    # weights 10, 45, 45 at 0, 40, 100: cumulative 10, 55 ≥ 50 -> median 40, pivot B.
    # Below 10 %, at 45 %, above 45 %; down needs 40 % more below; up needs 5 % to leave.
    _, e = why("median", one_issue([0, 40, 100], [10, 45, 45]))
    f = e.facts["x"]
    assert f["pivot"] == ["B"] and f["outcome"] == 40
    assert (f["weight_below"], f["weight_at"], f["weight_above"]) == pytest.approx(
        (0.10, 0.45, 0.45))
    assert (f["margin_down"], f["margin_up"]) == pytest.approx((0.40, 0.05))
    assert "the pivot is B at 40.0" in e.sentences["x"][0]


def test_nash_names_the_status_quo_when_it_binds() -> None:
    # A at 10 and B at 90 on either side of the status quo 50: only 50 is acceptable to both.
    _, e = why("nash", one_issue([10, 90], [1, 1], status_quo=50))
    f = e.facts["x"]
    assert f["binds"] == "status quo" and f["outcome"] == pytest.approx(50)
    assert f["acceptable"] == pytest.approx([50, 50])
    assert "the status quo (50.0) stands" in e.sentences["x"][0]


def test_nash_interior_least_satisfied_by_hand() -> None:
    # No status quo: reach = distance to the farthest end, 90 for A at 10 and B at 90, so
    # every x in [0, 100] is acceptable; equal weights give O = 50, where each keeps
    # 1 − 40²/90² of its possible gain; with A heavier (3:1) O moves toward A, so B is least
    # satisfied.
    f0, e = why("nash", one_issue([10, 90], [3, 1]))
    f = e.facts["x"]
    o = float(f0.outcome[0, 0])
    assert o < 50 and f["binds"] == "nothing" and f["least_satisfied"] == "B"
    assert f["gain_share"]["B"] == pytest.approx(1 - (o - 90) ** 2 / 90 ** 2)


def test_final_period_by_hand() -> None:
    # rounds 0..4 of one actor: settles at 5; swings 1, 2, 1, 2; drifts 0..4
    traj = np.array([[0.0, 5, 5, 5, 5], [0.0, 1, 2, 1, 2], [0.0, 1, 2, 3, 4]])[:, :, None]
    assert final_period(traj).tolist() == [1, 2, 0]


def test_bdm_moves_account_for_every_move_and_the_swing_is_the_cycle() -> None:
    sc = accord.example("ukraine-2025")
    arrays = sample(sc, 1)
    forecast, e = why("bdm", arrays)
    k = sc.issue_ids.index("territory")
    f = e.facts["territory"]
    # every move of the rounds is an accepted offer: the listed distances add up to the
    # actors' whole movement
    moved = np.abs(np.diff(forecast.trajectory[0, :, :, k], axis=0)).sum()
    assert sum(m["distance"] for m in f["moved"]) == pytest.approx(moved)
    medians = forecast.round_outcome[0, :, k]
    assert not f["settled"] and f["cycle_period"] == 2
    assert f["swing"] == pytest.approx([medians[-2:].min(), medians[-2:].max()])
    assert f["swing"] == pytest.approx([20.0, 74.554], abs=1e-3)
    assert "not as one number" in e.sentences["territory"][-1]


def test_exchange_lists_exactly_the_trades_executed() -> None:
    """Replaying the listed trades on the input positions gives the round's positions."""
    sc = accord.example("ukraine-2025")
    arrays = sample(sc, 1)
    forecast, e = why("exchange", arrays, rounds=1)
    trades = executed_trades(forecast)
    assert trades and len(e.general) >= 2
    ids, issues = list(arrays.actor_ids), list(arrays.issue_ids)
    replay = forecast.trajectory[0, 0].copy()
    for t in trades:
        i, j = ids.index(t["i"]), ids.index(t["j"])
        p, q = issues.index(t["i_demands"]), issues.index(t["i_supplies"])
        assert replay[j, p] == pytest.approx(t["j_from"])
        assert replay[i, q] == pytest.approx(t["i_from"])
        replay[j, p], replay[i, q] = t["j_to"], t["i_to"]
    np.testing.assert_allclose(replay, forecast.trajectory[0, 1], atol=1e-9)
    largest = max(trades, key=lambda t: t["gain"])
    assert e.general[1].startswith(f"{largest['j']} moves {largest['i_demands']}")


def test_smp_coalitions_weigh_into_the_forecast() -> None:
    sc = accord.example("ukraine-2025")
    arrays = sample(sc, 1)
    forecast, e = why("smp", arrays)
    for k, iid in enumerate(sc.issue_ids):
        coalitions = e.facts[iid]["coalitions"]
        assert sum(c["probability"] for c in coalitions) == pytest.approx(1.0)
        mean = sum(c["probability"] * c["position"] for c in coalitions)
        assert mean == pytest.approx(float(forecast.outcome[0, k]), abs=1e-6)


def test_brief_groups_models_and_shows_the_record() -> None:
    sc = accord.example("ukraine-2025")
    result = accord.forecast(sc, models=["compromise", "median", "nash"])
    b = analysis.brief(result, ["territory"])
    (ib,) = b.issues
    # 60.5, 65.0 lie within 5 points; 70.0 is more than 5 from 60.5
    assert ib.groups == [["compromise", "nash"], ["median"]]
    assert any("spread of 9.5" in s for s in ib.sentences)
    assert ib.lines[0].record == "MAE 22.9, the benchmark"
    with pytest.raises(accord.errors.AnalysisError, match="no issue 'land'"):
        analysis.brief(result, ["land"])


def test_forecast_json_carries_explanations_and_notes(accord) -> None:
    res = accord("forecast", "ukraine-2025", "--model", "bdm", "--model", "median", "--json")
    assert res.returncode == 0, res.stderr
    bdm, median = json.loads(res.stdout)["forecasts"]
    assert any("not converged" in n for n in bdm["notes"])
    assert bdm["explanation"]["issues"]["territory"]["facts"]["swing"] == pytest.approx(
        [20.0, 74.554], abs=1e-3)
    assert median["explanation"]["issues"]["territory"]["facts"]["pivot"] == ["USA"]


def test_explain_command(accord) -> None:
    res = accord("explain", "ukraine-2025", "--issue", "territory")
    assert res.returncode == 0, res.stderr
    assert "the pivot is USA at 70.0" in res.stdout
    assert "20.0 ↔ 74.6" in res.stdout
    assert "ceasefire" not in res.stdout.split("Across issues")[0]
    res = accord("explain", "ukraine-2025", "--issue", "land")
    assert res.returncode == 2 and "no issue 'land'" in res.stderr
    res = accord("explain", "ukraine-2025", "--model", "compromise", "--json")
    doc = json.loads(res.stdout)
    assert doc["issues"][0]["models"][0]["deciding"] == ["RUS", "UKR", "EUR"]


# ------------------------------------------------------------------ BDM: a run that cycles


def test_final_cycle_by_hand() -> None:
    from accord.models.bdm import final_cycle

    # one actor, rounds 0..6; draw 0 cycles 1, 2 (medians 10, 30), draw 1 settles at 5, draw
    # 2 drifts (no cycle: the last five medians 2..6)
    traj = np.array([[0.0, 1, 2, 1, 2, 1, 2], [0.0, 5, 5, 5, 5, 5, 5],
                     [0.0, 1, 2, 3, 4, 5, 6]])[:, :, None, None]
    medians = np.array([[0.0, 10, 30, 10, 30, 10, 30], [0.0, 5, 5, 5, 5, 5, 5],
                        [0.0, 1, 2, 3, 4, 5, 6]])[:, :, None]
    c = final_cycle(traj, medians)
    assert c.period[:, 0].tolist() == [2, 1, 0]
    assert c.point[:, 0].tolist() == [20.0, 5.0, 4.0]  # median of {10, 30}; 5; of 2..6
    assert c.low[:, 0].tolist() == [10.0, 5.0, 2.0]
    assert c.high[:, 0].tolist() == [30.0, 5.0, 6.0]


@pytest.mark.parametrize("rounds", [10, 11, 12])
def test_bdm_forecast_of_a_cycle_does_not_depend_on_the_round_count(rounds: int) -> None:
    arrays = sample(accord.example("ukraine-2025"), 1)
    k = arrays.issue_ids.index("territory")
    cycling = models.get("bdm", rounds=rounds).run(arrays, rng=RNG)
    last = models.get("bdm:scholz", rounds=rounds).run(arrays, rng=RNG)
    # as published (forecast = last): the round's median, 74.6 or 20.0 by the round count
    assert last.outcome[0, k] == pytest.approx(20.0 if rounds == 11 else 74.554, abs=1e-3)
    # accord's default: the median of the cycle's two medians, whatever the round count
    assert cycling.outcome[0, k] == pytest.approx((20.0 + 74.55405) / 2, abs=1e-3)
    assert (cycling.extras["swing_low"][0, k], cycling.extras["swing_high"][0, k]) == \
        pytest.approx((20.0, 74.554), abs=1e-3)
    assert any("swing 20 ↔ 74.55" in n for n in cycling.notes)


def test_tables_and_json_show_the_swing(accord) -> None:
    res = accord("forecast", "ukraine-2025", "-m", "bdm", "-m", "compromise")
    assert "20.0 ↔ 74.6" in res.stdout and "47.3" not in res.stdout
    doc = json.loads(accord("forecast", "ukraine-2025", "-m", "bdm", "--json").stdout)
    (bdm,) = doc["forecasts"]
    assert bdm["outcome"]["territory"] == pytest.approx(47.277, abs=1e-3)
    assert bdm["swing"]["territory"] == pytest.approx([20.0, 74.554], abs=1e-3)
    assert bdm["swing"]["ceasefire"][0] == bdm["swing"]["ceasefire"][1]  # settled


def test_record_quotes_docs_validation() -> None:
    """The record beside the models is the table of docs/validation.md, number for number."""
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "validation.md").read_text(encoding="utf-8")
    for name, rec in analysis.RECORD.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {name} |"))
        cells = [c.strip().strip("*") for c in row.strip("|").split("|")]
        assert float(cells[2]) == rec.mae
        if rec.diff is not None:
            assert cells[6].replace("−", "-") == (
                f"{rec.diff:+.1f} [{rec.ci95[0]:+.1f}, {rec.ci95[1]:+.1f}]")
