"""Dashboard jobs run in worker processes that are killed at the wall-clock limit (issue 11):
a stuck forecast is cancelled, its process is gone, the next forecast gets a fresh worker, and
the server answers other requests meanwhile.

The stuck job is real work, not a mock: bdm playing ten million rounds of a two-actor
scenario (hours of CPU), let through by a huge ``max_cost_seconds``. The only time bounds are
generous ones on "cancelled at all" (the deadline is checked every quarter second).
"""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from web_cases import TWO

from accord.web import Limits, create_app

STUCK = {"scenario": TWO, "models": ["bdm"], "options": {"rounds": 10**7, "stop": "fixed"}}
QUICK = {"scenario": TWO, "models": ["compromise"]}
LIMIT = 2.0


def client(**limits) -> TestClient:
    return TestClient(create_app(Limits(**{"max_job_seconds": LIMIT,
                                           "max_cost_seconds": 1e12, **limits})))


def running_processes(c: TestClient, seconds: float = 30, start: bool = False) -> list:
    """The worker processes once one is running (started on the first job, or now)."""
    pool = c.app.state.store.pool
    if start:
        pool.start()
    end = time.monotonic() + seconds
    while not pool.processes() and time.monotonic() < end:
        time.sleep(0.05)
    return pool.processes()


def wait_status(c: TestClient, url: str, status: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while c.get(url).json()["status"] != status:
        assert time.monotonic() < end, f"{url} not {status} after {seconds} s"
        time.sleep(0.05)


def wait_ended(c: TestClient, url: str, seconds: float = 60) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        doc = c.get(url).json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(0.1)
    raise AssertionError(f"{url} still running after {seconds} s")


def test_a_stuck_job_is_killed_at_its_limit_and_the_pool_recovers() -> None:
    with client(max_active_jobs=2) as c:
        (first,) = running_processes(c, start=True)
        start = time.monotonic()
        r = c.post("/api/forecast", json=STUCK)
        took = time.monotonic() - start
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert f"wall-clock limit of {LIMIT:g} s (max_job_seconds)" in detail
        assert "fewer draws" in detail
        # cancelled, not run to the end (hours): well within a generous multiple of the limit
        assert took < 15 * LIMIT + 30
        pool = c.app.state.store.pool
        assert pool.killed == 1
        (fresh,) = pool.processes()  # started at once in the killed one's place
        assert fresh.pid != first.pid and not first.is_alive()
        # capacity restored: the next forecast runs in a fresh worker
        r = c.post("/api/forecast", json=QUICK)
        assert r.status_code == 200, r.text
        assert r.json()["forecasts"][0]["outcome"]["x"] == pytest.approx(75.0)


def test_the_killed_process_is_gone_and_other_requests_are_answered_meanwhile() -> None:
    with client(max_active_jobs=2) as c:
        r = c.post("/api/forecast", json={**STUCK, "background": True})
        assert r.status_code == 202
        url = r.json()["url"]
        (process,) = running_processes(c)
        wait_status(c, url, "running")
        # the server keeps answering while its only worker is busy
        assert c.get("/api/examples").status_code == 200
        assert c.post("/api/validate", json={"scenario": TWO}).json()["valid"] is True
        assert c.get("/").status_code == 200
        # a second forecast waits for the worker (queued), and runs once the first is killed
        r = c.post("/api/forecast", json={**QUICK, "background": True})
        assert r.status_code == 202
        second = r.json()["url"]
        doc = wait_ended(c, url)
        assert doc["status"] == "failed" and "wall-clock limit" in doc["error"]
        process.join(10)
        assert not process.is_alive()  # killed, not left running in the background
        doc = wait_ended(c, second)
        assert doc["status"] == "done", doc
        assert doc["forecast"]["forecasts"][0]["outcome"]["x"] == pytest.approx(75.0)


def test_stuck_jobs_cannot_pin_the_pool() -> None:
    # as many stuck jobs as the server takes: each is killed in turn, and then it forecasts
    with client(max_active_jobs=2) as c:
        urls = [c.post("/api/forecast", json={**STUCK, "background": True}).json()["url"]
                for _ in range(2)]
        r = c.post("/api/forecast", json={**QUICK, "background": True})
        assert r.status_code == 429  # the pool is full meanwhile: a clear answer
        for url in urls:
            doc = wait_ended(c, url, 120)
            assert doc["status"] == "failed" and "wall-clock limit" in doc["error"]
        assert c.app.state.store.pool.killed == 2
        r = c.post("/api/forecast", json=QUICK)  # in the fresh worker
        assert r.status_code == 200, r.text


def test_stopping_the_server_kills_its_workers() -> None:
    with client() as c:
        r = c.post("/api/forecast", json={**STUCK, "background": True})
        assert r.status_code == 202
        (process,) = running_processes(c)
        store = c.app.state.store
    process.join(10)  # the app's shutdown closed the store
    assert not process.is_alive()
    assert all(not j.active for j in store._jobs.values())


def test_a_finished_job_keeps_its_worker() -> None:
    with client() as c:
        assert c.post("/api/forecast", json=QUICK).status_code == 200
        (process,) = c.app.state.store.pool.processes()
        assert c.post("/api/forecast", json=QUICK).status_code == 200
        assert c.app.state.store.pool.processes() == [process]  # reused, not restarted
        assert c.app.state.store.pool.killed == 0


def test_a_dashboard_run_past_its_limit_shows_why_it_was_cancelled() -> None:
    # the pages' forecasts are the same jobs: smp and exchange with 5000 draws of
    # ukraine-2025 (seconds of CPU) against a limit of half a second
    with client(max_job_seconds=0.5) as c:
        url = c.post("/drafts", data={"example": "ukraine-2025"},
                     follow_redirects=False).headers["location"]
        r = c.post(f"{url}/run", data={"model": ["smp", "exchange"], "draws": "5000"})
        assert r.status_code == 200
        job = re.search(r'data-job="([\w-]+)"', r.text) or re.search(
            r'hx-get="/jobs/([\w-]+)"', r.text)
        doc = wait_ended(c, f"/api/jobs/{job[1]}")
        assert doc["status"] == "failed" and "wall-clock limit of 0.5 s" in doc["error"]
        html = c.get(f"/jobs/{job[1]}").text
        assert 'data-status="failed"' in html and "wall-clock limit of 0.5 s" in html
        assert c.app.state.store.pool.killed == 1
