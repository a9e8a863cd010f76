"""The dashboard's Ledger pages: the questions, their forecast histories and the scores, and
recording a finished forecast.

- ``GET /ledger``: every question (open or resolved), the score table (``?by=model``,
  ``analyst`` or ``scenario``) with a reliability diagram per group that has enough resolved
  probabilities, and the recorded runs.
- ``GET /ledger/questions/{id}``: one question: its forecast history as a line over time per
  model with the resolution marked, and the history table with each forecast's score.
- ``POST /jobs/{job_id}/record``: record a finished dashboard forecast in the ledger (an htmx
  fragment answers with the run id).

Which ledger: ``create_app(ledger_url=…)`` (``accord serve --ledger URL``), else
``ACCORD_LEDGER``, else the user's default SQLite ledger; opened on first use, kept open.
Computes nothing: reads and writes go through :class:`accord.ledger.Ledger`, figures come
from :mod:`accord.report.ledger`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse

from accord.errors import LedgerError
from accord.report import ledger as figures
from accord.web.pages import page
from accord.web.services import ApiError, ServiceDep

if TYPE_CHECKING:
    from accord.ledger import Ledger

router = APIRouter(include_in_schema=False)
_opening = threading.Lock()


def get_ledger(request: Request) -> Ledger:
    """The app's ledger, opened on first use (a clear 503 if it cannot be opened)."""
    state = request.app.state
    with _opening:
        ledger = getattr(state, "ledger", None)
        if ledger is None:
            from accord.ledger import Ledger

            try:
                ledger = Ledger.open(getattr(state, "ledger_url", None))
            except LedgerError as e:
                raise ApiError(503, f"the ledger cannot be opened: {e}") from None
            state.ledger = ledger
    return ledger


LedgerDep = Annotated["Ledger", Depends(get_ledger)]


def _refused(e: LedgerError) -> ApiError:
    text = str(e)
    return ApiError(404 if text.startswith("no ") else 422, text)


@router.get("/ledger", response_class=HTMLResponse)
def ledger_page(request: Request, ledger: LedgerDep,
                by: Annotated[Literal["model", "analyst", "scenario"], Query()] = "model"
                ) -> HTMLResponse:
    questions = ledger.list_questions()
    groups = ledger.score(by)
    reliability = [f for f in (figures.reliability_figure(g) for g in groups) if f]
    notes: dict[str, list[str]] = {}
    for g in groups:
        for line in g.notes:
            notes.setdefault(line, []).append(g.key)
    return page(request, "ledger.html.j2", questions=questions, groups=groups, by=by,
                notes=notes, reliability=reliability, runs=ledger.list_runs()[-20:][::-1],
                where=ledger.where)


@router.get("/ledger/questions/{ref}", response_class=HTMLResponse)
def question_page(request: Request, ref: str, ledger: LedgerDep) -> HTMLResponse:
    try:
        doc = ledger.question(ref)
    except LedgerError as e:
        raise _refused(e) from None
    return page(request, "ledger_question.html.j2", q=doc,
                figure=figures.history_figure(doc) if doc["history"] else None)


@router.post("/jobs/{job_id}/record", response_class=HTMLResponse)
def record_job(request: Request, job_id: str, service: ServiceDep, ledger: LedgerDep,
               analyst: Annotated[str, Form()] = "", note: Annotated[str, Form()] = ""
               ) -> HTMLResponse:
    job = service.job(job_id)
    if job.result is None:
        raise ApiError(409 if job.active else 422, "the forecast has not finished"
                       if job.active else f"the forecast failed: {job.error}")
    try:
        rid, _ = ledger.record(job.result.result, analyst=analyst.strip() or None,
                               note=note.strip(), source="dashboard")
    except LedgerError as e:
        raise _refused(e) from None
    return page(request, "_recorded.html.j2", run=f"R{rid}", where=ledger.where)


def close(state: Any) -> None:
    """Close the app's ledger, if it was opened."""
    ledger = getattr(state, "ledger", None)
    if ledger is not None:
        ledger.close()
        state.ledger = None
