"""The JSON API under ``/api``: examples, validate, forecast, jobs, and its documentation.

Request and response models are declared here, so ``/api/openapi.json`` describes every
answer; ``/api/docs`` is Swagger UI 5 served from the installed ``swagger-ui-py`` package
(never a CDN). ``POST /api/forecast`` answers the document of ``accord forecast --json``
(with ``shocks`` and ``prob`` as on the command line) plus, when asked, ``sensitivity``: the
document of ``accord sensitivity --json``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from accord import examples as builtin
from accord.web.services import ApiError, ServiceDep
from accord.web.store import Job

router = APIRouter(prefix="/api", tags=["api"])


# --------------------------------------------------------------------------- requests


class ScenarioInput(BaseModel):
    """A scenario given as data, as text in a format, or by a built-in example's name."""

    model_config = ConfigDict(extra="forbid")
    scenario: dict[str, Any] | None = Field(
        None, description="The scenario as data (the YAML file's structure).")
    text: str | None = Field(None, description="The scenario as text in `format`.")
    format: Literal["yaml", "json", "csv"] = "yaml"
    example: str | None = Field(None, description="A built-in example's name.",
                                examples=["ukraine-2025"])


class ForecastRequest(ScenarioInput):
    """What ``accord forecast`` takes, as JSON (``--model``, ``--draws``, ``--seed``,
    ``--option``, ``--prob``, ``--shock``), plus the dashboard's sensitivity analysis."""

    models: list[str] | None = Field(
        None, description="Model names or name:preset; default all registered.",
        examples=[["compromise", "median"]])
    draws: int = Field(1, ge=1, description="Monte Carlo draws (1 = central values).")
    seed: int = Field(0, ge=0, description="Seed of the draws.")
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Model options KEY: VALUE, for every model that "
        "has them.")
    prob: list[str] = Field(
        default_factory=list, description="Events whose probability over the draws to "
        "report, e.g. \"territory>=80\" (>=, >, <=, <); needs draws > 1 (`--prob`).",
        examples=[["territory>=80"]])
    thresholds: list[str] = Field(
        default_factory=list, description="Older name of `prob`; both are read.")
    shocks: list[str] = Field(
        default_factory=list, description="Shocks to run beside the base (`--shock`): names "
        "of the scenario's shocks or edits such as \"RUS.capability=40\", \"drop:EUR\" (loose "
        "edits together form one shock).", examples=[["us-walks-away"]])
    sensitivity: bool = Field(
        False, description="Also rank the ranged inputs by how much they move each model's "
        "forecast (the document of `accord sensitivity --json`, under `sensitivity`).")
    background: bool = Field(False, description="Run as a job: answer 202 with its URL.")


# --------------------------------------------------------------------------- answers


class Problem(BaseModel):
    path: str
    line: int | None = None
    message: str


class ValidationAnswer(BaseModel):
    valid: bool
    actors: int | None = None
    issues: int | None = None
    problems: list[Problem] = Field(default_factory=list)


class ExampleInfo(BaseModel):
    name: str
    title: str
    actors: int
    issues: int


class ExampleAnswer(BaseModel):
    name: str
    scenario: dict[str, Any]


class ErrorAnswer(BaseModel):
    detail: str
    problems: list[Problem] = Field(default_factory=list)


class ScenarioInfo(BaseModel):
    title: str
    actors: list[str]
    issues: list[str]


