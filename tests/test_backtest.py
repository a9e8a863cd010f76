"""The backtest on DEU-format data (issue 6): reading, capabilities, metrics, bootstrap,
coverage, executors, and the anchor on the dev file.

The tiny file below is scored by hand (see ``TINY``'s comments); nothing here is taken from
the code's own output.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from accord import backtest as bt
from accord import cli
from accord.scenario import ScenarioError

CAPS = """actor,name,council_votes_pre_nice,council_votes_nice
com,Commission,,
ep,Parliament,,
de,Germany,10,29
fr,France,10,29
lu,Luxembourg,2,4
pl,Poland,,27
"""

HEADER = ("prnr,isnr,prname,proc,counvte,pcom,pep,pde,pfr,plu,ppl,"
          "scom,sep,sde,sfr,slu,spl,rp,out")
TINY = "\n".join([
    HEADER,
    # i1: EU-15 only -> pre-Nice; com, ep get the largest (10); all weights 10·0.5.
    #   compromise (100+100+0+0)/4 = 50, out 40: |e| 10. median: lower of the tie = 0: 40.
    "P1,i1,alpha,COD,QMV,100,100,0,0,,,50,50,50,50,,,30,40",
    # i2: com 80 (s 100), de 20 (s 50), lu 60 (salience blank -> 50); pre-Nice 10, 10, 2.
    #   weights 10, 5, 1: compromise (800+100+60)/16 = 60, out 70: |e| 10.
    #   median: 20 (5), 60 (6), 80 (16) -> half 8 reached at 80: |e| 10.
    "P1,i2,alpha,COD,QMV,80,,20,,60,,100,,50,,,,,70",
    # i3: Poland takes part -> Nice; com gets 29. weights 29, 29, 27 (saliences 100).
    #   compromise (0·29 + 50·29 + 100·27)/85 = 4150/85, out 30: |e| 4150/85 − 30.
    #   median: 0 (29), 50 (58 >= 42.5) -> 50: |e| 20.
    "P2,i3,beta,CNS,Unan,0,,50,,,100,100,,100,,,100,,30",
    # i4: no outcome: in the scenario, not scored.
    "P2,i4,beta,CNS,Unan,10,,10,,,90,100,,100,,,100,,",
    # i5: nobody takes part: skipped.
    "P2,i5,beta,CNS,Unan,,,,,,,,,,,,,,50",
]) + "\n"

E3 = 4150 / 85 - 30
COMPROMISE_ERR = np.array([10.0, 10.0, E3])
MEDIAN_ERR = np.array([40.0, 10.0, 20.0])


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "deu.csv"
    caps = tmp_path / "caps.csv"
    data.write_text(TINY)
    caps.write_text(CAPS)
    return data, caps


def test_reading_proposals(tiny: tuple[Path, Path]) -> None:
    props = bt.load_deu(*tiny)
    assert [p.id for p in props] == ["P1", "P2"]
    p1, p2 = props
    assert p1.scenario.issue_ids == ["i1", "i2"]
    assert [a.id for a in p1.scenario.actors] == ["com", "ep", "de", "fr", "lu"]
    lu = p1.scenario.actors[4]
    assert lu.salience["i2"].value == 50.0  # blank salience of a participant
    assert lu.capability_on("i2").value == 2.0  # pre-Nice
    assert p1.scenario.issues[0].status_quo.value == 30.0
    assert p1.scenario.issues[1].status_quo is None
    assert p2.scenario.issue_ids == ["i3", "i4"]
    assert [i.id for i in p2.skipped] == ["i5"]
    com = p2.scenario.actors[0]
    assert com.capability_on("i3").value == 29.0  # Nice, largest state's weight
    assert np.isnan(p2.outcomes[1])
    assert p1.issues[0].meta["proc"] == "COD"


def test_issue_capabilities(tmp_path: Path) -> None:
    f = tmp_path / "caps.csv"
    f.write_text(CAPS)
    caps = bt.read_capabilities(f)
    assert bt.issue_capabilities(["com", "de", "lu"], caps) == {"de": 10, "lu": 2, "com": 10}
    assert bt.issue_capabilities(["com", "de", "pl"], caps) == {"de": 29, "pl": 27, "com": 29}
    assert bt.issue_capabilities(["ep", "de"], caps, "none") == {"de": 10, "ep": 0}
    assert bt.issue_capabilities(["ep", "de"], caps, 5.0) == {"de": 10, "ep": 5}
    assert bt.issue_capabilities(["ep", "de"], caps, "mean")["ep"] == pytest.approx(22 / 3)
    assert bt.issue_capabilities(["ep", "de"], caps, proxy="equal") == {"ep": 1, "de": 1}


def test_backtest_numbers_by_hand(tiny: tuple[Path, Path]) -> None:
    res = bt.backtest(bt.load_deu(*tiny), ["compromise", "median"], seed=7)
    assert res.n_issues == 3
    comp, med = res.scores()
    assert comp.n == med.n == 3
    assert comp.mae == pytest.approx(COMPROMISE_ERR.mean())
    assert comp.median_ae == pytest.approx(10.0)
    assert comp.rmse == pytest.approx(math.sqrt(np.mean(COMPROMISE_ERR ** 2)))
    assert comp.within10 == pytest.approx(2 / 3)  # |e| = 10 counts as within
    assert med.mae == pytest.approx(70 / 3)
    assert med.median_ae == pytest.approx(20.0)
    assert med.rmse == pytest.approx(math.sqrt(700))
    assert med.within10 == pytest.approx(1 / 3)
    # paired: (40-10, 10-10, 20-E3); the bootstrap over 2 proposals can only give
    # P1's mean (15), P2's (20-E3) or the pooled mean, so its 2.5/97.5 % ends are the
    # two single-proposal means.
    diff = MEDIAN_ERR - COMPROMISE_ERR
    assert med.mean_diff == pytest.approx(diff.mean())
    assert med.ci95 == pytest.approx((20 - E3, 15.0))
    assert comp.mean_diff == 0.0 and comp.ci95 == (0.0, 0.0)
    assert comp.coverage is None
    doc = res.to_json(by=["proc", "proc+counvte"])
    assert doc["n_issues"] == 3
    m = doc["models"][1]
    assert set(m) >= {"model", "n", "mae", "median_ae", "rmse", "within10",
                      "paired_vs_compromise", "coverage"}
    assert m["paired_vs_compromise"]["ci95"] == pytest.approx([20 - E3, 15.0])
    cod = doc["breakdown"]["proc"]["COD"]
    assert cod["n_issues"] == 2
    assert cod["models"][0]["mae"] == pytest.approx(10.0)
    assert doc["breakdown"]["proc+counvte"]["CNS/Unan"]["models"][1]["mae"] == pytest.approx(20)


def test_bootstrap_is_seeded(tiny: tuple[Path, Path]) -> None:
    diff = np.array([1.0, 5.0, 2.0, 9.0, 4.0])
    cluster = np.array([0, 0, 1, 2, 3])
    a = bt.bootstrap_mean_ci(diff, cluster, 500, np.random.default_rng(1))
    b = bt.bootstrap_mean_ci(diff, cluster, 500, np.random.default_rng(1))
    assert a == b
    assert a[0] <= diff.mean() <= a[1]
    assert bt.bootstrap_mean_ci(np.full(4, 3.0), np.arange(4), 100,
                                np.random.default_rng(0)) == (3.0, 3.0)


def test_compromise_is_always_the_reference(tiny: tuple[Path, Path]) -> None:
    res = bt.backtest(bt.load_deu(*tiny), ["median"])
    assert res.models == ["compromise", "median"]


COVERAGE = "\n".join([
    "prnr,isnr,proc,counvte,pde,sde,rp,out",
    # one actor at 50 with noise ±10 (triangular 40-50-60); quantiles of that triangle:
    # q05 = 40 + sqrt(0.05·200) = 43.16, q10 = 44.47, q90 = 55.53, q95 = 56.84.
    "P,a,COD,QMV,50,50,,52",  # inside both
    "P,b,COD,QMV,50,50,,56",  # inside the 90 % interval only
    "P,c,COD,QMV,50,50,,58",  # outside both
]) + "\n"


def test_coverage_of_predictive_intervals(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(COVERAGE)
    (tmp_path / "caps.csv").write_text(CAPS)
    props = bt.load_deu(tmp_path / "c.csv", tmp_path / "caps.csv")
    noise = bt.Noise(position=10, salience=0, capability=0)
    res = bt.backtest(props, ["compromise"], draws=4000, seed=2, noise=noise)
    (s,) = res.scores()
    assert s.coverage == {"80": pytest.approx(1 / 3), "90": pytest.approx(2 / 3)}
    q = res.interval["compromise"][0]
    assert q == pytest.approx([40 + math.sqrt(10), 40 + math.sqrt(20), 60 - math.sqrt(20),
                               60 - math.sqrt(10)], abs=0.4)


def test_noise_ranges() -> None:
    noise = bt.Noise.parse(["position=5,capability=0.5"])
    assert noise == bt.Noise(position=5, salience=20, capability=0.5)
    with pytest.raises(ValueError):
        bt.Noise.parse(["size=3"])
    with pytest.raises(ValueError):
        bt.Noise.parse(["position=-1"])


def _same(a: bt.BacktestResult, b: bt.BacktestResult) -> None:
    assert a.models == b.models
    for m in a.models:
        assert np.array_equal(a.prediction[m], b.prediction[m], equal_nan=True)
        assert np.array_equal(a.interval[m], b.interval[m], equal_nan=True)
    strip = {"seconds"}
    ja = {k: v for k, v in a.to_json(["proc"]).items() if k not in strip}
    jb = {k: v for k, v in b.to_json(["proc"]).items() if k not in strip}
    assert ja == jb


def test_backtest_same_serially_through_threads_and_dask(tiny: tuple[Path, Path]) -> None:
    props = bt.load_deu(*tiny)
    specs = ["compromise", "median", "nash", "ensemble"]
    serial = bt.backtest(props, specs, draws=50, seed=3)
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        _same(serial, bt.backtest(props, specs, draws=50, seed=3, executor=ex))
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, dashboard_address=None) as client:
        _same(serial, bt.backtest(props, specs, draws=50, seed=3,
                                  executor=client.get_executor()))


def test_backtest_same_through_the_auto_process_pool(tiny: tuple[Path, Path]) -> None:
    """`accord backtest --draws N`'s default executor, a process pool of one worker per core
    (two here), gives the serial numbers, SMP's compiled whole draws included."""
    from accord.analysis import make_executor

    props = bt.load_deu(*tiny)
    specs = ["compromise", "bdm", "smp"]
    serial = bt.backtest(props, specs, draws=20, seed=4)
    with make_executor("auto", 2) as ex:
        assert isinstance(ex, cf.ProcessPoolExecutor)
        _same(serial, bt.backtest(props, specs, draws=20, seed=4, executor=ex))
        # a worker per core, each running its models' blocks of draws in turn
        assert ex.submit(os.getenv, "ACCORD_THREADS").result() == "1"
    with make_executor("auto", 1) as ex:
        assert ex is None  # one core: serial


