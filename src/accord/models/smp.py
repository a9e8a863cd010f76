"""KTAB's spatial model of politics (SMP): probabilistic Condorcet elections over positions in
a space of all issues at once.

The model of KAPSARC's Toolkit for Behavioral Analysis (KTAB, MIT licence; used e.g. by Efird,
Lester & Wise 2016, "Analyzing coalitions in China's policy formulation", J. East Asian
Studies 16: 117–145), written from shared/DESIGN.md, "Spatial model of politics", and checked
step by step against the 2017 reference logs of KTAB's own program `smpc`
(shared/reference/ktab/). Positions and saliences work on [0, 1]; each step, from the
positions θ (ideals q follow positions):

1. salience-weighted distances d_ij = sqrt(Σ_p (s_ip (q_ip − θ_jp))² / Σ_p s_ip²) and
   utilities u(d, R) = (1 − d)(1 + R d)  (:func:`salience_distance`, :func:`risk_utility`);
2.–4. votes, coalitions, victory probabilities and the probabilistic Condorcet election
   (:func:`vote`, :func:`coalition_strengths`, :func:`victory_probability`,
   :func:`condorcet_probabilities`);
5. risk attitudes R from an election over the actors' positions with risk-neutral utilities,
   and actor h's view r_hi of actor i's attitude (:func:`risk_attitudes`, :func:`perceived_risk`);
6. for every initiator i and target j, i's estimate of P(i ≻ j) with third parties and i's
   expected gain from challenging (:func:`best_challenges`);
7. each initiator's bargain with its best target, interpolated per dimension and rounded to 4
   decimals (:func:`interpolate_bargains`);
8. each actor's election among the bargains in its queue and "stay put"
   (:func:`resolve_queues`);
9. stop when a step t ≥ 2 moves less than 2 % of the first step's movement, or at 100 steps.
   Each state's election over the unique positions (merged within 1e-3, :func:`unique_positions`)
   gives the per-actor probabilities; accord's point forecast is the probability-weighted mean
   of the unique positions, beside the most probable one.

Two details are not in DESIGN.md; both come from KTAB's printed values:

* each side's offer in step 7 counts its own position with an extra weight of 1e-6 (KTAB's
  minimum weight), X_own = ((W_own + 1e-6) θ_own + W_other θ_other) / (W_own + 1e-6 + W_other),
  so the two offers of one bargain can differ by 0.0001 (dummyData_3Dim, step 1: SActor-00 at
  44.71 and SActor-04 at 44.72 from the same bargain). This fits all 1,744 offer coordinates
  printed in the two 2017 logs; without it 16 of them come out one unit off;
* the election over unique positions takes as representatives the first actors (in input
  order) not within 1e-3 of an earlier representative, but reports for each actor the
  probability of the *last* representative within 1e-3 of it (SOE-Policy: Zhang Gaoli at
  38.64 shows the probability of Shanxi's 38.61, not of Xi Jinping's 38.73).

KTAB also prints an O(n⁴) table each step (every actor's view of every challenge); it is only
logged, so a step here is O(n³): every array below has at most three actor axes. Draws are
batched: every kernel takes a leading axis of draws, each chunk of draws runs the steps
together, and a draw that has stopped leaves the working set. The only Python loops are over
steps, over chunks of draws, over cache-sized blocks of initiators and of options (the
arithmetic inside each block is one array expression), over issues in the distances, and over
actors (not pairs) when picking the representatives of the unique positions, which is
sequential by definition. The Markov elections are solved for their stationary distribution
directly (one batched linear solve), not iterated.

Speed (benchmarks/README.md, "smp"): the O(n³) kernels write into work buffers reused across
blocks (fresh arrays of a block's size cost more in page faults than in arithmetic), keep the
summed axis contiguous, and sum third parties' votes as a product with the weights (BLAS);
the queue elections take products over each queue's own pairs. The challenge sums stay O(n³):
each third party's vote passes through π_k, a ratio that mixes the pair's own strengths into
the voter's term, so the sum over voters has no sorted prefix-sum form like BDM's linear votes
(and with perceived risk attitudes every initiator has its own utility matrix). For large
Monte Carlo runs the same arithmetic runs compiled (:mod:`accord.models.smp_compiled`,
numba): the kernels, and whole draws where the options allow (:func:`whole_draws_apply`);
:func:`compiled_chosen` says when (a run's work, or :meth:`SMPModel.prepare` for many runs).
"""

# Longer than ~500 lines on purpose: one model, one module (shared/DESIGN.md "Layout"). The
# KTAB kernels (victory probabilities, PCE, bargains, the step) serve this model only and are
# tested together against KTAB's own runs; split apart they would scatter one model's
# specification over several files.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import (
    BaseModel,
    Cost,
    EngineCost,
    Forecast,
    Interval,
    ModelOptions,
    compiled_wanted,
    parallel_map,
    register,
)

VictoryProbModel = Literal["Linear", "Square", "Quartic", "Octic"]
PCEModel = Literal["Conditional", "MarkovIncentive", "MarkovUniform"]
StateTransitions = Literal["Deterministic", "Stochastic"]
VotingRule = Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"]
BigRAdjust = Literal["Full", "TwoThirds", "Half", "OneThird", "NoRA"]
BigRRange = Literal["Min", "Mid", "Max"]
ThirdPartyCommit = Literal["FullCommit", "SemiCommit", "NoCommit"]
InterVecBrgn = Literal["S1P1", "S2P2", "S2PMax"]
BargnModel = Literal["InitOnlyInterp", "PWCompInterp"]

COALITION_FLOOR = 1e-8  # C(a:b) = 1e-8 + Σ_k max(0, v_k)      (DESIGN.md step 3)
CHALLENGE_FLOOR = 1e-10  # C⁰_ij = 1e-10 + ...                  (DESIGN.md step 6)
MIN_GAIN = 1e-5  # an initiator challenges only if its best gain exceeds this (step 7)
OWN_WEIGHT = 1e-6  # extra weight of each side's own position in its offer (KTAB's logs)
DECIMALS = 4  # offers are rounded to 4 decimals on [0, 1] (step 7)
_BUDGET = 1_500_000  # elements per chunk of draws (n³ per draw); bounds memory
_BLOCK = 32_768  # elements per working block inside a step, sized to stay in cache
_WHOLE_DRAWS = 256  # draws per piece when whole draws run compiled, pieces side by side
VICTORY_POWER = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}  # f(x) = x^power


# --------------------------------------------------------------------------------------------
# Kernels: small pure functions over arrays with any leading batch axes.
# --------------------------------------------------------------------------------------------


def salience_distance(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray
                      ) -> np.ndarray:
    """d_ij = sqrt(Σ_p (s_ip (q_ip − θ_jp))² / Σ_p s_ip²)  (DESIGN.md SMP step 1).

    ideal, salience: (..., n, d) the voters' ideals and saliences; position: (..., m, d) the
    positions judged. Returns (..., n, m). An actor with no salience anywhere sees every
    position at distance 0.
    """
    # one (..., n, m) array per issue, summed in issue order: the same sums as a reduction
    # over a short last axis, without its per-element overhead
    num = np.zeros(np.broadcast_shapes((*ideal.shape[:-1], 1),
                                       (*position.shape[:-2], 1, position.shape[-2])))
    diff = np.empty_like(num)
    for p in range(ideal.shape[-1]):
        np.subtract(ideal[..., :, None, p], position[..., None, :, p], out=diff)
        diff *= salience[..., :, None, p]
        diff *= diff
        num += diff
    den = (salience * salience).sum(axis=-1)[..., :, None]
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return np.sqrt(ratio)


