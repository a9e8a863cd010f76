"""The exchange model's rounds compiled with numba: each draw played start to stop in one
call, with the same rules and arithmetic as the numpy engine in :mod:`accord.models.exchange`
(shared/DESIGN.md, "Stokman exchange model (equal gain)", steps 3–5; Stokman & Van Oosten
1994).

Why compiled (issue 12, ``backtest --draws 100`` ≤ 60 s; benchmarks/README.md, "exchange"):
the numpy engine plays every draw of a block at once, one loop iteration per exchange, and on
the backtest's small problems (12–30 actors, 1–6 issues, 100 draws) each iteration is ~25
numpy calls on a few hundred numbers, ~1.9 ms of call overhead; the DEU development file takes
~51 700 iterations. Here one draw's round is a plain loop: execute the best candidate, move the
two votes and outcomes, re-evaluate the candidates whose gain can have changed (the same rule
as ``_Engine.affected``: the suppliers that moved, and the demanders within reach of a moved
outcome), and find the next best in block maxima of 64 slots.

Covered: the default rules (``tie_break = order``, ``p = 0``, ``compat = none``), any
``rounds``, ``stop`` and ``preference_update``; other options use the numpy engine
(``exchange.compiled_applies``). The fixed terms of every candidate (roles, rates, pulls) come from
``exchange.exchange_terms``, so both engines start from the same numbers; the gains follow
``exchange.equal_gain`` operation for operation, ties go to the first slot within 1e-12 of the
best (as ``MaxTree.first``), and an exchange's outcomes are re-summed in numpy's pairwise
order, so the two engines execute the same exchanges in the same order. tests/test_exchange.py
checks runs of both on random scenarios (hypothesis) and the reference data sets.

Draws are independent: chunks of them run side by side in threads
(:func:`accord.models.base.parallel_map`; the kernel releases the GIL), and the compiled code
is cached on disk after its first compilation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

from accord.models.base import parallel_map

_FAST = {"cache": True, "nogil": True, "error_model": "numpy"}
_BLOCK = 64  # slots per block maximum
_LOG = 14  # columns of the log of draw 0's exchanges (see :func:`play`)
_CHUNK_CELLS = 1 << 18  # candidate cells (draws × slots) per chunk of draws
# exchange's bounds (the same values as there; a test checks it; not imported from it, so
# that the two modules do not import each other)
_TIE = 1e-12  # gains this close to the best count as a tie
_MIN_GAIN = 1e-10  # a candidate must gain more than this
_MIN_MOVE = 1e-10  # and both movers must move more than this
_SNAP = 1e-12  # a move within this fraction of the full distance lands on the partner
_AT = 1e-9  # points of 0–100: an actor this close to the compromise is on neither side


@njit(**_FAST)
def _block_sum(v: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """Σ v[lo:lo + n], n ≤ 128, in numpy's order (eight running sums, then the rest)."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += v[i]
        return res
    r0, r1, r2, r3 = v[lo], v[lo + 1], v[lo + 2], v[lo + 3]
    r4, r5, r6, r7 = v[lo + 4], v[lo + 5], v[lo + 6], v[lo + 7]
    i = 8
    while i < n - (n % 8):
        r0 += v[lo + i]
        r1 += v[lo + i + 1]
        r2 += v[lo + i + 2]
        r3 += v[lo + i + 3]
        r4 += v[lo + i + 4]
        r5 += v[lo + i + 5]
        r6 += v[lo + i + 6]
        r7 += v[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += v[lo + i]
        i += 1
    return res


@njit(**_FAST)
def _pairwise(v: np.ndarray, n: int, stack: np.ndarray, sums: np.ndarray
              ) -> float:  # pragma: no cover - compiled
    """Σ v[:n] in numpy's pairwise order (``np.add.reduce`` of a contiguous row): blocks of
    at most 128 summed by :func:`_block_sum`, halves (rounded down to a multiple of 8) added
    as numpy's recursion adds them; here with an explicit stack (``stack`` (64, 3) ints and
    ``sums`` (64,): work space), since numba cannot cache recursive functions."""
    if n <= 128:
        return _block_sum(v, 0, n)
    top, vtop = 1, 0
    stack[0, 0], stack[0, 1], stack[0, 2] = 0, n, 0
    while top > 0:
        lo, m, state = stack[top - 1, 0], stack[top - 1, 1], stack[top - 1, 2]
        if m <= 128:
            sums[vtop] = _block_sum(v, lo, m)
            vtop += 1
            top -= 1
            continue
        n2 = m // 2
        n2 -= n2 % 8
        if state == 0:
            stack[top - 1, 2] = 1
            stack[top, 0], stack[top, 1], stack[top, 2] = lo, n2, 0
            top += 1
        elif state == 1:
            stack[top - 1, 2] = 2
            stack[top, 0], stack[top, 1], stack[top, 2] = lo + n2, m - n2, 0
            top += 1
        else:
            sums[vtop - 2] = sums[vtop - 2] + sums[vtop - 1]
            vtop -= 1
            top -= 1
    return sums[0]


@njit(**_FAST)
def _sign(x: float) -> float:  # pragma: no cover - compiled
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0 if x == 0 else x


@njit(inline="always", **_FAST)
def _evaluate(c: int, a: np.ndarray, b: np.ndarray, p_of: np.ndarray, q_of: np.ndarray,
              coef: np.ndarray, rt: np.ndarray, y: np.ndarray, outcome: np.ndarray
              ) -> tuple[bool, float, float]:  # pragma: no cover - compiled
    """Candidate c's equal-gain exchange at the current votes and outcomes (exchange.equal_gain
    and _Engine.evaluate, compat off): whether it is valid, its gain and ΔO_p."""
    p, q = p_of[c], q_of[c]
    t_p, t_q, toward_p, toward_q = rt[c, 0], rt[c, 1], rt[c, 2], rt[c, 3]
    gap_p = toward_p * (t_p - y[b[c], p])
    gap_q = toward_q * (t_q - y[a[c], q])
    full_p = coef[c, 5] * gap_p
    full_q = coef[c, 6] * gap_q
    room_p = toward_p * (t_p - outcome[p])
    room_q = toward_q * (t_q - outcome[q])
    cap_p = min(full_p, room_p)
    cap_q = min(full_q, room_q)
    shift_p = min(cap_p, cap_q * coef[c, 8])
    shift_q = coef[c, 4] * shift_p
    gain = coef[c, 7] * shift_p
    move_b = shift_p * coef[c, 9]
    move_a = shift_q * coef[c, 10]
    valid = (gap_p > 0 and gap_q > 0 and move_b > _MIN_MOVE and move_a > _MIN_MOVE
             and gain > _MIN_GAIN)
    return valid, gain, shift_p


@njit(**_FAST)
def _move(start: float, target: float, distance: float) -> float:  # pragma: no cover
    """exchange._move for one vote."""
    gap = target - start
    if distance >= abs(gap) * (1 - _SNAP):
        return target
    return start + _sign(gap) * distance


@njit(inline="always", **_FAST)
def _reevaluate(c: int, a: np.ndarray, b: np.ndarray, p_of: np.ndarray, q_of: np.ndarray,
                coef: np.ndarray, rt: np.ndarray, y: np.ndarray, outcome: np.ndarray,
                g: np.ndarray, shift: np.ndarray, alive: np.ndarray, bm: np.ndarray,
                dirty: np.ndarray, ndirty: int) -> int:  # pragma: no cover - compiled
    """Re-evaluate live candidate c: its gain (−inf when no longer valid), ΔO_p and block
    maximum (raised at once; a block whose maximum fell is listed in ``dirty`` to be
    rescanned). Returns the new length of ``dirty``."""
    valid, gain, sp = _evaluate(c, a, b, p_of, q_of, coef, rt, y, outcome)
    shift[c] = sp
    alive[c] = valid
    old = g[c]
    new = gain if valid else -np.inf
    g[c] = new
    blk = c // _BLOCK
    if new > bm[blk]:
        bm[blk] = new
    elif old == bm[blk] and new < old:
        dirty[ndirty] = blk
        ndirty += 1
    return ndirty


@njit(**_FAST)
def _refresh(g: np.ndarray, bm: np.ndarray, blk: int) -> None:  # pragma: no cover
    top = -np.inf
    for c in range(blk * _BLOCK, min(g.size, (blk + 1) * _BLOCK)):
        if g[c] > top:
            top = g[c]
    bm[blk] = top


@njit(**_FAST)
def _play_draw(x_in: np.ndarray, salience: np.ndarray, weight: np.ndarray, total: np.ndarray,
               pull: np.ndarray, a: np.ndarray, b: np.ndarray, p_of: np.ndarray,
               q_of: np.ndarray, coef: np.ndarray, takes_part: np.ndarray, able: np.ndarray,
               cell_slots: np.ndarray, rounds: int, stop_empty: bool, update_on: bool,
               full_recompute: bool, voting: np.ndarray, preference: np.ndarray,
               made: np.ndarray, candidates: np.ndarray, g: np.ndarray, shift: np.ndarray,
               alive: np.ndarray, rt: np.ndarray, stamp: np.ndarray, bm: np.ndarray,
               dirty: np.ndarray, log: np.ndarray, want_log: bool
               ) -> tuple[int, int, int, np.ndarray]:  # pragma: no cover - compiled
    """One draw's rounds (DESIGN.md steps 3–5). Fills voting, preference (rounds + 1, n, d),
    made, candidates (rounds + 1,) up to the rounds played; the rest of the arguments after
    ``candidates`` are work space (``log``: draw 0's exchanges, grown as needed). Returns the
    rounds played, the exchanges logged, the candidates re-evaluated and the log."""
    n, d = x_in.shape
    C = a.size
    nb = bm.size
    per_cell = cell_slots.shape[2]
    pref = x_in.copy()
    y = np.empty((n, d))
    outcome = np.empty(d)
    side = np.empty((n, d))
    reach = np.empty((n, d))
    supplied = np.zeros((n, d), dtype=np.bool_)
    prod = np.empty(n)
    stack = np.empty((64, 3), dtype=np.int64)
    live = np.empty(C, dtype=np.int64)  # the live candidates (and some dropped since)
    near_flag = np.zeros(2 * n, dtype=np.bool_)
    sums = np.empty(64)
    voting[0] = x_in
    preference[0] = x_in
    made[0] = 0
    candidates[0] = 0
    nlog = 0
    recomputed = 0
    tick = 0
    played = 0
    for t in range(1, rounds + 1):
        y[:] = pref
        for x in range(d):
            s = 0.0
            for k in range(n):
                s += weight[k, x] * y[k, x]
            outcome[x] = s / total[x]
        for k in range(n):
            for x in range(d):
                gap = pref[k, x] - outcome[x]
                side[k, x] = _sign(gap) if abs(gap) > _AT else 0.0
        # each demander's reach on an issue: the largest shift a partner's full move can make
        for k in range(n):
            for x in range(d):
                r = 0.0
                for j in range(n):
                    if side[k, x] * side[j, x] < 0:
                        v = pull[j, x] * abs(pref[k, x] - pref[j, x])
                        if v > r:
                            r = v
                reach[k, x] = r
        supplied[:] = False
        count = 0
        for c in range(C):
            ac, bc, p, q = a[c], b[c], p_of[c], q_of[c]
            t_p, t_q = pref[ac, p], pref[bc, q]
            rt[c, 0] = t_p
            rt[c, 1] = t_q
            rt[c, 2] = _sign(t_p - pref[bc, p])
            rt[c, 3] = _sign(t_q - pref[ac, q])
            opposite = side[ac, p] * side[bc, p] < 0 and side[bc, q] * side[ac, q] < 0
            if opposite and takes_part[c]:
                count += 1
            valid, gain, sp = _evaluate(c, a, b, p_of, q_of, coef, rt, y, outcome)
            shift[c] = sp
            alive[c] = opposite and able[c] and valid
            g[c] = gain if alive[c] else -np.inf
        for blk in range(nb):
            _refresh(g, bm, blk)
        nlist = 0
        for c in range(C):
            if alive[c]:
                live[nlist] = c
                nlist += 1
        executed = 0
        for _ in range(C):
            best = -np.inf
            for blk in range(nb):
                if bm[blk] > best:
                    best = bm[blk]
            if not best > -np.inf:
                break
            threshold = best - _TIE
            slot = -1
            for blk in range(nb):
                if bm[blk] >= threshold:
                    for c in range(blk * _BLOCK, min(C, (blk + 1) * _BLOCK)):
                        if g[c] >= threshold:
                            slot = c
                            break
                    break
            ea, eb, ep, eq = a[slot], b[slot], p_of[slot], q_of[slot]
            chosen = g[slot]
            d_p = shift[slot]
            d_q = coef[slot, 4] * d_p
            before_b, before_a = y[eb, ep], y[ea, eq]
            y[eb, ep] = _move(before_b, pref[ea, ep], d_p / coef[slot, 5])
            y[ea, eq] = _move(before_a, pref[eb, eq], d_q / coef[slot, 6])
            old_p, old_q = outcome[ep], outcome[eq]
            for k2 in range(n):
                prod[k2] = weight[k2, ep] * y[k2, ep]
            outcome[ep] = _pairwise(prod, n, stack, sums) / total[ep]
            for k2 in range(n):
                prod[k2] = weight[k2, eq] * y[k2, eq]
            outcome[eq] = _pairwise(prod, n, stack, sums) / total[eq]
            supplied[eb, ep] = True
            supplied[ea, eq] = True
            executed += 1
            if want_log:
                if nlog == log.shape[0]:
                    bigger = np.empty((2 * nlog + 16, log.shape[1]))
                    bigger[:nlog] = log[:nlog]
                    log = bigger
                row = log[nlog]
                row[0], row[1], row[2], row[3], row[4] = t, ea, eb, ep, eq
                row[5], row[6], row[7], row[8] = before_a, y[ea, eq], before_b, y[eb, ep]
                row[9], row[10], row[11], row[12] = old_p, outcome[ep], old_q, outcome[eq]
                row[13] = chosen
                nlog += 1
            alive[slot] = False
            g[slot] = -np.inf
            ndirty = 1
            dirty[0] = slot // _BLOCK
            # the candidates whose gain can have changed (exchange._Engine.affected): those
            # in which b or a took part on p or q, and those whose demander on p or q lies
            # within its reach of the old or the new outcome there; or every live candidate
            # (the same gains), when walking the live list costs less
            tick += 1
            near = 0
            for w in range(2 * n):
                x = ep if w < n else eq
                old = old_p if w < n else old_q
                k2 = w % n
                r = reach[k2, x]
                is_near = r > 0 and (side[k2, x] * (pref[k2, x] - old) < r
                                     or side[k2, x] * (pref[k2, x] - outcome[x]) < r)
                near_flag[w] = is_near
                near += is_near
            if full_recompute or nlist <= (2 + near) * per_cell:
                j = 0
                for i in range(nlist):
                    c = live[i]
                    if not alive[c]:
                        continue
                    recomputed += 1
                    ndirty = _reevaluate(c, a, b, p_of, q_of, coef, rt, y, outcome, g, shift,
                                         alive, bm, dirty, ndirty)
                    if alive[c]:
                        live[j] = c
                        j += 1
                nlist = j
            else:
                for w in range(2 + 2 * n):
                    if w == 0:
                        k2, x = eb, ep
                    elif w == 1:
                        k2, x = ea, eq
                    else:
                        if not near_flag[w - 2]:
                            continue
                        k2, x = (w - 2) % n, (ep if w - 2 < n else eq)
                    for m in range(per_cell):
                        c = cell_slots[k2, x, m]
                        if not alive[c] or stamp[c] == tick:
                            continue
                        stamp[c] = tick
                        recomputed += 1
                        ndirty = _reevaluate(c, a, b, p_of, q_of, coef, rt, y, outcome, g,
                                             shift, alive, bm, dirty, ndirty)
            for i in range(ndirty):
                _refresh(g, bm, dirty[i])
        if update_on:
            for k2 in range(n):
                for x in range(d):
                    if supplied[k2, x]:
                        u = 0.1 + 0.4 * (1.0 - salience[k2, x])
                        pref[k2, x] = pref[k2, x] + u * (y[k2, x] - pref[k2, x])
        voting[t] = y
        preference[t] = pref
        made[t] = executed
        candidates[t] = count
        played = t
        if stop_empty and executed == 0:
            break
    return played, nlog, recomputed, log


@njit(**_FAST)
def play_draws(scaled: np.ndarray, salience: np.ndarray, weight: np.ndarray,
               total: np.ndarray, pull: np.ndarray, a: np.ndarray, b: np.ndarray,
               p_of: np.ndarray, q_of: np.ndarray, coef: np.ndarray, takes_part: np.ndarray,
               able: np.ndarray, cell_slots: np.ndarray, rounds: int, stop_empty: bool,
               update_on: bool, full_recompute: bool, want_log: bool
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int,
                          np.ndarray, int]:  # pragma: no cover - compiled
    """Every draw of a chunk, one after another, work arrays reused (:func:`_play_draw`).
    A draw that stopped early repeats its last round. Returns voting, preference
    (S, rounds + 1, n, d), exchanges, candidates (S, rounds + 1), rounds played (S,), the
    candidates re-evaluated, and draw 0's log (want_log) with its length."""
    S, n, d = scaled.shape
    C = a.shape[1]
    voting = np.empty((S, rounds + 1, n, d))
    preference = np.empty((S, rounds + 1, n, d))
    made = np.zeros((S, rounds + 1), dtype=np.int64)
    candidates = np.zeros((S, rounds + 1), dtype=np.int64)
    played = np.zeros(S, dtype=np.int64)
    g = np.empty(C)
    shift = np.empty(C)
    alive = np.zeros(C, dtype=np.bool_)
    rt = np.empty((C, 4))
    stamp = np.zeros(C, dtype=np.int64)
    nb = (C + _BLOCK - 1) // _BLOCK
    bm = np.empty(nb)
    dirty = np.empty(C + 1, dtype=np.int64)
    log = np.empty((16 if want_log else 0, _LOG))
    nlog = 0
    recomputed = 0
    for s in range(S):
        stamp[:] = 0
        rows, nl, rec, lg = _play_draw(
            scaled[s], salience[s], weight[s], total[s], pull[s], a[s], b[s], p_of, q_of,
            coef[s], takes_part[s], able[s], cell_slots, rounds, stop_empty, update_on,
            full_recompute, voting[s], preference[s], made[s], candidates[s], g, shift, alive,
            rt, stamp, bm, dirty, log, want_log and s == 0)
        if want_log and s == 0:
            log, nlog = lg, nl
        recomputed += rec
        played[s] = rows
        for t in range(rows + 1, rounds + 1):
            voting[s, t] = voting[s, rows]
            preference[s, t] = preference[s, rows]
            made[s, t] = made[s, rows]
            candidates[s, t] = candidates[s, rows]
    return voting, preference, made, candidates, played, recomputed, log, nlog


def _pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (first < second) of m items in lexicographic order (exchange.pair_indices)."""
    first, second = np.triu_indices(m, k=1)
    return first.astype(np.intp), second.astype(np.intp)


def _cell_slots(n: int, d: int) -> np.ndarray:
    """The slots in which actor k and issue x both appear, (n, d, (n − 1)(d − 1)), slots
    numbered as exchange._Engine numbers them (actor pair major)."""
    ia, ja = _pairs(n)
    pp, qq = _pairs(d)
    P = pp.size
    k = np.arange(n)
    of_actor = np.argsort(~((ia[None, :] == k[:, None]) | (ja[None, :] == k[:, None])),
                          axis=1, kind="stable")[:, :n - 1]
    x = np.arange(d)
    of_issue = np.argsort(~((pp[None, :] == x[:, None]) | (qq[None, :] == x[:, None])),
                          axis=1, kind="stable")[:, :d - 1]
    return np.ascontiguousarray((of_actor[:, None, :, None] * P
                                 + of_issue[None, :, None, :]).reshape(n, d, -1))


def play(options: Any, scaled: np.ndarray, salience: np.ndarray, weight: np.ndarray,
         mask: np.ndarray, terms_of: Callable[..., Any], full_recompute: bool = False
         ) -> dict[str, Any]:
    """Every draw's rounds in compiled code, equal to ``exchange._Engine.play`` over the
    same draws (options: ``exchange.compiled_applies``; d ≥ 2, rounds ≥ 1). ``terms_of``:
    ``exchange.exchange_terms``. Returns "voting", "preference" (S, T + 1, n, d),
    "exchanges", "candidates" (S, T + 1) for the T rounds played (a draw that stopped early
    repeats its last round), "recomputed" and "log": per round, draw 0's executed exchanges
    as the arguments of ``exchange._log_entry``."""
    S, n, d = scaled.shape
    ia, ja = _pairs(n)
    pp, qq = _pairs(d)
    A, P = ia.size, pp.size
    C = A * P
    pair = np.repeat(np.arange(A), P)
    issues = np.tile(np.arange(P), A)
    p_of, q_of = pp[issues], qq[issues]
    cell_slots = _cell_slots(n, d) if n > 1 else np.zeros((n, d, 0), dtype=np.intp)
    total = weight.sum(axis=1)
    total = np.where(total > 0, total, 1.0)
    pull = weight / total[:, None, :]
    rounds = int(options.rounds)
    chunk = max(1, min(-(-S // 4), _CHUNK_CELLS // max(1, C)))

    def run_chunk(c0: int) -> tuple:
        c1 = min(S, c0 + chunk)
        terms = terms_of(salience[c0:c1], weight[c0:c1], mask, np.arange(c1 - c0)[:, None],
                         ia[pair][None, :], ja[pair][None, :], p_of[None, :], q_of[None, :])
        return play_draws(
            np.ascontiguousarray(scaled[c0:c1], dtype=float),
            np.ascontiguousarray(salience[c0:c1], dtype=float),
            np.ascontiguousarray(weight[c0:c1], dtype=float), np.ascontiguousarray(total[c0:c1]),
            np.ascontiguousarray(pull[c0:c1]), np.ascontiguousarray(terms.a),
            np.ascontiguousarray(terms.b), p_of, q_of, np.ascontiguousarray(terms.coef),
            np.array(terms.takes_part, dtype=np.bool_, order="C"),
            np.array(terms.able, dtype=np.bool_, order="C"),
            cell_slots, rounds, options.stop == "no_exchanges",
            options.preference_update == "on", bool(full_recompute), c0 == 0)

    parts = list(parallel_map(run_chunk, range(0, S, chunk)))
    played = int(max(int(part[4].max()) for part in parts))
    log: list[list[tuple]] = [[] for _ in range(played + 1)]
    for row in parts[0][6][:parts[0][7]]:
        t, ea, eb, ep, eq = (int(v) for v in row[:5])
        vote = np.zeros((1, n, d))
        vote[0, ea, eq], vote[0, eb, ep] = row[6], row[8]
        out = np.zeros((1, d))
        out[0, ep], out[0, eq] = row[10], row[12]
        coef = np.array([salience[0, ea, ep], salience[0, ea, eq], salience[0, eb, ep],
                         salience[0, eb, eq]])
        log[t].append((ea, eb, ep, eq, coef, vote, out, float(row[9]), float(row[11]),
                       float(row[5]), float(row[7]), float(row[13])))
    return {"voting": np.concatenate([part[0][:, :played + 1] for part in parts]),
            "preference": np.concatenate([part[1][:, :played + 1] for part in parts]),
            "exchanges": np.concatenate([part[2][:, :played + 1] for part in parts]).astype(int),
            "candidates": np.concatenate([part[3][:, :played + 1] for part in parts]
                                         ).astype(int),
            "recomputed": int(sum(part[5] for part in parts)), "log": log}
