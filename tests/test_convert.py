"""`accord convert`: keep what the target format holds, refuse what it cannot (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture
def iran(tmp_path: Path) -> Path:
    p = tmp_path / "iran.yaml"
    p.write_text(IRAN, encoding="utf-8")
    return p


def test_csv_keeps_a_per_issue_scale(accord: Any, iran: Path, tmp_path: Path) -> None:
    r = accord("convert", str(iran), str(tmp_path / "iran.csv"))
    assert r.returncode == 0, r.stderr
    back = load(tmp_path / "iran.csv")
    assert back.scale_of(back.issues[0]) == (1.0, 10.0)
    assert [a.position["president"].value for a in back.actors] == [8.0, 2.0]
    r = accord("validate", str(tmp_path / "iran.csv"))
    assert r.returncode == 0, r.stderr


def test_csv_keeps_the_status_quo_with_its_range() -> None:
    sc = loads(IRAN.replace("scale: [1, 10]", "scale: [1, 10]\n    status_quo: {value: 5, "
                            "low: 4, high: 6}"), "yaml")
    text, _ = convert(sc, "csv")
    back = loads(text, "csv")
    assert back.issues[0].status_quo.bounds == (4.0, 6.0)
    assert back.issues[0].status_quo.value == 5.0


def test_what_csv_cannot_hold_is_refused_and_named(accord: Any, iran: Path, tmp_path: Path
                                                    ) -> None:
    iran.write_text(IRAN.replace("capability: 20", "capability: {value: 20, low: 10, high: 30,"
                                 " dist: uniform}"), encoding="utf-8")
    target = tmp_path / "iran.csv"
    r = accord("convert", str(iran), str(target))
    assert r.returncode == 2
    assert "the csv format cannot hold: distributions (dist)" in r.stderr
    assert "--lossy" in r.stderr and "Traceback" not in r.stderr
    assert not target.exists()
    r = accord("convert", str(iran), str(target), "--lossy")
    assert r.returncode == 0 and "does not keep: distributions (dist)" in r.stderr
    assert load(target).actors[0].capability.bounds == (10.0, 30.0)


def test_ktab_refuses_a_scale_it_would_rescale() -> None:
    changes, _ = losses(loads(IRAN, "yaml"), "ktab")
    assert changes == ["issue scales (KTAB rescales every position to 0-100)"]
    with pytest.raises(UserError, match="ktab format cannot hold: issue scales"):
        convert(loads(IRAN, "yaml"), "ktab")


@pytest.mark.parametrize("name", ["x.ktab", "x.decide"])
def test_a_suffix_naming_a_format_writes_a_file_forecast_can_read(
        accord: Any, iran: Path, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    r = accord("convert", str(iran), str(target), "--lossy")
    assert r.returncode == 0, r.stderr
    back = load_any(target)
    assert sorted(a.id for a in back.actors) == ["Jalili", "Ruhani"]
    r = accord("forecast", str(target), "--model", "compromise")
    assert r.returncode == 0, r.stderr


def test_format_ktab_with_ktab_suffix_reads_back(accord: Any, iran: Path, tmp_path: Path) -> None:
    target = tmp_path / "x.ktab"
    r = accord("convert", str(iran), str(target), "--format", "ktab", "--lossy")
    assert r.returncode == 0, r.stderr
    back = load_any(target)
    # KTAB is 0-100: position 8 on 1..10 is 100 * 7/9
    assert back.actors[0].position["president"].value == pytest.approx(700 / 9)


def test_unknown_suffix_mentions_format(accord: Any, iran: Path, tmp_path: Path) -> None:
    r = accord("convert", str(iran), str(tmp_path / "x.dat"))
    assert r.returncode == 2
    assert "--format" in r.stderr and "'.dat'" in r.stderr
    with pytest.raises(UserError, match="--format 'nonsense' is not a format"):
        output_format("x.yaml", "nonsense")
