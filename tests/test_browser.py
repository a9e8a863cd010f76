"""End to end in a real browser: Debian's chromium driven by Playwright (issue 7).

The Debian binary is the executable (``shutil.which("chromium")``); Playwright never
downloads a browser. ``.ci/run`` installs the Debian package; on a developer machine
without it these tests are skipped with a message saying so.

Expected numbers are hand calculations of the compromise model on the Ukraine example
(see tests/test_web_api.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("ACCORD_REQUIRE_BROWSER") == "1":
    raise RuntimeError("ACCORD_REQUIRE_BROWSER=1 (set by .ci/run) but Debian's chromium is not "
                       "installed: CI must run the browser tests, not skip them")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does it): "
           "the browser tests need it")

FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    FLAGS.insert(0, "--no-sandbox")  # Chromium will not start as root without it

UKRAINE_TERRITORY = 9272.5 / 153.25  # compromise, central values: 60.506
UKRAINE_TERRITORY_RUS_SAL_10 = 3672.5 / 97.25  # with RUS's salience on territory 10: 37.76


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from accord.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < end, "the dashboard did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def guarded_page(browser, allowed: str):
    """A page that aborts (and records) every request not starting with ``allowed``, and
    records page errors and console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    page.outside: list[str] = []
    page.errors: list[str] = []

    def route(r) -> None:
        if r.request.url.startswith(allowed) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            page.outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    return page


def poll(page, script: str, until, seconds: float = 30.0):
    """Evaluate ``script`` until ``until(value)``; the dashboard's CSP forbids Playwright's
    wait_for_function (it evaluates strings), so poll from here."""
    end = time.monotonic() + seconds
    value = None
    while time.monotonic() < end:
        value = page.evaluate(script)
        if until(value):
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"gave up waiting; last value {value!r}")


COMPROMISE_LINE = """(() => {
  const div = document.getElementById('map-0');
  if (!div || !div.data) return null;
  const line = div.data.find(t => t.name && t.name.startsWith('compromise'));
  return line ? line.x[0] : null;
})()"""


def run_and_read(page) -> float:
    page.click("#run-button")
    page.wait_for_selector("#job[data-status=done]", timeout=60_000)
    page.wait_for_selector("#map-0 .main-svg", timeout=20_000)
    return poll(page, COMPROMISE_LINE, lambda v: v is not None)


def test_dashboard_edit_run_download(server, browser, tmp_path) -> None:
    page = guarded_page(browser, server)
    page.goto(server + "/")
    page.click("button[data-example='ukraine-2025']")
    page.wait_for_selector("#editor")
    for box in page.query_selector_all("input[name=model]"):
        if box.get_attribute("value") != "compromise":
            box.uncheck()
    page.fill("#draws", "200")

    before = run_and_read(page)
    assert before == pytest.approx(UKRAINE_TERRITORY)
    drawn = page.locator(".plot.js-plotly-plot .main-svg").first
    assert drawn.is_visible()
    assert page.locator(".plot.js-plotly-plot").count() == page.locator(".plot").count()

    # edit a salience: out of its range first, and the problem shows next to the cell
    page.fill("#a0-sal-0-value", "10")
    page.keyboard.press("Tab")
    page.wait_for_selector("td[data-cell='0-0'] .problem")
    assert "low 80 is above the value 10" in page.inner_text("td[data-cell='0-0'] .problem")
    page.fill("#a0-sal-0-low", "0")
    page.keyboard.press("Tab")
    page.wait_for_selector("#validation[data-problems='0']")

    # run again: the chart moves to the hand-calculated forecast
    page.click("#run-button")
    after = poll(page, COMPROMISE_LINE,
                 lambda v: v is not None and abs(v - before) > 1e-6, seconds=60)
    assert after == pytest.approx(UKRAINE_TERRITORY_RUS_SAL_10)
    page.wait_for_selector("#map-0 .main-svg")

    # download the YAML: the edit is in it
    with page.expect_download() as download:
        page.click("#download-yaml")
    path = tmp_path / "scenario.yaml"
    download.value.save_as(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sal = data["actors"][0]["salience"]["territory"]
    assert (sal["value"], sal["low"], sal["high"]) == (10, 0, 100)

    # and the report of the run downloads too
    with page.expect_download() as download:
        page.click("#download-report")
    report = tmp_path / "report.html"
    download.value.save_as(report)
    assert "Ukraine peace talks" in report.read_text(encoding="utf-8")

    assert page.outside == []  # nothing fetched from anywhere but the dashboard
    assert page.errors == []
    page.context.close()


def test_report_opens_offline(browser, tmp_path: Path) -> None:
    import accord
    from accord import report as reports

    rep = reports.build(accord.example("emission-1994"), ["compromise", "median", "bdm"],
                        draws=200, seed=1, thresholds=["emission>=7"])
    path = tmp_path / "report.html"
    path.write_text(reports.render_html(rep), encoding="utf-8")
    page = guarded_page(browser, "file://")
    page.goto(path.as_uri())
    n = page.locator(".plot").count()
    assert n == len(reports.report_figures(rep)) and n > 0
    page.wait_for_function(f"document.querySelectorAll('.plot.js-plotly-plot').length === {n}",
                           timeout=20_000)
    assert "EC emission standards" in page.inner_text("h1")
    assert page.outside == [] and page.errors == []
    page.context.close()


def test_api_docs_render_offline(server, browser) -> None:
    """Swagger UI draws the API's operations from this server's files alone, under the
    pages' Content-Security-Policy (no inline script, no CDN)."""
    page = guarded_page(browser, server)
    page.goto(f"{server}/api/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    paths = page.eval_on_selector_all(".opblock-summary-path", "els => els.map(e => e.textContent)")
    assert "/api/forecast" in "".join(paths)
    assert page.outside == [], page.outside
    assert page.errors == [], page.errors
    page.context.close()
