"""The server's memory: scenario drafts being edited and forecast jobs, both bounded.

Nothing is written to disk. Drafts and jobs are kept in insertion order; past the limits the
oldest are forgotten (finished jobs first). Every forecast, the API's synchronous ones too, is
a job on a small pool of worker processes (:mod:`accord.web.workers`), so ``max_active_jobs``
bounds the work in flight and ``max_job_seconds`` the time any job holds a worker (it is
killed then); the forecast itself is the library's (``accord.report.build`` over
``accord.analysis``).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from accord.web.workers import WorkerPool


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server (clear 4xx beyond)."""

    max_actors: int = 40
    max_issues: int = 12
    max_draws: int = 20_000
    max_body_bytes: int = 1_000_000  # any request body, uploads included
    max_models: int = 12
    max_drafts: int = 200
    max_jobs: int = 50  # kept in memory
    max_active_jobs: int = 4  # queued or running at once
    workers: int = 1  # worker processes running forecasts at once
    # estimated CPU seconds one forecast may take (models × passes × actors³ × issues, each
    # model at its declared cost: see accord.analysis.estimated_seconds); refused beyond
    max_cost_seconds: float = 120.0
    # wall-clock seconds a job may run in its worker process: the process is then killed
    # (the job fails with a message, answered 422 by the API) and a fresh one takes its place
    max_job_seconds: float = 120.0


@dataclass
class Draft:
    id: str
    data: dict[str, Any]
    origin: str  # "example ukraine-2025", "upload foo.yaml", "new", "drafted from x.txt"
    created: float = field(default_factory=time.time)
    last_job: str | None = None
    # the article a scenario was drafted from: {id, title, text, summary: [lines]}
    article: dict[str, Any] | None = None


Status = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    id: str
    draft_id: str | None
    models: list[str]
    draws: int
    seed: int
    status: Status = "queued"
    progress: str = "waiting for a worker"
    done_models: int = 0
    result: Any = None  # an accord.report.Report when done
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    timed_out: bool = False  # cancelled at Limits.max_job_seconds
    user_error: bool = False  # failed with an AccordError: the request's fault, not a bug
    ended: threading.Event = field(default_factory=threading.Event, repr=False,
                                   compare=False)  # set when done or failed

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")


class Busy(Exception):
    """Too many jobs queued or running."""


class Store:
    def __init__(self, limits: Limits):
        self.limits = limits
        self._drafts: OrderedDict[str, Draft] = OrderedDict()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self.pool = WorkerPool(limits.workers, limits.max_job_seconds)

    # drafts
    def add_draft(self, data: dict[str, Any], origin: str) -> Draft:
        draft = Draft(secrets.token_urlsafe(9), data, origin)
        with self._lock:
            self._drafts[draft.id] = draft
            while len(self._drafts) > self.limits.max_drafts:
                self._drafts.popitem(last=False)
        return draft

    def draft(self, draft_id: str) -> Draft | None:
        return self._drafts.get(draft_id)

    def drafts(self) -> list[Draft]:
        return list(reversed(self._drafts.values()))

    # jobs
    def job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def submit(self, job: Job, task: Callable[[Callable[[str], None]], Any]) -> Job:
        """Queue ``task(progress)`` (picklable: it runs in a worker process); raises
        :class:`Busy` past ``max_active_jobs``."""
        with self._lock:
            if sum(j.active for j in self._jobs.values()) >= self.limits.max_active_jobs:
                raise Busy
            self._jobs[job.id] = job
            while len(self._jobs) > self.limits.max_jobs:
                finished = next((k for k, j in self._jobs.items() if not j.active), None)
                if finished is None:
                    break
                del self._jobs[finished]
        self.open()  # an app used without its lifespan, or after a shutdown
        self.pool.submit(job, task)
        return job

    @staticmethod
    def wait(job: Job, timeout: float | None = None) -> bool:
        """Block until the job is done or failed (or ``timeout`` seconds); True if it ended."""
        return job.ended.wait(timeout)

    def open(self) -> None:
        """(Re)start the worker pool: an app served again after a shutdown (a test client
        used twice) gets fresh workers."""
        if self.pool.closed:
            self.pool = WorkerPool(self.limits.workers, self.limits.max_job_seconds)

    def close(self) -> None:
        self.pool.close()
        with self._lock:
            for job in self._jobs.values():
                if job.active:  # cancelled: let anyone waiting for it go
                    job.status = "failed"
                    job.error = "the server stopped before the forecast finished"
                    job.ended.set()


def new_job_id() -> str:
    return secrets.token_urlsafe(9)
