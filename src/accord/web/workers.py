"""The dashboard's job workers: forecasts run in worker processes that are killed when they
pass their wall-clock limit, so no job can hold the pool for longer than that.

A :class:`WorkerPool` has ``size`` slots; each slot is a thread on the server's side and one
worker process (started on first use, from the ``forkserver`` context where the platform
has it, with the library imported once in the server of forks; else ``spawn``). A slot takes
the next queued job, sends its task (a picklable callable, :class:`ForecastTask` for the
dashboard) to its process and waits for messages: progress, the result, or an error. When
the job passes ``seconds`` of wall-clock time the process is killed (SIGKILL where there is
one: a computation stuck in numpy or in a loop cannot ignore it), the job is marked timed
out, and a fresh process takes the slot's next job. A process that dies by itself (out of
memory) fails its job the same way and is replaced. The server's own threads never compute,
so every other request is answered meanwhile.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.errors import AccordError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from accord.web.store import Job

Progress = Callable[[str], None]

PRELOAD = ["accord.web.workers", "accord.report", "accord.analysis", "accord.models"]


def context() -> Any:
    """``forkserver`` (forks of a process that has imported the library) where the platform
    has it, else ``spawn``: never a plain fork of the threaded server."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------- the task


@dataclass(frozen=True)
class ForecastTask:
    """One dashboard forecast as sent to a worker: what :func:`accord.report.build` takes.
    Picklable (the scenario, the plan's model objects, thresholds, calibrations)."""

    scenario: Any
    plan: Any
    draws: int
    seed: int
    thresholds: Sequence[Any] = ()
    shocks: Sequence[str] = ()
    sensitivity: bool = False
    calibrations: Any = None
    total: int = 1  # model runs, for the progress message

    def __call__(self, progress: Progress) -> Any:
        from accord.report import build

        done = 0

        def step(name: str) -> None:
            nonlocal done
            done += 1
            progress(f"running {name} ({min(done, self.total)} of {self.total})")

        return build(self.scenario, self.plan, draws=self.draws, seed=self.seed,
                     thresholds=list(self.thresholds), shocks=list(self.shocks),
                     sensitivity=self.sensitivity, progress=step, source="scenario.yaml",
                     calibrations=self.calibrations)


# --------------------------------------------------------------------------- the process


def worker_main(conn: Connection) -> None:
    """A worker process: run each task received, answering ("progress", text) while it
    runs, then ("done", result) or ("error", type name, message, the user's fault)."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return

        def progress(text: str) -> None:
            conn.send(("progress", text))

        try:
            answer: tuple[Any, ...] = ("done", task(progress))
        except Exception as err:  # reported to the job; the worker goes on
            answer = ("error", type(err).__name__, str(err), isinstance(err, AccordError))
        try:
            conn.send(answer)
        except Exception as err:  # a result that does not pickle
            conn.send(("error", type(err).__name__, f"the result could not be sent back: "
                       f"{err}", False))


class Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, ctx: Any):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=worker_main, args=(child,), daemon=True,
                                   name="accord-job-worker")
        self.process.start()
        child.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        """End the process now (SIGKILL on POSIX) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


# --------------------------------------------------------------------------- the pool


class WorkerPool:
    """``size`` worker processes fed from one queue; each job killed at ``seconds``."""

    def __init__(self, size: int, seconds: float):
        self.size = max(1, size)
        self.seconds = seconds
        self._queue: queue.Queue[tuple[Job, Callable[[Progress], Any]] | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._workers: dict[int, Worker] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._ctx: Any = None
        self.killed = 0  # processes killed at the limit (or found dead), for the tests

    def start(self) -> None:
        """Start the slots, each starting its worker process (in the background); done on
        the first job, or at once by ``accord serve`` so the first forecast does not wait."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the worker pool is closed")
            if not self._threads:  # an app that never forecasts starts no process
                self._ctx = context()
                for slot in range(self.size):
                    t = threading.Thread(target=self._slot, args=(slot,), daemon=True,
                                         name=f"accord-job-slot-{slot}")
                    t.start()
                    self._threads.append(t)

    def submit(self, job: Job, task: Callable[[Progress], Any]) -> None:
        self.start()
        self._queue.put((job, task))

    def processes(self) -> list[Any]:
        """The worker processes now running (for the tests: killed ones are gone)."""
        return [w.process for w in list(self._workers.values()) if w.alive()]

    def _worker(self, slot: int) -> Worker:
        if self._closed:
            raise RuntimeError("the server is stopping")
        worker = self._workers.get(slot)
        if worker is None or not worker.alive():
            if worker is not None:
                worker.kill()
            worker = self._workers[slot] = Worker(self._ctx)
        return worker

    def _slot(self, slot: int) -> None:
        with contextlib.suppress(Exception):  # warm up; a failure shows on the first job
            self._worker(slot)
        while True:
            item = self._queue.get()
            if item is None or self._closed:
                return
            job, task = item
            if job.ended.is_set():  # cancelled while queued
                continue
            try:
                self._run(slot, job, task)
            except Exception as err:  # the pipe broke under us: fail the job, go on
                self._fail(job, f"the forecast's worker failed: {type(err).__name__}: {err}")
                self._replace(slot)

    def _run(self, slot: int, job: Job, task: Callable[[Progress], Any]) -> None:
        worker = self._worker(slot)
        job.status = "running"
        job.progress = "starting"
        deadline = time.monotonic() + self.seconds
        worker.conn.send(task)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._replace(slot)
                job.timed_out = True
                self._fail(job, f"the forecast passed this server's wall-clock limit of "
                                f"{self.seconds:g} s (max_job_seconds) and was cancelled: "
                                "ask for fewer draws, models, shocks or rounds, or a smaller "
                                "scenario")
                return
            if not worker.conn.poll(min(left, 0.25)):
                if not worker.alive():
                    code = worker.process.exitcode
                    self._replace(slot)
                    self._fail(job, f"the forecast's worker process ended unexpectedly "
                                    f"(exit code {code}; out of memory?)")
                    return
                continue
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                code = worker.process.exitcode
                self._replace(slot)
                self._fail(job, f"the forecast's worker process ended unexpectedly (exit "
                                f"code {code}; out of memory?)")
                return
            kind = message[0]
            if kind == "progress":
                job.done_models += 1
                job.progress = message[1]
            elif kind == "done":
                job.result = message[1]
                job.progress = "done"
                self._end(job, "done")
                return
            else:
                _, name, text, users = message
                job.user_error = bool(users)
                self._fail(job, text if users else f"{name}: {text}")
                return

    def _replace(self, slot: int) -> None:
        """Kill the slot's process; a fresh one is started for its next job."""
        worker = self._workers.pop(slot, None)
        if worker is not None:
            worker.kill()
            self.killed += 1

    @staticmethod
    def _fail(job: Job, error: str) -> None:
        job.error = error
        WorkerPool._end(job, "failed")

    @staticmethod
    def _end(job: Job, status: Any) -> None:
        job.status = status
        job.finished = time.time()
        job.ended.set()

    def close(self) -> None:
        """Stop taking jobs and kill every worker process (the server is stopping)."""
        with self._lock:
            self._closed = True
        for _ in self._threads:
            self._queue.put(None)
        for slot in list(self._workers):
            worker = self._workers.pop(slot, None)
            if worker is not None:
                worker.kill()
