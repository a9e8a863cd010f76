"""SMP's compiled kernels and whole draws (accord.models.smp_compiled): each against its numpy
twin in accord.models.smp, and whole Monte Carlo runs against KTAB's own trajectories
(tests/data/ktab/README.md).

Expected numbers come from KTAB's reference files or from the numpy kernels, which
tests/test_smp.py checks against KTAB's logs and hand calculations; none from this module's
own output.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_smp import DATA, SCENARIOS, load, reference_trajectory

from accord import models
from accord.arrays import ScenarioArrays, sample, to_arrays
from accord.models import smp
from accord.models import smp_compiled as compiled
from accord.scenario import validate_data

COMMITS = ["SemiCommit", "FullCommit", "NoCommit"]


def random_state(seed: int, draws: int, n: int, d: int):
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 1, (draws, n, d))
    sal = rng.uniform(0, 1 / d, (draws, n, d))
    cap = rng.uniform(10, 200, (draws, n))
    return pos, sal, cap


def repeated(arrays: ScenarioArrays, draws: int) -> ScenarioArrays:
    """The scenario as ``draws`` identical Monte Carlo draws."""
    def rep(a: np.ndarray) -> np.ndarray:
        return np.repeat(a[:1], draws, axis=0)

    return dataclasses.replace(arrays, position=rep(arrays.position),
                               salience=rep(arrays.salience),
                               capability=rep(arrays.capability),
                               status_quo=rep(arrays.status_quo))


@pytest.fixture
def kernels_are(monkeypatch: pytest.MonkeyPatch):
    def use(which: str) -> None:
        monkeypatch.setenv("ACCORD_SMP_KERNELS", which)
    return use


# --------------------------------------------------------------------------- kernels


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 9), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_distances_equal_numpy_bit_for_bit(n, m, d, seed) -> None:
    rng = np.random.default_rng(seed)
    ideal = rng.uniform(0, 1, (2, n, d))
    sal = rng.uniform(0, 1, (2, n, d)) * (rng.uniform(size=(2, n, 1)) > 0.2)  # some S = 0
    position = rng.uniform(0, 1, (2, m, d))
    np.testing.assert_array_equal(compiled.salience_distance(ideal, position, sal),
                                  smp.salience_distance(ideal, position, sal))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 12), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_coalitions_equal_numpy(k, m, seed) -> None:
    rng = np.random.default_rng(seed)
    weight = rng.uniform(0, 200, (3, k)) * (rng.uniform(size=(3, k)) > 0.2)
    utility = rng.uniform(-1, 1, (3, k, m))
    np.testing.assert_allclose(compiled.coalition_strengths(weight, utility),
                               smp.coalition_strengths(weight, utility, "Prop"),
                               rtol=1e-12, atol=0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 11), st.integers(1, 3), st.integers(0, 2**32 - 1),
       st.sampled_from(COMMITS), st.sampled_from(["OneThird", "Full", "NoRA"]))
def test_challenges_equal_numpy(n, draws, seed, commit, adjust) -> None:
    """Same targets (random data has no near-ties), probabilities and gains to rounding."""
    pos, sal, _ = random_state(seed, draws, n, 2)
    dist = smp.salience_distance(pos, pos, sal)
    risk = np.random.default_rng(seed + 1).uniform(-0.5, 1.0, (draws, n))
    weight = np.random.default_rng(seed + 2).uniform(0, 200, (draws, n)) * sal.sum(-1)
    perceived = smp.perceived_risk(risk, adjust)
    got = compiled.best_challenges(dist, perceived, weight, sal.sum(-1),
                                   compiled.COMMITS.index(commit))
    want = smp.best_challenges(dist, perceived, weight, sal.sum(-1), rule="Prop",
                               commit=commit)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got[2], want[2], rtol=0, atol=1e-12)


def test_other_voting_rules_fall_back_to_numpy() -> None:
    """The compiled kernels cover Prop; another rule gets the numpy kernel's numbers."""
    kernels = smp.compiled_kernels()
    assert kernels is not None
    weight = np.array([[1.0, 2.0, 3.0]])
    utility = np.array([[[0.1, 0.9], [0.5, 0.2], [0.7, 0.7]]])
    for rule in ("Binary", "Cubic"):
        np.testing.assert_array_equal(kernels.coalitions(weight, utility, rule),
                                      smp.coalition_strengths(weight, utility, rule))


# --------------------------------------------------------------------------- whole draws


def numpy_summaries(model: smp.SMPModel, arrays: ScenarioArrays, monkeypatch) -> object:
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "numpy")
    return model.run(arrays, rng=np.random.default_rng(0), trajectories=False)