def test_a_failing_model_loses_only_its_own_numbers(tiny: tuple[Path, Path]) -> None:
    from accord.models.compromise import CompromiseModel

    class Broken(CompromiseModel):
        name = "broken"

        def run(self, arrays, *, rng):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    res = bt.backtest(bt.load_deu(*tiny), ["compromise", Broken()])
    comp, broken = res.scores()
    assert comp.n == 3 and broken.n == 0 and broken.failures == 3
    assert "boom" in res.errors["broken"][0]


@pytest.mark.parametrize(("text", "message"), [
    (HEADER + "\nP1,i1,a,COD,QMV,abc,,,,,,,,,,,,,40\n", "'abc' is not a number"),
    (HEADER + "\nP1,i1,a,COD,QMV,140,,,,,,,,,,,,,40\n", "140 is outside 0..100"),
    (HEADER + "\nP1,i1,a,COD,QMV,1,,,,,,,,,,,,,40\nP1,i1,a,COD,QMV,1,,,,,,,,,,,,,40\n",
     "duplicate issue"),
    ("prnr,isnr,pxx,sxx,out\nP,i,5,5,5\n", "no row"),
    ("prnr,isnr,pcom\nP,i,5\n", "lacks out"),
])
def test_bad_files_are_reported_with_lines(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "d.csv").write_text(text)
    (tmp_path / "caps.csv").write_text(CAPS)
    with pytest.raises(ScenarioError) as e:
        bt.load_deu(tmp_path / "d.csv", tmp_path / "caps.csv")
    assert message in str(e.value)
    assert all(p.line is not None for p in e.value.problems)


