"""The `accord` command as a user runs it: stdout, stderr and exit codes.

Most tests run the command in this process (the ``accord`` fixture of conftest.py); the
few that need a real process (the entry point) use ``accord_process``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from accord.cli import app

DATA = Path(__file__).parent / "data" / "baseline"
HOSTILE = Path(__file__).parent / "data" / "hostile"
Accord = Callable[..., Any]  # the conftest fixture: runs the command, returns a Ran


def test_forecast_ukraine_table(accord: Accord) -> None:
    res = accord("forecast", "ukraine-2025", "--model", "compromise", "--model", "median",
                 "--draws", "200", "--seed", "3")
    assert res.returncode == 0, res.stderr
    assert "Control of the four regions Russia claims" in res.stdout
    assert "Russia holds all four regions, recognised" in res.stdout  # the scale reads
    assert "10–90 %" in res.stdout
    assert "compromise" in res.stdout and "median" in res.stdout


def test_forecast_json_shape(accord: Accord) -> None:
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


def test_forecast_json_without_draws_has_no_distribution(accord: Accord) -> None:
    res = accord("forecast", str(DATA / "emission.csv"), "--model", "compromise", "--json")
    doc = json.loads(res.stdout)
    assert doc["forecasts"][0]["outcome"]["issue"] == pytest.approx(7.389956, abs=5e-7)
    assert "distribution" not in doc["forecasts"][0]


def test_validate_lists_five_mistakes_and_exits_2(accord: Accord, tmp_path: Path) -> None:
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


def test_validate_ok(accord: Accord) -> None:
    res = accord("validate", str(DATA / "emission.csv"))
    assert res.returncode == 0 and "ok" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (("forecast", "no-such-thing"), "no such file, and not a built-in example"),
    (("forecast", "ukraine-2025", "--model", "oracle"), "unknown model 'oracle'"),
    (("forecast", "ukraine-2025", "--option", "rounds"), "is not KEY=VALUE"),
    (("examples", "--show", "atlantis"), "not a built-in example"),
])
def test_user_errors_exit_2_without_traceback(accord: Accord, args: tuple[str, ...],
                                              needle: str) -> None:
    res = accord(*args)
    assert res.returncode == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr


def test_wrong_file_type_and_binary(accord: Accord, tmp_path: Path) -> None:
    p = tmp_path / "notes.pdf"
    p.write_bytes(b"%PDF-1.4\x00\xff")
    res = accord("validate", str(p))
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_examples_list_and_show(accord: Accord) -> None:
    res = accord("examples")
    assert "ukraine-2025" in res.stdout and "emission-1994" in res.stdout
    shown = accord("examples", "--show", "ukraine-2025")
    assert yaml.safe_load(shown.stdout)["actors"][0]["id"] == "RUS"


def test_new_template_validates_and_is_not_overwritten(accord: Accord, tmp_path: Path
                                                       ) -> None:
    target = tmp_path / "mine.yaml"
    assert accord("new", str(target)).returncode == 0
    assert accord("validate", str(target)).returncode == 0
    again = accord("new", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_convert_between_formats_leaves_input_untouched(accord: Accord, tmp_path: Path
                                                        ) -> None:
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


def test_option_no_chosen_model_has_is_an_error(accord: Accord) -> None:
    res = accord("forecast", "ukraine-2025", "--model", "compromise", "--option", "roundz=3")
    assert res.returncode == 2
    assert "option 'roundz' belongs to none of the models chosen" in res.stderr


def test_written_files_have_ordinary_permissions(accord: Accord, tmp_path: Path) -> None:
    import os

    out = tmp_path / "e.yaml"
    assert accord("convert", str(DATA / "emission.csv"), str(out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_unwritable_output_is_a_message_not_a_traceback(accord: Accord, tmp_path: Path
                                                        ) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    res = accord("convert", "ukraine-2025", str(blocker / "out.yaml"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert f"error: cannot write {blocker / 'out.yaml'}" in res.stderr


def test_convert_says_what_a_format_does_not_keep(accord: Accord, tmp_path: Path) -> None:
    refused = accord("convert", "ukraine-2025", str(tmp_path / "u.csv"))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "the csv format cannot hold: named shocks" in refused.stderr
    assert "--lossy" in refused.stderr and not (tmp_path / "u.csv").exists()
    res = accord("convert", "ukraine-2025", str(tmp_path / "u.csv"), "--lossy")
    assert res.returncode == 0
    assert "the csv format does not keep:" in res.stderr
    assert "named shocks" in res.stderr and "evidence, sources and notes" in res.stderr
    full = accord("convert", "ukraine-2025", str(tmp_path / "u.yaml"))
    assert "does not keep" not in full.stderr


def test_json_rounds_list_only_the_issues_an_actor_takes_part_in(accord: Accord,
                                                                 tmp_path: Path) -> None:
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


# --------------------------------------------------------------------------- a real process


def test_entry_point_as_a_process(accord_process: Accord) -> None:
    """``python -m accord`` is the command: tables on stdout, mistakes on stderr with exit 2."""
    res = accord_process("forecast", str(DATA / "emission.csv"), "--model", "median", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["forecasts"][0]["outcome"]["issue"] == 7
    bad = accord_process("forecast", "ukraine-2025", "--model", "oracle")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "unknown model 'oracle'" in bad.stderr and "Traceback" not in bad.stderr


# --------------------------------------------------------------------------- user strings


def test_markup_in_the_title_prints_as_written(accord: Accord) -> None:
    """A title with ``[/bold]`` crashed the table output with a MarkupError (exit 1)."""
    res = accord("forecast", HOSTILE / "markup_title.yaml", "-m", "compromise")
    assert res.returncode == 0, res.stderr
    assert "Budget [/bold] talks" in res.stdout


def test_markup_in_a_label_and_scale_end_prints_as_written(accord: Accord) -> None:
    res = accord("forecast", HOSTILE / "markup_label.yaml", "-m", "compromise")
    assert res.returncode == 0, res.stderr
    assert "[/] label" in res.stdout and "0 = [/red] low" in res.stdout


@pytest.mark.parametrize("command", [
    ("forecast", "-m", "compromise", "-m", "median", "--draws", "20", "--prob", "x>=50"),
    ("forecast", "-m", "compromise", "--shock", "B.capability=[/s]"),
    ("forecast", "-m", "compromise", "--shock", "soft"),
    ("sensitivity", "-m", "compromise", "--all"),
    ("validate",),
])
def test_no_user_string_is_read_as_markup(accord: Accord, scenario_file: Callable[..., Path],
                                          tmp_path: Path, command: tuple[str, ...]) -> None:
    """Every text a user wrote (title, question, labels, scale ends, actor names, shock names,
    the file name) reaches the terminal as written, in every command that prints it."""
    (tmp_path / "dir[").mkdir()
    path = scenario_file(
        "dir[/b].yaml", title="Talks [/x]", question="[bold]why[/bold]?",
        issues=[{"id": "x", "label": "[red]Issue[/]", "low": "[/i] none", "high": "all [/u]"}],
        actors=[{"id": "A", "name": "[link=x]A[/link]", "capability": 1, "position": {"x": 0},
                 "salience": {"x": 100}},
                {"id": "B", "name": "B [/]", "capability": {"value": 3, "low": 2, "high": 4},
                 "position": {"x": 100}, "salience": {"x": 100}}],
        shocks={"soft [/s]": ["B.capability=2"], "soft": ["B.capability=2"]})
    res = accord(command[0], path, *command[1:])
    if "B.capability=[/s]" in command:  # a bad edit: the message quotes it as written
        assert res.returncode == 2, res.stderr
        assert "[/s]" in res.stderr and "Traceback" not in res.stderr
        return
    assert res.returncode == 0, res.stderr
    shown = {"validate": ["dir[/b].yaml: ok"],
             "sensitivity": ["Talks [/x]", "compromise: [red]Issue[/]"]}.get(
        command[0], ["Talks [/x]", "[bold]why[/bold]?", "[red]Issue[/]", "0 = [/i] none",
                     "100 = all [/u]"])
    for text in shown:
        assert text in res.stdout


# --------------------------------------------------------------------------- serve


@pytest.fixture
def busy_port() -> Any:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_busy_port_is_a_message(accord: Accord, busy_port: int) -> None:
    """It printed the dashboard's address, then uvicorn's traceback; now exit 2 first."""
    res = accord("serve", "--port", str(busy_port))
    assert res.returncode == 2
    assert f"cannot listen on 127.0.0.1:{busy_port}" in res.stderr
    assert "--port" in res.stderr
    assert "dashboard on" not in res.stderr and "Traceback" not in res.stderr


def test_serve_on_an_address_not_of_this_machine_is_a_message(accord: Accord) -> None:
    res = accord("serve", "--host", "192.0.2.1", "--port", "8000", "--token", "t")  # RFC 5737
    assert res.returncode == 2
    assert "cannot listen on 192.0.2.1:8000" in res.stderr and "dashboard on" not in res.stderr


# --------------------------------------------------------------------------- --help


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, cmd in getattr(group, "commands", {}).items():
        found += _commands(cmd, (*path, name))
    return found


def _help(*path: str) -> str:
    """The help as a terminal 1000 columns wide shows it: Click wraps no paragraph."""
    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "1000"},
                             terminal_width=1000)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_command_list_has_one_line_per_command() -> None:
    """Docstrings wrapped in the source broke the command list mid-sentence; Click's plain
    help would also cut a summary at the terminal's width with "..."."""
    text = _help()
    panel = text[text.index("Commands:"):].splitlines()[1:]
    rows = [line for line in panel if line.strip()]
    names = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    assert len(rows) == len(names)
    assert {row.split()[0] for row in rows} == names
    for row in rows:
        assert row.endswith((".", ")")) and not row.endswith("..."), row


@pytest.mark.parametrize("path", _commands(typer.main.get_command(app)))
def test_help_has_no_raw_markup_and_whole_sentences(path: tuple[str, ...]) -> None:
    """No raw double backticks; the description's lines end where sentences end."""
    text = _help(*path)
    assert "``" not in text
    lines = text.splitlines()
    start = next(k for k, line in enumerate(lines) if "Usage:" in line) + 1
    end = next(k for k, line in enumerate(lines)
               if line in ("Arguments:", "Options:", "Commands:"))
    described = [line.strip() for line in lines[start:end] if line.strip()]
    assert described, f"{path}: no description"
    for line in described:
        assert line.endswith((".", ":", ")")), f"{path}: line broken mid-sentence: {line!r}"
