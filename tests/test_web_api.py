"""The dashboard's JSON API and pages through FastAPI's TestClient: happy paths, every 4xx,
and the server's safety rules (issue 7).

Expected forecasts are hand calculations of the compromise model (Σ c s x / Σ c s).
"""

from __future__ import annotations

import json
import re
import threading
import time
import warnings

import pytest
import yaml

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from web_cases import TWO

from accord.web import Limits, create_app
from accord.web import editor as E

# Ukraine, territory, compromise: c·s = RUS 70·.9 = 63, USA 75·.4 = 30, UKR 35·.95 = 33.25,
# EUR 45·.6 = 27 (Σ 153.25); Σ c s x = 6300 + 2100 + 332.5 + 540 = 9272.5
UKRAINE_TERRITORY = 9272.5 / 153.25  # 60.506
# with RUS's salience on territory at 10: c·s = 7, Σ 97.25, Σ c s x = 700 + 2972.5
UKRAINE_TERRITORY_RUS_SAL_10 = 3672.5 / 97.25  # 37.76



@pytest.fixture()
def client():
    with TestClient(create_app()) as c:
        yield c


def small_client(**limits):
    return TestClient(create_app(Limits(**limits)))


def wait_done(client, url: str, seconds: float = 30) -> dict:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        doc = client.get(url).json()
        if doc["status"] in ("done", "failed"):
            return doc
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish")


# --------------------------------------------------------------------------- JSON API


def test_examples(client) -> None:
    doc = client.get("/api/examples").json()
    names = {e["name"]: e for e in doc}
    assert names["ukraine-2025"]["actors"] == 4 and names["ukraine-2025"]["issues"] == 3
    one = client.get("/api/examples/emission-1994").json()
    assert one["scenario"]["scale"] == [4, 10]
    r = client.get("/api/examples/nope")
    assert r.status_code == 404 and "ukraine-2025" in r.json()["detail"]


def test_validate(client) -> None:
    assert client.post("/api/validate", json={"scenario": TWO}).json() == {
        "valid": True, "actors": 2, "issues": 1, "problems": []}
    assert client.post("/api/validate", json={"example": "ukraine-2025"}).json()["valid"]
    text = yaml.safe_dump(TWO)
    assert client.post("/api/validate", json={"text": text}).json()["actors"] == 2
    bad = {**TWO, "actors": [{**TWO["actors"][0], "salience": {"x": 140}}, TWO["actors"][1]]}
    doc = client.post("/api/validate", json={"scenario": bad}).json()
    assert doc["valid"] is False
    assert doc["problems"] == [{"path": "actors[0].salience.x", "line": None,
                                "message": "140 is outside 0..100"}]
    doc = client.post("/api/validate", json={"text": "issues: [\n", "format": "yaml"}).json()
    assert doc["valid"] is False and doc["problems"]