runner = CliRunner()


def test_cli_backtest_json_and_table(tiny: tuple[Path, Path]) -> None:
    data, caps = tiny
    res = runner.invoke(cli.app, ["backtest", str(data), "--capabilities", str(caps),
                                  "-m", "compromise", "-m", "median", "--by", "proc,counvte",
                                  "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["n_issues"] == 3
    assert doc["models"][0]["mae"] == pytest.approx(COMPROMISE_ERR.mean())
    assert set(doc["breakdown"]) == {"proc", "counvte"}
    table = runner.invoke(cli.app, ["backtest", str(data), "--capabilities", str(caps),
                                    "-m", "median", "--draws", "20"])
    assert table.exit_code == 0, table.output
    assert "MAE" in table.stdout and "cov80" in table.stdout
    bad = runner.invoke(cli.app, ["backtest", str(data), "--capabilities", str(caps),
                                  "--by", "nosuch"])
    assert bad.exit_code == 2 and "nosuch" in bad.stderr


# --------------------------------------------------------------------------- the dev file

DEU = Path(__file__).parent / "data" / "deu"  # copied from shared/reference/deu


def test_compromise_anchor_on_the_dev_file() -> None:
    props = bt.load_deu(DEU / "deu-dev.csv", DEU / "capabilities.csv")
    res = bt.backtest(props, ["compromise"])
    (comp,) = res.scores()
    assert res.n_issues == 243  # 248 issues, 5 without an outcome
    assert comp.mae == pytest.approx(22.9, abs=0.1)  # shared/DESIGN.md
