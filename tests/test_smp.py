"""KTAB's spatial model of politics: kernels against hand calculations and KTAB's own log,
whole runs against KTAB's trajectories (tests/data/ktab/README.md), and properties.

Expected numbers come from KTAB's reference files or from hand calculations written out
below, never from this code's output.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord import models
from accord.arrays import ScenarioArrays, sample, to_arrays
from accord.io import ktab
from accord.models import smp
from accord.models.smp import (
    bargain_values,
    best_challenges,
    challenge_probability,
    condorcet_probabilities,
    election,
    interpolate_bargains,
    perceived_risk,
    resolve_queues,
    risk_attitudes,
    risk_utility,
    salience_distance,
    unique_positions,
    victory_probability,
    vote,
)
from accord.scenario import Scenario, validate_data

DATA = Path(__file__).parent / "data" / "ktab"
# (stem, N, K, steps T) from shared/reference/README.md, "ktab/"
SCENARIOS = [("dummyData_3Dim", 7, 3, 10), ("SOE-Pol-Comp", 13, 2, 27),
             ("SOE-Policy", 26, 1, 19), ("SOE-Competitive", 34, 1, 35),
             ("dummyData_6Dim", 27, 6, 29), ("dummyData-a040", 40, 1, 20)]
POSITION_TOL = 1e-2 + 1e-9  # on 0–100 (README "Tolerance")
PROB_TOL = 5e-5  # printed with 4 decimals


def load(stem: str) -> Scenario:
    path = DATA / f"{stem}.csv"
    return ktab.loads(path.read_text(encoding="utf-8"), path.name)


@cache
def run(stem: str):
    return models.get("smp").run(to_arrays(load(stem)), rng=np.random.default_rng(0))


def reference_trajectory(stem: str, actors: tuple[str, ...], d: int) -> np.ndarray:
    rows = list(csv.DictReader((DATA / f"{stem}_trajectory.csv").open()))
    turns = max(int(r["turn"]) for r in rows)
    out = np.full((turns + 1, len(actors), d), np.nan)
    for r in rows:
        out[int(r["turn"]), actors.index(r["actor"]), int(r["dim"])] = float(r["position"])
    assert not np.isnan(out).any()
    return out


# --------------------------------------------------------------------------- golden runs


@pytest.mark.parametrize(("stem", "n", "k", "steps"), SCENARIOS)
def test_trajectory_matches_ktab(stem: str, n: int, k: int, steps: int) -> None:
    fc = run(stem)
    ref = reference_trajectory(stem, fc.actor_ids, k)
    assert ref.shape == (steps + 1, n, k)
    assert fc.rounds == steps  # the same number of steps
    assert fc.trajectory is not None
    np.testing.assert_allclose(fc.trajectory[0], ref, rtol=0, atol=POSITION_TOL)


@pytest.mark.parametrize(("stem", "n", "k", "steps"), SCENARIOS)
def test_final_probabilities_match_ktab(stem: str, n: int, k: int, steps: int) -> None:
    fc = run(stem)
    rows = list(csv.DictReader((DATA / f"{stem}_final_prob.csv").open()))
    assert [r["actor"] for r in rows] == list(fc.actor_ids)
    expected = np.array([float(r["prob"]) for r in rows])
    np.testing.assert_allclose(fc.extras["probability"][0, -1], expected, rtol=0, atol=PROB_TOL)
    assert fc.details[-1]["probabilities"] == pytest.approx(
        dict(zip(fc.actor_ids, expected, strict=True)), abs=PROB_TOL)


def log_excerpt(stem: str) -> tuple[np.ndarray, dict[str, list[float]]]:
    fractions, probs = [], {}
    for line in (DATA / f"20170530_ref-{stem}_excerpt.txt").read_text().splitlines():
        if line.startswith("Fractional change"):
            fractions.append(float(line.split(":")[1].split()[0]))
        elif ", prob :" in line:
            name, values = line.split(", prob :")
            probs[name.strip()] = [float(v) for v in values.split()]
    return np.array(fractions), probs


@pytest.mark.parametrize("stem", ["dummyData_3Dim", "SOE-Pol-Comp"])
def test_every_step_matches_ktab_log(stem: str) -> None:
    """KTAB's own regression lines: each step's fractional change and every actor's
    probability in every state's election."""
    fc = run(stem)
    fractions, probs = log_excerpt(stem)
    assert len(fractions) == fc.rounds
    np.testing.assert_allclose(fc.extras["fractional_change"][0, 1:], fractions, atol=5e-5)
    assert list(probs) == list(fc.actor_ids)
    expected = np.array([probs[a] for a in fc.actor_ids]).T  # (T + 1, n)
    np.testing.assert_allclose(fc.extras["probability"][0], expected, rtol=0, atol=PROB_TOL)


