"""Figure data, its two renderers, the HTML report, PNG/PDF output and the CLI commands
``report`` and ``forecast --png`` (issue 7).

Expected numbers are hand calculations on tiny scenarios: weighted means of two actors,
empirical CDFs and linear-interpolation quantiles of a handful of values.
"""

from __future__ import annotations

import json
import re
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

import accord
from accord import analysis, cli
from accord import report as reports
from accord.analysis import ForecastResult, ModelResult
from accord.models.base import Forecast
from accord.report import figures as F
from accord.scenario import validate_data


def two_actors(title: str = "Two actors", a_name: str = "Alpha", cap_range: bool = True):
    """A at 0 and B at 100 on x (scale 0-100), saliences 100, capabilities 1 and 1:
    compromise = 50. A's capability ranges 0.5-1.5."""
    cap = {"value": 1, "low": 0.5, "high": 1.5, "evidence": "A quote", "source": "s"} \
        if cap_range else 1
    return validate_data({
        "title": title,
        "question": "Where does x end?",
        "sources": [{"id": "s", "title": "The source"}],
        "issues": [{"id": "x", "label": "The x issue", "low": "nothing", "high": "everything",
                    "status_quo": 40}],
        "actors": [
            {"id": "A", "name": a_name, "capability": cap, "position": {"x": 0},
             "salience": {"x": 100}},
            {"id": "B", "capability": 1, "position": {"x": 100}, "salience": {"x": 100}},
        ],
        "shocks": {"a-grows": ["A.capability=3"]},
    })


def hand_result(sc, draws_outcome=(10.0, 20.0, 30.0, 40.0), thresholds=()):
    """A ForecastResult made by hand: one model 'm' with 3 rounds in its central run and
    draws whose outcomes are ``draws_outcome`` (rounds: 0, then v/2, then v)."""
    traj = np.array([[[[0.0], [100.0]], [[20.0], [80.0]], [[40.0], [60.0]]]])  # (1,3,2,1)
    point = Forecast("m", {}, ("A", "B"), ("x",), np.array([[50.0]]), trajectory=traj,
                     round_outcome=np.array([[[50.0], [50.0], [50.0]]]))
    v = np.asarray(draws_outcome)[:, None]
    ro = np.stack([np.zeros_like(v), v / 2, v], axis=1)  # (S, 3, 1)
    spread = Forecast("m", {}, ("A", "B"), ("x",), v, round_outcome=ro)
    parsed = tuple(analysis.parse_threshold(t, sc.issue_ids) for t in thresholds)
    return ForecastResult(sc, len(draws_outcome), 0,
                          [ModelResult("m", {}, point, spread, parsed)], thresholds=parsed)


# --------------------------------------------------------------------------- figure data


def test_ecdf_by_hand() -> None:
    got = F.ecdf(np.array([4.0, 1.0, 3.0, 2.0]), np.array([0.0, 1.0, 2.5, 4.0, 9.0]))
    assert got.tolist() == [0.0, 0.25, 0.5, 1.0, 1.0]


def test_distribution_quantiles_and_threshold_probability() -> None:
    sc = two_actors()
    res = hand_result(sc, thresholds=["x>=25", "x<15"])
    d = F.distribution_data(res, "x")
    assert d is not None and d.scale == (0.0, 100.0)
    assert len(d.x) == F.ECDF_POINTS and d.x[0] == 0.0 and d.x[-1] == 100.0
    # grid step 0.5: x = 25 is point 50; two of the four draws (10, 20) are <= 25
    assert d.cdf["m"][50] == 0.5
    assert d.cdf["m"][0] == 0.0 and d.cdf["m"][-1] == 1.0
    # median of 10, 20, 30, 40 by linear interpolation = 25; q10 = 10 + 0.3 * 10 = 13
    assert d.quantiles["m"]["q50"] == pytest.approx(25.0)
    assert d.quantiles["m"]["q10"] == pytest.approx(13.0)
    marks = {t.text: t for t in d.thresholds}
    assert marks["x>=25"].probability["m"] == 0.5  # 30 and 40
    assert marks["x<15"].probability["m"] == 0.25  # 10
    assert marks["x>=25"].op == ">=" and marks["x>=25"].value == 25.0


