"""The BDM expected-utility model: golden rounds, hand-calculated kernels, properties.

Expected numbers come only from tests/data/bdm (copied from shared/reference/bdm, see its
README) or from hand calculations written out below; never from the code's own output.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord import models
from accord.arrays import ScenarioArrays, to_arrays
from accord.models.bdm import (
    CAPITULATION,
    COMPROMISE,
    CONFLICT,
    NO_OFFER,
    BdmOptions,
    MedianWeights,
    assess_round,
    challenge_matrices,
    challenge_utilities,
    choose_offers,
    classify_offers,
    dangers,
    expected_utility,
    median_1d,
    midpoint_counts_direct,
    midpoint_split,
    risk_exponents,
    victory_probability,
    vote_tally,
    vote_tally_direct,
)
from accord.scenario import load, validate_data

DATA = Path(__file__).parent / "data" / "bdm"
RNG = np.random.default_rng(0)
# data sets whose saliences are stored on 0–1 (tests/data/bdm/README.md)
UNIT_SALIENCE = {"sultan", "iran2013", "argentina", "honduras"}
TOLERANCE = {"exact": 1e-9, "full": 1e-9, "full_copy": 1e-9, "6dp": 5e-7, "4dp": 5e-5}
EMISSION = ("Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK",
            "Ireland", "Denmark", "Greece")


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def dataset(name: str) -> ScenarioArrays:
    scale = 1.0 if name in UNIT_SALIENCE else 100.0
    return to_arrays(load(DATA / f"{name}.csv", salience_scale=scale))


@cache
def forecast(name: str, spec: str = "bdm:scholz", **options):
    return models.get(spec, **options).run(dataset(name), rng=RNG)


def decimals_tolerance(text: str) -> float:
    """5e-5 for 4 decimals, 5e-4 for 3, 5e-7 for 6; integers exact (1e-9)."""
    if "." not in text:
        return 1e-9
    return 0.5 * 10.0 ** -len(text.split(".")[1])


def one_issue(positions, capabilities, saliences, mask=None) -> ScenarioArrays:
    """Arrays for one issue (salience on 0–1), optionally with non-participants."""
    n = len(positions)
    pos = np.asarray(positions, float).reshape(1, n, 1)
    cap = np.asarray(capabilities, float).reshape(1, n, 1)
    sal = np.asarray(saliences, float).reshape(1, n, 1)
    m = np.ones((n, 1), bool) if mask is None else np.asarray(mask, bool).reshape(n, 1)
    return ScenarioArrays(tuple(f"A{k}" for k in range(n)), ("x",), pos, sal * m, cap * m, m,
                          np.array([float(pos.min())]), np.array([float(pos.max())]),
                          np.full((1, 1), np.nan))


# --------------------------------------------------------------------------------------------
# Golden: the emission-standards case (BDM 1994; Scholz, Calbert & Smith 2011)
# --------------------------------------------------------------------------------------------


def test_emission_input_is_read_as_published() -> None:
    arr = dataset("emission")
    assert arr.actor_ids == EMISSION
    np.testing.assert_allclose(arr.salience[0, :, 0],
                               [.8, .4, .2, .8, .6, .6, .9, .1, 1.0, .7])


@pytest.mark.parametrize("spec, file", [("bdm:scholz", "emission_scholz_rounds.csv"),
                                        ("bdm:literal", "emission_literal_rounds.csv")])
def test_every_position_every_round(spec: str, file: str) -> None:
    fc = forecast("emission", spec)
    ref = rows(file)
    assert fc.rounds == 10
    for row in ref:
        t, a = int(row["round"]), EMISSION.index(row["actor"])
        got = fc.trajectory[0, t, a, 0]
        assert got == pytest.approx(float(row["position"]), abs=TOLERANCE[row["precision"]]), \
            (row, got)
    if spec == "bdm:literal":  # from round 3 on, everyone is at 7 and nothing moves
        np.testing.assert_array_equal(fc.trajectory[0, 3:, :, 0], 7.0)


def test_scholz_summary() -> None:
    fc = forecast("emission")
    for row in rows("emission_scholz_summary.csv"):
        t = int(row["round"])
        assert fc.round_outcome[0, t, 0] == pytest.approx(
            float(row["median"]), abs=TOLERANCE[row["median_precision"]])
        assert fc.extras["mean"][0, t, 0] == pytest.approx(
            float(row["mean"]), abs=TOLERANCE[row["mean_precision"]])
        detail = fc.details[t]["issues"]["issue"]
        assert detail["median"] == pytest.approx(float(row["median"]), abs=1e-9)
        assert detail["mean"] == pytest.approx(float(row["mean"]), abs=5e-7)
    assert fc.outcome[0, 0] == 7.0  # the forecast is μ after the last round


def test_literal_summary_and_risk_exponents() -> None:
    fc = forecast("emission", "bdm:literal")
    for row in rows("emission_literal_summary.csv"):
        t = int(row["round"])
        assert fc.round_outcome[0, t, 0] == pytest.approx(float(row["median"]), abs=5e-5)
        assert fc.extras["mean"][0, t, 0] == pytest.approx(float(row["mean"]), abs=5e-5)
    risk = fc.details[1]["issues"]["issue"]["risk_exponents"]
    for row in rows("emission_literal_round1.csv"):
        assert risk[row["actor"]] == pytest.approx(float(row["risk_exponent"]), abs=5e-5)
    # after round 3 all dangers are equal (everyone at 7): r = 1
    assert set(fc.details[4]["issues"]["issue"]["risk_exponents"].values()) == {1.0}


def test_scholz_medians_rounds_11_to_20() -> None:
    fc = forecast("emission", rounds=20)
    for row in rows("emission_scholz_median_r11_r20.csv"):
        assert fc.round_outcome[0, int(row["round"]), 0] == pytest.approx(
            float(row["median"]), abs=5e-4)


def test_linear_votes_medians() -> None:
    fc = forecast("emission", vote_risk="linear")
    for row in rows("emission_global_linear_votes_medians.csv"):
        assert fc.round_outcome[0, int(row["round"]), 0] == pytest.approx(
            float(row["median"]), abs=5e-5)


def test_scholz_variants_named_by_the_reference() -> None:
    """reference/README.md: turning capitulation on changes nothing in 10 rounds of the
    emission case; taking the least-moving compromise instead gives a different trajectory."""
    base = forecast("emission").trajectory
    np.testing.assert_array_equal(forecast("emission", capitulation="on").trajectory, base)
    assert not np.allclose(forecast("emission", compromise_pick="least_move").trajectory, base)


def test_scholz_offers() -> None:
    """Every accepted offer, with both expected utilities from the receiver's view. Senders
    of equal standing (France/Italy, Netherlands/Germany) are checked by their position."""
    fc = forecast("emission")
    ref = rows("emission_scholz_offers.csv")
    for t in range(1, 11):
        expected = [r for r in ref if int(r["round"]) == t]
        got = fc.details[t]["issues"]["issue"]["offers"]
        assert [o["receiver"] for o in got] == [r["receiver"] for r in expected]
        start = fc.trajectory[0, t - 1, :, 0]
        for o, r in zip(got, expected, strict=True):
            assert start[EMISSION.index(o["sender"])] == start[EMISSION.index(r["sender"])]
            assert o["kind"] == r["kind"]
            for key in ("eu_receiver", "eu_sender", "new_position"):
                assert o[key] == pytest.approx(float(r[key]), abs=decimals_tolerance(r[key]))
    # the senders credited to the first in file order, as the source does
    assert [o["sender"] for o in fc.details[1]["issues"]["issue"]["offers"]] == \
        ["France", "Belgium", "Luxembourg"]
    assert fc.details[4]["issues"]["issue"]["offers"][0]["sender"] == "Netherlands"


def test_round1_dangers_risk_and_belgiums_view() -> None:
    arr = dataset("emission")
    x = arr.position[:, :, 0]
    w = arr.weight[:, :, 0]
    st0 = assess_round(x, arr.salience[:, :, 0], w, arr.mask[:, 0], np.array([6.0]),
                       BdmOptions())
    b = EMISSION.index("Belgium")
    details = forecast("emission").details[1]["issues"]["issue"]
    for row in rows("emission_scholz_round1.csv"):
        k = EMISSION.index(row["actor"])
        assert st0.danger[0, k] == pytest.approx(float(row["danger"]), abs=5e-7)
        assert st0.risk[0, k] == pytest.approx(float(row["risk_exponent"]), abs=5e-7)
        assert details["dangers"][row["actor"]] == pytest.approx(float(row["danger"]), abs=5e-7)
        assert details["risk_exponents"][row["actor"]] == pytest.approx(
            float(row["risk_exponent"]), abs=5e-7)
        if row["actor"] == "Belgium":
            assert row["belgium_x"] == row["belgium_y"] == ""
            continue
        assert st0.a[0, b, k] == pytest.approx(float(row["belgium_x"]), abs=5e-5)
        assert st0.b[0, b, k] == pytest.approx(float(row["belgium_y"]), abs=5e-5)
    assert st0.median[0] == 7.0


def test_non_convergence_note() -> None:
    fc = forecast("emission")
    assert len(fc.notes) == 1
    note = fc.notes[0]
    # the emission median cycles: rounds 6–10 are 7.472, 8.825, 9.671, 9.671, 7
    assert "not converged" in note and "6–10" in note and "7 to 9.671" in note
    assert forecast("emission", "bdm:literal").notes == []  # all at 7 from round 3


# --------------------------------------------------------------------------------------------
# Golden: ten more data sets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", rows("other_datasets_summary.csv"), ids=lambda r: r["dataset"])
def test_other_datasets(row: dict[str, str]) -> None:
    name = row["dataset"]
    scholz = forecast(name)
    literal = forecast(name, "bdm:literal")
    assert dataset(name).n_actors == int(row["n"])
    med0 = row["weighted_median_r0"]
    assert scholz.round_outcome[0, 0, 0] == pytest.approx(float(med0),
                                                          abs=decimals_tolerance(med0))
    assert scholz.extras["mean"][0, 0, 0] == pytest.approx(float(row["weighted_mean_r0"]),
                                                           abs=5e-4)
    by_round = row["scholz_median_by_round"].split(";")
    for t, value in enumerate(by_round, start=1):
        assert scholz.round_outcome[0, t, 0] == pytest.approx(
            float(value), abs=decimals_tolerance(value)), (t, value)
    assert scholz.extras["mean"][0, 10, 0] == pytest.approx(float(row["scholz_mean_r10"]),
                                                            abs=5e-4)
    lit = row["literal_median_r10"]
    assert literal.outcome[0, 0] == pytest.approx(float(lit), abs=decimals_tolerance(lit))
    moves = literal.extras["moves"][0, :, 0]
    if row["literal_no_moves_from_round"]:
        first = int(row["literal_no_moves_from_round"])
        assert moves[: first - 1].all() and not moves[first - 1:].any()
        # stop = no_moves plays exactly up to that round, and ends where 10 rounds end
        short = forecast(name, "bdm:literal", stop="no_moves")
        assert short.rounds == first
        assert short.outcome[0, 0] == literal.outcome[0, 0]
        assert literal.notes == []
    else:  # sultan: still moving at round 20
        assert forecast(name, "bdm:literal", rounds=20).extras["moves"][0, -1, 0] > 0


def test_uk_emu_continues_to_alternate() -> None:
    """The source prints rounds 1–6 only (6, 5.279, 6, 5.303, 6, 5.303, ...); its wording says
    the last two alternate, so rounds 7–10 are 6, 5.303, 6, 5.303."""
    medians = forecast("uk_emu_labour").round_outcome[0, 7:, 0]
    np.testing.assert_allclose(medians, [6, 5.303, 6, 5.303], atol=5e-4)


# --------------------------------------------------------------------------------------------
# Kernels against hand calculations
# --------------------------------------------------------------------------------------------

# Three voters at 0, 1, 3 (Δ = 3) with weights 1, 2, 1 and r = 1. N_ij = Σ_k max(0,
# w_k (|x_k − x_j| − |x_k − x_i|)/3):
#   N_AB: A gives 1·1/3                 = 1/3   N_BA: B 2·1/3, C 1·1/3 = 1
#   N_AC: A 1·3/3, B 2·1/3              = 5/3   N_CA: C 1·3/3          = 1
#   N_BC: A 1·2/3, B 2·2/3              = 2     N_CB: C 1·2/3          = 2/3
HAND_TALLY = np.array([[0, 1 / 3, 5 / 3], [1, 0, 2], [1, 2 / 3, 0]])


def test_vote_tally_by_hand() -> None:
    x = np.array([[0.0, 1.0, 3.0]])
    w = np.array([[1.0, 2.0, 1.0]])
    delta = np.array([3.0])
    np.testing.assert_allclose(vote_tally(x, w, None, delta)[0], HAND_TALLY, atol=1e-15)
    np.testing.assert_allclose(vote_tally_direct(x, w, None, delta)[0], HAND_TALLY,
                               atol=1e-15)
    # r = (2, 1, 1): voter A's terms square. N_AB: A (1/3)² = 1/9; N_AC: A 1 + B 2/3;
    # N_BC: A ((3/3)² − (1/3)²) = 8/9, + B 4/3
    r = np.array([[2.0, 1.0, 1.0]])
    hand = np.array([[0, 1 / 9, 5 / 3], [1, 0, 8 / 9 + 4 / 3], [1, 2 / 3, 0]])
    np.testing.assert_allclose(vote_tally(x, w, r, delta)[0], hand, atol=1e-15)


def test_victory_probability_by_hand() -> None:
    x = np.array([[0.0, 1.0, 3.0]])
    mask = np.ones(3, bool)
    tally = HAND_TALLY[None]
    # global: one denominator, Σ_k Σ_a Σ_b |v| = 2 Σ N = 40/3
    p = victory_probability(tally, x, mask, "global")[0]
    np.testing.assert_allclose(p, HAND_TALLY * 3 / 40, atol=1e-15)
    p = victory_probability(tally, x, mask, "pairwise")[0]
    np.testing.assert_allclose(p, [[0, 1 / 4, 5 / 8], [3 / 4, 0, 3 / 4], [3 / 8, 1 / 4, 0]],
                               atol=1e-15)
    # equal positions: P = 0; a non-participant: P = 0 and out of the denominator
    same = victory_probability(tally, np.array([[0.0, 0.0, 3.0]]), mask, "pairwise")[0]
    assert same[0, 1] == same[1, 0] == 0.0
    out = victory_probability(tally, x, np.array([True, True, False]), "global")[0]
    np.testing.assert_allclose(out, [[0, 1 / 8, 0], [3 / 8, 0, 0], [0, 0, 0]], atol=1e-15)


def test_utilities_and_expected_utility_by_hand() -> None:
    u_s, u_f, u_sq = challenge_utilities(np.array(0.5), np.array(1.0))
    assert (u_s, u_f, u_sq) == (1.0, -1.0, 0.0)  # 2 − 4·0.25, 2 − 4·0.75, 2 − 4·0.5
    u_s, u_f, u_sq = challenge_utilities(np.array(0.5), np.array(2.0))
    assert (u_s, u_f, u_sq) == (1.75, -0.25, 1.0)  # 2 − 4/16, 2 − 4·9/16, 2 − 4/4
    # E = s_t[P U_s + (1 − P) U_f] + (1 − s_t) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w]
    assert expected_utility(0.25, 0.4, 1.0, -1.0, 0.0) == pytest.approx(0.4)
    assert expected_utility(0.25, 0.4, 1.0, -1.0, 0.0, 0.5, 1.0, 0.5, -0.5) == \
        pytest.approx(0.4 - 0.5 * 0.5)
    assert expected_utility(0.25, 0.4, 1.75, -0.25, 1.0) == pytest.approx(
        0.4 * (0.25 * 1.75 - 0.75 * 0.25) + 0.6 * 1.75 - 1.0)


def test_challenge_matrices_with_q_and_t_by_hand() -> None:
    """Two actors at 0 and 1 (Δ = 1), s = (0.5, 1), r = 1, μ = 0, P_01 = 1/4, P_10 = 3/4.
    d = 1: U_s = 2, U_f = −2, U_sq = 0. For 0 challenging 1: e = (0 + 1)/1, U_b = 1,
    U_w = −1; for 1 challenging 0: e = (1 + 1)/1 = 2, U_b = 2, U_w = −2."""
    x = np.array([[0.0, 1.0]])
    s = np.array([[0.5, 1.0]])
    p = np.array([[[0.0, 0.25], [0.75, 0.0]]])
    args = (x, s, p, np.ones((1, 2)), np.array([0.0]), np.array([1.0]))
    a, b = challenge_matrices(*args)  # Q = 1
    assert a[0, 0, 1] == pytest.approx(1.0 * (0.25 * 2 - 0.75 * 2))  # = −1
    assert b[0, 0, 1] == pytest.approx(0.5 * (0.75 * 2 - 0.25 * 2) + 0.5 * 2)  # = 1.5
    # T by rule (Eftekhari & Rahimi 2014): 0 is at μ, nearer than its target → T = 1;
    # 1 is as far from μ as from 0 → T = 0
    a, b = challenge_matrices(*args, q=0.5, t="rule")
    assert a[0, 0, 1] == pytest.approx(-1.0 - 0.5 * 1.0)
    assert b[0, 0, 1] == pytest.approx(1.5 - 0.5 * (-2.0))
    a, b = challenge_matrices(*args, q=0.5, t=0.3)
    assert a[0, 0, 1] == pytest.approx(-1.0 - 0.5 * (0.3 * 1 + 0.7 * -1))
    assert b[0, 0, 1] == pytest.approx(1.5 - 0.5 * (0.3 * 2 + 0.7 * -2))


def test_dangers_and_risk_exponents_by_hand() -> None:
    eu = np.array([[[0.0, 1.0, 2.0], [-1.0, 0.0, 4.0], [3.0, -2.0, 0.0]]])  # eu[j, i]
    np.testing.assert_allclose(dangers(eu, np.ones(3, bool))[0], [2.0, -1.0, 6.0])
    np.testing.assert_allclose(dangers(eu, np.array([True, False, True]))[0], [3.0, 0, 2.0])
    # D = (−1, 0, 3): R = (2D − 2)/4 = (−1, −1/2, 1); r = (1 − R/3)/(1 + R/3)
    r = risk_exponents(np.array([[-1.0, 0.0, 3.0]]), np.ones(3, bool))[0]
    np.testing.assert_allclose(r, [2.0, 1.4, 0.5])
    assert list(risk_exponents(np.array([[2.0, 2.0]]), np.ones(2, bool))[0]) == [1.0, 1.0]
    # a non-participant neither counts for max/min nor gets anything but 1
    r = risk_exponents(np.array([[-1.0, 50.0, 3.0]]), np.array([True, False, True]))[0]
    np.testing.assert_allclose(r, [2.0, 1.0, 0.5])


def test_classify_offers_by_hand() -> None:
    """Receiver 0 at 5; senders at 0, 10, 8, 2, 9, 5 (the last at the same position)."""
    x = np.array([[5.0, 0.0, 10.0, 8.0, 2.0, 9.0, 5.0]])
    a = np.array([[0, 0.2, -0.2, -0.6, 0.5, -0.1, 0.2]])[:, None, :] * np.ones((1, 7, 1))
    b = np.array([[0, 0.5, 0.5, 0.5, 0.2, -0.3, 0.5]])[:, None, :] * np.ones((1, 7, 1))
    mask = np.ones(7, bool)
    kind, target = classify_offers(a, b, x, mask, capitulation=True)
    assert list(kind[0, 0]) == [NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION, NO_OFFER,
                                NO_OFFER, NO_OFFER]
    assert target[0, 0, 1] == 0.0  # conflict: to x_j
    assert target[0, 0, 2] == pytest.approx(5 + 5 * 0.2 / 0.5)  # compromise: |a|/b of the way
    assert target[0, 0, 3] == 8.0  # capitulation: to x_j
    kind, _ = classify_offers(a, b, x, mask, capitulation=False)
    assert kind[0, 0, 3] == NO_OFFER
    kind, _ = classify_offers(a, b, x, np.array([1, 0, 1, 1, 1, 1, 1], bool), True)
    assert kind[0, 0, 1] == NO_OFFER  # a non-participant makes no offer


def test_choose_offers_by_hand() -> None:
    """Receiver 0 at 5 (Δ = 10). Two compromises: from 10 (a = −0.1, b = 1: to 5.5, key
    (0.1·5 + 10)/1.1 = 9.545) and from 0 (a = −0.5, b = 0.6: to 5 − 5·5/6 = 0.833, key
    2.5/1.1 = 2.27). The least move takes 10's, ``smallest`` takes 0's."""
    x = np.array([[5.0, 10.0, 0.0]])
    a = np.zeros((1, 3, 3))
    b = np.zeros((1, 3, 3))
    a[0, 0, 1:], b[0, 0, 1:] = [-0.1, -0.5], [1.0, 0.6]
    mask = np.ones(3, bool)
    kind, target = classify_offers(a, b, x, mask, capitulation=True)
    delta = np.array([10.0])
    sender, taken, new = choose_offers(kind, target, a, b, x, delta, "least_move")
    assert (sender[0, 0], taken[0, 0]) == (1, COMPROMISE)
    assert new[0, 0] == pytest.approx(5.5)
    sender, _, new = choose_offers(kind, target, a, b, x, delta, "smallest")
    assert sender[0, 0] == 2 and new[0, 0] == pytest.approx(5 - 5 * 5 / 6)
    assert list(sender[0, 1:]) == [-1, -1] and list(new[0, 1:]) == [10.0, 0.0]
    # a conflict beats any compromise; among conflicts the least move; ties: file order
    x = np.array([[5.0, 10.0, 0.0, 7.0, 3.0]])
    a = np.zeros((1, 5, 5))
    b = np.zeros((1, 5, 5))
    a[0, 0, 1:], b[0, 0, 1:] = [-0.1, 0.1, 0.1, 0.1], [1.0, 0.2, 0.2, 0.2]
    kind, target = classify_offers(a, b, x, np.ones(5, bool), capitulation=True)
    sender, taken, new = choose_offers(kind, target, a, b, x, delta, "smallest")
    assert (sender[0, 0], taken[0, 0], new[0, 0]) == (3, CONFLICT, 7.0)


# --------------------------------------------------------------------------------------------
# The model: options, presets, details, edge cases
# --------------------------------------------------------------------------------------------


def test_presets_and_options() -> None:
    # the default differs from the published preset only in what a cycling run forecasts
    assert models.get("bdm", forecast="last").options == models.get("bdm:scholz").options
    assert models.get("bdm").options.forecast == "cycle"
    lit = models.get("bdm:literal").options
    assert (lit.probability, lit.compromise_pick, lit.capitulation) == \
        ("pairwise", "least_move", "on")
    opts = models.get("bdm:scholz", rounds="20", Q="0.5", T="rule", stop="no_moves").options
    assert (opts.rounds, opts.Q, opts.T, opts.stop) == (20, 0.5, "rule", "no_moves")
    assert models.get("bdm", T="0.25").options.T == 0.25
    for bad in ({"probability": "local"}, {"T": "sometimes"}, {"Q": "1.5"}, {"rounds": "-1"},
                {"capitulation": "maybe"}, {"rounds": "ten"}):
        with pytest.raises(models.ModelSpecError):
            models.get("bdm", **bad)


def test_details_are_json_and_complete() -> None:
    fc = forecast("emission")
    json.dumps(fc.details)
    assert len(fc.details) == 11 and set(fc.details[0]["issues"]["issue"]) == {"median", "mean"}
    r1 = fc.details[1]["issues"]["issue"]
    assert {"median", "mean", "dangers", "risk_exponents", "offers"} <= set(r1)
    assert set(r1["offers"][0]) == {"receiver", "sender", "kind", "eu_receiver", "eu_sender",
                                    "new_position"}
    assert fc.extras["risk_exponent"].shape == (1, 10, 10, 1)
    assert fc.extras["moves"][0, :, 0].tolist() == [3] * 10


def test_all_actors_at_one_position() -> None:
    arr = one_issue([4.0, 4.0, 4.0], [1.0, 2.0, 3.0], [0.5, 0.9, 0.1])
    fc = models.get("bdm:scholz").run(arr, rng=RNG)
    assert np.all(fc.trajectory == 4.0) and fc.outcome[0, 0] == 4.0
    assert np.all(fc.extras["risk_exponent"] == 1.0) and not fc.extras["moves"].any()
    assert np.all(np.isfinite(fc.extras["mean"])) and fc.notes == []
    for spec in ("bdm:literal", "bdm"):
        fc = models.get(spec, Q=0.5, T="rule").run(arr, rng=RNG)
        assert np.all(fc.trajectory == 4.0)
        assert np.all(fc.extras["risk_exponent"] == 1.0)


def test_non_participant_takes_no_part() -> None:
    """A masked actor at the far end, with capability and salience, changes nothing and
    never moves (here via a second issue it is absent from)."""
    data = {"issues": [{"id": "p", "scale": [0, 10]}, {"id": "q", "scale": [0, 10]}],
            "actors": [{"id": "A", "capability": 30, "position": {"p": 2, "q": 2},
                        "salience": {"p": 60, "q": 60}},
                       {"id": "B", "capability": 20, "position": {"p": 5, "q": 5},
                        "salience": {"p": 90, "q": 90}},
                       {"id": "C", "capability": 40, "position": {"p": 8, "q": 8},
                        "salience": {"p": 30, "q": 30}},
                       {"id": "D", "capability": 90, "position": {"p": 10},
                        "salience": {"p": 100}}]}
    arr = to_arrays(validate_data(data))
    fc = models.get("bdm:literal").run(arr, rng=RNG)
    alone = models.get("bdm:literal").run(arr.take_actors([0, 1, 2]), rng=RNG)
    np.testing.assert_array_equal(fc.trajectory[0, :, :3, 1], alone.trajectory[0, :, :, 1])
    np.testing.assert_array_equal(fc.trajectory[0, :, 3, 1], arr.position[0, 3, 1])
    assert "D" not in fc.details[1]["issues"]["q"]["risk_exponents"]
    assert not np.array_equal(fc.trajectory[0, :, :3, 0], alone.trajectory[0, :, :, 0])


def test_draws_run_together_and_alone() -> None:
    """A Monte Carlo batch (three blocks of 81 draws at n = 40) equals the draws run one by
    one, and a draw that stops early (stop = no_moves) repeats its final state."""
    gen = np.random.default_rng(5)
    S, n = 200, 40
    arr = ScenarioArrays(tuple(f"A{k}" for k in range(n)), ("x",),
                         gen.integers(0, 3, (S, n, 1)) * 5.0, gen.uniform(0, 1, (S, n, 1)),
                         gen.uniform(1, 5, (S, n, 1)), np.ones((n, 1), bool), np.zeros(1),
                         np.full(1, 10.0), np.full((S, 1), np.nan))
    model = models.get("bdm:literal", stop="no_moves")
    together = model.run(arr, rng=RNG)
    moving = (together.extras["moves"][:, :, 0] > 0).sum(axis=1)
    assert len(set(moving.tolist())) >= 3  # the draws stop at different rounds
    picks = {0, 80, 81, 199, int(moving.argmin()), int(moving.argmax())}
    for k in sorted(picks):
        alone = model.run(arr.take_draws(k), rng=RNG)
        played = alone.rounds
        assert played == min(moving[k] + 1, 10)
        np.testing.assert_array_equal(together.trajectory[k, : played + 1], alone.trajectory[0])
        assert np.all(together.trajectory[k, played:] == alone.trajectory[0, -1])
        np.testing.assert_array_equal(together.round_outcome[k, : played + 1],
                                      alone.round_outcome[0])


def test_cli_forecast_of_the_reference_table(accord: Any) -> None:
    res = accord("forecast", DATA / "emission.csv", "--model", "bdm:scholz")
    assert res.returncode == 0, res.stderr
    assert "bdm" in res.stdout and "7.0" in res.stdout
    assert "not converged" in res.stdout and "7 to 9.671" in res.stdout
    res = accord("forecast", DATA / "iran2013.csv", "--salience-scale", "1", "--model",
                 "bdm:literal", "--option", "rounds=12", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    (bdm,) = doc["forecasts"]
    assert bdm["options"]["rounds"] == 12 and len(bdm["rounds"]) == 13
    assert bdm["outcome"]["issue"] == 4.0  # other_datasets_summary: literal median r10 = 4


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def random_arrays(seed: int, n: int, grid: bool = False) -> ScenarioArrays:
    """A one-issue scenario on 0–10: continuous positions (no ties), or a coarse grid (many)."""
    gen = np.random.default_rng(seed)
    pos = gen.integers(0, 4, n) * 2.5 if grid else gen.uniform(0, 10, n)
    cap = gen.uniform(0.1, 5, n)
    sal = gen.uniform(0, 1, n)
    return one_issue(pos, cap, sal)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9), grid=st.booleans())
def test_fast_tally_is_the_triple_sum(seed: int, n: int, grid: bool) -> None:
    gen = np.random.default_rng(seed)
    x = (gen.integers(0, 5, (3, n)) * 1.5) if grid else gen.uniform(-3, 7, (3, n))
    w = gen.uniform(0, 2, (3, n)) * (gen.random((3, n)) > 0.2)
    r = gen.uniform(0.5, 2, (3, n))
    delta = np.ptp(x, axis=1) + 0.5
    for risk in (None, r):
        np.testing.assert_allclose(vote_tally(x, w, risk, delta),
                                   vote_tally_direct(x, w, risk, delta), rtol=1e-12, atol=1e-12)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 17), grid=st.booleans())
def test_midpoint_search_is_the_direct_count(seed: int, n: int, grid: bool) -> None:
    gen = np.random.default_rng(seed)
    x = (gen.integers(0, 5, (4, n)) * 1.5) if grid else gen.uniform(-3, 7, (4, n))
    split = midpoint_split(x)
    np.testing.assert_array_equal(split.below, midpoint_counts_direct(x))
    np.testing.assert_array_equal(split.xs, np.sort(x, axis=-1))
    lower = x[:, :, None] < x[:, None, :]
    np.testing.assert_array_equal(split.keep, np.where(lower, 0.0, 1.0))
    np.testing.assert_array_equal(split.sign, np.where(lower, 1.0, -1.0))


def _offers_by_masks(a, b, x, mask, capitulation, pick, delta):
    """classify_offers and choose_offers written with whole-array masks (their first
    formulation, Scholz et al. 2011 section 4): the reference the gathered forms must equal
    to the bit."""
    xi, xj = x[..., :, None], x[..., None, :]
    gap = np.abs(xi - xj)
    scale = np.abs(x).max(axis=-1, keepdims=True)[..., None]
    valid = ~(gap <= 1e-12 * np.where(scale > 0, scale, 1.0)) & (mask[:, None] & mask[None, :])
    conflict = valid & (b > a) & (a > 0)
    yielding = valid & (a < 0) & (b > 0)
    compromise = yielding & (b > -a)
    kind = np.where(conflict, CONFLICT, np.where(compromise, COMPROMISE, np.where(
        yielding & capitulation, CAPITULATION, NO_OFFER)))
    step = np.divide(-a, b, out=np.ones_like(a), where=compromise)
    target = (xj - xi) * step + xi
    key = np.abs(target - xi)
    if pick == "smallest":
        weighted = np.divide(-a * xi + b * xj, b - a, out=np.zeros_like(a), where=compromise)
        key = np.where(compromise, weighted - xi, key)
    key = key / delta[:, None, None] + 4.0 * kind
    key[kind == NO_OFFER] = np.inf
    least = key.min(axis=-1)
    sender = np.where(np.isfinite(least),
                      np.argmax(key <= (least + 16e-12)[..., None], axis=-1), -1)
    new = np.take_along_axis(target, np.maximum(sender, 0)[..., None], -1)[..., 0]
    return kind, target, sender, np.where(sender >= 0, new, x)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 9), grid=st.booleans(),
       capitulation=st.booleans(), pick=st.sampled_from(["smallest", "least_move"]))
def test_offers_equal_their_masked_formulation(seed: int, n: int, grid: bool,
                                               capitulation: bool, pick: str) -> None:
    gen = np.random.default_rng(seed)
    x = (gen.integers(0, 4, (5, n)) * 2.5) if grid else gen.uniform(0, 10, (5, n))
    a, b = gen.normal(size=(2, 5, n, n))
    a[gen.random(a.shape) < 0.1] = 0.0
    mask = gen.random(n) > 0.15
    delta = np.ptp(x, axis=1) + 1.0
    kind, target = classify_offers(a, b, x, mask, capitulation)
    sender, taken, new = choose_offers(kind, target, a, b, x, delta, pick)
    k0, t0, s0, n0 = _offers_by_masks(a, b, x, mask, capitulation, pick, delta)
    np.testing.assert_array_equal(kind, k0)
    np.testing.assert_array_equal(target, t0)
    np.testing.assert_array_equal(sender, s0)
    np.testing.assert_array_equal(new, n0)
    np.testing.assert_array_equal(taken, np.where(s0 >= 0, np.take_along_axis(
        k0, np.maximum(s0, 0)[..., None], -1)[..., 0], NO_OFFER))


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9), grid=st.booleans())
def test_probabilities(seed: int, n: int, grid: bool) -> None:
    arr = random_arrays(seed, n, grid)
    x, w = arr.position[:, :, 0], arr.weight[:, :, 0]
    delta = np.array([max(np.ptp(x), 1.0)])
    r = np.random.default_rng(seed).uniform(0.5, 2, x.shape)
    tally = vote_tally(x, w, r, delta)
    mask = np.ones(n, bool)
    for method in ("global", "pairwise"):
        p = victory_probability(tally, x, mask, method)
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(np.diagonal(p, axis1=-2, axis2=-1) == 0.0)  # no contest with oneself
    p = victory_probability(tally, x, mask, "pairwise")[0]
    differ = x[0][:, None] != x[0][None, :]
    np.testing.assert_allclose((p + p.T)[differ], 1.0, atol=1e-12)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8), grid=st.booleans(),
       power=st.integers(-20, 20), spec=st.sampled_from(["bdm:scholz", "bdm:literal"]))
def test_scaling_capabilities_changes_nothing(seed: int, n: int, grid: bool, power: int,
                                              spec: str) -> None:
    """By a power of two the arithmetic is exact, so the runs must agree to the bit."""
    arr = random_arrays(seed, n, grid)
    scaled = replace(arr, capability=arr.capability * 2.0**power)
    model = models.get(spec, rounds=6)
    a, b = model.run(arr, rng=RNG), model.run(scaled, rng=RNG)
    np.testing.assert_array_equal(a.trajectory, b.trajectory)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8), factor=st.floats(1e-3, 1e3),
       spec=st.sampled_from(["bdm:scholz", "bdm:literal"]))
def test_scaling_capabilities_by_any_factor(seed: int, n: int, factor: float,
                                            spec: str) -> None:
    arr = random_arrays(seed, n)
    scaled = replace(arr, capability=arr.capability * factor)
    model = models.get(spec, rounds=6)
    np.testing.assert_allclose(model.run(scaled, rng=RNG).trajectory,
                               model.run(arr, rng=RNG).trajectory, atol=1e-9)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8),
       spec=st.sampled_from(["bdm:scholz", "bdm:literal"]))
def test_permuting_actors_permutes_the_result(seed: int, n: int, spec: str) -> None:
    arr = random_arrays(seed, n)
    perm = np.random.default_rng(seed + 1).permutation(n)
    model = models.get(spec, rounds=6)
    a, b = model.run(arr, rng=RNG), model.run(arr.take_actors(perm), rng=RNG)
    np.testing.assert_allclose(b.trajectory, a.trajectory[:, :, perm], atol=1e-9)
    np.testing.assert_allclose(b.extras["risk_exponent"], a.extras["risk_exponent"][:, :, perm],
                               atol=1e-9)
    np.testing.assert_allclose(b.outcome, a.outcome, atol=1e-9)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 8), grid=st.booleans(),
       spec=st.sampled_from(["bdm:scholz", "bdm:literal"]), q=st.sampled_from([1.0, 0.5]))
def test_runs_stay_finite_in_range_and_bounded(seed: int, n: int, grid: bool, spec: str,
                                               q: float) -> None:
    arr = random_arrays(seed, n, grid)
    fc = models.get(spec, rounds=6, Q=q, T="rule").run(arr, rng=RNG)
    lo, hi = arr.position.min(), arr.position.max()
    assert np.all(np.isfinite(fc.trajectory)) and np.all(np.isfinite(fc.outcome))
    assert np.all(fc.trajectory >= lo - 1e-9) and np.all(fc.trajectory <= hi + 1e-9)
    risk = fc.extras["risk_exponent"]
    assert np.all((risk >= 0.5 - 1e-12) & (risk <= 2 + 1e-12))
    held = fc.trajectory[0, -1, :, 0]
    assert np.min(np.abs(held - fc.outcome[0, 0])) == 0.0  # μ is a held position


@PROPS
@given(value=st.floats(-50, 50), n=st.integers(1, 7), seed=st.integers(0, 1000))
def test_one_position_never_moves(value: float, n: int, seed: int) -> None:
    gen = np.random.default_rng(seed)
    arr = one_issue([value] * n, gen.uniform(0, 3, n), gen.uniform(0, 1, n))
    fc = models.get("bdm:literal", rounds=3).run(arr, rng=RNG)
    assert np.all(fc.trajectory == value) and fc.outcome[0, 0] == value
    assert np.all(fc.extras["risk_exponent"] == 1.0)
    d = fc.details[1]["issues"]["x"]
    assert d["offers"] == [] and all(np.isfinite(v) for v in d["dangers"].values())


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), grid=st.booleans(),
       zero=st.booleans())
def test_median_from_the_rounds_sort_is_the_weighted_median(seed: int, n: int, grid: bool,
                                                            zero: bool) -> None:
    """MedianWeights (the rounds' μ from the actors' order they sort anyway) gives
    weighted_median's numbers to the bit, also where a draw's weights are all zero."""
    gen = np.random.default_rng(seed)
    x = (gen.integers(0, 4, (6, n)) * 2.5) if grid else gen.uniform(0, 10, (6, n))
    w = gen.uniform(0, 3, (6, n)) * (gen.random((6, n)) > 0.3)
    if zero:
        w[0] = 0.0
    mask = np.ones(n, bool)
    fast = MedianWeights.of(w, mask).median(midpoint_split(x))
    np.testing.assert_array_equal(fast, median_1d(x, w, mask))
    assert MedianWeights.of(w, np.arange(n) > 0) is None  # a non-participant: the long way


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 9), grid=st.booleans(),
       spec=st.sampled_from(["bdm:scholz", "bdm:literal", "bdm"]), q=st.sampled_from([1.0, 0.5]),
       masked=st.booleans())
def test_a_round_equals_its_kernels_composed_afresh(seed: int, n: int, grid: bool, spec: str,
                                                    q: float, masked: bool) -> None:
    """assess_round shares the gaps, the order, the voters' distances and the utilities'
    bases between its two passes; composing the kernels each on its own must give the same
    numbers to the bit."""
    gen = np.random.default_rng(seed)
    x = (gen.integers(0, 4, (4, n)) * 2.5) if grid else gen.uniform(0, 10, (4, n))
    s = gen.uniform(0, 1, (4, n))
    mask = np.ones(n, bool)
    if masked:
        mask[gen.integers(0, n)] = False
    w = np.where(mask, gen.uniform(0.1, 5, (4, n)) * s, 0.0)
    delta = np.ptp(x, axis=1) + 1.0
    opts = replace(models.get(spec).options, Q=q, T="rule")
    st_ = assess_round(x, s, w, mask, delta, opts, MedianWeights.of(w, mask))
    median = median_1d(x, w, mask)
    p = victory_probability(vote_tally(x, w, None, delta), x, mask, opts.probability)
    a1, _ = challenge_matrices(x, s, p, 1.0, median, delta, q, "rule", estimates=False)
    risk = risk_exponents(dangers(a1, mask), mask)
    if opts.vote_risk == "voter":
        p = victory_probability(vote_tally(x, w, risk, delta), x, mask, opts.probability)
    a, b = challenge_matrices(x, s, p, risk, median, delta, q, "rule")
    for got, want in ((st_.median, median), (st_.risk, risk), (st_.p, p), (st_.a, a),
                      (st_.b, b)):
        np.testing.assert_array_equal(got, want)


@PROPS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 8), grid=st.booleans(),
       stop=st.sampled_from(["fixed", "no_moves"]))
def test_round_outcomes_are_the_medians_of_the_positions(seed: int, n: int, grid: bool,
                                                         stop: str) -> None:
    """run() takes μ at each round's start from the round itself: it must be the weighted
    median of that round's positions (and of the last positions after the last round)."""
    gen = np.random.default_rng(seed)
    pos = gen.integers(0, 4, (5, n)) * 2.5 if grid else gen.uniform(0, 10, (5, n))
    one = one_issue(pos[0], np.ones(n), np.ones(n))
    arr = replace(one, position=pos[:, :, None],
                  capability=gen.uniform(0.1, 5, (5, n, 1)),
                  salience=gen.uniform(0, 1, (5, n, 1)))
    fc = models.get("bdm:scholz", rounds=6, stop=stop).run(arr, rng=RNG)
    w = arr.weight[:, None, :, 0]
    np.testing.assert_array_equal(
        fc.round_outcome[:, :, 0], median_1d(fc.trajectory[:, :, :, 0], w, arr.mask[:, 0]))
