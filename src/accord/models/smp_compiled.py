"""SMP compiled with numba: its three heavy kernels, and whole draws, with the same arithmetic
as the numpy model in :mod:`accord.models.smp`, one draw at a time, every intermediate in
registers.

Why compiled (issue 12; benchmarks/README.md, "smp"): the numpy kernels are bound by memory
traffic and per-call overhead, not by arithmetic. Each (initiator, target, third party)
element of the challenge kernel passes through about twenty array passes (utility, vote,
π, the third party's vote, its two halves, their sums), so numpy writes and re-reads every
intermediate; at 20 actors a step cost ~0.27 ms a draw. Here each element is computed once,
in a loop over third parties, and nothing of size n³ is stored: ~46 µs a draw-step.

The functions are specified where their numpy twins are (shared/DESIGN.md, "Spatial model of
politics"; KTAB's SMP):

* :func:`salience_distance` ↔ ``smp.salience_distance`` (step 1), bit for bit: the same sums
  in the same order;
* :func:`coalition_strengths` ↔ ``smp.coalition_strengths`` (step 3), C(a:b) and C(b:a) from
  one pass over each pair;
* :func:`best_challenges` ↔ ``smp.best_challenges`` (steps 6–7), the same targets;
* :func:`play_draws` ↔ ``SMPModel._run_chunk`` with summaries only (steps 1–9): whole draws
  from start to stop, for the Conditional election, deterministic transitions and
  InitOnlyInterp bargains (every victory model, commitment, BigRRange, BigRAdjust and
  InterVecBrgn); the queue elections' coalitions are summed for the queues' own pairs only.

All of it is for KTAB's default voting rule, Prop (v = w Δ); runs with another rule use the
numpy kernels. Options are passed as indices into the tuples below. The sums over voters may
be reassociated so that they vectorise (results equal to rounding, ~1e-16 relative); nothing
else is relaxed. Every function releases the GIL (``nogil``), so pieces of draws run side by
side in threads (:func:`accord.models.base.parallel_map`), and is cached on disk after its
first compilation. tests/test_smp_compiled.py checks each against its numpy twin
(hypothesis) and Monte Carlo runs of KTAB's examples against KTAB's own files.
"""

from __future__ import annotations

import numpy as np
from numba import njit

COMMITS = ("SemiCommit", "FullCommit", "NoCommit")
COALITION_FLOOR = 1e-8  # as smp.COALITION_FLOOR (step 3)
CHALLENGE_FLOOR = 1e-10  # as smp.CHALLENGE_FLOOR (step 6)
# the sums over voters may be reassociated (vectorised); nothing else is relaxed. Division
# follows IEEE (error_model="numpy": no zero check, which would stop vectorising)
_SUMS = {"reassoc"}


_FAST = {"cache": True, "nogil": True, "error_model": "numpy"}


# ------------------------------------------------------------------ one draw's pieces


@njit(**_FAST)
def _distances(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray,
               out: np.ndarray) -> None:  # pragma: no cover - compiled
    """out[i, j] = d(q_i, θ_j) (step 1) for one draw: ideal, salience (n, d), position (m, d)."""
    n, d = ideal.shape
    m = position.shape[0]
    for i in range(n):
        den = 0.0
        for p in range(d):
            den += salience[i, p] * salience[i, p]
        for j in range(m):
            if not den > 0:
                out[i, j] = 0.0
                continue
            num = 0.0
            for p in range(d):
                diff = (ideal[i, p] - position[j, p]) * salience[i, p]
                num += diff * diff
            out[i, j] = np.sqrt(num / den)