def test_no_distribution_without_draws() -> None:
    res = analysis.forecast(two_actors(), ["compromise"], draws=1)
    assert F.distribution_data(res, "x") is None
    kinds = [f.kind for f in F.forecast_figures(res)]
    assert kinds == ["actor_map"]  # the compromise model has no rounds


def test_trajectory_lines_and_band() -> None:
    sc = two_actors()
    res = hand_result(sc, draws_outcome=(0.0, 10.0, 20.0, 30.0, 40.0))
    t = F.trajectory_data(res, 0, "x")
    assert t is not None and t.rounds == (0, 1, 2)
    assert [a.name for a in t.actors] == ["Alpha", "B"]
    assert t.actors[0].y == (0.0, 20.0, 40.0) and t.actors[1].y == (100.0, 80.0, 60.0)
    assert t.outcome == (50.0, 50.0, 50.0)
    # last round: values 0..40; q10 at position 0.4 -> 4, q90 at 3.6 -> 36
    low, high = t.band
    assert low[2] == pytest.approx(4.0) and high[2] == pytest.approx(36.0)
    assert low[0] == 0.0 and high[0] == 0.0
    assert F.trajectory_data(analysis.forecast(sc, ["compromise"]), 0, "x") is None


def test_settled_length() -> None:
    assert F.settled_length(np.array([[1.0, 2.0, 3.0, 3.0, 3.0]])) == 3
    assert F.settled_length(np.array([[5.0, 5.0, 5.0]])) == 1
    assert F.settled_length(np.array([[0.0, 10.0, 10.1, 10.1]]), atol=0.5) == 2


def test_actor_map_leaves_out_absent_actors() -> None:
    sc = validate_data({
        "issues": [{"id": "x"}, {"id": "y", "scale": [4, 10]}],
        "actors": [
            {"id": "A", "capability": 70, "position": {"x": 10, "y": 5},
             "salience": {"x": 90, "y": 20}},
            {"id": "B", "name": "Bee", "capability": {"x": 30, "y": 60},
             "position": {"y": 9}, "salience": {"y": 50}},
        ],
    })
    m = F.actor_map_data(sc, "y", {"compromise": 7.0})
    assert [(a.name, a.position, a.salience, a.capability) for a in m.actors] == [
        ("A", 5.0, 20.0, 70.0), ("Bee", 9.0, 50.0, 60.0)]
    assert m.scale == (4.0, 10.0) and m.status_quo is None
    assert [a.id for a in F.actor_map_data(sc, "x").actors] == ["A"]


def test_ukraine_actor_map_values_from_the_file() -> None:
    sc = accord.example("ukraine-2025")
    m = F.actor_map_data(sc, "territory")
    rus = next(a for a in m.actors if a.id == "RUS")
    assert (rus.position, rus.salience, rus.capability) == (100.0, 90.0, 70.0)
    assert m.status_quo == 65.0
    assert m.high_label == "Russia holds all four regions, recognised"


def test_tornado_from_sensitivity_by_hand() -> None:
    # compromise with A's capability c: 100 * 1 / (c + 1); c = 0.5 -> 66.67, 1.5 -> 40
    sc = two_actors()
    sens = analysis.sensitivity(sc, ["compromise"])
    t = F.tornado_from_sensitivity(sens[0], "x")
    assert t.base == pytest.approx(50.0)
    assert [b.label for b in t.bars] == ["A.capability"]
    bar = t.bars[0]
    assert (bar.low_input, bar.high_input) == (0.5, 1.5)
    assert bar.low_outcome == pytest.approx(200 / 3)
    assert bar.high_outcome == pytest.approx(40.0)
    assert bar.swing == pytest.approx(200 / 3 - 40)


