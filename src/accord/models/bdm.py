"""Bueno de Mesquita's expected-utility ("challenge") model, as unravelled by Scholz,
Calbert & Smith (2011).

One issue at a time, rounds of challenges (Bueno de Mesquita 1994, "Political forecasting: an
expected utility method"; Scholz, Calbert & Smith 2011, "Unravelling Bueno De Mesquita's group
decision model", J. Theoretical Politics 23(4): 510–531; shared/DESIGN.md, "Bueno de Mesquita
expected-utility model"). Each round, from the start-of-round positions x:

1. the c·s-weighted median μ (all r = 1);
2. votes v_k(a, b) = c_k s_k [(|x_k − b|/Δ)^{r_k} − (|x_k − a|/Δ)^{r_k}] and the probability
   P_ij that i's position prevails over j's (Scholz et al. eq. 30; normalised per pair, or by
   one global sum as the authors' program does);
3. the utilities U_s, U_f, U_sq, U_b, U_w of the perceiver (Scholz et al. eqs. 3–7) and the
   expected utility of challenging E^i(U_ij) (eq. 8);
4. dangers D_i = Σ_{j≠i} E^j(U_ji) with all r = 1, and from them the risk exponents
   r_i = (1 − R_i/3)/(1 + R_i/3) (BDM 1994; Scholz et al. eqs. 12–13);
5. steps 2–3 again with these r, then every receiver i weighs the offers of every j:
   conflict, compromise or capitulation (Scholz et al. section 4), and accepts at most one;
   all moves take effect together.

Δ is the range of the *initial* positions of the participants (fixed for the run), which is
what the published results use. The forecast is μ after the last round when the run settles;
a run that ends in a cycle forecasts the median of μ over its final cycle, with the swing
beside it (option ``forecast``; :func:`final_cycle` gives the reasons). The published presets
keep μ after the last round.

Everything is vectorised over draws and actor pairs; the only Python loops are over issues
and rounds (and over blocks of draws, to bound memory). The kernels below are small pure
functions over arrays with a leading batch of draws, each checkable by hand.
"""

# Longer than ~500 lines on purpose: one model, one module (shared/DESIGN.md "Layout"). The
# kernels of Scholz et al.'s rounds (expected utilities, offers, risk exponents) serve this
# model only and are tested against its published rounds; split apart they would scatter one
# paper's equations over several files.
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, Literal

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import (
    BaseModel,
    Cost,
    Count,
    Forecast,
    Fraction,
    ModelOptions,
    parallel_map,
    register,
)
from accord.models.compromise import weighted_mean
from accord.models.median import _TIE_TOLERANCE as _MEDIAN_TIE
from accord.models.median import weighted_median

# Offer kinds, in the order a receiver prefers them (the most coercive first).
NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
KIND_NAMES = {CONFLICT: "conflict", COMPROMISE: "compromise", CAPITULATION: "capitulation"}
# What an offer's kind adds to its key in choose_offers: 4 × kind, and +inf for no offer.
_KIND_KEY = np.array([np.inf, 4.0 * CONFLICT, 4.0 * COMPROMISE, 4.0 * CAPITULATION])

# Relative tolerance under which two offers count as equal (then the first in file order
# wins) and under which all dangers count as equal (then r = 1).
_TIE = 1e-12
# How many of the last rounds the non-convergence note summarises.
_NOTE_ROUNDS = 5
# Draws are played in blocks of about this many actor pairs (see BdmModel._run_issue).
_BLOCK_PAIRS = 1 << 16


# --------------------------------------------------------------------------------------------
# Kernels. Shapes: (..., n) per actor, (..., n, n) per ordered pair [row i, column j].
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MidpointSplit:
    """Where every pair's midpoint falls among the voters, shared by the tallies of a round.

    order: (S, n) the actors sorted by position (stable), and as flat indices into (S, n)
    (``flat_order``); xs: (S, n) their positions in that order. below: (S, n, n) the number
    of actors k with 2 x_k < x_i + x_j, i.e. strictly below the midpoint m_ij (symmetric in
    i, j). keep, sign: (S, n, n) 0 and +1 where x_i < x_j,
    1 and −1 elsewhere (so :func:`vote_tally` picks its sum by arithmetic, not by a mask).
    take: flat indices of (below_ij, s, j) into an (n + 1, S, n) array of prefix sums (see
    :func:`vote_tally`); (below_ij, s, i) is the transpose's, as below is symmetric.
    """

    order: np.ndarray
    flat_order: np.ndarray
    xs: np.ndarray
    keep: np.ndarray
    sign: np.ndarray
    take: np.ndarray

    @property
    def below(self) -> np.ndarray:
        """(S, n, n) below_ij, read back from ``take`` = (below_ij · S + s) · n + j (not
        kept: only the tests read it)."""
        S, n = self.xs.shape
        return self.take // (S * n)


def midpoint_counts_direct(position: np.ndarray) -> np.ndarray:
    """below_ij = #{k : 2 x_k < x_i + x_j} counted pair by pair (O(n³)): the definition
    :func:`midpoint_split` computes by binary search; kept for tests. position: (S, n)."""
    twice_mid = position[:, :, None] + position[:, None, :]
    return (2.0 * position[:, None, None, :] < twice_mid[..., None]).sum(axis=-1)


@cache
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs i ≤ j of n actors (two index arrays) and, for every ordered pair (i, j) in
    row-major order, the index of {i, j} among them."""
    iu, ju = np.triu_indices(n)
    half = np.empty((n, n), dtype=np.intp)
    half[iu, ju] = half[ju, iu] = np.arange(iu.size)
    return iu, ju, half.ravel()


def midpoint_split(position: np.ndarray, diff: np.ndarray | None = None) -> MidpointSplit:
    """Sort the actors and count, for every pair, the actors below its midpoint.

    position: (S, n); diff: the round's x_i − x_j (S, n, n), when the caller has it (its sign
    is that of the comparison: a difference of two distinct doubles is never 0). A vectorised
    binary search over all draws and pairs at once:
    ⌈log2(n + 1)⌉ steps of O(S n²) each. The comparison 2 x_k < x_i + x_j is exact for the
    question "is k strictly nearer the lower of x_i, x_j", and symmetric in i, j (float
    addition commutes), so only the pairs i ≤ j are searched. Each step moves the probe by
    arithmetic (+ step × hit), not by a masked copy: the hits follow no pattern, and a masked
    copy's branch mispredictions cost more than the rest of the step.
    """
    S, n = position.shape
    iu, ju, half = _pairs(n)
    order = np.argsort(position, axis=-1, kind="stable")
    flat_order = order + (np.arange(S, dtype=np.intp) * n)[:, None]
    xs = position.reshape(-1).take(flat_order)
    width = 1 << n.bit_length()  # > n; padded with +inf so probes never leave a draw's row
    padded = np.full((S, width), np.inf)
    np.multiply(xs, 2.0, out=padded[:, :n])
    flat = padded.ravel()
    twice_mid = position.take(iu, axis=1)
    twice_mid += position.take(ju, axis=1)
    # the flat index of the highest actor below, so far (−1 within the draw's row: none)
    start = np.arange(S, dtype=np.intp) * width
    last = np.repeat(start[:, None] - 1, iu.size, axis=1)
    probe = np.empty_like(last)
    hit = np.empty(last.shape, dtype=bool)
    step = width >> 1
    while step:
        np.add(last, step, out=probe)
        np.less(flat.take(probe), twice_mid, out=hit)
        probe = hit.astype(np.intp)
        probe *= step
        last += probe
        step >>= 1
    last += 1  # s · width + below
    last -= start[:, None]  # below, for the pairs i ≤ j
    last *= S
    last += np.arange(S, dtype=np.intp)[:, None]
    last *= n
    take = last.take(half, axis=1).reshape(S, n, n)
    take += np.arange(n, dtype=np.intp)
    keep = (position[:, :, None] >= position[:, None, :] if diff is None else diff >= 0.0)
    keep = keep.astype(float)
    sign = keep * -2.0
    sign += 1.0
    return MidpointSplit(order, flat_order, xs, keep, sign, take)


def voter_distances(position: np.ndarray, split: MidpointSplit, delta: np.ndarray
                    ) -> np.ndarray:
    """|x_k − x_a|/Δ voter-major, (voter k in sorted order, S, candidate a): the part of
    :func:`vote_tally`'s terms that both tallies of a round share."""
    g = split.xs.T[:, :, None] - position[None, :, :]
    np.abs(g, out=g)
    g /= delta[None, :, None]
    return g