@njit(fastmath=_SUMS, **_FAST)
def _coalitions(weight: np.ndarray, utility: np.ndarray, out: np.ndarray, col: np.ndarray
                ) -> None:  # pragma: no cover - compiled
    """out[a, b] = C(a:b) = 1e-8 + Σ_k w_k max(0, U_ka − U_kb) (step 3, rule Prop) for one
    draw: weight (K,), utility (K, m); col (m, K) is work space."""
    K, m = utility.shape
    for k in range(K):  # each option's utilities contiguous over voters
        for a in range(m):
            col[a, k] = utility[k, a]
    for a in range(m):
        out[a, a] = COALITION_FLOOR
        ca = col[a]
        for c in range(a + 1, m):
            cc = col[c]
            up = 0.0
            down = 0.0
            for k in range(K):
                delta = ca[k] - cc[k]
                up += max(delta, 0.0) * weight[k]
                down += max(-delta, 0.0) * weight[k]
            out[a, c] = COALITION_FLOOR + up
            out[c, a] = COALITION_FLOOR + down


@njit(fastmath=_SUMS, **_FAST)
def _challenges(distance: np.ndarray, perceived: np.ndarray, w: np.ndarray,
                total_salience: np.ndarray, commit: int, target: np.ndarray,
                prob: np.ndarray, gain: np.ndarray, dt: np.ndarray, ut: np.ndarray,
                own: np.ndarray, wz: np.ndarray) -> None:  # pragma: no cover - compiled
    """Steps 6–7 for one draw (rule Prop): each initiator's best target, its P and gain.
    dt, ut (n, n), own, wz (n,) are work space."""
    n = distance.shape[0]
    for a in range(n):
        for x in range(n):
            dt[x, a] = distance[a, x]  # dt[x, a] = d(q_a, θ_x)
    for i in range(n):
        r = perceived[i]
        for x in range(n):  # ut[x, a] = U^i_ax = u(d_ax, r_ia), the initiator's view
            for a in range(n):
                dd = dt[x, a]
                ut[x, a] = (r[a] * dd + 1.0) * (1.0 - dd)
        for a in range(n):
            own[a] = ut[a, a]
            wz[a] = w[a]
        wz[i] = 0.0  # the third parties' weights: 0 for the initiator and the target
        u_ii = own[i]
        u_i = ut[i]  # U_ki over k
        best_gain = -np.inf
        best_j = 0
        best_p = 0.5  # a lone actor (n = 1) challenges itself: P = 1/2
        for j in range(n):
            if j == i:
                continue
            a_i = w[i] * (u_ii - ut[j, i])
            a_j = w[j] * (ut[i, j] - own[j])
            c_ij = CHALLENGE_FLOOR + max(a_i, 0.0) + max(a_j, 0.0)
            c_ji = CHALLENGE_FLOOR + max(-a_i, 0.0) + max(-a_j, 0.0)
            if commit != 2:
                u_j = ut[j]  # U_kj over k
                wz[j] = 0.0
                both = c_ij + c_ji
                up = 0.0
                down = 0.0
                if commit == 0:  # SemiCommit
                    for k in range(n):
                        v_k = w[k] * (u_i[k] - u_j[k])
                        pi = (max(v_k, 0.0) + c_ij) / (abs(v_k) + both)
                        back = (u_j[k] - own[k]) * (1.0 - pi) + pi * (own[k] - u_i[k])
                        up += max(back, 0.0) * wz[k]
                        down += min(back, 0.0) * wz[k]
                else:  # FullCommit
                    for k in range(n):
                        delta = u_i[k] - u_j[k]
                        up += max(delta, 0.0) * wz[k]
                        down += min(delta, 0.0) * wz[k]
                wz[j] = w[j]
                c_ij = c_ij + up
                c_ji = c_ji - down
            p = c_ij / (c_ij + c_ji)
            u_ij = ut[j, i]
            s_j = total_salience[j]
            contest = 2.0 * p * u_ii + 2.0 * (1.0 - p) * u_ij
            g_ij = (1.0 - s_j) * 2.0 * u_ii + s_j * contest - (u_ii + u_ij)
            if g_ij > best_gain:
                best_gain = g_ij
                best_j = j
                best_p = p
        target[i] = best_j
        prob[i] = best_p
        gain[i] = best_gain


