"""Each model's declared cost against its measured CPU time (issue 11): the web budget
(``max_cost_seconds``) refuses forecasts by :func:`accord.analysis.estimated_seconds`, which
adds up the models' declared :class:`accord.models.base.Cost`; this checks that estimate is
within 2× of what a forecast really takes, so a budget of 120 s means about 120 s.

Not a timed test in the flaky sense: CPU time (``time.process_time``, which a loaded machine
does not inflate the way it does wall time), the median of a few repeats, on small workloads
(tens to hundreds of milliseconds), and the estimate scaled by this machine's speed: the CPU
time of a fixed numpy workload (:func:`accord.models.base.reference_seconds`) over what it
took where the costs were measured (``REFERENCE_SECONDS``), so a slower or faster machine
(a fresh CI runner) compares like with like. The band 0.5–2 is the issue's "within 2×"; the
declared costs are fitted at 1–1.5 on the development machine (benchmarks/bench_cost.py,
whose table in benchmarks/README.md covers 4, 20 and 50 actors with 1, 200 and 2000 draws).
"""

from __future__ import annotations

import statistics
import time

import pytest

from accord import examples
from accord import models as registry
from accord.analysis import estimated_seconds, forecast, plan_models
from accord.examples import random_scenario
from accord.models.base import REFERENCE_SECONDS, Cost, reference_seconds
from accord.scenario import Scenario

REPEAT = 3  # the median of three


def normalised_cpu_seconds(sc: Scenario, name: str, draws: int) -> tuple[float, float]:
    """The median over a few repeats of the forecast's CPU seconds, each scaled by the
    reference workload timed just before it (so a machine, or a moment, k times slower
    counts as the development machine); and the median speed factor k."""
    plan = plan_models([name], {})
    forecast(sc, plan, draws=min(draws, 2), seed=1)  # imports and caches, not counted
    scaled, speeds = [], []
    for _ in range(REPEAT):
        speed = reference_seconds(repeat=3) / REFERENCE_SECONDS
        c0 = time.process_time()
        forecast(sc, plan, draws=draws, seed=1)
        scaled.append((time.process_time() - c0) / speed)
        speeds.append(speed)
    return statistics.median(scaled), statistics.median(speeds)


def cheap(name: str) -> bool:
    """Models whose work grows at most linearly in the actors (a forecast in milliseconds)."""
    cost = type(registry.get(name)).cost
    return cost is not None and cost.actor_power <= 1


# workloads of about 10 to 300 ms of CPU each: more draws for the cheap models
CASES = [(name, "ukraine-2025", 2000 if cheap(name) else 100) for name in registry.names()] + [
    (name, "random 10×3", 2000 if cheap(name) else 100) for name in registry.names()
    if name != "war"]


@pytest.mark.parametrize(("name", "scenario", "draws"), CASES)
def test_declared_cost_is_within_2x_of_measured_cpu(name: str, scenario: str, draws: int
                                                    ) -> None:
    sc = (examples.example(scenario) if scenario == "ukraine-2025"
          else random_scenario(10, 3))
    estimate = estimated_seconds(sc, plan_models([name], {}), draws)
    took, speed = normalised_cpu_seconds(sc, name, draws)
    ratio = estimate / took
    assert 0.5 <= ratio <= 2.0, (
        f"{name} on {scenario} with {draws} draws: estimate {estimate:.4f} s against "
        f"{took:.4f} s measured CPU at the development machine's speed (this one: {speed:.2f}"
        f"× slower; ratio {ratio:.2f}); the model's declared Cost needs refitting: run "
        "benchmarks/bench_cost.py and see its docstring")


def test_the_estimate_adds_the_fixed_part_per_run_and_the_rest_per_draw() -> None:
    # a hand calculation of the formula in Cost's docstring
    cost = Cost(ns=10.0, actor_power=3, rounds=None, ns_lower=100.0, fixed_ms=5.0)
    # 2 runs: 2 × 5 ms; 1000 draws × 3 issues × (10 ns × 4³ + 100 ns × 4²) = 3000 × 2240 ns
    assert cost.seconds(None, 1000, 4, 3, runs=2) == pytest.approx(0.010 + 3000 * 2240e-9)
    lower = Cost(ns=1.0, ns_lower=7.0, lower_power=1)
    assert lower.seconds(None, 1, 10, 1) == pytest.approx((1000 + 70) * 1e-9)


def test_the_forecast_estimate_counts_point_and_draw_runs() -> None:
    sc = examples.example("ukraine-2025")
    plan = plan_models(["compromise"], {})
    model = plan.models[0]
    n, d = len(sc.actors), len(sc.issues)
    # draws = 1: the point run only; draws > 1: the point run and one run of all draws
    assert estimated_seconds(sc, plan, 1) == pytest.approx(model.estimated_seconds(1, n, d, 1))
    assert estimated_seconds(sc, plan, 100) == pytest.approx(
        model.estimated_seconds(101, n, d, 2))
    # each shock repeats both runs
    assert estimated_seconds(sc, plan, 100, shocks=2) == pytest.approx(
        model.estimated_seconds(303, n, d, 6))
