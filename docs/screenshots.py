"""Remake the screenshots in docs/ (report.png, report-figures.png, dashboard.png,
editor-problem.png).

Run: .venv/bin/python docs/screenshots.py   (needs Debian's chromium: apt-get install chromium)

Rerun it after a change to the dashboard or the report, so the pictures in docs/ show what a
user sees; ``main(out, draws)`` writes them elsewhere, with fewer draws, for a quick check.

Builds the Ukraine report with 2 000 draws and shoots its top; starts the dashboard on a free
local port, opens the Ukraine example, runs compromise/median/nash/smp with 1 000 draws and
shoots the editor and results; then shows a validation problem next to its cell.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

import accord
from accord import report as reports
from accord.web import create_app

DOCS = Path(__file__).parent
FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
if os.geteuid() == 0:
    FLAGS.insert(0, "--no-sandbox")


NAMES = ("report.png", "report-figures.png", "dashboard.png", "editor-problem.png")


def main(out: Path = DOCS, draws: int = 2000) -> None:
    """Write the four screenshots into ``out``: the report built with ``draws`` draws, the
    dashboard run with half as many."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("needs Debian's chromium (apt-get install chromium)")
    rep = reports.build(accord.example("ukraine-2025"), draws=draws, seed=1,
                        thresholds=["territory>=80"], source="ukraine-2025")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning"))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1500})
        html = Path(tmp) / "report.html"
        html.write_text(reports.render_html(rep), encoding="utf-8")
        page.goto(html.as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=out / "report.png", clip={"x": 0, "y": 0, "width": 1300,
                                                         "height": 900})
        top = page.evaluate("document.getElementById('figures').offsetTop")
        page.screenshot(path=out / "report-figures.png", full_page=True,
                        clip={"x": 0, "y": top, "width": 1300, "height": 1100})

        page.goto(base + "/")
        page.click("button[data-example='ukraine-2025']")
        page.wait_for_selector("#editor")
        page.uncheck("input[name=model][value=bdm]")
        page.fill("#draws", str(draws // 2))
        page.fill("#thresholds", "territory>=80")
        page.click("#run-button")
        page.wait_for_selector("#job[data-status=done]", timeout=120_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=out / "dashboard.png", full_page=True,
                        clip={"x": 0, "y": 0, "width": 1300, "height": 1900})
        page.fill("#a0-sal-0-value", "10")
        page.keyboard.press("Tab")
        page.wait_for_selector("td[data-cell='0-0'] .problem")
        page.screenshot(path=out / "editor-problem.png",
                        clip={"x": 0, "y": 0, "width": 1300, "height": 560})
        browser.close()
    server.should_exit = True
    for name in NAMES:
        print(out / name, (out / name).stat().st_size // 1024, "kB")


if __name__ == "__main__":
    main()