def test_fractional_change_stops_the_run() -> None:
    """The stopping rule: the first step t ≥ 2 whose movement ratio is below 0.02."""
    for stem, *_ in SCENARIOS:
        ratio = run(stem).extras["fractional_change"][0]
        assert ratio[-1] < 0.02
        assert np.all(ratio[2:-1] >= 0.02)


# --------------------------------------------------------------------------- turn 0 of
# dummyData_3Dim, kernel by kernel, against shared/reference/ktab/20170530_ref-dummyData_3Dim.txt


@cache
def turn0() -> dict[str, np.ndarray]:
    a = to_arrays(load("dummyData_3Dim"))
    pos = a.position / 100.0
    sal = a.salience
    cap = a.capability[..., 0]
    dist = salience_distance(pos, pos, sal)
    risk = risk_attitudes(election(cap, 1.0 - dist))
    return {"pos": pos, "sal": sal, "cap": cap, "dist": dist, "risk": risk}


def test_risk_neutral_values_and_risk_attitudes_match_log() -> None:
    t = turn0()
    # log lines 132 and 138: rows 0 and 6 of "Raw actor-pos value matrix (risk neutral)"
    np.testing.assert_allclose(1 - t["dist"][0, 0],
                               [1.000, 0.903, 0.639, 0.870, 0.929, 0.882, 0.890], atol=5e-4)
    np.testing.assert_allclose(1 - t["dist"][0, 6],
                               [0.813, 0.725, 0.422, 0.816, 0.866, 0.913, 1.000], atol=5e-4)
    # lines 140–146: "Inferred risk attitudes"
    np.testing.assert_allclose(t["risk"][0], [-0.500, -0.459, -0.499, -0.274, 1.000, -0.232,
                                              -0.430], atol=5e-4)


def test_utility_matrices_match_log() -> None:
    t = turn0()
    objective = risk_utility(t["dist"], t["risk"][..., None])
    # lines 149 and 152: rows 1 and 4 of the "Risk-aware actor-pos utility matrix (objective)"
    np.testing.assert_allclose(objective[0, 1], [0.5740, 1.0000, 0.5283, 0.7585, 0.8022,
                                                 0.6855, 0.6595], atol=5e-5)
    np.testing.assert_allclose(objective[0, 4], [0.9619, 0.9809, 0.8570, 0.9740, 1.0000,
                                                 0.9925, 0.9836], atol=5e-5)
    # lines 159 and 161: "Estimate by 0", rows 1 and 3 (r_0i = (2 R_0 + R_i)/3)
    by0 = risk_utility(t["dist"], perceived_risk(t["risk"])[0, 0][:, None])
    np.testing.assert_allclose(by0[0, 1], [0.5681, 1.0000, 0.5220, 0.7546, 0.7989, 0.6806,
                                        0.6544], atol=5e-5)
    np.testing.assert_allclose(by0[0, 3], [0.5449, 0.7341, 0.4659, 1.0000, 0.8560, 0.7319,
                                        0.7456], atol=5e-5)


# lines 220–335: "In turn 0 actor i has most advantageous target j" and "Est by i of prob p
# that [i> j], with expected gain to i of g"
TARGETS = {0: (6, 0.7643, 0.0947), 5: (1, 0.8510, 0.2986), 1: (0, 0.7964, 0.2810),
           6: (1, 0.3970, 0.0286), 2: (6, 0.8334, 0.4711), 4: (0, 0.5836, 0.0116),
           3: (0, 0.8056, 0.2839)}


def test_best_challenges_match_log() -> None:
    t = turn0()
    tot = t["sal"].sum(axis=-1)
    target, prob, gain = best_challenges(t["dist"], perceived_risk(t["risk"]),
                                         t["cap"] * tot, tot)
    for i, (j, p, g) in TARGETS.items():
        assert target[0, i] == j
        assert prob[0, i] == pytest.approx(p, abs=5e-5)
        assert gain[0, i] == pytest.approx(g, abs=5e-5)
    # line 278 prints actor 6's challenge with more digits
    assert gain[0, 6] == pytest.approx(0.0285838, abs=5e-8)
    assert prob[0, 6] == pytest.approx(0.396973, abs=5e-7)