def test_tornado_ranks_drops_zero_swings_and_keeps_top() -> None:
    bars = [F.TornadoBar("small", 0, 1, 49, 51), F.TornadoBar("none", 0, 1, 50, 50),
            F.TornadoBar("big", 0, 1, 30, 70), F.TornadoBar("mid", 0, 1, 45, 60)]
    t = F.tornado_data("m", "x", 50, bars, top=2)
    assert [b.label for b in t.bars] == ["big", "mid"]
    assert [b.label for b in F.tornado_data("m", "x", 50, bars).bars] == ["big", "mid",
                                                                          "small"]


def test_shock_data_by_hand() -> None:
    # shock A.capability=3: compromise = 100 * 1 / (3 + 1) = 25, base 50
    sc = two_actors()
    comp = analysis.run_shocks(sc, ["a-grows"], ["compromise"], draws=1)
    s = F.shock_data(comp.base, comp.shocks[0].result, "a-grows", "x",
                     edits=comp.shocks[0].edits)
    assert [(r.model, r.base, r.shocked) for r in s.rows] == [("compromise", 50.0, 25.0)]
    assert s.rows[0].base_interval is None and s.edits == ("A.capability=3",)


def test_shock_point_outside_its_interval_still_draws() -> None:
    # a point run on central values may fall outside its draws' 10-90 % interval
    row = F.ShockRow("m", 50.0, 20.0, (55.0, 70.0), (25.0, 30.0))
    f = F.ShockData("shock-0-0", "t", "s", "x", (0.0, 100.0), (row,))
    p = F.to_plotly(f)
    base_band = p["data"][0]
    assert base_band["x"] == [55.0, 70.0, None] and base_band["y"] == [0.12, 0.12, None]
    assert F.to_matplotlib(f).axes


def test_distribution_marks_the_quantiles_of_the_analysis(monkeypatch) -> None:
    # one table of quantiles (analysis.results.QUANTILES): the figures mark whatever it holds
    monkeypatch.setattr(analysis.results, "QUANTILES", {"q25": 0.25, "q50": 0.5, "q75": 0.75})
    f = F.distribution_data(hand_result(two_actors()), "x")
    assert f.quantiles["m"] == {"q25": 17.5, "q50": 25.0, "q75": 32.5}
    marks = F.to_plotly(f)["data"][1]
    assert marks["y"] == [0.25, 0.5, 0.75] and marks["x"] == [17.5, 25.0, 32.5]
    assert marks["text"] == ["25 %", "50 %", "75 %"]
    line = F.to_matplotlib(f).axes[0].lines[1]
    assert list(line.get_ydata()) == [0.25, 0.5, 0.75]


def test_model_labels_unique() -> None:
    res = analysis.forecast(two_actors(), ["compromise", "median", "compromise"])
    assert F.model_labels(res) == ["compromise", "median", "compromise (2)"]


# --------------------------------------------------------------------------- renderers


def all_kinds(sc=None):
    sc = sc or two_actors()
    res = hand_result(sc, thresholds=["x>=25"])
    sens = analysis.sensitivity(sc, ["compromise"])
    comp = analysis.run_shocks(sc, ["a-grows"], ["compromise"], draws=50)
    return [F.actor_map_data(sc, "x", {"m": 50.0}), F.distribution_data(res, "x"),
            F.trajectory_data(res, 0, "x"), F.tornado_from_sensitivity(sens[0], "x"),
            F.shock_data(comp.base, comp.shocks[0].result, "a-grows", "x")]


