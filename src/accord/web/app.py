"""The dashboard: FastAPI pages (Jinja2 + htmx) and a JSON API over the accord library.

Computes nothing itself: scenarios are validated by :mod:`accord.scenario`; forecasts (with
sensitivity and shocks) run by :func:`accord.report.build` over :mod:`accord.analysis` as jobs
on the store's bounded pool (the API's synchronous forecast waits for its job); figures and
the report come from :mod:`accord.report`. Safety: limits per request (actors, issues, draws,
models, body size, estimated CPU time: :func:`estimated_seconds`) and on the jobs in flight
(429 beyond), answered with clear 4xx; no file-system path taken from a request is ever
opened (static files are a fixed table read from the package); every user text is escaped by
Jinja2's autoescape and, inside figures, by the figure renderers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import jinja2
import yaml
from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

import accord
from accord import analysis
from accord import examples as builtin
from accord import models as model_registry
from accord import shocks as shock_edits
from accord.models.base import ModelSpecError
from accord.report import build, render_html, report_figures
from accord.report import figures as F
from accord.report.builder import install_filters
from accord.scenario import Scenario, ScenarioError, dumps, loads
from accord.shocks import ShockError
from accord.web import editor
from accord.web.store import Busy, Draft, Job, Limits, Store, new_job_id

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict[str, Any]]],
                    Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]


class ApiError(Exception):
    """A request the server will not do: status code, message, and maybe the problems."""

    def __init__(self, status: int, detail: str, problems: list[dict[str, Any]] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.problems = problems or []


# --------------------------------------------------------------------------- assets


_ASSETS: dict[str, tuple[str, str, str]] = {
    # name in the URL: (package, resource, media type) — a fixed table, nothing else served
    "htmx.min.js": ("accord.web", "static/htmx.min.js", "text/javascript"),
    "app.css": ("accord.web", "static/app.css", "text/css"),
    "plots.js": ("accord.report", "static/plots.js", "text/javascript"),
    "plotly.min.js": ("plotly", "package_data/plotly.min.js", "text/javascript"),
}


@cache
def asset(name: str) -> bytes:
    package, path, _ = _ASSETS[name]
    node = resources.files(package)
    for part in path.split("/"):
        node = node / part
    return node.read_bytes()


# --------------------------------------------------------------------------- cost

estimated_seconds = analysis.estimated_seconds  # the budget adds up the models' declared costs


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.0f} hours"


# --------------------------------------------------------------------------- middleware


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, counted as they arrive."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await self._refuse(scope, send)
                return
            chunks.append(body)
            more = message.get("more_body", False)
        whole = b"".join(chunks)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Any) -> None:
        text = (f"the request body is larger than this server's limit of {self.limit} bytes; "
                "send a smaller scenario")
        if scope.get("path", "").startswith("/api/"):
            body = json.dumps({"detail": text}).encode()
            kind = b"application/json"
        else:
            body = jinja2.utils.markupsafe.escape(text).encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                                "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
}


# --------------------------------------------------------------------------- API schema


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
    models: list[str] | None = Field(
        None, description="Model names or name:preset; default all registered.",
        examples=[["compromise", "median"]])
    draws: int = Field(1, ge=1, description="Monte Carlo draws (1 = central values).")
    seed: int = Field(0, ge=0, description="Seed of the draws.")
    options: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Model options KEY: VALUE, for every model that "
        "has them.")
    thresholds: list[str] = Field(
        default_factory=list, description="Events whose probability over the draws to "
        "report, e.g. \"territory>=80\" (>=, >, <=, <); needs draws > 1.",
        examples=[["territory>=80"]])
    background: bool = Field(False, description="Run as a job: answer 202 with its URL.")


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


class ErrorAnswer(BaseModel):
    detail: str
    problems: list[Problem] = Field(default_factory=list)


class JobAnswer(BaseModel):
    job: str
    status: str
    progress: str
    url: str
    error: str | None = None
    forecast: dict[str, Any] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorAnswer, "description": text} for code, text in {
        400: "The body is not valid JSON.",
        404: "No such example or job.",
        413: "The request body is over the server's limit.",
        422: "The request or the scenario is invalid, or over a limit (the message says "
             "which); `problems` lists every problem of a scenario with its path.",
        429: "Too many forecasts running; try again shortly.",
    }.items()
}


def _problems(err: ScenarioError) -> list[dict[str, Any]]:
    return [{"path": p.path, "line": p.line, "message": p.message} for p in err.problems]


def _plain(data: Any) -> Any:
    """YAML data with dates as ISO text (as the scenario loaders do)."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    if isinstance(data, dt.date | dt.datetime):
        return data.isoformat()
    return data