def vote_tally(position: np.ndarray, weight: np.ndarray, risk: np.ndarray | None,
               delta: np.ndarray, split: MidpointSplit | None = None,
               distance: np.ndarray | None = None) -> np.ndarray:
    """N_ij = Σ_k max(0, v_k(x_i, x_j)): the votes cast for i's position against j's.

    v_k(a, b) = c_k s_k [(|x_k − b|/Δ)^{r_k} − (|x_k − a|/Δ)^{r_k}] (Scholz et al. 2011,
    eq. 29; BDM 1994). position, weight (= c·s, zero for non-participants), risk (None: all
    r = 1): (S, n); delta: (S,). Returns (S, n, n) with a zero diagonal.

    Because t ↦ t^r is increasing, voter k favours i over j exactly when it is strictly
    nearer to x_i than to x_j, i.e. on i's side of the midpoint m_ij = (x_i + x_j)/2 (voters
    at the midpoint cast zero votes). So with G_ka = w_k (|x_k − x_a|/Δ)^{r_k} and the voters
    sorted by position, N_ij = Σ_{k below m_ij} (G_kj − G_ki) if x_i < x_j, and the same sum
    over the voters above m_ij if x_i > x_j: differences of prefix sums, one gather per pair.
    (Where x_i = x_j both sums are exactly 0.) O(n² log n) per draw instead of the O(n³)
    triple sum of :func:`vote_tally_direct`. split, distance: the round's
    :func:`midpoint_split` and :func:`voter_distances`, when the caller has them (not
    modified).
    """
    S, n = position.shape
    if split is None:
        split = midpoint_split(position)
    ws = weight.reshape(-1).take(split.flat_order)
    # G voter-major, (voter k, S, candidate a), so that each prefix sum step is contiguous
    if distance is None:
        distance = voter_distances(position, split, delta)
    if risk is not None:
        g = np.power(distance, risk.reshape(-1).take(split.flat_order).T[:, :, None])
        g *= ws.T[:, :, None]
    else:
        g = distance * ws.T[:, :, None]
    cum = np.empty((n + 1, S, n))
    cum[0] = 0.0
    if n > S:  # few draws: one call (np.cumsum adds in voter order too)
        np.cumsum(g, axis=0, out=cum[1:])
    else:  # n contiguous steps over S × n each: faster than cumsum's strided rows
        for k in range(n):
            np.add(cum[k], g[k], out=cum[k + 1])
    at = cum.ravel().take(split.take)  # [s, i, j]: C_{below_ij, j}; transposed C_{below_ij, i}
    below = at - at.swapaxes(1, 2)  # Σ_{k below m_ij} (G_kj − G_ki)
    total = cum[n]  # Σ_k G_ka
    above = total[:, None, :] - total[:, :, None]  # minus below: Σ_{k above m_ij} (G_kj − G_ki)
    # x_i < x_j: 0 · above + 1 · below; otherwise 1 · above − below (exact either way)
    above *= split.keep
    below *= split.sign
    above += below
    return np.maximum(above, 0.0, out=above)


def vote_tally_direct(position: np.ndarray, weight: np.ndarray, risk: np.ndarray | None,
                      delta: np.ndarray) -> np.ndarray:
    """The triple sum N_ij = Σ_k max(0, v_k(x_i, x_j)) written out (O(n³) memory): the
    definition :func:`vote_tally` computes faster; kept for tests and small inputs."""
    x = np.asarray(position, dtype=float)
    delta = np.asarray(delta, dtype=float)[..., None, None]
    risk = np.ones_like(x) if risk is None else risk
    g = weight[..., :, None] * (np.abs(x[..., :, None] - x[..., None, :]) / delta
                                ) ** risk[..., :, None]  # (..., k, a)
    votes = g[..., :, None, :] - g[..., :, :, None]  # (..., k, i, j) = v_k(x_i, x_j)
    return np.maximum(votes, 0.0).sum(axis=-3)


def pair_gaps(position: np.ndarray) -> np.ndarray:
    """(..., n, n): |x_i − x_j|, shared by :func:`coincide` and :func:`challenge_matrices`."""
    gap = position[..., :, None] - position[..., None, :]
    return np.abs(gap, out=gap)


def coincide(position: np.ndarray, gap: np.ndarray | None = None) -> np.ndarray:
    """(..., n, n): whether x_i and x_j are the same position, to a relative 1e-12.

    Moves computed along different paths can leave two actors one rounding error apart;
    they hold one position, and must not challenge each other over float noise (a test
    that scales every capability by 3 caught such a spurious "conflict"). gap: the round's
    :func:`pair_gaps`, when the caller has it."""
    scale = np.abs(position).max(axis=-1, keepdims=True)[..., None]
    if gap is None:
        gap = pair_gaps(position)
    return gap <= _TIE * np.where(scale > 0, scale, 1.0)


