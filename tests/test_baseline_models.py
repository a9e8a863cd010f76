"""Golden and hand-calculated values for the compromise, median and Nash models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord import models
from accord.arrays import to_arrays
from accord.models.median import weighted_median
from accord.scenario import load, validate_data

DATA = Path(__file__).parent / "data" / "baseline"
RNG = np.random.default_rng(0)


def one_issue(positions, capabilities, saliences=None, status_quo=None, scale=(0, 100)):
    saliences = saliences or [100] * len(positions)
    issue = {"id": "x", "scale": list(scale)}
    if status_quo is not None:
        issue["status_quo"] = status_quo
    return to_arrays(validate_data({"issues": [issue], "actors": [
        {"id": f"A{k}", "capability": c, "position": {"x": p}, "salience": {"x": s}}
        for k, (p, c, s) in enumerate(zip(positions, capabilities, saliences, strict=True))
    ]}))


def outcome(name: str, arrays) -> float:
    return float(models.get(name).run(arrays, rng=RNG).outcome[0, 0])


def test_registry_knows_the_baselines() -> None:
    assert {"compromise", "median", "nash"} <= set(models.names())
    with pytest.raises(models.ModelSpecError, match="unknown model 'nope'"):
        models.get("nope")
    with pytest.raises(models.ModelSpecError, match="has no option"):
        models.get("compromise", rounds=3)


def test_emission_reference_compromise_and_median() -> None:
    # reference/README.md: weighted mean 7.389956 (6dp -> 5e-7), weighted median 7 (exact)
    arrays = to_arrays(load(DATA / "emission.csv"))
    assert outcome("compromise", arrays) == pytest.approx(7.389956, abs=5e-7)
    assert outcome("median", arrays) == 7.0


def test_compromise_by_hand() -> None:
    # (2*50*10 + 1*100*40) / (2*50 + 1*100) = (1000 + 4000) / 200 = 25
    arrays = one_issue([10, 40], [2, 1], [50, 100])
    assert outcome("compromise", arrays) == pytest.approx(25.0, abs=1e-12)


def test_median_by_hand_and_lower_tie() -> None:
    assert outcome("median", one_issue([0, 10, 20], [1, 1, 3])) == 20
    # four equal weights: any point in [10, 20] minimises; the lower held position wins
    assert outcome("median", one_issue([30, 0, 20, 10], [1, 1, 1, 1])) == 10


def test_median_ignores_masked_actors() -> None:
    pos = np.array([[[0.0], [10.0], [100.0]]])
    w = np.ones_like(pos)
    mask = np.array([[True], [True], [False]])
    # only 0 and 10 count: a tie, the lower wins
    assert weighted_median(pos, w, mask)[0, 0] == 0.0


def test_nash_symmetric() -> None:
    assert outcome("nash", one_issue([0, 100], [1, 1])) == pytest.approx(50, abs=1e-9)


def test_nash_asymmetric_weights_by_hand() -> None:
    # No status quo: r = 100 for both; the first-order condition
    # 2*2x/(1e4 - x^2) = (100 - x)/(x(200 - x)) reduces to 3x^3 - 500x^2 - 1e4 x + 1e6 = 0.
    roots = np.roots([3, -500, -1e4, 1e6])
    expected = next(r.real for r in roots if abs(r.imag) < 1e-12 and 0 < r.real < 100)
    assert outcome("nash", one_issue([0, 100], [2, 1])) == pytest.approx(expected, abs=1e-8)


def test_nash_status_quo_shrinks_the_feasible_set_by_hand() -> None:
    # Actors at 40 and 60, status quo 0: feasible [0, 80]; the first-order condition
    # (x-40)(120-x) + (x-60)(80-x) = 0 gives x^2 - 150x + 4800 = 0, x = (150 - sqrt(3300))/2.
    got = outcome("nash", one_issue([40, 60], [1, 1], status_quo=0))
    assert got == pytest.approx((150 - np.sqrt(3300)) / 2, abs=1e-8)


def test_nash_status_quo_stands_when_no_one_gains() -> None:
    # actors at 0 and 100, status quo 50: only 50 is weakly preferred by both
    assert outcome("nash", one_issue([0, 100], [1, 1], status_quo=50)) == 50


def test_nash_salience_zero_actor_is_indifferent() -> None:
    arrays = one_issue([0, 100, 30], [1, 1, 5], [100, 100, 0])
    assert outcome("nash", arrays) == pytest.approx(50, abs=1e-9)


def test_median_of_an_issue_nobody_takes_part_in_is_nan() -> None:
    pos = np.array([[[3.0], [7.0]]])
    mask = np.array([[False], [False]])
    assert np.isnan(weighted_median(pos, np.ones_like(pos), mask)[0, 0])


def test_compromise_of_an_issue_nobody_takes_part_in_is_nan() -> None:
    from accord.models.compromise import weighted_mean

    pos = np.array([[[3.0], [7.0]]])
    mask = np.array([[False], [False]])
    assert np.isnan(weighted_mean(pos, np.ones_like(pos), mask)[0, 0])
    # all weights zero: the plain mean of the participants, (3 + 7) / 2
    both = np.array([[True], [True]])
    assert weighted_mean(pos, np.zeros_like(pos), both)[0, 0] == 5.0