class ForecastEntry(BaseModel):
    """One model's forecast (its ``label`` tells variants of one model apart).

    Which keys appear: ``model``, ``label``, ``options``, ``outcome``, ``rounds`` and
    ``notes`` always; ``distribution`` and ``draw_notes`` exactly when ``draws`` > 1;
    ``probabilities`` exactly when the request asked for events (``prob``, which needs
    ``draws`` > 1), with one entry per event the model answers (the war model's
    ``agreement<=DATE`` events only under the war model); ``predictive`` and
    ``calibration`` when the server has a calibration of that model (``accord serve
    --calibration``; the shipped one covers every model but war); ``swing`` for models whose
    rounds may not settle (bdm); ``war`` for the war model only; ``explanation`` when the
    model explains itself."""

    model: str
    label: str
    options: dict[str, Any]
    outcome: dict[str, float | None] = Field(description="Issue id -> point forecast.")
    distribution: dict[str, dict[str, float | None]] | None = Field(
        None, description="Issue id -> mean and quantiles over the draws. Present exactly "
        "when draws > 1.")
    probabilities: dict[str, float] | None = Field(
        None, description="Event -> probability over the draws, each in [0, 1]. Present "
        "exactly when the request has `prob` (or `thresholds`), which needs draws > 1.")
    rounds: list[dict[str, Any]] = Field(description="The central run, round by round.")
    swing: dict[str, list[float | None]] | None = Field(
        None, description="Models whose rounds may not settle (bdm): issue id -> lowest and "
        "highest round outcome over the final cycle; the outcome is their cycle's median.")
    notes: list[str] = Field(default_factory=list, description="What the model says about "
                             "its central run (non-convergence, rescaled saliences).")
    draw_notes: list[str] | None = Field(None, description="The same for the draws. "
                                         "Present exactly when draws > 1.")
    explanation: dict[str, Any] | None = Field(
        None, description="Why: the model's own explanation (`general` sentences; per issue "
        "`sentences` and `facts`).")
    war: dict[str, Any] | None = Field(
        None, description="Present for the war model only: its answer (bargaining under "
        "fire): p_range_now, agreement_by (per period: date, p, band), time_to_agreement, "
        "terms, p_victory, per_period (front, beliefs, L, U).")
    predictive: dict[str, dict[str, float | None]] | None = Field(
        None, description="Issue id -> mean and quantiles of the calibrated predictive "
        "distribution (the model's own error on the calibration corpus added).")
    calibration: dict[str, Any] | None = Field(
        None, description="Where the calibration comes from: name, corpus, n, date, accord "
        "version, method.")


class ShockEntry(BaseModel):
    """One shock (a named shock of the scenario, or the request's loose edits together): the
    same models as the base, on the shocked scenario, and the difference from the base."""

    name: str
    edits: list[str]
    forecasts: list[ForecastEntry] = Field(
        description="One per base forecast, same labels and order, same key rules.")
    difference: dict[str, dict[str, float | None]] = Field(
        description="Model label -> issue -> shocked minus base (point forecasts).")
    difference_mean: dict[str, dict[str, float | None]] | None = Field(
        None, description="The same for the means over the draws. Present exactly when "
        "draws > 1.")


class SensitivityDocument(BaseModel):
    scenario: dict[str, Any]
    inputs: str
    spread: float | None = None
    models: list[dict[str, Any]]


class ForecastDocument(BaseModel):
    """The document of ``accord forecast --json`` (and ``sensitivity`` when asked).

    Cross-field rules: ``draws`` and ``seed`` are the request's; ``forecasts`` has one entry
    per model run (the request's ``models`` in order, ensembles after their members; every
    registered model when ``models`` is omitted, the war model only for a scenario with a
    ``conflict:`` section, else a line in ``notes``), labels unique; ``shocks`` is present
    exactly when the request has ``shocks``; ``sensitivity`` exactly when it has
    ``sensitivity: true``; ``notes`` when the run left something out."""

    scenario: ScenarioInfo
    draws: int = Field(description="The request's draws (1: central values only).")
    seed: int
    forecasts: list[ForecastEntry]
    shocks: list[ShockEntry] | None = Field(
        None, description="Present exactly when the request has `shocks`: one entry per "
        "shock (each named shock, and the loose edits together as one).")
    sensitivity: SensitivityDocument | None = Field(
        None, description="Present exactly when the request has `sensitivity: true`: the "
        "document of `accord sensitivity --json`, one entry per model under `models`.")
    notes: list[str] | None = Field(None, description="What the run left out, and why "
                                    "(e.g. the war model without a conflict: section).")


class JobAnswer(BaseModel):
    job: str
    status: str
    progress: str
    url: str
    error: str | None = None
    forecast: ForecastDocument | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorAnswer, "description": text} for code, text in {
        400: "The body is not valid JSON.",
        404: "No such example or job.",
        413: "The request body is over the server's limit.",
        422: "The request or the scenario is invalid, or over a limit (the message says "
             "which): the estimated CPU time over `max_cost_seconds`, or the forecast cancelled "
             "at the wall-clock limit `max_job_seconds`; `problems` lists every problem of a "
             "scenario with its path.",
        429: "Too many forecasts running; try again shortly.",
    }.items()
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {k: ERRORS[k] for k in codes}


# --------------------------------------------------------------------------- endpoints


