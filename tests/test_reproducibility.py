"""A model's random stream depends on the seed and the model's own name and options, never
on its place in the list of models (issue 11, "Reproducibility")."""

from __future__ import annotations

import numpy as np

from accord import examples
from accord.analysis import forecast


def test_exchange_randomised_alone_and_beside_others_agree() -> None:
    sc = examples.example("ukraine-2025")
    (alone,) = forecast(sc, ["exchange:randomised"], draws=6, seed=7).results
    among = forecast(sc, ["compromise", "bdm", "exchange:randomised", "exchange"], draws=6,
                     seed=7).results[2]
    assert among.options == alone.options and alone.options["tie_break"] == "random"
    np.testing.assert_array_equal(alone.point.outcome, among.point.outcome)
    np.testing.assert_array_equal(alone.draws.outcome, among.draws.outcome)
    # listed first or last, the same
    last = forecast(sc, ["exchange", "exchange:randomised"], draws=6, seed=7).results[1]
    np.testing.assert_array_equal(alone.draws.outcome, last.draws.outcome)
