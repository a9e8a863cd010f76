"""Advice: a hand-made case whose best move is known, and the property that a move reported
as helping does bring the forecast toward the actor when applied as a shock."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accord
from accord import analysis, shocks
from accord.analysis.advice import move_outcomes, packed_moves
from accord.arrays import sample
from accord.errors import AnalysisError
from accord.scenario import validate_data


def median_case():
    # weights c·s: A 10 at 0, B 40 at 50, C 50 at 100. Cumulative 10, 50 ≥ 50: the median is
    # B's 50. For A the best move is to persuade the pivot B: 20 % of the scale brings the
    # median to 30, 20 points closer (utility +20 at salience 100); A's own moves, persuading
    # C by up to 20 points, or an ally of a tenth or a quarter of the others' weight (9, 22.5:
    # A's side then holds at most 32.5 of 112.5) leave B the pivot.
    return validate_data({"issues": [{"id": "x"}], "actors": [
        {"id": "A", "capability": 10, "position": {"x": 0}, "salience": {"x": 100}},
        {"id": "B", "capability": 40, "position": {"x": 50}, "salience": {"x": 100}},
        {"id": "C", "capability": 50, "position": {"x": 100}, "salience": {"x": 100}}]})


def test_persuading_the_pivot_ranks_first_by_hand() -> None:
    advice = analysis.advise(median_case(), "A", models=["median"], draws=1)
    best = advice.ranked[0]
    assert (best.move.kind, best.move.other, best.move.delta) == ("persuade", "B", -20.0)
    assert best.score == pytest.approx(20.0)
    assert best.effects["median"].points == {"x": pytest.approx(20.0)}
    assert best.move.edits == ("B.position.x=30",)
    assert any("B is the pivot on x" in r for r in best.reasons)
    # lowering A's salience by 10 drops A's weight to 9: B and A hold 49 < 49.5, C's 100 wins
    lower = next(r for r in advice.ranked if r.move.kind == "salience" and r.move.delta == -10)
    assert lower.effects["median"].verdict == "hurts"
    assert lower.effects["median"].points == {"x": pytest.approx(-50.0)}


def test_moves_are_all_kinds_and_well_formed() -> None:
    sc = accord.example("ukraine-2025")
    moves = analysis.candidate_moves(sc, "UKR")
    kinds = {m.kind for m in moves}
    assert kinds == {"position", "salience", "persuade", "ally"}
    assert 50 <= len(moves) <= 70
    for m in moves:  # every move is a valid shock
        shocks.apply_edits(sc, list(m.edits))
    with pytest.raises(AnalysisError, match="no actor 'XXX'"):
        analysis.candidate_moves(sc, "XXX")


def _utility_gain(sc, shocked, actor, model) -> float:
    """Hand computation: 100 Σ_p s_p (|f0_p − x_p| − |f_p − x_p|)/Δ_p at the central values."""
    base = accord.forecast(sc, models=[model]).results[0].outcome
    new = accord.forecast(shocked, models=[model]).results[0].outcome
    a = next(x for x in sc.actors if x.id == actor)
    total = 0.0
    for iid, pos in a.position.items():
        lo, hi = sc.scale_of(next(i for i in sc.issues if i.id == iid))
        x, s = pos.value, a.salience[iid].value / 100
        total += 100 * s * (abs(base[iid] - x) - abs(new[iid] - x)) / (hi - lo)
    return total


def test_helping_moves_help_when_applied_as_shocks_under_every_model() -> None:
    sc = accord.example("ukraine-2025")
    advice = analysis.advise(sc, "UKR", draws=1)
    checked = 0
    for r in advice.ranked[:4]:
        shocked = shocks.apply_edits(sc, list(r.move.edits))
        for label in r.models("helps"):
            gain = _utility_gain(sc, shocked, "UKR", label)
            assert gain > 0
            assert gain == pytest.approx(r.effects[label].utility, rel=1e-6, abs=1e-6)
            checked += 1
    assert checked >= 10


@st.composite
def small_scenarios(draw):
    n = draw(st.integers(2, 4))
    d = draw(st.integers(1, 2))
    grid = st.integers(0, 20).map(lambda v: v * 5)
    issues = [{"id": f"i{k}"} for k in range(d)]
    if draw(st.booleans()):
        issues[0]["status_quo"] = draw(grid)
    actors = [{"id": f"A{j}", "capability": draw(st.integers(1, 10)),
               "position": {f"i{k}": draw(grid) for k in range(d)},
               "salience": {f"i{k}": draw(st.integers(10, 100)) for k in range(d)}}
              for j in range(n)]
    return validate_data({"issues": issues, "actors": actors})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=small_scenarios(), model=st.sampled_from(["compromise", "median", "nash"]))
def test_property_a_helping_move_helps_as_a_shock(sc, model) -> None:
    actor = sc.actor_ids[0]
    advice = analysis.advise(sc, actor, models=[model], draws=1)
    for r in advice.ranked:
        e = r.effects[model]
        if e.verdict != "helps":
            continue
        gain = _utility_gain(sc, shocks.apply_edits(sc, list(r.move.edits)), actor, model)
        assert gain > 0
        assert gain == pytest.approx(e.utility, rel=1e-6, abs=1e-6)


def test_draws_give_shares_and_the_same_seed_the_same_advice() -> None:
    sc = accord.example("ukraine-2025")
    one = analysis.advise(sc, "UKR", models=["compromise", "median"], draws=40, seed=3)
    two = analysis.advise(sc, "UKR", models=["compromise", "median"], draws=40, seed=3)
    assert one.to_json() == two.to_json()
    shares = [e.helps for r in one.ranked for e in r.effects.values()]
    assert all(0 <= s <= 1 for s in shares) and 0 < np.mean(shares) < 1
    # the compromise model: moving an actor's position by δ moves O by its weight share × δ;
    # on territory UKR holds the lowest position, so every other actor's move down toward it
    # brings O closer in every draw (it cannot pass UKR)
    persuade = [r for r in one.ranked if r.move.kind == "persuade" and r.move.issue ==
                "territory"]
    assert len(persuade) >= 6
    assert all(r.effects["compromise"].helps == 1.0 for r in persuade)


def test_models_side_by_side_give_the_same_advice_as_in_turn() -> None:
    """Threads only change where the models run: each has its own seed, so the advice is the
    same to the bit with one worker or three (random models included: bdm, smp, exchange's
    random ties)."""
    sc = accord.example("ukraine-2025")
    chosen = ["compromise", "bdm", "smp", "exchange:randomised"]
    in_turn = analysis.advise(sc, "UKR", models=chosen, draws=8, seed=5, workers=1)
    side_by_side = analysis.advise(sc, "UKR", models=chosen, draws=8, seed=5, workers=3)
    assert in_turn.to_json() == side_by_side.to_json()


def test_advise_command(accord) -> None:
    res = accord("advise", "ukraine-2025", "--actor", "UKR", "--model", "median",
                 "--draws", "1", "--issue", "territory")
    assert res.returncode == 0, res.stderr
    assert "USA is the pivot on territory" in res.stdout
    assert "persuades USA to move territory 70.0 → 50.0" in res.stdout
    res = accord("advise", "ukraine-2025", "--actor", "XXX", "--draws", "1")
    assert res.returncode == 2 and "no actor 'XXX'" in res.stderr
    doc = json.loads(accord("advise", "ukraine-2025", "--actor", "UKR", "-m", "compromise",
                            "--draws", "1", "--json").stdout)
    assert doc["moves"][0]["rank"] == 1 and doc["moves"][0]["edits"]
    two = [accord("advise", "ukraine-2025", "--actor", "UKR", "-m", "compromise", "-m", "bdm",
                  "--draws", "4", "--json", "--workers", w).stdout for w in ("1", "2")]
    assert json.loads(two[0]) == json.loads(two[1])
    res = accord("advise", "ukraine-2025", "--actor", "UKR", "--workers", "0")
    assert res.returncode == 2 and "--workers" in res.stderr


def test_advice_figure_by_hand(tmp_path, accord) -> None:
    from accord.report import figures as F

    advice = analysis.advise(median_case(), "A", models=["median", "compromise"], draws=1)
    fig = F.advice_data(advice, top=3)
    assert fig.models == ("median", "compromise")
    assert fig.moves[0] == advice.ranked[0].move.text
    # persuading B 20 points: median 50 → 30 (+20); compromise moves by B's share 0.4 × 20 = 8
    assert fig.gains[0] == pytest.approx((20.0, 8.0))
    plot = F.to_plotly(fig)
    assert plot["data"][0]["type"] == "heatmap" and plot["data"][0]["z"][0][0] == 20.0
    F.to_matplotlib(fig)
    path = tmp_path / "a.png"
    res = accord("advise", "ukraine-2025", "--actor", "UKR", "-m", "median", "--draws", "1",
                 "--png", str(path))
    assert res.returncode == 0, res.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- packed batches


def _partial_case():
    """Five actors on three issues, C absent from y, ranged numbers (so draws differ) and a
    status quo on x (Nash then solves a constrained problem)."""
    def r(v, lo, hi):
        return {"value": v, "low": lo, "high": hi}

    issues = [{"id": "x", "status_quo": r(40, 30, 50)}, {"id": "y"}, {"id": "z"}]
    rows = {"A": (10, (0, 20, 90), (90, 40, 60)), "B": (40, (50, 80, 30), (60, 70, 40)),
            "C": (25, (100, None, 10), (50, None, 80)), "D": (15, (70, 0, 50), (30, 90, 20)),
            "E": (30, (20, 60, 100), (70, 20, 50))}
    actors = []
    for aid, (cap, pos, sal) in rows.items():
        actors.append({
            "id": aid, "capability": r(cap, cap * 0.7, cap * 1.3),
            "position": {i: r(p, max(p - 10, 0), min(p + 10, 100))
                         for i, p in zip("xyz", pos, strict=True) if p is not None},
            "salience": {i: r(s, s - 10, s + 10)
                         for i, s in zip("xyz", sal, strict=True) if s is not None}})
    return validate_data({"issues": issues, "actors": actors})


ISSUE_BY_ISSUE = [n for n in accord.models.names()
                  if accord.models.model_class(n).issue_by_issue]


def test_the_models_that_forecast_issue_by_issue() -> None:
    assert ISSUE_BY_ISSUE == ["compromise", "median", "nash", "bdm"]


@pytest.mark.parametrize("name", ISSUE_BY_ISSUE)
@pytest.mark.parametrize(("case", "actor"), [("ukraine", "UKR"), ("partial", "A")])
def test_packed_batch_equals_the_full_batch(name, case, actor) -> None:
    """A model that forecasts issue by issue gives, on the packed copies (several moves on
    different issues in one copy), exactly the forecasts of one copy per move."""
    sc = accord.example("ukraine-2025") if case == "ukraine" else _partial_case()
    base = sample(sc, 25, np.random.default_rng(5))
    moves = [m for m in analysis.candidate_moves(sc, actor) if m.kind != "ally"]
    rows, _, _ = packed_moves(moves, base.issue_ids)
    per_issue = Counter(m.issue for m in moves)
    assert len(rows) == max(per_issue.values()) < len(moves)
    model = accord.models.get(name)
    f0, full = move_outcomes(model, base, moves, np.random.SeedSequence(0), packed=False)
    g0, packed = move_outcomes(model, base, moves, np.random.SeedSequence(0), packed=True)
    assert full.shape == packed.shape == (len(moves), 25, len(sc.issue_ids))
    np.testing.assert_array_equal(g0, f0)
    np.testing.assert_array_equal(packed, full)
    assert np.any(full != f0[None])  # the moves do move these forecasts


def test_packing_is_wrong_for_a_model_whose_issues_interact() -> None:
    """The check above can fail: the exchange model trades across issues, so a move on one
    issue changes the others' forecasts and the packed batch differs from the full one."""
    sc = accord.example("ukraine-2025")
    base = sample(sc, 10, np.random.default_rng(5))
    moves = [m for m in analysis.candidate_moves(sc, "UKR") if m.kind != "ally"]
    model = accord.models.get("exchange")
    assert not model.issue_by_issue
    _, full = move_outcomes(model, base, moves, np.random.SeedSequence(0), packed=False)
    _, packed = move_outcomes(model, base, moves, np.random.SeedSequence(0), packed=True)
    assert not np.allclose(packed, full)


def test_packed_rows_by_hand() -> None:
    sc = accord.example("ukraine-2025")
    moves = [m for m in analysis.candidate_moves(sc, "UKR") if m.kind != "ally"]
    rows, copy, issue = packed_moves(moves, sc.issue_ids)
    # 18 moves on territory and on ceasefire, 17 on guarantees: 18 rows, the last with two
    assert [len(r) for r in rows] == [3] * 17 + [2]
    for m, mv in enumerate(moves):
        assert rows[copy[m] - 1][issue[m]] is mv
        assert sc.issue_ids[issue[m]] == mv.issue
    assert sorted(zip(copy, issue, strict=True)) == sorted(set(zip(copy, issue, strict=True)))