def example_infos() -> list[dict[str, Any]]:
    out = []
    for name in builtin.example_names():
        sc = builtin.example(name)
        out.append({"name": name, "title": sc.title, "actors": len(sc.actors),
                    "issues": len(sc.issues)})
    return out


@router.get("/examples", response_model=list[ExampleInfo])
def api_examples() -> list[dict[str, Any]]:
    """The built-in example scenarios."""
    return example_infos()


@router.get("/examples/{name}", response_model=ExampleAnswer, responses=_errors(404))
def api_example(name: str, service: ServiceDep) -> dict[str, Any]:
    """One example scenario as data (the YAML file's structure)."""
    return {"name": name, "scenario": service.example(name).to_data()}


@router.post("/validate", response_model=ValidationAnswer,
             responses=_errors(400, 404, 413, 422))
def api_validate(inp: ScenarioInput, service: ServiceDep) -> dict[str, Any]:
    """Check a scenario: every problem with its path (``valid: false``), or its size."""
    try:
        sc = service.scenario(inp.scenario, inp.text, inp.format, inp.example)
    except ApiError as e:
        if e.status == 422 and e.problems:
            return {"valid": False, "problems": e.problems}
        raise
    return {"valid": True, "actors": len(sc.actors), "issues": len(sc.issues)}


def job_answer(job: Job) -> dict[str, Any]:
    return {"job": job.id, "status": job.status, "progress": job.progress,
            "url": f"/api/jobs/{job.id}", "error": job.error,
            "forecast": (job.result.to_json() if job.status == "done"
                         and job.result is not None else None)}


@router.post("/forecast", response_model=ForecastDocument, response_model_exclude_unset=True,
             responses={202: {"model": JobAnswer, "description": "Started as a job."},
                        **_errors(400, 404, 413, 422, 429)})
def api_forecast(req: ForecastRequest, service: ServiceDep) -> Any:
    """Forecast a scenario: the same document as ``accord forecast --json`` with the same
    models, draws, seed, options, ``--prob`` and ``--shock``; with ``sensitivity`` also the
    document of ``accord sensitivity --json`` under ``sensitivity``.

    Every forecast is a job in one of the server's worker processes: 429 when
    ``max_active_jobs`` are already queued or running; 422 when its estimated CPU time is
    above the server's limit (``max_cost_seconds``, refused before it starts), or when it ran
    past the wall-clock limit (``max_job_seconds``: its worker process is killed, the message
    says the limit and how to ask for less, and the next job gets a fresh worker). With
    ``background: true`` the answer is 202 with the job's URL, to poll with
    ``GET /api/jobs/{id}`` (a cancelled job is ``failed`` with that message as ``error``);
    else the request waits for its job.
    """
    sc = service.scenario(req.scenario, req.text, req.format, req.example)
    plan = service.plan(req.models, req.draws, req.options)
    thresholds = service.thresholds(sc, [*req.prob, *req.thresholds], req.draws)
    shocks = service.shocks(sc, req.shocks)
    sensitivity = service.sensitivity(sc, req.sensitivity)
    job = service.start_job(sc, plan, req.draws, req.seed, thresholds=thresholds,
                            shocks=shocks, sensitivity=sensitivity)
    if req.background:
        return JSONResponse(JobAnswer.model_validate(job_answer(job)).model_dump(
            exclude_unset=True), status_code=202)
    service.store.wait(job)
    if job.timed_out or job.user_error:
        raise ApiError(422, job.error or "the forecast passed the wall-clock limit")
    if job.status != "done" or job.result is None:
        raise ApiError(500, f"the forecast failed: {job.error}")
    return job.result.to_json()


@router.get("/jobs/{job_id}", response_model=JobAnswer, response_model_exclude_unset=True,
            responses=_errors(404))
def api_job(job_id: str, service: ServiceDep) -> dict[str, Any]:
    """A forecast job: its status and, when done, the forecast."""
    return job_answer(service.job(job_id))


# --------------------------------------------------------------------------- docs

SWAGGER_INIT = "swagger-init.js"


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs() -> HTMLResponse:
    """Swagger UI from this server's /static (the swagger-ui-py package): no CDN, no
    inline script (the pages' Content-Security-Policy holds here too)."""
    return HTMLResponse("""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>accord API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/openapi.json"></div>
<script src="/static/swagger-ui-bundle.js"></script>
<script src="/static/""" + SWAGGER_INIT + """"></script>
</body>
</html>
""")
