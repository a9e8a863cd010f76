"""Decide's #A/#P/#M/#D format: the reference inputs, every problem with its line (the file
with deliberate errors), TAB/comma and quoting variants, writing, round trips and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accord import examples
from accord.arrays import to_arrays
from accord.io import decide, dumps_as, load_any
from accord.scenario import ScenarioError

DATA = Path(__file__).parent / "data" / "exchange"
SHAPES = {"sample_data.txt": (10, 6, 60), "copenhagen.csv": (11, 7, 75),
          "cop21.csv": (15, 13, 181)}


@pytest.mark.parametrize("name", list(SHAPES))
def test_reads_the_reference_inputs(name: str) -> None:
    sc = load_any(DATA / name)  # detected by content, whatever the suffix
    n, d, records = SHAPES[name]
    assert len(sc.actors) == n and len(sc.issues) == d
    assert sum(len(a.position) for a in sc.actors) == records
    arrays = to_arrays(sc)
    assert arrays.mask.sum() == records
    assert arrays.salience.max() <= 1.0


def test_fields_of_sample_data() -> None:
    sc = load_any(DATA / "sample_data.txt")
    assert sc.title == "sample_data"
    assert sc.actor_ids[:3] == ["Willems", "PvdA", "GL"]
    assert sc.issue_ids == ["tolheffing-binnenstad", "tol-hoogte", "wanneer-tol",
                            "woonwerkverkeer", "extra-investering", "kleine-of-grote-ring"]
    scales = {i.id: sc.scale_of(i) for i in sc.issues}
    assert scales["tol-hoogte"] == (0.5, 7.0)
    assert scales["woonwerkverkeer"] == (0.0, 100.0)
    wanneer = sc.issues[2]
    assert wanneer.label == "Wat is dit voor onzin?"  # the description differing from the id
    willems = sc.actors[0]
    assert willems.capability.value == 1.0  # one power on every issue: one capability
    assert willems.position["tol-hoogte"].value == 3.0
    assert willems.salience["tolheffing-binnenstad"].value == 95.0  # 0.95, exactly × 100
    gl = sc.actors[2]
    assert gl.capability.value == 0.6
    assert gl.salience["extra-investering"].value == 40.0


def test_missing_records_mean_no_part() -> None:
    cop = load_any(DATA / "copenhagen.csv")
    russia = cop.actors[cop.actor_ids.index("Russia")]
    assert "Commitments" not in russia.position and "Extra" not in russia.position
    assert len(russia.position) == 5
    cop21 = load_any(DATA / "cop21.csv")
    lacking = [a.id for a in cop21.actors if "amb2050" not in a.position]
    assert len(lacking) == 7
    assert all("amb2100" not in cop21.actors[cop21.actor_ids.index(a)].position
               for a in lacking)


def test_file_with_deliberate_errors_reports_every_problem() -> None:
    """Russia's Control position 160 (line 86) and China India's power −0.247 (line 87).
    Russia's missing Commitments/Extra records are not errors: the clean copenhagen.csv has
    the same gaps, and the format says such an actor takes no part in the issue."""
    with pytest.raises(ScenarioError) as err:
        load_any(DATA / "copenhagen_with_errors.csv")
    problems = err.value.problems
    assert [(p.file, p.line) for p in problems] == [("copenhagen_with_errors.csv", 86),
                                                    ("copenhagen_with_errors.csv", 87)]
    assert "160 is outside 0..100" in problems[0].message
    assert problems[0].path.endswith("position.Control")
    assert "-0.247" in problems[1].message and "negative" in problems[1].message
    assert problems[1].path.endswith("capability.Control")


def test_the_error_file_without_its_errors_matches_the_clean_one() -> None:
    """With the two values fixed, the unquoted file with #O/#/ lines (and no #M lines, so
    every scale defaults to 0–100) holds the clean file's numbers."""
    text = (DATA / "copenhagen_with_errors.csv").read_text(encoding="utf-8")
    text = text.replace("Control\t160\t", "Control\t60\t").replace("\t-0.247", "\t0.247")
    fixed = decide.loads(text, "fixed.csv")
    assert fixed.title == "Copenhagen negotiations"
    assert fixed.issues[0].label == "Copenhagen new treaty vs extension of Kyoto"
    clean = load_any(DATA / "copenhagen.csv")
    a, b = to_arrays(fixed), to_arrays(clean)
    assert a.issue_ids == b.issue_ids
    for name in ("position", "salience", "capability", "mask", "lower", "upper"):
        assert (getattr(a, name) == getattr(b, name)).all(), name


