"""The JSON API against its own OpenAPI document, with schemathesis (issue 11): every
operation with generated requests, schema-valid and schema-invalid ("positive" and
"negative" modes), each answer checked for: no server error (5xx), a documented status code
and content type, and a body that matches the documented response schema (the forecast's
200 included: :class:`accord.web.api.ForecastDocument`); a schema-invalid request must be
refused (4xx).

Left out: schemathesis's "schema-valid request accepted" check, because a scenario can be
valid JSON of the documented shape and still not a valid scenario (an actor without a
position, a shock that names no actor): the API answers those 422 with every problem, by
design. ``tools/schemathesis.sh`` runs the same checks with thousands of cases against a live
``accord serve``; figures in docs/schemathesis.md.

Bounded: 40 generated cases per operation on a server with small limits (50 draws,
2 s of estimated CPU, 20 s of wall clock per job), a few seconds in all.
"""

from __future__ import annotations

import pytest
import schemathesis
from forecast_rules import check_forecast_document
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accord.web import Limits, create_app

APP = create_app(Limits(max_draws=50, max_cost_seconds=2.0, max_job_seconds=20.0,
                        max_active_jobs=50))


async def without_lifespan(scope, receive, send) -> None:
    """The app without its start-up and shutdown: schemathesis's ASGI client runs them around
    every request, which would restart the forecast workers each time."""
    if scope["type"] == "lifespan":
        return
    await APP(scope, receive, send)


schema = schemathesis.openapi.from_asgi("/api/openapi.json", without_lifespan)
schema.config.generation.update(modes=["positive", "negative"])
SEEN: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def workers():
    yield
    APP.state.store.close()  # the forecast workers of this module's app


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_openapi_document(case) -> None:
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    key = f"{case.method} {case.path} {response.status_code}"
    SEEN[key] = SEEN.get(key, 0) + 1
    assert response.status_code < 500
    if (case.method, case.path, response.status_code) == ("POST", "/api/forecast", 200):
        check_forecast_document(case.body, response.json())  # the described rules


def test_the_generated_cases_reached_every_operation() -> None:
    # runs after the generated tests (file order): they sent valid and invalid requests
    answered = {k.rsplit(" ", 1)[0] for k in SEEN}
    assert {"GET /api/examples", "GET /api/examples/{name}", "POST /api/validate",
            "POST /api/forecast", "GET /api/jobs/{job_id}"} <= answered
    assert SEEN.get("POST /api/forecast 200", 0) >= 1  # a forecast's answer was checked
    assert not any(int(k.rsplit(" ", 1)[1]) >= 500 for k in SEEN)