def test_plotly_figures_are_json_with_the_data() -> None:
    figs = all_kinds()
    assert [f.kind for f in figs] == ["actor_map", "distribution", "trajectory", "tornado",
                                      "shock"]
    for f in figs:
        p = F.to_plotly(f)
        json.dumps(p, allow_nan=False)
        assert p["data"] and "layout" in p
    amap = F.to_plotly(figs[0])
    assert amap["data"][0]["x"] == [0.0, 100.0]  # positions
    assert amap["data"][1]["x"] == [50.0, 50.0]  # the model's forecast line
    traj = F.to_plotly(figs[2])
    assert traj["data"][-1]["y"] == [50.0, 50.0, 50.0]  # the outcome line last
    torn = F.to_plotly(figs[3])
    assert torn["data"][0]["base"] == pytest.approx(50.0)
    assert torn["data"][0]["x"] == [pytest.approx(200 / 3 - 50)]


def test_plotly_escapes_user_text() -> None:
    sc = two_actors(a_name="<b onmouseover=alert(1)>A</b>")
    p = F.to_plotly(F.actor_map_data(sc, "x"))
    assert p["data"][0]["text"][0] == "&lt;b onmouseover=alert(1)&gt;A&lt;/b&gt;"


def test_matplotlib_figures_draw(tmp_path) -> None:
    sc = two_actors(a_name="Cost $5 and $6")
    for f in all_kinds(sc):
        fig = F.to_matplotlib(f)
        assert fig.axes
        path = tmp_path / f"{f.id}.png"
        fig.savefig(path, dpi=40)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    amap = F.to_matplotlib(F.actor_map_data(sc, "x"))
    labels = [t.get_text() for t in amap.axes[0].texts]
    assert r"Cost \$5 and \$6" in labels  # shown as dollars, not as mathematics


# --------------------------------------------------------------------------- report


@pytest.fixture(scope="module")
def small_report():
    sc = two_actors(title="<script>alert('x')</script> & co")
    return reports.build(sc, ["compromise", "median"], draws=200, seed=3,
                         thresholds=["x>=60"], source="two.yaml")


def test_describe_in_words() -> None:
    res = analysis.forecast(two_actors(), ["compromise"], draws=1)
    text = reports.describe(res, 0, "x")
    assert text == ("compromise forecasts 50 on The x issue: midway between the ends of the "
                    "scale; 10 above the status quo (40).")


def test_report_html_is_self_contained_and_escaped(small_report) -> None:
    html = reports.render_html(small_report)
    js = reports.plotly_js()
    assert html.count(js[:200]) == 1  # plotly.js embedded once
    assert not re.search(r"<script[^>]+src=", html)  # nothing fetched: works offline
    assert not re.search(r"https?://", html.replace(js, ""))  # no URL outside plotly.js
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in html
    assert "A quote" in html and "The source" in html  # evidence and its source
    assert "Where does x end?" in html
    assert "P(x&gt;=60)" in html
    assert "accord report two.yaml --draws 200 --seed 3 --model compromise --model median " \
           "--prob &#39;x&gt;=60&#39; --shock a-grows" in html  # quoted for the shell
    assert 'id="tornado-0-0"' in html and 'id="shock-0-0"' in html
    assert html.count('<div class="plot" id=') == len(reports.report_figures(small_report))


def test_report_sections_without_extras() -> None:
    rep = reports.build(two_actors(cap_range=False), ["compromise"], draws=1, shocks=[])
    html = reports.render_html(rep)
    assert "No sensitivity analysis" in html  # nothing is ranged
    assert "this report did not run them" in html
    assert rep.notes and "no ranged inputs" in rep.notes[0]
    assert "--no-shocks --no-sensitivity" in reports.builder.rerun_command(rep)


def test_pngs_and_matplotlib_pdf(small_report, tmp_path) -> None:
    paths = reports.write_pngs(reports.report_figures(small_report), tmp_path / "png")
    assert len(paths) == len(reports.report_figures(small_report))
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
    assert len({p.name for p in paths}) == len(paths)
    how = reports.write_pdf(small_report, tmp_path / "r.pdf", use_chromium=False)
    assert how == "matplotlib"
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def _fake_chromium(tmp_path, body: str):
    """An executable that stands in for Chromium: ``body`` is Python run with the
    --print-to-pdf path as ``out``."""
    script = tmp_path / "fake-chromium"
    script.write_text(f"""#!{sys.executable}
import sys
out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
{body}
""")
    script.chmod(0o755)
    return str(script)


