"""The dashboard's "draft from an article": paste or upload, get the draft in the editor with
the evidence marked in the article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("httpx")
from fastapi.testclient import TestClient

from accord.web import create_app

SEED = Path(__file__).parent / "data" / "draft" / "seed-article.txt"
WANT = ("Many European leaders want any settlement to include strong guarantees for Ukraine’s "
        "sovereignty and security.")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def test_paste_an_article_and_see_the_draft_with_marked_evidence(client):
    res = client.post("/drafts/from-text", data={"text": SEED.read_text(encoding="utf-8")},
                      follow_redirects=False)
    assert res.status_code == 303
    page = client.get(res.headers["location"])
    assert page.status_code == 200
    html = page.text
    assert "drafted from pasted-article.txt" in html
    for aid in ("RUS", "USA", "UKR", "EUR"):
        assert f'value="{aid}"' in html  # in the editor's grid
    marks = re.findall(r'<mark title="([^"]*)">([^<]*)</mark>', html)
    marked = {text: title for title, text in marks}
    assert marked[WANT] == "EUR position on guarantees; EUR salience on guarantees"
    # an unquoted sentence is not marked
    assert "The situation remains uncertain" in html
    assert not any("The situation remains uncertain" in t for t in marked)
    assert "capability left for the analyst" in html  # the summary
    assert 'action="/drafts/from-text"' in client.get("/").text


def test_upload_an_html_article(client):
    html = ("<html><body><script>bad()</script><p>Canada is ready to cut tariffs on "
            "steel.</p><p>Mexico rejects any new tariffs.</p></body></html>")
    res = client.post("/drafts/from-text", files={"file": ("news.html", html, "text/html")},
                      follow_redirects=False)
    assert res.status_code == 303
    page = client.get(res.headers["location"]).text
    assert '<mark title="CAN position on tariffs; CAN salience on tariffs">Canada is ready' in page
    assert "bad()" not in page


def test_nothing_to_draft_is_a_clear_422(client):
    res = client.post("/drafts/from-text", data={"text": "  "})
    assert res.status_code == 422 and "the article is empty" in res.text
    res = client.post("/drafts/from-text", data={"text": "The weather was fine."})
    assert res.status_code == 422 and "nothing to draft" in res.text
    res = client.post("/drafts/from-text", files={"file": ("a.pdf", b"%PDF", "application/pdf")})
    assert res.status_code == 422 and "a.pdf: upload an article as .txt or .html" in res.text
