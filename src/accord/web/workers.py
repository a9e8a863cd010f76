"""The dashboard's job workers: forecasts run in worker processes that are killed when they
pass their wall-clock limit, so no job can hold the pool for longer than that.

A :class:`WorkerPool` has ``size`` slots; each slot is a thread on the server's side and one
worker process: a fresh Python running :func:`child_main` (started with the server or on the
first job, the library imported before any job arrives), talking over a socket pair. A slot
takes the next queued job, sends its task (a picklable callable, :class:`ForecastTask` for
the dashboard) to its process and waits for messages: progress, the result, or an error.
When the job passes ``seconds`` of wall-clock time the process is killed (SIGKILL: a
computation stuck in numpy or in a loop cannot ignore it), the job is marked timed out, and a
fresh process takes the slot's next job. A process that dies by itself (out of memory) fails
its job the same way and is replaced. The server's own threads never compute, so every other
request is answered meanwhile.

Why not :mod:`multiprocessing` processes: its ``spawn`` and ``forkserver`` children re-run
the server's main script (a script without a ``__main__`` guard, or one read from stdin,
breaks them), and a plain ``fork`` of the threaded server is unsafe. On Windows, which has
no socket file descriptors to hand over, ``spawn`` is used all the same.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.web.store import Job

Progress = Callable[[str], None]

PRELOAD = ("accord.report", "accord.analysis", "accord.models")
STARTUP_SECONDS = 120.0  # a fresh worker's imports, on a slow or loaded machine


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


def child_main() -> None:
    """The worker process's entry (``python -c ... FD``): import the library, then serve
    tasks on the socket whose file descriptor is the first argument."""
    import importlib

    conn = Connection(int(sys.argv[1]))
    parent = os.getppid()

    def orphaned() -> None:  # the server is gone (killed): so is any job of its
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()
    for name in PRELOAD:
        importlib.import_module(name)
    conn.send(("ready",))
    worker_main(conn)


class Worker:
    """One worker process and the server's end of its connection."""

    def __init__(self) -> None:
        if os.name == "posix":
            ours, theirs = socket.socketpair()
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            self.popen: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-c", "from accord.web.workers import child_main; "
                 "child_main()", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
            theirs.close()
            self.conn = Connection(ours.detach())
            self.process: Any = None
        else:  # pragma: no cover - Windows
            ctx = multiprocessing.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.popen = None
            self.process = ctx.Process(target=worker_main, args=(child,), daemon=True)
            self.process.start()
            child.close()
        self.ready = self.popen is None  # a subprocess says so once it has the library

    def wait_ready(self, timeout: float = STARTUP_SECONDS) -> None:
        """Wait until the process has imported the library (not counted in a job's time)."""
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise RuntimeError(f"the worker process did not start within {timeout:g} s")
        message = self.conn.recv()  # EOFError if it died starting
        if message != ("ready",):
            raise RuntimeError(f"the worker process said {message!r} when starting")
        self.ready = True

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else self.process.pid

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll() if self.popen is not None else self.process.exitcode

    def is_alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        return bool(self.process.is_alive())

    def join(self, timeout: float | None = None) -> None:
        if self.popen is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        else:
            self.process.join(timeout)

    def kill(self) -> None:
        """End the process now (SIGKILL on POSIX) and reap it."""
        if self.is_alive():
            if self.popen is not None:
                self.popen.kill()
            else:
                self.process.kill()
        self.join(5)
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
        self.closed = False
        self.killed = 0  # processes killed at the limit (or found dead), for the tests

    def start(self) -> None:
        """Start the slots, each starting its worker process (in the background); done on
        the first job, or at once by ``accord serve`` so the first forecast does not wait."""
        with self._lock:
            if self.closed:
                raise RuntimeError("the worker pool is closed")
            if not self._threads:  # an app that never forecasts starts no process
                for slot in range(self.size):
                    t = threading.Thread(target=self._slot, args=(slot,), daemon=True,
                                         name=f"accord-job-slot-{slot}")
                    t.start()
                    self._threads.append(t)

    def submit(self, job: Job, task: Callable[[Progress], Any]) -> None:
        self.start()
        self._queue.put((job, task))

    def processes(self) -> list[Worker]:
        """The worker processes now running (for the tests: killed ones are gone)."""
        return [w for w in list(self._workers.values()) if w.is_alive()]

    def _worker(self, slot: int) -> Worker:
        if self.closed:
            raise RuntimeError("the server is stopping")
        worker = self._workers.get(slot)
        if worker is None or not worker.is_alive():
            if worker is not None:
                worker.kill()
            worker = self._workers[slot] = Worker()
        return worker

    def _slot(self, slot: int) -> None:
        with contextlib.suppress(Exception):  # warm up; a failure shows on the first job
            self._worker(slot).wait_ready()
        while True:
            item = self._queue.get()
            if item is None or self.closed:
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
        job.progress = "starting a worker"
        worker.wait_ready()
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
                if not worker.is_alive():
                    code = worker.exitcode
                    self._replace(slot)
                    self._fail(job, f"the forecast's worker process ended unexpectedly "
                                    f"(exit code {code}; out of memory?)")
                    return
                continue
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                worker.join(1)
                code = worker.exitcode
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
        """Kill the slot's process and start a fresh one for its next job."""
        worker = self._workers.pop(slot, None)
        if worker is not None:
            worker.kill()
            self.killed += 1
        with contextlib.suppress(Exception):  # else started on the next job
            self._worker(slot)

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
            self.closed = True
        for _ in self._threads:
            self._queue.put(None)
        for slot in list(self._workers):
            worker = self._workers.pop(slot, None)
            if worker is not None:
                worker.kill()