def test_offers_match_log() -> None:
    """Lines 226–228 and the [1022, 4:0] bargain: the two sides of one bargain differ by one
    unit where the own position's extra weight 1e-6 tips the rounding."""
    t = turn0()
    pos, sal = t["pos"][0], t["sal"][0]
    offers = {  # (initiator, target): (initiator's offer, target's offer), 0–100
        (0, 6): ([75.61, 24.78, 71.95], [75.61, 24.79, 71.95]),
        (4, 0): ([79.54, 44.72, 72.05], [79.54, 44.71, 72.05]),
        (5, 1): ([84.39, 34.05, 86.34], [84.39, 34.05, 86.34]),
        (2, 6): ([82.26, 82.56, 2.06], [82.26, 82.56, 2.06]),
    }
    tot = t["sal"].sum(axis=-1)  # the log prints p with 4 decimals: use the full one
    _, prob, _ = best_challenges(t["dist"], perceived_risk(t["risk"]), t["cap"] * tot, tot)
    for (i, j), (oi, oj) in offers.items():
        p = prob[0, i]
        np.testing.assert_allclose(interpolate_bargains(pos[i], pos[j], sal[i], sal[j],
                                                        np.array(p)) * 100, oi, atol=1e-9)
        np.testing.assert_allclose(interpolate_bargains(pos[j], pos[i], sal[j], sal[i],
                                                        np.array(1 - p)) * 100, oj, atol=1e-9)


def test_queue_elections_match_log() -> None:
    """Actor 0's queue (lines 355, 364–403) and actor 6's (lines 361, 609–613)."""
    t = turn0()
    pos, sal, risk = t["pos"], t["sal"], t["risk"]
    tot = sal.sum(axis=-1)
    target, prob, gain = best_challenges(t["dist"], perceived_risk(risk), t["cap"] * tot, tot)
    b = np.arange(1)[:, None]
    offer_i = interpolate_bargains(pos, pos[b, target], sal, sal[b, target], prob)
    offer_j = interpolate_bargains(pos[b, target], pos, sal[b, target], sal, 1 - prob)
    own = risk_utility(t["dist"], risk[..., None])
    value = bargain_values(own, pos, sal, risk, offer_i, offer_j, target)
    # u_im of actor 0's queue: SQ, [0:6], [1:0], [4:0], [3:0] (options 0, 1+0, 1+1, 1+4, 1+3)
    u_im = np.array([[0.82325, 0.83726, 0.80570, 0.81633, 0.80676],
                     [0.71543, 0.73202, 0.77307, 0.74652, 0.74814],
                     [0.51258, 0.52804, 0.52407, 0.51692, 0.52177],
                     [0.74789, 0.76561, 0.77479, 0.79217, 0.80283],
                     [0.96427, 0.96840, 0.96715, 0.96956, 0.96810],
                     [0.75597, 0.77250, 0.74109, 0.77766, 0.76567],
                     [0.73554, 0.72736, 0.72174, 0.74794, 0.73902]])
    queue0 = [0, 1, 2, 5, 4]
    np.testing.assert_allclose(value[0][:, queue0], u_im, atol=5e-6)
    member = np.zeros((1, 7, 8), dtype=bool)
    member[0, :, 0] = True
    for i in range(7):
        if gain[0, i] > 1e-5:
            member[0, i, 1 + i] = member[0, target[0, i], 1 + i] = True
    chosen, p = resolve_queues(value, t["cap"], member)
    assert chosen[0, 0] == 1 + 4  # "Chosen bargain: 1022" = [4:0], probability 0.4968
    assert p[0, 0] == pytest.approx(0.4968, abs=5e-5)
    assert chosen[0, 6] == 1 + 0  # "Chosen bargain: 1006" = [0:6], probability 0.6634
    assert p[0, 6] == pytest.approx(0.6634, abs=5e-5)
    # the whole distribution of actor 0's election (order-free: a product per option)
    strength = smp.coalition_strengths(t["cap"], value[:, :, queue0])
    assert strength[0, 0, 1] == pytest.approx(0.443, abs=5e-4)  # line 387
    v = victory_probability(strength, np.swapaxes(strength, -1, -2))
    np.testing.assert_allclose(condorcet_probabilities(v)[0],
                               [0.0004, 0.2938, 0.0137, 0.4968, 0.1953], atol=5e-5)


# --------------------------------------------------------------------------- hand calculations