def victory_probability(tally: np.ndarray, position: np.ndarray, mask: np.ndarray,
                        method: Literal["global", "pairwise"],
                        same: np.ndarray | None = None) -> np.ndarray:
    """P_ij, the probability that i's position prevails over j's (Scholz et al. 2011 eq. 30).

    ``pairwise`` (the equation as printed): N_ij / (N_ij + N_ji), so P_ij + P_ji = 1; where no
    voter distinguishes the two positions, 1/2. ``global`` (what the authors' program does,
    and what reproduces the published rounds): N_ij / Σ_k Σ_a Σ_b |v_k(x_a, x_b)| with one
    denominator per round over every ordered pair of participants; that sum equals
    2 Σ_ab N_ab because v_k(b, a) = −v_k(a, b). P_ij = 0 where x_i = x_j. Non-participants
    (mask False, shape (n,)) get P = 0. tally: (..., n, n); position: (..., n); same: the
    round's :func:`coincide` when the caller has it.
    """
    pair = mask[:, None] & mask[None, :]
    if not pair.all():
        tally = np.where(pair, tally, 0.0)
    if same is None:
        same = coincide(position)
    if method == "global":
        denom = 2.0 * tally.sum(axis=(-2, -1), keepdims=True)
        p = tally / np.where(denom > 0, denom, 1.0)
    elif method == "pairwise":
        denom = tally + np.swapaxes(tally, -1, -2)
        p = np.where(denom > 0, tally / np.where(denom > 0, denom, 1.0), 0.5)
    else:
        raise ValueError(f"unknown probability method {method!r}")
    n = p.shape[-1]
    if pair.all() and np.count_nonzero(same) == same.size // n:  # x_i = x_j for i = j only
        p.reshape(-1, n * n)[:, ::n + 1] = 0.0
    else:
        np.copyto(p, 0.0, where=same if pair.all() else same | ~pair)
    return p


