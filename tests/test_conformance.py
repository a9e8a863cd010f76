"""The contract every registered model honours (as scikit-learn's check_estimator does).

A new model is one module plus its registration; this suite then runs over it unchanged:
shapes, outcome inside the participants' range, actor-order invariance, affine rescaling
of every number on the scale, masked actors ignored, and S draws equal S single runs; every
preset runs,
the same seed gives the same result, the inputs are not modified, ``details`` are JSON; the
options are checked by the one check of models/base.py (a wrong value of every declared
option is a ModelSpecError) and every model declares its cost.

Every random scenario has a ``conflict:`` section on its first issue (the other models ignore
it), so the war model runs through the same checks. Two do not apply to it as written, being
a one-issue model of fighting rather than of bargaining among positions: it forecasts only
the conflict's issue (NaN elsewhere), and its outcome may be an end of the scale (an outright
victory) or the front at the horizon, outside the participants' positions; for it,
"shapes and range" checks the conflict's issue inside the scale instead (:data:`ONE_ISSUE`).
The affine rescaling check moves the conflict's numbers with the scale, as an analyst
changing units would.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, replace

import numpy as np
import pytest

from accord import models
from accord.arrays import ScenarioArrays, sample
from accord.errors import ModelSpecError
from accord.models.base import Cost, ModelOptions
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

    def ranged(value: float, spread: float, floor: float = -np.inf) -> dict[str, float]:
        return {"value": value, "low": max(floor, value - spread), "high": value + spread}

    conflict = {  # for the war model (shared/DESIGN.md, "Bargaining under fire")
        "issue": "i0", "sides": {"a": ["a0", "a1"], "b": ["a2"]}, "mediators": [f"a{n - 1}"],
        "start": "2025-01-01", "horizon": 6,
        "front": ranged(float(rng.uniform(30, 70)), 10.0),
        "truth": {"drift": ranged(float(rng.normal(0, 1)), 1.0),
                  "volatility": ranged(3.0, 1.0)},
        "beliefs": {"a": {"drift": ranged(float(rng.uniform(1, 4)), 1.0),
                          "sd": ranged(1.0, 0.5)},
                    "b": {"drift": ranged(float(rng.uniform(-4, -1)), 1.0),
                          "sd": ranged(1.0, 0.5)}},
        "costs": {"a": ranged(1.0, 0.5, 0.0), "b": ranged(1.0, 0.5, 0.0)},
    }
    return validate_data({"issues": issues, "actors": actors, "conflict": conflict})


ONE_ISSUE = {"war"}  # forecasts the conflict's issue only; see the module docstring


def in_scale_on_its_issue(fc, arrays: ScenarioArrays) -> None:
    """The one-issue models' version of the range check: finite and inside the scale on the
    conflict's issue, NaN on every other."""
    k = arrays.conflict.issue
    tol = scale_tolerance(arrays)[k]
    assert np.all(np.isfinite(fc.outcome[:, k]))
    assert np.all(fc.outcome[:, k] >= arrays.lower[k] - tol)
    assert np.all(fc.outcome[:, k] <= arrays.upper[k] + tol)
    assert np.all(np.isnan(np.delete(fc.outcome, k, axis=1)))


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
    if name in ONE_ISSUE:
        in_scale_on_its_issue(fc, arrays)
        return
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
    c = arrays.conflict  # its numbers are in points of the scale too
    conflict = replace(c, front=a * c.front + b, **{k: a * getattr(c, k) for k in (
        "drift", "volatility", "belief_a", "sd_a", "belief_b", "sd_b", "cost_a", "cost_b")})
    moved = replace(arrays, position=a * arrays.position + b, lower=a * arrays.lower + b,
                    upper=a * arrays.upper + b, status_quo=a * arrays.status_quo + b,
                    conflict=conflict)
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


# --------------------------------------------------------------------------- presets, seeds


def model_specs() -> list[str]:
    """Every model and every preset of every model (``bdm``, ``bdm:scholz``, ...)."""
    return [spec for n in models.names()
            for spec in [n, *(f"{n}:{p}" for p in models.model_class(n).presets)]]


@pytest.fixture(params=model_specs())
def spec(request: pytest.FixtureRequest) -> str:
    return request.param


def run_spec(spec: str, arrays: ScenarioArrays, seed: int = 0):
    return models.get(spec).run(arrays, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("variant", ["plain", "status_quo", "partial"])
def test_every_preset_runs_and_stays_in_range(spec: str, variant: str) -> None:
    arrays = sample(random_scenario(7, variant), 3, seed=4)
    fc = run_spec(spec, arrays)
    assert fc.outcome.shape == (3, arrays.n_issues)
    if spec.partition(":")[0] in ONE_ISSUE:
        in_scale_on_its_issue(fc, arrays)
        return
    assert np.all(np.isfinite(fc.outcome))
    assert np.all(fc.outcome >= arrays.lower - 1e-7 * 100)
    assert np.all(fc.outcome <= arrays.upper + 1e-7 * 100)


def test_same_seed_same_result(spec: str) -> None:
    arrays = sample(random_scenario(8, "partial"), 3, seed=5)
    a, b = run_spec(spec, arrays, seed=12), run_spec(spec, arrays, seed=12)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    if a.trajectory is not None:
        np.testing.assert_array_equal(a.trajectory, b.trajectory)
    assert json.dumps(a.details, default=str) == json.dumps(b.details, default=str)


def test_inputs_are_not_modified(spec: str) -> None:
    arrays = sample(random_scenario(9, "status_quo"), 3, seed=6)
    before = {f.name: np.copy(getattr(arrays, f.name)) for f in fields(arrays)
              if isinstance(getattr(arrays, f.name), np.ndarray)}
    run_spec(spec, arrays)
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(arrays, key), value, err_msg=key)