def test_distance_and_utility_by_hand() -> None:
    # s = (0.6, 0.8), q = (0.2, 0.5), θ = (0.5, 0.1): (0.18² + 0.32²) / (0.36 + 0.64) = 0.1348
    d = salience_distance(np.array([[0.2, 0.5]]), np.array([[0.5, 0.1]]),
                          np.array([[0.6, 0.8]]))
    assert d[0, 0] == pytest.approx(np.sqrt(0.1348), abs=1e-15)
    # an actor that cares about nothing sees every position at distance 0
    assert salience_distance(np.zeros((1, 2)), np.ones((1, 2)), np.zeros((1, 2)))[0, 0] == 0
    assert risk_utility(np.array(0.5), np.array(1.0)) == pytest.approx(0.75)
    assert risk_utility(np.array(0.5), np.array(-0.5)) == pytest.approx(0.375)


def test_voting_rules_by_hand() -> None:
    w, up, down = 2.0, np.array(0.5), np.array(-0.5)
    assert vote(w, up, "Prop") == pytest.approx(1.0)
    assert vote(w, up, "Binary") == pytest.approx(2.0)
    assert vote(w, up, "Cubic") == pytest.approx(0.25)
    assert vote(w, up, "PropCbc") == pytest.approx(0.625)  # 2 (0.5 + 0.125) / 2
    assert vote(w, up, "PropBin") == pytest.approx(1.2)  # 2 (0.4 + 0.2)
    assert vote(w, up, "ASymProsp") == pytest.approx(2 / 3)
    assert vote(w, down, "ASymProsp") == pytest.approx(-1.0)


def test_victory_and_condorcet_by_hand() -> None:
    c_for, c_against = np.array(3.0), np.array(1.0)
    assert victory_probability(c_for, c_against, "Linear") == pytest.approx(0.75)
    assert victory_probability(c_for, c_against, "Square") == pytest.approx(0.9)
    assert victory_probability(c_for, c_against, "Quartic") == pytest.approx(81 / 82)
    assert victory_probability(c_for, c_against, "Octic") == pytest.approx(6561 / 6562)
    v = np.array([[0.5, 0.7], [0.3, 0.5]])
    # conditional: P ∝ (0.5·0.7, 0.3·0.5); both Markov chains balance 0.3 π_0 = 0.7 π_1
    for model in ("Conditional", "MarkovUniform", "MarkovIncentive"):
        np.testing.assert_allclose(condorcet_probabilities(v, model=model), [0.7, 0.3],
                                   atol=1e-10)
    # three options, the third excluded: it gets 0 and the others are as above
    v3 = np.array([[0.5, 0.7, 0.9], [0.3, 0.5, 0.9], [0.1, 0.1, 0.5]])
    np.testing.assert_allclose(
        condorcet_probabilities(v3, np.array([True, True, False])), [0.7, 0.3, 0.0])
    # conditional with all three: ∝ (0.315, 0.135, 0.005)
    np.testing.assert_allclose(condorcet_probabilities(v3),
                               np.array([0.315, 0.135, 0.005]) / 0.455, atol=1e-12)


