"""`accord draft` as a user runs it: a real process, files, stdin, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data" / "draft"
SEED = DATA / "seed-article.txt"


def accord(*args: str, cwd: Path | None = None, stdin: str | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, input=stdin)


def test_draft_validate_forecast_chain(tmp_path: Path) -> None:
    """The issue's "done when": draft the seed article, validate it, forecast it."""
    res = accord("draft", str(SEED), "-o", "d.yaml", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "actors found (4): RUS (Russia), USA (United States), UKR (Ukraine), EUR" in res.stderr
    assert "capability left for the analyst" in res.stderr
    assert res.stdout == ""
    data = yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8"))
    assert [a["id"] for a in data["actors"]] == ["RUS", "USA", "UKR", "EUR"]
    res = accord("validate", "d.yaml", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "4 actors, 3 issues" in res.stdout
    res = accord("forecast", "d.yaml", "--model", "compromise", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Control of the disputed territory" in res.stdout


def test_draft_from_stdin_and_html_to_stdout(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><script>x = 'Iran wants war'</script><p>Canada is ready "
                    "to cut tariffs on steel.</p><p>Mexico rejects any new tariffs.</p>"
                    "</body></html>", encoding="utf-8")
    res = accord("draft", str(page))
    assert res.returncode == 0, res.stderr
    doc = yaml.safe_load(res.stdout)
    assert {a["id"] for a in doc["actors"]} == {"CAN", "MEX"}
    assert doc["sources"] == [{"id": "page", "title": "page.html"}]
    res = accord("draft", "-", stdin="Canada is ready to cut tariffs on steel.\n")
    assert res.returncode == 0, res.stderr
    q = yaml.safe_load(res.stdout)["actors"][0]["position"]["tariffs"]
    assert q["evidence"] == "Canada is ready to cut tariffs on steel." and q["value"] < 50


def test_draft_user_mistakes_exit_2(tmp_path: Path) -> None:
    res = accord("draft", str(tmp_path / "nope.txt"))
    assert res.returncode == 2 and "nope.txt: no such file" in res.stderr
    assert "Traceback" not in res.stderr
    res = accord("draft", str(SEED), "--engine", "llm")
    assert res.returncode == 2 and "--llm-url" in res.stderr
    res = accord("draft", str(SEED), "--write")
    assert res.returncode == 2 and "--update" in res.stderr
    bad = tmp_path / "issues.yaml"
    bad.write_text("- id: x\n  label: X\n", encoding="utf-8")
    res = accord("draft", str(SEED), "--issues", str(bad))
    assert res.returncode == 2 and "issues.yaml: issues[0].low" in res.stderr


def test_update_proposes_and_writes_only_with_write(tmp_path: Path) -> None:
    scenario = tmp_path / "talks.yaml"
    original = (
        "# my coding\n"
        "title: Steel talks\n"
        "issues:\n"
        "  - {id: tariffs, label: Tariffs, low: none, high: high}\n"
        "actors:\n"
        "  - {id: CAN, capability: 50, position: {tariffs: 90}, salience: {tariffs: 50}}\n"
        "  - {id: USA, capability: 80, position: {tariffs: 90}, salience: {tariffs: 70}}\n")
    scenario.write_text(original, encoding="utf-8")
    article = tmp_path / "news.txt"
    article.write_text("Canada is ready to cut tariffs on steel. Mexico rejects any new "
                       "tariffs. The United States insists that tariffs stay.\n",
                       encoding="utf-8")
    res = accord("draft", str(article), "--update", str(scenario), "--diff", "yaml")
    assert res.returncode == 0, res.stderr
    patch = yaml.safe_load(res.stdout)
    assert [a["id"] for a in patch["add_actors"]] == ["MEX"]
    assert [(c["actor"], c["kind"]) for c in patch["changes"]] == [("CAN", "changed")]
    assert patch["changes"][0]["position"]["evidence"] == "Canada is ready to cut tariffs on steel."
    assert [c["actor"] for c in patch["confirmed"]] == ["USA"]
    assert scenario.read_text(encoding="utf-8") == original  # untouched without --write
    assert "add --write" in res.stderr
    res = accord("draft", str(article), "--update", str(scenario))
    assert res.returncode == 0 and "CAN" in res.stdout and "proposed" in res.stdout
    res = accord("draft", str(article), "--update", str(scenario), "--write")
    assert res.returncode == 0, res.stderr
    new = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    ids = [a["id"] for a in new["actors"]]
    assert ids == ["CAN", "USA", "MEX"]
    assert new["actors"][0]["position"]["tariffs"]["value"] < 50
    assert new["actors"][1]["position"]["tariffs"] == 90  # confirmed: kept as coded
    assert accord("validate", str(scenario)).returncode == 0