def test_validate_4xx(client) -> None:
    r = client.post("/api/validate", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["detail"]
    r = client.post("/api/validate", json={})
    assert r.status_code == 422 and "exactly one of" in r.json()["detail"]
    r = client.post("/api/validate", json={"scenario": TWO, "example": "ukraine-2025"})
    assert r.status_code == 422 and "exactly one of" in r.json()["detail"]
    r = client.post("/api/validate", json={"scenario": TWO, "colour": "red"})
    assert r.status_code == 422 and "colour" in r.json()["detail"]
    r = client.post("/api/validate", json={"text": "x", "format": "xml"})
    assert r.status_code == 422 and "format" in r.json()["detail"]
    r = client.post("/api/validate", json={"example": "nope"})
    assert r.status_code == 404


def test_forecast_by_hand(client) -> None:
    doc = client.post("/api/forecast", json={"scenario": TWO, "models": ["compromise"]}).json()
    assert doc["forecasts"][0]["outcome"]["x"] == pytest.approx(75.0)
    doc = client.post("/api/forecast", json={"example": "ukraine-2025",
                                             "models": ["compromise", "median"]}).json()
    assert [f["model"] for f in doc["forecasts"]] == ["compromise", "median"]
    assert doc["forecasts"][0]["outcome"]["territory"] == pytest.approx(UKRAINE_TERRITORY)
    doc = client.post("/api/forecast", json={"example": "ukraine-2025", "draws": 200,
                                             "seed": 4, "models": ["compromise"],
                                             "thresholds": ["territory>=60"]}).json()
    assert doc["draws"] == 200 and doc["seed"] == 4
    assert set(doc["forecasts"][0]["distribution"]["territory"]) >= {"q10", "q50", "q90"}


def test_forecast_in_the_background(client) -> None:
    r = client.post("/api/forecast", json={"scenario": TWO, "models": ["compromise"],
                                           "draws": 50, "background": True})
    assert r.status_code == 202
    doc = wait_done(client, r.json()["url"])
    assert doc["status"] == "done", doc
    assert doc["forecast"]["forecasts"][0]["outcome"]["x"] == pytest.approx(75.0)
    assert client.get("/api/jobs/nope").status_code == 404


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"example": "ukraine-2025", "draws": 20001}, 422, "limit of 20000"),
    ({"example": "ukraine-2025", "draws": 0}, 422, "greater than or equal to 1"),
    ({"example": "ukraine-2025", "seed": -1}, 422, "seed"),
    ({"example": "ukraine-2025", "models": ["nosuch"]}, 422, "unknown model 'nosuch'"),
    ({"example": "ukraine-2025", "models": []}, 422, "at least one model"),
    ({"example": "ukraine-2025", "models": ["compromise"] * 13}, 422, "at most 12"),
    ({"example": "ukraine-2025", "options": {"nosuch": 1}, "models": ["nash"]}, 422,
     "option 'nosuch' belongs to none of the models chosen"),
    ({"example": "ukraine-2025", "thresholds": ["territory>=80"]}, 422, "needs Monte Carlo"),
    ({"example": "ukraine-2025", "draws": 10, "thresholds": ["land>=80"]}, 422, "no issue"),
    ({"example": "nope"}, 404, "no example"),
    ({"scenario": {"issues": []}}, 422, "problem"),
])
def test_forecast_4xx(client, body, status, words) -> None:
    r = client.post("/api/forecast", json=body)
    assert r.status_code == status, r.text
    assert words in r.json()["detail"]


def test_forecast_invalid_scenario_lists_problems(client) -> None:
    bad = {**TWO, "actors": [{**TWO["actors"][0], "position": {"x": -5}}, TWO["actors"][1]]}
    r = client.post("/api/forecast", json={"scenario": bad})
    assert r.status_code == 422
    assert r.json()["problems"][0]["path"] == "actors[0].position.x"


def test_limits_on_actors_issues_and_body() -> None:
    with small_client(max_actors=1) as c:
        r = c.post("/api/forecast", json={"scenario": TWO})
        assert r.status_code == 422 and "at most 1" in r.json()["detail"]
    with small_client(max_issues=2) as c:
        r = c.post("/api/validate", json={"example": "ukraine-2025"})
        assert r.status_code == 422 and "3 issues" in r.json()["detail"]
    with small_client(max_body_bytes=300) as c:
        r = c.post("/api/validate", json={"text": "#" * 400})
        assert r.status_code == 413 and "limit of 300 bytes" in r.json()["detail"]
        r = c.post("/drafts/upload", files={"file": ("big.yaml", b"#" * 400)})
        assert r.status_code == 413
        # a chunked body without a declared length is counted as it arrives
        r = c.post("/api/validate", content=iter([b"{", b" " * 400, b"}"]),
                   headers={"content-type": "application/json"})
        assert r.status_code == 413


def test_busy_server_says_429() -> None:
    with small_client(max_active_jobs=0) as c:
        r = c.post("/api/forecast", json={"scenario": TWO, "background": True})
        assert r.status_code == 429 and "try again" in r.json()["detail"]


# bdm playing ten million rounds of a two-actor scenario: a job that would run for hours
STUCK = {"scenario": TWO, "models": ["bdm"], "options": {"rounds": 10**7, "stop": "fixed"}}