BAD = """\
#A\tA\tActor A
#A\tB
#A\tA
#P\tx\tfirst issue
#M\tx\t0
#M\tx\t10
#P\ty\tsecond issue
#M\ty\t5
#M\tz\t1
#Q\tsomething
#D\tA\tx\t5\t0.5\t1
#D\tA\tx\t6\t0.5\t1
#D\tB\tx\tabc\t1.5\t1
#D\tC\tx\t5\t0.5\t1
#D\tB\ty\t5\t0.5
#D\tA\ty\t5\t0.4\t2
#D\tB\tx\t20\t0.4\t2
"""


def test_every_problem_at_once_with_its_line() -> None:
    with pytest.raises(ScenarioError) as err:
        decide.loads(BAD, "bad.txt")
    got = {(p.line, p.message.split(" ")[0]) for p in err.value.problems}
    lines = sorted({p.line for p in err.value.problems})
    messages = "\n".join(str(p) for p in err.value.problems)
    assert lines == [3, 8, 9, 10, 12, 13, 14, 15, 17], messages
    assert "duplicate actor 'A'" in messages  # line 3
    assert "the scale needs two different bounds" in messages  # line 8: y has one #M value
    assert "no #P record declares" in messages  # line 9: #M for an unknown issue
    assert "'#Q' is not a Decide record" in messages  # line 10
    assert "a second #D record" in messages  # line 12, and 17 (the first being faulty)
    assert sum("a second #D record" in p.message for p in err.value.problems) == 2
    assert "'abc' (position of 'B' on 'x') is not a number" in messages  # line 13
    assert "salience 1.5 is outside 0..1" in messages  # line 13 as well
    assert "actor 'C' has no #A record" in messages  # line 14
    assert "this one has 4 fields" in messages  # line 15
    assert (16, "20") not in got  # a good record raises nothing
    assert all(p.file == "bad.txt" for p in err.value.problems)


def test_position_outside_the_m_scale_is_reported_on_its_line() -> None:
    text = "#A\tA\n#A\tB\n#P\tx\n#M\tx\t0.5\n#M\tx\t7\n#D\tA\tx\t8\t0.5\t1\n#D\tB\tx\t1\t0.5\t1\n"
    with pytest.raises(ScenarioError) as err:
        decide.loads(text, "t.txt")
    [problem] = err.value.problems
    assert problem.line == 6 and "8 is outside 0.5..7" in problem.message


@pytest.mark.parametrize("style", ["tab", "tab-quoted", "comma", "comma-double-quoted"])
def test_separators_and_quotes(style: str) -> None:
    rows = [["#O", "Test set"], ["#/", "a comment, with a comma"], ["#A", "A", "Actor A", ""],
            ["#A", "EU (incl Norway)", "EU"], ["#P", "x", "Issue x"], ["#M", "x", "0", "none"],
            ["#M", "x", "10", "all"], ["#P", "y", "Issue y"],
            ["#D", "A", "x", "2", "0.25", "3"], ["#D", "EU (incl Norway)", "x", "8", "1", "1"],
            ["#D", "A", "y", "40", "0.5", "3"], ["#D", "EU (incl Norway)", "y", "70", "0.75",
                                                 "1"]]
    sep = "\t" if style.startswith("tab") else ","
    quote = {"tab": "", "tab-quoted": "'", "comma": "", "comma-double-quoted": '"'}[style]

    def cell(c: str) -> str:
        number = c.replace(".", "", 1).isdigit()
        return c if number or not quote else f"{quote}{c}{quote}"

    text = "\n".join(sep.join(cell(c) for c in row) for row in rows) + "\n"
    if style == "comma":
        text = text.replace("a comment, with a comma", "a comment")
    path = Path(f"x.{'csv' if sep == ',' else 'txt'}")
    assert decide.sniff(path, text)
    sc = decide.loads(text, path.name)
    assert sc.title == "Test set"
    assert sc.actor_ids == ["A", "EU (incl Norway)"]
    assert sc.actors[1].name == "EU"
    x, y = sc.issues
    assert (x.label, x.scale, x.low, x.high) == ("Issue x", (0.0, 10.0), "none", "all")
    assert y.scale is None and sc.scale_of(y) == (0.0, 100.0)
    assert sc.actors[0].salience == {"x": sc.actors[0].salience["x"],
                                     "y": sc.actors[0].salience["y"]}
    assert sc.actors[0].salience["x"].value == 25.0
    assert sc.actors[1].salience["y"].value == 75.0
    assert sc.actors[0].capability.value == 3.0


