"""The dashboard's pages (Jinja2 + htmx) and the static files they load.

A page parses the form, asks :mod:`accord.web.services` (the store, the limits, the jobs) and
:mod:`accord.web.editor`, and renders a template; it computes nothing. Static files are a
fixed table read from installed packages (htmx, plotly.js, Swagger UI), never a CDN, and no
file-system path is taken from a request.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord import analysis
from accord import models as model_registry
from accord.report import figures as F
from accord.report import render_html, report_figures
from accord.scenario import ScenarioError, dumps, loads, parse_text
from accord.scenario.schema import text_problems
from accord.web import editor
from accord.web.api import example_infos
from accord.web.services import ApiError, ServiceDep, plain, problems_of
from accord.web.store import Draft, Job, Limits

router = APIRouter(include_in_schema=False)


# --------------------------------------------------------------------------- assets


ASSETS: dict[str, tuple[str, str, str]] = {
    # name in the URL: (package, resource, media type) — a fixed table, nothing else served.
    # Swagger UI 5 (it reads OpenAPI 3.1) from the swagger-ui-py package (Apache-2.0)
    "htmx.min.js": ("accord.web", "static/htmx.min.js", "text/javascript"),
    "app.css": ("accord.web", "static/app.css", "text/css"),
    "plots.js": ("accord.report", "static/plots.js", "text/javascript"),
    "plotly.min.js": ("plotly", "package_data/plotly.min.js", "text/javascript"),
    "swagger-init.js": ("accord.web", "static/swagger-init.js", "text/javascript"),
    "swagger-ui-bundle.js": ("swagger_ui", "static/swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": ("swagger_ui", "static/swagger-ui.css", "text/css"),
}


@cache
def asset(name: str) -> bytes:
    package, path, _ = ASSETS[name]
    node = resources.files(package)
    for part in path.split("/"):
        node = node / part
    return node.read_bytes()


def page(request: Request, name: str, code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a template of the app's Jinja2 environment (``app.state.templates``)."""
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=code)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in ASSETS:
        raise ApiError(404, "no such file")
    return Response(asset(name), media_type=ASSETS[name][2],
                    headers={"Cache-Control": "public, max-age=3600"})


# --------------------------------------------------------------------------- pages


def article_context(draft: Draft) -> dict[str, Any]:
    """The article a draft came from, cut into segments with the evidence marked."""
    if draft.article is None:
        return {"article": None}
    from accord.draft.build import evidence_in
    from accord.draft.text import highlight

    art = draft.article
    quotes = evidence_in(draft.data, art["id"])
    return {"article": art, "segments": highlight(art["text"], quotes),
            "quoted": sum(art["text"].count(q) > 0 for q in quotes)}


def editor_context(draft: Draft, **extra: Any) -> dict[str, Any]:
    sc, problems = editor.check(draft.data)
    ok = editor.editable(draft.data)
    return {**article_context(draft),
        "draft": draft, "ok": ok, "valid": sc is not None,
        "view": editor.table_view(draft.data) if ok else None,
        "placed": editor.place(problems, draft.data),
        "yaml_text": yaml.safe_dump(draft.data, sort_keys=False, allow_unicode=True,
                                    width=100),
        "models": model_registry.names(), **extra,
    }


@router.get("/", response_class=HTMLResponse)
def index(request: Request, service: ServiceDep) -> HTMLResponse:
    return page(request, "index.html.j2", examples=example_infos(),
                drafts=service.store.drafts()[:20])


@router.post("/drafts")
def new_draft(service: ServiceDep, example: Annotated[str, Form()] = "") -> RedirectResponse:
    if example:
        draft = service.store.add_draft(service.example(example).to_data(),
                                        f"example {example}")
    else:
        blank = editor.add_actor(editor.add_issue({"title": "New scenario",
                                                  "issues": [], "actors": []}))
        draft = service.store.add_draft(blank, "new")
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)


@router.post("/drafts/upload")
async def upload(file: UploadFile, service: ServiceDep) -> RedirectResponse:
    raw = await file.read(service.limits.max_body_bytes + 1)
    if len(raw) > service.limits.max_body_bytes:
        raise ApiError(413, f"the file is larger than {service.limits.max_body_bytes} bytes")
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
            data = plain(parse_text(text, "json" if suffix == "json" else "yaml", name)[0])
            unreadable = text_problems(data)
            if unreadable:
                raise ScenarioError(unreadable)
        else:
            raise ApiError(422, f"{name}: upload a .yaml, .yml, .json or .csv scenario")
    except ScenarioError as e:
        raise ApiError(422, f"{name} could not be read", problems_of(e)) from None
    if not isinstance(data, dict):
        raise ApiError(422, f"{name} does not hold a scenario (a mapping with issues "
                            "and actors)")
    service.too_big(data)
    draft = service.store.add_draft(data, f"upload {name}")
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)