def test_synchronous_forecasts_count_against_the_job_limit() -> None:
    body = {"scenario": TWO, "models": ["compromise"]}
    answers: list = []
    limits = {"max_active_jobs": 1, "max_job_seconds": 3, "max_cost_seconds": 1e12}
    with small_client(**limits) as c:
        first = threading.Thread(target=lambda: answers.append(c.post("/api/forecast",
                                                                      json=STUCK)))
        first.start()
        try:
            store = c.app.state.store
            end = time.monotonic() + 30
            while not store.pool.processes() and time.monotonic() < end:
                time.sleep(0.05)
            assert store.pool.processes(), "the synchronous forecast did not run as a job"
            for extra in ({}, {"background": True}):
                r = c.post("/api/forecast", json={**body, **extra})
                assert r.status_code == 429 and "try again" in r.json()["detail"]
        finally:
            first.join(60)
        (r,) = answers
        assert r.status_code == 422 and "wall-clock limit of 3 s" in r.json()["detail"], r.text
        r = c.post("/api/forecast", json=body)  # the job was cancelled: room again
        assert r.status_code == 200
        assert r.json()["forecasts"][0]["outcome"]["x"] == pytest.approx(75.0)


def test_a_forecast_over_the_cost_budget_is_refused() -> None:
    from accord import analysis
    from accord.analysis import estimated_seconds
    from accord.scenario import validate_data

    big = {"issues": [{"id": f"i{k}"} for k in range(3)],
           "actors": [{"id": f"A{a}", "capability": 10 + a,
                       "position": {f"i{k}": (a * 7 + k * 13) % 100 for k in range(3)},
                       "salience": {f"i{k}": 50 for k in range(3)}} for a in range(40)]}
    plan = analysis.plan_models(["exchange"])
    # 20000 draws of the exchange model for 40 actors: far more than the limit of CPU
    # (~230 s in its compiled rounds, which a run of this size uses; ~50 min in numpy)
    assert estimated_seconds(validate_data(big), plan, 20000) > 200
    assert Limits().max_cost_seconds < 200
    with small_client() as c:
        r = c.post("/api/forecast", json={"scenario": big, "models": ["exchange"],
                                          "draws": 20000})
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert "20000 draws of 40 actors × 3 issues for 1 models" in detail
        assert "limit (max_cost_seconds) is 120 s" in detail
        # rounds multiply the cost too
        r = c.post("/api/forecast", json={"scenario": TWO, "models": ["bdm"],
                                          "options": {"rounds": 10**9}})
        assert r.status_code == 422 and "max_cost_seconds" in r.json()["detail"]
        r = c.post("/api/forecast", json={"scenario": TWO, "models": ["bdm"],
                                          "options": {"rounds": 20}, "draws": 100})
        assert r.status_code == 200, r.text
    with small_client(max_cost_seconds=0.01) as c:  # background forecasts too
        r = c.post("/api/forecast", json={"example": "ukraine-2025", "draws": 2000,
                                          "background": True})
        assert r.status_code == 422 and "0.01 s" in r.json()["detail"]


def test_the_budget_adds_up_the_models_declared_costs(monkeypatch) -> None:
    """No table of model costs in the web app: a model's declared Cost is what counts, so a
    new model (or a dearer measurement) changes the budget without touching the web code."""
    from accord.models.base import Cost
    from accord.models.compromise import CompromiseModel

    with small_client(max_cost_seconds=1.0) as c:
        body = {"scenario": TWO, "models": ["compromise"], "draws": 1000}
        assert c.post("/api/forecast", json=body).status_code == 200
        # 1e9 ns per draw × actor³ × issue: 1001 passes × 8³ (the floor) × 1 issue ≈ 5e5 s
        monkeypatch.setattr(CompromiseModel, "cost", Cost(ns=1e9))
        r = c.post("/api/forecast", json=body)
        assert r.status_code == 422 and "max_cost_seconds" in r.json()["detail"]


def test_openapi_schema(client) -> None:
    doc = client.get("/api/openapi.json").json()
    assert {"/api/examples", "/api/examples/{name}", "/api/validate", "/api/forecast",
            "/api/jobs/{job_id}"} <= set(doc["paths"])
    assert "413" in doc["paths"]["/api/forecast"]["post"]["responses"]
    assert all(p.startswith("/api/") for p in doc["paths"])  # pages stay out of the API
    assert client.get("/api/docs").status_code == 200


# --------------------------------------------------------------------------- pages


