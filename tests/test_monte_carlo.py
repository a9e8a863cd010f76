"""Monte Carlo memory (issue 12): draws keep summaries, the full trajectory only where asked;
draws that reach a step cap are counted, not hidden."""

from __future__ import annotations

import numpy as np
import pytest

from accord import analysis, models
from accord.arrays import ScenarioArrays, sample
from accord.examples import example


def noisy(draws: int) -> ScenarioArrays:
    return sample(example("ukraine-2025"), draws, np.random.default_rng(3))


@pytest.mark.parametrize("spec", ["bdm:scholz", "smp", "exchange"])
def test_summaries_keep_draw_zero_and_every_outcome(spec: str) -> None:
    """``trajectories=False`` keeps the trajectory of draw 0 only (as the full run has it) and
    the outcome per round of every draw, identical to the full run's."""
    arrays = noisy(6)
    model = models.get(spec)
    assert model.trajectory_option
    full = model.run(arrays, rng=np.random.default_rng(1))
    lean = model.run(arrays, rng=np.random.default_rng(1), trajectories=False)
    assert full.trajectory.shape[0] == 6 and lean.trajectory.shape[0] == 1
    np.testing.assert_array_equal(lean.trajectory[0], full.trajectory[0])
    np.testing.assert_array_equal(lean.round_outcome, full.round_outcome)
    np.testing.assert_array_equal(lean.outcome, full.outcome)
    assert lean.rounds == full.rounds
    assert lean.details == full.details


def test_models_without_rounds_ignore_the_request() -> None:
    arrays = noisy(4)
    for spec in ("compromise", "median", "nash"):
        model = models.get(spec)
        assert not model.trajectory_option
        lean = model.run_draws(arrays, rng=np.random.default_rng(0))
        np.testing.assert_array_equal(
            lean.outcome, model.run(arrays, rng=np.random.default_rng(0)).outcome)


def test_forecast_keeps_draw_trajectories_only_when_asked() -> None:
    sc = example("ukraine-2025")
    lean = analysis.forecast(sc, ["smp", "nash"], draws=5, seed=2)
    full = analysis.forecast(sc, ["smp", "nash"], draws=5, seed=2, trajectories=True)
    smp_lean, smp_full = lean.results[0], full.results[0]
    assert smp_lean.draws.trajectory.shape[0] == 1
    assert smp_full.draws.trajectory.shape[0] == 5
    np.testing.assert_array_equal(smp_lean.draws.outcome, smp_full.draws.outcome)
    np.testing.assert_array_equal(smp_lean.point.trajectory, smp_full.point.trajectory)
    doc_lean = analysis.to_json(lean)
    doc_full = analysis.to_json(full)
    assert "draw_trajectories" not in doc_lean["forecasts"][0]
    traj = doc_full["forecasts"][0]["draw_trajectories"]
    assert len(traj) == 5 and len(traj[0]) == smp_full.draws.trajectory.shape[1]


def test_smp_reports_draws_at_the_step_cap() -> None:
    """A cap of 2 steps stops every draw that has not settled by then: the note says how
    many and that their last state is used; extras['capped'] marks them."""
    arrays = noisy(8)
    fc = models.get("smp", max_steps=2).run(arrays, rng=np.random.default_rng(0),
                                            trajectories=False)
    capped = fc.extras["capped"]
    assert capped.shape == (8,)
    assert np.array_equal(capped, fc.extras["steps"] >= 2)
    assert capped.any()
    note = [n for n in fc.notes if "step cap" in n]
    assert note == [f"{int(capped.sum())} of 8 draws reached the step cap (max_steps = 2) "
                    "without settling; their last state is used"]
    settled = models.get("smp").run(arrays.take_draws(0), rng=np.random.default_rng(0))
    assert not any("step cap" in n for n in settled.notes)
