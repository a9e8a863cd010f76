"""KTAB's CSV layout: reading the six reference inputs, validation the accord way (every
problem, with its line), writing, round trips, and the CLI's detection of the format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord.arrays import to_arrays
from accord.io import dumps_as, ktab, load_any
from accord.scenario import ScenarioError, validate_data

DATA = Path(__file__).parent / "data" / "ktab"
STEMS = ["dummyData_3Dim", "SOE-Pol-Comp", "SOE-Policy", "SOE-Competitive", "dummyData_6Dim",
         "dummyData-a040"]
SHAPES = {"dummyData_3Dim": (7, 3), "SOE-Pol-Comp": (13, 2), "SOE-Policy": (26, 1),
          "SOE-Competitive": (34, 1), "dummyData_6Dim": (27, 6), "dummyData-a040": (40, 1)}


@pytest.mark.parametrize("stem", STEMS)
def test_reads_every_reference_input(stem: str) -> None:
    sc = load_any(DATA / f"{stem}.csv")  # detected by content, not by name
    n, k = SHAPES[stem]
    assert len(sc.actors) == n and len(sc.issues) == k
    assert sc.scale == (0.0, 100.0)
    for actor in sc.actors:
        assert sum(q.value for q in actor.salience.values()) <= 100.0


def test_fields_of_dummy_data_3dim() -> None:
    """Line 1 has a padded name and a quoted description; every line ends in a comma."""
    sc = load_any(DATA / "dummyData_3Dim.csv")
    assert sc.title == "DummyData_3Dim"
    assert sc.question == "Dummy scenario to test reading format"
    assert sc.issue_ids == ["Pstn1", "Pstn2", "Pstn3"]
    first = sc.actors[0]
    assert (first.id, first.name) == ("SActor-00", "Random Spatial Actor")
    assert first.capability.value == 102.543
    assert {k: q.value for k, q in first.position.items()} == {
        "Pstn1": 75.79, "Pstn2": 6.37, "Pstn3": 70.45}
    assert {k: q.value for k, q in first.salience.items()} == {
        "Pstn1": 49.53, "Pstn2": 5.91, "Pstn3": 28.15}
    arrays = to_arrays(sc)
    assert arrays.salience[0, 0, 1] == pytest.approx(0.0591)


def test_padded_crlf_and_named_dimensions() -> None:
    six = load_any(DATA / "dummyData_6Dim.csv")  # CRLF, extra empty fields on line 1
    assert six.issue_ids == [f"Dim{k} Position" for k in range(6)]
    assert six.actors[0].id == "AA00" and six.actors[0].capability.value == 99.98
    a040 = load_any(DATA / "dummyData-a040.csv")  # two spaces after every comma
    assert a040.actors[0].id == "Act-1001" and a040.actors[0].name == "Desc-1001"
    assert a040.actors[0].position["XYZ Position"].value == 63.03
    soe = load_any(DATA / "SOE-Pol-Comp.csv")
    assert soe.issue_ids == ["Policy Position", "Competitive Position"]
    assert soe.actors[4].name == "Liu He - Deputy Director of DRC"


@pytest.mark.parametrize("stem", STEMS)
def test_round_trip_through_ktab_and_yaml(stem: str, tmp_path: Path) -> None:
    sc = load_any(DATA / f"{stem}.csv")
    again = ktab.loads(ktab.dumps(sc), "again.csv")
    assert again.model_dump() == sc.model_dump()
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(dumps_as(sc, "yaml"), encoding="utf-8")
    back = load_any(yaml_file)
    assert ktab.dumps(back) == ktab.dumps(sc)


def test_writer_converts_what_ktab_cannot_hold() -> None:
    sc = validate_data({
        "title": "t", "question": "q, with a comma",
        "issues": [{"id": "a", "scale": [0, 10]}, {"id": "b"}, {"id": "c", "status_quo": 30}],
        "actors": [
            {"id": "X", "capability": {"a": 10, "b": 30}, "position": {"a": 5, "b": 20},
             "salience": {"a": 25, "b": 75}},
            {"id": "Y", "capability": {"value": 40, "low": 20, "high": 60},
             "position": {"a": 2.5, "b": 60, "c": 80}, "salience": {"a": 80, "b": 60, "c": 60}},
        ]})
    lines = ktab.dumps(sc).splitlines()
    assert lines[0] == 't,"q, with a comma",2,3'
    assert lines[1] == "Actor,Description,Capability,a,a Salience,b,b Salience,c,c Salience"
    # X: capability (25·10 + 75·30)/100 = 25; a rescaled 5/10 → 50; not on c: status quo 30
    assert lines[2] == "X,,25,50,25,20,75,30,0"
    # Y: central capability; saliences 80+60+60 = 200 scaled to 100
    assert lines[3] == "Y,,40,25,40,60,30,80,30"
    back = ktab.loads("\n".join(lines), "w.csv")
    assert back.actors[1].salience["a"].value == 40


def test_writer_fills_with_the_compromise_without_status_quo() -> None:
    sc = validate_data({
        "issues": [{"id": "a"}, {"id": "b"}],
        "actors": [{"id": "X", "capability": 10, "position": {"a": 10, "b": 20},
                    "salience": {"a": 50, "b": 50}},
                   {"id": "Y", "capability": 30, "position": {"a": 50, "b": 60},
                    "salience": {"a": 50, "b": 50}},
                   {"id": "Z", "capability": 5, "position": {"a": 0}, "salience": {"a": 90}}]})
    # b's c·s-weighted mean: (10·50·20 + 30·50·60) / (10·50 + 30·50) = 50
    assert ktab.dumps(sc).splitlines()[4] == "Z,,5,0,90,50,0"


def bad_file(tmp_path: Path, text: str) -> list[tuple[int | None, str, str]]:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_any(path)
    return [(p.line, p.path, p.message) for p in err.value.problems]


def test_every_problem_with_its_line(tmp_path: Path) -> None:
    problems = bad_file(tmp_path, (
        "Bad scenario,desc,5,2,\n"
        "Actor,Description,Power,P1,S1,P2,S2\n"
        "A,first,10,50,40,60,30\n"
        "B,second,abc,160,40,60,-5\n"
        "A,again,10,50,70,60,50,\n"
        "C,short,10,50\n"
    ))
    text = "\n".join(f"{line} {path}: {msg}" for line, path, msg in problems)
    expected = [
        (4, "actors[1].capability", "'abc' (capability) is not a number"),
        (4, "actors[1].position.P1", "160 is outside 0..100"),
        (4, "actors[1].salience.P2", "-5 is outside 0..100"),
        (5, "actors[2].id", "duplicate actor id 'A'"),
        (5, "actors[2].salience", "the saliences sum to 120; KTAB allows at most 100"),
        (6, "actors[3]", "4 fields where 2 dimensions need 7"),
        (6, "actors", "the first line says 5 actors but only 4 actor lines follow"),
    ]
    for item in expected:
        assert item in problems, text
    assert len(problems) == len(expected), text


def test_first_line_problems(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as err:  # not sniffed as KTAB: load it as KTAB
        ktab.loads("name,desc,many,0\nActor,Description,Power\n", "bad.csv")
    problems = [(p.line, p.path, p.message) for p in err.value.problems]
    assert (1, "actors", "the number of actors 'many' is not a positive whole number") in \
        problems
    assert (1, "issues", "the number of dimensions '0' is not a positive whole number") in \
        problems
    header = bad_file(tmp_path, "name,desc,1,2\nActor,Description,Power,P1,S1\nA,a,1,2,3,4,5\n")
    assert header == [(2, "issues", "the header has 5 fields; 2 dimensions need 7 (actor, "
                       "description, capability, then position and salience per dimension)"),
                      (2, "issues[1].id", "dimension 2 has no position header to name it")]


def test_other_csv_is_not_taken_for_ktab(tmp_path: Path) -> None:
    tidy = tmp_path / "tidy.csv"
    tidy.write_text("actor,issue,position,salience,capability\nA,x,10,50,3\nB,x,90,50,1\n",
                    encoding="utf-8")
    assert not ktab.sniff(tidy, tidy.read_text())
    assert load_any(tidy).actor_ids == ["A", "B"]
    assert ktab.sniff(DATA / "SOE-Policy.csv", (DATA / "SOE-Policy.csv").read_text())
    assert not ktab.sniff(Path("x.yaml"), "a,b,1,2\n")



def test_cli_forecasts_and_converts_ktab(accord: Any, tmp_path: Path) -> None:
    res = accord("forecast", str(DATA / "dummyData_3Dim.csv"), "--model", "smp")
    assert res.returncode == 0, res.stderr
    assert "Pstn1" in res.stdout and "smp" in res.stdout
    out = tmp_path / "soe.yaml"
    res = accord("convert", str(DATA / "SOE-Pol-Comp.csv"), str(out))
    assert res.returncode == 0, res.stderr
    back = tmp_path / "soe.csv"
    res = accord("convert", str(out), str(back), "--format", "ktab")
    assert res.returncode == 0, res.stderr
    assert load_any(back).model_dump() == load_any(DATA / "SOE-Pol-Comp.csv").model_dump()
    bad = tmp_path / "bad.csv"
    bad.write_text("s,d,1,1\nActor,Description,Power,P,S\nA,a,x,50,140\n", encoding="utf-8")
    res = accord("validate", str(bad))
    assert res.returncode == 2
    assert "bad.csv:3" in res.stderr + res.stdout
