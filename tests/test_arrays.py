"""ScenarioArrays and Monte Carlo sampling."""

from __future__ import annotations

import numpy as np
import pytest

from accord.arrays import sample, to_arrays
from accord.scenario import validate_data


def scenario(dist: str = "triangular"):
    return validate_data({
        "issues": [{"id": "x", "status_quo": {"value": 50, "low": 40, "high": 60}},
                   {"id": "y", "scale": [4, 10]}],
        "actors": [
            {"id": "A", "capability": {"value": 60, "low": 40, "high": 70},
             "position": {"x": {"value": 20, "low": 10, "high": 50, "dist": dist}, "y": 5},
             "salience": {"x": 80, "y": 50}},
            {"id": "B", "capability": {"x": 10, "y": 30},
             "position": {"x": 90}, "salience": {"x": 40}},
        ],
    })


def test_central_values_shapes_and_mask() -> None:
    arr = to_arrays(scenario())
    assert arr.position.shape == arr.salience.shape == arr.capability.shape == (1, 2, 2)
    assert arr.mask.tolist() == [[True, True], [True, False]]
    assert arr.position[0, 0].tolist() == [20, 5]
    assert arr.salience[0, :, 0].tolist() == [0.8, 0.4]  # /100
    assert arr.capability[0].tolist() == [[60, 60], [10, 0]]  # masked cell carries no weight
    assert arr.salience[0, 1, 1] == 0
    assert arr.lower.tolist() == [0, 4] and arr.upper.tolist() == [100, 10]
    assert arr.status_quo[0, 0] == 50 and np.isnan(arr.status_quo[0, 1])


def test_same_seed_same_draws_and_ranges_respected() -> None:
    a = sample(scenario(), 5000, seed=7)
    b = sample(scenario(), 5000, seed=7)
    np.testing.assert_array_equal(a.position, b.position)
    x = a.position[:, 0, 0]
    assert x.min() >= 10 and x.max() <= 50
    assert not np.array_equal(x, sample(scenario(), 5000, seed=8).position[:, 0, 0])
    # unranged values stay fixed
    assert np.all(a.position[:, 1, 0] == 90)
    # one capability draw per actor, shared over its issues
    np.testing.assert_array_equal(a.capability[:, 0, 0], a.capability[:, 0, 1])


def test_triangular_moments() -> None:
    # triangular(10, 20, 50): mean (10+20+50)/3 = 26.667; median 50 - sqrt(0.5*40*30) = 25.505
    x = sample(scenario("triangular"), 200_000, seed=1).position[:, 0, 0]
    assert x.mean() == pytest.approx(80 / 3, abs=0.1)
    assert np.median(x) == pytest.approx(50 - np.sqrt(600), abs=0.15)


def test_uniform_moments() -> None:
    x = sample(scenario("uniform"), 200_000, seed=1).position[:, 0, 0]
    assert x.mean() == pytest.approx(30, abs=0.1)  # (10+50)/2
    assert x.var() == pytest.approx(40**2 / 12, rel=0.02)


def test_normal_truncated_to_range() -> None:
    x = sample(scenario("normal"), 100_000, seed=1).position[:, 0, 0]
    assert x.min() >= 10 and x.max() <= 50
    # sd = (50-20)/2 = 15 before truncation at -2/3 sd and +2 sd: the mode is 20
    hist, edges = np.histogram(x, bins=40, range=(10, 50))
    assert 18 <= edges[np.argmax(hist)] <= 22


def test_take_draws_and_actors() -> None:
    a = sample(scenario(), 10, seed=3)
    one = a.take_draws(4)
    assert one.draws == 1
    np.testing.assert_array_equal(one.position[0], a.position[4])
    b = a.take_actors([1, 0])
    assert b.actor_ids == ("B", "A")
    np.testing.assert_array_equal(b.position[:, 0], a.position[:, 1])


def test_draws_must_be_positive() -> None:
    with pytest.raises(ValueError):
        sample(scenario(), 0)
