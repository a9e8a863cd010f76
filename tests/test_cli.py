"""The `accord` command as a user runs it: a real process, stdout, stderr and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).parent / "data" / "baseline"


def accord(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_forecast_ukraine_table() -> None:
    res = accord("forecast", "ukraine-2025", "--model", "compromise", "--model", "median",
                 "--draws", "200", "--seed", "3")
    assert res.returncode == 0, res.stderr
    assert "Control of the four regions Russia claims" in res.stdout
    assert "Russia holds all four regions, recognised" in res.stdout  # the scale reads
    assert "10–90 %" in res.stdout
    assert "compromise" in res.stdout and "median" in res.stdout


def test_forecast_json_shape() -> None:
    res = accord("forecast", "ukraine-2025", "--json", "--draws", "50")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["scenario"]["actors"][:4] == ["RUS", "USA", "UKR", "EUR"]
    assert doc["scenario"]["issues"] == ["territory", "ceasefire", "guarantees"]
    assert {"title", "actors", "issues"} <= set(doc["scenario"])
    names = [f["model"] for f in doc["forecasts"]]
    assert {"compromise", "median", "nash"} <= set(names)
    for f in doc["forecasts"]:
        assert set(f["outcome"]) == {"territory", "ceasefire", "guarantees"}
        assert isinstance(f["options"], dict)
        for d in f["distribution"].values():
            assert set(d) == {"mean", "q05", "q10", "q50", "q90", "q95"}
            assert d["q05"] <= d["q10"] <= d["q50"] <= d["q90"] <= d["q95"]
        assert isinstance(f["rounds"], list)
        for r in f["rounds"]:
            assert {"round", "positions", "outcome", "details"} <= set(r)


def test_forecast_json_without_draws_has_no_distribution() -> None:
    res = accord("forecast", str(DATA / "emission.csv"), "--model", "compromise", "--json")
    doc = json.loads(res.stdout)
    assert doc["forecasts"][0]["outcome"]["issue"] == pytest.approx(7.389956, abs=5e-7)
    assert "distribution" not in doc["forecasts"][0]


def test_validate_lists_five_mistakes_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "ukraine.yaml"
    bad.write_text(
        "title: five mistakes\n"
        "issues:\n"
        "  - id: territory\n"
        "  - id: territory\n"                                   # 1 duplicate issue id
        "actors:\n"
        "  - id: RUS\n"
        "    capability: {value: 70, low: 80}\n"                # 2 low above value
        "    position: {territory: 100, ceasfire: 50}\n"       # 3 unknown issue id
        "    salience: {territory: 140}\n"                      # 4 out of range
        "  - id: UKR\n"
        "    position: {territory: 10}\n"                       # 5 capability missing
        "    salience: {territory: 90}\n"
    )
    res = accord("validate", str(bad))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    err = res.stderr
    assert "ukraine.yaml:4 issues[1].id: duplicate issue id 'territory'" in err
    assert "ukraine.yaml:7 actors[0].capability.low: low 80 is above the value 70" in err
    assert "ukraine.yaml:8 actors[0].position.ceasfire: unknown issue id 'ceasfire'" in err
    assert "ukraine.yaml:9 actors[0].salience.territory: 140 is outside 0..100" in err
    assert "ukraine.yaml:10 actors[1].capability: is required but missing" in err
    assert "5 problems found." in err


def test_validate_ok() -> None:
    res = accord("validate", str(DATA / "emission.csv"))
    assert res.returncode == 0 and "ok" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (("forecast", "no-such-thing"), "no such file, and not a built-in example"),
    (("forecast", "ukraine-2025", "--model", "oracle"), "unknown model 'oracle'"),
    (("forecast", "ukraine-2025", "--option", "rounds"), "is not KEY=VALUE"),
    (("examples", "--show", "atlantis"), "not a built-in example"),
])
def test_user_errors_exit_2_without_traceback(args: tuple[str, ...], needle: str) -> None:
    res = accord(*args)
    assert res.returncode == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr


def test_wrong_file_type_and_binary(tmp_path: Path) -> None:
    p = tmp_path / "notes.pdf"
    p.write_bytes(b"%PDF-1.4\x00\xff")
    res = accord("validate", str(p))
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_examples_list_and_show() -> None:
    res = accord("examples")
    assert "ukraine-2025" in res.stdout and "emission-1994" in res.stdout
    shown = accord("examples", "--show", "ukraine-2025")
    assert yaml.safe_load(shown.stdout)["actors"][0]["id"] == "RUS"


def test_new_template_validates_and_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    assert accord("new", str(target)).returncode == 0
    assert accord("validate", str(target)).returncode == 0
    again = accord("new", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_convert_between_formats_leaves_input_untouched(tmp_path: Path) -> None:
    src = DATA / "emission.csv"
    before = src.read_bytes()
    y = tmp_path / "emission.yaml"
    j = tmp_path / "emission.json"
    c = tmp_path / "emission-tidy.csv"
    assert accord("convert", str(src), str(y)).returncode == 0
    assert accord("convert", str(y), str(j)).returncode == 0
    assert accord("convert", str(j), str(c)).returncode == 0
    assert src.read_bytes() == before
    res = accord("forecast", str(c), "--model", "median", "--json")
    assert json.loads(res.stdout)["forecasts"][0]["outcome"]["issue"] == 7
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_option_no_chosen_model_has_is_an_error() -> None:
    res = accord("forecast", "ukraine-2025", "--model", "compromise", "--option", "roundz=3")
    assert res.returncode == 2
    assert "option 'roundz' belongs to none of the models chosen" in res.stderr


def test_written_files_have_ordinary_permissions(tmp_path: Path) -> None:
    import os

    out = tmp_path / "e.yaml"
    assert accord("convert", str(DATA / "emission.csv"), str(out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_output_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = accord("convert", "ukraine-2025", str(blocker / "out.yaml"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert f"error: cannot read or write {blocker}" in res.stderr


def test_convert_says_what_a_format_does_not_keep(tmp_path: Path) -> None:
    res = accord("convert", "ukraine-2025", str(tmp_path / "u.csv"))
    assert res.returncode == 0
    assert "the csv format does not keep:" in res.stderr
    assert "status quo" in res.stderr and "evidence, sources and notes" in res.stderr
    full = accord("convert", "ukraine-2025", str(tmp_path / "u.yaml"))
    assert "does not keep" not in full.stderr


def test_json_rounds_list_only_the_issues_an_actor_takes_part_in(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text("issues: [{id: x}, {id: y}]\nactors:\n"
                 "  - {id: A, capability: 1, position: {x: 10, y: 20}, salience: {x: 50, y: 50}}\n"
                 "  - {id: B, capability: 2, position: {x: 90}, salience: {x: 50}}\n"
                 "  - {id: C, capability: 1, position: {x: 40, y: 80}, salience: {x: 30, y: 60}}\n")
    res = accord("forecast", str(p), "--model", "bdm", "--option", "rounds=2", "--json")
    assert res.returncode == 0, res.stderr
    rounds = json.loads(res.stdout)["forecasts"][0]["rounds"]
    assert rounds and set(rounds[0]["positions"]["B"]) == {"x"}
    assert set(rounds[0]["positions"]["A"]) == {"x", "y"}
    assert rounds[0]["positions"]["B"]["x"] == 90