OPTION_SETS = [
    {},  # KTAB's defaults
    {"third_party_commit": "FullCommit"}, {"third_party_commit": "NoCommit"},
    {"victory_prob_model": "Square"}, {"victory_prob_model": "Octic"},
    {"big_r_range": "Min"}, {"big_r_range": "Max"},
    {"big_r_adjust": "Full"}, {"big_r_adjust": "Half"}, {"big_r_adjust": "TwoThirds"},
    {"big_r_adjust": "NoRA"},
    {"inter_vec_brgn": "S1P1"}, {"inter_vec_brgn": "S2PMax"},
    {"merge_tolerance": 0.05, "stop_fraction": 0.1, "max_steps": 7},
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_whole_draws_equal_step_by_step(options, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every draw's steps, outcome and most probable position per step, compiled whole
    against the numpy model step by step, on 24 draws of a ranged KTAB scenario."""
    data = load("dummyData_3Dim").to_data()
    for actor in data["actors"]:
        cap = actor["capability"]
        actor["capability"] = {"value": cap, "low": 0.5 * cap, "high": 1.5 * cap}
    arrays = sample(validate_data(data), 24, seed=11)
    model = models.get("smp", **options)
    assert smp.whole_draws_apply(model.options)
    want = numpy_summaries(model, arrays, monkeypatch)
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "compiled")
    got = model.run(arrays, rng=np.random.default_rng(0), trajectories=False)
    np.testing.assert_array_equal(got.extras["steps"], want.extras["steps"])
    np.testing.assert_allclose(got.round_outcome, want.round_outcome, rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.extras["most_probable"], want.extras["most_probable"],
                               rtol=0, atol=1e-9)
    np.testing.assert_array_equal(got.extras["capped"], want.extras["capped"])
    # draw 0 is played step by step either way (with compiled kernels here): the same
    # bargains and choices in every step
    assert [(e.get("bargains") and [(b["initiator"], b["target"]) for b in e["bargains"]],
             e.get("chosen")) for e in got.details] == [
        (e.get("bargains") and [(b["initiator"], b["target"]) for b in e["bargains"]],
         e.get("chosen")) for e in want.details]
    assert len(set(want.extras["steps"].tolist())) > 1  # draws stop at different steps


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 12), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_whole_draws_equal_step_by_step_on_random_scenarios(n, d, seed) -> None:
    """KTAB's generator's kind of scenario (positions U(0, 1), saliences summing below 1),
    compiled whole draws against the numpy kernels in SMPModel._run_chunk."""
    pos, sal, cap = random_state(seed, 6, n, d)
    model = models.get("smp")
    want = model._run_chunk(pos, sal, cap, None, want_details=False, keep_rows=0)
    kernels = smp.compiled_kernels()
    assert kernels is not None
    got = kernels.whole_draws(pos, sal, cap, model.options)
    np.testing.assert_array_equal(got["steps"], want["steps"])
    np.testing.assert_allclose(got["outcome"], want["outcome"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["most_probable"], want["most_probable"], rtol=0, atol=1e-12)
    played = ~np.isnan(want["change"])
    np.testing.assert_array_equal(~np.isnan(got["change"]), played)
    np.testing.assert_allclose(got["change"][played], want["change"][played], rtol=1e-12)


def test_options_outside_the_whole_draws_run_step_by_step() -> None:
    for options in ({"voting_rule": "Binary"}, {"pce_model": "MarkovUniform"},
                    {"state_transitions": "Stochastic"}, {"bargn_model": "PWCompInterp"}):
        assert not smp.whole_draws_apply(models.get("smp", **options).options)


def final_outcome_from_reference(stem: str, actors: tuple[str, ...], d: int
                                 ) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's final state as accord reports it, from KTAB's files alone: the unique final
    positions (the first actors not within 1e-3 of an earlier one, on [0, 1]), each with the
    final probability KTAB printed for it, averaged; and the bound on that mean's error from
    the files' rounding: positions to 2 decimals (±0.005, weights summing to 1) and
    probabilities to 4 (±5e-5 each, times |θ_r|)."""
    import csv

    final = reference_trajectory(stem, actors, d)[-1]
    rows = {r["actor"]: float(r["prob"])
            for r in csv.DictReader((DATA / f"{stem}_final_prob.csv").open())}
    reps: list[int] = []
    for i in range(len(actors)):
        if all(np.linalg.norm((final[i] - final[r]) / 100) >= 1e-3 for r in reps):
            reps.append(i)
    mean = sum(rows[actors[r]] * final[r] for r in reps)
    bound = 0.005 + 5e-5 * sum(np.abs(final[r]) for r in reps) + 1e-9
    return mean, bound


@pytest.mark.parametrize(("stem", "n", "k", "steps"), SCENARIOS)
def test_monte_carlo_of_ktab_scenarios_matches_ktab(stem, n, k, steps, kernels_are) -> None:
    """Three identical draws of each KTAB example through the compiled whole draws: every
    draw takes KTAB's number of steps and ends at KTAB's final outcome (its unique final
    positions weighted by its printed probabilities, within the files' rounding)."""
    kernels_are("compiled")
    arrays = repeated(to_arrays(load(stem)), 3)
    fc = models.get("smp").run(arrays, rng=np.random.default_rng(0), trajectories=False)
    assert fc.extras["steps"].tolist() == [steps] * 3
    want, bound = final_outcome_from_reference(stem, fc.actor_ids, k)
    assert n == len(fc.actor_ids)
    for draw in range(3):
        assert np.all(np.abs(fc.outcome[draw] - want) <= bound), (fc.outcome[draw], want)
    np.testing.assert_array_equal(fc.outcome[1], fc.outcome[2])


def test_auto_choice_of_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "numpy")
    assert smp.choose_kernels(10**9) is smp.NUMPY_KERNELS
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "compiled")
    assert smp.choose_kernels(1).whole_draws is not None
    monkeypatch.delenv("ACCORD_SMP_KERNELS")
    assert smp.choose_kernels(smp.COMPILED_FROM).whole_draws is not None
    # the work counts few-actor draws by the declared numpy cost, not by n³ alone
    assert smp.numpy_work(28_000, 4) == 28_000 * (64 + 520)


