"""The dashboard under abuse: Host header (DNS rebinding), cross-site posts (CSRF), the
token for binding beyond this machine, no CORS, and the job wall-clock limit."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from accord.web import Limits, create_app
from accord.web.guard import host_name

EXAMPLE = {"example": "emission-1994", "models": ["compromise"]}


@pytest.fixture(scope="module")
def guarded():
    with TestClient(create_app(hosts=["127.0.0.1", "localhost", "::1"]),
                    base_url="http://127.0.0.1:8765") as c:
        yield c


@pytest.mark.parametrize(("header", "name"), [("example.org:80", "example.org"),
                                             ("[::1]:8000", "::1"), ("LOCALHOST", "localhost"),
                                             ("127.0.0.1", "127.0.0.1")])
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_an_unknown_host_is_refused(guarded) -> None:
    assert guarded.get("/", headers={"Host": "attacker.example"}).status_code == 421
    res = guarded.post("/api/validate", json=EXAMPLE, headers={"Host": "attacker.example"})
    assert res.status_code == 421 and "attacker.example" in res.json()["detail"]
    assert guarded.get("/").status_code == 200
    assert guarded.get("/", headers={"Host": "localhost:8765"}).status_code == 200


def test_a_cross_site_post_is_refused(guarded) -> None:
    evil = {"Origin": "http://attacker.example"}
    assert guarded.post("/drafts", data={"example": "emission-1994"}, headers=evil,
                        follow_redirects=False).status_code == 403
    assert guarded.post("/drafts", data={"example": "emission-1994"},
                        headers={"Sec-Fetch-Site": "cross-site"},
                        follow_redirects=False).status_code == 403
    assert guarded.post("/api/validate", json=EXAMPLE, headers=evil).status_code == 403
    own = {"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"}
    assert guarded.post("/drafts", data={"example": "emission-1994"}, headers=own,
                        follow_redirects=False).status_code == 303
    # Chromium under a strict referrer policy sends "Origin: null" with Sec-Fetch-Site
    null_same = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert guarded.post("/drafts", data={"example": "emission-1994"}, headers=null_same,
                        follow_redirects=False).status_code == 303
    assert guarded.post("/drafts", data={"example": "emission-1994"},
                        headers={"Origin": "null"}, follow_redirects=False).status_code == 403


def test_the_api_refuses_text_plain_and_sends_no_cors(guarded) -> None:
    res = guarded.post("/api/validate", content=b'{"example": "emission-1994"}',
                       headers={"Content-Type": "text/plain",
                                "Origin": "http://127.0.0.1:8765"})
    assert 400 <= res.status_code < 500
    pre = guarded.options("/api/forecast", headers={
        "Origin": "http://attacker.example", "Access-Control-Request-Method": "POST"})
    for res in (pre, guarded.get("/api/examples", headers={"Origin": "http://x.example"})):
        assert not any(k.lower().startswith("access-control-") for k in res.headers)


def test_a_token_is_asked_once_and_kept_in_a_cookie() -> None:
    with TestClient(create_app(hosts=["testserver"], token="s3cret")) as c:
        assert c.get("/").status_code == 401 and 'name="token"' in c.get("/").text
        assert c.post("/api/validate", json=EXAMPLE).status_code == 401
        wrong = c.post("/login", data={"token": "guess"}, follow_redirects=False)
        assert wrong.status_code == 401 and "accord_token" not in wrong.headers.get(
            "set-cookie", "")
        ok = c.post("/login", data={"token": "s3cret"}, follow_redirects=False)
        assert ok.status_code == 303
        assert "SameSite=Strict" in ok.headers["set-cookie"]
        assert "HttpOnly" in ok.headers["set-cookie"]
        assert c.get("/").status_code == 200  # the cookie is kept
    with TestClient(create_app(token="s3cret")) as c:
        res = c.post("/api/validate", json={"example": "emission-1994"},
                     headers={"Authorization": "Bearer s3cret"})
        assert res.status_code == 200 and res.json()["valid"] is True


def test_binding_beyond_loopback_needs_a_token(accord, monkeypatch) -> None:
    monkeypatch.delenv("ACCORD_TOKEN", raising=False)
    res = accord("serve", "--host", "0.0.0.0", "--port", "8000")
    assert res.returncode == 2 and "--token" in res.stderr and "ACCORD_TOKEN" in res.stderr


def test_a_job_past_its_wall_clock_limit_is_cancelled_and_frees_the_pool() -> None:
    limits = Limits(max_job_seconds=0.0, max_active_jobs=1)
    with TestClient(create_app(limits)) as c:
        res = c.post("/api/forecast", json={**EXAMPLE, "models": ["compromise", "median"]})
        assert res.status_code == 422 and "wall-clock limit" in res.json()["detail"]
        # the job ended, so the one slot is free for the next request
        start = time.monotonic()
        res = c.post("/api/forecast", json={**EXAMPLE, "background": True})
        assert res.status_code == 202 and time.monotonic() - start < 60
