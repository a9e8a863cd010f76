"""The dashboard's app factory: FastAPI with the pages and the JSON API as routers.

- :mod:`accord.web.pages`: the pages (Jinja2 + htmx) and the static files;
- :mod:`accord.web.api`: the JSON API under ``/api`` with its request and response models,
  and ``/api/docs`` (Swagger UI from the installed package);
- :mod:`accord.web.services`: what both share: the store (``Depends(get_store)``), the limits,
  the checks and the forecast jobs.

Computes nothing itself: scenarios are validated by :mod:`accord.scenario`; forecasts (with
sensitivity and shocks) run by :func:`accord.report.build` over :mod:`accord.analysis` as jobs
in the store's worker processes, killed at the wall-clock limit (:mod:`accord.web.workers`;
the API's synchronous forecast waits for its job); figures and
the report come from :mod:`accord.report`. Safety: limits per request (actors, issues, draws,
models, body size, estimated CPU time: :func:`accord.analysis.estimated_seconds`) and on the
jobs in flight (429 beyond), answered with clear 4xx; no file-system path taken from a request
is ever opened (static files are a fixed table read from installed packages); every user text
is escaped by Jinja2's autoescape and, inside figures, by the figure renderers.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

import accord
from accord.report.builder import install_filters
from accord.web import api, pages
from accord.web import ledger as ledger_pages
from accord.web.guard import Guard
from accord.web.pages import page
from accord.web.services import ApiError
from accord.web.store import Limits, Store

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[dict[str, Any]]],
                    Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]

__all__ = ["ApiError", "BodyLimit", "create_app"]


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
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; "
                                "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                                "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'"),
}


# --------------------------------------------------------------------------- errors


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def on_api_error(request: Request, err: ApiError) -> Response:
    """JSON under /api, an error page (or an htmx fragment) elsewhere."""
    if _is_api(request):
        return JSONResponse({"detail": err.detail, "problems": err.problems},
                            status_code=err.status)
    name = "_error.html.j2" if request.headers.get("hx-request") else "error.html.j2"
    return page(request, name, err.status, status=err.status, detail=err.detail,
                problems=err.problems)


async def on_invalid_request(request: Request, err: RequestValidationError) -> Response:
    """A request FastAPI could not parse: 400 for bad JSON, 422 naming each field."""
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


# --------------------------------------------------------------------------- the app


def templates_for(limits: Limits) -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader("accord.web", "templates"),
                                    jinja2.PackageLoader("accord.report", "templates")]),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
    )
    install_filters(env)
    env.globals["limits"] = limits
    env.globals["version"] = accord.__version__
    return Jinja2Templates(env=env)


def create_app(limits: Limits | None = None, ledger_url: str | None = None,
               calibration: str | None = "shipped", hosts: Sequence[str] | None = None,
               token: str | None = None, start_workers: bool = False) -> FastAPI:
    """The dashboard as an ASGI app (``uvicorn`` serves it; ``TestClient`` tests it).

    ledger_url: the forecast ledger of the Ledger page (default: ``ACCORD_LEDGER``, else the
    user's SQLite ledger), opened on first use.
    calibration: the model-error calibration of the forecasts' predictive intervals (a file
    from ``accord calibrate``, "shipped" or "none"; :func:`accord.analysis.calibration.load`).
    hosts: the host names it answers for (others 421, against DNS rebinding; None: any, for
    tests); token: required of every request when given (:mod:`accord.web.guard`).
    start_workers: start the forecast worker processes when the app starts (``accord
    serve``), not on the first forecast.
    """
    from accord.analysis import calibration as calibrations

    limits = limits or Limits()
    store = Store(limits)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        store.open()
        if start_workers:
            store.pool.start()
        yield
        store.close()
        ledger_pages.close(app.state)

    app = FastAPI(
        lifespan=lifespan,
        title="accord",
        version=accord.__version__,
        description="Forecast how multi-party negotiations end. The pages use this API's "
                    "library calls; the JSON endpoints are under /api.",
        docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
    )
    app.state.store = store
    app.state.limits = limits
    app.state.ledger_url = ledger_url
    app.state.calibrations = calibrations.load(calibration)
    app.state.templates = templates_for(limits)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    app.add_middleware(BodyLimit, limit=limits.max_body_bytes)  # type: ignore[arg-type]
    app.add_middleware(Guard, hosts=hosts, token=token)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, on_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_invalid_request)  # type: ignore[arg-type]
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(ledger_pages.router)
    return app