def open_example(client, name: str = "ukraine-2025") -> str:
    r = client.post("/drafts", data={"example": name}, follow_redirects=False)
    assert r.status_code == 303
    return r.headers["location"]


def problems(html: str) -> list[str]:
    return re.findall(r'<div class="problem">(.*?)</div>', html)


def test_index_and_editor(client) -> None:
    html = client.get("/").text
    assert "ukraine-2025" in html and 'action="/drafts/upload"' in html
    url = open_example(client)
    page = client.get(url).text
    assert 'name="a0.sal.0.value"' in page and 'value="90"' in page
    assert "The scenario is valid." in page
    assert '<script src="/static/htmx.min.js">' in page
    assert client.get("/").text.count(url) == 1  # listed as open
    assert client.get("/drafts/nope").status_code == 404
    assert client.post("/drafts", data={"example": "nope"}).status_code == 404


def test_edit_places_problems_next_to_cells(client) -> None:
    url = open_example(client)
    html = client.post(f"{url}/edit", data={"a0.sal.0.value": "10"}).text
    assert problems(html) == ["actors[0].salience.territory.low: low 80 is above the value 10"]
    assert 'class="cell bad" data-cell="0-0"' in html
    html = client.post(f"{url}/edit", data={"a0.sal.0.value": "10", "a0.sal.0.low": "0"}).text
    assert problems(html) == [] and 'data-problems="0"' in html
    html = client.post(f"{url}/edit", data={"a1.pos.2.value": "lots"}).text
    assert len(problems(html)) == 1 and "lots" in problems(html)[0]
    assert 'class="cell bad" data-cell="1-2"' in html
    text = client.get(f"{url}/scenario.yaml").text  # invalid drafts download as they are
    assert "value: lots" in text


def test_download_yaml_holds_the_edit(client) -> None:
    url = open_example(client)
    client.post(f"{url}/edit", data={"a0.sal.0.value": "10", "a0.sal.0.low": "0",
                                     "a0.sal.0.evidence": "my edit"})
    r = client.get(f"{url}/scenario.yaml")
    assert r.headers["content-disposition"].startswith("attachment; filename=\"ukraine-")
    data = yaml.safe_load(r.text)
    sal = data["actors"][0]["salience"]["territory"]
    assert (sal["value"], sal["low"], sal["high"], sal["evidence"]) == (10, 0, 100, "my edit")
    assert sal["source"] == "article"  # what the form does not show is kept


def test_add_remove_rename(client) -> None:
    url = open_example(client)
    html = client.post(f"{url}/actors/add", data={}).text
    assert 'value="actor1"' in html
    assert len(problems(html)) == 0  # an actor with no positions takes part in nothing
    html = client.post(f"{url}/issues/add", data={}).text
    assert 'value="issue1"' in html and "nobody takes part in issue &#39;issue1&#39;" in html
    html = client.post(f"{url}/issues/3/remove", data={}).text
    assert 'value="issue1"' not in html
    client.post(f"{url}/edit", data={"i0.id": "land"})
    data = yaml.safe_load(client.get(f"{url}/scenario.yaml").text)
    assert data["issues"][0]["id"] == "land"
    assert data["actors"][0]["position"]["land"]["value"] == 100  # re-keyed with the rename
    client.post(f"{url}/actors/4/remove", data={})
    client.post(f"{url}/actors/0/remove", data={})
    data = yaml.safe_load(client.get(f"{url}/scenario.yaml").text)
    assert [a["id"] for a in data["actors"]] == ["USA", "UKR", "EUR"]
    assert client.post(f"{url}/actors/9/remove", data={}).status_code == 404
    with small_client(max_actors=4) as c:
        u = open_example(c)
        r = c.post(f"{u}/actors/add", data={})
        assert r.status_code == 422 and "at most 4 actors" in r.text


def test_yaml_editing(client) -> None:
    url = open_example(client)
    r = client.post(f"{url}/yaml", data={"text": yaml.safe_dump(TWO)})
    assert r.status_code == 200 and 'value="B"' in r.text
    r = client.post(f"{url}/yaml", data={"text": "issues: [\n"})
    assert r.status_code == 422 and "not valid YAML" in r.text
    r = client.post(f"{url}/yaml", data={"text": "- a list"})
    assert r.status_code == 422
    r = client.post(f"{url}/yaml", data={"text": "actors: 3\nissues: 4\n"})
    assert r.status_code == 200 and "cannot show this scenario" in r.text


