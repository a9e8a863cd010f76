"""results.linear_quantiles is np.quantile's default method, bit for bit (start-up, issue
12: np.quantile imports numpy.ma). The oracle is numpy itself."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from accord.analysis.results import QUANTILES, linear_quantiles

QS = list(QUANTILES.values())
VALUES = st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, 1.0, 50.0, -0.0]),
                   st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=300, deadline=None)
@given(a=hnp.arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 4)),
                    elements=VALUES),
       q=st.one_of(st.just(QS), st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6)))
def test_linear_quantiles_are_numpys(a: np.ndarray, q: list[float]) -> None:
    with np.errstate(invalid="ignore"):
        want = np.quantile(a, q, axis=0)
        got = linear_quantiles(a, q)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)  # NaN where numpy has NaN, else equal bits


def test_a_hand_example() -> None:
    """Four draws 0, 10, 20, 40: q10 at index 0.3 -> 3.0; q50 at 1.5 -> 15.0; q95 at 2.85 ->
    20 + 0.85 * 20 = 37.0."""
    got = linear_quantiles(np.array([[20.0], [0.0], [40.0], [10.0]]), [0.1, 0.5, 0.95])
    np.testing.assert_allclose(got[:, 0], [3.0, 15.0, 37.0])