def test_pdf_never_passes_off_an_old_file_as_printed(small_report, tmp_path,
                                                     monkeypatch) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"%PDF-1.4 stale " + b"x" * 5000)  # an old report, well over 1 kB
    monkeypatch.setattr(reports.builder, "find_chromium",
                        lambda: _fake_chromium(tmp_path, "pass  # prints nothing"))
    how = reports.write_pdf(small_report, target)
    assert how == "matplotlib"  # Chromium printed nothing: the fallback wrote the PDF
    data = target.read_bytes()
    assert data[:5] == b"%PDF-" and b"stale" not in data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.pdf"]


def test_pdf_printed_by_chromium_replaces_the_target_whole(small_report, tmp_path,
                                                           monkeypatch) -> None:
    target = tmp_path / "out" / "report.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    seen = tmp_path / "seen"
    body = (f"assert out != {str(target)!r}  # never the final path\n"
            f"open({str(seen)!r}, 'w').write(out)\n"
            "open(out, 'wb').write(b'%PDF-1.7 printed ' + b'y' * 2000)")
    monkeypatch.setattr(reports.builder, "find_chromium", lambda: _fake_chromium(tmp_path, body))
    assert reports.write_pdf(small_report, target) == "chromium"
    assert target.read_bytes().startswith(b"%PDF-1.7 printed ")
    assert seen.read_text().startswith(str(target.parent))  # printed beside the target
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_failed_png_or_pdf_leaves_the_old_file(small_report, tmp_path, monkeypatch) -> None:
    figs = reports.report_figures(small_report)[:1]
    first = reports.write_pngs(figs, tmp_path)[0]
    before = first.read_bytes()

    def broken(_f):  # a figure that fails while being drawn
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(F, "to_matplotlib", broken)
    with pytest.raises(RuntimeError):
        reports.write_pngs(figs, tmp_path)
    with pytest.raises(RuntimeError):
        reports.write_pdf(small_report, tmp_path / "r.pdf", use_chromium=False)
    assert first.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]


# --------------------------------------------------------------------------- CLI


def test_cli_report_and_png(tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.html"
    res = runner.invoke(cli.app, ["report", "emission-1994", "-o", str(out), "--draws", "50",
                                  "--model", "compromise", "--no-sensitivity"])
    assert res.exit_code == 0, res.output
    assert "EC emission standards" in out.read_text(encoding="utf-8")
    res = runner.invoke(cli.app, ["forecast", "emission-1994", "--draws", "50", "--model",
                                  "compromise", "--png", str(tmp_path / "png")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "dist-0-emission.png", "map-0-emission.png"]


def test_cli_report_user_errors(tmp_path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli.app, ["report", "emission-1994", "-o", str(tmp_path / "r.txt")])
    assert res.exit_code == 2 and "use a .html name" in res.output
    res = runner.invoke(cli.app, ["report", "emission-1994", "-o", str(tmp_path / "r.html"),
                                  "--prob", "nosuch>=3", "--draws", "20"])
    assert res.exit_code == 2 and "no issue 'nosuch'" in res.output


def test_report_keeps_two_variants_of_one_model_apart() -> None:
    from accord.examples import example

    rep = reports.build(example("emission-1994"), ["bdm", "bdm:literal"], draws=1,
                        options={"rounds": 3}, shocks=["Germany.capability=10"],
                        sensitivity=False, source="emission-1994")
    assert F.model_labels(rep.result) == ["bdm", "bdm:literal"]
    rows = [row["model"] for table in [reports.builder._shock_tables(rep)[0]]
            for row in table["rows"]]
    assert rows == ["bdm", "bdm:literal"]
    assert "--model bdm --model bdm:literal --option rounds=3" in \
        reports.builder.rerun_command(rep)
    html = reports.render_html(rep)
    assert "<td>bdm:literal</td>" in html