def test_run_and_results(client) -> None:
    url = open_example(client)
    r = client.post(f"{url}/run", data={"model": ["compromise"], "draws": "100", "seed": "2",
                                        "thresholds": "territory>=60", "sensitivity": "1",
                                        "shocks": "1", "a0.sal.0.value": "10",
                                        "a0.sal.0.low": "0"})
    assert r.status_code == 200
    job = re.search(r'hx-get="/jobs/([\w-]+)"', r.text) or re.search(r'data-job="([\w-]+)"',
                                                                       r.text)
    doc = wait_done(client, f"/api/jobs/{job[1]}")
    assert doc["status"] == "done", doc
    out = doc["forecast"]["forecasts"][0]["outcome"]
    assert out["territory"] == pytest.approx(UKRAINE_TERRITORY_RUS_SAL_10)  # edit applied
    html = client.get(f"/jobs/{job[1]}").text
    assert 'data-status="done"' in html and "P(territory&gt;=60)" in html
    for fig in ('id="map-0"', 'id="dist-0"', 'id="tornado-0-0"', 'id="shock-0-0"'):
        assert fig in html
    # the Why panel: the compromise model's pulls add up to the offset from the status quo
    assert 'id="why"' in html and "The pulls (weight share × distance from it)" in html
    report = client.get(f"/jobs/{job[1]}/report.html")
    assert report.status_code == 200 and "us-walks-away" in report.text
    assert 'id="why"' in report.text and "MAE 22.9, the benchmark" in report.text
    assert report.headers["content-disposition"] == 'attachment; filename="report.html"'
    assert client.get("/jobs/nope").status_code == 404
    assert client.get(url).text.count(f'data-job="{job[1]}"') == 1  # the page shows it


