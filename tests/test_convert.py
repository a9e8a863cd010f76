"""`accord convert`: keep what the target format holds, refuse what it cannot (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from accord.errors import UserError
from accord.io import convert, load_any, losses, output_format
from accord.scenario import load, loads

# An Iran-like scenario on a 1-10 scale (shared/reference/bdm/iran2013.csv uses positions 1-10)
IRAN = """\
title: Iran 2013
issues:
  - id: president
    scale: [1, 10]
actors:
  - {id: Ruhani, capability: 20, position: {president: 8}, salience: {president: 90}}
  - {id: Jalili, capability: 15, position: {president: 2}, salience: {president: 80}}
"""


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output  # stdout and stderr together


@pytest.fixture
def iran(tmp_path: Path) -> Path:
    p = tmp_path / "iran.yaml"
    p.write_text(IRAN, encoding="utf-8")
    return p


def test_csv_keeps_a_per_issue_scale(iran: Path, tmp_path: Path) -> None:
    code, text = run("convert", str(iran), str(tmp_path / "iran.csv"))
    assert code == 0, text
    back = load(tmp_path / "iran.csv")
    assert back.scale_of(back.issues[0]) == (1.0, 10.0)
    assert [a.position["president"].value for a in back.actors] == [8.0, 2.0]
    code, text = run("validate", str(tmp_path / "iran.csv"))
    assert code == 0, text


def test_csv_keeps_the_status_quo_with_its_range() -> None:
    sc = loads(IRAN.replace("scale: [1, 10]", "scale: [1, 10]\n    status_quo: {value: 5, "
                            "low: 4, high: 6}"), "yaml")
    text, _ = convert(sc, "csv")
    back = loads(text, "csv")
    assert back.issues[0].status_quo.bounds == (4.0, 6.0)
    assert back.issues[0].status_quo.value == 5.0


def test_what_csv_cannot_hold_is_refused_and_named(iran: Path, tmp_path: Path) -> None:
    iran.write_text(IRAN.replace("capability: 20", "capability: {value: 20, low: 10, high: 30,"
                                 " dist: uniform}"), encoding="utf-8")
    target = tmp_path / "iran.csv"
    code, text = run("convert", str(iran), str(target))
    assert code == 2
    assert "the csv format cannot hold: distributions (dist)" in text
    assert "--lossy" in text and "Traceback" not in text
    assert not target.exists()
    code, text = run("convert", str(iran), str(target), "--lossy")
    assert code == 0 and "does not keep: distributions (dist)" in text
    assert load(target).actors[0].capability.bounds == (10.0, 30.0)


def test_ktab_refuses_a_scale_it_would_rescale() -> None:
    changes, _ = losses(loads(IRAN, "yaml"), "ktab")
    assert changes == ["issue scales (KTAB rescales every position to 0-100)"]
    with pytest.raises(UserError, match="ktab format cannot hold: issue scales"):
        convert(loads(IRAN, "yaml"), "ktab")


@pytest.mark.parametrize("name", ["x.ktab", "x.decide"])
def test_a_suffix_naming_a_format_writes_a_file_forecast_can_read(
        iran: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    code, text = run("convert", str(iran), str(target), "--lossy")
    assert code == 0, text
    back = load_any(target)
    assert sorted(a.id for a in back.actors) == ["Jalili", "Ruhani"]
    code, text = run("forecast", str(target), "--model", "compromise")
    assert code == 0, text


def test_format_ktab_with_ktab_suffix_reads_back(iran: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.ktab"
    code, text = run("convert", str(iran), str(target), "--format", "ktab", "--lossy")
    assert code == 0, text
    back = load_any(target)
    # KTAB is 0-100: position 8 on 1..10 is 100 * 7/9
    assert back.actors[0].position["president"].value == pytest.approx(700 / 9)


def test_unknown_suffix_mentions_format(iran: Path, tmp_path: Path) -> None:
    code, text = run("convert", str(iran), str(tmp_path / "x.dat"))
    assert code == 2
    assert "--format" in text and "'.dat'" in text
    with pytest.raises(UserError, match="--format 'nonsense' is not a format"):
        output_format("x.yaml", "nonsense")