def risk_utility(distance: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """u(d, R) = (1 − d)(1 + R d): risk-neutral at R = 0, risk-averse (concave) for R > 0."""
    return (1.0 - distance) * (1.0 + risk * distance)


def vote(weight: np.ndarray | float, delta: np.ndarray, rule: VotingRule = "Prop"
         ) -> np.ndarray:
    """A voter's vote for a over b from its utility difference Δ = u(a) − u(b) (step 2)."""
    if rule == "Prop":
        return weight * delta
    if rule == "Binary":
        return weight * np.sign(delta)
    if rule == "Cubic":
        return weight * delta ** 3
    if rule == "PropCbc":
        return weight * (delta + delta ** 3) / 2.0
    if rule == "PropBin":
        return weight * (0.8 * delta + 0.2 * np.sign(delta))
    if rule == "ASymProsp":
        return np.where(delta < 0, weight * delta, (2.0 / 3.0) * weight * delta)
    raise ValueError(f"unknown voting rule {rule!r}")


def _vote_into(weight: np.ndarray | float, delta: np.ndarray, rule: VotingRule) -> np.ndarray:
    """:func:`vote` that may overwrite ``delta`` (a fresh temporary) to save a pass."""
    if rule == "Prop":
        return np.multiply(weight, delta, out=delta)
    return vote(weight, delta, rule)


def coalition_strengths(weight: np.ndarray, utility: np.ndarray, rule: VotingRule = "Prop"
                        ) -> np.ndarray:
    """C(a:b) = 1e-8 + Σ_k max(0, v(w_k, U_ka − U_kb))  (step 3).

    weight: (..., k) voters' weights (≥ 0); utility: (..., k, m) each voter's utility of each
    option. Returns (..., m, m), row a, column b. Every voting rule is v(w, Δ) = w g(Δ), so
    max(0, v) = w max(0, g(Δ)) exactly and the sum over voters is a product with w. Blocked
    over a so the working arrays stay in cache.
    """
    *lead, k, m = utility.shape
    batch = int(np.prod(lead, dtype=np.int64))
    ut = np.ascontiguousarray(np.swapaxes(utility, -1, -2))  # (..., m, k)
    w = weight[..., None, :, None]  # (..., 1, k, 1)
    out = np.empty((*lead, m, m))
    block = max(1, _BLOCK // max(1, batch * m * k))
    work = np.empty(batch * min(block, m) * m * k)  # reused by every block: no fresh pages
    for a0 in range(0, m, block):
        a1 = min(m, a0 + block)
        delta = np.subtract(ut[..., a0:a1, None, :], ut[..., None, :, :],
                            out=work[:batch * (a1 - a0) * m * k].reshape(*lead, a1 - a0, m, k))
        g = vote(1.0, delta, rule) if rule != "Prop" else delta
        np.maximum(g, 0.0, out=g)
        out[..., a0:a1, :] = COALITION_FLOOR + (g @ w)[..., 0]
    return out


def victory_probability(strength_for: np.ndarray, strength_against: np.ndarray,
                        model: VictoryProbModel = "Linear") -> np.ndarray:
    """V(a ≻ b) = f(C(a:b)) / (f(C(a:b)) + f(C(b:a))), f(x) = x, x², x⁴ or x⁸ (step 3)."""
    power = VICTORY_POWER[model]
    if power == 1:
        fa, fb = strength_for, strength_against
    else:
        fa = strength_for ** power
        fb = strength_against ** power
    return fa / (fa + fb)


def condorcet_probabilities(victory: np.ndarray, valid: np.ndarray | None = None,
                            model: PCEModel = "Conditional") -> np.ndarray:
    """The probabilistic Condorcet election: P(a) from V(a ≻ b)  (step 4).

    victory: (..., m, m) with V(a ≻ a) = 1/2; valid: (..., m) which options stand (others get
    probability 0). Conditional: P(a) ∝ Π_b V(a ≻ b) over the standing b (KTAB's default).
    MarkovUniform: from the incumbent j a challenger i is drawn uniformly from all m options
    (itself included) and wins with V(i ≻ j); MarkovIncentive: the challenger is drawn in
    proportion to its chance V(i ≻ j) (accord's reading of KTAB's "incentive" chain). Both
    return the chain's stationary distribution, solved for directly.
    """
    m = victory.shape[-1]
    if valid is None:
        valid = np.ones(victory.shape[:-1], dtype=bool)
    pair_ok = valid[..., :, None] & valid[..., None, :]
    if model == "Conditional":
        p = np.prod(np.where(pair_ok, victory, 1.0), axis=-1)
        p = np.where(valid, p, 0.0)
        return p / p.sum(axis=-1, keepdims=True)
    count = valid.sum(axis=-1, keepdims=True)
    v = np.where(pair_ok, victory, 0.0)
    if model == "MarkovUniform":
        move = v / count[..., None]  # move[i, j]: from incumbent j to challenger i
    elif model == "MarkovIncentive":
        off = v * (1.0 - np.eye(m))
        total = off.sum(axis=-2, keepdims=True)
        move = np.divide(off * off, total, out=np.zeros_like(off), where=total > 0)
    else:
        raise ValueError(f"unknown PCE model {model!r}")
    eye = np.eye(m, dtype=bool)
    move = np.where(eye, 0.0, move)
    stay = 1.0 - move.sum(axis=-2)
    # the stationary distribution directly: (I − M) p = 0 with Σ p = 1 over the standing
    # options, M = move + diag(stay) column-stochastic and irreducible there (every V > 0),
    # so A = I − M + 1 1ᵀ (standing block; identity for the others) is regular and
    # A p = 1 gives it (1ᵀ (I − M) = 0, hence Σ p = 1). One batched solve instead of the
    # power iteration the chain defines (which stops within MARKOV_TOLERANCE of it).
    ones = np.where(valid, 1.0, 0.0)
    a = np.negative(move)
    a[..., eye] += 1.0 - stay
    a += ones[..., :, None] * ones[..., None, :]
    a[..., eye] += np.where(valid, 0.0, 1.0)
    p = np.linalg.solve(a, ones[..., None])[..., 0]
    p = np.where(valid, np.maximum(p, 0.0), 0.0)
    return p / p.sum(axis=-1, keepdims=True)


def election(weight: np.ndarray, utility: np.ndarray, valid: np.ndarray | None = None, *,
             rule: VotingRule = "Prop", victory: VictoryProbModel = "Linear",
             pce: PCEModel = "Conditional", kernels: Kernels | None = None) -> np.ndarray:
    """Election among options by voters: weight (..., k), utility (..., k, m) → P (..., m)."""
    c = (kernels or NUMPY_KERNELS).coalitions(weight, utility, rule)
    v = victory_probability(c, np.swapaxes(c, -1, -2), victory)
    return condorcet_probabilities(v, valid, pce)


def risk_attitudes(probability: np.ndarray, big_r_range: BigRRange = "Mid") -> np.ndarray:
    """R_i from the election probabilities p over the actors' positions (step 5).

    Mid: (3 p − p_max − 2 p_min) / (2 (p_max − p_min)) ∈ [−1/2, 1]; Min: (p − p_min) /
    (p_max − p_min) ∈ [0, 1]; Max: (2 p − p_max − p_min) / (p_max − p_min) ∈ [−1, 1].
    The most likely position's holder is the most risk-averse. When all p are equal R = 0.
    """
    hi = probability.max(axis=-1, keepdims=True)
    lo = probability.min(axis=-1, keepdims=True)
    span = hi - lo
    if big_r_range == "Mid":
        num, den = 3 * probability - hi - 2 * lo, 2 * span
    elif big_r_range == "Min":
        num, den = probability - lo, span
    elif big_r_range == "Max":
        num, den = 2 * probability - hi - lo, span
    else:
        raise ValueError(f"unknown BigRRange {big_r_range!r}")
    return np.divide(num, den, out=np.zeros_like(probability), where=span > 0)


def perceived_risk(risk: np.ndarray, adjust: BigRAdjust = "OneThird") -> np.ndarray:
    """r_hi, actor h's estimate of i's risk attitude: (..., n) → (..., n_h, n_i) (step 5).

    OneThird: (2 R_h + R_i)/3 (KTAB's default); Half: (R_h + R_i)/2; TwoThirds: (R_h + 2 R_i)/3;
    Full: R_i (h knows it); NoRA: R_h (h projects its own).
    """
    rh = risk[..., :, None]
    ri = risk[..., None, :]
    if adjust == "OneThird":
        return (2.0 * rh + ri) / 3.0
    if adjust == "Half":
        return (rh + ri) / 2.0
    if adjust == "TwoThirds":
        return (rh + 2.0 * ri) / 3.0
    if adjust == "Full":
        return np.broadcast_to(ri, rh.shape[:-1] + ri.shape[-1:]).copy()
    if adjust == "NoRA":
        return np.broadcast_to(rh, rh.shape[:-1] + ri.shape[-1:]).copy()
    raise ValueError(f"unknown BigRAdjust {adjust!r}")


def challenge_probability(u_ii: np.ndarray, u_ij: np.ndarray, u_ji: np.ndarray,
                          u_jj: np.ndarray, u_ki: np.ndarray, u_kj: np.ndarray,
                          u_kk: np.ndarray, w_i: np.ndarray, w_j: np.ndarray,
                          w_k: np.ndarray, third: np.ndarray | None, *,
                          rule: VotingRule = "Prop", commit: ThirdPartyCommit = "SemiCommit"
                          ) -> np.ndarray:
    """P(i ≻ j) in i's challenge of j, with the principals' and third parties' votes (step 6).

    All utilities are one perceiver's. Principals (shape (...)): a_i = v(w_i, U_ii − U_ij),
    a_j = v(w_j, U_ji − U_jj), C⁰_ij = 1e-10 + max(0, a_i) + max(0, a_j) and C⁰_ji likewise
    with −a. Third parties k on the last axis (shape (..., k)): v_k = v(w_k, U_ki − U_kj),
    π_k = (C⁰_ij + max(0, v_k)) / (C⁰_ij + max(0, v_k) + C⁰_ji + max(0, −v_k)), and
    SemiCommit votes v(w_k, π_k (U_kk − U_ki) + (1 − π_k)(U_kj − U_kk)) for i (if > 0) or j;
    FullCommit votes v_k; NoCommit stays out. Weights are c·S. `third` (broadcastable to
    (..., k)) is False where k is i or j; None means the caller has zeroed those votes'
    weights already.
    """
    a_i = vote(w_i, u_ii - u_ij, rule)
    a_j = vote(w_j, u_ji - u_jj, rule)
    c_ij = CHALLENGE_FLOOR + np.maximum(a_i, 0.0) + np.maximum(a_j, 0.0)
    c_ji = CHALLENGE_FLOOR + np.maximum(-a_i, 0.0) + np.maximum(-a_j, 0.0)
    if commit == "NoCommit":
        return c_ij / (c_ij + c_ji)
    v_k = _vote_into(w_k, u_ki - u_kj, rule)
    if commit == "SemiCommit":
        cij = c_ij[..., None]
        for_i = np.maximum(v_k, 0.0)
        for_i += cij
        total = np.abs(v_k, out=v_k)
        total += cij + c_ji[..., None]  # max(0, v) + max(0, −v) = |v|
        pi_k = np.divide(for_i, total, out=for_i)
        back = u_kj - u_kk  # (1 − π)(U_kj − U_kk) + π (U_kk − U_ki)
        back *= np.subtract(1.0, pi_k, out=total)
        pi_k *= u_kk - u_ki
        back += pi_k
        v_k = _vote_into(w_k, back, rule)
    elif commit != "FullCommit":
        raise ValueError(f"unknown ThirdPartyCommit {commit!r}")
    if third is not None:
        v_k = np.where(third, v_k, 0.0)
    c_ij = c_ij + np.maximum(v_k, 0.0).sum(axis=-1)
    c_ji = c_ji - np.minimum(v_k, 0.0).sum(axis=-1)
    return c_ij / (c_ij + c_ji)


def challenge_gain(p: np.ndarray, u_ki: np.ndarray, u_kj: np.ndarray, s_j: np.ndarray
                   ) -> np.ndarray:
    """Actor k's expected gain from i challenging j (step 6): EU_chlg − EU_SQ with
    EU_SQ = U_ki + U_kj, EU_contest = 2 P U_ki + 2 (1 − P) U_kj and
    EU_chlg = (1 − S_j) 2 U_ki + S_j EU_contest (j resists with probability S_j)."""
    contest = 2.0 * p * u_ki + 2.0 * (1.0 - p) * u_kj
    return (1.0 - s_j) * 2.0 * u_ki + s_j * contest - (u_ki + u_kj)


def best_challenges(distance: np.ndarray, perceived: np.ndarray, weight: np.ndarray,
                    total_salience: np.ndarray, *, rule: VotingRule = "Prop",
                    commit: ThirdPartyCommit = "SemiCommit"
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each initiator's best target as it sees it (steps 6–7).

    distance: (B, n, n) d(q_a, θ_x); perceived: (B, n, n) r_hi; weight: (B, n) c·S;
    total_salience: (B, n) S. Initiator i judges with its own view U^i_ax = u(d_ax, r_ia).
    Returns target (B, n) (first maximum), i's estimate P^i(i ≻ target) and i's gain.

    The arithmetic of :func:`challenge_probability`, laid out for speed: O(n³) per draw,
    blocked over initiators, each block's (B, v, j, k) arrays written into three work buffers
    reused by every block (fresh arrays of this size cost more in page faults than in
    arithmetic), third parties k on the contiguous last axis. The sums over third parties are
    products with the weights (every voting rule is w g(Δ) with w ≥ 0, so Σ_k max(0, w_k g_k)
    = max(0, g) · w): k = j is left out by zeroing the diagonal, k = i by a zero weight. The
    only difference from :func:`challenge_probability` is the order of those sums (rounding;
    tests/test_smp.py checks the two agree).

    Why O(n³) stays: the third party's vote passes through π_k = (C⁰_ij + max(0, v_k)) /
    (C⁰_ij + C⁰_ji + |v_k|), which mixes the pair's own strengths into each voter's term, so
    the sum over k does not split into per-pair and per-voter parts (no sorting or prefix-sum
    shortcut as for BDM's linear votes) — with perceived risk attitudes every initiator also
    has its own utility matrix.
    """
    B, n, _ = distance.shape
    target = np.zeros((B, n), dtype=int)
    prob = np.zeros((B, n))
    gain = np.zeros((B, n))
    idx = np.arange(n)
    dist_t = np.ascontiguousarray(np.swapaxes(distance, -1, -2))  # (B, x, a) = d(q_a, θ_x)
    near = 1.0 - dist_t
    w_k = weight[:, None, None, :]
    block = max(1, _BLOCK // max(1, B * n * n))
    size = B * min(block, n) * n * n
    buf_u, buf_d, buf_p = np.empty(size), np.empty(size), np.empty(size)
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        ii = idx[i0:i1]
        V = i1 - i0
        vb = np.arange(V)
        shape = (B, V, n, n)
        used = B * V * n * n
        # Ut[b, v, x, a] = U^i_ax = u(d_ax, r_ia) = (1 − d)(1 + r d) for initiator i = ii[v]
        Ut = np.multiply(perceived[:, ii, None, :], dist_t[:, None],
                         out=buf_u[:used].reshape(shape))
        Ut += 1.0
        Ut *= near[:, None]
        u_xi = Ut[:, vb, ii, :]  # (B, v, a): U^i_ai, each actor's utility of i's position
        u_xx = np.diagonal(Ut, axis1=-2, axis2=-1).copy()  # (B, v, a): U^i_aa
        u_ix = np.swapaxes(Ut, -1, -2)[:, vb, ii, :]  # (B, v, x): U^i_ix
        u_ii = u_xi[:, vb, ii][..., None]  # (B, v, 1)
        # principals, per pair (initiator v, target j): a_i, a_j as in challenge_probability
        a_i = vote(weight[:, ii][..., None], u_ii - u_ix, rule)
        a_j = vote(weight[:, None, :], u_xi - u_xx, rule)
        c_ij = CHALLENGE_FLOOR + np.maximum(a_i, 0.0) + np.maximum(a_j, 0.0)
        c_ji = CHALLENGE_FLOOR + np.maximum(-a_i, 0.0) + np.maximum(-a_j, 0.0)
        if commit in ("SemiCommit", "FullCommit"):
            # third parties k last: U_kj = Ut[b, v, j, k], U_ki = u_xi[b, v, k]
            delta = np.subtract(u_xi[:, :, None, :], Ut, out=buf_d[:used].reshape(shape))
            if commit == "SemiCommit":
                v_k = _vote_into(w_k, delta, rule)
                cij = c_ij[..., None]
                pi_k = np.maximum(v_k, 0.0, out=buf_p[:used].reshape(shape))
                pi_k += cij
                total = np.abs(v_k, out=v_k)  # max(0, v) + max(0, −v) = |v|
                total += cij + c_ji[..., None]
                np.divide(pi_k, total, out=pi_k)
                # (1 − π)(U_kj − U_kk) + π (U_kk − U_ki), as one perceiver's vote for i
                back = np.subtract(Ut, u_xx[:, :, None, :], out=Ut)
                back *= np.subtract(1.0, pi_k, out=total)
                pi_k *= (u_xx - u_xi)[:, :, None, :]
                back += pi_k
                g = _vote_into(1.0, back, rule)
            else:
                g = _vote_into(1.0, delta, rule)
            g.reshape(B, V, n * n)[..., :: n + 1] = 0.0  # k = j votes for neither side
            wz = np.repeat(weight[:, None, :], V, axis=1)
            wz[:, vb, ii] = 0.0  # k = i neither
            wz = wz[..., None]
            part = buf_p[:used].reshape(shape)  # π is spent: its buffer takes the halves
            c_ij = c_ij + (np.maximum(g, 0.0, out=part) @ wz)[..., 0]
            c_ji = c_ji - (np.minimum(g, 0.0, out=part) @ wz)[..., 0]
        elif commit != "NoCommit":
            raise ValueError(f"unknown ThirdPartyCommit {commit!r}")
        p = c_ij / (c_ij + c_ji)
        g_ij = challenge_gain(p, u_ii, u_ix, total_salience[:, None, :])
        g_ij[:, vb, ii] = -np.inf
        best = np.argmax(g_ij, axis=-1)
        target[:, i0:i1] = best
        pick = np.arange(B * V) * n + best.ravel()  # flat (draw, initiator, best target)
        prob[:, i0:i1] = p.reshape(-1)[pick].reshape(B, V)
        gain[:, i0:i1] = g_ij.reshape(-1)[pick].reshape(B, V)
    return target, prob, gain


def interpolate_bargains(own: np.ndarray, other: np.ndarray, s_own: np.ndarray,
                         s_other: np.ndarray, p_own: np.ndarray,
                         method: InterVecBrgn = "S2P2") -> np.ndarray:
    """The position one side of a bargain is offered, per dimension (step 7), on [0, 1].

    own, other, s_own, s_other: (..., d); p_own: (...) the side's chance of winning as the
    initiator estimates it. S2P2 weights W = s² p²; S1P1 W = s p; S2PMax W = s² times 1 for
    the likelier winner and 0 for the other (accord's reading). The offer is
    ((W_own + 1e-6) θ_own + W_other θ_other) / (W_own + 1e-6 + W_other), rounded to 4 decimals.
    """
    p_own = p_own[..., None]
    p_other = 1.0 - p_own
    if method == "S2P2":
        w_own = s_own * s_own * (p_own * p_own)
        w_other = s_other * s_other * (p_other * p_other)
    elif method == "S1P1":
        w_own = s_own * p_own
        w_other = s_other * p_other
    elif method == "S2PMax":
        w_own = s_own * s_own * (p_own >= p_other)
        w_other = s_other * s_other * (p_other > p_own)
    else:
        raise ValueError(f"unknown InterVecBrgn {method!r}")
    w_own = w_own + OWN_WEIGHT
    return np.round((w_own * own + w_other * other) / (w_own + w_other), DECIMALS)


def bargain_values(own_utility: np.ndarray, ideal: np.ndarray, salience: np.ndarray,
                   risk: np.ndarray, offer_init: np.ndarray, offer_target: np.ndarray,
                   target: np.ndarray, kernels: Kernels | None = None) -> np.ndarray:
    """Every actor's value of every option (step 8): (B, a, 1 + n).

    Option 0 is "no bargain": W_a = (1/n) Σ_x U_ax with U_ax = u(d(q_a, θ_x), R_a). Option
    1 + m is the state where only the bargain initiated by m happens: m moves to offer_init[m]
    and its target to offer_target[m], W_a = (1/n)[u_a(offer_init[m]) + u_a(offer_target[m]) +
    Σ_{x ≠ m, target} U_ax]. own_utility: (B, a, x); ideal, salience: (B, n, d); risk (B, n);
    offers (B, m, d); target (B, m).
    """
    n = own_utility.shape[-1]
    base = own_utility.sum(axis=-1)  # (B, a)
    r = risk[..., None]
    distance = (kernels or NUMPY_KERNELS).distance
    moved = (risk_utility(distance(ideal, offer_init, salience), r)
             + risk_utility(distance(ideal, offer_target, salience), r))
    held = own_utility + np.take_along_axis(
        own_utility, np.broadcast_to(target[:, None, :], own_utility.shape), axis=-1)
    value_m = (base[..., None] - held + moved) / n
    return np.concatenate([base[..., None] / n, value_m], axis=-1)


def resolve_queues(option_value: np.ndarray, capability: np.ndarray, member: np.ndarray, *,
                   rule: VotingRule = "Prop", victory: VictoryProbModel = "Linear",
                   pce: PCEModel = "Conditional", uniform: np.ndarray | None = None,
                   kernels: Kernels | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's choice among the options of its queue (step 8).

    option_value: (B, n, m) every actor's value of every option (option 0 = no bargain);
    member: (B, n, m) which options are in each actor's queue. Each queue is an election with
    weights c among its options, in option order; the actor takes the most probable (first
    maximum), or, given uniforms (B, n), samples it. Returns the chosen option (B, n) and its
    probability.
    """
    strength = (kernels or NUMPY_KERNELS).coalitions(capability, option_value, rule)
    v_all = victory_probability(strength, np.swapaxes(strength, -1, -2), victory)
    B = member.shape[0]
    size = member.sum(axis=-1)
    width = int(size.max())
    order = np.argsort(~member, axis=-1, kind="stable")[..., :width]  # queue's options first
    valid = np.arange(width)[None, None, :] < size[..., None]
    if pce == "Conditional":
        p = _queue_products(v_all, member, width)
        p /= p.sum(axis=-1, keepdims=True)
    else:
        b = np.arange(B)[:, None, None, None]
        sub = v_all[b, order[..., :, None], order[..., None, :]]  # (B, n, L, L)
        p = condorcet_probabilities(sub, valid, pce)
    if uniform is None:
        pick = np.argmax(np.where(valid, p, -1.0), axis=-1)
    else:
        cum = np.cumsum(p, axis=-1)
        pick = np.minimum((cum <= uniform[..., None]).sum(axis=-1), size - 1)
    chosen = np.take_along_axis(order, pick[..., None], axis=-1)[..., 0]
    return chosen, np.take_along_axis(p, pick[..., None], axis=-1)[..., 0]


def _queue_products(victory: np.ndarray, member: np.ndarray, width: int) -> np.ndarray:
    """Π_{b in queue} V(a ≻ b) for each queue's options a, in option order: (B, n, width),
    0 past each queue's end (the Conditional election of :func:`resolve_queues`, unnormalised).

    Queues are short (an actor's own bargain, "stay" and those that target it: ~3 options)
    but one actor may be the target of many, so a (B, n, width, width) array would be mostly
    padding. The products are taken over the queues' pairs only, laid end to end: one
    multiply.reduceat over the pairs of each option, in the same order as a row product.
    """
    B, n, m = member.shape
    bq, hq, oq = np.nonzero(member)  # every queue's options, queue by queue, in option order
    size = member.sum(axis=-1).ravel()  # (B n,) each queue's length, ≥ 1 (option 0)
    first = np.cumsum(size) - size  # each queue's first entry
    length = np.repeat(size, size)  # per entry: its queue's length
    seg = np.cumsum(length) - length  # per entry: where its pairs start
    owner = np.repeat(np.arange(bq.size), length)  # per pair: the option a
    partner = np.repeat(np.repeat(first, size), length) + np.arange(owner.size) - seg[owner]
    flat = (bq[owner] * m + oq[owner]) * m + oq[partner]
    prod = np.multiply.reduceat(victory.reshape(-1)[flat], seg)
    out = np.zeros((B, n, width))
    out[bq, hq, np.arange(bq.size) - np.repeat(first, size)] = prod
    return out


def unique_positions(position: np.ndarray, tolerance: float = 1e-3
                     ) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's unique positions: (B, n, d) → representatives (B, n) bool and, per actor, the
    representative it is reported with (B, n).

    An actor is a representative when no earlier representative lies within `tolerance`
    (Euclidean, on [0, 1]); each actor is reported with the last representative within
    `tolerance` of it (see the module docstring).
    """
    B, n, d = position.shape
    square = np.zeros((B, n, n))
    for p in range(d):  # issue by issue, as in salience_distance
        gap = position[:, :, None, p] - position[:, None, :, p]
        gap *= gap
        square += gap
    close = np.sqrt(square) < tolerance
    rep = np.zeros((B, n), dtype=bool)
    for i in range(n):
        rep[:, i] = ~(close[:, i, :i] & rep[:, :i]).any(axis=-1)
    group = np.where(close & rep[:, None, :], np.arange(n), -1).max(axis=-1)
    return rep, group


@dataclass(frozen=True)
class Kernels:
    """The three heavy kernels a step calls: the numpy ones above (:data:`NUMPY_KERNELS`) or
    their numba twins in :mod:`accord.models.smp_compiled` (:func:`compiled_kernels`), with
    the same signatures and results (to rounding in the order of sums)."""

    distance: Any  # salience_distance(ideal, position, salience)
    coalitions: Any  # coalition_strengths(weight, utility, rule)
    challenges: Any  # best_challenges(distance, perceived, weight, total_salience, *, ...)
    # whole_draws(pos, sal, cap, options): draws played start to stop, summaries only, as
    # SMPModel._run_chunk(..., keep_rows=0) returns them; None: not available
    whole_draws: Any = None


def whole_draws_apply(options: Any) -> bool:
    """Whether the compiled whole-draw loop covers these SMP options: voting rule Prop, the
    Conditional election, deterministic transitions and InitOnlyInterp bargains (every
    victory model, commitment, BigRRange, BigRAdjust and InterVecBrgn)."""
    return (options.voting_rule == "Prop" and options.pce_model == "Conditional"
            and options.state_transitions == "Deterministic"
            and options.bargn_model == "InitOnlyInterp")


NUMPY_KERNELS = Kernels(salience_distance, coalition_strengths, best_challenges)
# runs of at least this much work (:func:`numpy_work`) use the compiled kernels when numba
# is there: below it, importing numba and loading its cached code (~0.3 s) would not pay
COMPILED_FROM = 4_000_000


def compiled_kernels() -> Kernels | None:
    """The numba kernels (voting rule Prop; other rules fall through to numpy), or None where
    numba cannot be imported."""
    try:
        from accord.models import smp_compiled as c
    except ImportError:  # pragma: no cover - numba is a dependency; kept for odd platforms
        return None

    def flat(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a, dtype=float)

    def coalitions(weight: np.ndarray, utility: np.ndarray, rule: VotingRule = "Prop"
                   ) -> np.ndarray:
        if rule != "Prop" or utility.ndim != 3:
            return coalition_strengths(weight, utility, rule)
        return c.coalition_strengths(flat(weight), flat(utility))

    def distance(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray) -> np.ndarray:
        if not ideal.ndim == position.ndim == 3 or ideal.shape[0] != position.shape[0]:
            return salience_distance(ideal, position, salience)
        return c.salience_distance(flat(ideal), flat(position), flat(salience))

    def challenges(distance: np.ndarray, perceived: np.ndarray, weight: np.ndarray,
                   total_salience: np.ndarray, *, rule: VotingRule = "Prop",
                   commit: ThirdPartyCommit = "SemiCommit"
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if rule != "Prop":
            return best_challenges(distance, perceived, weight, total_salience, rule=rule,
                                   commit=commit)
        return c.best_challenges(flat(distance), flat(perceived), flat(weight),
                                 flat(total_salience), c.COMMITS.index(commit))

    def whole_draws(pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, o: Any
                    ) -> dict[str, Any]:
        outcome, likely, change, steps = c.play_draws(
            flat(pos), flat(sal), flat(cap), o.max_steps, o.stop_fraction, o.merge_tolerance,
            c.COMMITS.index(o.third_party_commit), VICTORY_POWER[o.victory_prob_model],
            c.RANGES.index(o.big_r_range), c.ADJUSTS.index(o.big_r_adjust),
            c.INTERPOLATIONS.index(o.inter_vec_brgn))
        _, n, d = pos.shape
        T = int(steps.max()) + 1
        return {"position": np.empty((0, T, n, d)), "outcome": outcome[:, :T],
                "most_probable": likely[:, :T], "probability": np.empty((0, T, n)),
                "risk": np.empty((0, T, n)), "change": change[:, :T], "steps": steps,
                "details": []}

    return Kernels(distance, coalitions, challenges, whole_draws)


def numpy_work(draws: int, actors: int) -> int:
    """A run's work for the numpy kernels, in actor³ units: draws × (n³ + 130 n), after
    the declared numpy cost (2.6 ns × n³ + 340 ns × n a draw, issue and step): few-actor
    draws cost more than n³ says (per-call overheads)."""
    return draws * (actors ** 3 + 130 * actors)


def compiled_chosen(work: int) -> bool:
    """Whether a run of ``work`` (:func:`numpy_work`) uses the compiled kernels
    (``ACCORD_SMP_KERNELS``, :data:`COMPILED_FROM`; :func:`accord.models.base.compiled_wanted`)."""
    return compiled_wanted("ACCORD_SMP_KERNELS", "accord.models.smp_compiled", work,
                           COMPILED_FROM)


def choose_kernels(work: int) -> Kernels:
    """The kernels a run of ``work`` (:func:`numpy_work`) uses (:func:`compiled_chosen`)."""
    if compiled_chosen(work):
        return compiled_kernels() or NUMPY_KERNELS
    return NUMPY_KERNELS


def _cost_uses_compiled(options: Any, draws: int, actors: int) -> bool:
    """The declared cost's engine: compiled whole draws (about 9× cheaper per draw at 20 and
    50 actors, benchmarks/bench_cost.py) where they apply and are chosen."""
    return whole_draws_apply(options) and compiled_chosen(numpy_work(draws, actors))


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SMPOptions(ModelOptions):
    """KTAB's SMP settings; the defaults are KTAB's (shared/DESIGN.md, "Spatial model of
    politics"; shared/reference/README.md, "Model settings used")."""

    victory_prob_model: VictoryProbModel = "Linear"  # KTAB VictoryProbModel
    pce_model: PCEModel = "Conditional"  # KTAB PCEModel
    state_transitions: StateTransitions = "Deterministic"  # KTAB StateTransitions
    voting_rule: VotingRule = "Prop"  # KTAB VotingRule
    big_r_adjust: BigRAdjust = "OneThird"  # KTAB BigRAdjust
    big_r_range: BigRRange = "Mid"  # KTAB BigRRange
    third_party_commit: ThirdPartyCommit = "SemiCommit"  # KTAB ThirdPartyCommit
    inter_vec_brgn: InterVecBrgn = "S2P2"  # KTAB InterVecBrgn
    bargn_model: BargnModel = "InitOnlyInterp"  # KTAB BargnModel
    max_steps: Annotated[int, Interval(ge=1)] = 100  # KTAB smpc's limit
    # stop when a step moves < 2 % of the first step's movement
    stop_fraction: Annotated[float, Interval(ge=0.0)] = 0.02
    # positions this close (on [0, 1]) count as one
    merge_tolerance: Annotated[float, Interval(ge=0.0)] = 1e-3


@dataclass
class _State:
    """What a state's evaluation gives: distances, attitudes and the unique-position election."""

    distance: np.ndarray  # (B, n, n)
    risk: np.ndarray  # (B, n)
    own_utility: np.ndarray  # (B, n, n) U_ax = u(d_ax, R_a)
    rep: np.ndarray  # (B, n) representatives
    group: np.ndarray  # (B, n) each actor's representative
    rep_prob: np.ndarray  # (B, n) probability of each representative (0 elsewhere)


@dataclass
class _Step:
    """A step's bargains and choices, for the details of draw 0."""

    target: np.ndarray  # (B, n), -1 where the initiator does not challenge
    prob: np.ndarray  # (B, n)
    gain: np.ndarray  # (B, n)
    offer_init: np.ndarray  # (B, n, d)
    offer_target: np.ndarray  # (B, n, d)
    chosen: np.ndarray  # (B, n) option: 0 stay, 1 + m bargain initiated by m
    chosen_prob: np.ndarray  # (B, n)


@register
class SMPModel(BaseModel):
    """KTAB's spatial model of politics: all issues as one space, probabilistic Condorcet
    elections, bargains until positions settle (shared/DESIGN.md, "Spatial model of politics").

    Draws are batched, not looped over: they run in chunks of up to 1.5e6 / n³ draws whose
    steps are computed together (every kernel has a leading draw axis); a draw that stops
    leaves the working set and its arrays are padded with its last state. Stochastic mode
    draws one uniform per actor and step from ``rng`` (in draw, then actor order).

    Forecast: ``outcome`` (S, d) the probability-weighted mean of the final unique positions;
    ``trajectory`` (S, T+1, n, d); ``round_outcome`` (S, T+1, d) that mean after every step;
    ``extras``: ``probability`` (S, T+1, n) each actor's election probability as KTAB reports
    it, ``most_probable`` (S, T+1, d) the most probable unique position, ``risk_attitude``
    (S, T+1, n), ``fractional_change`` (S, T+1) of the stopping rule, ``steps`` (S,);
    ``details`` per state of draw 0: the unique positions with their probabilities and
    actors, the most probable one, the risk attitudes, and (from step 1) the bargains made
    and each actor's choice.
    """

    name = "smp"
    Options: ClassVar[type] = SMPOptions
    # per draw × issue × step: 2.6 ns × actor³ + 340 ns × actor, counted over max_steps (runs
    # stop earlier; the figures are per allowed step, benchmarks/bench_cost.py); compiled
    # whole draws 0.3 ns × actor³ + 130 ns × actor, 20 ms a run
    cost = EngineCost(ns=2.6, rounds="max_steps", ns_lower=340.0, lower_power=1,
                      fixed_ms=50.0, uses_compiled=_cost_uses_compiled,
                      compiled=Cost(ns=0.3, rounds="max_steps", ns_lower=130.0,
                                    lower_power=1, fixed_ms=20.0))
    trajectory_option = True
    presets: ClassVar[dict[str, dict[str, Any]]] = {"ktab": {}}

    def prepare(self, workload: Sequence[tuple[int, int]]) -> None:
        """Load the compiled code when the runs ahead, (draws, actors) each, call for it in
        all (:func:`compiled_chosen`): from then on this process's runs of every size use it,
        as a single run of that much work would."""
        if compiled_chosen(sum(numpy_work(draws, actors) for draws, actors in workload)):
            compiled_kernels()

    # ---------------------------------------------------------------- inputs

    def _inputs(self, arrays: ScenarioArrays
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Positions and saliences on [0, 1], one capability per actor, and the actors that
        take part in anything (others are left out)."""
        notes: list[str] = []
        mask = arrays.mask
        present = mask.any(axis=1)
        span = arrays.scale_range
        pos = (arrays.position - arrays.lower) / span
        sal = np.where(mask, arrays.salience, 0.0)
        cap_cells = np.where(mask, arrays.capability, 0.0)
        # one capability per actor: the salience-weighted mean of its issues' capabilities
        s_tot = sal.sum(axis=-1)
        plain = cap_cells.sum(axis=-1) / np.maximum(mask.sum(axis=1), 1)
        weighted = np.divide((sal * cap_cells).sum(axis=-1), s_tot,
                             out=plain.copy(), where=s_tot > 0)
        top = np.where(mask, cap_cells, -np.inf).max(axis=-1)
        bottom = np.where(mask, cap_cells, np.inf).min(axis=-1)
        same = ~present | (top - bottom <= 1e-12 * np.abs(top))
        cap = np.where(same, np.where(present, top, 0.0), weighted)
        if not np.all(same):
            notes.append("actors with different capabilities per issue: SMP uses one "
                         "capability per actor, the salience-weighted mean of theirs")
        # positions an actor does not hold: the issue's status quo, else the compromise
        if not mask.all():
            w = sal * cap[..., None] * mask
            total = w.sum(axis=1)
            plain_mean = np.where(mask, pos, 0.0).sum(axis=1) / np.maximum(mask.sum(axis=0), 1)
            comp = np.divide((w * pos).sum(axis=1), total, out=plain_mean.copy(),
                             where=total > 0)
            sq = (arrays.status_quo - arrays.lower) / span
            fill = np.where(np.isnan(sq), comp, sq)
            pos = np.where(mask, pos, fill[:, None, :])
            if (~mask[present]).any():
                notes.append("an actor without a position on an issue sits at the issue's "
                             "status quo (else the compromise) with salience 0 there")
        excess = sal.sum(axis=-1) > 1.0 + 1e-12
        if excess.any():
            total = sal.sum(axis=-1, keepdims=True)
            sal = np.where(excess[..., None], np.divide(sal, total, out=sal.copy(),
                                                        where=total > 0), sal)
            notes.append("SMP needs each actor's saliences to sum to at most 100; actors "
                         "above that were scaled down to sum to 100")
        return pos, sal, cap, present, notes

    # ---------------------------------------------------------------- one state, one step

    def _evaluate(self, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, kernels: Kernels
                  ) -> _State:
        o = self.options
        dist = kernels.distance(pos, pos, sal)
        kw: dict[str, Any] = {"rule": o.voting_rule, "victory": o.victory_prob_model,
                              "pce": o.pce_model, "kernels": kernels}
        p_neutral = election(cap, 1.0 - dist, **kw)
        risk = risk_attitudes(p_neutral, o.big_r_range)
        own = risk_utility(dist, risk[..., None])
        rep, group = unique_positions(pos, o.merge_tolerance)
        rep_prob = election(cap, own, rep, **kw)
        return _State(dist, risk, own, rep, group, rep_prob)

    def _step(self, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, st: _State,
              uniform: np.ndarray | None, kernels: Kernels) -> tuple[np.ndarray, _Step]:
        o = self.options
        B, n, _ = pos.shape
        tot = sal.sum(axis=-1)
        perceived = perceived_risk(st.risk, o.big_r_adjust)
        target, prob, gain = kernels.challenges(st.distance, perceived, cap * tot, tot,
                                                rule=o.voting_rule,
                                                commit=o.third_party_commit)
        active = gain > MIN_GAIN
        b = np.arange(B)[:, None]
        pos_t = pos[b, target]
        sal_t = sal[b, target]
        if o.bargn_model == "InitOnlyInterp":
            p_init = prob
        else:  # PWCompInterp: both sides' estimates, weighted by capability (accord's reading)
            p_target_view = self._target_view(st, perceived, cap * tot, target)
            c_i, c_j = cap, cap[b, target]
            p_init = (c_i * prob + c_j * p_target_view) / np.where(c_i + c_j > 0, c_i + c_j, 1)
        offer_i = interpolate_bargains(pos, pos_t, sal, sal_t, p_init, o.inter_vec_brgn)
        offer_j = interpolate_bargains(pos_t, pos, sal_t, sal, 1.0 - p_init, o.inter_vec_brgn)

        value = bargain_values(st.own_utility, pos, sal, st.risk, offer_i, offer_j, target,
                               kernels)
        idx = np.arange(n)
        involved = active[:, None, :] & ((idx[None, :, None] == idx[None, None, :])
                                         | (target[:, None, :] == idx[None, :, None]))
        member = np.concatenate([np.ones((B, n, 1), dtype=bool), involved], axis=-1)
        chosen, chosen_p = resolve_queues(value, cap, member, rule=o.voting_rule,
                                          victory=o.victory_prob_model, pce=o.pce_model,
                                          uniform=uniform, kernels=kernels)
        m = np.maximum(chosen - 1, 0)
        as_init = (chosen > 0) & (m == idx[None, :])
        new = np.where(as_init[..., None], offer_i[b, m], offer_j[b, m])
        new = np.where((chosen > 0)[..., None], new, pos)
        step = _Step(np.where(active, target, -1), prob, gain, offer_i, offer_j, chosen,
                     chosen_p)
        return new, step

    def _target_view(self, st: _State, perceived: np.ndarray, weight: np.ndarray,
                     target: np.ndarray) -> np.ndarray:
        """P^j(i ≻ j): each target's own estimate of its initiator's chance (PWCompInterp).

        U[b, i, a, x] is the view of i's target j: u(d_ax, r_ja); (B, n, n, n) per chunk.
        """
        B, n = target.shape
        b = np.arange(B)[:, None]
        idx = np.arange(n)
        U = risk_utility(st.distance[:, None], perceived[b, target][..., None])
        ii, j = idx[None, :], target
        # U[b, ii, :, x] puts the actor axis k last: (B, i, k)
        u_kk = np.diagonal(U, axis1=-2, axis2=-1)
        third = (idx[None, None, :] != ii[..., None]) & (idx[None, None, :] != j[..., None])
        return challenge_probability(
            U[b, ii, ii, ii], U[b, ii, ii, j], U[b, ii, j, ii], U[b, ii, j, j],
            U[b, ii, :, ii], U[b, ii, :, j], u_kk, weight, weight[b, j], weight[:, None, :],
            third, rule=self.options.voting_rule, commit=self.options.third_party_commit)

    # ---------------------------------------------------------------- the run

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator,
            trajectories: bool = True) -> Forecast:
        """Run every draw. ``trajectories = False`` (Monte Carlo summaries, issue 12): the
        per-step positions, probabilities and risk attitudes are kept for draw 0 only (the
        arrays' draw axis has length 1); outcomes per step stay for every draw."""
        o = self.options
        pos01, sal, cap, present, notes = self._inputs(arrays)
        S, n_all, d = pos01.shape
        keep = np.flatnonzero(present)
        n = keep.size
        stochastic = o.state_transitions == "Stochastic"
        kernels = choose_kernels(numpy_work(S, n))
        chunk = max(1, _BUDGET // max(1, n ** 3))

        def play(c0: int) -> dict[str, Any]:
            c1 = min(S, c0 + chunk)
            return self._run_chunk(pos01[c0:c1, keep], sal[c0:c1, keep], cap[c0:c1, keep],
                                   rng if stochastic else None, want_details=(c0 == 0),
                                   keep_rows=None if trajectories else (1 if c0 == 0 else 0),
                                   kernels=kernels)

        # the compiled kernels release the GIL: deterministic chunks run side by side (each
        # is independent, so the numbers do not depend on the threads); stochastic ones take
        # their uniforms from the one generator in chunk order, so they run in turn
        threads = 1 if stochastic or kernels is NUMPY_KERNELS else None
        if (not trajectories and S > 1 and kernels.whole_draws is not None
                and whole_draws_apply(o)):
            # summaries only: draw 0 step by step (its details and trajectory), the others
            # played whole in compiled code, pieces of draws side by side
            def play_whole(c0: int) -> dict[str, Any]:
                c1 = min(S, c0 + _WHOLE_DRAWS)
                return kernels.whole_draws(pos01[c0:c1, keep], sal[c0:c1, keep],
                                           cap[c0:c1, keep], o)

            chunk = 1
            runs = [play(0), *parallel_map(play_whole, range(1, S, _WHOLE_DRAWS))]
        else:
            runs = list(parallel_map(play, range(0, S, chunk), threads=threads))
        details: list[dict[str, Any]] = runs[0]["details"]
        steps = np.concatenate([r["steps"] for r in runs])
        T = int(steps.max())

        def stack(key: str) -> np.ndarray:
            parts = []
            for r in runs:
                a = r[key]
                if a.shape[0] == 0:
                    continue
                pad = T + 1 - a.shape[1]
                if pad > 0:
                    last = a[:, -1:]
                    a = np.concatenate([a, np.repeat(last, pad, axis=1)], axis=1)
                parts.append(a)
            return np.concatenate(parts, axis=0)

        traj01 = stack("position")  # (S, T+1, n, d); (1, ...) with trajectories off
        K = traj01.shape[0]
        span = arrays.scale_range
        given = arrays.position[:K]
        trajectory = np.broadcast_to(given[:, None], (K, T + 1, n_all, d)).copy()
        trajectory[:, :, keep] = arrays.lower + traj01 * span
        np.copyto(trajectory, given[:, None], where=~arrays.mask)
        trajectory[:, 0] = given
        del traj01
        outcome_t = arrays.lower + stack("outcome") * span
        likely_t = arrays.lower + stack("most_probable") * span
        prob = np.full((K, T + 1, n_all), np.nan)
        prob[:, :, keep] = stack("probability")
        risk = np.full((K, T + 1, n_all), np.nan)
        risk[:, :, keep] = stack("risk")
        change = stack("change")
        capped = steps >= o.max_steps
        if capped.any():
            notes.append(f"{int(capped.sum())} of {S} draws reached the step cap "
                         f"(max_steps = {o.max_steps}) without settling; their last state "
                         "is used")
        for entry in details:
            entry["probabilities"] = {arrays.actor_ids[keep[k]]: v
                                      for k, v in enumerate(entry.pop("_prob"))}
            self._name_details(entry, arrays, keep)
        return Forecast(
            self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
            outcome=outcome_t[:, -1], trajectory=trajectory, round_outcome=outcome_t,
            details=details,
            extras={"probability": prob, "most_probable": likely_t, "risk_attitude": risk,
                    "fractional_change": change, "steps": steps, "capped": capped},
            notes=notes)

    def _name_details(self, entry: dict[str, Any], arrays: ScenarioArrays,
                      keep: np.ndarray) -> None:
        """Turn actor indices and [0, 1] positions of a details entry into ids and scales."""
        ids = arrays.actor_ids
        lower, span = arrays.lower, arrays.scale_range

        def point(x: np.ndarray) -> dict[str, float]:
            return {iid: float(lower[p] + x[p] * span[p]) for p, iid in enumerate(arrays.issue_ids)}

        for u in entry["unique"]:
            u["position"] = point(u["position"])
            u["actors"] = [ids[keep[k]] for k in u["actors"]]
        mp = entry["most_probable"]
        mp["position"] = point(mp["position"])
        mp["actors"] = [ids[keep[k]] for k in mp["actors"]]
        for bg in entry.get("bargains", []):
            bg["initiator"] = ids[keep[bg["initiator"]]]
            bg["target"] = ids[keep[bg["target"]]]
            bg["initiator_offer"] = point(bg["initiator_offer"])
            bg["target_offer"] = point(bg["target_offer"])
        if "chosen" in entry:
            entry["chosen"] = {ids[keep[k]]: (None if v is None else ids[keep[v]])
                               for k, v in enumerate(entry["chosen"])}
        entry["risk_attitude"] = {ids[keep[k]]: v for k, v in enumerate(entry["risk_attitude"])}

    def _run_chunk(self, pos: np.ndarray, sal: np.ndarray, cap: np.ndarray,
                   rng: np.random.Generator | None, want_details: bool,
                   keep_rows: int | None = None, kernels: Kernels = NUMPY_KERNELS
                   ) -> dict[str, Any]:
        """Play a chunk of draws until each stops; a stopped draw leaves the working arrays.
        ``keep_rows``: keep the per-step positions, probabilities and risk attitudes of only
        the chunk's first ``keep_rows`` draws (None: all)."""
        o = self.options
        B, n, d = pos.shape
        R = B if keep_rows is None else keep_rows
        positions = [pos[:R].copy()]
        outcome, likely, prob, risk = [], [], [], []
        change = [np.full(B, np.nan)]
        steps = np.zeros(B, dtype=int)
        first_move = np.zeros(B)
        details: list[dict[str, Any]] = []
        live = np.arange(B)
        current = pos.copy()
        cur_sal, cur_cap = sal, cap

        def record(st: _State, x: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, ...]:
            p = st.rep_prob
            out = np.full((B, d), np.nan)
            lik = np.full((B, d), np.nan)
            pr = np.full((R, n), np.nan)
            rk = np.full((R, n), np.nan)
            out[at] = (p[..., None] * x).sum(axis=1)
            best = np.argmax(p, axis=-1)
            lik[at] = x[np.arange(at.size), best]
            rows = at < R
            pr[at[rows]] = np.take_along_axis(p[rows], st.group[rows], axis=-1)
            rk[at[rows]] = st.risk[rows]
            return out, lik, pr, rk

        st = self._evaluate(current, cur_sal, cur_cap, kernels)
        for lst, val in zip((outcome, likely, prob, risk), record(st, current, live),
                            strict=True):
            lst.append(val)
        if want_details:
            details.append(self._detail(st, current, None, None, 0))
        for t in range(1, o.max_steps + 1):
            if live.size == 0:
                break
            uniform = rng.random((live.size, n)) if rng is not None else None
            new, step = self._step(current, cur_sal, cur_cap, st, uniform, kernels)
            moved = np.sqrt(((new - current) ** 2).sum(axis=-1)).sum(axis=-1)
            if t == 1:
                first_move[live] = moved
            ratio = moved / (first_move[live] + 1e-4)
            full = positions[-1].copy()
            rows = live < R
            full[live[rows]] = new[rows]
            positions.append(full)
            ch = np.full(B, np.nan)
            ch[live] = ratio
            change.append(ch)
            steps[live] = t
            st_new = self._evaluate(new, cur_sal, cur_cap, kernels)
            for lst, val in zip((outcome, likely, prob, risk), record(st_new, new, live),
                                strict=True):
                last = lst[-1].copy()
                at = live[live < last.shape[0]]
                last[at] = val[at]
                lst.append(last)
            if want_details and live.size and live[0] == 0:
                details.append(self._detail(st_new, new, step, ratio, t))
            stop = (t >= 2) & (ratio < o.stop_fraction) if t >= 2 else np.zeros(live.size, bool)
            go = ~stop
            live = live[go]
            current = new[go]
            cur_sal, cur_cap = cur_sal[go], cur_cap[go]
            st = _State(st_new.distance[go], st_new.risk[go], st_new.own_utility[go],
                        st_new.rep[go], st_new.group[go], st_new.rep_prob[go])
        return {"position": np.stack(positions, axis=1), "outcome": np.stack(outcome, axis=1),
                "most_probable": np.stack(likely, axis=1), "probability": np.stack(prob, axis=1),
                "risk": np.stack(risk, axis=1), "change": np.stack(change, axis=1),
                "steps": steps, "details": details}

    def _detail(self, st: _State, x: np.ndarray, step: _Step | None, ratio: np.ndarray | None,
                t: int) -> dict[str, Any]:
        """Draw 0's state (first row of the working set): the election and the bargains."""
        p = st.rep_prob[0]
        group = st.group[0]
        reps = np.flatnonzero(st.rep[0])
        unique = [{"position": x[0, r], "probability": float(p[r]),
                   "actors": [int(k) for k in np.flatnonzero(group == r)]} for r in reps]
        best = int(reps[np.argmax(p[reps])])
        entry: dict[str, Any] = {
            "round": t,
            "_prob": [float(v) for v in p[group]],
            "unique": unique,
            "most_probable": {"position": x[0, best], "probability": float(p[best]),
                              "actors": [int(k) for k in np.flatnonzero(group == best)]},
            "outcome_weights": "probability-weighted mean of the unique positions",
            "risk_attitude": [float(v) for v in st.risk[0]],
        }
        if step is not None and ratio is not None:
            entry["fractional_change"] = float(ratio[0])
            entry["bargains"] = [
                {"initiator": int(i), "target": int(step.target[0, i]),
                 "p_initiator": float(step.prob[0, i]), "gain": float(step.gain[0, i]),
                 "initiator_offer": step.offer_init[0, i],
                 "target_offer": step.offer_target[0, i]}
                for i in np.flatnonzero(step.target[0] >= 0)]
            entry["chosen"] = [None if c == 0 else int(c - 1) for c in step.chosen[0]]
        return entry


# --------------------------------------------------------------------------- explanation

from accord.models.base import Explanation, explains, names_list, on_scale  # noqa: E402


@explains("smp")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The coalitions behind the most probable positions: in the central run's last state
    (draw 0), the unique positions with the actors that hold them and their probability in
    the final probabilistic Condorcet election; the forecast is the probability-weighted mean
    of those positions (DESIGN.md, SMP step 9)."""
    why = Explanation("smp")
    if not forecast.details:
        return why
    final = forecast.details[-1]
    steps = forecast.rounds
    unique = sorted(final["unique"], key=lambda u: -u["probability"])
    span = arrays.scale_range
    issues = arrays.issue_ids

    def where(position: dict[str, float]) -> str:
        return ", ".join(f"{iid} {on_scale(position[iid], span[k])}"
                         for k, iid in enumerate(issues))

    lines = [f"After {steps} bargaining steps the actors hold {len(unique)} distinct "
             f"position{'s' if len(unique) != 1 else ''}; the final election gives:"]
    for u in unique[:3]:
        lines.append(f"{names_list(list(u['actors']))} ({u['probability']:.0%}): "
                     f"{where(u['position'])}.")
    if len(unique) > 3:
        rest = sum(u["probability"] for u in unique[3:])
        lines.append(f"{len(unique) - 3} more positions share {rest:.0%}.")
    lines.append("The forecast is the probability-weighted mean of these positions.")
    why.general = lines
    for k, iid in enumerate(issues):
        outcome = float(forecast.outcome[0, k])
        coalitions = [{"actors": list(u["actors"]), "probability": float(u["probability"]),
                       "position": float(u["position"][iid])} for u in unique]
        why.facts[iid] = {"outcome": outcome, "steps": steps, "coalitions": coalitions,
                          "deciding": list(unique[0]["actors"]) if unique else []}
        top = unique[0] if unique else None
        if top is None:
            continue
        text = [f"{iid} {on_scale(outcome, span[k])}: the most probable position "
                f"({top['probability']:.0%}, held by {names_list(list(top['actors']))}) is at "
                f"{on_scale(top['position'][iid], span[k])}"]
        if len(unique) > 1:
            second = unique[1]
            text[0] += (f", the next ({second['probability']:.0%}, "
                        f"{names_list(list(second['actors']))}) at "
                        f"{on_scale(second['position'][iid], span[k])}")
        text[0] += "; the forecast weighs every position by its probability."
        why.sentences[iid] = text
    return why