@pytest.mark.parametrize("pieces", [1, 2])
def test_whole_draws_do_not_depend_on_pieces_or_threads(pieces, monkeypatch, kernels_are
                                                        ) -> None:
    """Pieces of 2 draws, one or two threads, give the numbers of one piece."""
    kernels_are("compiled")
    data = load("dummyData_3Dim").to_data()
    for actor in data["actors"]:
        actor["capability"] = {"value": actor["capability"], "low": 1, "high": 300}
    arrays = sample(validate_data(data), 9, seed=2)
    monkeypatch.setenv("ACCORD_THREADS", str(pieces))
    monkeypatch.setattr(smp, "_WHOLE_DRAWS", 2)
    apart = models.get("smp").run(arrays, rng=np.random.default_rng(0), trajectories=False)
    monkeypatch.setattr(smp, "_WHOLE_DRAWS", 256)
    together = models.get("smp").run(arrays, rng=np.random.default_rng(0),
                                     trajectories=False)
    np.testing.assert_array_equal(apart.outcome, together.outcome)
    np.testing.assert_array_equal(apart.extras["steps"], together.extras["steps"])


def test_option_grid_is_covered() -> None:
    """Every value of the options the whole draws take is exercised above."""
    seen = {(k, v) for o in OPTION_SETS for k, v in o.items()}
    for name, values in (("third_party_commit", ["FullCommit", "NoCommit"]),
                         ("victory_prob_model", ["Square", "Octic"]),
                         ("big_r_range", ["Min", "Max"]),
                         ("big_r_adjust", ["Full", "Half", "TwoThirds", "NoRA"]),
                         ("inter_vec_brgn", ["S1P1", "S2PMax"])):
        assert all((name, v) in seen for v in values), name
    assert list(compiled.COMMITS) == COMMITS


def test_small_runs_load_no_numba() -> None:
    """Importing numba and loading the cached code costs ~1 s: a forecast of KTAB's 7 × 3
    example with 200 draws (work 250 600) stays in numpy; one of 20 000 draws does not."""
    from test_startup import imported_after, run_command

    small = imported_after(run_command("forecast", str(DATA / "dummyData_3Dim.csv"),
                                       "--model", "smp", "--draws", "200", "--json"))
    assert "accord.models.smp" in small
    assert "numba" not in small and "accord.models.smp_compiled" not in small
    fresh = subprocess.run(
        [sys.executable, "-c", "from accord.models import smp\n"
         "print(smp.compiled_chosen(smp.numpy_work(200, 7)),"
         " smp.compiled_chosen(smp.numpy_work(20_000, 7)))"],
        capture_output=True, text=True, check=True, env={**os.environ, "ACCORD_SMP_KERNELS": ""})
    assert fresh.stdout.split() == ["False", "True"]
    # a backtest's many runs: prepare() loads the compiled code when their sum calls for it
    code = ("import sys\nfrom accord import models\nm = models.get('smp')\n"
            "m.prepare([(200, 7)])\nprint('accord.models.smp_compiled' in sys.modules)\n"
            "m.prepare([(100, 20)] * 224)\nprint('accord.models.smp_compiled' in sys.modules)")
    prepared = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True, env={**os.environ, "ACCORD_SMP_KERNELS": ""})
    assert prepared.stdout.split() == ["False", "True"]


def test_declared_cost_follows_the_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The estimate (web app budget) counts compiled whole draws at their own, lower rate,
    and a step-by-step option set at the numpy rate."""
    cost = smp.SMPModel.cost
    options = smp.SMPOptions()
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "numpy")
    numpy_seconds = cost.seconds(options, 2000, 20, 3)
    monkeypatch.setenv("ACCORD_SMP_KERNELS", "compiled")
    compiled_seconds = cost.seconds(options, 2000, 20, 3)
    # per draw × issue × step: 2.6 × 20³ + 340 × 20 = 27 600 ns numpy, plus 50 ms a run;
    # 0.3 × 20³ + 130 × 20 = 5 000 ns compiled, plus 20 ms; 2000 × 3 × 100 of them
    assert numpy_seconds == pytest.approx(0.05 + 6e5 * 27_600e-9)
    assert compiled_seconds == pytest.approx(0.02 + 6e5 * 5_000e-9)
    binary = smp.SMPOptions(voting_rule="Binary")
    assert cost.seconds(binary, 2000, 20, 3) == pytest.approx(numpy_seconds)
