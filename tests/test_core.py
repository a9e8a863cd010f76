"""Decision rules and the core model: cores computed by hand (shared/DESIGN.md, "Decision
rules"), the rule's validation, and the DEU loader's Council rule.

Every core below is worked out in the comments: a point x is in the core when neither the
voters strictly left of x nor those strictly right of x form a winning coalition.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord import analysis
from accord import backtest as bt
from accord.arrays import to_arrays
from accord.models.core import core_bounds
from accord.scenario import ScenarioError, loads, validate_data

DEU = Path(__file__).parent / "data" / "deu"


def scenario(positions: dict[str, float], capability: dict[str, float],
             rule: dict | None = None) -> dict:
    """One issue ``x``, salience 100 everywhere (so c·s weights = capabilities)."""
    data: dict = {"issues": [{"id": "x"}],
                  "actors": [{"id": a, "capability": capability[a], "position": {"x": p},
                              "salience": {"x": 100}} for a, p in positions.items()]}
    if rule is not None:
        data["rule"] = rule
    return data


def core_forecast(data: dict) -> tuple[float, float, float]:
    """(core forecast, core low, core high) of the one issue."""
    sc = validate_data(data)
    f = analysis.forecast(sc, ["core"]).results[0].point
    return (float(f.outcome[0, 0]), float(f.extras["core_low"][0, 0]),
            float(f.extras["core_high"][0, 0]))


def compromise(data: dict) -> float:
    return float(analysis.forecast(validate_data(data), ["compromise"]).results[0].outcome[0])


ABC = ({"A": 10, "B": 40, "C": 80}, {"A": 3, "B": 2, "C": 4})


def test_majority_core_is_the_weighted_median() -> None:
    # weights 3, 2, 4 (total 9); a coalition wins with more than 4.5.
    # x = 10: right of it B + C = 6 > 4.5 wins -> not in the core; x = 40: right 4, left 3:
    # neither wins -> the core is {40}. Compromise (30 + 80 + 320) / 9 = 47.78 -> 40.
    data = scenario(*ABC, {"kind": "majority"})
    assert compromise(data) == pytest.approx(430 / 9)
    assert core_forecast(data) == pytest.approx((40.0, 40.0, 40.0))


def test_qmv_core_clips_the_compromise() -> None:
    # positions 0, 10, 20, 60, 100, weights 4, 2, 1, 1, 2 (total 10), τ = 0.7 (≥ 7 wins).
    # left end: x = 0: right of it 6 < 7 -> a = 0.
    # right end: x = 100: left 8 wins; x = 60: left 7 wins (≥ 7); x = 20: left 6 -> b = 20.
    # Compromise (0 + 20 + 20 + 60 + 200) / 10 = 30 -> clipped to 20.
    data = scenario({"a": 0, "b": 10, "c": 20, "d": 60, "e": 100},
                    {"a": 4, "b": 2, "c": 1, "d": 1, "e": 2},
                    {"kind": "weighted-majority", "threshold": 0.7})
    assert compromise(data) == pytest.approx(30.0)
    assert core_forecast(data) == pytest.approx((20.0, 0.0, 20.0))


def test_unanimity_core_spans_the_voters_only() -> None:
    # Voters A (20) and B (40) by the rule's weights; C (100, capability 2) does not vote.
    # Unanimity: only {A, B} wins; no x has both strictly on one side inside [20, 40]:
    # core [20, 40]. Compromise (20 + 40 + 200) / 4 = 65 -> 40.
    data = scenario({"A": 20, "B": 40, "C": 100}, {"A": 1, "B": 1, "C": 2},
                    {"kind": "unanimity", "weights": {"A": 1, "B": 1}})
    assert compromise(data) == pytest.approx(65.0)
    assert core_forecast(data) == pytest.approx((40.0, 20.0, 40.0))


def test_a_veto_player_widens_the_core_to_its_position() -> None:
    # As the majority case (core {40}), but C (80) has a veto: a move right of x needs C,
    # which prefers it for any x < 80, and a move left is blocked by C; so [40, 80].
    # The compromise 47.78 lies inside and stays.
    data = scenario(*ABC, {"kind": "majority", "veto": ["C"]})
    assert core_forecast(data) == pytest.approx((430 / 9, 40.0, 80.0))


def test_without_a_rule_the_core_model_is_the_compromise() -> None:
    sc = validate_data(scenario(*ABC))
    res = analysis.forecast(sc, ["core"]).results[0]
    assert res.outcome[0] == pytest.approx(430 / 9)
    assert "no decision rule" in res.point.notes[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 10)), min_size=1, max_size=8),
       st.sampled_from([0.5, 0.6, 0.75, 1.0]))
def test_core_contains_the_weighted_median_and_lies_in_the_voters_range(
        actors: list[tuple[int, int]], share: float) -> None:
    pos = np.array([[float(x) for x, _ in actors]]).T[None]  # (1, n, 1)
    w = np.array([[float(c) for _, c in actors]]).T[None]
    voters = (w[0] > 0)
    lo, hi = core_bounds(pos, w, voters, np.zeros_like(voters), share, share == 0.5)
    if not voters.any():
        assert lo[0, 0] == -np.inf and hi[0, 0] == np.inf
        return
    xs, ws = pos[0, voters[:, 0], 0], w[0, voters[:, 0], 0]
    order = np.argsort(xs, kind="stable")
    cum = np.cumsum(ws[order]) / ws.sum()
    median = xs[order][np.argmax(cum >= 0.5 - 1e-12)]
    assert xs.min() <= lo[0, 0] <= median <= hi[0, 0] <= xs.max()


def test_the_core_widens_as_the_threshold_rises() -> None:
    rng = np.random.default_rng(3)
    pos = rng.uniform(0, 100, (50, 9, 1))
    w = rng.uniform(0, 5, (50, 9, 1))
    voters = np.ones((9, 1), bool)
    veto = np.zeros_like(voters)
    prev = core_bounds(pos, w, voters, veto, 0.5, True)
    for share in (0.6, 0.72, 0.9, 1.0):
        lo, hi = core_bounds(pos, w, voters, veto, share, False)
        assert np.all(lo <= prev[0]) and np.all(hi >= prev[1])
        prev = (lo, hi)


@pytest.mark.parametrize(("rule", "path", "message"), [
    ("rule:\n  kind: plurality\n", "rule.kind",
     "'plurality' is not allowed: Input should be 'weighted-majority'"),
    ("rule:\n  kind: weighted-majority\n", "rule", "threshold is required"),
    ("rule:\n  kind: weighted-majority\n  threshold: 0.4\n", "rule", "above 0.5"),
    ("rule:\n  kind: unanimity\n  threshold: 0.8\n", "rule", "fixes its threshold"),
    ("rule:\n  kind: majority\n  weights: {A: 1, Z: 2}\n", "rule.weights.Z",
     "unknown actor id 'Z'"),
    ("rule:\n  kind: majority\n  weights: {A: -1}\n", "rule", "weights of A are negative"),
    ("rule:\n  kind: majority\n  veto: [A, Q]\n", "rule.veto[1]", "unknown actor id 'Q'"),
])
def test_bad_rules_are_reported_with_file_line_and_field(rule: str, path: str,
                                                         message: str) -> None:
    text = ("issues:\n  - id: x\nactors:\n"
            "  - {id: A, capability: 1, position: {x: 10}, salience: {x: 50}}\n"
            "  - {id: B, capability: 1, position: {x: 90}, salience: {x: 50}}\n" + rule)
    with pytest.raises(ScenarioError) as err:
        loads(text, "yaml", "deal.yaml")
    problems = [p for p in err.value.problems if p.path == path]
    assert problems, err.value.problems
    assert message in problems[0].message
    assert problems[0].file == "deal.yaml" and problems[0].line is not None
    assert problems[0].line >= 6  # the rule's lines, after the actors


def test_a_valid_rule_round_trips_through_yaml() -> None:
    text = ("issues:\n  - id: x\nactors:\n"
            "  - {id: A, capability: 1, position: {x: 10}, salience: {x: 50}}\n"
            "  - {id: B, capability: 1, position: {x: 90}, salience: {x: 50}}\n"
            "rule:\n  kind: weighted-majority\n  threshold: 0.72\n  weights: {A: 2, B: 1}\n"
            "  veto: [B]\n")
    sc = loads(text, "yaml", "deal.yaml")
    assert sc.rule is not None and sc.rule.share == 0.72 and sc.rule.veto == ["B"]
    rule = to_arrays(sc).rule
    assert rule is not None
    assert rule.weight is not None and rule.weight.tolist() == [2.0, 1.0]
    assert rule.veto.tolist() == [False, True]


def test_deu_loader_fills_the_council_rule() -> None:
    props = {p.id: p for p in bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")}
    # d00032 (first rows of the file): QMV, EU-15 states only -> pre-Nice 62 of 87 votes;
    # Germany 10, Luxembourg 2 votes; the Commission and Parliament do not vote.
    rule = props["d00032"].scenario.rule
    assert rule is not None and rule.kind == "weighted-majority"
    assert rule.threshold == pytest.approx(62 / 87)
    assert rule.weights is not None
    assert rule.weights["de"] == 10 and rule.weights["lu"] == 2
    assert "com" not in rule.weights and "ep" not in rule.weights
    kinds = {p.scenario.rule.kind for p in props.values() if p.scenario.rule is not None}
    assert kinds == {"weighted-majority", "unanimity"}
    # a Nice-weight proposal (a state outside the EU-15 takes part): 232 of 321
    nice = [p for p in props.values() if p.scenario.rule is not None
            and p.scenario.rule.kind == "weighted-majority"
            and any(a in p.scenario.rule.weights for a in ("pl", "cz", "hu"))]
    assert nice and all(p.scenario.rule.threshold == pytest.approx(232 / 321) for p in nice)


def test_core_on_the_dev_file_matches_the_design_figures() -> None:
    # DESIGN.md: on the dev file clipping changes 31 % of forecasts and cuts MAE by 0.8.
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    res = bt.backtest(props, ["compromise", "core"], bootstrap=200)
    changed = np.mean(np.abs(res.prediction["core"] - res.prediction["compromise"]) > 1e-9)
    assert changed == pytest.approx(0.31, abs=0.01)
    scores = {s.model: s for s in res.scores()}
    assert scores["core"].mae - scores["compromise"].mae == pytest.approx(-0.8, abs=0.05)


def test_the_dashboard_api_takes_a_rule_and_returns_calibrated_intervals() -> None:
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from accord.web import create_app

    data = scenario({"a": 0, "b": 10, "c": 20, "d": 60, "e": 100},
                    {"a": 4, "b": 2, "c": 1, "d": 1, "e": 2},
                    {"kind": "weighted-majority", "threshold": 0.7})
    with TestClient(create_app()) as client:
        res = client.post("/api/forecast", json={"scenario": data,
                                                 "models": ["compromise", "core"]})
    assert res.status_code == 200, res.text
    by = {f["model"]: f for f in res.json()["forecasts"]}
    assert by["compromise"]["outcome"]["x"] == pytest.approx(30.0)
    assert by["core"]["outcome"]["x"] == pytest.approx(20.0)  # the hand-computed core [0, 20]
    assert "EU legislative bargaining" in by["core"]["calibration"]["name"]
    assert set(by["core"]["predictive"]["x"]) >= {"q10", "q90"}
    with TestClient(create_app(calibration="none")) as client:
        plain = client.post("/api/forecast", json={"scenario": data, "models": ["core"]})
    assert plain.json()["forecasts"][0].get("predictive") is None


def test_the_core_model_explains_the_clip() -> None:
    # the QMV case above: compromise 30, core [0, 20] -> 20
    data = scenario({"a": 0, "b": 10, "c": 20, "d": 60, "e": 100},
                    {"a": 4, "b": 2, "c": 1, "d": 1, "e": 2},
                    {"kind": "weighted-majority", "threshold": 0.7})
    sc = validate_data(data)
    from accord.models.base import explain

    res = analysis.forecast(sc, ["core"]).results[0]
    why = explain(res.point, to_arrays(sc))
    assert why.facts["x"]["compromise"] == pytest.approx(30.0)
    assert why.facts["x"]["core"] == pytest.approx([0.0, 20.0])
    assert why.facts["x"]["clipped"] is True
    assert "outside the core of a weighted majority of 70%" in why.sentences["x"][0]
