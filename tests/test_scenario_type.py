"""The Scenario type is the validator (issue 10): every way of building one checks the rules,
and the messages say what is wrong once, in the file's own terms."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import accord
from accord.errors import AccordError
from accord.scenario import Scenario, ScenarioError, load, loads

BAD = {
    "issues": [{"id": "x"}, {"id": "x"}],
    "actors": [
        {"id": "A", "capability": -5, "position": {"x": 10}, "salience": {"x": 140}},
        {"id": "B", "capability": 1, "position": {"x": 90}, "salience": {"x": 50}},
    ],
}


def paths(err: ScenarioError) -> dict[str, str]:
    return {p.path: p.message for p in err.problems}


def test_model_validate_checks_the_rules() -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.model_validate(BAD)
    assert isinstance(info.value, AccordError)
    found = paths(info.value)
    assert found["issues[1].id"] == "duplicate issue id 'x'"
    assert found["actors[0].capability"] == "-5 is below 0"
    assert found["actors[0].salience.x"] == "140 is outside 0..100"
    assert len(found) == 3


def test_constructor_checks_the_rules_too() -> None:
    with pytest.raises(ScenarioError, match=r"140 is outside 0\.\.100"):
        Scenario(**BAD)


def test_forecast_gets_no_nan_from_an_invalid_scenario() -> None:
    """The one way to a Scenario is through the rules; a valid one forecasts finite numbers."""
    good = json.loads(json.dumps(BAD))
    good["issues"].pop()
    good["actors"][0].update(capability=5, salience={"x": 40})
    result = accord.forecast(Scenario.model_validate(good), ["compromise"])
    assert np.isfinite(result.result("compromise").outcome).all()
    # hand calculation: (5*40*10 + 1*50*90) / (5*40 + 1*50) = 6500 / 250
    assert float(result.result("compromise").outcome[0]) == pytest.approx(26.0)


def test_problems_carry_value_and_allowed() -> None:
    with pytest.raises(ScenarioError) as info:
        Scenario.model_validate(BAD)
    sal = next(p for p in info.value.problems if p.path == "actors[0].salience.x")
    assert (sal.value, sal.allowed) == (140.0, "0..100")
    cap = next(p for p in info.value.problems if p.path == "actors[0].capability")
    assert (cap.value, cap.allowed) == (-5.0, "0 or more")


def test_file_problems_keep_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("issues: [{id: x}]\nactors:\n  - id: A\n    capability: 1\n"
                 "    position: {x: 10}\n    salience: {x: 140}\n")
    with pytest.raises(ScenarioError) as info:
        load(p)
    assert [str(q) for q in info.value.problems] == [
        "s.yaml:6 actors[0].salience.x: 140 is outside 0..100"]


def test_rules_still_run_beside_type_errors(tmp_path: Path) -> None:
    """A missing capability of one actor does not hide another actor's bad salience."""
    data = {"issues": [{"id": "x"}], "actors": [
        {"id": "A", "position": {"x": 1}, "salience": {"x": 50}},
        {"id": "B", "capability": 1, "position": {"x": 2}, "salience": {"x": 500}}]}
    with pytest.raises(ScenarioError) as info:
        Scenario.model_validate(data)
    assert paths(info.value) == {"actors[0].capability": "is required but missing",
                                 "actors[1].salience.x": "500 is outside 0..100"}


# ------------------------------------------------------------------ confusing messages


def yaml_problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        loads(text, "yaml", "t.yaml")
    return [str(p) for p in info.value.problems]


def one(cap: str) -> str:
    """One actor on one issue, with the capability as typed."""
    return ("issues: [{id: x}]\nactors:\n  - id: A\n    capability: " + cap + "\n"
            "    position: {x: 10}\n    salience: {x: 50}\n")


def test_capability_range_without_value_names_the_missing_value() -> None:
    assert yaml_problems(one("{low: 25, high: 45}")) == [
        "t.yaml:4 actors[0].capability.value: is required but missing"]


def test_reversed_scale_is_one_problem_not_one_per_position() -> None:
    text = ("issues:\n" + "".join(f"  - {{id: i{k}, scale: [20000, 0]}}\n" for k in range(1))
            + "actors:\n" + "".join(
                f"  - {{id: A{k}, capability: 1, position: {{i0: {k * 1000}}}, "
                f"salience: {{i0: 50}}}}\n" for k in range(11)))
    assert yaml_problems(text) == [
        "t.yaml:2 issues[0].scale: [20000, 0] is not a [low, high] pair with low < high"]


