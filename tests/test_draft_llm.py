"""The LLM drafting engine against a stub OpenAI-compatible server on the loopback interface.

The stub is started by the tests (no network); it records what it receives and answers from a
queue of canned replies.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from accord.draft import draft, read_article
from accord.draft.llm import LLMSettings, response_schema
from accord.errors import DraftError

pytest.importorskip("httpx")

SEED = Path(__file__).parent / "data" / "draft" / "seed-article.txt"
WARY = "Ukraine’s government remains wary of any pressure to settle quickly."
WANT = ("Many European leaders want any settlement to include strong guarantees for Ukraine’s "
        "sovereignty and security.")

ANSWER = {
    "actors": [
        {"id": "UKR", "name": "Ukraine", "aliases": ["Ukraine", "Kyiv"]},
        {"id": "EUR", "name": "European leaders", "aliases": ["European leaders"]},
        {"id": "XPT", "name": "Experts", "aliases": ["Experts"]},
    ],
    "issues": [
        {"id": "ceasefire", "label": "How soon the fighting stops", "low": "now",
         "high": "never"},
        {"id": "guarantees", "label": "Guarantees", "low": "none", "high": "strong"},
    ],
    "stances": [
        {"actor": "UKR", "issue": "ceasefire", "direction": "high", "salience_high": False,
         "evidence": WARY, "hedged": False},
        {"actor": "EUR", "issue": "guarantees", "direction": "high", "salience_high": True,
         "evidence": WANT, "hedged": True},
        {"actor": "XPT", "issue": "ceasefire", "direction": "low", "salience_high": False,
         "evidence": "Experts agree peace is near.", "hedged": False},  # not in the text
    ],
    "capabilities": [],
}


class _Stub(BaseHTTPRequestHandler):
    replies: ClassVar[list[tuple[int, object, float]]] = []
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:  # http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        status, payload, delay = type(self).replies.pop(0) if type(self).replies \
            else (500, "empty", 0.0)
        time.sleep(delay)
        data = payload if isinstance(payload, str) else json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": json.dumps(payload)}}]})
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(data.encode())
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub():
    _Stub.replies = []
    _Stub.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def _settings(url: str, **kw) -> LLMSettings:
    return LLMSettings(url=url, model="stub-model", backoff=0.0, **kw)


def test_llm_draft_keeps_only_verbatim_evidence(stub, monkeypatch):
    monkeypatch.setenv("ACCORD_LLM_API_KEY", "sk-test")
    _Stub.replies = [(200, ANSWER, 0.0)]
    d = draft([read_article(str(SEED))], engine="llm", llm=_settings(stub))
    ids = {a.id for a in d.scenario.actors}
    assert ids == {"UKR", "EUR"}  # the "Experts" stance had invented evidence: dropped
    assert any("evidence not in the text" in x and "XPT" in x for x in d.summary.dropped)
    eur = next(a for a in d.scenario.actors if a.id == "EUR")
    assert eur.position["guarantees"].evidence == WANT
    assert eur.position["guarantees"].value > 50
    assert "hedged" in eur.position["guarantees"].note
    req = _Stub.received[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == "Bearer sk-test"
    assert req["body"]["model"] == "stub-model"
    fmt = req["body"]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert "Putin" in req["body"]["messages"][1]["content"]


def test_llm_retries_server_errors_and_bad_answers(stub):
    _Stub.replies = [(503, "busy", 0.0), (200, "not json at all", 0.0), (200, ANSWER, 0.0)]
    d = draft([read_article(str(SEED))], engine="llm", llm=_settings(stub, retries=2))
    assert len(_Stub.received) == 3
    assert {a.id for a in d.scenario.actors} == {"UKR", "EUR"}


def test_llm_gives_up_with_a_clear_message(stub):
    _Stub.replies = [(503, "busy", 0.0), (503, "busy", 0.0)]
    with pytest.raises(DraftError, match=r"HTTP 503, after 2 tries"):
        draft([read_article(str(SEED))], engine="llm", llm=_settings(stub, retries=1))


def test_llm_timeout(stub):
    _Stub.replies = [(200, ANSWER, 1.0)]
    with pytest.raises(DraftError, match=r"no answer within 0.2 s, after 1 try"):
        draft([read_article(str(SEED))], engine="llm",
              llm=_settings(stub, retries=0, timeout=0.2))


def test_llm_auth_error_is_not_retried(stub):
    _Stub.replies = [(401, '{"error": "bad key"}', 0.0)]
    with pytest.raises(DraftError, match=r"HTTP 401 .*ACCORD_LLM_API_KEY"):
        draft([read_article(str(SEED))], engine="llm", llm=_settings(stub, retries=3))
    assert len(_Stub.received) == 1


def test_llm_needs_an_endpoint():
    with pytest.raises(DraftError, match="--llm-url"):
        draft([read_article(str(SEED))], engine="llm")


def test_response_schema_is_strict():
    schema = response_schema()

    def objects(s):
        if isinstance(s, dict):
            if s.get("type") == "object" and "properties" in s:
                yield s
            for v in s.values():
                yield from objects(v)
        elif isinstance(s, list):
            for v in s:
                yield from objects(v)

    found = list(objects(schema))
    assert len(found) >= 5
    for o in found:
        assert o["additionalProperties"] is False
        assert set(o["required"]) == set(o["properties"])
