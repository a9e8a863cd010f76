"""The contract every registered model honours (as scikit-learn's check_estimator does).

A new model is one module plus its registration; this suite then runs over it unchanged:
shapes, outcome inside the participants' range, actor-order invariance, affine rescaling
of positions, masked actors ignored, and S draws equal S single runs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from accord import models
from accord.arrays import ScenarioArrays, sample
from accord.scenario import Scenario, validate_data

# (seed, variant): plain; with a status quo on every issue; with partial participation
SEEDS = [(11, "plain"), (22, "plain"), (33, "status_quo"), (44, "partial"), (55, "partial")]


def random_scenario(seed: int, variant: str = "plain", n: int = 5, d: int = 2) -> Scenario:
    rng = np.random.default_rng(seed)
    issues: list[dict] = [{"id": f"i{p}"} for p in range(d)]
    if variant == "status_quo":
        for issue in issues:
            issue["status_quo"] = {"value": float(rng.uniform(0, 100)), "low": 0.0,
                                   "high": 100.0}
    actors = []
    for k in range(n):
        actors.append({
            "id": f"a{k}",
            "capability": {"value": float(rng.uniform(10, 100)), "low": 5.0, "high": 100.0},
            "position": {f"i{p}": {"value": float(rng.uniform(1, 99)), "low": 0.0,
                                   "high": 100.0} for p in range(d)},
            "salience": {f"i{p}": float(rng.uniform(20, 90)) for p in range(d)},
        })
    if variant == "partial":  # two actors sit out one issue each
        for k, p in ((1, d - 1), (3, 0)):
            del actors[k]["position"][f"i{p}"], actors[k]["salience"][f"i{p}"]
    return validate_data({"issues": issues, "actors": actors})


def run(name: str, arrays: ScenarioArrays):
    return models.get(name).run(arrays, rng=np.random.default_rng(0))


def scale_tolerance(arrays: ScenarioArrays) -> np.ndarray:
    return 1e-7 * (arrays.upper - arrays.lower)


@pytest.fixture(params=models.names())
def name(request: pytest.FixtureRequest) -> str:
    return request.param


def test_satisfies_the_protocol(name: str) -> None:
    model = models.get(name)
    assert isinstance(model, models.Model)
    assert model.name == name


@pytest.mark.parametrize("seed", SEEDS)
def test_shapes_and_range(name: str, seed: tuple[int, str]) -> None:
    arrays = sample(random_scenario(*seed), 1)
    fc = run(name, arrays)
    S, n, d = arrays.position.shape
    assert fc.outcome.shape == (S, d)
    assert fc.issue_ids == arrays.issue_ids and fc.actor_ids == arrays.actor_ids
    if fc.trajectory is not None:
        assert fc.trajectory.shape[0] == S and fc.trajectory.shape[2:] == (n, d)
        np.testing.assert_allclose(fc.trajectory[:, 0], arrays.position)
        if fc.round_outcome is not None:
            assert fc.round_outcome.shape == (S, fc.trajectory.shape[1], d)
    # inside the participants' positions (and the status quo, which may stand)
    sq = np.nan_to_num(arrays.status_quo, nan=np.inf)
    lo = np.minimum(np.where(arrays.mask, arrays.position, np.inf).min(axis=1), sq)
    sq = np.nan_to_num(arrays.status_quo, nan=-np.inf)
    hi = np.maximum(np.where(arrays.mask, arrays.position, -np.inf).max(axis=1), sq)
    tol = scale_tolerance(arrays)
    assert np.all(fc.outcome >= lo - tol) and np.all(fc.outcome <= hi + tol)
    assert np.all(np.isfinite(fc.outcome))


@pytest.mark.parametrize("seed", SEEDS)
def test_actor_order_does_not_matter(name: str, seed: tuple[int, str]) -> None:
    arrays = sample(random_scenario(*seed), 1)
    perm = np.random.default_rng(seed[0]).permutation(arrays.n_actors)
    a = run(name, arrays).outcome
    b = run(name, arrays.take_actors(perm)).outcome
    np.testing.assert_allclose(b, a, atol=1e-6 * 100)


@pytest.mark.parametrize("seed", SEEDS)
def test_affine_rescaling_of_positions(name: str, seed: tuple[int, str]) -> None:
    arrays = sample(random_scenario(*seed), 1)
    a, b = 0.07, 4.0  # 0..100 -> 4..11
    moved = replace(arrays, position=a * arrays.position + b, lower=a * arrays.lower + b,
                    upper=a * arrays.upper + b, status_quo=a * arrays.status_quo + b)
    expected = a * run(name, arrays).outcome + b
    np.testing.assert_allclose(run(name, moved).outcome, expected, atol=1e-6 * a * 100)


@pytest.mark.parametrize("seed", SEEDS)
def test_masked_actor_is_ignored(name: str, seed: tuple[int, str]) -> None:
    arrays = sample(random_scenario(*seed), 1)
    ghost = arrays.take_actors([*range(arrays.n_actors), 0])
    last = ghost.n_actors - 1
    ghost_mask = ghost.mask.copy()
    ghost_mask[last] = False
    pos = ghost.position.copy()
    pos[:, last] = ghost.upper  # a position that would pull hard if it counted
    sal = ghost.salience.copy()
    sal[:, last] = 0.0
    cap = ghost.capability.copy()
    cap[:, last] = 0.0
    ghost = replace(ghost, actor_ids=(*arrays.actor_ids, "ghost"), mask=ghost_mask,
                    position=pos, salience=sal, capability=cap)
    np.testing.assert_allclose(run(name, ghost).outcome, run(name, arrays).outcome,
                               atol=1e-9 * 100)


@pytest.mark.parametrize("variant", ["plain", "status_quo", "partial"])
def test_s_draws_equal_s_single_runs(name: str, variant: str) -> None:
    arrays = sample(random_scenario(5, variant), 4, seed=9)
    together = run(name, arrays).outcome
    for k in range(arrays.draws):
        alone = run(name, arrays.take_draws(k)).outcome
        np.testing.assert_allclose(together[k], alone[0], atol=1e-9 * 100)