def challenge_utilities(distance: np.ndarray, risk: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U_s, U_f, U_sq of a perceiver with risk exponent r, for a challenge across distance
    d = |x_i − x_j|/Δ (Scholz et al. 2011 eqs. 3–5; BDM 1994):

    U_s = 2 − 4(0.5 − 0.5 d)^r, U_f = 2 − 4(0.5 + 0.5 d)^r, U_sq = 2 − 4 (0.5)^r.
    distance and risk broadcast together; U_sq has the shape of risk.
    """
    risk = np.asarray(risk, dtype=float)
    shape = np.broadcast_shapes(np.shape(distance), risk.shape)
    base_s, base_f = utility_bases(np.broadcast_to(distance, shape))
    return utilities_from_bases(base_s, base_f, risk)


def utility_bases(distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0.5 − 0.5 d (at least 0) and 0.5 + 0.5 d: the bases of U_s and U_f in
    :func:`challenge_utilities`, the same for every risk exponent (so a round finds them once
    for both of its passes)."""
    half = np.multiply(distance, 0.5, out=np.empty(np.shape(distance)))
    # d ≤ 1 in exact arithmetic; the clip guards against a rounding overshoot (0^r, not NaN)
    base_s = np.subtract(0.5, half, out=np.empty(half.shape))
    np.maximum(base_s, 0.0, out=base_s)
    return base_s, np.add(half, 0.5, out=half)


def utilities_from_bases(base_s: np.ndarray, base_f: np.ndarray, risk: np.ndarray | float
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U_s = 2 − 4 base_s^r, U_f = 2 − 4 base_f^r and U_sq = 2 − 4 (0.5)^r, as new arrays
    (the bases, from :func:`utility_bases`, are left as they are)."""
    risk = np.asarray(risk, dtype=float)
    powers = bool(risk.ndim) or float(risk) != 1.0
    out = []
    for base in (base_s, base_f):  # 2 − 4 b^r
        if powers:
            u = np.power(base, risk)
            u *= -4.0
        else:
            u = base * -4.0
        u += 2.0
        out.append(u)
    u_sq = 2.0 - 4.0 * 0.5 ** risk
    return out[0], out[1], u_sq


def better_worse_utilities(spread: np.ndarray, risk: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray]:
    """U_b, U_w: the status quo getting better or worse for the challenger (Scholz et al.
    2011 eqs. 6–7): U_b = 2 − 4[0.5 − 0.25 e]^r, U_w = 2 − 4[0.5 + 0.25 e]^r with
    e = (|x_c − μ| + |x_c − x_t|)/Δ for challenger c and target t. Only used when Q < 1.
    """
    risk = np.asarray(risk, dtype=float)
    # e ≤ 2 keeps the base ≥ 0 (e can exceed 2 only for positions outside the initial range)
    e = np.minimum(spread, 2.0)
    return 2.0 - 4.0 * (0.5 - 0.25 * e) ** risk, 2.0 - 4.0 * (0.5 + 0.25 * e) ** risk


def expected_utility(p_win: np.ndarray, target_salience: np.ndarray, u_s: np.ndarray,
                     u_f: np.ndarray, u_sq: np.ndarray, q: float = 1.0,
                     t: np.ndarray | float = 1.0, u_b: np.ndarray | float = 0.0,
                     u_w: np.ndarray | float = 0.0, spread: np.ndarray | None = None
                     ) -> np.ndarray:
    """Expected utility of a challenge (Scholz et al. 2011 eq. 8; BDM 1994):

    E(U) = s_t [P U_s + (1 − P) U_f] + (1 − s_t) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w],

    s_t the target's salience (the chance it resists), P the challenger's chance to prevail.
    Computed as U_s + s_t (1 − P)(U_f − U_s) − ..., the same expression with fewer passes.
    With Q = 1 (the default) T, U_b and U_w play no part. spread: U_f − U_s, when the caller
    has it (both expected utilities of a pair share it).
    """
    gain = 1.0 - p_win
    gain *= u_f - u_s if spread is None else spread
    gain *= target_salience
    gain += u_s
    status_quo = q * u_sq
    if np.ndim(status_quo) or status_quo != 0.0 or np.signbit(status_quo):
        gain -= status_quo  # (x − (+0.0) is x for every x: skipped)
    if q != 1.0:
        gain -= (1.0 - q) * (t * u_b + (1.0 - t) * u_w)
    return gain


def challenge_matrices(position: np.ndarray, salience: np.ndarray, p_win: np.ndarray,
                       risk: np.ndarray | float, median: np.ndarray, delta: np.ndarray,
                       q: float = 1.0, t: float | Literal["rule"] = 1.0, estimates: bool = True,
                       gap: np.ndarray | None = None,
                       bases: tuple[np.ndarray, np.ndarray] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Both expected utilities of each pair, as the row actor i perceives them with its own r_i.

    a[i, j] = E^i(U_ij): i's value of challenging j (target salience s_j, chance P_ij);
    b[i, j] = E^i(U_ji): i's estimate of j's value of challenging i, with i's r_i and i's
    salience as the target's (chance P_ji). For U_b, U_w the challenger's distance to the
    median counts, and T = "rule" is Eftekhari & Rahimi (2014): T = 1 when the challenger is
    nearer the median than the target, else 0. position, salience, risk (or a scalar r for
    everyone): (S, n); median, delta: (S,). Returns two (S, n, n) arrays; with
    ``estimates=False`` only a is computed (b is returned empty). gap: the round's
    :func:`pair_gaps`, and bases: :func:`utility_bases` of gap/Δ, when the caller has them.
    """
    x = position
    dl = np.asarray(delta, dtype=float)[..., None, None]
    if gap is None:
        gap = pair_gaps(x)
    r_row = risk[..., :, None] if isinstance(risk, np.ndarray) else float(risk)
    if bases is None:
        bases = utility_bases(gap / dl)
    u_s, u_f, u_sq = utilities_from_bases(*bases, r_row)
    spread = u_f - u_s
    to_median = np.abs(x - np.asarray(median)[..., None])

    def value(p: np.ndarray, target_salience: np.ndarray, challenger_to_median: np.ndarray
              ) -> np.ndarray:
        if q == 1.0:
            return expected_utility(p, target_salience, u_s, u_f, u_sq, spread=spread)
        u_b, u_w = better_worse_utilities((challenger_to_median + gap) / dl, r_row)
        t_c = (challenger_to_median < gap).astype(float) if t == "rule" else float(t)
        return expected_utility(p, target_salience, u_s, u_f, u_sq, q, t_c, u_b, u_w, spread)

    a = value(p_win, salience[..., None, :], to_median[..., :, None])  # i challenges j
    if not estimates:
        return a, np.empty((0,))
    b = value(np.swapaxes(p_win, -1, -2), salience[..., :, None], to_median[..., None, :])
    return a, b


def dangers(eu: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """D_i = Σ_{j≠i} E^j(U_ji), the sum of everyone else's value of challenging i (BDM 1994;
    Scholz et al. 2011 eq. 12). eu[j, i] = E^j(U_ji) as from :func:`challenge_matrices`
    (first output); mask (n,) drops non-participants on both sides. Returns (..., n)."""
    n = eu.shape[-1]
    keep = mask[:, None] & mask[None, :] & ~np.eye(n, dtype=bool)
    return np.where(keep, eu, 0.0).sum(axis=-2)


def risk_exponents(danger: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """r_i = (1 − R_i/3)/(1 + R_i/3), R_i = (2 D_i − max D − min D)/(max D − min D), so
    r ∈ [0.5, 2]: the actor in most danger gets 0.5, the one in least danger 2 (BDM 1994;
    Scholz et al. 2011 eq. 13). Max and min run over participants; where all dangers are
    equal (to a relative 1e-12; e.g. every actor at one position) r = 1. Non-participants
    get r = 1."""
    big = np.inf
    hi = np.where(mask, danger, -big).max(axis=-1, keepdims=True)
    lo = np.where(mask, danger, big).min(axis=-1, keepdims=True)
    spread = hi - lo
    scale = np.maximum(np.maximum(np.abs(hi), np.abs(lo)), 1.0)
    flat = ~(spread > _TIE * scale)  # also catches "no participants" (−inf − inf)
    safe = np.where(flat, 1.0, spread)
    rel = np.where(flat, 0.0, (2.0 * danger - np.where(flat, 0.0, hi + lo)) / safe)
    rel = np.clip(rel, -1.0, 1.0)
    r = (1.0 - rel / 3.0) / (1.0 + rel / 3.0)
    return np.where(mask, r, 1.0)


def classify_offers(a: np.ndarray, b: np.ndarray, position: np.ndarray, mask: np.ndarray,
                    capitulation: bool, same: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The offer j makes to receiver i, from i's point of view (Scholz et al. 2011 section 4,
    BDM 1994's octants), with a = E^i(U_ij), b = E^i(U_ji):

    conflict      b > a > 0            i moves to x_j (it expects to lose the fight);
    compromise    a < 0 < b, b > |a|   i moves to x_i + (x_j − x_i)|a|/b;
    capitulation  a < 0 < b, b ≤ |a|   i moves to x_j (only if ``capitulation``).

    Only between participants at different positions. Returns the kind codes (..., n, n)
    (NO_OFFER, CONFLICT, COMPROMISE, CAPITULATION) and the position i would move to.
    same: the round's :func:`coincide`, when the caller has it. The compromise step |a|/b is
    computed at the compromises only (gathered, then scattered back): elsewhere the step is
    1, and (x_j − x_i)·1 + x_i is what the target was all along.
    """
    xi = position[..., :, None]
    xj = position[..., None, :]
    valid = ~(coincide(position) if same is None else same)
    pair = mask[:, None] & mask[None, :]
    if not pair.all():
        valid &= pair
    conflict = b > a
    conflict &= a > 0
    conflict &= valid
    yielding = a < 0
    yielding &= b > 0
    yielding &= valid
    compromise = b > -a
    compromise &= yielding
    kind = conflict.view(np.int8) * np.int8(CONFLICT)
    kind += compromise.view(np.int8) * np.int8(COMPROMISE)
    if capitulation:
        kind += (yielding & ~compromise).view(np.int8) * np.int8(CAPITULATION)
    target = xj - xi
    at = np.flatnonzero(compromise)
    flat = target.reshape(-1)
    flat[at] *= np.divide(-a.reshape(-1)[at], b.reshape(-1)[at])
    target += xi
    return kind, target


def choose_offers(kind: np.ndarray, target: np.ndarray, a: np.ndarray, b: np.ndarray,
                  position: np.ndarray, delta: np.ndarray,
                  compromise_pick: Literal["smallest", "least_move"]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one offer each receiver accepts: the most coercive kind present (conflict, then
    compromise, then capitulation), and within it the offer that moves it least; among
    compromises ``smallest`` instead takes the least (|a| x_i + b x_j)/(|a| + b), which is what
    the authors' program does (Scholz et al. 2011 code; reference/README.md). Offers equal to
    within 1e-12 Δ: the first in file order.

    kind, target, a, b: (S, n, n); position: (S, n); delta: (S,) the initial range. Returns
    sender index (S, n) (−1: none accepted), the kind taken (S, n) and the new position (S, n)
    (the old one where nothing was accepted).
    """
    if compromise_pick not in ("smallest", "least_move"):
        raise ValueError(f"unknown compromise_pick {compromise_pick!r}")
    xi = position[..., :, None]
    dl = delta[:, None, None]
    # one key per offer: its kind, then its score in units of Δ (a score spans at most ~1 Δ,
    # so kind * 4 + score orders by kind first); no offer: +inf
    key = target - xi
    np.abs(key, out=key)
    if compromise_pick == "smallest":
        # at the compromises only (gathered, computed, scattered back)
        n = position.shape[-1]
        at = np.flatnonzero(kind == COMPROMISE)
        row = at // n  # flat index of (s, i) in position
        x_i = position.reshape(-1)[row]
        x_j = position.reshape(-1)[(at // (n * n)) * n + at % n]
        a_c, b_c = a.reshape(-1)[at], b.reshape(-1)[at]
        weighted = (-a_c * x_i + b_c * x_j) / (b_c - a_c)
        weighted -= x_i  # relative to the receiver, like the move: within [−Δ, Δ]
        key.reshape(-1)[at] = weighted
    key /= dl
    # (an int8 index array is cast element by element inside take: 5× slower than intp)
    key += _KIND_KEY.take(kind.astype(np.intp))
    # each receiver's least key, one column at a time: a reduction over rows of n costs 4×
    least = key[..., 0].copy()
    for j in range(1, key.shape[-1]):
        np.minimum(least, key[..., j], out=least)
    near = key <= (least + 16.0 * _TIE)[..., None]
    sender = np.where(np.isfinite(least), np.argmax(near, axis=-1), -1)
    pick = _picked(sender)
    taken = np.where(sender >= 0, kind.reshape(-1).take(pick), NO_OFFER)
    new = target.reshape(-1).take(pick)
    return sender, taken.astype(np.int8), np.where(sender >= 0, new, position)


def _picked(sender: np.ndarray) -> np.ndarray:
    """(S, n): the flat index of (s, i, sender[s, i]) in an (S, n, n) array (column 0 where
    there is no sender)."""
    S, n = sender.shape
    pick = np.maximum(sender, 0)
    pick += (np.arange(S * n, dtype=np.intp) * n).reshape(S, n)
    return pick


def weighted_mean_1d(position: np.ndarray, weight: np.ndarray, mask: np.ndarray
                     ) -> np.ndarray:
    """x̄ = Σ c s x / Σ c s over participants (plain mean where all weights are 0), over the
    last axis: the compromise model's weighted mean on one issue."""
    return weighted_mean(position[..., None], weight[..., None], mask[:, None])[..., 0]


def median_1d(position: np.ndarray, weight: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """μ, the c·s-weighted median of held positions (lower on ties), over the last axis."""
    return weighted_median(position[..., None], weight[..., None], mask[:, None])[..., 0]


# --------------------------------------------------------------------------------------------
# One round, and the model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BdmOptions(ModelOptions):
    """Settings of the BDM model; the defaults are the ``scholz`` preset, which reproduces
    the published emission-standards rounds (reference/README.md, bdm/), except ``forecast``:
    the default reads a cycling run over its final cycle, the preset its last round."""

    # Scholz et al. 2011, code: one normaliser per round ("global"); eq. 30 as printed: per pair
    probability: Literal["global", "pairwise"] = "global"
    # Scholz et al. 2011, code: least (|a| x_i + b x_j)/(|a| + b); paper: least move
    compromise_pick: Literal["smallest", "least_move"] = "smallest"
    # Scholz et al. 2011, code: its capitulation test never succeeds, so "off" reproduces it
    capitulation: Literal["on", "off"] = "off"
    # Scholz et al. 2011: voters use their own risk exponents; "linear": r = 1 inside votes
    vote_risk: Literal["voter", "linear"] = "voter"
    # BDM 1994 / Scholz et al. eq. 8: probability the status quo holds if nobody challenges
    Q: Fraction = 1.0
    # eq. 8: chance the status quo improves; "rule" = Eftekhari & Rahimi (2014). Idle at Q = 1
    T: Fraction | Literal["rule"] = 1.0
    # Scholz et al. 2011 run 10 rounds
    rounds: Count = 10
    # "fixed": always play `rounds`; "no_moves": stop after a round in which no actor moved
    stop: Literal["fixed", "no_moves"] = "fixed"
    # a run that has not settled: "cycle" = the median of the round medians over its final
    # cycle (or last 5 rounds), the swing beside it (accord); "last" = μ after the last round
    # (Scholz et al. 2011, as published)
    forecast: Literal["cycle", "last"] = "cycle"


@dataclass
class RoundState:
    """How every actor sees the others at the start of a round (arrays over draws S).

    median (S,); danger, risk (S, n); p (S, n, n) the P_ij used for offers; a, b (S, n, n)
    the receiver's E^i(U_ij) and E^i(U_ji) with its own r_i (see :func:`challenge_matrices`).
    """

    median: np.ndarray
    danger: np.ndarray
    risk: np.ndarray
    p: np.ndarray
    a: np.ndarray
    b: np.ndarray
    same: np.ndarray | None = None  # (S, n, n) :func:`coincide`, for the offers


@dataclass(frozen=True)
class MedianWeights:
    """What :func:`median_1d` needs besides the positions, for rounds whose weights stay put
    (all actors taking part): the weights as :func:`~accord.models.median.weighted_median`
    normalises them (S, n), and half their total less its tolerance (S, 1)."""

    weight: np.ndarray
    half: np.ndarray

    @classmethod
    def of(cls, weight: np.ndarray, mask: np.ndarray) -> MedianWeights | None:
        """weight (S, n), mask (n,); None unless every actor takes part. The steps are
        weighted_median's own, on the same (S, n, 1) arrays, so the numbers are its."""
        if not mask.all():
            return None
        w = weight[..., None]
        total = w.sum(axis=-2, keepdims=True)
        w = np.where(total > 0, w, 1.0)
        total = w.sum(axis=-2, keepdims=True)
        return cls(np.ascontiguousarray(w[..., 0]), total[..., 0] * (0.5 - _MEDIAN_TIE))

    def median(self, split: MidpointSplit) -> np.ndarray:
        """μ of the positions ``split`` sorted: the lowest whose cumulative weight reaches
        half the total (the cumulative sums run in the same order as weighted_median's)."""
        S, n = split.xs.shape
        cum = np.cumsum(self.weight.reshape(-1).take(split.flat_order), axis=-1)
        first = np.argmax(cum >= self.half, axis=-1)
        first += np.arange(S, dtype=np.intp) * n
        median = split.xs.reshape(-1).take(first)
        return np.where(np.isfinite(median), median, np.nan)


def assess_round(position: np.ndarray, salience: np.ndarray, weight: np.ndarray,
                 mask: np.ndarray, delta: np.ndarray, opts: BdmOptions,
                 median_weights: MedianWeights | None = None) -> RoundState:
    """Steps 1–5 of a round (DESIGN.md): μ; votes, P and expected utilities with all r = 1;
    dangers and risk exponents; then votes (``vote_risk = voter``), P and expected utilities
    again with those exponents. position, salience, weight (= c·s): (S, n); mask (n,);
    delta (S,) the initial range; median_weights: :meth:`MedianWeights.of` the weights, when
    the caller keeps them from round to round. What both passes share is found once: the
    pairs' differences and gaps, which of them coincide, the actors' order and where the
    midpoints fall, the voters' distances to the candidates, and the bases of U_s and U_f."""
    S, n = position.shape
    diff = position[:, :, None] - position[:, None, :]
    gap = np.abs(diff)
    same = coincide(position, gap)
    split = midpoint_split(position, diff)
    median = (median_1d(position, weight, mask) if median_weights is None else
              median_weights.median(split))
    distance = voter_distances(position, split, delta)
    bases = utility_bases(gap / np.asarray(delta, dtype=float)[:, None, None])
    tally = vote_tally(position, weight, None, delta, split, distance)
    p = victory_probability(tally, position, mask, opts.probability, same)
    a1, _ = challenge_matrices(position, salience, p, 1.0, median, delta, opts.Q, opts.T,
                               estimates=False, gap=gap, bases=bases)
    if mask.all():  # dangers(a1, mask), with a1's diagonal zeroed in place (it is ours)
        a1.reshape(S, n * n)[:, ::n + 1] = 0.0
        danger = a1.sum(axis=-2)
    else:
        danger = dangers(a1, mask)
    risk = risk_exponents(danger, mask)
    if opts.vote_risk == "voter":
        tally = vote_tally(position, weight, risk, delta, split, distance)
        p = victory_probability(tally, position, mask, opts.probability, same)
    a, b = challenge_matrices(position, salience, p, risk, median, delta, opts.Q, opts.T,
                              gap=gap, bases=bases)
    return RoundState(median, danger, risk, p, a, b, same)


@dataclass
class RoundResult:
    """What one round did, for every draw (arrays over (S, n) or (S,))."""

    position: np.ndarray  # positions after the round
    median: np.ndarray  # μ at the start of the round (r = 1)
    danger: np.ndarray
    risk: np.ndarray
    sender: np.ndarray  # accepted offer's sender, −1 none
    kind: np.ndarray
    eu_receiver: np.ndarray  # a = E^i(U_ij) of the accepted offer
    eu_sender: np.ndarray  # b = E^i(U_ji)


def play_round(position: np.ndarray, salience: np.ndarray, weight: np.ndarray,
               mask: np.ndarray, delta: np.ndarray, opts: BdmOptions,
               median_weights: MedianWeights | None = None) -> RoundResult:
    """One round of challenges on one issue, all draws at once (DESIGN.md steps 1–6): assess,
    then every receiver takes its best offer, and all moves apply together.

    position, salience, weight (= c·s): (S, n); mask (n,); delta (S,) the initial range;
    median_weights: as for :func:`assess_round`.
    """
    st = assess_round(position, salience, weight, mask, delta, opts, median_weights)
    kind, target = classify_offers(st.a, st.b, position, mask, opts.capitulation == "on",
                                   st.same)
    sender, taken, new = choose_offers(kind, target, st.a, st.b, position, delta,
                                       opts.compromise_pick)
    pick = _picked(sender)

    def accepted(values: np.ndarray) -> np.ndarray:
        return np.where(sender >= 0, values.reshape(-1).take(pick), np.nan)

    return RoundResult(new, st.median, st.danger, st.risk, sender, taken, accepted(st.a),
                       accepted(st.b))


@register
class BdmModel(BaseModel):
    """Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011), issue by
    issue; forecast = the weighted median after the last round, or over the final cycle of a
    run that does not settle (option ``forecast``)."""

    name = "bdm"
    Options = BdmOptions
    # per draw × issue × round: 170 ns × actor² + 1400 ns × actor, and 120 ns × actor² per
    # run for the central run (benchmarks/bench_cost.py; refitted after the faster rounds)
    cost = Cost(ns=170.0, actor_power=2, rounds="rounds", ns_lower=1400.0, fixed_ms=24.0,
                run_ns=120.0)
    trajectory_option = True
    issue_by_issue = True  # each issue has its own rounds (BaseModel.issue_by_issue)
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        # reproduces reference/bdm/emission_scholz_* (jmckib's replication of Scholz et al.)
        "scholz": {"probability": "global", "compromise_pick": "smallest",
                   "capitulation": "off", "vote_risk": "voter", "Q": 1.0, "rounds": 10,
                   "stop": "fixed", "forecast": "last"},
        # reproduces reference/bdm/emission_literal_* (eq. 30 as printed)
        "literal": {"probability": "pairwise", "compromise_pick": "least_move",
                    "capitulation": "on", "vote_risk": "voter", "Q": 1.0, "rounds": 10,
                    "stop": "fixed", "forecast": "last"},
    }

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator,
            trajectories: bool = True) -> Forecast:
        """Run every draw. ``trajectories = False`` (Monte Carlo summaries, issue 12): the
        positions and risk exponents per round are kept for draw 0 only."""
        opts: BdmOptions = self.options
        S, n, d = arrays.position.shape
        issue_runs = [self._run_issue(arrays, k) for k in range(d)]
        played = max((len(r) for r in issue_runs), default=0)
        trajectory = np.empty((S, played + 1, n, d))
        medians = np.empty((S, played + 1, d))
        means = np.empty((S, played + 1, d))
        risk = np.ones((S, played, n, d))
        moves = np.zeros((S, played, d), dtype=np.int64)
        for k, rounds in enumerate(issue_runs):
            m = arrays.mask[:, k]
            w = arrays.weight[:, :, k]
            pos = arrays.position[:, :, k]
            trajectory[:, 0, :, k] = pos
            for t in range(played):
                if t < len(rounds):  # an issue that stopped early keeps its last state
                    pos = rounds[t].position
                    risk[:, t, :, k] = rounds[t].risk
                    moves[:, t, k] = (rounds[t].sender >= 0).sum(axis=-1)
                    medians[:, t, k] = rounds[t].median  # μ at the round's start
                trajectory[:, t + 1, :, k] = pos
            rest = len(rounds)  # and μ after the issue's last round, found here
            medians[:, rest:, k] = median_1d(trajectory[:, rest:, :, k], w[:, None, :], m)
            means[:, :, k] = weighted_mean_1d(trajectory[:, :, :, k], w[:, None, :], m)
        details = self._details(arrays, issue_runs, medians, means, played)
        notes = self._notes(arrays, medians, moves, opts)
        cycle = final_cycle(trajectory, medians)  # needs every draw's rounds
        outcome = cycle.point if opts.forecast == "cycle" else medians[:, -1, :].copy()
        if not trajectories:
            trajectory, risk = trajectory[:1].copy(), risk[:1].copy()
        return Forecast(
            self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
            outcome=outcome, trajectory=trajectory, round_outcome=medians,
            details=details,
            extras={"mean": means, "risk_exponent": risk, "moves": moves,
                    "swing_low": cycle.low, "swing_high": cycle.high,
                    "cycle_period": cycle.period},
            notes=notes + cycle_notes(arrays, cycle, opts.forecast),
        )

    def _run_issue(self, arrays: ScenarioArrays, k: int) -> list[RoundResult]:
        """Play the rounds of issue k for all draws; with stop = no_moves, stop after the
        first round in which no actor (of any draw) moved.

        Draws are independent, so they are played in blocks of about 2^16 actor pairs: every
        operation stays vectorised over the block's draws and pairs, while the (S, n, n)
        temporaries stay small enough for the cache (and memory stays flat as S grows). The
        blocks run side by side in one thread per core (:func:`~accord.models.base.
        parallel_map`; ``ACCORD_THREADS=1`` plays them in turn), with the same numbers.
        """
        opts: BdmOptions = self.options
        m = arrays.mask[:, k]
        pos = arrays.position[:, :, k]
        sal = arrays.salience[:, :, k]
        w = np.where(m, arrays.weight[:, :, k], 0.0)
        held = pos[:, m] if m.any() else np.zeros((pos.shape[0], 1))
        delta = held.max(axis=-1) - held.min(axis=-1)
        delta = np.where(delta > 0, delta, 1.0)  # all at one position: nothing ever moves
        S, n = pos.shape
        size = max(1, _BLOCK_PAIRS // max(n * n, 1))

        def play_block(start: int) -> tuple[slice, list[RoundResult], int]:
            part = slice(start, start + size)
            x = pos[part]
            res: RoundResult | None = None
            rounds: list[RoundResult] = []
            played = 0
            weights = MedianWeights.of(w[part], m)
            for t in range(opts.rounds):
                if res is None or opts.stop == "fixed" or (res.sender >= 0).any():
                    res = play_round(x, sal[part], w[part], m, delta[part], opts, weights)
                    played = t + 1
                # else: this block has stopped. Repeating its last round is exactly what
                # playing on would give (nobody moved, so the next round starts as it did).
                rounds.append(res)
                x = res.position
            return part, rounds, played

        store: dict[str, np.ndarray] = {}
        longest = 0
        for part, rounds, played in parallel_map(play_block, range(0, S, size)):
            longest = max(longest, played)
            for t, res in enumerate(rounds):
                for f in fields(RoundResult):
                    value = getattr(res, f.name)
                    if f.name not in store:
                        store[f.name] = np.empty((opts.rounds, S, *value.shape[1:]),
                                                 dtype=value.dtype)
                    store[f.name][t, part] = value
        return [RoundResult(**{name: a[t] for name, a in store.items()})
                for t in range(longest)]

    def _details(self, arrays: ScenarioArrays, issue_runs: list[list[RoundResult]],
                 medians: np.ndarray, means: np.ndarray, played: int) -> list[dict[str, Any]]:
        """Per round, for draw 0 and every issue: median, mean, and (rounds ≥ 1) the dangers,
        risk exponents and accepted offers."""
        ids = arrays.actor_ids
        details: list[dict[str, Any]] = []
        for t in range(played + 1):
            per_issue: dict[str, Any] = {}
            for k, iid in enumerate(arrays.issue_ids):
                m = arrays.mask[:, k]
                entry: dict[str, Any] = {"median": float(medians[0, t, k]),
                                         "mean": float(means[0, t, k])}
                rounds = issue_runs[k]
                if 1 <= t <= len(rounds):
                    res = rounds[t - 1]
                    entry["dangers"] = {ids[i]: float(res.danger[0, i])
                                        for i in range(len(ids)) if m[i]}
                    entry["risk_exponents"] = {ids[i]: float(res.risk[0, i])
                                               for i in range(len(ids)) if m[i]}
                    entry["offers"] = [
                        {"receiver": ids[i], "sender": ids[int(res.sender[0, i])],
                         "kind": KIND_NAMES[int(res.kind[0, i])],
                         "eu_receiver": float(res.eu_receiver[0, i]),
                         "eu_sender": float(res.eu_sender[0, i]),
                         "new_position": float(res.position[0, i])}
                        for i in range(len(ids)) if res.sender[0, i] >= 0
                    ]
                elif t >= 1:
                    entry["offers"] = []
                per_issue[iid] = entry
            details.append({"issues": per_issue})
        return details

    def _notes(self, arrays: ScenarioArrays, medians: np.ndarray, moves: np.ndarray,
               opts: BdmOptions) -> list[str]:
        """Say so when the last round still moved: the model need not converge (the
        emission case cycles), so one round's median alone is not the forecast."""
        notes: list[str] = []
        played = moves.shape[1]
        if played == 0:
            return notes
        first = max(played - _NOTE_ROUNDS + 1, 1)
        for k, iid in enumerate(arrays.issue_ids):
            still = moves[:, -1, k] > 0
            if not still.any():
                continue
            label = "" if len(arrays.issue_ids) == 1 else f"{iid}: "
            if arrays.draws == 1:
                last = medians[0, first:, k]
                lo, hi = float(last.min()), float(last.max())
                spread = (f"the median stayed at {lo:.4g}" if lo == hi else
                          f"the median ranged {lo:.4g} to {hi:.4g}")
                notes.append(f"{label}not converged: actors still move in round {played}; "
                             f"over rounds {first}–{played} {spread}")
            else:
                share = still.mean()
                lo = float(medians[:, first:, k].min(axis=1).mean())
                hi = float(medians[:, first:, k].max(axis=1).mean())
                notes.append(f"{label}not converged in {share:.0%} of draws (actors still move "
                             f"in round {played}); over rounds {first}–{played} the median "
                             f"ranges on average {lo:.4g} to {hi:.4g} within a draw")
        return notes


# --------------------------------------------------------------------------------------------
# Explanation (shared/DESIGN.md, "Explanations and advice"): challenges won and lost, who moved
# whom, and whether the rounds settle.
# --------------------------------------------------------------------------------------------

from accord.models.base import Explanation, explains, on_scale  # noqa: E402

_MAX_PERIOD = 6  # longest cycle of positions looked for at the end of a run


def final_period(trajectory: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
    """The period of the positions' final cycle, per draw: the smallest p (1..6) with
    x(T − j) = x(T − j − p) for j = 0..p − 1, i.e. the last p rounds repeat the p before them;
    1 = settled (nobody moves), 0 = no cycle found. trajectory: (S, T+1, n) one issue's
    positions by round (round 0 = the input). Returns (S,) ints."""
    S, T1, _ = trajectory.shape
    T = T1 - 1
    period = np.zeros(S, dtype=np.int64)
    scale = np.maximum(np.abs(trajectory).max(axis=(1, 2)), 1.0)[:, None]
    for p in range(1, _MAX_PERIOD + 1):
        if 2 * p > T:
            break
        same = np.ones(S, dtype=bool)
        for j in range(p):
            diff = np.abs(trajectory[:, T - j] - trajectory[:, T - j - p]).max(axis=1)
            same &= diff <= tolerance * scale[:, 0]
        period = np.where((period == 0) & same, p, period)
    return period


@dataclass(frozen=True)
class Cycle:
    """Where a run ends, per draw and issue (S, d): the period of the final cycle
    (:func:`final_period`: 1 settled, 0 none found), the median of the round medians over it
    (over the last 5 rounds when no cycle is found) and their lowest and highest (the swing;
    low = high when settled)."""

    period: np.ndarray
    point: np.ndarray
    low: np.ndarray
    high: np.ndarray


def final_cycle(trajectory: np.ndarray, medians: np.ndarray) -> Cycle:
    """The forecast of a run that need not settle (DESIGN.md, BDM step 7). BDM (1994) reads
    the median once bargaining stops; Scholz et al. (2011) play a fixed 10 rounds and note
    the model need not converge. When the positions cycle, no round is the one to stop at, and
    which round's median one reads is an artefact of the round count (ukraine-2025: 20.0 after
    11 rounds, 74.6 after 10 or 12). So the forecast of such a run is the median of the round
    medians over its final cycle, which does not depend on where in the cycle the run stops,
    and the swing (lowest to highest) is reported beside it, never hidden in one number.
    trajectory (S, T+1, n, d), medians (S, T+1, d)."""
    S, T1, _, d = trajectory.shape
    T = T1 - 1
    period = np.stack([final_period(trajectory[:, :, :, k]) for k in range(d)], axis=-1) \
        if T else np.ones((S, d), dtype=np.int64)
    window = np.where(period >= 1, period, min(_NOTE_ROUNDS, T))
    point = medians[:, -1, :].copy()
    low, high = point.copy(), point.copy()
    for w in np.unique(window):
        w = int(max(w, 1))
        last = medians[:, T1 - w:, :]  # (S, w, d)
        sel = window == w
        point = np.where(sel, np.median(last, axis=1), point)
        low = np.where(sel, last.min(axis=1), low)
        high = np.where(sel, last.max(axis=1), high)
    return Cycle(period, point, low, high)


def cycle_notes(arrays: ScenarioArrays, cycle: Cycle, rule: str) -> list[str]:
    """What the forecast of a run that has not settled is, per issue (central run: one draw)."""
    if arrays.draws != 1 or rule != "cycle":
        return []
    notes = []
    for k, iid in enumerate(arrays.issue_ids):
        lo, hi = float(cycle.low[0, k]), float(cycle.high[0, k])
        if lo == hi:
            continue
        p = int(cycle.period[0, k])
        how = f"over its final cycle of {p} rounds" if p > 1 else "over the last rounds"
        label = "" if len(arrays.issue_ids) == 1 else f"{iid}: "
        notes.append(f"{label}forecast {float(cycle.point[0, k]):.4g} = the median of the round "
                     f"medians {how}, which swing {lo:.4g} ↔ {hi:.4g}")
    return notes


@explains("bdm")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """From the central run's rounds (draw 0): the challenges each actor won (receivers that
    lost a conflict to it moved onto its position) and lost, the compromises, who moved whom
    and by how much, and whether the run settles. A run whose last rounds still move is
    reported as the swing of the median over its final cycle (or its last five rounds when no
    exact cycle is found), never as one round's median (DESIGN.md, BDM step 7)."""
    ids = arrays.actor_ids
    why = Explanation("bdm")
    traj = forecast.trajectory
    medians = forecast.round_outcome
    if traj is None or medians is None:
        return why
    played = traj.shape[1] - 1
    for k, iid in enumerate(arrays.issue_ids):
        span = float(arrays.scale_range[k])
        if not arrays.mask[:, k].any():
            continue
        won: dict[str, int] = {}
        lost: dict[str, int] = {}
        compromised: dict[str, int] = {}
        moved: dict[tuple[str, str], list[float]] = {}
        kinds: dict[tuple[str, str], set[str]] = {}
        for t in range(1, played + 1):
            entry = forecast.details[t]["issues"][iid] if t < len(forecast.details) else {}
            for offer in entry.get("offers", []):
                s, r = offer["sender"], offer["receiver"]
                before = float(traj[0, t - 1, ids.index(r), k])
                step = abs(offer["new_position"] - before)
                if offer["kind"] == "conflict":
                    won[s] = won.get(s, 0) + 1
                    lost[r] = lost.get(r, 0) + 1
                else:
                    compromised[r] = compromised.get(r, 0) + 1
                moved.setdefault((s, r), []).append(step)
                kinds.setdefault((s, r), set()).add(offer["kind"])
        cycle = final_cycle(traj[:1, :, :, k:k + 1], medians[:1, :, k:k + 1])
        period = int(cycle.period[0, 0])
        settled = period == 1 or played == 0
        window = period if period > 1 else min(_NOTE_ROUNDS, played)
        lo, hi = float(cycle.low[0, 0]), float(cycle.high[0, 0])
        outcome = float(forecast.outcome[0, k])
        pairs = sorted(moved.items(), key=lambda kv: -sum(kv[1]))
        why.facts[iid] = {
            "outcome": outcome, "rounds": played, "last_median": float(medians[0, -1, k]),
            "median_by_round": [float(v) for v in medians[0, :, k]],
            "settled": bool(settled), "cycle_period": period if not settled else None,
            "swing": None if settled else [lo, hi],
            "conflicts_won": won, "conflicts_lost": lost, "compromises": compromised,
            "moved": [{"by": s, "actor": r, "times": len(v), "distance": float(sum(v))}
                      for (s, r), v in pairs],
        }
        start = float(medians[0, 0, k])
        text = [f"{iid}: the weighted median starts at {on_scale(start, span)}; after "
                f"{played} rounds of challenges it is {on_scale(float(medians[0, -1, k]), span)}."]
        if pairs:
            text.append("Who moved whom: " + "; ".join(
                f"{s} moved {r} {len(v)}× by {' and '.join(sorted(kinds[s, r]))} "
                f"({on_scale(sum(v), span)} points in all)"
                for (s, r), v in pairs[:3]) + ".")
        pushed: dict[str, set[str]] = {}
        for (s, r), _v in pairs:
            pushed.setdefault(r, set()).add(s)
        for r, senders in pushed.items():
            i = ids.index(r)
            path = traj[0, :, i, k]
            steps = np.diff(path)
            if len(senders) > 1 and (steps > 0).any() and (steps < 0).any():
                text.append(f"{r} is pulled back and forth by {' and '.join(sorted(senders))} "
                            f"(between {on_scale(float(path.min()), span)} and "
                            f"{on_scale(float(path.max()), span)}).")
        if won or lost:
            text.append("Conflicts won: " + (", ".join(f"{a} {c}" for a, c in
                                                    sorted(won.items(), key=lambda kv: -kv[1]))
                                             or "none")
                        + "; lost: " + (", ".join(f"{a} {c}" for a, c in
                                                  sorted(lost.items(), key=lambda kv: -kv[1]))
                                        or "none") + ".")
        if settled:
            text.append("The rounds settle: nobody moves at the end.")
        elif lo == hi:
            text.append(f"Actors still move at the end, but the median stays at "
                        f"{on_scale(lo, span)}.")
        else:
            how = (f"a cycle of {period} rounds" if period > 1
                   else f"no settled pattern over the last {window} rounds")
            rule = ("the forecast is the median over that cycle, "
                    f"{on_scale(float(cycle.point[0, 0]), span)}, with the swing beside it"
                    if forecast.options.get("forecast") == "cycle" else
                    "the forecast is the last round's median (forecast = last)")
            text.append(f"Not settled: the median swings between {on_scale(lo, span)} and "
                        f"{on_scale(hi, span)} ({how}), so the answer depends on the round the "
                        f"bargaining stops at: read it as the swing {on_scale(lo, span)}–"
                        f"{on_scale(hi, span)}, not as one number; {rule}.")
        if not pairs:
            text.append("No challenge moved anyone: the forecast is the initial median.")
        why.facts[iid]["deciding"] = [s for (s, _), _ in pairs[:3]]
        why.sentences[iid] = text
    return why
