"""Fuzzing the loader, validation, forecast, report, shocks and the dashboard API (issue 11).

Every generated file (valid or mutated scenario data as YAML or JSON, text-level attacks:
alias bombs, deep nesting, huge numbers, tags, BOMs, other encodings) is either loaded or
refused with an :class:`~accord.errors.AccordError` whose message names the file; an
accepted one forecasts to finite numbers on its issues' scales, and runs through the
report, its shocks and ``POST /api/forecast``. ``make test`` runs a bounded number of
examples; ``make fuzz`` runs thousands (``tools/fuzz.py``, figures in docs/fuzz.md).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from fuzzing import finite_outcomes, mutated_scenario, scenario_file, valid_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord import shocks as shock_edits
from accord.analysis import forecast
from accord.errors import AccordError
from accord.report import build, render_html
from accord.scenario import ScenarioError, load, validate_data
from accord.web import Limits, create_app

EXAMPLES = int(os.environ.get("ACCORD_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
SPATIAL = ["compromise", "median", "nash"]


def _within_scales(sc, result) -> bool:
    for r in result.results:
        for k, issue in enumerate(sc.issues):
            lo, hi = sc.scale_of(issue)
            slack = 1e-9 * (hi - lo) + 1e-9
            x = float(r.point.outcome.ravel()[k])
            if not lo - slack <= x <= hi + slack:
                return False
    return True


@FUZZ
@given(scenario_file())
def test_a_file_is_loaded_or_refused_with_a_message(case: tuple[str, bytes]) -> None:
    suffix, raw = case
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"fuzz{suffix}"
        path.write_bytes(raw)
        try:
            sc = load(path)
        except AccordError as err:
            assert err.lines() and all(line.strip() for line in err.lines())
            assert "fuzz" in str(err)
            return
    result = forecast(sc, SPATIAL, draws=4, seed=1)
    assert finite_outcomes(result) and _within_scales(sc, result)


@FUZZ
@given(st.one_of(valid_scenario(), mutated_scenario()))
def test_data_is_validated_or_refused(data) -> None:
    try:
        sc = validate_data(data)
    except ScenarioError as err:
        assert err.problems
        return
    result = forecast(sc, SPATIAL, draws=3, seed=2)
    assert finite_outcomes(result) and _within_scales(sc, result)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Limits(max_draws=100))) as c:
        yield c


@settings(FUZZ, max_examples=max(8, EXAMPLES // 4))
@given(data=valid_scenario())
def test_an_accepted_case_runs_through_everything(client, data) -> None:
    """Forecast (every model), report, shocks and the dashboard API on an accepted case."""
    try:
        sc = validate_data(data)
    except ScenarioError:
        return
    result = forecast(sc, None, draws=3, seed=3)
    assert finite_outcomes(result)
    report = build(sc, ["compromise", "nash"], draws=3, seed=3, shocks=None)
    assert "<html" in render_html(report, embed_plotly=False).lower()
    for name, edits in sc.shocks.items():
        shock_edits.apply_edits(sc, edits, name)
    res = client.post("/api/forecast", json={"scenario": sc.to_data(), "draws": 3,
                                             "models": ["compromise", "median"]})
    assert res.status_code == 200, res.text
