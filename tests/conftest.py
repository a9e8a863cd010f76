"""What many test files share: small scenarios, and the ``accord`` command run in-process.

Builders (factory fixtures, so a test asks for what it needs):

- ``scenario_data(**changes)``: the data of a small valid scenario (one issue ``x`` on 0–100;
  A at 0 with capability 1, B at 100 with capability 3, saliences 100), with top-level keys
  replaced by ``changes``; ``scenario(**changes)`` is the same, validated; ``scenario_file``
  writes it as YAML into the test's tmp_path and returns the path.

The ledger:

- ``ledger_url``: a fresh, empty ledger URL, once an SQLite file and once a schema of its own
  on PostgreSQL (``ACCORD_TEST_POSTGRES_URL``, which `.ci/run` sets after starting a server
  with `.ci/start-postgres`). Without a server those tests skip with the reason, unless
  ``ACCORD_REQUIRE_POSTGRES=1`` (set by `.ci/run`), where they fail.

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

import os
import subprocess
import sys
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


# --------------------------------------------------------------------------- ledger

POSTGRES_URL = os.environ.get("ACCORD_TEST_POSTGRES_URL", "").strip()
REQUIRE_POSTGRES = os.environ.get("ACCORD_REQUIRE_POSTGRES") == "1"


def _postgres_schema_url(base: str) -> Iterator[str]:
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty ledger URL: an SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ACCORD_REQUIRE_POSTGRES=1 (set by .ci/run) but "
                        "ACCORD_TEST_POSTGRES_URL names no PostgreSQL server")
        pytest.skip("no PostgreSQL server: set ACCORD_TEST_POSTGRES_URL (.ci/start-postgres "
                    "starts one) to run the ledger tests against PostgreSQL")
    yield from _postgres_schema_url(POSTGRES_URL)
