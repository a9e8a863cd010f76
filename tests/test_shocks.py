"""Shocks: edits of a scenario run beside the base case (issue 6).

Two actors, A at 0 and B at 100 with equal saliences: the compromise forecast is
100·c_B/(c_A + c_B), so every shock below moves it by a hand-computable amount.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from accord import analysis, cli
from accord.scenario import ScenarioError, validate_data
from accord.shocks import ShockError, apply_edits, parse_edit, resolve


def base():
    return validate_data({
        "issues": [{"id": "x", "status_quo": 50}],
        "actors": [
            {"id": "A", "capability": {"value": 1, "low": 0.5, "high": 2},
             "position": {"x": 0}, "salience": {"x": 100}},
            {"id": "B", "capability": 1, "position": {"x": 100}, "salience": {"x": 100}},
        ],
        "shocks": {"a-strong": ["A.capability=3"], "b-gone": ["drop:B"]},
    })


def compromise(sc) -> float:
    return float(analysis.forecast(sc, ["compromise"]).result("compromise").outcome[0])


@pytest.mark.parametrize(("edits", "expected"), [
    ([], 50.0),
    (["A.capability=3"], 25.0),  # 100·1/4
    (["A.capability*=3"], 25.0),
    (["A.capability+=2"], 25.0),
    (["B.capability-=0.5"], 100 * 0.5 / 1.5),
    (["A.capability.x=3"], 25.0),
    (["drop:B"], 0.0),
    (["B.position.x=60"], 30.0),
    (["B.salience.x=25"], 20.0),  # weights 1 and 0.25: 25/1.25
    (["add:C", "C.capability=2", "C.position.x=100", "C.salience.x=100"], 75.0),  # 300/4
])
def test_shock_moves_the_compromise_the_known_way(edits: list[str], expected: float) -> None:
    assert compromise(apply_edits(base(), edits)) == pytest.approx(expected)


def test_range_moves_with_the_value() -> None:
    cap = apply_edits(base(), ["A.capability=3"]).actors[0].capability
    assert (cap.value, cap.low, cap.high) == (3.0, 2.5, 4.0)
    scaled = apply_edits(base(), ["A.capability*=2"]).actors[0].capability
    assert (scaled.value, scaled.low, scaled.high) == (2.0, 1.0, 4.0)
    assert "shock" in (cap.note or "")
    sq = apply_edits(base(), ["x.status_quo=70"]).issues[0].status_quo
    assert sq.value == 70.0


def test_drop_from_one_issue_and_status_quo() -> None:
    sc = validate_data({
        "issues": [{"id": "x"}, {"id": "y"}],
        "actors": [
            {"id": "A", "capability": 1, "position": {"x": 0, "y": 0},
             "salience": {"x": 100, "y": 100}},
            {"id": "B", "capability": 1, "position": {"x": 100, "y": 100},
             "salience": {"x": 100, "y": 100}},
        ],
    })
    shocked = apply_edits(sc, ["drop:B.y"])
    out = analysis.forecast(shocked, ["compromise"]).result("compromise").outcome
    assert dict(out) == pytest.approx({"x": 50.0, "y": 0.0})


@pytest.mark.parametrize("text", ["foo", "A.capabilty=3", "A.capability=abc", "A.capability",
                                  "A..x=3", "add:C.x", "A.capability=nan"])
def test_malformed_edits_raise_shock_error(text: str) -> None:
    with pytest.raises(ShockError):
        apply_edits(base(), [text])


@pytest.mark.parametrize("text", ["drop:Z", "Z.capability=3", "A.position.z=3", "add:A",
                                  "drop:A.z"])
def test_edits_naming_what_is_not_there(text: str) -> None:
    with pytest.raises(ShockError):
        apply_edits(base(), [text])


def test_invalid_result_lists_every_problem() -> None:
    with pytest.raises(ScenarioError) as e:
        apply_edits(base(), ["B.position.x=140", "B.salience.x=-5"])
    assert len(e.value.problems) == 2
    assert all("shock" in p.file for p in e.value.problems)


def test_parse_edit_forms() -> None:
    e = parse_edit("USA.salience.ceasefire=95")
    assert (e.actor, e.field, e.issue, e.op, e.value) == ("USA", "salience", "ceasefire", "=",
                                                           95.0)
    assert parse_edit("drop:EUR").action == "drop"
    assert parse_edit("territory.status_quo -= 5").op == "-="


def test_resolve_named_and_loose() -> None:
    shocks = resolve(base(), ["a-strong", "B.position.x=60", "B.salience.x=25"])
    assert shocks == {"a-strong": ["A.capability=3"],
                      "B.position.x=60; B.salience.x=25": ["B.position.x=60",
                                                           "B.salience.x=25"]}


def test_run_shocks_difference_beside_the_base() -> None:
    cmp = analysis.run_shocks(base(), ["a-strong", "b-gone"], ["compromise", "median"],
                              draws=200, seed=1)
    assert cmp.base.result("compromise").outcome[0] == pytest.approx(50.0)
    strong, gone = cmp.shocks
    assert strong.difference(cmp.base)["compromise"]["x"] == pytest.approx(-25.0)
    assert gone.difference(cmp.base)["compromise"]["x"] == pytest.approx(-50.0)
    doc = cmp.to_json()
    assert [s["name"] for s in doc["shocks"]] == ["a-strong", "b-gone"]
    assert doc["shocks"][1]["difference"]["compromise"]["x"] == pytest.approx(-50.0)
    assert "difference_mean" in doc["shocks"][0]
    assert doc["forecasts"][0]["model"] == "compromise"  # the base document is unchanged


runner = CliRunner()


def test_cli_shocks_on_the_example() -> None:
    res = runner.invoke(cli.app, ["forecast", "ukraine-2025", "-m", "compromise", "--shock",
                                  "drop:EUR", "--shock", "USA.salience.ceasefire=95", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    (shock,) = doc["shocks"]
    assert shock["edits"] == ["drop:EUR", "USA.salience.ceasefire=95"]
    # the US wants an early ceasefire (5): more US salience and no Europe (45) pulls it down
    assert shock["difference"]["compromise"]["ceasefire"] < 0
    named = runner.invoke(cli.app, ["forecast", "ukraine-2025", "-m", "compromise", "--shock",
                                    "us-walks-away"])
    assert named.exit_code == 0
    assert "Shock: us-walks-away" in named.stdout and "difference" in named.stdout


@pytest.mark.parametrize("shock", ["RUS.capabilty=40", "drop:XX", "RUS.position.territory=140",
                                   "nonsense"])
def test_cli_bad_shocks_exit_2(shock: str) -> None:
    res = runner.invoke(cli.app, ["forecast", "ukraine-2025", "--shock", shock])
    assert res.exit_code == 2
    assert res.stderr.strip() and "Traceback" not in res.output
