"""What many test files share: small scenarios, and the ``accord`` command run in-process.

Builders (factory fixtures, so a test asks for what it needs):

- ``scenario_data(**changes)``: the data of a small valid scenario (one issue ``x`` on 0–100;
  A at 0 with capability 1, B at 100 with capability 3, saliences 100), with top-level keys
  replaced by ``changes``; ``scenario(**changes)`` is the same, validated; ``scenario_file``
  writes it as YAML into the test's tmp_path and returns the path.

Running the command:

- ``accord(*args)``: the ``accord`` command in this process (typer's CliRunner): no
  interpreter start-up, so a CLI test costs what its work costs. It returns a ``Ran`` with the
  ``returncode``, ``stdout`` and ``stderr`` a real process would give; an exception that
  escapes the command appears on stderr as the traceback a user would see, exit code 1, so
  ``"Traceback" not in res.stderr`` means what it says.
- ``accord_process(*args)``: a real ``python -m accord`` process, for what needs one (the
  entry point, the interpreter's exit code). Use it sparingly: each costs seconds.
"""

from __future__ import annotations

import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Ran:
    """The outcome of one run of the command, as a user sees it."""

    returncode: int
    stdout: str
    stderr: str


def _small_scenario() -> dict[str, Any]:
    return {
        "title": "Two actors",
        "issues": [{"id": "x"}],
        "actors": [
            {"id": "A", "capability": 1, "position": {"x": 0}, "salience": {"x": 100}},
            {"id": "B", "capability": 3, "position": {"x": 100}, "salience": {"x": 100}},
        ],
    }


@pytest.fixture
def scenario_data() -> Callable[..., dict[str, Any]]:
    """``scenario_data(title=..., issues=..., actors=...)``: a small scenario's data."""
    def build(**changes: Any) -> dict[str, Any]:
        return {**_small_scenario(), **changes}
    return build


@pytest.fixture
def scenario(scenario_data: Callable[..., dict[str, Any]]) -> Callable[..., Any]:
    """``scenario(**changes)``: the small scenario, validated (a ``Scenario``)."""
    from accord.scenario import validate_data

    return lambda **changes: validate_data(scenario_data(**changes))


@pytest.fixture
def scenario_file(tmp_path: Path, scenario_data: Callable[..., dict[str, Any]]
                  ) -> Callable[..., Path]:
    """``scenario_file(name="s.yaml", **changes)``: the small scenario written as YAML."""
    def write(name: str = "s.yaml", **changes: Any) -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(scenario_data(**changes), sort_keys=False),
                        encoding="utf-8")
        return path
    return write


def run_in_process(*args: str) -> Ran:
    from accord.cli import app

    res = CliRunner().invoke(app, [str(a) for a in args])
    stderr = res.stderr
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(
            traceback.format_exception(res.exception))
    return Ran(res.exit_code, res.stdout, stderr)


def run_process(*args: str) -> Ran:
    res = subprocess.run([sys.executable, "-m", "accord", *map(str, args)],
                         capture_output=True, text=True, timeout=120)
    return Ran(res.returncode, res.stdout, res.stderr)


@pytest.fixture
def accord() -> Callable[..., Ran]:
    """``accord("forecast", "ukraine-2025", ...)``: the command, in this process."""
    return run_in_process


@pytest.fixture
def accord_process() -> Callable[..., Ran]:
    """``accord_process(...)``: the command as a real ``python -m accord`` process."""
    return run_process