def test_risk_attitudes_by_hand() -> None:
    p = np.array([0.2, 0.5, 0.3])
    np.testing.assert_allclose(risk_attitudes(p, "Mid"), [-0.5, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(risk_attitudes(p, "Min"), [0.0, 1.0, 1 / 3], atol=1e-12)
    np.testing.assert_allclose(risk_attitudes(p, "Max"), [-1.0, 1.0, -1 / 3], atol=1e-12)
    np.testing.assert_array_equal(risk_attitudes(np.full(3, 1 / 3)), 0.0)
    r = np.array([1.0, -0.5])
    assert perceived_risk(r, "OneThird")[0, 1] == pytest.approx(0.5)  # (2 − 0.5)/3
    assert perceived_risk(r, "Half")[0, 1] == pytest.approx(0.25)
    assert perceived_risk(r, "TwoThirds")[0, 1] == pytest.approx(0.0)
    assert perceived_risk(r, "Full")[0, 1] == pytest.approx(-0.5)
    assert perceived_risk(r, "NoRA")[0, 1] == pytest.approx(1.0)
    np.testing.assert_allclose(np.diagonal(perceived_risk(r)), r)


def test_challenge_probability_by_hand() -> None:
    """Two principals and one third party, Prop, SemiCommit, all weights 1.

    U_ii = 1, U_ij = 0.6 → a_i = 0.4; U_ji = 0.7, U_jj = 1 → a_j = −0.3; C⁰_ij = 0.4,
    C⁰_ji = 0.3 (+1e-10 each). Third party: U_ki = 0.9, U_kj = 0.5, U_kk = 1: v_k = 0.4,
    π = 0.8 / 1.1, vote = π (1 − 0.9) + (1 − π)(0.5 − 1) = 0.8/11 − 1.5/11 = −0.7/11 → C_ji.
    """
    args = [np.array(x) for x in (1.0, 0.6, 0.7, 1.0, [0.9], [0.5], [1.0])]
    p = challenge_probability(*args, np.array(1.0), np.array(1.0), np.array([1.0]),
                              np.array([True]))
    pi = (0.8 + 1e-10) / (1.1 + 2e-10)  # = 8/11 but for the floors
    c_ij, c_ji = 0.4 + 1e-10, 0.3 + 1e-10 - (0.6 * pi - 0.5)  # the vote −0.7/11 goes to j
    assert p == pytest.approx(c_ij / (c_ij + c_ji), abs=1e-14)
    full = challenge_probability(*args, np.array(1.0), np.array(1.0), np.array([1.0]),
                                 np.array([True]), commit="FullCommit")
    assert full == pytest.approx((0.8 + 1e-10) / (1.1 + 2e-10), abs=1e-14)
    alone = challenge_probability(*args, np.array(1.0), np.array(1.0), np.array([1.0]),
                                  np.array([True]), commit="NoCommit")
    assert alone == pytest.approx((0.4 + 1e-10) / (0.7 + 2e-10), abs=1e-14)


def test_offer_when_neither_side_cares_is_staying_put() -> None:
    # W_own = W_other = 0: ((0 + 1e-6) θ_own + 0 θ_other) / 1e-6 = θ_own
    out = interpolate_bargains(np.array([0.1234]), np.array([0.9]), np.zeros(1), np.zeros(1),
                               np.array(0.5))
    assert out[0] == pytest.approx(0.1234, abs=1e-15)


def test_unique_positions_by_hand() -> None:
    """SOE-Policy's final state in miniature: 0.3864 lies within 1e-3 of the representative
    0.3873 (so it is no representative itself) but is reported with the last representative
    within 1e-3, 0.3861."""
    x = np.array([0.3873, 0.4101, 0.3864, 0.3861, 0.3877])[None, :, None]
    rep, group = unique_positions(x)
    np.testing.assert_array_equal(rep[0], [True, True, False, True, False])
    np.testing.assert_array_equal(group[0], [0, 1, 3, 3, 0])


# --------------------------------------------------------------------------- the model


def test_options_and_registry() -> None:
    model = models.get("smp", voting_rule="Binary", max_steps="7")
    assert model.options.voting_rule == "Binary" and model.options.max_steps == 7
    defaults = models.get("smp").options
    assert (defaults.victory_prob_model, defaults.pce_model, defaults.state_transitions,
            defaults.voting_rule, defaults.big_r_adjust, defaults.big_r_range,
            defaults.third_party_commit, defaults.inter_vec_brgn, defaults.bargn_model) == (
        "Linear", "Conditional", "Deterministic", "Prop", "OneThird", "Mid", "SemiCommit",
        "S2P2", "InitOnlyInterp")
    with pytest.raises(models.ModelSpecError):
        models.get("smp", voting_rule="Majority")
    with pytest.raises(models.ModelSpecError):
        models.get("smp", max_steps=0)


def test_every_option_value_runs() -> None:
    import dataclasses
    import typing

    arrays = to_arrays(load("dummyData_3Dim"))
    hints = typing.get_type_hints(smp.SMPOptions)
    lo = arrays.position[0].min(axis=0) - 1e-6
    hi = arrays.position[0].max(axis=0) + 1e-6
    for f in dataclasses.fields(smp.SMPOptions):
        if typing.get_origin(hints[f.name]) is not typing.Literal:
            continue
        for value in typing.get_args(hints[f.name]):
            fc = models.get("smp", **{f.name: value}, max_steps=12).run(
                arrays, rng=np.random.default_rng(1))
            assert np.all(np.isfinite(fc.outcome)), (f.name, value)
            assert np.all((fc.outcome[0] >= lo) & (fc.outcome[0] <= hi)), (f.name, value)


def test_outcome_is_the_probability_weighted_mean_of_unique_positions() -> None:
    fc = run("dummyData_3Dim")
    last = fc.details[-1]
    total = sum(u["probability"] for u in last["unique"])
    assert total == pytest.approx(1.0, abs=1e-12)
    mean = {i: sum(u["probability"] * u["position"][i] for u in last["unique"])
            for i in fc.issue_ids}
    assert fc.outcome[0] == pytest.approx([mean[i] for i in fc.issue_ids], abs=1e-9)
    # README: the most probable final position is SActor-05's, with 0.4009
    assert last["most_probable"]["actors"] == ["SActor-05"]
    assert last["most_probable"]["probability"] == pytest.approx(0.4009, abs=5e-5)
    likely = fc.extras["most_probable"][0, -1]
    assert likely == pytest.approx(fc.trajectory[0, -1, fc.actor_ids.index("SActor-05")])
    json.dumps(fc.details)  # plain JSON-able data
    assert len(fc.details) == fc.rounds + 1
    assert "bargains" in fc.details[1] and "chosen" in fc.details[1]


def test_soe_policy_most_probable_position() -> None:
    """README: SOE-Policy's highest final probability is 0.3303, shared by ZG, SHX and USA
    (at 38.64; SHX, the group's representative, holds 38.61)."""
    last = run("SOE-Policy").details[-1]
    assert last["most_probable"]["probability"] == pytest.approx(0.3303, abs=5e-5)
    assert last["most_probable"]["actors"] == ["ZG", "SHX", "USA"]
    assert last["most_probable"]["position"]["Policy Position"] == pytest.approx(38.64,
                                                                                 abs=0.03 + 1e-9)


def test_stochastic_mode_is_seeded() -> None:
    arrays = to_arrays(load("dummyData_3Dim"))
    model = models.get("smp", state_transitions="Stochastic")
    a = model.run(arrays, rng=np.random.default_rng(5))
    b = model.run(arrays, rng=np.random.default_rng(5))
    c = model.run(arrays, rng=np.random.default_rng(6))
    np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert a.trajectory.shape != c.trajectory.shape or not np.array_equal(a.trajectory,
                                                                          c.trajectory)


def test_chunks_of_draws_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draws run in chunks; one draw per chunk gives the same numbers as one chunk."""
    sc = load("dummyData_3Dim")
    data = sc.to_data()
    for actor in data["actors"]:
        cap = actor["capability"]
        actor["capability"] = {"value": cap, "low": 0.5 * cap, "high": 1.5 * cap}
    arrays = sample(validate_data(data), 5, seed=3)
    together = models.get("smp").run(arrays, rng=np.random.default_rng(0))
    monkeypatch.setattr(smp, "_BUDGET", 1)
    apart = models.get("smp").run(arrays, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(together.trajectory, apart.trajectory)
    np.testing.assert_array_equal(together.outcome, apart.outcome)
    assert len(set(together.extras["steps"].tolist())) > 1  # the draws stop at different steps


def test_partial_participation() -> None:
    """An actor without a position on an issue: saliences 0 there, its trajectory keeps the
    input placeholder, and the forecast says what was assumed."""
    data = {"issues": [{"id": "x"}, {"id": "y", "status_quo": 40}],
            "actors": [{"id": "A", "capability": 50, "position": {"x": 20, "y": 70},
                        "salience": {"x": 60, "y": 30}},
                       {"id": "B", "capability": 30, "position": {"x": 80},
                        "salience": {"x": 90}},
                       {"id": "C", "capability": 40, "position": {"x": 55, "y": 10},
                        "salience": {"x": 40, "y": 50}}]}
    arrays = to_arrays(validate_data(data))
    fc = models.get("smp").run(arrays, rng=np.random.default_rng(0))
    assert np.all(fc.trajectory[0, :, 1, 1] == arrays.position[0, 1, 1])
    assert any("status quo" in note for note in fc.notes)
    assert np.all(np.isfinite(fc.outcome))


# --------------------------------------------------------------------------- properties

finite = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def voters_and_options(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    w = np.array(draw(st.lists(st.floats(0.0, 200.0), min_size=k, max_size=k)))
    u = np.array(draw(st.lists(finite, min_size=k * m, max_size=k * m))).reshape(k, m)
    return w, u


@settings(max_examples=60, deadline=None)
@given(voters_and_options(), st.sampled_from(["Prop", "Binary", "Cubic", "PropCbc", "PropBin",
                                              "ASymProsp"]),
       st.sampled_from(["Linear", "Square", "Quartic", "Octic"]),
       st.sampled_from(["Conditional", "MarkovUniform", "MarkovIncentive"]))
def test_election_probabilities_sum_to_one(vu, rule, victory, pce) -> None:
    w, u = vu
    p = election(w, u, rule=rule, victory=victory, pce=pce)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(voters_and_options(), st.lists(finite, min_size=6, max_size=6))
def test_zero_capability_voter_changes_no_election(vu, extra) -> None:
    w, u = vu
    m = u.shape[1]
    w2 = np.append(w, 0.0)
    u2 = np.vstack([u, np.array(extra[:m])])
    # equal but for the order of summation (the last bit)
    np.testing.assert_allclose(smp.coalition_strengths(w2, u2), smp.coalition_strengths(w, u),
                               rtol=1e-14, atol=0)
    np.testing.assert_allclose(election(w2, u2), election(w, u), rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=10, max_size=10))
def test_zero_capability_third_party_changes_no_challenge(u) -> None:
    """A third party with c·S = 0 adds nothing to either coalition."""
    u_ii, u_ij, u_ji, u_jj, a, b, c, d, e, f = (np.array(x) for x in u)
    one = challenge_probability(u_ii, u_ij, u_ji, u_jj, np.array([a]), np.array([b]),
                                np.array([c]), np.array(1.0), np.array(2.0), np.array([3.0]),
                                np.array([True]))
    two = challenge_probability(u_ii, u_ij, u_ji, u_jj, np.array([a, d]), np.array([b, e]),
                                np.array([c, f]), np.array(1.0), np.array(2.0),
                                np.array([3.0, 0.0]), np.array([True, True]))
    assert two == one


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=2, max_size=8), st.floats(0.01, 1.0))
def test_one_dimension_with_identical_saliences_is_plain_distance(x, s) -> None:
    pos = np.array(x)[:, None]
    sal = np.full_like(pos, s)
    d = salience_distance(pos, pos, sal)
    np.testing.assert_allclose(d, np.abs(pos - pos.T), atol=1e-15)


def one_dim_scenario(n: int, seed: int, extra_dims: int) -> ScenarioArrays:
    """n actors on issue 'x' (2-decimal positions, like KTAB's files); extra issues on which
    everyone sits at 50 with salience 0."""
    rng = np.random.default_rng(seed)
    actors = []
    for a in range(n):
        pos = {"x": float(np.round(rng.uniform(0, 100), 2))}
        sal = {"x": float(np.round(rng.uniform(20, 95), 2))}
        for e in range(extra_dims):
            pos[f"z{e}"] = 50.0
            sal[f"z{e}"] = 0.0
        actors.append({"id": f"a{a}", "capability": float(np.round(rng.uniform(10, 200), 1)),
                       "position": pos, "salience": sal})
    issues = [{"id": "x"}] + [{"id": f"z{e}"} for e in range(extra_dims)]
    return to_arrays(validate_data({"issues": issues, "actors": actors}))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 7), st.integers(0, 10_000), st.integers(1, 3))
def test_single_live_dimension_behaves_like_one_dimension(n, seed, extra) -> None:
    """Issues nobody cares about (salience 0, everyone at the same point) change nothing: the
    run is the one-dimensional run on the live issue, step by step."""
    model = models.get("smp", max_steps=30)
    alone = model.run(one_dim_scenario(n, seed, 0), rng=np.random.default_rng(0))
    more = model.run(one_dim_scenario(n, seed, extra), rng=np.random.default_rng(0))
    assert more.rounds == alone.rounds
    np.testing.assert_allclose(more.trajectory[..., 0], alone.trajectory[..., 0], atol=1e-9)
    np.testing.assert_allclose(more.extras["probability"], alone.extras["probability"],
                               atol=1e-12)
    np.testing.assert_allclose(more.trajectory[..., 1:], 50.0, atol=1e-9)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 7), st.integers(0, 10_000))
def test_every_round_election_sums_to_one(n, seed) -> None:
    fc = models.get("smp", max_steps=20).run(one_dim_scenario(n, seed, 1),
                                             rng=np.random.default_rng(0))
    for entry in fc.details:
        assert sum(u["probability"] for u in entry["unique"]) == pytest.approx(1.0, abs=1e-12)
        merged = sorted(a for u in entry["unique"] for a in u["actors"])
        assert merged == sorted(fc.actor_ids)


def test_zero_capability_actor_in_a_run_casts_no_vote() -> None:
    """An actor whose capability is 0 takes part as an option but adds nothing to any
    coalition: the risk election's strengths are those of the other voters alone."""
    arrays = one_dim_scenario(5, 7, 0)
    cap = arrays.capability.copy()
    cap[:, 2] = 0.0
    zero = replace(arrays, capability=cap)
    t = smp.SMPModel()
    pos, sal, c, _, _ = t._inputs(zero)
    dist = salience_distance(pos, pos, sal)
    with_voter = smp.coalition_strengths(c, 1 - dist)
    without = smp.coalition_strengths(np.delete(c, 2, axis=-1), np.delete(1 - dist, 2, axis=-2))
    np.testing.assert_allclose(with_voter, without, rtol=1e-14, atol=0)


def challenges_reference(distance: np.ndarray, perceived: np.ndarray, weight: np.ndarray,
                         total: np.ndarray, rule: str, commit: str
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """best_challenges written plainly from challenge_probability: all (i, j, k) at once,
    U[b, i, a, x] = u(d_ax, r_ia), third parties masked with `third`."""
    n = distance.shape[-1]
    U = risk_utility(distance[:, None, :, :], perceived[:, :, :, None])
    i = np.arange(n)
    own = U[:, i, i, :]  # (B, i, x): U^i_ix
    of_i = np.swapaxes(U, -1, -2)[:, i, i, :]  # (B, i, a): U^i_ai
    diag = np.diagonal(U, axis1=-2, axis2=-1)  # (B, i, a): U^i_aa
    u_ii = own[:, i, i][..., None]
    third = (i[None, :, None] != i[None, None, :]) & (i[:, None, None] != i[None, None, :])
    p = challenge_probability(
        u_ii, own, of_i, diag, of_i[:, :, None, :], np.swapaxes(U, -1, -2),
        diag[:, :, None, :], weight[:, :, None], weight[:, None, :], weight[:, None, None, :],
        third[None], rule=rule, commit=commit)
    gain = smp.challenge_gain(p, u_ii, own, total[:, None, :])
    gain[:, i, i] = -np.inf
    best = np.argmax(gain, axis=-1)
    pick = best[..., None]
    return (best, np.take_along_axis(p, pick, -1)[..., 0],
            np.take_along_axis(gain, pick, -1)[..., 0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 9), st.integers(1, 3), st.integers(0, 2**32 - 1),
       st.sampled_from(["Prop", "Binary", "Cubic", "PropCbc", "PropBin", "ASymProsp"]),
       st.sampled_from(["SemiCommit", "FullCommit", "NoCommit"]))
def test_best_challenges_equal_the_plain_formula(n, draws, seed, rule, commit) -> None:
    """The blocked, buffered kernel gives challenge_probability's numbers: same targets (no
    near-tie in random data), probabilities and gains to rounding."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 1, (draws, n, 2))
    sal = rng.uniform(0, 0.5, (draws, n, 2))
    dist = salience_distance(pos, pos, sal)
    risk = rng.uniform(-0.5, 1.0, (draws, n))
    weight = rng.uniform(0, 200, (draws, n)) * sal.sum(-1)
    for adjust in ("OneThird", "Full"):
        perceived = perceived_risk(risk, adjust)
        got = best_challenges(dist, perceived, weight, sal.sum(-1), rule=rule, commit=commit)
        want = challenges_reference(dist, perceived, weight, sal.sum(-1), rule, commit)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_allclose(got[1], want[1], rtol=0, atol=1e-12)
        np.testing.assert_allclose(got[2], want[2], rtol=0, atol=1e-12)


def markov_by_iteration(victory: np.ndarray, valid: np.ndarray, model: str) -> np.ndarray:
    """The Markov elections' stationary distribution by plain power iteration (one matrix)."""
    m = victory.shape[-1]
    v = np.where(valid[:, None] & valid[None, :], victory, 0.0)
    if model == "MarkovUniform":
        move = v / valid.sum()
    else:  # MarkovIncentive: challenger drawn in proportion to its chance
        off = v * (1.0 - np.eye(m))
        total = off.sum(axis=0, keepdims=True)
        move = np.divide(off * off, total, out=np.zeros_like(off), where=total > 0)
    np.fill_diagonal(move, 0.0)
    chain = move + np.diag(1.0 - move.sum(axis=0))
    p = valid / valid.sum()
    for _ in range(100_000):
        new = chain @ p
        new /= new.sum()
        if np.max(np.abs(new - p)) < 1e-15:
            break
        p = new
    return new


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 7), st.integers(0, 2**32 - 1),
       st.sampled_from(["MarkovUniform", "MarkovIncentive"]))
def test_markov_elections_solve_equals_power_iteration(m, seed, model) -> None:
    """The direct solve is the chain's stationary distribution: the limit of iterating it."""
    rng = np.random.default_rng(seed)
    strength = rng.uniform(1e-8, 10.0, (m, m)) ** rng.uniform(0.2, 3.0)
    victory = victory_probability(strength, strength.T)
    valid = rng.uniform(size=m) < 0.8
    valid[rng.integers(m)] = True
    got = condorcet_probabilities(victory, valid, model)
    np.testing.assert_allclose(got, markov_by_iteration(victory, valid, model), rtol=0,
                               atol=1e-10)
    assert got.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(got[~valid] == 0)