# ------------------------------------------------------------------ batched kernels


@njit(**_FAST)
def salience_distance(ideal: np.ndarray, position: np.ndarray, salience: np.ndarray
                      ) -> np.ndarray:  # pragma: no cover - compiled
    """d_ij = sqrt(Σ_p (s_ip (q_ip − θ_jp))² / Σ_p s_ip²): ideal, salience (B, n, d),
    position (B, m, d) → (B, n, m); 0 where actor i has no salience."""
    B, n, _ = ideal.shape
    out = np.empty((B, n, position.shape[1]))
    for b in range(B):
        _distances(ideal[b], position[b], salience[b], out[b])
    return out


@njit(**_FAST)
def coalition_strengths(weight: np.ndarray, utility: np.ndarray
                        ) -> np.ndarray:  # pragma: no cover - compiled
    """C(a:b) = 1e-8 + Σ_k w_k max(0, U_ka − U_kb) (voting rule Prop): weight (B, k),
    utility (B, k, m) → (B, m, m), row a, column b."""
    B, K, m = utility.shape
    out = np.empty((B, m, m))
    col = np.empty((m, K))
    for b in range(B):
        _coalitions(weight[b], utility[b], out[b], col)
    return out


@njit(**_FAST)
def best_challenges(distance: np.ndarray, perceived: np.ndarray, weight: np.ndarray,
                    total_salience: np.ndarray, commit: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Each initiator's best target as it sees it (steps 6–7, voting rule Prop); arguments and
    results as ``smp.best_challenges``: distance (B, n, n) d(q_a, θ_x), perceived (B, n, n)
    r_ia, weight (B, n) c·S, total_salience (B, n) S; commit as an index into COMMITS."""
    B, n, _ = distance.shape
    target = np.zeros((B, n), dtype=np.int64)
    prob = np.zeros((B, n))
    gain = np.zeros((B, n))
    dt = np.empty((n, n))
    ut = np.empty((n, n))
    own = np.empty(n)
    wz = np.empty(n)
    for b in range(B):
        _challenges(distance[b], perceived[b], weight[b], total_salience[b], commit,
                    target[b], prob[b], gain[b], dt, ut, own, wz)
    return target, prob, gain


# ------------------------------------------------------------------ whole draws

RANGES = ("Min", "Mid", "Max")  # BigRRange
ADJUSTS = ("Full", "TwoThirds", "Half", "OneThird", "NoRA")  # BigRAdjust
INTERPOLATIONS = ("S2P2", "S1P1", "S2PMax")  # InterVecBrgn
MIN_GAIN = 1e-5  # as smp.MIN_GAIN (step 7)
OWN_WEIGHT = 1e-6  # as smp.OWN_WEIGHT
ROUNDING = 1e4  # offers rounded to 4 decimals as numpy does: rint(x · 10⁴) / 10⁴


@njit(**_FAST)
def _victory(c_ab: float, c_ba: float, power: int) -> float:  # pragma: no cover - compiled
    """V(a ≻ b) = f(C(a:b)) / (f(C(a:b)) + f(C(b:a))), f(x) = x^power (step 3)."""
    if power == 1:
        return c_ab / (c_ab + c_ba)
    fa = c_ab ** power
    fb = c_ba ** power
    return fa / (fa + fb)


@njit(**_FAST)
def _election(strength: np.ndarray, valid: np.ndarray, power: int, out: np.ndarray
              ) -> None:  # pragma: no cover - compiled
    """Conditional PCE (step 4) over the valid options: out[a] ∝ Π_b V(a ≻ b)."""
    m = strength.shape[0]
    total = 0.0
    for a in range(m):
        if not valid[a]:
            out[a] = 0.0
            continue
        prod = 1.0
        for b in range(m):
            if valid[b]:
                prod *= _victory(strength[a, b], strength[b, a], power)
        out[a] = prod
        total += prod
    for a in range(m):
        out[a] /= total


@njit(fastmath=_SUMS, **_FAST)
def _queue_choice(value: np.ndarray, weight: np.ndarray, queue: np.ndarray, size: int,
                  power: int, strength: np.ndarray, known: np.ndarray, prob: np.ndarray
                  ) -> int:  # pragma: no cover - compiled
    """The most probable option (first maximum) of one queue's Conditional election (step 8):
    P(a) ∝ Π_{b in queue} V(a ≻ b) over the queue's options ``queue[:size]`` in option order,
    voters valuing option o at value[:, o]; as ``smp.resolve_queues``. Coalition strengths
    are computed for the queue's pairs only, once a step (``known``)."""
    for qa in range(size):
        a = queue[qa]
        for qb in range(qa + 1, size):
            b = queue[qb]
            if known[a, b]:
                continue
            up = 0.0
            down = 0.0
            for k in range(value.shape[0]):
                delta = value[k, a] - value[k, b]
                up += max(delta, 0.0) * weight[k]
                down += max(-delta, 0.0) * weight[k]
            strength[a, b] = COALITION_FLOOR + up
            strength[b, a] = COALITION_FLOOR + down
            known[a, b] = known[b, a] = True
    total = 0.0
    for qa in range(size):
        a = queue[qa]
        prod = 1.0
        for qb in range(size):
            b = queue[qb]
            prod *= 0.5 if a == b else _victory(strength[a, b], strength[b, a], power)
        prob[qa] = prod
        total += prod
    best = 0  # the numpy election normalises before its argmax: so does this
    for qa in range(size):
        prob[qa] /= total
        if prob[qa] > prob[best]:
            best = qa
    return queue[best]


@njit(**_FAST)
def _utility_at(ideal: np.ndarray, salience: np.ndarray, risk: float, point: np.ndarray
                ) -> float:  # pragma: no cover - compiled
    """u(d(q, y), R) = (1 − d)(1 + R d) of one actor for one point (steps 1 and 8)."""
    den = 0.0
    num = 0.0
    for p in range(ideal.shape[0]):
        den += salience[p] * salience[p]
        diff = (ideal[p] - point[p]) * salience[p]
        num += diff * diff
    dd = np.sqrt(num / den) if den > 0 else 0.0
    return (1.0 - dd) * (1.0 + risk * dd)


@njit(**_FAST)
def _offer(own: np.ndarray, other: np.ndarray, s_own: np.ndarray, s_other: np.ndarray,
           p_own: float, method: int, out: np.ndarray) -> None:  # pragma: no cover
    """One side's offer per dimension (step 7), as ``smp.interpolate_bargains``."""
    p_other = 1.0 - p_own
    for p in range(own.shape[0]):
        if method == 0:  # S2P2
            w_own = s_own[p] * s_own[p] * (p_own * p_own)
            w_other = s_other[p] * s_other[p] * (p_other * p_other)
        elif method == 1:  # S1P1
            w_own = s_own[p] * p_own
            w_other = s_other[p] * p_other
        else:  # S2PMax
            w_own = s_own[p] * s_own[p] * (1.0 if p_own >= p_other else 0.0)
            w_other = s_other[p] * s_other[p] * (1.0 if p_other > p_own else 0.0)
        w_own = w_own + OWN_WEIGHT
        x = (w_own * own[p] + w_other * other[p]) / (w_own + w_other)
        out[p] = np.rint(x * ROUNDING) / ROUNDING


@njit(**_FAST)
def _evaluate(pos: np.ndarray, sal: np.ndarray, cap: np.ndarray, tol: float, power: int,
              big_r_range: int, dist: np.ndarray, util: np.ndarray, risk: np.ndarray,
              prob: np.ndarray, strength: np.ndarray, col: np.ndarray, valid: np.ndarray
              ) -> None:  # pragma: no cover - compiled
    """A state (steps 1–5 and the report of step 9): distances, risk attitudes R (from the
    risk-neutral election over the positions), own utilities U_ax = u(d_ax, R_a) into util,
    and the election over the unique positions into prob (0 for the others)."""
    n, d = pos.shape
    strength = strength[:n, :n]  # the work space is sized for the queues' n + 1 options
    valid = valid[:n]
    _distances(pos, pos, sal, dist)
    for a in range(n):
        for x in range(n):
            util[a, x] = 1.0 - dist[a, x]
        valid[a] = True
    _coalitions(cap, util, strength, col)
    _election(strength, valid, power, prob)
    hi = prob.max()
    lo = prob.min()
    span = hi - lo
    for a in range(n):
        if not span > 0:
            risk[a] = 0.0
        elif big_r_range == 1:  # Mid
            risk[a] = (3 * prob[a] - hi - 2 * lo) / (2 * span)
        elif big_r_range == 0:  # Min
            risk[a] = (prob[a] - lo) / span
        else:  # Max
            risk[a] = (2 * prob[a] - hi - lo) / span
    for a in range(n):
        for x in range(n):
            dd = dist[a, x]
            util[a, x] = (1.0 - dd) * (1.0 + risk[a] * dd)
    for i in range(n):  # unique positions: no earlier representative within tol
        valid[i] = True
        for r in range(i):
            if valid[r]:
                square = 0.0
                for p in range(d):
                    gap = pos[i, p] - pos[r, p]
                    square += gap * gap
                if np.sqrt(square) < tol:
                    valid[i] = False
                    break
    _coalitions(cap, util, strength, col)
    _election(strength, valid, power, prob)


@njit(**_FAST)
def play_draws(position: np.ndarray, salience: np.ndarray, capability: np.ndarray,
               max_steps: int, stop_fraction: float, tol: float, commit: int, power: int,
               big_r_range: int, big_r_adjust: int, method: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Play whole draws (steps 1–9) with the Conditional election, voting rule Prop,
    deterministic transitions and InitOnlyInterp bargains: position, salience (B, n, d),
    capability (B, n). Returns per draw and step (0 … max_steps, a stopped draw's last state
    carried forward) the outcome (probability-weighted mean of the unique positions) and the
    most probable unique position (B, T+1, d), the fractional change of the stopping rule
    (B, T+1; NaN at 0 and after the stop) and the steps played (B,). As
    ``SMPModel._run_chunk`` computes them (tests/test_smp_compiled.py)."""
    B, n, d = position.shape
    outcome = np.empty((B, max_steps + 1, d))
    likely = np.empty((B, max_steps + 1, d))
    change = np.full((B, max_steps + 1), np.nan)
    steps = np.zeros(B, dtype=np.int64)
    m = n + 1  # queue options: 0 stay, 1 + k the bargain initiated by k
    pos = np.empty((n, d))
    new = np.empty((n, d))
    dist = np.empty((n, n))
    util = np.empty((n, n))
    risk = np.empty(n)
    prob = np.empty(n)
    strength = np.empty((m, m))
    col = np.empty((m, n))
    valid = np.empty(m, dtype=np.bool_)
    perceived = np.empty((n, n))
    weight = np.empty(n)
    total = np.empty(n)
    target = np.empty(n, dtype=np.int64)
    p_win = np.empty(n)
    gain = np.empty(n)
    dt = np.empty((n, n))
    ut = np.empty((n, n))
    own_u = np.empty(n)
    wz = np.empty(n)
    offer_i = np.empty((n, d))
    offer_j = np.empty((n, d))
    value = np.empty((n, m))
    queue = np.empty(m, dtype=np.int64)
    queue_p = np.empty(m)
    known = np.empty((m, m), dtype=np.bool_)
    for b in range(B):
        sal = salience[b]
        cap = capability[b]
        for i in range(n):
            total[i] = sal[i].sum()
            weight[i] = cap[i] * total[i]
            for p in range(d):
                pos[i, p] = position[b, i, p]
        _evaluate(pos, sal, cap, tol, power, big_r_range, dist, util, risk, prob,
                  strength, col, valid)
        _record(pos, prob, outcome[b, 0], likely[b, 0])
        first_move = 0.0
        t = 0
        while t < max_steps:
            t += 1
            for h in range(n):  # h's view of i's risk attitude (step 5)
                for i in range(n):
                    if big_r_adjust == 3:  # OneThird
                        perceived[h, i] = (2.0 * risk[h] + risk[i]) / 3.0
                    elif big_r_adjust == 2:  # Half
                        perceived[h, i] = (risk[h] + risk[i]) / 2.0
                    elif big_r_adjust == 1:  # TwoThirds
                        perceived[h, i] = (risk[h] + 2.0 * risk[i]) / 3.0
                    elif big_r_adjust == 0:  # Full
                        perceived[h, i] = risk[i]
                    else:  # NoRA
                        perceived[h, i] = risk[h]
            _challenges(dist, perceived, weight, total, commit, target, p_win, gain, dt, ut,
                        own_u, wz)
            for k in range(n):  # the bargains (step 7)
                j = target[k]
                _offer(pos[k], pos[j], sal[k], sal[j], p_win[k], method, offer_i[k])
                _offer(pos[j], pos[k], sal[j], sal[k], 1.0 - p_win[k], method, offer_j[k])
            for a in range(n):  # every actor's value of every option (step 8)
                base = 0.0
                for x in range(n):
                    base += util[a, x]
                value[a, 0] = base / n
                for k in range(n):
                    u_init = _utility_at(pos[a], sal[a], risk[a], offer_i[k])
                    u_target = _utility_at(pos[a], sal[a], risk[a], offer_j[k])
                    held = util[a, k] + util[a, target[k]]
                    value[a, 1 + k] = (base - held + (u_init + u_target)) / n
            known[:, :] = False
            for h in range(n):  # each actor's queue: stay, its own bargain, those at it
                size = 1
                queue[0] = 0
                for k in range(n):
                    if gain[k] > MIN_GAIN and (k == h or target[k] == h):
                        queue[size] = 1 + k
                        size += 1
                chosen = _queue_choice(value, cap, queue, size, power, strength, known,
                                       queue_p)
                for p in range(d):
                    if chosen == 0:
                        new[h, p] = pos[h, p]
                    elif chosen - 1 == h:
                        new[h, p] = offer_i[h, p]
                    else:
                        new[h, p] = offer_j[chosen - 1, p]
            moved = 0.0
            for h in range(n):
                square = 0.0
                for p in range(d):
                    gap = new[h, p] - pos[h, p]
                    square += gap * gap
                moved += np.sqrt(square)
            if t == 1:
                first_move = moved
            ratio = moved / (first_move + 1e-4)
            change[b, t] = ratio
            for h in range(n):
                for p in range(d):
                    pos[h, p] = new[h, p]
            _evaluate(pos, sal, cap, tol, power, big_r_range, dist, util, risk, prob,
                      strength, col, valid)
            _record(pos, prob, outcome[b, t], likely[b, t])
            if t >= 2 and ratio < stop_fraction:
                break
        steps[b] = t
        for s in range(t + 1, max_steps + 1):
            for p in range(d):
                outcome[b, s, p] = outcome[b, t, p]
                likely[b, s, p] = likely[b, t, p]
    return outcome, likely, change, steps


@njit(**_FAST)
def _record(pos: np.ndarray, prob: np.ndarray, outcome: np.ndarray, likely: np.ndarray
            ) -> None:  # pragma: no cover - compiled
    """The state's outcome Σ_a P_a θ_a and its most probable position (first maximum)."""
    n, d = pos.shape
    best = 0
    for a in range(n):
        if prob[a] > prob[best]:
            best = a
    for p in range(d):
        acc = 0.0
        for a in range(n):
            acc += prob[a] * pos[a, p]
        outcome[p] = acc
        likely[p] = pos[best, p]
