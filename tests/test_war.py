"""The war model (bargaining under fire; shared/DESIGN.md): golden values worked by hand,
properties (hypothesis) and a Monte Carlo check against an exact distribution of T."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal, norm

from accord.models import war

WIDE = 1e9  # a scale so wide that nothing is ever clipped


def run(noise: np.ndarray, lower: float = -WIDE, upper: float = WIDE, **numbers: float
        ) -> war.WarPaths:
    base = dict(front=0.0, drift=0.0, volatility=1.0, belief_a=0.0, sd_a=1.0, belief_b=0.0,
                sd_b=1.0, cost_a=1.0, cost_b=1.0, power=0.5)
    base.update(numbers)
    return war.simulate(noise=noise, lower=lower, upper=upper, **base)


def periods(p: war.WarPaths) -> np.ndarray:
    """T with 'never' as +inf, for comparisons."""
    return np.where(np.isnan(p.agreement_period), np.inf, p.agreement_period)


# --------------------------------------------------------------------------- golden


def test_posterior_against_hand_calculation() -> None:
    # prior N(2, 1²) on the drift, σ = 2; changes 1, 3, −1 (sum 3, three periods):
    # precision 1/1 + 3/4 = 1.75; mean (2/1 + 3/4) / 1.75 = 2.75/1.75 = 11/7; sd 1/√1.75.
    assert war.posterior_mean(2.0, 1.0, 3.0, 3, 2.0) == pytest.approx(11 / 7, rel=1e-12)
    assert war.posterior_sd(1.0, 3, 2.0) == pytest.approx(1 / math.sqrt(1.75), rel=1e-12)
    # one observation at a time (Bayes sequentially) gives the same: after 1 (prec 1.25):
    # (2 + 1/4)/1.25 = 1.8; after 3 (prec 1.5): (1.8·1.25 + 3/4)/1.5 = 2.0;
    # after −1 (prec 1.75): (2.0·1.5 − 1/4)/1.75 = 2.75/1.75.
    # The simulation sees those changes: drift 1, σ 2, ε = 0, 1, −1 -> Δ = 1, 3, −1.
    # A's costs make the gap never close, so the draw is still fighting at t = 3.
    p = run(np.array([[0.0, 1.0, -1.0, 0.0]]), drift=1.0, volatility=2.0, belief_a=2.0,
            belief_b=-50.0, cost_a=0.0, cost_b=0.0)
    np.testing.assert_allclose(p.belief_a[0], [2.0, 1.8, 2.0, 11 / 7], rtol=1e-12)
    np.testing.assert_allclose(p.front[0], [0.0, 1.0, 4.0, 3.0, 4.0])


def test_fearon_range_width_with_common_beliefs() -> None:
    # Same beliefs (m = 0.5, τ = 1) and positive costs: a range at t = 0 of width (c_A + c_B)·H.
    # X = 40, H = 10: L = 40 + 0.5·10 − 1.5·10 = 30, U = 40 + 0.5·10 + 2·10 = 65 (35 = 3.5·10);
    # terms with β = 0.6: 30 + 0.6·35 = 51.
    p = run(np.zeros((1, 10)), lower=0.0, upper=100.0, front=40.0, belief_a=0.5,
            belief_b=0.5, cost_a=1.5, cost_b=2.0, power=0.6)
    assert p.lower[0, 0] == pytest.approx(30.0) and p.upper[0, 0] == pytest.approx(65.0)
    assert p.agreement_period[0] == 0 and p.range_now[0]
    assert p.terms[0] == pytest.approx(51.0) and p.outcome[0] == pytest.approx(51.0)


@pytest.mark.parametrize("horizon", [1, 7, 40])
@pytest.mark.parametrize("costs", [(0.2, 0.3), (1.0, 4.0)])
def test_fearon_width_any_horizon(horizon: int, costs: tuple[float, float]) -> None:
    L, U = war.bargaining_range(0.0, 1.0, 1.0, costs[0], costs[1], horizon, -WIDE, WIDE)
    width = U - L
    assert width == pytest.approx(sum(costs) * horizon)


# Hand-worked: T = max(0, ⌈(σ/τ)² (gap/C − 1)⌉), gap = m_A − m_B, C = c_A + c_B.
HAND = [  # gap, C, σ/τ, T
    (7.0, 2.0, 1.0, 3),     # 1·(3.5 − 1) = 2.5 -> 3   (gap(2) = 7/3 > 2, gap(3) = 7/4 ≤ 2)
    (7.0, 2.0, 2.0, 10),    # 4·2.5 = 10.0 exactly: gap(10) = 7/(1 + 10/4) = 2 ≤ 2 -> 10
    (1.5, 2.0, 3.0, 0),     # optimism smaller than the joint cost: a range now
    (12.9, 1.1, 3.0, 97),   # 9·(11.727… − 1) = 96.5 -> 97
    (3.3, 2.6, 0.5, 1),     # 0.25·0.269… = 0.067 -> 1
    (-4.0, 1.0, 2.0, 0),    # pessimism: a range now
]


@pytest.mark.parametrize("gap, cost, ratio, expected", HAND)
def test_closed_form_agreement_time_by_hand(gap: float, cost: float, ratio: float,
                                            expected: int) -> None:
    assert war.closed_form_agreement_time(gap, cost, ratio) == expected


GRID = [(g, c, r) for g in (0.7, 3.4, 7.1, 12.9, 24.7) for c in (1.1, 2.6, 6.0)
        for r in (0.5, 1.3, 3.0)]


@pytest.mark.parametrize("gap, cost, ratio", GRID)
def test_simulated_agreement_time_is_the_closed_form(gap: float, cost: float, ratio: float
                                                     ) -> None:
    """Equal prior sd τ = 1, σ = ratio, no clipping: every draw agrees at the closed-form T
    whatever the front does (the gap is data-free)."""
    exact = ratio**2 * (gap / cost - 1)
    assert exact <= 0 or abs(exact - round(exact)) > 1e-6  # no boundary case on the grid
    expected = max(0, math.ceil(exact))
    noise = np.random.default_rng(3).standard_normal((5, 400))
    p = run(noise, volatility=ratio, drift=0.7, belief_a=gap + 0.25, belief_b=0.25,
            cost_a=0.3 * cost, cost_b=0.7 * cost)
    assert expected < 400
    np.testing.assert_array_equal(p.agreement_period, expected)
    assert war.closed_form_agreement_time(gap, cost, ratio) == expected


def test_range_clipped_to_the_scale() -> None:
    # X = 90, R = 10, m_A = 3, c_A = 0.5: E_A − c_A R = 90 + 30 − 5 = 115 -> L = 100;
    # m_B = 2, c_B = 0.5: U = 90 + 20 + 5 = 115 -> 100. L = U = 100: a range (B concedes all).
    L, U = war.bargaining_range(90.0, 3.0, 2.0, 0.5, 0.5, 10, 0.0, 100.0)
    assert L == 100.0 and U == 100.0
    p = run(np.zeros((1, 10)), lower=0.0, upper=100.0, front=90.0, belief_a=3.0,
            belief_b=2.0, cost_a=0.5, cost_b=0.5, power=0.2)
    assert p.agreement_period[0] == 0 and p.terms[0] == 100.0


def test_outright_victory_is_absorbing() -> None:
    # Front 95 on [0, 100], drift 10 with no noise: A reaches 100 in period 1 and wins;
    # beliefs far apart (m_A − m_B = 40 ≫ c_A + c_B = 2, τ tiny) so no range ever opens.
    p = run(np.zeros((2, 6)), lower=0.0, upper=100.0, front=np.array([95.0, 5.0]),
            drift=np.array([10.0, -10.0]), belief_a=20.0, belief_b=-20.0, sd_a=1e-3,
            sd_b=1e-3)
    np.testing.assert_array_equal(p.winner, [1, -1])
    np.testing.assert_array_equal(p.outcome, [100.0, 0.0])
    np.testing.assert_array_equal(p.front[:, 1:], [[100.0] * 6, [0.0] * 6])
    assert np.isnan(p.agreement_period).all()
    assert np.isnan(p.lower[:, 1:]).all()  # nothing recorded once the war is over
    assert war.victory_probabilities(p.winner) == (0.5, 0.5)


def test_no_range_within_the_horizon_ends_at_the_front() -> None:
    # drift 1, no noise, 4 periods from 50: X_H = 54; beliefs never meet.
    p = run(np.zeros((1, 4)), lower=0.0, upper=100.0, front=50.0, drift=1.0, belief_a=5.0,
            belief_b=-5.0, sd_a=1e-3, sd_b=1e-3, cost_a=0.1, cost_b=0.1)
    assert np.isnan(p.agreement_period[0]) and p.winner[0] == 0
    assert p.outcome[0] == pytest.approx(54.0)


# --------------------------------------------------------------------------- properties

numbers = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.1, 3.0, allow_nan=False)
costs = st.floats(0.0, 2.0, allow_nan=False)


def random_case(seed: int, finite: bool) -> dict:
    rng = np.random.default_rng(seed)
    case = dict(noise=rng.standard_normal((64, 30)), front=rng.uniform(20, 80, 64),
                drift=rng.normal(0, 1, 64), volatility=rng.uniform(0.5, 4, 64),
                belief_a=rng.normal(1, 2, 64), sd_a=rng.uniform(0.2, 2, 64),
                belief_b=rng.normal(-1, 2, 64), sd_b=rng.uniform(0.2, 2, 64),
                cost_a=rng.uniform(0, 1, 64), cost_b=rng.uniform(0, 1, 64),
                power=rng.uniform(0, 1, 64))
    if finite:
        case.update(lower=0.0, upper=100.0)
    return case


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), wider=st.floats(0.0, 5.0), finite=st.booleans(),
       side=st.sampled_from(["a", "b"]))
def test_wider_optimism_gap_never_earlier(seed: int, wider: float, finite: bool,
                                          side: str) -> None:
    """Same front shocks, A more optimistic or B more pessimistic: every draw agrees no
    earlier (so the distribution of T moves right), clipped scale or not."""
    case = random_case(seed, finite)
    base = run(**case)
    if side == "a":
        case["belief_a"] = case["belief_a"] + wider
    else:
        case["belief_b"] = case["belief_b"] - wider
    assert np.all(periods(run(**case)) >= periods(base))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), more=st.floats(0.0, 3.0), finite=st.booleans(),
       side=st.sampled_from(["a", "b"]))
def test_higher_costs_never_later(seed: int, more: float, finite: bool, side: str) -> None:
    case = random_case(seed, finite)
    base = run(**case)
    case[f"cost_{side}"] = case[f"cost_{side}"] + more
    assert np.all(periods(run(**case)) <= periods(base))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shrink=st.floats(0.05, 1.0))
def test_more_confident_priors_never_earlier(seed: int, shrink: float) -> None:
    """Both sides' prior sd τ shrink together (equal τ; no clipping, where the belief gap is
    (m_A − m_B)/(1 + tτ²/σ²)): every draw agrees no earlier."""
    case = random_case(seed, finite=False)
    case["sd_b"] = case["sd_a"]
    base = run(**case)
    case["sd_a"] = case["sd_b"] = case["sd_a"] * shrink
    assert np.all(periods(run(**case)) >= periods(base))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), louder=st.floats(1.0, 10.0))
def test_louder_battlefield_never_earlier(seed: int, louder: float) -> None:
    """Larger volatility σ (equal τ, no clipping): the data say less, so no draw agrees earlier."""
    case = random_case(seed, finite=False)
    case["sd_b"] = case["sd_a"]
    base = run(**case)
    case["volatility"] = case["volatility"] * louder
    assert np.all(periods(run(**case)) >= periods(base))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), finite=st.booleans())
def test_swapping_sides_and_mirroring_the_scale_mirrors_the_result(seed: int,
                                                                   finite: bool) -> None:
    case = random_case(seed, finite)
    lo, hi = case.get("lower", -WIDE), case.get("upper", WIDE)
    base = run(**case)
    mirrored = dict(case, noise=-case["noise"], front=lo + hi - case["front"],
                    drift=-case["drift"], belief_a=-case["belief_b"], sd_a=case["sd_b"],
                    belief_b=-case["belief_a"], sd_b=case["sd_a"], cost_a=case["cost_b"],
                    cost_b=case["cost_a"], power=1 - case["power"])
    other = run(**mirrored)
    np.testing.assert_array_equal(periods(other), periods(base))
    np.testing.assert_array_equal(other.winner, -base.winner)
    tol = 1e-9 * (hi - lo)
    np.testing.assert_allclose(other.outcome, lo + hi - base.outcome, atol=tol)
    np.testing.assert_allclose(other.front, lo + hi - base.front, atol=tol)
    np.testing.assert_allclose(other.lower, lo + hi - base.upper, atol=tol)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), finite=st.booleans())
def test_s_draws_equal_s_single_runs(seed: int, finite: bool) -> None:
    case = random_case(seed, finite)
    together = run(**case)
    for k in range(0, 64, 7):
        alone = run(**{key: (v[k:k + 1] if isinstance(v, np.ndarray) else v)
                       for key, v in case.items()})
        np.testing.assert_array_equal(alone.agreement_period, together.agreement_period[k:k + 1])
        np.testing.assert_array_equal(alone.outcome, together.outcome[k:k + 1])
        np.testing.assert_array_equal(alone.front, together.front[k:k + 1])


# --------------------------------------------------------------------------- Monte Carlo


def test_agreement_curve_matches_the_exact_distribution() -> None:
    """Unequal priors make T depend on the front. Without clipping the gap after k periods is
    a_k + b_k S_k with S_k the sum of k changes N(δ, σ²) (a Gaussian random walk), so
    P(T > t) = P(S_k < (C − a_k)/b_k for k = 1..t) (b_k < 0 here): a multivariate normal
    orthant probability, cov σ² min(j, k). The simulated P(T ≤ t) must match within
    sampling error."""
    m_a, tau_a, m_b, tau_b, sigma, delta, c = 3.0, 0.5, -1.0, 2.0, 1.5, 1.5, 1.0
    H, S = 8, 20_000
    pa, pb, q = 1 / tau_a**2, 1 / tau_b**2, 1 / sigma**2
    k = np.arange(1, H)
    a = m_a * pa / (pa + k * q) - m_b * pb / (pb + k * q)
    b = q / (pa + k * q) - q / (pb + k * q)
    assert np.all(b < 0) and m_a - m_b > c  # no range at t = 0
    bound = (c - a) / b
    exact = [0.0]
    for t in range(1, H):
        idx = np.arange(t)
        cov = sigma**2 * np.minimum.outer(idx + 1, idx + 1)
        if t == 1:
            survive = float(norm.cdf(bound[0], delta, sigma))
        else:
            survive = float(multivariate_normal.cdf(bound[:t], mean=delta * (idx + 1),
                                                    cov=cov, abseps=2e-5, releps=0))
        exact.append(1.0 - survive)
    noise = np.random.default_rng(2024).standard_normal((S, H))
    p = run(noise, drift=delta, volatility=sigma, belief_a=m_a, sd_a=tau_a, belief_b=m_b,
            sd_b=tau_b, cost_a=0.5 * c, cost_b=0.5 * c)
    simulated = [np.mean(periods(p) <= t) for t in range(H)]
    for t in range(H):
        se = math.sqrt(max(exact[t] * (1 - exact[t]), 1e-4) / S)
        assert abs(simulated[t] - exact[t]) < 4.5 * se + 2e-4, (t, simulated[t], exact[t])
    assert 0.2 < exact[-1] < 0.9  # a real test: neither all nor nothing
