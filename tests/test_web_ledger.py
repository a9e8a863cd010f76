"""The dashboard's Ledger page: questions, a question's history with its resolution, scores,
and recording a finished dashboard forecast (TestClient, a ledger of the test's own)."""

from __future__ import annotations

import json
import re
import time
import warnings
from html import unescape

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from test_ledger import fake_result

from accord.ledger import Ledger, make_question
from accord.web import create_app


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'web.sqlite'}"


def test_the_ledger_page_lists_questions_history_and_scores(url: str) -> None:
    draws = np.column_stack([np.linspace(0, 100, 21), np.linspace(0, 10, 21)])
    with Ledger.open(url) as ledger:
        first = fake_result({"compromise": [40, 6]}, {"compromise": draws})
        _, (qv, _) = ledger.record(first, analyst="ana", questions_asked=[
            make_question(first.scenario, "territory", deadline="2026-06-30"),
            make_question(first.scenario, "ceasefire<5", title="ceasefire <script>")])
        ledger.record(fake_result({"compromise": [70, 3]}, {"compromise": draws}))
        ledger.resolve(qv, value=75, on="2026-01-05", source="treaty text", quote="as signed")
    with TestClient(create_app(ledger_url=url)) as client:
        page = client.get("/ledger")
        assert page.status_code == 200
        html = page.text
        assert 'href="/ledger/questions/Q1"' in html and 'href="/ledger/questions/Q2"' in html
        assert "ceasefire &lt;script&gt;" in html and "<script>" not in html.split("</head>")[1]
        assert 'id="score-table"' in html and "too few for a mean error" in html
        one = client.get("/ledger/questions/Q1")
        assert one.status_code == 200
        assert "treaty text" in one.text and "as signed" in one.text
        fig = json.loads(unescape(re.search(r'data-figure="([^"]*)"', one.text)[1]))
        (line,) = fig["data"]
        assert line["y"] == [40, 70]  # the point forecasts over the two records
        (shape,) = fig["layout"]["shapes"]
        assert shape["y0"] == shape["y1"] == 75  # the resolution marked
        rows = re.findall(r"<tr><td>R\d+</td>", one.text)
        assert len(rows) == 2
        two = client.get("/ledger/questions/Q2")
        fig = json.loads(unescape(re.search(r'data-figure="([^"]*)"', two.text)[1]))
        # P(ceasefire < 5) over 0, 0.5, ..., 10: 10 of 21 draws
        assert fig["data"][0]["y"] == [pytest.approx(10 / 21)] * 2
        assert client.get("/ledger/questions/Q9").status_code == 404
        assert client.get("/ledger/questions/nonsense").status_code == 422
        assert client.get("/ledger?by=nonsense").status_code == 422


def test_a_dashboard_run_can_be_recorded(url: str) -> None:
    with TestClient(create_app(ledger_url=url)) as client:
        r = client.post("/drafts", data={"example": "ukraine-2025"}, follow_redirects=False)
        draft = r.headers["location"]
        r = client.post(f"{draft}/run", data={"model": ["compromise"], "draws": "50",
                                              "seed": "2"})
        job = (re.search(r'hx-get="/jobs/([\w-]+)"', r.text)
               or re.search(r'data-job="([\w-]+)"', r.text))[1]
        end = time.monotonic() + 60
        while client.get(f"/api/jobs/{job}").json()["status"] not in ("done", "failed"):
            assert time.monotonic() < end
            time.sleep(0.05)
        html = client.get(f"/jobs/{job}").text
        assert f'hx-post="/jobs/{job}/record"' in html
        rec = client.post(f"/jobs/{job}/record", data={"analyst": "ana", "note": "from the web"})
        assert rec.status_code == 200 and "Recorded as <strong>R1</strong>" in rec.text
        assert client.post("/jobs/nope/record").status_code == 404
    with Ledger.open(url) as ledger:
        run = ledger.run("R1")
    assert (run["analyst"], run["note"], run["draws"], run["seed"]) == ("ana", "from the web",
                                                                        50, 2)
    assert {f["model"] for f in run["forecasts"]} == {"compromise"}