# --------------------------------------------------------------------------- the app


def create_app(limits: Limits | None = None) -> FastAPI:
    """The dashboard as an ASGI app (``uvicorn`` serves it; ``TestClient`` tests it)."""
    limits = limits or Limits()
    store = Store(limits)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="accord",
        version=accord.__version__,
        description="Forecast how multi-party negotiations end. The pages use this API's "
                    "library calls; the JSON endpoints are under /api.",
        docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json",
    )
    app.state.store = store
    app.state.limits = limits
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("accord.web", "templates"),
                                    jinja2.PackageLoader("accord.report", "templates")]),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    install_filters(env)
    env.globals["limits"] = limits
    env.globals["version"] = accord.__version__
    templates = Jinja2Templates(env=env)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)  # type: ignore[arg-type]

    # ------------------------------------------------------------- errors

    def _is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def page(request: Request, name: str, code: int = 200, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, ctx, status_code=code)

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, err: ApiError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": err.detail, "problems": err.problems},
                                status_code=err.status)
        name = "_error.html.j2" if request.headers.get("hx-request") else "error.html.j2"
        return page(request, name, err.status, status=err.status, detail=err.detail,
                    problems=err.problems)

    @app.exception_handler(RequestValidationError)
    async def on_invalid_request(request: Request, err: RequestValidationError) -> Response:
        errors = err.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return await on_api_error(request, ApiError(
                400, "the request body is not valid JSON: " + "; ".join(
                    str(e.get("ctx", {}).get("error", e.get("msg"))) for e in errors)))
        parts = []
        for e in errors:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{loc}: {e.get('msg')}" if loc else str(e.get("msg")))
        return await on_api_error(request, ApiError(422, "; ".join(parts)))

    # ------------------------------------------------------------- services

    def scenario_of(inp: ScenarioInput) -> Scenario:
        given = [x for x in (inp.scenario, inp.text, inp.example) if x is not None]
        if len(given) != 1:
            raise ApiError(422, "give exactly one of: scenario (data), text (with format), "
                                "example (a name)")
        try:
            if inp.example is not None:
                if inp.example not in builtin.example_names():
                    raise ApiError(404, f"no example named {inp.example!r}; the examples "
                                        f"are: {', '.join(builtin.example_names())}")
                sc = builtin.example(inp.example)
            elif inp.text is not None:
                sc = loads(inp.text, inp.format, "scenario")
            else:
                checked, problems = editor.check(inp.scenario)
                if checked is None:
                    raise ScenarioError(problems)
                sc = checked
        except ScenarioError as e:
            n = len(e.problems)
            raise ApiError(422, f"the scenario has {n} problem{'s' if n != 1 else ''}",
                           _problems(e)) from None
        check_size(sc)
        return sc

    def check_size(sc: Scenario) -> None:
        if len(sc.actors) > limits.max_actors:
            raise ApiError(422, f"the scenario has {len(sc.actors)} actors; this server takes "
                                f"at most {limits.max_actors}")
        if len(sc.issues) > limits.max_issues:
            raise ApiError(422, f"the scenario has {len(sc.issues)} issues; this server takes "
                                f"at most {limits.max_issues}")

    def check_run(models: list[str] | None, draws: int, options: dict[str, Any]
                  ) -> analysis.ModelPlan:
        if draws < 1:
            raise ApiError(422, f"draws must be at least 1, got {draws}")
        if draws > limits.max_draws:
            raise ApiError(422, f"draws {draws} is above this server's limit of "
                                f"{limits.max_draws}")
        if models is not None and len(models) > limits.max_models:
            raise ApiError(422, f"{len(models)} models asked; this server runs at most "
                                f"{limits.max_models} at once")
        if models is not None and not models:
            raise ApiError(422, "choose at least one model")
        try:
            plan = analysis.plan_models(models, {k: str(v) for k, v in options.items()})
        except ModelSpecError as e:
            raise ApiError(422, str(e)) from None
        if len(plan.models) > limits.max_models:
            raise ApiError(422, f"{len(plan.models)} models to run; this server runs at "
                                f"most {limits.max_models} at once")
        return plan

    def check_thresholds(sc: Scenario, texts: list[str], draws: int) -> list[Any]:
        try:
            parsed = [analysis.parse_threshold(t, sc.issue_ids) for t in texts]
        except analysis.AnalysisError as e:
            raise ApiError(422, str(e)) from None
        if parsed and draws < 2:
            raise ApiError(422, "a probability needs Monte Carlo draws: set draws to 2 or "
                                "more (e.g. 2000)")
        return parsed

    def start_job(sc: Scenario, plan: analysis.ModelPlan, draws: int, seed: int,
                  draft_id: str | None = None, thresholds: list[Any] | None = None,
                  shocks: list[str] | None = None, sensitivity: bool = False) -> Job:
        shocks = shocks or []
        cost = estimated_seconds(sc, plan, draws, len(shocks), sensitivity)
        if cost > limits.max_cost_seconds:
            extra = "".join([f", {len(shocks)} shocks" if shocks else "",
                             ", sensitivity" if sensitivity else ""])
            raise ApiError(422, f"this forecast would take about {_duration(cost)} of CPU "
                                f"({draws} draws × {len(sc.actors)} actors³ × {len(sc.issues)} "
                                f"issues for {len(plan.models)} models{extra}); this server's "
                                f"limit (max_cost_seconds) is {limits.max_cost_seconds:g} s "
                                "per forecast: use fewer draws, models, rounds or actors")
        n = len(plan.models)
        total = n * (1 + len(shocks)) + (n if sensitivity else 0)
        job = Job(new_job_id(), draft_id, plan.labels, draws, seed)

        def work(j: Job) -> Any:
            def step(name: str) -> None:
                j.done_models += 1
                j.progress = f"running {name} ({min(j.done_models, total)} of {total})"

            return build(sc, plan, draws=draws, seed=seed, thresholds=thresholds or (),
                         shocks=shocks, sensitivity=sensitivity, progress=step,
                         source="scenario.yaml")

        try:
            return store.submit(job, work)
        except Busy:
            raise ApiError(429, f"{limits.max_active_jobs} forecasts are already queued or "
                                "running; try again when one has finished") from None

    def get_job(job_id: str) -> Job:
        job = store.job(job_id)
        if job is None:
            raise ApiError(404, "no such job (finished jobs are forgotten after a while)")
        return job

    def get_draft(draft_id: str) -> Draft:
        draft = store.draft(draft_id)
        if draft is None:
            raise ApiError(404, "no such scenario draft (drafts live in the server's memory "
                                "and are gone after a restart)")
        return draft

    # ------------------------------------------------------------- JSON API

    @app.get("/api/examples", response_model=list[ExampleInfo], tags=["api"])
    def api_examples() -> list[dict[str, Any]]:
        """The built-in example scenarios."""
        out = []
        for name in builtin.example_names():
            sc = builtin.example(name)
            out.append({"name": name, "title": sc.title, "actors": len(sc.actors),
                        "issues": len(sc.issues)})
        return out

    @app.get("/api/examples/{name}", tags=["api"], responses={404: ERRORS[404]})
    def api_example(name: str) -> dict[str, Any]:
        """One example scenario as data (the YAML file's structure)."""
        if name not in builtin.example_names():
            raise ApiError(404, f"no example named {name!r}; the examples are: "
                                f"{', '.join(builtin.example_names())}")
        return {"name": name, "scenario": builtin.example(name).to_data()}

    @app.post("/api/validate", response_model=ValidationAnswer, tags=["api"],
              responses={k: ERRORS[k] for k in (400, 404, 413, 422)})
    def api_validate(inp: ScenarioInput) -> dict[str, Any]:
        """Check a scenario: every problem with its path (``valid: false``), or its size."""
        try:
            sc = scenario_of(inp)
        except ApiError as e:
            if e.status == 422 and e.problems:
                return {"valid": False, "problems": e.problems}
            raise
        return {"valid": True, "actors": len(sc.actors), "issues": len(sc.issues)}

    @app.post("/api/forecast", tags=["api"],
              responses={202: {"model": JobAnswer, "description": "Started as a job."},
                         **{k: ERRORS[k] for k in (400, 404, 413, 422, 429)}})
    def api_forecast(req: ForecastRequest) -> Any:
        """Forecast a scenario: the same document as ``accord forecast --json``.

        Every forecast is a job on the server's bounded pool: 429 when ``max_active_jobs`` are
        already queued or running, 422 when its estimated CPU time is above the server's
        limit. With ``background: true`` the answer is 202 with the job's URL, to poll with
        ``GET /api/jobs/{id}``; else the request waits for its job.
        """
        sc = scenario_of(req)
        plan = check_run(req.models, req.draws, req.options)
        thresholds = check_thresholds(sc, req.thresholds, req.draws)
        job = start_job(sc, plan, req.draws, req.seed, thresholds=thresholds)
        if req.background:
            return JSONResponse(job_answer(job), status_code=202)
        store.wait(job)
        if job.status != "done" or job.result is None:
            raise ApiError(500, f"the forecast failed: {job.error}")
        return analysis.to_json(job.result.result)

    def job_answer(job: Job) -> dict[str, Any]:
        return {"job": job.id, "status": job.status, "progress": job.progress,
                "url": f"/api/jobs/{job.id}", "error": job.error,
                "forecast": (analysis.to_json(job.result.result) if job.status == "done"
                             and job.result is not None else None)}

    @app.get("/api/jobs/{job_id}", response_model=JobAnswer, tags=["api"],
             responses={404: ERRORS[404]})
    def api_job(job_id: str) -> dict[str, Any]:
        """A forecast job: its status and, when done, the forecast."""
        return job_answer(get_job(job_id))

    # ------------------------------------------------------------- assets

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in _ASSETS:
            raise ApiError(404, "no such file")
        return Response(asset(name), media_type=_ASSETS[name][2],
                        headers={"Cache-Control": "public, max-age=3600"})

    # ------------------------------------------------------------- pages

    def editor_context(draft: Draft, **extra: Any) -> dict[str, Any]:
        sc, problems = editor.check(draft.data)
        ok = editor.editable(draft.data)
        return {
            "draft": draft, "ok": ok, "valid": sc is not None,
            "view": editor.table_view(draft.data) if ok else None,
            "placed": editor.place(problems, draft.data),
            "yaml_text": yaml.safe_dump(draft.data, sort_keys=False, allow_unicode=True,
                                        width=100),
            "models": model_registry.names(), **extra,
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> HTMLResponse:
        return page(request, "index.html.j2", examples=api_examples(),
                    drafts=store.drafts()[:20])

    @app.post("/drafts", include_in_schema=False)
    def new_draft(example: Annotated[str, Form()] = "") -> RedirectResponse:
        if example:
            if example not in builtin.example_names():
                raise ApiError(404, f"no example named {example!r}")
            draft = store.add_draft(builtin.example(example).to_data(), f"example {example}")
        else:
            blank = editor.add_actor(editor.add_issue({"title": "New scenario",
                                                      "issues": [], "actors": []}))
            draft = store.add_draft(blank, "new")
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)

    @app.post("/drafts/upload", include_in_schema=False)
    async def upload(file: UploadFile) -> RedirectResponse:
        raw = await file.read(limits.max_body_bytes + 1)
        if len(raw) > limits.max_body_bytes:
            raise ApiError(413, f"the file is larger than {limits.max_body_bytes} bytes")
        name = file.filename or "upload"
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, f"{name} is not UTF-8 text (a binary file?)") from None
        try:
            if suffix == "csv":
                data = loads(text, "csv", name).to_data()
            elif suffix in ("yaml", "yml", "json", "txt"):
                data = _plain(json.loads(text) if suffix == "json" else yaml.safe_load(text))
            else:
                raise ApiError(422, f"{name}: upload a .yaml, .yml, .json or .csv scenario")
        except ScenarioError as e:
            raise ApiError(422, f"{name} could not be read", _problems(e)) from None
        except (yaml.YAMLError, json.JSONDecodeError) as e:
            raise ApiError(422, f"{name} is not valid {suffix.upper()}: {e}") from None
        if not isinstance(data, dict):
            raise ApiError(422, f"{name} does not hold a scenario (a mapping with issues "
                                "and actors)")
        too_big(data)
        draft = store.add_draft(data, f"upload {name}")
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)

    def too_big(data: dict[str, Any]) -> None:
        for key, most in (("actors", limits.max_actors), ("issues", limits.max_issues)):
            items = data.get(key)
            if isinstance(items, list) and len(items) > most:
                raise ApiError(422, f"the scenario has {len(items)} {key}; this server takes "
                                    f"at most {most}")

    @app.get("/drafts/{draft_id}", response_class=HTMLResponse, include_in_schema=False)
    def edit_page(request: Request, draft_id: str) -> HTMLResponse:
        draft = get_draft(draft_id)
        job = store.job(draft.last_job) if draft.last_job else None
        extra = results_context(job) if job is not None else {}
        return page(request, "editor.html.j2", job=job, **extra, **editor_context(draft))

    async def form_of(request: Request) -> dict[str, str]:
        fields = limits.max_actors * (limits.max_issues * 12 + 8) + limits.max_issues * 8 + 50
        form = await request.form(max_files=0, max_fields=fields)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def editor_body(request: Request, draft: Draft) -> HTMLResponse:
        return page(request, "_editor.html.j2", **editor_context(draft))

    @app.post("/drafts/{draft_id}/edit", response_class=HTMLResponse, include_in_schema=False)
    async def edit(request: Request, draft_id: str) -> HTMLResponse:
        draft = get_draft(draft_id)
        if editor.editable(draft.data):
            draft.data = editor.apply_form(draft.data, await form_of(request))
        return editor_body(request, draft)

    @app.post("/drafts/{draft_id}/{what}/add", response_class=HTMLResponse,
              include_in_schema=False)
    async def add(request: Request, draft_id: str, what: Literal["actors", "issues"]
                  ) -> HTMLResponse:
        draft = get_draft(draft_id)
        if not editor.editable(draft.data):
            raise ApiError(422, "fix the scenario's YAML first")
        data = editor.apply_form(draft.data, await form_of(request))
        most = limits.max_actors if what == "actors" else limits.max_issues
        if len(data.get(what, [])) >= most:
            raise ApiError(422, f"this server takes at most {most} {what}")
        draft.data = editor.add_actor(data) if what == "actors" else editor.add_issue(data)
        return editor_body(request, draft)

    @app.post("/drafts/{draft_id}/{what}/{index}/remove", response_class=HTMLResponse,
              include_in_schema=False)
    async def remove(request: Request, draft_id: str, what: Literal["actors", "issues"],
                     index: int) -> HTMLResponse:
        draft = get_draft(draft_id)
        if not editor.editable(draft.data):
            raise ApiError(422, "fix the scenario's YAML first")
        data = editor.apply_form(draft.data, await form_of(request))
        if not 0 <= index < len(data.get(what, [])):
            raise ApiError(404, f"no {what[:-1]} number {index + 1}")
        draft.data = (editor.remove_actor(data, index) if what == "actors"
                      else editor.remove_issue(data, index))
        return editor_body(request, draft)

    @app.post("/drafts/{draft_id}/yaml", response_class=HTMLResponse, include_in_schema=False)
    def edit_yaml(request: Request, draft_id: str, text: Annotated[str, Form()]
                  ) -> HTMLResponse:
        draft = get_draft(draft_id)
        try:
            data = _plain(yaml.safe_load(text))
        except yaml.YAMLError as e:
            raise ApiError(422, f"the text is not valid YAML: {e}") from None
        if not isinstance(data, dict):
            raise ApiError(422, "the YAML must be a mapping with issues and actors")
        too_big(data)
        draft.data = data
        return editor_body(request, draft)

    @app.get("/drafts/{draft_id}/scenario.yaml", include_in_schema=False)
    def download_yaml(draft_id: str) -> Response:
        draft = get_draft(draft_id)
        sc, _ = editor.check(draft.data)
        text = (dumps(sc, "yaml") if sc is not None else
                yaml.safe_dump(draft.data, sort_keys=False, allow_unicode=True, width=100))
        return Response(text, media_type="application/x-yaml; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{_slug(draft.data)}.yaml"'})

    @app.post("/drafts/{draft_id}/run", response_class=HTMLResponse, include_in_schema=False)
    async def run(request: Request, draft_id: str) -> HTMLResponse:
        draft = get_draft(draft_id)
        form = await request.form(max_files=0, max_fields=20000)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if editor.editable(draft.data):  # the editor's pending edits come along
            draft.data = editor.apply_form(draft.data, fields)
        models = [m for m in form.getlist("model") if isinstance(m, str)]
        draws = _int(fields.get("draws", "1"), "draws")
        seed = _int(fields.get("seed", "0"), "seed")
        sc, problems = editor.check(draft.data)
        if sc is None:
            raise ApiError(422, f"the scenario has {len(problems)} problem"
                                f"{'s' if len(problems) != 1 else ''}; fix them first",
                           [{"path": p.path, "line": p.line, "message": p.message}
                            for p in problems])
        check_size(sc)
        plan = check_run(models, draws, {})
        texts = [t for t in re.split(r"[,;\s]+", fields.get("thresholds", "")) if t]
        thresholds = check_thresholds(sc, texts, draws)
        shocks = list(sc.shocks) if fields.get("shocks") else []
        try:  # a shock that cannot be applied is the user's to fix: say so before running
            for name, edits in shock_edits.resolve(sc, shocks).items():
                shock_edits.apply_edits(sc, edits, name)
        except ShockError as e:
            raise ApiError(422, f"shock: {e}") from None
        except ScenarioError as e:
            raise ApiError(422, "a shock makes the scenario invalid", _problems(e)) from None
        job = start_job(sc, plan, draws, seed, draft.id, thresholds, shocks,
                        sensitivity=bool(fields.get("sensitivity")))
        draft.last_job = job.id
        return page(request, "_job.html.j2", job=job, **results_context(job))

    @app.get("/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def job_page(request: Request, job_id: str) -> HTMLResponse:
        job = get_job(job_id)
        return page(request, "_job.html.j2", job=job, **results_context(job))

    @app.get("/jobs/{job_id}/report.html", include_in_schema=False)
    def job_report(job_id: str) -> Response:
        job = get_job(job_id)
        if job.result is None:
            raise ApiError(409 if job.active else 422, "the forecast has not finished"
                           if job.active else f"the forecast failed: {job.error}")
        html = render_html(job.result)
        return Response(html, media_type="text/html; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="report.html"'})

    def results_context(job: Job) -> dict[str, Any]:
        """The job's state, read once (the worker may finish meanwhile), and its results."""
        state = job.status  # the worker sets result before status: done implies a result
        if state != "done" or job.result is None:
            return {"state": state}
        rep = job.result
        r = rep.result
        labels = F.model_labels(r)
        summary = analysis.summary_table(r)
        return {"state": state, "result": r, "report": rep, "labels": labels,
                "figs": report_figures(rep), "summary": summary}

    def _int(text: str, name: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise ApiError(422, f"{name} must be a whole number, got {text!r}") from None

    return app


def _slug(data: Any) -> str:
    title = data.get("title") if isinstance(data, dict) else None
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(title or "")).strip("-").lower()[:40]
    return slug or "scenario"
