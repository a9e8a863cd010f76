"""`accord ledger …`, `forecast --record` and `backtest --record` as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import accord as accord_lib
from accord import backtest as bt
from accord.ledger import Ledger, make_question

DEU = Path(__file__).parent / "data" / "deu"  # copied from shared/reference/deu


def accord(*args: str, ledger: str) -> SimpleNamespace:
    """The command in this process (Typer's runner: exit code, stdout, stderr apart)."""
    from typer.testing import CliRunner

    from accord.cli import app

    res = CliRunner().invoke(app, list(args), env={"ACCORD_LEDGER": ledger, "COLUMNS": "200"})
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return SimpleNamespace(returncode=res.exit_code, stdout=res.stdout, stderr=res.stderr)


def accord_process(*args: str, ledger: str) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it: a real process."""
    env = {**os.environ, "ACCORD_LEDGER": ledger, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "accord", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def test_the_readme_flow_records_resolves_and_scores(ledger_url: str) -> None:
    """The README's commands: record the Ukraine forecast with a question, resolve it, read
    the question's scores and the score table."""
    res = accord("ledger", "record", "ukraine-2025", "--model", "compromise", "--model",
                 "nash", "--draws", "200", "--question", "ceasefire<50", "--deadline",
                 "2025-12-31", "--title", "ceasefire in force by 2025-12-31", "--by", "ana",
                 ledger=ledger_url)
    assert res.returncode == 0, res.stderr
    assert "recorded R1" in res.stdout and "question Q1: ceasefire in force by 2025-12-31" \
        in res.stdout
    res = accord("ledger", "list", "--open", "--json", ledger=ledger_url)
    (q,) = json.loads(res.stdout)
    assert (q["id"], q["event"], q["deadline"]) == ("Q1", "ceasefire<50", "2025-12-31")
    res = accord("ledger", "resolve", "Q1", "--value", "100", "--date", "2026-01-02",
                 "--source", "news reports", ledger=ledger_url)
    assert res.returncode == 0, res.stderr
    assert "100 (no) on 2026-01-02" in res.stdout
    res = accord("ledger", "show", "Q1", "--json", ledger=ledger_url)
    doc = json.loads(res.stdout)
    scores = {h["model"]: h["score"] for h in doc["history"]}
    # the event did not happen: Brier = P², P from the 200 recorded draws
    for h in doc["history"]:
        assert scores[h["model"]]["brier"] == pytest.approx(h["probability"] ** 2)
    res = accord("ledger", "show", "Q1", ledger=ledger_url)
    assert res.returncode == 0 and "Brier" in res.stdout
    res = accord("ledger", "score", ledger=ledger_url)
    assert res.returncode == 0, res.stderr
    assert "too few for a Brier or log score (needs 5)" in res.stdout
    res = accord("ledger", "score", "--by", "analyst", "--json", ledger=ledger_url)
    (group,) = json.loads(res.stdout)["groups"]
    assert group["key"] == "ana" and group["threshold"]["n"] == 2
    assert group["threshold"]["brier"] is None  # two forecasts: no number, a note


def test_forecast_record_prints_and_records(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    res = accord_process("forecast", "ukraine-2025", "--model", "compromise", "--record",
                         "--note", "as printed", ledger=url)
    assert res.returncode == 0, res.stderr
    assert "recorded R1" in res.stderr and "Control of the four regions" in res.stdout
    with Ledger.open(url) as ledger:
        run = ledger.run("R1")
    assert run["note"] == "as printed" and run["draws"] == 1
    assert {f["issue"] for f in run["forecasts"]} == {"territory", "ceasefire", "guarantees"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with the Ukraine forecast, Q1 (territory) open and Q2 (ceasefire) resolved."""
    path = tmp_path_factory.mktemp("seeded") / "l.sqlite"
    result = accord_lib.forecast(accord_lib.example("ukraine-2025"), ["compromise"], draws=20)
    with Ledger.open(f"sqlite:///{path}") as ledger:
        ledger.record(result, questions_asked=[make_question(result.scenario, "territory"),
                                               make_question(result.scenario, "ceasefire")])
        ledger.resolve("Q2", value=70, on="2026-01-01", source="s")
    return path


@pytest.mark.parametrize(("args", "message"), [
    (["resolve", "Q7", "--value", "3", "--date", "2026-01-01", "--source", "s"],
     "no question Q7"),
    (["resolve", "Q1", "--value", "130", "--date", "2026-01-01", "--source", "s"],
     "outside the scale"),
    (["resolve", "Q1", "--value", "maybe", "--date", "2026-01-01", "--source", "s"],
     "neither a number nor yes/no"),
    (["resolve", "Q1", "--value", "30", "--date", "next week", "--source", "s"],
     "'next week' is not a date"),
    (["resolve", "Q2", "--value", "60", "--date", "2026-01-01", "--source", "s"],
     "resolved already"),
    (["show", "X1"], "not a question id"),
    (["record", "ukraine-2025", "--question", "land>5"], "no issue 'land'"),
    (["record", "ukraine-2025", "--question", "territory", "--deadline", "2025-31-12"],
     "not a date"),
    (["import", "missing.json"], "missing.json"),
])
def test_bad_input_exits_2_and_writes_nothing(seeded: Path, tmp_path: Path, args,
                                              message) -> None:
    for f in seeded.parent.glob(seeded.name + "*"):
        shutil.copy(f, tmp_path / f.name)
    url = f"sqlite:///{tmp_path / seeded.name}"
    with Ledger.open(url) as ledger:
        before = json.dumps(ledger.export_json(), sort_keys=True)
    res = accord("ledger", *args, ledger=url)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr
    with Ledger.open(url) as ledger:
        assert json.dumps(ledger.export_json(), sort_keys=True) == before


def test_export_import_through_files(tmp_path: Path) -> None:
    a, b = f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'b.sqlite'}"
    accord("ledger", "record", "ukraine-2025", "--model", "median", "--draws", "20",
           "--question", "territory>=80", ledger=a)
    out = tmp_path / "ledger.json"
    assert accord("ledger", "export", "--output", str(out), ledger=a).returncode == 0
    res = accord("ledger", "import", str(out), ledger=b)
    assert "1 runs, 1 questions, 0 resolutions" in res.stdout
    res = accord("ledger", "import", str(out), ledger=b)
    assert "0 runs, 0 questions, 0 resolutions" in res.stdout
    csv = accord("ledger", "export", "--format", "csv", ledger=b).stdout.splitlines()
    assert len(csv) == 1 + 3 and csv[1].startswith("R1,")
    res = accord("ledger", "upgrade", ledger=b)
    assert "schema revision 0002, the latest" in res.stdout


@pytest.fixture(scope="module")
def dev_backtest() -> bt.BacktestResult:
    proposals = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    return bt.backtest(proposals, ["compromise", "median"], draws=30, seed=2, bootstrap=100)


def test_ledger_scores_of_a_recorded_backtest_reproduce_its_mae_and_coverage(
        ledger_url: str, dev_backtest: bt.BacktestResult) -> None:
    with Ledger.open(ledger_url) as ledger:
        runs, questions = ledger.record_backtest(dev_backtest, source="deu-dev.csv")
        assert questions == dev_backtest.n_issues == 243
        groups = {g.key: g for g in ledger.score("model")}
        again = ledger.record_backtest(dev_backtest, source="deu-dev.csv")
        assert again == (runs, questions) and ledger.counts()["questions"] == questions
        assert {g.key: g.mae for g in ledger.score("model")} == {k: g.mae for k, g in
                                                                 groups.items()}
    for s in dev_backtest.scores():
        g = groups[s.model]
        assert g.n_value == s.n
        assert g.mae == pytest.approx(s.mae, abs=1e-9)
        assert g.coverage80 == pytest.approx(s.coverage["80"], abs=1e-12)
        assert g.coverage90 == pytest.approx(s.coverage["90"], abs=1e-12)
    assert groups["compromise"].mae == pytest.approx(22.9, abs=0.05)  # DESIGN.md's figure


def test_the_report_shows_the_scenarios_ledger_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    sc = accord_lib.example("ukraine-2025")
    with Ledger.open(url) as ledger:
        for seed in (1, 2):
            result = accord_lib.forecast(sc, ["compromise"], draws=20, seed=seed)
            ledger.record(result, questions_asked=[make_question(
                sc, "ceasefire<50", title="ceasefire in force by 2025-12-31",
                deadline="2025-12-31")])
        ledger.resolve("Q1", event=False, on="2025-12-31", source="news reports")
        other = accord_lib.forecast(accord_lib.example("emission-1994"), ["compromise"])
        ledger.record(other, questions_asked=[make_question(other.scenario,
                                                            other.scenario.issue_ids[0])])
    out = tmp_path / "r.html"
    res = accord("report", "ukraine-2025", "-o", str(out), "--draws", "20", "--model",
                 "compromise", "--no-shocks", "--no-sensitivity", "--ledger-history",
                 ledger=url)
    assert res.returncode == 0, res.stderr
    html = out.read_text()
    section = html[html.index('<section id="ledger">'):html.index('<section id="scenario">')]
    assert "Q1: ceasefire in force by 2025-12-31" in section
    assert "Resolved 2025-12-31" in section and "did not happen" in section
    assert section.count("<tr><td>R") == 2  # the two records of this scenario
    assert "Q2" not in section  # the other scenario's question stays out
    assert 'class="plot" data-figure=' in section
    res = accord("report", "ukraine-2025", "-o", str(tmp_path / "plain.html"), "--draws",
                 "20", "--model", "compromise", "--no-shocks", "--no-sensitivity", ledger=url)
    assert '<section id="ledger">' not in (tmp_path / "plain.html").read_text()


def test_history_and_runs_list_show_every_record(seeded: Path, tmp_path: Path) -> None:
    for f in seeded.parent.glob(seeded.name + "*"):
        shutil.copy(f, tmp_path / f.name)
    url = f"sqlite:///{tmp_path / seeded.name}"
    res = accord("ledger", "record", "ukraine-2025", "--model", "median", "--draws", "20",
                 "--by", "ben", "--note", "second look", ledger=url)
    assert res.returncode == 0, res.stderr
    res = accord("ledger", "history", "Q1", "--json", ledger=url)
    rows = json.loads(res.stdout)
    assert [(r["run"], r["model"]) for r in rows] == [("R1", "compromise"), ("R2", "median")]
    assert all(r["counts"] for r in rows)  # Q1 is open: every record answers it
    res = accord("ledger", "history", "Q1", ledger=url)
    assert res.returncode == 0 and "R2" in res.stdout and "median" in res.stdout
    res = accord("ledger", "list", "--runs", ledger=url)
    assert "second look" in res.stdout and "ben" in res.stdout
    res = accord("ledger", "show", "R2", ledger=url)
    assert "R2: Ukraine peace talks" in res.stdout and "note: second look" in res.stdout
    res = accord("ledger", "list", "--open", "--resolved", ledger=url)
    assert res.returncode == 2 and "exclude each other" in res.stderr