@pytest.mark.parametrize(("form", "words"), [
    ({"model": ["compromise"], "draws": "many"}, "whole number"),
    ({"model": ["compromise"], "draws": "99999"}, "limit of 20000"),
    ({"draws": "10"}, "at least one model"),
    ({"model": ["compromise"], "draws": "1", "thresholds": "territory>=80"}, "draws"),
    ({"model": ["compromise"], "draws": "10", "thresholds": "land>80"}, "no issue"),
    ({"model": ["compromise"], "draws": "10", "a0.pos.0.value": "500"}, "problem"),
])
def test_run_4xx(client, form, words) -> None:
    url = open_example(client)
    r = client.post(f"{url}/run", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 422 and words in r.text
    assert 'class="error"' in r.text and "<html" not in r.text  # a fragment for htmx


def test_upload(client) -> None:
    r = client.post("/drafts/upload", files={"file": ("two.yaml", yaml.safe_dump(TWO))},
                    follow_redirects=False)
    assert r.status_code == 303
    assert 'value="B"' in client.get(r.headers["location"]).text
    csv = "actor,issue,position,salience,capability\nA,x,0,100,1\nB,x,100,100,3\n"
    r = client.post("/drafts/upload", files={"file": ("t.csv", csv)}, follow_redirects=False)
    assert r.status_code == 303
    bad = {"file": ("x.yaml", "issues: [\n")}
    assert client.post("/drafts/upload", files=bad).status_code == 422
    assert client.post("/drafts/upload", files={"file": ("x.png", b"\x89PNG")}
                       ).status_code == 422
    assert client.post("/drafts/upload", files={"file": ("x.yaml", b"\xff\xfe")}
                       ).status_code == 422
    assert client.post("/drafts/upload", files={"file": ("x.yaml", "- 1\n")}).status_code == 422
    r = client.post("/drafts/upload", files={"file": ("x.csv", "actor,issue\nA,x\n")})
    assert r.status_code == 422


def test_user_text_is_escaped(client) -> None:
    evil = {**TWO, "title": "<script>alert(1)</script>",
            "actors": [{**TWO["actors"][0], "name": "\"><img src=x onerror=alert(2)>"},
                       TWO["actors"][1]]}
    r = client.post("/drafts/upload", files={"file": ("<b>.yaml", yaml.safe_dump(evil))},
                    follow_redirects=False)
    url = r.headers["location"]
    for html in (client.get(url).text, client.get("/").text):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(url).text


def test_static_files_are_a_fixed_table(client) -> None:
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/plotly.min.js").content[:100]
    for bad in ("/static/..%2f..%2fpyproject.toml", "/static/app.py", "/static/%2e%2e"):
        assert client.get(bad).status_code == 404
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


# --------------------------------------------------------------------------- editor model


def test_apply_form_keeps_what_the_form_does_not_show() -> None:
    draft = {"issues": [{"id": "x"}], "actors": [
        {"id": "A", "capability": {"value": 5, "note": "n"},
         "position": {"x": {"value": 1, "low": 0, "high": 2, "dist": "uniform"}},
         "salience": {"x": 50}}]}
    new = E.apply_form(draft, {"a0.pos.0.value": "1.5", "a0.pos.0.high": "",
                               "a0.cap.value": "6"})
    assert new["actors"][0]["position"]["x"] == {"value": 1.5, "low": 0, "dist": "uniform"}
    assert new["actors"][0]["capability"] == {"value": 6, "note": "n"}
    assert draft["actors"][0]["capability"]["value"] == 5  # the old draft is untouched
    gone = E.apply_form(draft, {"a0.pos.0.value": "", "a0.sal.0.value": ""})
    assert gone["actors"][0]["position"] == {} and gone["actors"][0]["salience"] == {}


def test_place_problems() -> None:
    draft = {"issues": [{"id": "x"}, {"id": "y"}], "actors": [{"id": "A"}]}
    placed = E.place(E.check({**draft, "actors": [
        {"id": "A", "capability": -1, "position": {"y": 5}, "salience": {"y": 500}}]})[1],
        draft)
    assert placed.cells[(0, 1)] == ["actors[0].salience.y: 500 is outside 0..100"]
    assert [p.split(" is ")[0] for p in placed.actors[0]] == ["actors[0].capability: -1"]
    assert placed.issues[0] == ["issues[0]: nobody takes part in issue 'x'"]


# --------------------------------------------------------------------------- document, docs


def cli_json(*args: str) -> dict:
    from typer.testing import CliRunner

    from accord import cli

    out = CliRunner().invoke(cli.app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_api_forecast_is_the_cli_document_with_shocks_and_prob(client) -> None:
    body = {"example": "ukraine-2025", "models": ["compromise", "nash"], "draws": 40,
            "seed": 3, "prob": ["territory>=60"], "shocks": ["us-walks-away"]}
    r = client.post("/api/forecast", json=body)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc == cli_json("forecast", "ukraine-2025", "-m", "compromise", "-m", "nash",
                           "--draws", "40", "--seed", "3", "--prob", "territory>=60",
                           "--shock", "us-walks-away")
    assert [s["name"] for s in doc["shocks"]] == ["us-walks-away"]
    assert "territory>=60" in doc["forecasts"][0]["probabilities"]
    # without draws: no distribution key at all, as in the CLI's document
    plain = client.post("/api/forecast", json={"example": "ukraine-2025",
                                               "models": ["compromise"]}).json()
    assert plain == cli_json("forecast", "ukraine-2025", "-m", "compromise")
    assert "distribution" not in plain["forecasts"][0] and "shocks" not in plain


def test_api_forecast_sensitivity_is_the_cli_sensitivity_document(client) -> None:
    r = client.post("/api/forecast", json={"example": "ukraine-2025", "models": ["compromise"],
                                           "sensitivity": True, "seed": 2})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["sensitivity"] == cli_json("sensitivity", "ukraine-2025", "-m", "compromise",
                                          "--seed", "2")
    base = {k: v for k, v in doc.items() if k != "sensitivity"}
    assert base == cli_json("forecast", "ukraine-2025", "-m", "compromise", "--seed", "2")


def test_api_forecast_refuses_a_bad_shock_and_sensitivity_without_ranges(client) -> None:
    r = client.post("/api/forecast", json={"scenario": TWO, "shocks": ["nobody-knows"]})
    assert r.status_code == 422 and r.json()["detail"].startswith("shock:")
    r = client.post("/api/forecast", json={"scenario": TWO, "sensitivity": True})
    assert r.status_code == 422 and "no ranged inputs" in r.json()["detail"]


def test_openapi_declares_the_forecast_document(client) -> None:
    doc = client.get("/api/openapi.json").json()
    ok = doc["paths"]["/api/forecast"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/ForecastDocument")
    fields = doc["components"]["schemas"]["ForecastRequest"]["properties"]
    assert {"prob", "shocks", "sensitivity"} <= set(fields)


EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=:(]\s*["']?(?:https?:)?//""", re.I)


def test_api_docs_are_served_offline(client) -> None:
    r = client.get("/api/docs")
    assert r.status_code == 200
    html = r.text
    assert "http://" not in html and "https://" not in html and not EXTERNAL.search(html)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {"/static/swagger-ui-bundle.js", "/static/swagger-ui.css",
            "/static/swagger-init.js"} <= set(assets)
    for path in assets:
        if path.startswith("data:"):
            continue  # the empty icon: no favicon request
        got = client.get(path)
        assert got.status_code == 200 and len(got.content) > 0, path
    init = client.get("/static/swagger-init.js").text
    assert "http" not in init and "validatorUrl: null" in init
    assert "<script>" not in html  # no inline script: the Content-Security-Policy holds
    assert "SwaggerUIBundle" in client.get("/static/swagger-ui-bundle.js").text


def test_the_store_is_a_dependency(client) -> None:
    from accord.web.services import get_store
    from accord.web.store import Store

    other = Store(Limits())
    draft = other.add_draft({"title": "Elsewhere", "issues": [], "actors": []}, "test")
    assert client.get(f"/drafts/{draft.id}").status_code == 404
    client.app.dependency_overrides[get_store] = lambda: other
    try:
        r = client.get(f"/drafts/{draft.id}")
        assert r.status_code == 200 and "Elsewhere" in r.text
    finally:
        client.app.dependency_overrides.clear()
        other.close()


def test_the_war_model_runs_with_sensitivity_and_shocks() -> None:
    # was a 500 (IndexError): the sensitivity moves kept one draw of the conflict's numbers
    body = {"example": "ukraine-2025", "models": ["war"], "draws": 2, "sensitivity": True,
            "shocks": ["us-walks-away"], "prob": ["agreement<=2026-12-31"]}
    with small_client() as c:
        r = c.post("/api/forecast", json=body)
        assert r.status_code == 200, r.text
        doc = r.json()
        assert [m["model"] for m in doc["sensitivity"]["models"]] == ["war"]
        assert doc["shocks"][0]["name"] == "us-walks-away"
        assert "agreement<=2026-12-31" in doc["forecasts"][0]["probabilities"]


@pytest.mark.parametrize("body", [
    {"example": "ukraine-2025", "models": ["compromise", "bdm"]},
    {"example": "ukraine-2025", "models": ["compromise", "war"], "draws": 5, "seed": 3,
     "prob": ["territory>=80", "agreement<=2026-12-31"], "shocks": ["us-walks-away"]},
    {"example": "ukraine-2025", "models": ["nash"], "shocks": ["drop:EUR"],
     "sensitivity": True},
    {"example": "emission-1994", "models": ["ensemble:compromise=1,nash=1"], "draws": 3},
])
def test_the_forecast_answer_keeps_its_documented_cross_field_rules(body) -> None:
    from forecast_rules import check_forecast_document

    with small_client() as c:
        r = c.post("/api/forecast", json=body)
        assert r.status_code == 200, r.text
        check_forecast_document(body, r.json())


def test_the_forecast_response_schema_describes_the_rules() -> None:
    with small_client() as c:
        spec = c.get("/api/openapi.json").json()
    ok = spec["paths"]["/api/forecast"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ForecastDocument"}
    schemas = spec["components"]["schemas"]
    entry = schemas["ForecastEntry"]["properties"]
    assert "exactly when draws > 1" in entry["distribution"]["description"]
    assert "exactly when the request has `prob`" in entry["probabilities"]["description"]
    doc = schemas["ForecastDocument"]["properties"]
    assert "exactly when the request has `shocks`" in doc["shocks"]["description"]
    assert "`sensitivity: true`" in doc["sensitivity"]["description"]
