"""Blocks of draws played side by side in threads (models.base.parallel_map, used by the BDM
model): the numbers do not depend on the number of threads. Small blocks (the module's budget
patched) so that a small scenario has many."""

from __future__ import annotations

import numpy as np
import pytest

import accord
from accord import models
from accord.arrays import sample
from accord.models import base, bdm


def _run(name: str, threads: int, monkeypatch: pytest.MonkeyPatch) -> models.Forecast:
    monkeypatch.setenv("ACCORD_THREADS", str(threads))
    arrays = sample(accord.example("ukraine-2025"), 30, np.random.default_rng(4))
    return models.get(name).run(arrays, rng=np.random.default_rng(1))


@pytest.mark.parametrize("name", ["bdm", "bdm:scholz"])
def test_threads_give_the_same_numbers(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bdm, "_BLOCK_PAIRS", 16 * 4)  # 4 draws a block of 4 actors
    one, three = _run(name, 1, monkeypatch), _run(name, 3, monkeypatch)
    np.testing.assert_array_equal(one.outcome, three.outcome)
    np.testing.assert_array_equal(one.round_outcome, three.round_outcome)
    np.testing.assert_array_equal(one.trajectory, three.trajectory)
    assert one.notes == three.notes and one.details == three.details


def test_block_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_THREADS", "1")
    assert base.block_threads() == 1
    monkeypatch.setenv("ACCORD_THREADS", "nonsense")  # ignored: one per core
    assert base.block_threads() >= 1
    monkeypatch.setenv("ACCORD_THREADS", "3")
    seen: list[int] = []
    assert list(base.parallel_map(lambda k: seen.append(k) or k * k, range(7))) == [
        0, 1, 4, 9, 16, 25, 36]
    assert sorted(seen) == list(range(7))