def test_percent_value_names_the_value_not_the_mapping() -> None:
    out = yaml_problems(one('{value: "25%", low: 20}'))
    assert out == ["t.yaml:4 actors[0].capability.value: '25%' is not a number "
                   "(write 25, not 25%)"]


def test_salience_scale_one_on_a_0_100_table_reports_the_values_in_the_file(tmp_path: Path
                                                                            ) -> None:
    p = tmp_path / "t.csv"
    p.write_text("actor,capability,position,salience\nA,1,0,80\nB,1,10,0.5\n")
    with pytest.raises(ScenarioError) as info:
        load(p, salience_scale=1)
    assert [str(q) for q in info.value.problems] == [
        "t.csv:2 actors[0].salience.issue: 80 is outside 0..1, the saliences' scale; without "
        "--salience-scale 1 (salience_scale=1) they are read on 0-100"]


# ------------------------------------------------------------------ silent acceptance


def test_one_actor_with_saliences_on_0_1_is_reported() -> None:
    text = ("issues: [{id: x}, {id: y}]\nactors:\n"
            "  - {id: A, capability: 1, position: {x: 1, y: 1}, salience: {x: 60, y: 30}}\n"
            "  - {id: B, capability: 1, position: {x: 9, y: 9}, salience: {x: 0.6, y: 0.3}}\n")
    out = yaml_problems(text)
    assert len(out) == 1
    assert out[0].startswith("t.yaml:4 actors[1].salience: every salience of 'B' is at most 1 "
                             "(0.6, 0.3)")
    assert "multiply them by 100" in out[0]


def test_source_id_not_in_sources_is_reported() -> None:
    text = ("sources: [{id: article}]\nissues: [{id: x}]\nactors:\n  - id: A\n"
            "    capability: {value: 1, source: artcle}\n"
            "    position: {x: {value: 1, source: article}}\n    salience: {x: 50}\n")
    assert yaml_problems(text) == [
        "t.yaml:5 actors[0].capability.source: source 'artcle' is not in sources; the "
        "sources are: article"]


def test_duplicate_yaml_key_is_reported_not_last_wins() -> None:
    text = ("issues: [{id: x}]\nactors:\n  - id: A\n    capability: 1\n"
            "    position: {x: 10}\n    salience: {x: 50}\n    position: {x: 90}\n")
    assert yaml_problems(text) == [
        "t.yaml:7 actors[0].position: the key 'position' is given twice in this mapping "
        "(first on line 5): keep one"]


def test_duplicate_json_key_is_reported() -> None:
    text = ('{"issues": [{"id": "x"}], "actors": [{"id": "A", "capability": 1,\n'
            '"position": {"x": 10, "x": 20}, "salience": {"x": 50}}]}')
    with pytest.raises(ScenarioError) as info:
        loads(text, "json", "t.json")
    assert [str(p) for p in info.value.problems] == [
        "t.json:2 actors[0].position.x: the key 'x' is given twice in this mapping "
        "(first on line 2): keep one"]


def test_valid_scenarios_still_load() -> None:
    sc = loads(one("{value: 25, low: 20, high: 30}"), "yaml")
    assert sc.actors[0].capability.bounds == (20.0, 30.0)
    assert math.isclose(sc.actors[0].position["x"].value, 10.0)


def test_a_section_check_raising_value_error_reads_as_its_message() -> None:
    """How a later section (war, ledger ...) reports a mistake of its own: at its path."""
    from pydantic import BaseModel, ValidationError, model_validator

    from accord.scenario.schema import type_problems

    class Section(BaseModel):
        rounds: int = 1

        @model_validator(mode="after")
        def _positive(self) -> Section:
            if self.rounds < 1:
                raise ValueError(f"rounds {self.rounds} is below 1")
            return self

    class Holder(BaseModel):
        war: Section

    try:
        Holder.model_validate({"war": {"rounds": 0}})
    except ValidationError as err:
        found = [(p.path, p.message) for p in type_problems(err, {"war": {"rounds": 0}})]
    assert found == [("war", "rounds 0 is below 1")]