@router.post("/drafts/from-text")
async def from_text(service: ServiceDep, text: Annotated[str, Form()] = "",
                    file: UploadFile | None = None) -> RedirectResponse:
    """Draft a scenario from a pasted or uploaded article with the offline engine (nothing
    leaves the server) and open it in the editor beside the article."""
    from accord import draft as drafting
    from accord.errors import DraftError

    name = "pasted-article.txt"
    is_html = False
    if file is not None and file.filename:
        raw = await file.read(service.limits.max_body_bytes + 1)
        if len(raw) > service.limits.max_body_bytes:
            raise ApiError(413, f"the file is larger than {service.limits.max_body_bytes} bytes")
        name = file.filename
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if suffix not in ("txt", "text", "html", "htm", "md"):
            raise ApiError(422, f"{name}: upload an article as .txt or .html")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(422, f"{name} is not UTF-8 text") from None
        is_html = suffix in ("html", "htm")
    try:
        article = drafting.article_from_text(text, name, html=is_html)
        result = drafting.draft([article])
    except DraftError as e:
        raise ApiError(422, str(e)) from None
    data = result.scenario.to_data()
    service.too_big(data)
    draft = service.store.add_draft(data, f"drafted from {name}")
    draft.article = {"id": article.id, "title": name, "text": article.text,
                     "summary": result.summary.lines()}
    return RedirectResponse(f"/drafts/{draft.id}", status_code=303)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def edit_page(request: Request, draft_id: str, service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
    job = service.store.job(draft.last_job) if draft.last_job else None
    extra = results_context(job) if job is not None else {}
    return page(request, "editor.html.j2", job=job, **extra, **editor_context(draft))


async def form_of(request: Request, limits: Limits) -> dict[str, str]:
    fields = limits.max_actors * (limits.max_issues * 12 + 8) + limits.max_issues * 8 + 50
    form = await request.form(max_files=0, max_fields=fields)
    return {k: v for k, v in form.items() if isinstance(v, str)}


def editor_body(request: Request, draft: Draft) -> HTMLResponse:
    return page(request, "_editor.html.j2", **editor_context(draft))


@router.post("/drafts/{draft_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, draft_id: str, service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
    if editor.editable(draft.data):
        draft.data = editor.apply_form(draft.data, await form_of(request, service.limits))
    return editor_body(request, draft)


@router.post("/drafts/{draft_id}/{what}/add", response_class=HTMLResponse)
async def add(request: Request, draft_id: str, what: Literal["actors", "issues"],
              service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
    if not editor.editable(draft.data):
        raise ApiError(422, "fix the scenario's YAML first")
    data = editor.apply_form(draft.data, await form_of(request, service.limits))
    most = service.limits.max_actors if what == "actors" else service.limits.max_issues
    if len(data.get(what, [])) >= most:
        raise ApiError(422, f"this server takes at most {most} {what}")
    draft.data = editor.add_actor(data) if what == "actors" else editor.add_issue(data)
    return editor_body(request, draft)


@router.post("/drafts/{draft_id}/{what}/{index}/remove", response_class=HTMLResponse)
async def remove(request: Request, draft_id: str, what: Literal["actors", "issues"],
                 index: int, service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
    if not editor.editable(draft.data):
        raise ApiError(422, "fix the scenario's YAML first")
    data = editor.apply_form(draft.data, await form_of(request, service.limits))
    if not 0 <= index < len(data.get(what, [])):
        raise ApiError(404, f"no {what[:-1]} number {index + 1}")
    draft.data = (editor.remove_actor(data, index) if what == "actors"
                  else editor.remove_issue(data, index))
    return editor_body(request, draft)


@router.post("/drafts/{draft_id}/yaml", response_class=HTMLResponse)
def edit_yaml(request: Request, draft_id: str, text: Annotated[str, Form()],
              service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
    try:
        data = plain(parse_text(text, "yaml", "the text")[0])
        unreadable = text_problems(data)
        if unreadable:
            raise ScenarioError(unreadable)
    except ScenarioError as e:
        raise ApiError(422, "the text is not valid YAML", problems_of(e)) from None
    if not isinstance(data, dict):
        raise ApiError(422, "the YAML must be a mapping with issues and actors")
    service.too_big(data)
    draft.data = data
    return editor_body(request, draft)


@router.get("/drafts/{draft_id}/scenario.yaml")
def download_yaml(draft_id: str, service: ServiceDep) -> Response:
    draft = service.draft(draft_id)
    sc, _ = editor.check(draft.data)
    text = (dumps(sc, "yaml") if sc is not None else
            yaml.safe_dump(draft.data, sort_keys=False, allow_unicode=True, width=100))
    return Response(text, media_type="application/x-yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_slug(draft.data)}.yaml"'})


@router.post("/drafts/{draft_id}/run", response_class=HTMLResponse)
async def run(request: Request, draft_id: str, service: ServiceDep) -> HTMLResponse:
    draft = service.draft(draft_id)
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
    service.check_size(sc)
    plan = service.plan(models, draws, {})
    texts = [t for t in re.split(r"[,;\s]+", fields.get("thresholds", "")) if t]
    thresholds = service.thresholds(sc, texts, draws)
    shocks = service.shocks(sc, list(sc.shocks) if fields.get("shocks") else [])
    job = service.start_job(sc, plan, draws, seed, draft.id, thresholds, shocks,
                            sensitivity=bool(fields.get("sensitivity")))
    draft.last_job = job.id
    return page(request, "_job.html.j2", job=job, **results_context(job))


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, service: ServiceDep) -> HTMLResponse:
    job = service.job(job_id)
    return page(request, "_job.html.j2", job=job, **results_context(job))


@router.get("/jobs/{job_id}/report.html")
def job_report(job_id: str, service: ServiceDep) -> Response:
    job = service.job(job_id)
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
            "figs": report_figures(rep), "summary": summary, "why": analysis.brief(r)}


def _int(text: str, name: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ApiError(422, f"{name} must be a whole number, got {text!r}") from None


def _slug(data: Any) -> str:
    title = data.get("title") if isinstance(data, dict) else None
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(title or "")).strip("-").lower()[:40]
    return slug or "scenario"
