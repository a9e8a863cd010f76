"""Scenario files: loading, saving, round trips and validation (every problem at once)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.examples import example, example_names
from accord.scenario import (
    Scenario,
    ScenarioError,
    dumps,
    load,
    loads,
    save,
    validate_data,
)

DATA = Path(__file__).parent / "data" / "baseline"

GOOD = textwrap.dedent(
    """\
    title: Test
    sources: [{id: article}]
    issues:
      - id: territory
        label: Territory
        low: none
        high: all
        status_quo: 40
      - id: ceasefire
    actors:
      - id: RUS
        capability: {value: 70, low: 55, high: 80, evidence: quote, source: article}
        position: {territory: 100, ceasefire: 90}
        salience: {territory: 90, ceasefire: 60}
      - id: UKR
        capability: {territory: 30, ceasefire: 40}
        position: {territory: {value: 10, low: 0, high: 20}}
        salience: {territory: 95}
    """
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def messages(err: ScenarioError) -> list[str]:
    return [str(p) for p in err.problems]


def test_load_good_yaml(tmp_path: Path) -> None:
    sc = load(write(tmp_path, "good.yaml", GOOD))
    assert sc.actor_ids == ["RUS", "UKR"]
    assert sc.issue_ids == ["territory", "ceasefire"]
    assert sc.actors[0].capability.low == 55
    assert sc.actors[1].capability_on("ceasefire").value == 40
    assert "ceasefire" not in sc.actors[1].position  # UKR takes no part in ceasefire
    assert sc.issues[0].status_quo.value == 40


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".csv"])
def test_round_trip_every_format(tmp_path: Path, suffix: str) -> None:
    sc = load(write(tmp_path, "good.yaml", GOOD))
    out = tmp_path / f"copy{suffix}"
    save(sc, out)
    back = load(out)
    if suffix == ".csv":  # the tidy CSV keeps the numbers and ranges, not the prose
        for a, b in zip(sc.actors, back.actors, strict=True):
            assert a.id == b.id
            assert a.position.keys() == b.position.keys()
            for iid in a.position:
                assert a.position[iid].bounds == b.position[iid].bounds
                assert a.salience[iid].value == b.salience[iid].value
                assert a.capability_on(iid).bounds == b.capability_on(iid).bounds
    else:
        assert back == sc


@pytest.mark.parametrize("name", example_names())
def test_examples_round_trip(tmp_path: Path, name: str) -> None:
    sc = example(name)
    for fmt in ("yaml", "json"):
        assert loads(dumps(sc, fmt), fmt) == sc


def test_one_issue_table_loads_bdm_reference() -> None:
    sc = load(DATA / "emission.csv")
    assert sc.issue_ids == ["issue"]
    assert len(sc.actors) == 10
    assert sc.issues[0].scale == (4.0, 10.0)
    # salience 0-100 as published, unchanged in the scenario
    assert sc.actors[0].salience["issue"].value == 80


def test_one_issue_table_salience_scale_one(tmp_path: Path) -> None:
    p = write(tmp_path, "s.csv", "actor,capability,position,salience\nA,1,0,0.5\nB,1,1,0.25\n")
    sc = load(p, salience_scale=1)
    assert sc.actors[0].salience["issue"].value == 50
    assert sc.actors[1].salience["issue"].value == 25


def test_tidy_csv_with_ranges_and_missing_participation(tmp_path: Path) -> None:
    text = ("actor,issue,position,salience,capability,low,high\n"
            "A,x,10,50,30,5,20\nA,y,60,40,30,,\nB,x,90,70,60,,\n")
    sc = load(write(tmp_path, "t.csv", text))
    assert sc.actors[0].position["x"].bounds == (5, 20)
    assert "y" not in sc.actors[1].position
    assert sc.actors[0].capability.value == 30  # constant over issues: one number


# ----------------------------------------------------------------------------- validation


BAD_FIVE = textwrap.dedent(
    """\
    title: Five mistakes
    issues:
      - id: territory
      - id: territory
      - id: guarantees
    actors:
      - id: RUS
        capability: 70
        position: {territory: 120}
        salience: {territory: 140}
      - id: RUS
        capability: {value: 50, low: 60}
        position: {territory: 50, ceasefire: 10}
        salience: {territory: 50, ceasefire: 10}
    """
)


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "bad.yaml", BAD_FIVE))
    text = "\n".join(messages(info.value))
    assert "bad.yaml:4 issues[1].id: duplicate issue id 'territory'" in text
    assert "bad.yaml:9 actors[0].position.territory: 120 is outside 0..100" in text
    assert "bad.yaml:10 actors[0].salience.territory: 140 is outside 0..100" in text
    assert "bad.yaml:11 actors[1].id: duplicate actor id 'RUS'" in text
    assert "actors[1].capability.low: low 60 is above the value 50" in text
    assert "actors[1].position.ceasefire: unknown issue id 'ceasefire'" in text
    assert "issues[2]: nobody takes part in issue 'guarantees'" in text
    assert len(info.value.problems) >= 7


def test_missing_required_fields(tmp_path: Path) -> None:
    text = "issues:\n  - label: no id\nactors:\n  - id: A\n    position: {}\n    salience: {}\n"
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "m.yaml", text))
    text_out = "\n".join(messages(info.value))
    assert "m.yaml:2 issues[0].id: is required but missing" in text_out
    assert "actors[0].capability: is required but missing" in text_out


def test_wrong_type_and_unknown_field(tmp_path: Path) -> None:
    text = ("issues: [{id: x}]\nactors:\n  - id: A\n    capability: 10\n"
            "    position: {x: lots}\n    salience: {x: 50}\n    colour: red\n")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "w.yaml", text))
    out = "\n".join(messages(info.value))
    assert "w.yaml:5 actors[0].position.x" in out and "'lots'" in out
    assert "w.yaml:7 actors[0].colour: is not a known field" in out


def test_high_below_value_and_position_outside_issue_scale(tmp_path: Path) -> None:
    text = ("issues: [{id: x, scale: [4, 10]}]\nactors:\n  - id: A\n    capability: 10\n"
            "    position: {x: {value: 3}}\n    salience: {x: {value: 50, high: 40}}\n")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "h.yaml", text))
    out = "\n".join(messages(info.value))
    assert "actors[0].position.x: 3 is outside 4..10" in out
    assert "actors[0].salience.x.high: high 40 is below the value 50" in out


def test_negative_capability(tmp_path: Path) -> None:
    text = "issues: [{id: x}]\nactors:\n  - {id: A, capability: -1, position: {x: 1}, " \
           "salience: {x: 1}}\n"
    with pytest.raises(ScenarioError, match="capability: -1 is below 0"):
        load(write(tmp_path, "c.yaml", text))


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="empty"):
        load(write(tmp_path, "e.yaml", "   \n"))
    with pytest.raises(ScenarioError, match="empty"):
        load(write(tmp_path, "e.csv", ""))


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "x.yaml", "issues: [\nactors: {a: 1\n"))
    assert info.value.problems[0].line is not None
    assert "malformed YAML" in str(info.value)


def test_malformed_json(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"x.json:2: malformed JSON"):
        load(write(tmp_path, "x.json", '{"issues": [],\n ]'))


def test_malformed_csv_rows(tmp_path: Path) -> None:
    text = "actor,issue,position,salience,capability\nA,x,1,2\nB,x,abc,50,1\n"
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "x.csv", text))
    assert "x.csv:2: malformed CSV: 4 fields" in str(info.value)


def test_csv_bad_number_names_line_and_column(tmp_path: Path) -> None:
    text = "actor,issue,position,salience,capability\nA,x,abc,50,1\nB,x,20,500,1\n"
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "x.csv", text))
    out = str(info.value)
    assert "x.csv:2 actors[0].position.x: 'abc' in column 'position' is not a number" in out
    assert "x.csv:3 actors[1].salience.x: 500 is outside 0..100" in out


def test_csv_wrong_header(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="header lacks"):
        load(write(tmp_path, "x.csv", "name,value\na,1\n"))


def test_wrong_file_type(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="not a scenario format"):
        load(write(tmp_path, "x.docx", "hello"))


def test_json_reports_lines_too(tmp_path: Path) -> None:
    data = {"issues": [{"id": "x"}], "actors": [
        {"id": "A", "capability": 1, "position": {"x": 500}, "salience": {"x": 1}}]}
    p = write(tmp_path, "j.json", json.dumps(data, indent=2))
    with pytest.raises(ScenarioError) as info:
        load(p)
    assert info.value.problems[0].line is not None
    assert "actors[0].position.x: 500 is outside 0..100" in str(info.value)


def test_missing_salience_for_a_position() -> None:
    data = {"issues": [{"id": "x"}], "actors": [
        {"id": "A", "capability": 1, "position": {"x": 5}, "salience": {}}]}
    with pytest.raises(ScenarioError, match="no salience"):
        validate_data(data)


# ----------------------------------------------------------------------------- properties

quantity = st.builds(
    lambda v, lo, hi: {"value": v, "low": min(v, lo), "high": max(v, hi)},
    st.floats(0, 100), st.floats(0, 100), st.floats(0, 100),
)
# saliences all below 1 read as shares typed on 0-1 (a problem): draw them from 1..100
salience_quantity = st.builds(
    lambda v, lo, hi: {"value": v, "low": min(v, lo), "high": max(v, hi)},
    st.floats(1, 100), st.floats(0, 100), st.floats(0, 100),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(quantity, salience_quantity, quantity), min_size=1, max_size=5))
def test_any_valid_scenario_round_trips_yaml_and_json(rows: list) -> None:
    data = {"issues": [{"id": "x", "status_quo": 50}], "actors": [
        {"id": f"A{k}", "capability": c, "position": {"x": p}, "salience": {"x": s}}
        for k, (p, s, c) in enumerate(rows)]}
    sc = validate_data(data)
    assert isinstance(sc, Scenario)
    for fmt in ("yaml", "json"):
        assert loads(dumps(sc, fmt), fmt) == sc


def test_nan_and_inf_are_rejected(tmp_path: Path) -> None:
    text = ("issues: [{id: x, scale: [0, .inf]}]\nactors:\n"
            "  - {id: A, capability: .inf, position: {x: .nan}, salience: {x: {value: 50, "
            "high: lots}}}\n")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "n.yaml", text))
    out = str(info.value)
    assert "n.yaml:1 issues[0].scale: [0, inf] is not a [low, high] pair" in out
    assert "n.yaml:3 actors[0].capability: inf is not allowed: numbers must be finite" in out
    assert "actors[0].position.x: nan is not allowed: numbers must be finite" in out
    assert "actors[0].salience.x.high: 'lots' is not a number" in out


def test_bad_per_issue_capability_names_the_entry(tmp_path: Path) -> None:
    text = ("issues: [{id: x}]\nactors:\n"
            "  - {id: A, capability: {x: lots}, position: {x: 5}, salience: {x: 50}}\n")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "c.yaml", text))
    assert [str(p) for p in info.value.problems] == [
        "c.yaml:3 actors[0].capability.x: 'lots' is not allowed: expected a number or an "
        "object {value, low, high, dist, evidence, source, note}"]


def test_named_shocks_are_checked_on_load(tmp_path: Path) -> None:
    text = ("issues: [{id: x}]\nactors:\n"
            "  - {id: A, capability: 10, position: {x: 5}, salience: {x: 50}}\n"
            "shocks:\n  typo:\n    - A.capabilty=40\n    - A.salience.x=500\n"
            "  fine: [A.capability=3]\n")
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, "s.yaml", text))
    out = [str(p) for p in info.value.problems]
    assert len(out) == 2
    assert out[0].startswith("s.yaml:6 shocks.typo[0]: shock 'A.capabilty=40': cannot tell")
    assert out[1] == ("s.yaml:7 shocks.typo[1]: 'A.salience.x=500' makes the scenario invalid: "
                      "actors[0].salience.x: 500 is outside 0..100")


def test_one_issue_table_with_fractional_saliences_asks_for_the_scale(tmp_path: Path) -> None:
    p = write(tmp_path, "s.csv", "actor,capability,position,salience\nA,1,0,0.5\nB,1,1,0.25\n")
    with pytest.raises(ScenarioError, match="--salience-scale 1"):
        load(p)