def test_details_and_options_are_json(spec: str) -> None:
    arrays = sample(random_scenario(10, "partial"), 2, seed=7)
    fc = run_spec(spec, arrays)
    json.dumps(fc.details, allow_nan=False)  # plain data: lists, dicts, str, finite numbers
    json.dumps(fc.options, allow_nan=False)
    assert fc.options == models.get(spec).options_dict()


# --------------------------------------------------------------------------- options, cost


def bad_values(hint: object) -> list[object]:
    """Values a declared option type must refuse, read from the type alone."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return ["Nonsense", None]
    if origin in (typing.Union, types.UnionType):
        # a value every member refuses: a string no Literal lists
        return ["Nonsense"]
    if origin is typing.Annotated:
        base, *meta = typing.get_args(hint)
        out = [*bad_values(base)]
        for m in meta:
            if getattr(m, "ge", None) is not None:
                out.append(base(m.ge) - 1)
            if getattr(m, "le", None) is not None:
                out.append(base(m.le) + 1)
        return out
    if hint is bool:
        return ["yes", 1]
    if hint is int:
        return ["3", 2.5, True]
    if hint is float:
        return ["0.5", True]
    return []


def option_cases() -> list[tuple[str, str, object]]:
    out = []
    for n in models.names():
        opts = models.model_class(n).Options
        hints = typing.get_type_hints(opts, include_extras=True)
        for f in fields(opts):
            out += [(n, f.name, bad) for bad in bad_values(hints[f.name])]
    return out


def test_every_model_uses_the_one_options_check(name: str) -> None:
    cls = models.model_class(name)
    assert issubclass(cls.Options, ModelOptions)
    assert cls.Options.__post_init__ is ModelOptions.__post_init__  # no hand-written copy
    cls.Options()  # the defaults pass their own check


@pytest.mark.parametrize(("name", "option", "bad"), option_cases(),
                         ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_a_wrong_option_value_is_a_model_spec_error(name: str, option: str, bad: object
                                                    ) -> None:
    cls = models.model_class(name)
    with pytest.raises(ModelSpecError, match=option):
        cls.Options(**{option: bad})


def test_smp_voting_rule_nonsense_names_the_choices() -> None:
    from accord.models.smp import SMPOptions

    with pytest.raises(ModelSpecError) as err:
        SMPOptions(voting_rule="Nonsense")
    text = str(err.value)
    assert "voting_rule='Nonsense'" in text
    for rule in ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"):
        assert rule in text


def test_bdm_and_exchange_ranges_from_the_declaration() -> None:
    from accord.models.bdm import BdmOptions
    from accord.models.exchange import ExchangeOptions

    with pytest.raises(ModelSpecError, match=r"Q=1\.5.*\[0, 1\]"):
        BdmOptions(Q=1.5)
    with pytest.raises(ModelSpecError, match=r"T='sometimes'.*rule"):
        BdmOptions(T="sometimes")
    assert BdmOptions(T="rule").T == "rule" and BdmOptions(Q=0).Q == 0
    with pytest.raises(ModelSpecError, match=r"rounds=-1.*>= 0"):
        ExchangeOptions(rounds=-1)
    with pytest.raises(ModelSpecError, match=r"p=2"):
        ExchangeOptions(p=2)


def test_every_model_declares_its_cost(name: str) -> None:
    model = models.get(name)
    cost = type(model).cost
    assert isinstance(cost, Cost) and cost.ns > 0
    if cost.rounds is not None:
        assert cost.rounds in model.options_dict()
    one = model.estimated_seconds(1, 10, 2)
    assert one > 0
    # a fixed part per run, the rest linear in draws and issues and of the declared power
    # in actors (for many actors)
    per_draw = model.estimated_seconds(1001, 10, 2) - model.estimated_seconds(1, 10, 2)
    assert per_draw > 0
    assert model.estimated_seconds(2001, 10, 2) - one == pytest.approx(2 * per_draw)
    assert (model.estimated_seconds(1001, 10, 6, runs=0)
            == pytest.approx(3 * model.estimated_seconds(1001, 10, 2, runs=0)))
    big = model.estimated_seconds(10**6, 2000, 2, runs=0)
    assert big / model.estimated_seconds(10**6, 1000, 2, runs=0) == pytest.approx(
        2 ** cost.actor_power, rel=0.05)


def test_cost_grows_with_the_declared_rounds_option() -> None:
    bdm = models.get("bdm")
    assert models.get("bdm", rounds=40).estimated_seconds(1, 10, 2, runs=0) == pytest.approx(
        4 * bdm.estimated_seconds(1, 10, 2, runs=0))
    # by hand from bdm's declared Cost: 24 ms and 120 ns × 10² × issue × round per run; per
    # draw × issue × round 170 ns × 10² + 1400 ns × 10, for 2 issues at the default 10 rounds
    assert bdm.estimated_seconds(1, 10, 2) == pytest.approx(
        0.024 + 120e-9 * 100 * 2 * 10 + (170e-9 * 100 + 1400e-9 * 10) * 2 * 10)
