"""Stokman exchange model (equal gain): golden values from decide-exchange-model's unit test,
the reference data sets' compromises and (approximate) outcomes, hand calculations, and
properties of every executed exchange (equal gain, no overshoot, replayable), seeded ties."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord import models
from accord.arrays import ScenarioArrays, to_arrays
from accord.io import load_any
from accord.models import exchange
from accord.models.base import Forecast, ModelSpecError
from accord.scenario import validate_data

DATA = Path(__file__).parent / "data" / "exchange"
FILES = {"sample_data": "sample_data.txt", "copenhagen": "copenhagen.csv", "cop21": "cop21.csv"}


def arrays_of(name: str) -> ScenarioArrays:
    return to_arrays(load_any(DATA / FILES[name]))


def run(arrays: ScenarioArrays, seed: int = 0, **options: Any) -> Forecast:
    return models.get("exchange", **options).run(arrays, rng=np.random.default_rng(seed))


@pytest.fixture(scope="module")
def forecasts() -> dict[str, tuple[ScenarioArrays, Forecast]]:
    out = {}
    for name in FILES:
        arrays = arrays_of(name)
        out[name] = (arrays, run(arrays))
    return out


def reference_rows() -> list[dict[str, str]]:
    with (DATA / "exchange_reference_outcomes.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- goldens


def test_first_exchange_by_hand() -> None:
    """sample_data, Willems (i) and Wcentr (j) on tolheffing-binnenstad (p) and
    extra-investering (q), by hand (salience and power as given, positions on 0–100):

    s_ip = s_jp = 0.95, s_iq = 0.6, s_jq = 0.9, so s_ip/s_iq > s_jp/s_jq: Willems demands p.
    W_p = Σ c s = 5.025, W_q = 3.42. Wcentr moving fully 0 -> 100 on p would shift O_p by
    0.9·0.95·100/5.025 = 17.01; Willems moving fully 25 -> 100 on q shifts O_q by
    1·0.6·75/3.42 = 250/19. Equal gain: ΔO_q/ΔO_p = 1.9/1.5 = 19/15, so with Willems moving
    fully ΔO_p = (250/19)(15/19) = 3750/361 < 17.01 (Wcentr moves part of the way), and
    neither outcome reaches the demanding partner (O_p = 49.35 < 100, O_q = 49.49 < 100).
    Gain = 0.95·3750/361 − 0.6·250/19 = 75/38 = 1.973684210526315789... for both.
    """
    arrays = arrays_of("sample_data")
    ids, iss = arrays.actor_ids, arrays.issue_ids
    scaled = (arrays.position - arrays.lower) / arrays.scale_range * 100
    weight = arrays.capability * arrays.salience * arrays.mask
    total = weight.sum(axis=1)
    p, q = iss.index("tolheffing-binnenstad"), iss.index("extra-investering")
    assert total[0, p] == pytest.approx(5.025, abs=1e-12)
    assert total[0, q] == pytest.approx(3.42, abs=1e-12)
    i, j = ids.index("Willems"), ids.index("Wcentr")

    def one(k: int) -> np.ndarray:
        return np.array([k])

    terms = exchange.exchange_terms(arrays.salience, weight, arrays.mask, one(0), one(i),
                                    one(j), one(p), one(q))
    assert terms.a[0] == i and terms.b[0] == j  # Willems demands p
    assert terms.able[0] and terms.takes_part[0]
    assert terms.rate[0] == pytest.approx(19 / 15, abs=1e-12)
    outcome = (weight * scaled).sum(axis=1) / total
    opposite, c = exchange.at_round_start(scaled, outcome, terms, one(0), one(p), one(q))
    assert opposite[0] and c.ahead[0]
    assert c.cap_p[0] == pytest.approx(0.9 * 0.95 * 100 / 5.025, abs=1e-10)
    assert c.cap_q[0] == pytest.approx(250 / 19, abs=1e-10)
    assert c.shift_q[0] == pytest.approx(250 / 19, abs=1e-10)
    assert c.shift_p[0] == pytest.approx(3750 / 361, abs=1e-10)
    assert c.gain[0] == pytest.approx(75 / 38, abs=1e-12)
    assert c.move_a[0] == pytest.approx(75.0, abs=1e-10)  # Willems all the way, 25 -> 100
    assert c.move_b[0] == pytest.approx(3750 / 361 * 5.025 / (0.9 * 0.95), abs=1e-10)
    # the kernel on plain numbers (a = Willems; Wcentr moves on p from 0 toward Willems at
    # 100, Willems on q from 25 toward Wcentr at 100): the same exchange
    coef = np.array([0.95, 0.6, 0.95, 0.9, 19 / 15, 0.9 * 0.95 / 5.025, 0.6 / 3.42,
                     0.95 - 0.6 * 19 / 15, 15 / 19, 5.025 / (0.9 * 0.95), 3.42 / 0.6])
    np.testing.assert_allclose(terms.coef[0], coef, rtol=1e-12)
    k = exchange.equal_gain(np.array(100.0), np.array(0.0), np.array(100.0), np.array(25.0),
                            np.array(1.0), np.array(1.0), outcome[0, p], outcome[0, q], coef)
    assert float(k.gain) == pytest.approx(75 / 38, abs=1e-12)


def test_first_phase_goldens(forecasts: dict[str, tuple[ScenarioArrays, Forecast]]) -> None:
    """decide's test_first_phase on sample_data: 240 candidates over the 15 issue pairs; the
    best gain 75/38; after executing it and updating, the next best 1.79263630876534102."""
    arrays, fc = forecasts["sample_data"]
    assert fc.extras["candidates"][0, 1] == 240
    assert fc.details[1]["candidates"] == 240
    first, second = fc.details[1]["exchanges"][:2]
    assert first["gain"] == pytest.approx(75 / 38, abs=1e-8)
    assert (first["i"], first["j"]) == ("Willems", "Wcentr")
    assert (first["i_demands"], first["i_supplies"]) == ("tolheffing-binnenstad",
                                                         "extra-investering")
    assert second["gain"] == pytest.approx(1.79263630876534102, abs=1e-8)
    # the 240 are the actor pairs on opposite sides of both outcomes, summed over issue pairs
    x = arrays.position[0]
    o = fc.round_outcome[0, 0]
    side = np.sign(x - o)
    count = 0
    d = arrays.n_issues
    for p in range(d):
        for q in range(p + 1, d):
            opposite = (np.outer(side[:, p], side[:, p]) < 0) & (np.outer(side[:, q],
                                                                            side[:, q]) < 0)
            count += int(np.triu(opposite, 1).sum())
    assert count == 240


def test_initial_compromises_of_all_26_issues(
        forecasts: dict[str, tuple[ScenarioArrays, Forecast]]) -> None:
    rows = reference_rows()
    assert len(rows) == 26
    for row in rows:
        arrays, fc = forecasts[row["dataset"]]
        k = arrays.issue_ids.index(row["issue"])
        assert fc.round_outcome[0, 0, k] == pytest.approx(float(row["initial_compromise"]),
                                                          abs=5e-3), row["issue"]


def round_one_differences(name: str, outcome: np.ndarray) -> np.ndarray:
    """|ours − decide's| round-1 voting outcome per issue of a data set, in points of each
    issue's scale (0–100). ``outcome``: our round-1 outcome (d,) in the issues' units."""
    arrays = arrays_of(name)
    diffs = []
    for row in reference_rows():
        if row["dataset"] == name:
            k = arrays.issue_ids.index(row["issue"])
            diffs.append(abs(outcome[k] - float(row["voting_round1"]))
                         * 100 / arrays.scale_range[k])
    return np.array(diffs)


# DESIGN.md step 3 (targets and sides fixed at the round's start), deterministic ties:
# the largest mean and largest single |difference| allowed against decide's round 1.
ROUND_ONE_BANDS = {"sample_data": (2.0, 6.0), "cop21": (2.0, 6.0), "copenhagen": (3.5, 8.0)}


@pytest.mark.parametrize("name", list(FILES))
def test_round_one_against_decide(name: str,
                                  forecasts: dict[str, tuple[ScenarioArrays, Forecast]]
                                  ) -> None:
    """Round-1 voting outcomes of every issue against decide-exchange-model's run
    (shared/reference/exchange/exchange_reference_outcomes.csv), in points of each scale.

    Why these bands: decide breaks exact ties at random, so its own runs differ; three of its
    runs on cop21 differ among themselves by 1.1–1.5 points on average (issue 12), and our
    ``compat: decide`` runs with 16 random tie streams span up to 6.5 points on one cop21
    issue (eaa) in round 1. A model that follows decide's rules must therefore come within
    about that spread: mean ≤ 2, largest ≤ 6 (issue 12's target on cop21). Measured with
    ties by order: sample_data mean 0.99, largest 2.48; cop21 1.38 and 3.82. On copenhagen
    the default is 3.33 and 7.43: the rest of that gap is decide's per-candidate compromise
    (the one detail the default does not copy; ``compat: decide`` comes to 0.82 and 2.87),
    hence (3.5, 8) there. Re-testing sides after every exchange, the reading before issue
    12, gave cop21 mean 5.4, largest 12.7."""
    _, fc = forecasts[name]
    diffs = round_one_differences(name, fc.round_outcome[0, 1])
    mean_band, max_band = ROUND_ONE_BANDS[name]
    assert diffs.mean() <= mean_band, diffs.round(2)
    assert diffs.max() <= max_band, diffs.round(2)


def test_compat_decide_reproduces_decides_round_one_on_sample_data() -> None:
    """``compat: decide`` (DESIGN.md step 3's last paragraph) with ties by order reproduces
    decide's round 1 on sample_data to the reference's two decimals (tolerance 0.0051 in each
    issue's units: the rounding, plus float noise)."""
    arrays = arrays_of("sample_data")
    fc = run(arrays, rounds=1, compat="decide")
    for row in reference_rows():
        if row["dataset"] == "sample_data":
            k = arrays.issue_ids.index(row["issue"])
            assert fc.round_outcome[0, 1, k] == pytest.approx(float(row["voting_round1"]),
                                                              abs=0.0051), row["issue"]


def repeated(arrays: ScenarioArrays, draws: int) -> ScenarioArrays:
    """The same scenario ``draws`` times (so that each draw breaks ties with its own stream)."""
    return replace(arrays, position=np.repeat(arrays.position, draws, axis=0),
                   salience=np.repeat(arrays.salience, draws, axis=0),
                   capability=np.repeat(arrays.capability, draws, axis=0),
                   status_quo=np.repeat(arrays.status_quo, draws, axis=0))


@pytest.mark.parametrize("name", list(FILES))
def test_compat_decide_round_one_spans_decides_run(name: str) -> None:
    """decide breaks exact ties between equal gains at random; ``compat: decide`` with
    ``tie_break = random`` over 16 tie streams (one run, 16 identical draws) must span
    decide's reference run: on every issue decide's round-1 outcome lies between our
    smallest and largest (to its two-decimal rounding, 0.0051 in the issue's units), and our
    median is within decide's own run-to-run spread of it (mean over issues ≤ 1.5 points,
    issue 12: 1.1–1.5 between decide's runs). Measured: every reference value inside the
    range (at most 0.015 points outside it: rounding); mean |median − reference| 1.12
    (sample_data), 0.88 (copenhagen), 0.89 (cop21)."""
    arrays = arrays_of(name)
    fc = run(repeated(arrays, 16), seed=3, rounds=1, compat="decide", tie_break="random")
    ours = fc.round_outcome[:, 1]
    medians = []
    for row in reference_rows():
        if row["dataset"] == name:
            k = arrays.issue_ids.index(row["issue"])
            theirs = float(row["voting_round1"])
            assert ours[:, k].min() - 0.0051 <= theirs <= ours[:, k].max() + 0.0051, (
                row["issue"], ours[:, k].min(), ours[:, k].max(), theirs)
            medians.append(abs(np.median(ours[:, k]) - theirs) * 100 / arrays.scale_range[k])
    assert np.mean(medians) <= 1.5, np.round(medians, 2)


def test_round_ten_is_plausible_against_decide(
        forecasts: dict[str, tuple[ScenarioArrays, Forecast]]) -> None:
    """Round 10 and the compromise of the preferences at the start of round 10 against
    decide's run: a plausibility check only, because round 10 is chaotic (a tie decided
    differently in round 2 moves it by up to 11 points, issue 12). Wherever decide moves an
    outcome by 10 points or more from the start, ours moves the same way; per issue within
    15 points; mean over the 26 issues ≤ 5. Measured (ties by order): round 10 mean 3.2,
    largest 7.6; preferences mean 1.6, largest 4.7 (before issue 12: 5.4, 20.1; 3.6, 9.4)."""
    for column in ("voting_round10", "preference_start_round10"):
        diffs = []
        for row in reference_rows():
            arrays, fc = forecasts[row["dataset"]]
            k = arrays.issue_ids.index(row["issue"])
            span = arrays.scale_range[k]
            if column == "voting_round10":
                ours = fc.round_outcome[0, 10, k]
            else:
                ours = fc.extras["preference_outcome"][0, 9, k]
            start = float(row["initial_compromise"])
            theirs = float(row[column])
            where = f"{row['dataset']}/{row['issue']} {column}"
            if abs(theirs - start) * 100 / span >= 10:
                assert np.sign(ours - start) == np.sign(theirs - start), where
            diff = abs(ours - theirs) * 100 / span
            assert diff <= 15.0, f"{where}: ours {ours:.2f}, reference {theirs:.2f}"
            diffs.append(diff)
        assert np.mean(diffs) <= 5.0, column


# --------------------------------------------------------------------------- replay


def replay_round(arrays: ScenarioArrays, fc: Forecast, t: int, p: float = 0.0) -> int:
    """Replay round t of draw 0 from its executed exchanges (details) and check each against
    DESIGN.md step 3 as decide does it: each mover moves toward its partner's position *at
    the start of the round* and never past it; the two actors lay on opposite sides of both
    compromises at the round's start; each outcome moves toward the demanding partner's
    round-start position and not past it; both gain, equally when p = 0 (1e-9, gains on the
    0–100 scale). The replayed voting positions are the round's trajectory. Returns the
    number of exchanges."""
    ids, iss = list(arrays.actor_ids), list(arrays.issue_ids)
    w = (arrays.capability * arrays.salience * arrays.mask)[0]
    total = w.sum(axis=0)
    s = arrays.salience[0]
    span = arrays.scale_range
    x = fc.extras["preference"][0, t - 1]  # the round's start: targets and sides
    y = x.copy()
    tol = 1e-9 * span

    def outcome() -> np.ndarray:
        return (w * y).sum(axis=0) / np.where(total > 0, total, 1.0)

    start = outcome()
    exchanges = fc.details[t]["exchanges"]
    for e in exchanges:
        i, j = ids.index(e["i"]), ids.index(e["j"])
        p_, q_ = iss.index(e["i_demands"]), iss.index(e["i_supplies"])
        for k in (p_, q_):  # opposite sides of both compromises at the round's start
            assert (x[i, k] - start[k]) * (x[j, k] - start[k]) < 0
        o0 = outcome()
        assert y[i, q_] == pytest.approx(e["i_from"], abs=tol[q_])
        assert y[j, p_] == pytest.approx(e["j_from"], abs=tol[p_])
        # movers move toward the partner's round-start position, never past it
        for partner, k, frm, to in ((j, q_, e["i_from"], e["i_to"]),
                                    (i, p_, e["j_from"], e["j_to"])):
            target = x[partner, k]
            assert (to - frm) * (target - frm) > 0
            assert abs(to - frm) <= abs(target - frm) + tol[k]
        y[i, q_], y[j, p_] = e["i_to"], e["j_to"]
        o1 = outcome()
        # each outcome shifts toward the demanding partner (i on p, j on q), not past it
        toward_i = np.sign(x[i, p_] - x[j, p_])
        toward_j = np.sign(x[j, q_] - x[i, q_])
        assert (x[i, p_] - o1[p_]) * toward_i >= -tol[p_]
        assert (x[j, q_] - o1[q_]) * toward_j >= -tol[q_]
        d_p = (o1[p_] - o0[p_]) * toward_i * 100 / span[p_]
        d_q = (o1[q_] - o0[q_]) * toward_j * 100 / span[q_]
        assert d_p >= -1e-9 and d_q >= -1e-9
        g_i = s[i, p_] * d_p - s[i, q_] * d_q
        g_j = s[j, q_] * d_q - s[j, p_] * d_p
        assert g_i >= -1e-9 and g_j >= -1e-9
        assert g_i == pytest.approx(e["gain_i"], abs=1e-9)
        assert g_j == pytest.approx(e["gain_j"], abs=1e-9)
        if p == 0:
            assert abs(g_i - g_j) <= 1e-9
            assert g_i == pytest.approx(e["gain"], abs=1e-9)
    np.testing.assert_allclose(y, fc.trajectory[0, t], atol=float(tol.max()), rtol=0)
    return len(exchanges)


@pytest.mark.parametrize("name", list(FILES))
def test_every_executed_exchange_has_equal_gains_and_no_overshoot(
        name: str, forecasts: dict[str, tuple[ScenarioArrays, Forecast]]) -> None:
    arrays, fc = forecasts[name]
    made = [replay_round(arrays, fc, t) for t in range(1, fc.rounds + 1)]
    assert made == list(fc.extras["exchanges"][0, 1:])
    assert min(made) > 0


def initial_candidates(arrays: ScenarioArrays, preference: np.ndarray
                       ) -> dict[tuple[str, str, str, str], float]:
    """Every valid candidate (step 1) at the start of a round whose draw-0 preferences (the
    issues' units) are ``preference``, as (demanding p, demanding q, p, q) -> equal gain."""
    n, d = arrays.n_actors, arrays.n_issues
    scaled = ((preference - arrays.lower) / arrays.scale_range * 100)[None]
    weight = (arrays.capability * arrays.salience * arrays.mask)[:1]
    outcome = (weight * scaled).sum(axis=1) / weight.sum(axis=1)
    ia, ja = exchange.pair_indices(n)
    pp, qq = exchange.pair_indices(d)
    zero = np.zeros(1, dtype=np.intp)[:, None, None]
    terms = exchange.exchange_terms(arrays.salience[:1], weight, arrays.mask, zero,
                                    ia[None, None, :], ja[None, None, :], pp[None, :, None],
                                    qq[None, :, None])
    opposite, c = exchange.at_round_start(scaled, outcome, terms, zero, pp[None, :, None],
                                          qq[None, :, None])
    valid = opposite & terms.able & c.ahead & (c.gain > exchange._MIN_GAIN)
    ids, iss = arrays.actor_ids, arrays.issue_ids
    return {(ids[terms.a[at]], ids[terms.b[at]], iss[pp[at[1]]], iss[qq[at[1]]]):
            float(c.gain[at]) for at in zip(*np.nonzero(valid), strict=True)}


def test_first_exchange_has_the_highest_initial_gain(
        forecasts: dict[str, tuple[ScenarioArrays, Forecast]]) -> None:
    """What the greedy order guarantees: the round's first exchange is a candidate of the
    round's initial list with the highest equal gain of that list. (Later exchanges need not
    have smaller gains: a recomputed candidate's gain may rise after an exchange.)"""
    arrays, fc = forecasts["cop21"]
    for t in range(1, fc.rounds + 1):
        first = fc.details[t]["exchanges"][0]
        listed = initial_candidates(arrays, fc.extras["preference"][0, t - 1])
        key = (first["i"], first["j"], first["i_demands"], first["i_supplies"])
        assert key in listed, (t, key)
        assert listed[key] == pytest.approx(first["gain"], abs=1e-9)
        assert first["gain"] == pytest.approx(max(listed.values()), abs=1e-9)


# --------------------------------------------------------------------------- options


def test_preference_update_between_rounds(forecasts: dict[str, tuple[ScenarioArrays,
                                                                     Forecast]]) -> None:
    """x' = x + [0.1 + 0.4 (1 − s)] (y − x) where the actor supplied in the round, x elsewhere
    (DESIGN.md step 4)."""
    arrays, fc = forecasts["copenhagen"]
    ids, iss = list(arrays.actor_ids), list(arrays.issue_ids)
    for t in (1, 2):
        x = fc.extras["preference"][0, t - 1]
        y = fc.trajectory[0, t]
        supplied = np.zeros(x.shape, dtype=bool)
        for e in fc.details[t]["exchanges"]:
            supplied[ids.index(e["i"]), iss.index(e["i_supplies"])] = True
            supplied[ids.index(e["j"]), iss.index(e["i_demands"])] = True
        s = arrays.salience[0]
        expected = np.where(supplied, x + (0.1 + 0.4 * (1 - s)) * (y - x), x)
        np.testing.assert_allclose(fc.extras["preference"][0, t], expected, atol=1e-9)
        w = arrays.weight[0]
        np.testing.assert_allclose(fc.extras["preference_outcome"][0, t],
                                   (w * expected).sum(axis=0) / w.sum(axis=0), atol=1e-9)


def test_without_preference_update_every_round_repeats_the_first() -> None:
    arrays = arrays_of("sample_data")
    fc = run(arrays, preference_update="off", rounds=4)
    for t in range(2, 5):
        np.testing.assert_array_equal(fc.trajectory[0, t], fc.trajectory[0, 1])
    np.testing.assert_array_equal(fc.extras["preference"][0, 4], arrays.position[0])


def test_rounds_output_shapes_and_outcome(forecasts: dict[str, tuple[ScenarioArrays,
                                                                    Forecast]]) -> None:
    arrays, fc = forecasts["cop21"]
    S, n, d = arrays.position.shape
    assert fc.trajectory.shape == (S, 11, n, d)
    assert fc.round_outcome.shape == (S, 11, d)
    assert fc.extras["preference"].shape == (S, 11, n, d)
    assert len(fc.details) == 11 and fc.details[0]["exchanges"] == []
    np.testing.assert_array_equal(fc.outcome, fc.round_outcome[:, -1])
    np.testing.assert_array_equal(fc.trajectory[:, 0], arrays.position)
    assert fc.details[10]["outcome"]["eaa"] == pytest.approx(fc.outcome[0, d - 1])
    # non-participants never move
    np.testing.assert_array_equal(fc.trajectory[0][:, ~arrays.mask],
                                  np.broadcast_to(arrays.position[0][~arrays.mask],
                                                  (11, int((~arrays.mask).sum()))))


def tiny(positions: list[list[float]], saliences: list[list[float]]) -> ScenarioArrays:
    issues = [{"id": f"i{k}"} for k in range(len(positions[0]))]
    actors = [{"id": f"a{a}", "capability": 10,
               "position": {f"i{k}": x for k, x in enumerate(row)},
               "salience": {f"i{k}": s for k, s in enumerate(srow)}}
              for a, (row, srow) in enumerate(zip(positions, saliences, strict=True))]
    return to_arrays(validate_data({"issues": issues, "actors": actors}))


def test_two_actors_by_hand() -> None:
    """A at (0, 0), B at (100, 100), capabilities equal; A cares about i0 (s 0.8, 0.2), B
    about i1 (0.4, 0.8). O = (0.8·0 + 0.4·100)/1.2 = 33.33 on i0, 80 on i1. A demands i0.
    Caps: B's full move shifts O_0 by 0.4·100/1.2 = 33.33 (exactly to A: allowed); A's full
    move shifts O_1 by 0.2·100/1.0 = 20 (= B's distance: allowed). Rate (0.8+0.4)/(0.2+0.8)
    = 1.2: ΔO_0 = min(33.33, 20/1.2 = 16.67) = 16.67, ΔO_1 = 20. Gain 0.8·16.67 − 0.2·20
    = 9.33 for both. B moves 16.67·1.2/0.4 = 50 toward A; A moves all the way to 100."""
    arrays = tiny([[0, 0], [100, 100]], [[80, 20], [40, 80]])
    fc = run(arrays, rounds=1)
    [e] = fc.details[1]["exchanges"]
    assert (e["i"], e["i_demands"], e["i_supplies"]) == ("a0", "i0", "i1")
    assert e["i_to"] == 100.0 and e["j_to"] == pytest.approx(50.0, abs=1e-12)
    assert e["gain_i"] == pytest.approx(28 / 3, abs=1e-12)
    assert e["gain_j"] == pytest.approx(28 / 3, abs=1e-12)
    np.testing.assert_allclose(fc.outcome[0], [50 / 3, 100.0], atol=1e-12)


def test_truncated_at_the_demanding_partners_position() -> None:
    """Capabilities 10; A (a0) at (60, 0) with saliences (1.0, 0.28), B (a1) at (0, 100) with
    (0.44, 0.14), two others at 100 on i0. On i0: W = 10 + 4.4 + 0.2 + 4.5 = 19.1,
    O_0 = 1070/19.1 = 56.02. A demands i0 (1/0.28 > 0.44/0.14). B's full move to 60 would
    shift O_0 by 4.4·60/19.1 = 13.8, and equal gain alone would allow 12.56, both past A at 60:
    the shift stops at 76/19.1 = 3.979 (O_0 lands on A exactly), B moves 76/4.4 = 190/11, and
    the partner's move is recomputed from it: ΔO_1 = (1.44/0.42)·76/19.1 = 13.64, A moving
    13.64·6.5/2.8 = 31.67 on i1."""
    arrays = tiny([[60, 0], [0, 100], [100, 70], [100, 72]],
                  [[100, 28], [44, 14], [2, 5], [45, 18]])
    fc = run(arrays, rounds=1)
    [e] = fc.details[1]["exchanges"]
    assert (e["i"], e["j"], e["i_demands"]) == ("a0", "a1", "i0")
    assert e["j_to"] == pytest.approx(190 / 11, abs=1e-9)
    assert e["shift_demand"] == pytest.approx(76 / 19.1, abs=1e-9)
    assert e["shift_supply"] == pytest.approx(1.44 / 0.42 * 76 / 19.1, abs=1e-9)
    assert e["i_to"] == pytest.approx(1.44 / 0.42 * 76 / 19.1 * 6.5 / 2.8, abs=1e-9)
    assert fc.round_outcome[0, 1, 0] == pytest.approx(60.0, abs=1e-9)  # exactly at A
    replay_round(arrays, fc, 1)


def test_single_issue_forecasts_the_compromise() -> None:
    arrays = tiny([[10], [90], [40]], [[50], [80], [20]])
    fc = run(arrays)
    compromise = models.get("compromise").run(arrays, rng=np.random.default_rng(0))
    np.testing.assert_allclose(fc.outcome, compromise.outcome)
    assert fc.rounds == 0
    assert any("no exchange is possible" in note for note in fc.notes)


def test_stop_when_nothing_is_traded() -> None:
    same = tiny([[20, 30], [20, 30], [20, 30]], [[50, 60], [70, 20], [40, 40]])
    fc = run(same, stop="no_exchanges")
    assert fc.rounds == 1 and fc.extras["exchanges"].sum() == 0
    assert any("no pair of actors can trade" in note for note in fc.notes)
    fixed = run(same)
    assert fixed.rounds == 10
    np.testing.assert_array_equal(fixed.outcome, fc.outcome)


def test_stop_no_exchanges_pads_draws_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draws in separate blocks that stop at different rounds give what one block gives."""
    arrays = arrays_of("copenhagen")
    arrays = replace(arrays, position=np.concatenate([arrays.position,
                                                      np.full_like(arrays.position, 50.0)]),
                     salience=np.repeat(arrays.salience, 2, axis=0),
                     capability=np.repeat(arrays.capability, 2, axis=0),
                     status_quo=np.repeat(arrays.status_quo, 2, axis=0))
    together = run(arrays, stop="no_exchanges", rounds=3)
    monkeypatch.setattr(exchange, "_BLOCK_CELLS", 1)
    apart = run(arrays, stop="no_exchanges", rounds=3)
    assert together.rounds == apart.rounds == 3
    np.testing.assert_array_equal(together.trajectory, apart.trajectory)
    assert apart.extras["exchanges"][1].sum() == 0  # everyone at 50: nothing to trade


def test_options_are_checked() -> None:
    with pytest.raises(ModelSpecError):
        models.get("exchange", p="1.5")
    with pytest.raises(ModelSpecError):
        models.get("exchange", rounds="-1")
    with pytest.raises(ModelSpecError):
        models.get("exchange", tie_break="coin")
    model = models.get("exchange:decide", rounds="3", preference_update="off")
    assert model.options.tie_break == "random" and model.options.rounds == 3
    assert model.options.compat == "decide"
    with pytest.raises(ModelSpecError):
        models.get("exchange", compat="exact")


def mirrored_tie() -> ScenarioArrays:
    """Four actors, three issues (0–100, capabilities 1), built so that two candidates tie:

    ====  ==========  ==========  ==========
          i0          i1          i2
    ====  ==========  ==========  ==========
    a0    —           0 (0.25)    100 (0.75)
    a1    0 (0.25)    100 (0.75)  —
    a2    100 (0.75)  0 (0.25)    —
    a3    —           100 (0.75)  0 (0.25)
    ====  ==========  ==========  ==========

    (position (salience); — : does not take part). Only two pairs share two issues, so the
    round starts with two candidates: X = a0, a3 on (i1, i2) and Y = a1, a2 on (i0, i1).

    Why their gains are equal exactly: relabelling actors a0 ↔ a2, a1 ↔ a3 and issues
    i0 ↔ i2 maps the table onto itself (every position, salience, capability and
    participation) and X onto Y, and the equal-gain exchange is defined without reference to
    labels. By hand: O = (75, 75, 75), W = (1, 2, 1). In X, a3 demands i1 (0.75/0.25 >
    0.25/0.75), a0 demands i2. a0 moving fully to 100 on i1 shifts O_1 by 0.25·100/2 = 12.5
    (a3 at 100 is 25 away: no cap); a3 moving fully on i2 shifts O_2 by 0.25·100/1 = 25 (=
    the distance to a0). Rate (0.75 + 0.25)/(0.25 + 0.75) = 1, so ΔO_1 = min(12.5, 25) =
    12.5 = ΔO_2, gain 0.75·12.5 − 0.25·12.5 = 6.25 for both; a0 moves to 100, a3 to 50. Y is
    the mirror image: a2 demands i0, a1 i1, a2 moves to 100 on i1, a1 to 50 on i0, gain 6.25.
    Every number is a dyadic fraction, so the floating-point gains are exactly 6.25 too.

    The two orders disagree: by actor pair first, X ((a0, a3) is pair 2 of (0,1), (0,2),
    (0,3), (1,2), ...) comes before Y ((a1, a2), pair 3); by issue pair first, Y ((i0, i1),
    pair 0) comes before X ((i1, i2), pair 2). After either, the other is recomputed (they
    share i1: O_1 = 87.5) and still gains 6.25 (the shift on i1 is capped at 12.5 either
    way), so the round makes both and only their order tells the tie rule.
    """
    nan = np.nan
    x = np.array([[nan, 0, 100], [0, 100, nan], [100, 0, nan], [nan, 100, 0]])
    sal = np.array([[nan, 25, 75], [25, 75, nan], [75, 25, nan], [nan, 75, 25]]) / 100
    mask = ~np.isnan(x)
    return ScenarioArrays(("a0", "a1", "a2", "a3"), ("i0", "i1", "i2"),
                          np.nan_to_num(x)[None], np.nan_to_num(sal)[None],
                          mask[None].astype(float), mask, np.zeros(3), np.full(3, 100.0),
                          np.full((1, 3), np.nan))


def test_equal_gains_break_by_actor_pair_then_issue_pair() -> None:
    """DESIGN.md step 3 on :func:`mirrored_tie`: with ``tie_break = order`` X (a3 demanding
    i1 from a0, supplying i2) goes first, then Y; with random ties each goes first for some
    seeds."""
    arrays = mirrored_tie()
    listed = initial_candidates(arrays, arrays.position[0])
    x_key, y_key = ("a3", "a0", "i1", "i2"), ("a2", "a1", "i0", "i1")
    assert listed == {x_key: 6.25, y_key: 6.25}  # exactly equal
    fc = run(arrays, rounds=1)
    first, second = fc.details[1]["exchanges"]
    assert (first["i"], first["j"], first["i_demands"], first["i_supplies"]) == x_key
    assert (second["i"], second["j"], second["i_demands"], second["i_supplies"]) == y_key
    assert first["gain"] == second["gain"] == 6.25
    assert (first["i_to"], first["j_to"]) == (50.0, 100.0)  # a3 on i2, a0 on i1
    assert (second["i_to"], second["j_to"]) == (100.0, 50.0)  # a2 on i1, a1 on i0
    np.testing.assert_array_equal(fc.outcome[0], [87.5, 100.0, 87.5])
    replay_round(arrays, fc, 1)
    firsts = {run(arrays, seed=seed, rounds=1, tie_break="random").details[1]["exchanges"][0][
        "i"] for seed in range(20)}
    assert firsts == {"a3", "a2"}


def test_seeded_ties_and_randomised_gain_are_reproducible() -> None:
    arrays = arrays_of("sample_data")
    for options in ({"tie_break": "random"}, {"tie_break": "random", "p": 0.7}):
        a, b = run(arrays, seed=7, **options), run(arrays, seed=7, **options)
        np.testing.assert_array_equal(a.trajectory, b.trajectory)
        assert a.details == b.details
        c = run(arrays, seed=8, **options)
        assert not np.array_equal(a.trajectory, c.trajectory)


def three_draws(name: str) -> ScenarioArrays:
    """The data set with three draws whose saliences and capabilities differ (±20 %)."""
    arrays = arrays_of(name)
    rng = np.random.default_rng(1)
    shape = (3, *arrays.salience.shape[1:])
    return replace(arrays, position=np.repeat(arrays.position, 3, axis=0),
                   salience=np.clip(arrays.salience * rng.uniform(0.8, 1.2, shape), 0, 1),
                   capability=arrays.capability * rng.uniform(0.8, 1.2, shape),
                   status_quo=np.repeat(arrays.status_quo, 3, axis=0))


@pytest.mark.parametrize("options", [{"tie_break": "random"}, {"p": 0.5},
                                     {"tie_break": "random", "p": 0.5}])
def test_each_draw_has_its_own_random_stream(options: dict[str, Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw k of an S-draw run is the one-draw run given draw k's stream
    (``rng.spawn(S)[k]``), whatever the number of draws and however they are blocked; so draw
    0 is the one-draw run with the same seed."""
    arrays = three_draws("copenhagen")
    model = models.get("exchange", **options)
    together = model.run(arrays, rng=np.random.default_rng(5))
    streams = np.random.default_rng(5).spawn(3)
    for k in range(3):
        alone = model.run_streams(arrays.take_draws(k), [streams[k]])
        np.testing.assert_array_equal(alone.trajectory[0], together.trajectory[k])
        np.testing.assert_array_equal(alone.extras["exchanges"][0],
                                      together.extras["exchanges"][k])
    first = model.run(arrays.take_draws(0), rng=np.random.default_rng(5))
    np.testing.assert_array_equal(first.trajectory[0], together.trajectory[0])
    assert first.details == together.details
    other = model.run(arrays, rng=np.random.default_rng(6))
    assert not np.array_equal(other.trajectory, together.trajectory)
    monkeypatch.setattr(exchange, "_BLOCK_CELLS", 1)  # one draw per block
    np.testing.assert_array_equal(model.run(arrays, rng=np.random.default_rng(5)).trajectory,
                                  together.trajectory)
    with pytest.raises(ValueError, match="3 draws need 3 random streams"):
        model.run_streams(arrays, streams[:2])


def test_randomised_split_moves_along_the_frontier() -> None:
    """frontier_split by hand on the two-actor case: caps (33.33, 20), equal gain at
    (16.67, 20). u = 1 toward A ends where B gains nothing (ΔO_1/ΔO_0 = s_b0/s_b1 = 0.5: on
    the corner's edge ΔO_1 = 20, ΔO_0 = 40 > cap -> the edge ΔO_0 = 33.33, ΔO_1 = 16.67);
    toward B, where A gains nothing (ΔO_1/ΔO_0 = 4: ΔO_0 = 5, ΔO_1 = 20)."""
    f = np.array

    def split(u: float, favour_a: bool) -> tuple[float, float]:
        dp, dq = exchange.frontier_split(f([100 / 3]), f([20.0]), f([50 / 3]), f([20.0]),
                                         f([0.8]), f([0.2]), f([0.4]), f([0.8]), f([u]),
                                         f([favour_a]))
        return float(dp[0]), float(dq[0])

    assert split(0.0, True) == pytest.approx((50 / 3, 20.0))
    dp, dq = split(1.0, True)
    assert (dp, dq) == pytest.approx((100 / 3, 50 / 3))
    assert 0.8 * dq - 0.4 * dp == pytest.approx(0.0, abs=1e-12)  # B gains nothing
    dp, dq = split(1.0, False)
    assert (dp, dq) == pytest.approx((5.0, 20.0))
    assert 0.8 * dp - 0.2 * dq == pytest.approx(0.0, abs=1e-12)  # A gains nothing
    dp, dq = split(0.5, False)
    assert (dp, dq) == pytest.approx((65 / 6, 20.0))


# --------------------------------------------------------------------------- scaling


def ktab_like(n: int, d: int, seed: int, draws: int = 1) -> ScenarioArrays:
    """Random scenarios as KTAB's generator makes them (benchmarks/bench_smp.py)."""
    rng = np.random.default_rng(seed)
    cap = rng.uniform(10.0, 200.0, (draws, n, 1))
    total = rng.uniform(0.75, 0.99, (draws, n, 1))
    split = rng.uniform(0.0, 1.0, (draws, n, d))
    return ScenarioArrays(tuple(f"a{k}" for k in range(n)), tuple(f"i{k}" for k in range(d)),
                          100.0 * rng.uniform(0.0, 1.0, (draws, n, d)),
                          total * split / split.sum(axis=-1, keepdims=True),
                          np.repeat(cap, d, axis=-1), np.ones((n, d), dtype=bool),
                          np.zeros(d), np.full(d, 100.0), np.full((draws, d), np.nan))


@pytest.mark.parametrize(("arrays", "options"), [
    (arrays_of("cop21"), {"rounds": 3}),
    (arrays_of("copenhagen"), {"rounds": 4, "tie_break": "random", "p": 0.4}),
    (ktab_like(40, 3, 1, draws=2), {"rounds": 3}),
    (ktab_like(25, 4, 2, draws=3), {"rounds": 2, "tie_break": "random"}),
])
def test_recomputing_only_what_changed_equals_recomputing_everything(
        arrays: ScenarioArrays, options: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After an exchange the model re-evaluates only the candidates whose gain can have
    changed (the suppliers it moved, and demanders near a moved outcome); re-evaluating
    every live candidate instead must give the same run, exchange for exchange."""
    lean = run(arrays, seed=4, **options)
    monkeypatch.setattr(exchange, "_FULL_RECOMPUTE", True)
    full = run(arrays, seed=4, **options)
    np.testing.assert_array_equal(lean.trajectory, full.trajectory)
    np.testing.assert_array_equal(lean.extras["exchanges"], full.extras["exchanges"])
    assert lean.details == full.details
    assert lean.extras["recomputed"][0] < full.extras["recomputed"][0]


class _SmallTree(exchange.MaxTree):
    """Narrow blocks, so that a few thousand entries make a tree of four levels."""

    K = 8
    FLAT = 16


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3), st.integers(1, 9000), st.integers(0, 2**32 - 1),
       st.sampled_from([1.0, 0.25]), st.booleans())
def test_max_tree_finds_the_first_and_last_maximum(draws: int, size: int, seed: int,
                                                   coarse: float, small: bool) -> None:
    """MaxTree against a scan: after every batch of updates (including −inf: dropped
    candidates) the maximum per draw and the first and last entry within 1e-12 of it; with
    the model's blocks and with narrow ones (deeper trees)."""
    rng = np.random.default_rng(seed)

    def values(m: int) -> np.ndarray:  # coarse grids make exact ties
        v = np.round(rng.uniform(0, 10, m) / coarse) * coarse
        return np.where(rng.random(m) < 0.3, -np.inf, v)

    truth = values(draws * size).reshape(draws, size)
    tree = (_SmallTree if small else exchange.MaxTree)(truth.copy())
    for _ in range(5):
        m = int(rng.integers(1, 50))
        flat = rng.choice(draws * size, size=min(m, draws * size), replace=False)
        dr, sl = flat // size, flat % size
        new = values(dr.size)
        truth[dr, sl] = new
        tree.set(dr, sl, new)
        np.testing.assert_array_equal(tree.values, truth)
        np.testing.assert_array_equal(tree.top(), truth.max(axis=1))
        live = np.flatnonzero(truth.max(axis=1) > -np.inf)
        if live.size:
            threshold = truth[live].max(axis=1) - 1e-12
            hit = truth[live] >= threshold[:, None]
            np.testing.assert_array_equal(tree.first(live, threshold), hit.argmax(axis=1))
            np.testing.assert_array_equal(tree.first(live, threshold, last=True),
                                          size - 1 - hit[:, ::-1].argmax(axis=1))


# --------------------------------------------------------------------------- properties


@st.composite
def random_arrays(draw: st.DrawFn) -> ScenarioArrays:
    n = draw(st.integers(2, 6))
    d = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    coarse = draw(st.booleans())  # coarse grids make exact ties and shared positions
    rng = np.random.default_rng(seed)
    if coarse:
        pos = rng.integers(0, 5, (1, n, d)) * 25.0
        sal = rng.integers(1, 5, (1, n, d)) / 4.0
        cap = rng.integers(1, 3, (1, n, d)).astype(float)
    else:
        pos = rng.uniform(0, 100, (1, n, d))
        sal = rng.uniform(0.05, 1.0, (1, n, d))
        cap = rng.uniform(0.1, 1.0, (1, n, d))
    mask = rng.random((n, d)) > 0.15
    lower = rng.uniform(-10, 10, d)
    span = rng.uniform(1, 50, d)
    pos = np.where(mask, lower + pos / 100 * span, lower)
    return ScenarioArrays(tuple(f"a{k}" for k in range(n)), tuple(f"i{k}" for k in range(d)),
                          pos, sal * mask, cap * mask, mask, lower, lower + span,
                          np.full((1, d), np.nan))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_arrays(), st.sampled_from(["order", "random"]), st.sampled_from([0.0, 0.3, 1.0]),
       st.integers(0, 10**6))
def test_properties_of_every_exchange(arrays: ScenarioArrays, tie_break: str, p: float,
                                      seed: int) -> None:
    fc = run(arrays, seed=seed, rounds=3, tie_break=tie_break, p=p)
    for t in range(1, fc.rounds + 1):
        replay_round(arrays, fc, t, p)
    # everyone stays within the participants' initial range on each issue
    lo = np.where(arrays.mask, arrays.position[0], np.inf).min(axis=0)
    hi = np.where(arrays.mask, arrays.position[0], -np.inf).max(axis=0)
    tol = 1e-9 * arrays.scale_range
    m = np.broadcast_to(arrays.mask, fc.trajectory[0].shape)
    voting = fc.trajectory[0]
    assert np.all((voting >= lo - tol) | ~m) and np.all((voting <= hi + tol) | ~m)
    # finite wherever somebody takes part (an issue nobody takes part in has no forecast: NaN)
    assert np.all(np.isfinite(fc.outcome[:, arrays.mask.any(axis=0)]))
    again = run(arrays, seed=seed, rounds=3, tie_break=tie_break, p=p)
    np.testing.assert_array_equal(again.trajectory, fc.trajectory)


def test_cli_forecast_with_the_exchange_model(accord: Any) -> None:
    res = accord("forecast", DATA / "cop21.csv", "--model", "exchange", "--option", "rounds=3",
                 "--json")
    assert res.returncode == 0, res.stderr
    assert '"exchange"' in res.stdout and "i_demands" in res.stdout
