"""The exchange model's compiled rounds (accord.models.exchange_compiled) against the numpy
engine of accord.models.exchange, which tests/test_exchange.py checks against decide's
reference outcomes, its unit test and hand calculations: the same exchanges in the same order
in every draw, the same per-round outcomes (to 1e-9), and the golden tests of
tests/test_exchange.py passed by the compiled runs. No expected number here comes from the
compiled code's own output."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
import test_exchange as golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_exchange import FILES, arrays_of, ktab_like, random_arrays

from accord import models
from accord.arrays import ScenarioArrays, sample
from accord.io import load_any
from accord.models import exchange
from accord.models import exchange_compiled as compiled
from accord.models.base import Forecast


def run_with(kernels: str, arrays: ScenarioArrays, monkeypatch: pytest.MonkeyPatch,
             **options: Any) -> Forecast:
    monkeypatch.setenv("ACCORD_EXCHANGE_KERNELS", kernels)
    return models.get("exchange", **options).run(arrays, rng=np.random.default_rng(0))


def exchanges_of(fc: Forecast) -> list[tuple[int, str, str, str, str]]:
    return [(e["round"], e["i"], e["j"], e["i_demands"], e["i_supplies"])
            for e in exchange.executed_trades(fc)]


def assert_same_run(a: Forecast, b: Forecast) -> None:
    """Same exchanges (counts per draw and round; draw 0's list in order), candidates, and
    votes, preferences and outcomes per round within 1e-9."""
    np.testing.assert_array_equal(a.extras["exchanges"], b.extras["exchanges"])
    np.testing.assert_array_equal(a.extras["candidates"], b.extras["candidates"])
    assert exchanges_of(a) == exchanges_of(b)
    for x, y in ((a.trajectory, b.trajectory), (a.round_outcome, b.round_outcome),
                 (a.extras["preference"], b.extras["preference"])):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-9, equal_nan=True)
    for da, db in zip(a.details, b.details, strict=True):
        for ea, eb in zip(da["exchanges"], db["exchanges"], strict=True):
            for key, value in ea.items():
                if isinstance(value, float):
                    assert eb[key] == pytest.approx(value, abs=1e-9), key
                else:
                    assert eb[key] == value, key


@st.composite
def draws_of(draw: st.DrawFn) -> ScenarioArrays:
    """A random scenario (tests/test_exchange.py's, coarse grids make exact ties) as 1–4
    Monte Carlo draws: saliences and capabilities perturbed per draw, or repeated exactly."""
    arrays = draw(random_arrays())
    S = draw(st.integers(1, 4))
    noise = draw(st.sampled_from([0.0, 0.2]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def spread(a: np.ndarray) -> np.ndarray:
        a = np.repeat(a[:1], S, axis=0)
        return a * (1 + noise * rng.uniform(-1, 1, a.shape))

    return replace(arrays, position=np.repeat(arrays.position[:1], S, axis=0),
                   salience=spread(arrays.salience), capability=spread(arrays.capability),
                   status_quo=np.repeat(arrays.status_quo[:1], S, axis=0))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(arrays=draws_of(), rounds=st.integers(1, 4),
       stop=st.sampled_from(["fixed", "no_exchanges"]), update=st.sampled_from(["on", "off"]))
def test_compiled_rounds_equal_numpy_on_random_scenarios(
        arrays: ScenarioArrays, rounds: int, stop: str, update: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"rounds": rounds, "stop": stop, "preference_update": update}
    assert_same_run(run_with("numpy", arrays, monkeypatch, **options),
                    run_with("compiled", arrays, monkeypatch, **options))


@pytest.mark.parametrize(("arrays", "options"), [
    *[(sample(load_any(golden.DATA / FILES[name]), 6, np.random.default_rng(1)), {})
      for name in FILES],
    (arrays_of("cop21"), {"rounds": 25, "stop": "no_exchanges"}),
    (ktab_like(40, 3, 1, draws=3), {"rounds": 3}),  # candidates re-evaluated selectively
    (ktab_like(12, 6, 2, draws=5), {"rounds": 4}),
])
def test_compiled_rounds_equal_numpy_on_reference_and_larger_scenarios(
        arrays: ScenarioArrays, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    assert_same_run(run_with("numpy", arrays, monkeypatch, **options),
                    run_with("compiled", arrays, monkeypatch, **options))


@pytest.fixture(scope="module")
def compiled_forecasts() -> dict[str, tuple[ScenarioArrays, Forecast]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ACCORD_EXCHANGE_KERNELS", "compiled")
        out = {}
        for name in FILES:
            arrays = arrays_of(name)
            fc = golden.run(arrays)
            out[name] = (arrays, fc)
        return out


GOLDENS = [golden.test_first_phase_goldens, golden.test_initial_compromises_of_all_26_issues,
           golden.test_round_ten_is_plausible_against_decide,
           golden.test_first_exchange_has_the_highest_initial_gain,
           golden.test_preference_update_between_rounds,
           golden.test_rounds_output_shapes_and_outcome]


@pytest.mark.parametrize("check", GOLDENS, ids=lambda f: f.__name__)
def test_compiled_runs_pass_the_golden_tests(check: Any, compiled_forecasts: Any) -> None:
    """tests/test_exchange.py's checks against decide's reference, on compiled runs."""
    check(compiled_forecasts)


@pytest.mark.parametrize("check", [golden.test_round_one_against_decide,
                                   golden.test_every_executed_exchange_has_equal_gains_and_no_overshoot],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", list(FILES))
def test_compiled_runs_pass_the_golden_tests_per_data_set(check: Any, name: str,
                                                          compiled_forecasts: Any) -> None:
    check(name, compiled_forecasts)


@pytest.mark.parametrize("n", [1, 7, 8, 9, 17, 128, 129, 200, 257, 1000])
def test_outcome_sums_follow_numpys_pairwise_order(n: int) -> None:
    """An exchange's outcome is re-summed as numpy sums a row (pairwise, blocks of 128), so
    both engines agree bit for bit."""
    v = np.random.default_rng(n).uniform(0, 100, n) * 10.0 ** np.random.default_rng(n).integers(
        -8, 8, n)
    stack, sums = np.empty((64, 3), dtype=np.int64), np.empty(64)
    assert compiled._pairwise(v, n, stack, sums) == np.add.reduce(v[None, :], axis=1)[0]


def test_bounds_are_the_numpy_engines() -> None:
    for name in ("_TIE", "_MIN_GAIN", "_MIN_MOVE", "_SNAP", "_AT"):
        assert getattr(compiled, name) == getattr(exchange, name), name


def test_options_it_does_not_cover_stay_in_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_EXCHANGE_KERNELS", "compiled")
    o = exchange.ExchangeOptions
    assert exchange.compiled_chosen(o(), 1)
    assert exchange.compiled_chosen(o(rounds=3, stop="no_exchanges", preference_update="off"),
                                    1)
    for other in (o(tie_break="random"), o(p=0.3), o(compat="decide")):
        assert not exchange.compiled_chosen(other, 10**12)
    monkeypatch.setenv("ACCORD_EXCHANGE_KERNELS", "numpy")
    assert not exchange.compiled_chosen(o(), 10**12)


def test_threads_do_not_change_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    arrays = sample(load_any(golden.DATA / FILES["copenhagen"]), 9, np.random.default_rng(2))
    monkeypatch.setenv("ACCORD_THREADS", "1")
    one = run_with("compiled", arrays, monkeypatch, rounds=3)
    monkeypatch.setenv("ACCORD_THREADS", "2")
    monkeypatch.setattr(compiled, "_CHUNK_CELLS", 1)  # one draw a chunk
    apart = run_with("compiled", arrays, monkeypatch, rounds=3)
    np.testing.assert_array_equal(one.trajectory, apart.trajectory)
    np.testing.assert_array_equal(one.round_outcome, apart.round_outcome)


def test_small_runs_load_no_numba_and_prepare_loads_it() -> None:
    """A forecast of a few draws stays in numpy (no numba import); a backtest's many runs
    (prepare) or one large run load the compiled rounds."""
    code = ("import sys\nfrom accord import models\nfrom accord.models import exchange as e\n"
            "m = models.get('exchange')\nprint(e.compiled_chosen(m.options,"
            " e.numpy_work(10, 15)), e.compiled_chosen(m.options, e.numpy_work(1000, 15)))\n"
            "m.prepare([(10, 15)])\nprint('accord.models.exchange_compiled' in sys.modules)\n"
            "m.prepare([(100, 20)] * 94)\n"
            "print('accord.models.exchange_compiled' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "ACCORD_EXCHANGE_KERNELS": ""})
    assert out.stdout.split() == ["False", "True", "False", "True"]


def test_declared_cost_follows_the_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """The estimate (web app budget) counts compiled rounds at their own, lower rate, and
    options the compiled rounds do not cover at the numpy rate."""
    cost = exchange.ExchangeModel.cost
    o = exchange.ExchangeOptions()
    monkeypatch.setenv("ACCORD_EXCHANGE_KERNELS", "numpy")
    numpy_seconds = cost.seconds(o, 200, 20, 3)
    monkeypatch.setenv("ACCORD_EXCHANGE_KERNELS", "compiled")
    # per draw × issue × round: 28 × 20³ + 300 × 20² = 344 000 ns numpy, plus 7 ms and
    # 5 µs × 20² × 3 × 10 a run; compiled 4 × 20³ + 80 × 20² = 64 000 ns, plus 3 ms and
    # 300 ns × 20² × 3 × 10; 200 × 3 × 10 draw-issue-rounds
    assert numpy_seconds == pytest.approx(0.007 + 0.06 + 6000 * 344_000e-9)
    assert cost.seconds(o, 200, 20, 3) == pytest.approx(0.003 + 0.0036 + 6000 * 64_000e-9)
    assert cost.seconds(exchange.ExchangeOptions(tie_break="random"), 200, 20, 3) == (
        pytest.approx(numpy_seconds))