def test_sniff_is_by_content() -> None:
    text = (DATA / "sample_data.txt").read_text(encoding="utf-8")
    assert decide.sniff(Path("anything.dat"), text)
    assert not decide.sniff(Path("s.yaml"), text)
    assert not decide.sniff(Path("t.csv"), "actor,issue,position,salience,capability\n")
    assert not decide.sniff(Path("t.txt"), "# An accord note\n#A\tA\n")
    assert not decide.sniff(Path("t.txt"), "#/\tonly comments\n")
    assert not decide.sniff(Path("t.txt"), "")


@pytest.mark.parametrize("name", list(SHAPES))
def test_round_trip(name: str) -> None:
    sc = load_any(DATA / name)
    text = dumps_as(sc, "decide")
    back = decide.loads(text, name)
    assert back.model_dump() == sc.model_dump()
    assert decide.dumps(back) == text


def test_writer_keeps_central_values_and_says_what_it_drops() -> None:
    sc = examples.example("ukraine-2025")
    text = decide.dumps(sc)
    assert "central values only" in text
    back = decide.loads(text, "ukraine.txt")
    a, b = to_arrays(sc), to_arrays(back)
    assert back.actor_ids == sc.actor_ids and back.issue_ids == sc.issue_ids
    assert (a.position == b.position).all() and (a.salience == b.salience).all()
    assert (a.capability == b.capability).all()
    assert (a.lower == b.lower).all() and (a.upper == b.upper).all()


def test_salience_shares_are_written_exactly() -> None:
    assert decide._share(95.0) == "0.95"
    assert decide._share(100.0) == "1"
    assert decide._share(0.0) == "0"
    assert decide._share(33.333333333333336) == "0.33333333333333336"



def test_cli_validate_lists_every_error_and_exits_2(accord: Any) -> None:
    res = accord("validate", str(DATA / "copenhagen_with_errors.csv"))
    assert res.returncode == 2
    assert "copenhagen_with_errors.csv:86" in res.stderr
    assert "copenhagen_with_errors.csv:87" in res.stderr
    assert "2 problems found" in res.stderr


def test_cli_converts_to_yaml_and_back(accord: Any, tmp_path: Path) -> None:
    yaml_file = tmp_path / "cop21.yaml"
    res = accord("convert", str(DATA / "cop21.csv"), str(yaml_file))
    assert res.returncode == 0, res.stderr
    back = tmp_path / "cop21-again.txt"
    res = accord("convert", str(yaml_file), str(back), "--format", "decide")
    assert res.returncode == 0, res.stderr
    assert load_any(back).model_dump() == load_any(DATA / "cop21.csv").model_dump()


def test_apostrophes_in_quoted_tab_fields_survive() -> None:
    text = ("'#A'\t'CIV'\t'Cote d'Ivoire'\t''\n"
            "'#A'\t'B'\t'Who's in charge'\t''\n"
            "'#P'\t'x'\t'x'\n"
            "'#D'\t'CIV'\t'x'\t10\t0.5\t1\n"
            "'#D'\t'B'\t'x'\t90\t0.5\t1\n")
    sc = decide.loads(text, "a.csv")
    assert [a.name for a in sc.actors] == ["Cote d'Ivoire", "Who's in charge"]


def test_line_numbers_ignore_other_unicode_line_breaks() -> None:
    # a NEL (U+0085) inside a comment is not a line break: the bad position is on line 6
    text = ("#A\tA\tActor A\tcomment with\x85NEL\n#A\tB\tActor B\t\n#P\tx\tx\n"
            "#D\tA\tx\t10\t0.5\t1\n#D\tB\tx\t20\t0.5\t1\n#D\tB\tx\t900\t0.5\t1\n")
    with pytest.raises(ScenarioError) as info:
        decide.loads(text, "n.csv")
    lines = {p.line for p in info.value.problems}
    assert 6 in lines and all(p.line != 7 for p in info.value.problems)


def test_bom_and_a_mistyped_first_tag_still_get_the_decide_report(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_text("\ufeff#X\tA\tActor A\n#P\tx\tx\n#D\tA\tx\t10\t0.5\t1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_any(p)
    assert any(p.line == 1 and "#X" in p.message for p in info.value.problems), \
        [str(p) for p in info.value.problems]


def test_default_scale_round_trips_without_m_lines() -> None:
    text = "#A\tA\tA\n#A\tB\tB\n#P\tx\tx\n#D\tA\tx\t10\t0.5\t1\n#D\tB\tx\t90\t0.2\t2\n"
    sc = decide.loads(text, "plain.csv")
    assert sc.issues[0].scale is None
    again = dumps_as(sc, "decide")
    assert "#M" not in again
    assert decide.loads(again, "again.csv") == sc
