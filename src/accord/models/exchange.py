"""Stokman exchange model (equal gain): actors trade voting positions across issues.

Stokman, F. N. & Van Oosten, R. (1994), "The exchange of voting positions: an
object-oriented model of policy networks", in Bueno de Mesquita & Stokman (eds.), *European
Community Decision Making*, Yale University Press; shared/DESIGN.md, "Stokman exchange model
(equal gain)", whose steps the comments below cite.

On each issue the outcome is the compromise O_p = Σ_k w_kp x_kp / W_p, with w = c·s and
W_p = Σ_k w_kp. Positions are rescaled to 0–100 per issue before anything is computed, so
gains (salience × outcome shift in points) do not depend on an issue's units.

* Step 1. Actors i, j can trade on issues p, q when they lie on opposite sides of O_p and of
  O_q. If s_ip/s_iq > s_jp/s_jq, i demands p (j moves toward i on p) and supplies q (i moves
  toward j on q); otherwise the roles swap. Below, ``a`` is the actor demanding p and ``b``
  the one demanding q.
* Step 2. A move Δ of k on p shifts O_p by w_kp Δ / W_p. Gains G_a = s_ap ΔO_p − s_aq ΔO_q,
  G_b = s_bq ΔO_q − s_bp ΔO_p; equal gain needs ΔO_q / ΔO_p = (s_ap + s_bp) / (s_aq + s_bq).
  One partner moves all the way, the other as far as equal gain needs (whichever of the two
  fits), and no outcome passes the position of the partner demanding it: the shifts are
  capped at ``cap_p = min(w_bp (t_p − y_bp) / W_p, t_p − O_p)`` (signed toward the target
  t_p, a's position at the round's start) and likewise on q, and ΔO_p = min(cap_p, cap_q /
  rate), ΔO_q = rate · ΔO_p (:func:`equal_gain`).
* Step 3, as decide does it. A round starts from the list of every candidate: pairs on
  opposite sides of both compromises at the round's start. **Targets and sides are fixed at
  the round's start**: a supplier moves toward its demander's round-start position, even if
  the demander has since moved its own vote on that issue, and sides are not re-tested. The
  round executes the candidate with the highest gain, takes it off the list, moves the two
  voting positions, re-evaluates the candidates whose gain can have changed and drops those
  that are no longer valid (a supplier at or past its target, a move or gain of 1e-10 or
  less), and repeats until the list is empty; a dropped candidate does not come back. Ties
  (gains within 1e-12 of the best) go, with ``tie_break = order``, to the candidate whose
  actor pair comes first (pairs (i, j), i < j, in lexicographic order), and among those to
  the first issue pair (likewise ordered); with ``tie_break = random``, to a uniform choice
  among the tied ones.
* Step 4. Between rounds an actor that supplied on an issue moves its preference toward its
  voting position: x' = x + [0.1 + 0.4 (1 − s)] (y − x); the next round starts from the
  preferences.
* Step 5. Stop after ``rounds`` rounds, or (``stop = no_exchanges``) after the first round in
  which nothing was traded (every later round would repeat it exactly).

Randomised equal gain (``p`` > 0). This follows the p-parameter variant of the Decide tools
(decide-exchange-model's "random equal gain", a randomised form of Stokman's equal gain, as
the issue that asked for it describes; the reference outcomes were run with p = 0). The exact
split rule below is accord's own reading, not taken from or checked against another
implementation: candidates are ranked by their equal gain, but the executed exchange's split
is moved along the two-person Pareto frontier (the edges ΔO_p = cap_p and ΔO_q = cap_q of the
feasible box) from the equal-gain point toward one partner's end (where the other gains
nothing), by a fraction u ~ U(0, p); which partner is favoured is a fair coin
(:func:`frontier_split`).

Which candidates are re-evaluated (issue 12, exchange scaling). With targets and sides fixed, a
candidate's gain depends on the round only through its two suppliers' current votes and, where
the truncation binds, the two outcomes. So after an exchange (b moved on p, a on q) the model
re-evaluates the live candidates in which b or a takes part on p or q, and those whose
demander on p or q lies within its *reach* of the old or the new outcome there (reach: the
largest shift any of its partners' full moves could make, fixed at the round's start, since
full moves only shrink); no other gain can have changed. A test checks that this gives the
same run as re-evaluating every live candidate. The best candidate is then found in a
:class:`MaxTree` of block maxima instead of a scan of all of them.

``compat: decide`` copies decide-exchange-model's other details (DESIGN.md step 3): each
candidate caps its moves against its own, stale view of the compromise (the round's start,
moved by the suppliers it learned of: those that supplied the same issue to the same
demander, at the position their first such exchange left them, and by its own supplier's
current vote), truncating only a shift that would cross the demander's position; decide
re-evaluates only the candidates that share an actor in the same role with the executed
exchange, executes a candidate with the moves it last computed, tests the gain and the moves
before truncating them, and drops a candidate when its supplier's listed moves (decide keeps
the previous proposal each time the supplier moves) add up to more than +100. With random
ties it spans decide's own runs (tests/test_exchange.py).

Draws: every draw runs the same greedy loop at once; each iteration executes one exchange in
every draw that still has a candidate (draws are processed in blocks to bound memory).

Random numbers (only with ``tie_break = random`` or ``p`` > 0; otherwise the generator is not
used). Each draw has its own stream, so that what one draw does never depends on how many
other draws run beside it: :meth:`ExchangeModel.run` spawns ``rng.spawn(S)`` (the children of
the generator's SeedSequence; for a generator made by ``default_rng(seed)`` that has spawned
nothing before, child k is ``SeedSequence(seed, spawn_key=(k,))``) and draw k takes, for each
exchange it executes, uniforms from child k in this order: one for the tie (``tie_break =
random``, drawn whether or not there is a tie), then u and the coin (``p`` > 0). Hence:

* the same seed (a fresh ``default_rng(seed)``), options and draws give identical results;
* draw k of an S-draw run equals a one-draw run of that draw given draw k's stream,
  ``model.run_streams(arrays.take_draws(k), [rng.spawn(S)[k]])`` (with ``rng`` fresh from the
  same seed); in particular draw 0 of an S-draw run equals the one-draw run with the same seed.
"""

# Longer than ~500 lines on purpose: one model, one module (shared/DESIGN.md "Layout"). The
# exchange kernels (candidate terms, shifts, the round) serve this model only and are tested
# against Decide's first-round values; split apart they would scatter one model's
# specification over several files.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from accord.arrays import ScenarioArrays
from accord.models.base import (
    BaseModel,
    Cost,
    Count,
    EngineCost,
    Forecast,
    Fraction,
    ModelOptions,
    compiled_wanted,
    register,
)
from accord.models.compromise import weighted_mean

SCALE = 100.0  # gains are computed on positions rescaled to 0–100 per issue
_TIE = 1e-12  # gains this close to the best count as a tie
_MIN_GAIN = 1e-10  # a candidate must gain more than this (DESIGN.md step 3; decide's bound)
_MIN_MOVE = 1e-10  # and both movers must move more than this (decide's bound)
_MAX_SUM = SCALE * (1 + 1e-12)  # decide's bound on a supplier's listed moves (compat)
_FULL_RECOMPUTE = False  # re-evaluate every live candidate after each exchange (tests only)
_BLOCK_CELLS = 1 << 16  # candidate cells (draws × issue pairs × actor pairs) per block
_SNAP = 1e-12  # a move within this fraction of the full distance lands on the partner
_AT = 1e-9  # points of 0–100: an actor this close to the compromise is on neither side


@dataclass(frozen=True)
class ExchangeOptions(ModelOptions):
    """Options of the exchange model (defaults: decide-exchange-model's, DESIGN.md)."""

    rounds: Count = 10  # DESIGN.md step 5; decide-exchange-model's default
    stop: Literal["fixed", "no_exchanges"] = "fixed"  # DESIGN.md step 5
    preference_update: Literal["on", "off"] = "on"  # DESIGN.md step 4
    tie_break: Literal["order", "random"] = "order"  # DESIGN.md step 3 (random: seeded)
    p: Fraction = 0.0  # randomised equal gain; 0 = equal gain (Stokman & Van Oosten 1994)
    compat: Literal["none", "decide"] = "none"  # DESIGN.md step 3: decide's other details


# --------------------------------------------------------------------------- kernels


def pair_indices(m: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (first < second) of m items in lexicographic order."""
    first, second = np.triu_indices(m, k=1)
    return first.astype(np.intp), second.astype(np.intp)


COEFS = ("s_ap", "s_aq", "s_bp", "s_bq", "rate", "pull_b", "pull_a", "unit_gain", "inv_rate",
         "inv_pull_b", "inv_pull_a")


@dataclass(frozen=True)
class Terms:
    """What a candidate exchange depends on that is fixed for a whole run (saliences and
    capabilities do not change), for actor pairs (i, j) and issue pairs (p, q) of one
    broadcast shape (DESIGN.md steps 1–2).

    a, b: the actor demanding p (it supplies q) and its partner (demands q, supplies p); i is
    ``a`` when s_ip/s_iq ≥ s_jp/s_jq (with equal ratios the gain is zero either way).
    ``coef[..., k]`` holds the field ``COEFS[k]``: s_ap, s_aq, s_bp, s_bq: their saliences;
    rate: ΔO_q / ΔO_p for equal gain, (s_ap + s_bp) / (s_aq + s_bq); pull_b = w_bp / W_p and
    pull_a = w_aq / W_q: the outcome shift per unit move of the mover. takes_part: both
    actors take part in both issues. able: they take part, both care about both issues, and
    both movers carry weight.
    """

    a: np.ndarray
    b: np.ndarray
    coef: np.ndarray
    takes_part: np.ndarray
    able: np.ndarray

    def field(self, name: str) -> np.ndarray:
        return self.coef[..., COEFS.index(name)]

    @property
    def rate(self) -> np.ndarray:
        return self.field("rate")


def exchange_terms(salience: np.ndarray, weight: np.ndarray, mask: np.ndarray,
                   draw: np.ndarray, i: np.ndarray, j: np.ndarray, p: np.ndarray,
                   q: np.ndarray) -> Terms:
    """:class:`Terms` of actors i, j on issues p, q in the given draws (index arrays that
    broadcast together). salience, weight: (S, n, d) with weight = c·s; mask (n, d)."""
    s_ip, s_jp, s_iq, s_jq = (salience[draw, i, p], salience[draw, j, p],
                              salience[draw, i, q], salience[draw, j, q])
    i_dem = s_ip * s_jq >= s_jp * s_iq
    a = np.where(i_dem, i, j)
    b = np.where(i_dem, j, i)
    s_ap, s_bp = np.where(i_dem, s_ip, s_jp), np.where(i_dem, s_jp, s_ip)
    s_aq, s_bq = np.where(i_dem, s_iq, s_jq), np.where(i_dem, s_jq, s_iq)
    total = weight.sum(axis=1)
    total = np.where(total > 0, total, 1.0)
    num = s_ap + s_bp
    den = s_aq + s_bq
    rate = num / np.where(den > 0, den, 1.0)
    takes_part = np.broadcast_to(mask[i, p] & mask[j, p] & mask[i, q] & mask[j, q], a.shape)
    pull_b = weight[draw, b, p] / total[draw, p]
    pull_a = weight[draw, a, q] / total[draw, q]
    able = takes_part & (num > 0) & (den > 0) & (pull_b > 0) & (pull_a > 0)
    unit_gain = s_ap - s_aq * rate
    inv_rate = 1.0 / np.where(rate > 0, rate, 1.0)
    inv_pull_b = 1.0 / np.where(pull_b > 0, pull_b, 1.0)
    inv_pull_a = 1.0 / np.where(pull_a > 0, pull_a, 1.0)
    coef = np.stack(np.broadcast_arrays(s_ap, s_aq, s_bp, s_bq, rate, pull_b, pull_a,
                                        unit_gain, inv_rate, inv_pull_b, inv_pull_a), axis=-1)
    return Terms(a.astype(np.intp), b.astype(np.intp), coef.astype(float),
                 np.ascontiguousarray(takes_part), able)


@dataclass(slots=True)
class Shifts:
    """The equal-gain exchange of a candidate at given voting positions and outcomes.

    ahead: both movers are still short of their targets (DESIGN.md step 3: a candidate whose
    supplier has reached or passed its target is invalid). cap_p, cap_q: the largest outcome
    shifts allowed (the mover's full move to its target, or as far as the demanding
    partner's position). free_p: ΔO_p without the second cap (what decide tests its gain and
    moves on before truncating). shift_p, shift_q: the equal-gain shifts ΔO_p, ΔO_q (points
    of 0–100). gain: each partner's gain (step 2). move_b, move_a: the movers' moves.
    """

    ahead: np.ndarray
    cap_p: np.ndarray
    cap_q: np.ndarray
    free_p: np.ndarray | None
    shift_p: np.ndarray
    shift_q: np.ndarray
    gain: np.ndarray
    move_b: np.ndarray
    move_a: np.ndarray


def equal_gain(target_p: np.ndarray, from_p: np.ndarray, target_q: np.ndarray,
               from_q: np.ndarray, toward_p: np.ndarray, toward_q: np.ndarray,
               o_p: np.ndarray, o_q: np.ndarray, coef: np.ndarray, *,
               crossing_only: bool = False, free: bool = True) -> Shifts:
    """The equal-gain exchange where ``a`` demands p and supplies q (Stokman & Van Oosten
    1994; DESIGN.md steps 2–3). b moves on p from ``from_p`` toward ``target_p`` (a's
    position at the start of the round), in the direction ``toward_p`` (±1, fixed at the
    round's start); a moves on q from ``from_q`` toward ``target_q``. o_p, o_q: the
    outcomes; coef: the candidate's :data:`COEFS` (last axis). Everything on 0–100.

    One partner moves all the way and the other as far as equal gain needs: ΔO_p =
    min(cap_p, cap_q / rate), ΔO_q = rate · ΔO_p, where each cap is the full move's shift,
    truncated so that the outcome does not pass the demanding partner's position
    (``crossing_only``: decide's rule, which truncates only a shift that would cross it, so an
    outcome already past that position is not held back). Gain s_ap ΔO_p − s_aq ΔO_q, the
    same for b. ``free = False`` leaves ``free_p`` out (None)."""
    rate, pull_b, pull_a = coef[..., 4], coef[..., 5], coef[..., 6]
    gap_p = toward_p * (target_p - from_p)
    gap_q = toward_q * (target_q - from_q)
    ahead = (gap_p > 0) & (gap_q > 0)
    full_p = pull_b * gap_p
    full_q = pull_a * gap_q
    room_p = toward_p * (target_p - o_p)
    room_q = toward_q * (target_q - o_q)
    if crossing_only:
        cap_p = np.where(room_p > 0, np.minimum(full_p, room_p), full_p)
        cap_q = np.where(room_q > 0, np.minimum(full_q, room_q), full_q)
    else:
        cap_p = np.minimum(full_p, room_p)
        cap_q = np.minimum(full_q, room_q)
    inv_rate = coef[..., 8]
    free_p = np.minimum(full_p, full_q * inv_rate) if free else None
    shift_p = np.minimum(cap_p, cap_q * inv_rate)
    shift_q = rate * shift_p
    gain = coef[..., 7] * shift_p
    move_b = shift_p * coef[..., 9]
    move_a = shift_q * coef[..., 10]
    return Shifts(ahead, cap_p, cap_q, free_p, shift_p, shift_q, gain, move_b, move_a)


def at_round_start(position: np.ndarray, outcome: np.ndarray, terms: Terms, draw: np.ndarray,
                   p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, Shifts]:
    """Candidates with ``terms`` (actor pairs on issue pairs p, q, in the given draws) at the
    start of a round whose positions (S, n, d) and compromise (S, d) are given on 0–100:
    whether the two lie on opposite sides of both outcomes (step 1; an actor at the outcome,
    to 1e-9 points, is on neither side), and their equal-gain exchange (step 2)."""
    a, b = terms.a, terms.b
    x_ap, x_bp = position[draw, a, p], position[draw, b, p]
    x_aq, x_bq = position[draw, a, q], position[draw, b, q]
    o_p, o_q = outcome[draw, p], outcome[draw, q]
    def side(x: np.ndarray, o: np.ndarray) -> np.ndarray:
        return np.where(np.abs(x - o) > _AT, np.sign(x - o), 0.0)

    opposite = ((side(x_ap, o_p) * side(x_bp, o_p) < 0)
                & (side(x_aq, o_q) * side(x_bq, o_q) < 0))
    return opposite, equal_gain(x_ap, x_bp, x_bq, x_aq, np.sign(x_ap - x_bp),
                                np.sign(x_bq - x_aq), o_p, o_q, terms.coef)


def frontier_split(cap_p: np.ndarray, cap_q: np.ndarray, shift_p: np.ndarray,
                   shift_q: np.ndarray, s_ap: np.ndarray, s_aq: np.ndarray, s_bp: np.ndarray,
                   s_bq: np.ndarray, u: np.ndarray, favour_a: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Randomised equal gain: move the split (ΔO_p, ΔO_q) from the equal-gain point along the
    Pareto frontier toward one partner's end by the fraction u in [0, 1].

    The frontier of the box [0, cap_p] × [0, cap_q] runs from (cap_p, 0) over the corner
    (cap_p, cap_q) to (0, cap_q); with the path coordinate τ = ΔO_q on the first edge and
    cap_q + (cap_p − ΔO_p) on the second, a's gain falls and b's rises with τ. a's end is
    where b gains nothing (ΔO_q / ΔO_p = s_bp / s_bq), b's end where a gains nothing
    (ΔO_q / ΔO_p = s_ap / s_aq). u = 0 returns the equal-gain split.
    """

    def tau_of(dp: np.ndarray, dq: np.ndarray) -> np.ndarray:
        on_first = dp >= cap_p * (1 - 1e-12)
        return np.where(on_first, dq, cap_q + (cap_p - dp))

    def tau_where_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        """τ of the frontier point with ΔO_q / ΔO_p = num / den."""
        first = num * cap_p <= den * cap_q  # the ray meets the edge ΔO_p = cap_p
        tq = num * cap_p / np.where(den > 0, den, 1.0)
        tp = cap_q + cap_p - den * cap_q / np.where(num > 0, num, 1.0)
        return np.where(first, tq, tp)

    tau_e = tau_of(shift_p, shift_q)
    end = np.where(favour_a, tau_where_ratio(s_bp, s_bq), tau_where_ratio(s_ap, s_aq))
    tau = tau_e + u * (end - tau_e)
    dp = np.where(tau <= cap_q, cap_p, cap_p - (tau - cap_q))
    dq = np.where(tau <= cap_q, tau, cap_q)
    return np.clip(dp, 0.0, cap_p), np.clip(dq, 0.0, cap_q)


class MaxTree:
    """The largest value of each row (draw) of an (S, C) array, kept as a tree of block
    maxima with ``K`` children a node, so that after changing M entries the maximum and the
    first (or last) entry within a threshold of it are found with O(M K log C) work per
    draw instead of a scan of all C (issue 12, exchange scaling). Rows of at most
    ``FLAT`` entries are scanned instead (fewer, cheaper steps). ``values``: the leaves."""

    K = 256
    FLAT = 4096

    def __init__(self, values: np.ndarray) -> None:
        S, K = values.shape[0], self.K
        self.size = values.shape[1]
        self.levels: list[np.ndarray] = []
        v = values
        while True:
            width = -(-v.shape[1] // K) * K
            level = np.full((S, width), -np.inf)
            level[:, :v.shape[1]] = v
            self.levels.append(level)
            if width == K or self.size <= self.FLAT:
                break
            v = level.reshape(S, -1, K).max(axis=2)

    @property
    def values(self) -> np.ndarray:
        """The leaves, (S, C) (a view)."""
        return self.levels[0][:, :self.size]

    def leaf(self, draws: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """The leaves at (draws, slots)."""
        low = self.levels[0]
        return low.reshape(-1).take(draws * low.shape[1] + slots)

    def top(self) -> np.ndarray:
        return self.levels[-1].max(axis=1)

    def set(self, draws: np.ndarray, slots: np.ndarray, values: np.ndarray) -> None:
        """Set leaves (no (draw, slot) twice) and the block maxima above them: a block's
        maximum rises with a larger child, and is recomputed from its K children only where
        the child that held it fell."""
        K = self.K
        window = np.arange(K)
        low = self.levels[0]
        at = draws * low.shape[1] + slots  # flat indices: cheaper than (draw, slot) pairs
        old = low.reshape(-1)[at]
        low.reshape(-1)[at] = values
        new = values
        for low, high in zip(self.levels, self.levels[1:], strict=False):
            slots = slots // K
            at = draws * high.shape[1] + slots
            flat = high.reshape(-1)
            before = flat[at]
            np.maximum.at(flat, at, new)
            fell = (old >= before) & (new < old)
            if fell.any():
                start = draws[fell] * low.shape[1] + slots[fell] * K
                flat[at[fell]] = low.reshape(-1).take(start[:, None] + window).max(axis=1)
            old, new = before, flat[at]

    def first(self, draws: np.ndarray, threshold: np.ndarray, last: bool = False
              ) -> np.ndarray:
        """Per draw, the first (or last) leaf whose value is at least ``threshold``."""
        if len(self.levels) == 1:
            hit = self.levels[0][draws] >= threshold[:, None]
            if last:
                return hit.shape[1] - 1 - np.argmax(hit[:, ::-1], axis=1)
            return np.argmax(hit, axis=1)
        K = self.K
        window = np.arange(K)
        node = np.zeros(draws.size, dtype=np.intp)
        for level in reversed(self.levels):
            start = draws * level.shape[1] + node * K
            hit = level.reshape(-1).take(start[:, None] + window) >= threshold[:, None]
            pick = K - 1 - np.argmax(hit[:, ::-1], axis=1) if last else np.argmax(hit, axis=1)
            node = node * K + pick
        return node


# --------------------------------------------------------------------------- the model


class _Uniforms:
    """Uniforms on [0, 1) from each draw's own generator, taken in each draw's order (drawn
    in chunks: a chunk of a generator's ``random`` is the same numbers as that many calls)."""

    CHUNK = 64

    def __init__(self, streams: list[np.random.Generator]) -> None:
        self.streams = streams
        self.buffer = np.empty((len(streams), self.CHUNK))
        self.used = np.full(len(streams), self.CHUNK)

    def take(self, draws: np.ndarray) -> np.ndarray:
        """The next uniform of each of the given draws (distinct indices)."""
        for k in draws[self.used[draws] >= self.CHUNK]:
            self.buffer[k] = self.streams[k].random(self.CHUNK)
            self.used[k] = 0
        u = self.buffer[draws, self.used[draws]]
        self.used[draws] += 1
        return u


@dataclass
class _Run:
    """Per-round results of a block of draws, on the 0–100 scale."""

    voting: list[np.ndarray]
    preference: list[np.ndarray]
    exchanges: list[np.ndarray]
    candidates: list[np.ndarray]
    log: list[list[dict[str, Any]]]  # executed exchanges of the block's first draw, per round
    recomputed: int = 0  # candidates re-evaluated after exchanges (for the benchmarks)


# compiled rounds (accord.models.exchange_compiled): chosen like SMP's compiled kernels
COMPILED_FROM = 500_000  # numpy_work from which loading numba (~0.3 s) pays


def compiled_applies(options: ExchangeOptions) -> bool:
    """Whether the compiled rounds cover these options: the default rules (tie_break order,
    p = 0, compat none), any rounds, stop and preference update."""
    return options.tie_break == "order" and options.p == 0 and options.compat == "none"


def numpy_work(draws: int, actors: int) -> int:
    """A run's work for the numpy engine, draws × (n³ + 11 n²), after its declared cost."""
    return draws * (actors ** 3 + 11 * actors ** 2)


def compiled_chosen(options: ExchangeOptions, work: int) -> bool:
    """Whether a run of ``work`` (:func:`numpy_work`) plays its rounds in compiled code:
    never for options it does not cover (:func:`compiled_applies`), otherwise as
    ``ACCORD_EXCHANGE_KERNELS`` and :data:`COMPILED_FROM` say
    (:func:`accord.models.base.compiled_wanted`)."""
    return compiled_applies(options) and compiled_wanted(
        "ACCORD_EXCHANGE_KERNELS", "accord.models.exchange_compiled", work, COMPILED_FROM)


def _compiled_run(o: ExchangeOptions, scaled: np.ndarray, salience: np.ndarray,
                  weight: np.ndarray, mask: np.ndarray) -> _Run:
    """Every draw played in compiled code (:mod:`accord.models.exchange_compiled`), as the
    numpy engine's :class:`_Run`."""
    from accord.models import exchange_compiled

    r = exchange_compiled.play(o, scaled, salience, weight, mask, exchange_terms,
                               _FULL_RECOMPUTE)
    rounds = range(r["voting"].shape[1])
    run = _Run(*([r[key][:, t] for t in rounds] for key in ("voting", "preference",
                                                            "exchanges", "candidates")),
               [[_log_entry(*e) for e in entries] for entries in r["log"]])
    run.recomputed = r["recomputed"]
    return run


def _cost_uses_compiled(options: ExchangeOptions, draws: int, actors: int) -> bool:
    """The declared cost's engine: the compiled rounds where they are chosen."""
    return compiled_chosen(options, numpy_work(draws, actors))


@register
class ExchangeModel(BaseModel):
    """Stokman & Van Oosten's (1994) exchange model with equal gain (DESIGN.md)."""

    name = "exchange"
    Options = ExchangeOptions
    # per draw × issue × round: 28 ns × actor³ + 300 ns × actor²; the central run's
    # exchanges 5 µs × actor² per issue × round (benchmarks/bench_cost.py); compiled rounds
    # 4 ns × actor³ + 80 ns × actor², the central run's 300 ns × actor², 3 ms a run
    cost = EngineCost(ns=28.0, rounds="rounds", ns_lower=300.0, fixed_ms=7.0, run_ns=5000.0,
                      uses_compiled=_cost_uses_compiled,
                      compiled=Cost(ns=4.0, rounds="rounds", ns_lower=80.0, fixed_ms=3.0,
                                    run_ns=300.0))
    trajectory_option = True
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        # decide-exchange-model's run: equal gain, 10 rounds, random ties (seeded here)
        "decide": {"tie_break": "random", "compat": "decide"},
        # the randomised equal-gain variant
        "randomised": {"tie_break": "random", "p": 0.5},
    }

    def prepare(self, workload: Sequence[tuple[int, int]]) -> None:
        """Load the compiled rounds when the runs ahead, (draws, actors) each, call for them
        in all (:func:`compiled_chosen`); from then on this process's runs use them."""
        if compiled_chosen(self.options, sum(numpy_work(s, n) for s, n in workload)):
            from accord.models import exchange_compiled  # noqa: F401

    @property
    def uses_random(self) -> bool:
        """Whether a run draws random numbers (random ties or the randomised split)."""
        o: ExchangeOptions = self.options
        return o.tie_break == "random" or o.p > 0

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator,
            trajectories: bool = True) -> Forecast:
        """Run every draw; draw k's random numbers come from ``rng.spawn(S)[k]`` (module
        docstring, "Random numbers"). ``rng``'s own stream is not drawn from, but spawning
        advances its SeedSequence, so a second run with the same generator gets new streams.
        ``trajectories = False`` (Monte Carlo summaries, issue 12): the voting positions and
        preferences per round are kept for draw 0 only."""
        streams = rng.spawn(arrays.draws) if self.uses_random else None
        fc = self.run_streams(arrays, streams)
        if not trajectories and fc.trajectory is not None:
            fc.trajectory = fc.trajectory[:1].copy()
            fc.extras["preference"] = fc.extras["preference"][:1].copy()
        return fc

    def run_streams(self, arrays: ScenarioArrays,
                    streams: Sequence[np.random.Generator] | None) -> Forecast:
        """Run every draw, draw k taking its random numbers from ``streams[k]`` (one per draw,
        each read in chunks of 64 uniforms; may be None when :attr:`uses_random` is false)."""
        o: ExchangeOptions = self.options
        S, n, d = arrays.position.shape
        if self.uses_random and (streams is None or len(streams) != S):
            raise ValueError(f"{S} draws need {S} random streams, got "
                             f"{None if streams is None else len(streams)}")
        notes: list[str] = []
        span = arrays.scale_range
        scaled = (arrays.position - arrays.lower) / span * SCALE
        weight = arrays.capability * arrays.salience * arrays.mask
        if d < 2 or o.rounds == 0:
            if d < 2:
                notes.append("a single issue leaves nothing to trade: no exchange is possible, "
                             "so the forecast is the compromise (weighted mean)")
            outcome = weighted_mean(arrays.position, weight, arrays.mask)
            return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                            outcome, trajectory=arrays.position[:, None].copy(),
                            round_outcome=outcome[:, None].copy(),
                            details=[self._round_details(arrays, 0, outcome[0], 0, [])],
                            extras={"preference": arrays.position[:, None].copy(),
                                    "preference_outcome": outcome[:, None].copy(),
                                    "exchanges": np.zeros((S, 1), dtype=int),
                                    "candidates": np.zeros((S, 1), dtype=int)},
                            notes=notes)

        cells = max(1, (n * (n - 1) // 2) * (d * (d - 1) // 2))
        if o.compat == "decide":
            cells += n * n * d  # the per-demander views of decide's compromise
        block = max(1, _BLOCK_CELLS // cells)
        if compiled_chosen(o, numpy_work(S, n)):  # every draw's rounds in compiled code
            runs = [_compiled_run(o, scaled, arrays.salience, weight, arrays.mask)]
        else:
            runs = [_Engine(o, scaled[k:k + block], arrays.salience[k:k + block],
                            weight[k:k + block], arrays.mask,
                            _Uniforms(list(streams[k:k + block]))
                            if self.uses_random and streams is not None else None).play(self)
                    for k in range(0, S, block)]
        played = max(len(r.voting) for r in runs)

        def stack(field: str) -> np.ndarray:
            parts = []
            for r in runs:
                seq = getattr(r, field)
                seq = seq + [seq[-1]] * (played - len(seq))  # a stopped block repeats itself
                parts.append(np.stack(seq, axis=1))
            return np.concatenate(parts, axis=0)

        def to_units(z: np.ndarray) -> np.ndarray:
            """Back to the issues' units; cells that never moved keep their input exactly."""
            moved = arrays.lower + z * (span / SCALE)
            return np.where(z == scaled[:, None], arrays.position[:, None], moved)

        voting = to_units(stack("voting"))
        preference = to_units(stack("preference"))
        exchanges = stack("exchanges")
        candidates = stack("candidates")
        round_outcome = weighted_mean(voting, weight[:, None], arrays.mask)
        preference_outcome = weighted_mean(preference, weight[:, None], arrays.mask)

        log = runs[0].log + [[] for _ in range(played - len(runs[0].log))]
        details = []
        for t in range(played):
            entry = self._round_details(arrays, t, round_outcome[0, t], int(candidates[0, t]),
                                        [self._name_exchange(e, arrays) for e in log[t]])
            entry["preference_outcome"] = {iid: float(preference_outcome[0, t, k])
                                           for k, iid in enumerate(arrays.issue_ids)}
            details.append(entry)
        if not exchanges.any():
            notes.append("no pair of actors can trade (none lies on opposite sides of the "
                         "compromise on two issues with different priorities), so the forecast "
                         "is the compromise")
        return Forecast(self.name, self.options_dict(), arrays.actor_ids, arrays.issue_ids,
                        round_outcome[:, -1].copy(), trajectory=voting,
                        round_outcome=round_outcome, details=details,
                        extras={"preference": preference,
                                "preference_outcome": preference_outcome,
                                "exchanges": exchanges, "candidates": candidates,
                                "recomputed": np.array(
                                    [sum(r.recomputed for r in runs)])},
                        notes=notes)

    # ---------------------------------------------------------------- details

    @staticmethod
    def _round_details(arrays: ScenarioArrays, t: int, outcome: np.ndarray, candidates: int,
                       exchanges: list[dict[str, Any]]) -> dict[str, Any]:
        return {"round": t, "candidates": candidates, "exchanges": exchanges,
                "outcome": {iid: float(outcome[k]) for k, iid in enumerate(arrays.issue_ids)}}

    @staticmethod
    def _name_exchange(e: dict[str, Any], arrays: ScenarioArrays) -> dict[str, Any]:
        """An executed exchange of draw 0 in the scenario's ids and units: actor ``i``
        demands ``i_demands`` and supplies ``i_supplies`` (moving from ``i_from`` to
        ``i_to`` there); ``j`` the reverse. Shifts and gains are on the 0–100 scale."""
        ids, iss = arrays.actor_ids, arrays.issue_ids
        lo, span = arrays.lower, arrays.scale_range

        def units(x: float, k: int) -> float:
            return float(lo[k] + x * span[k] / SCALE)

        p, q = e["p"], e["q"]
        return {"i": ids[e["a"]], "j": ids[e["b"]], "i_demands": iss[p], "i_supplies": iss[q],
                "i_from": units(e["a_from"], q), "i_to": units(e["a_to"], q),
                "j_from": units(e["b_from"], p), "j_to": units(e["b_to"], p),
                "shift_demand": e["shift_p"], "shift_supply": e["shift_q"],
                "gain_i": e["gain_a"], "gain_j": e["gain_b"], "gain": e["equal_gain"]}


class _Engine:
    """One block of draws played round by round (DESIGN.md steps 3–5), every draw at once.

    Candidates live in slots (actor pair, issue pair), actor-pair major, so a slot's index is
    its rank in the tie order (first actor pair, then first issue pair). Their fixed terms
    are computed once; each round fixes every candidate's targets and sides; after an
    exchange only the candidates whose gain can have changed are re-evaluated (module
    docstring, "Which candidates are re-evaluated") and a :class:`MaxTree` over the gains
    finds the next best.
    """

    def __init__(self, options: ExchangeOptions, scaled: np.ndarray, salience: np.ndarray,
                 weight: np.ndarray, mask: np.ndarray, uniforms: _Uniforms | None) -> None:
        self.o = options
        self.compat = options.compat == "decide"
        self.scaled = scaled
        self.salience = salience
        self.weight = weight
        self.uniforms = uniforms
        S, n, d = scaled.shape
        self.S, self.n, self.d = S, n, d
        ia, ja = pair_indices(n)
        pp, qq = pair_indices(d)
        A, P = ia.size, pp.size
        self.C = A * P
        pair = np.repeat(np.arange(A), P)
        issues = np.tile(np.arange(P), A)
        self.p_of, self.q_of = pp[issues], qq[issues]
        self.pq_of = np.stack([self.p_of, self.q_of], axis=1)
        terms = exchange_terms(salience, weight, mask, np.arange(S)[:, None],
                               ia[pair][None, :], ja[pair][None, :], self.p_of[None, :],
                               self.q_of[None, :])
        self.terms = terms
        draws = np.arange(S)[:, None]
        self.cell_b = (draws * n + terms.b) * d + self.p_of[None, :]  # b's vote on p, flat
        self.cell_a = (draws * n + terms.a) * d + self.q_of[None, :]  # a's vote on q
        self.cells = np.stack([self.cell_b.reshape(-1), self.cell_a.reshape(-1)], axis=1)
        total = weight.sum(axis=1)
        self.total = np.where(total > 0, total, 1.0)
        self.pull = weight / self.total[:, None, :]
        self.stamp = np.zeros(S * self.C, dtype=np.intp)
        # the slots in which actor k and issue x both appear: (n, d, (n - 1)(d - 1))
        pairs_of_actor = np.array([np.flatnonzero((ia == k) | (ja == k)) for k in range(n)],
                                  dtype=np.intp).reshape(n, n - 1)
        pairs_of_issue = np.array([np.flatnonzero((pp == x) | (qq == x)) for x in range(d)],
                                  dtype=np.intp).reshape(d, d - 1)
        self.cell_slots = (pairs_of_actor[:, None, :, None] * P
                           + pairs_of_issue[None, :, None, :]).reshape(n, d, -1)

    # ---------------------------------------------------------------- a whole run

    def play(self, model: ExchangeModel) -> _Run:
        o = self.o
        preference = self.scaled.copy()
        zeros = np.zeros(self.S, dtype=int)
        out = _Run([self.scaled.copy()], [self.scaled.copy()], [zeros], [zeros], [[]])
        update = 0.1 + 0.4 * (1.0 - self.salience)  # DESIGN.md step 4
        for _ in range(o.rounds):
            voting, supplied, count, cands, log = self.play_round(preference, model, out)
            if o.preference_update == "on":
                preference = np.where(supplied, preference + update * (voting - preference),
                                      preference)
            out.voting.append(voting)
            out.preference.append(preference.copy())
            out.exchanges.append(count)
            out.candidates.append(cands)
            out.log.append(log)
            if o.stop == "no_exchanges" and not count.any():
                break
        return out

    # ---------------------------------------------------------------- evaluation

    def evaluate(self, dr: np.ndarray, sl: np.ndarray, flat: np.ndarray | None = None
                 ) -> tuple[Shifts, np.ndarray]:
        """The exchanges of slots ``sl`` in draws ``dr`` (broadcasting index arrays; or 1-D,
        with ``flat`` = dr · C + sl when the caller has it) at the current voting positions
        and outcomes, and whether each is a valid candidate."""
        y = self.yf
        if dr.ndim == 1:  # a list of cells: gather them through flat indices (faster), the
            # round's terms and the fixed coefficients in one row gather, both cells in one
            if flat is None:
                flat = dr * self.C + sl
            at_b, at_a = self.cells.take(flat, axis=0).T
            rows = self.round_rows.take(flat, axis=0)
            fixed, coef = rows[:, :4], rows[:, 4:]
            yb_p, ya_q = y.take(at_b), y.take(at_a)
        else:
            at_b, at_a = self.cell_b[dr, sl], self.cell_a[dr, sl]
            fixed = self.round_terms[dr, sl]  # targets and directions, fixed for the round
            coef = self.terms.coef[dr, sl]
            yb_p, ya_q = y[at_b], y[at_a]
        t_p, t_q, toward_p, toward_q = fixed[..., 0], fixed[..., 1], fixed[..., 2], fixed[..., 3]
        if self.compat:
            p, q = self.p_of[sl], self.q_of[sl]
            a, b = self.terms.a[dr, sl], self.terms.b[dr, sl]
            xb_p, xa_q = self.x0f[at_b], self.x0f[at_a]
            o_p = self.view(dr, a, b, p, coef[..., 5], xb_p, yb_p)
            o_q = self.view(dr, b, a, q, coef[..., 6], xa_q, ya_q)
        elif dr.ndim == 1:
            o_pq = self.outcome.reshape(-1).take((dr * self.d)[:, None]
                                                 + self.pq_of.take(sl, axis=0))
            o_p, o_q = o_pq[:, 0], o_pq[:, 1]
        else:
            o_p, o_q = self.outcome[dr, self.p_of[sl]], self.outcome[dr, self.q_of[sl]]
        c = equal_gain(t_p, yb_p, t_q, ya_q, toward_p, toward_q, o_p, o_q, coef,
                       crossing_only=self.compat, free=self.compat)
        valid = c.ahead & (c.move_b > _MIN_MOVE) & (c.move_a > _MIN_MOVE)
        if self.compat:
            # decide tests the gain and the moves before it truncates them, and drops a
            # candidate whose supplier's listed moves add up to more than +100
            free_gain = coef[..., 7] * c.free_p
            free_b = toward_p * c.free_p * coef[..., 9]
            free_a = toward_q * coef[..., 4] * c.free_p * coef[..., 10]
            # (decide sums exact decimals: a full move of exactly 100 passes)
            valid &= ((free_gain >= _MIN_GAIN) & (self.listed[dr, sl, 0] + free_b <= _MAX_SUM)
                      & (self.listed[dr, sl, 1] + free_a <= _MAX_SUM))
        else:
            valid &= c.gain > _MIN_GAIN
        return c, valid

    def view(self, dr: np.ndarray, dem: np.ndarray, sup: np.ndarray, x: np.ndarray,
             pull: np.ndarray, start: np.ndarray, now: np.ndarray) -> np.ndarray:
        """decide's compromise on issue x as a candidate with demander ``dem`` and supplier
        ``sup`` sees it: the round's starting compromise, moved by the suppliers it has
        learned of (those that supplied x to ``dem`` this round, at the position their first
        such exchange left them) and by its own supplier's current position."""
        n, d = self.n, self.d
        at = ((dr * n + dem) * n + sup) * d + x
        own_learned = self.learned.reshape(-1)[at]
        own_first = self.first_y.reshape(-1)[at]
        known = self.known.reshape(-1)[(dr * n + dem) * d + x]
        own_old = np.where(own_learned, pull * (own_first - start), 0.0)
        return self.start_outcome[dr, x] + known - own_old + pull * (now - start)

    # ---------------------------------------------------------------- one round

    def play_round(self, preference: np.ndarray, model: ExchangeModel, out: _Run
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                              list[dict[str, Any]]]:
        """One round of DESIGN.md step 3 for every draw of the block at once."""
        o = self.o
        S, n, d, C = self.S, self.n, self.d, self.C
        terms = self.terms
        x0 = preference
        y = preference.copy()
        self.x0f, self.yf = x0.reshape(-1), y.reshape(-1)
        outcome = (self.weight * y).sum(axis=1) / self.total
        self.outcome = outcome
        # sides, fixed for the round (step 3); an actor within _AT of the outcome (rounding)
        # is on neither side
        gap = x0 - outcome[:, None, :]
        side = np.where(np.abs(gap) > _AT, np.sign(gap), 0.0)
        if self.compat:
            self.start_outcome = outcome.copy()
            self.known = np.zeros((S, n, d))
            self.learned = np.zeros((S, n, n, d), dtype=bool)
            self.first_y = np.zeros((S, n, n, d))
            self.listed = np.zeros((S, C, 2))  # decide's frozen moves of b on p, a on q
            self.last_move = np.zeros((S, C, 2))
        dr, sl = np.arange(S)[:, None], np.arange(C)[None, :]
        sf = side.reshape(-1)
        at_ap = self.cell_b - (terms.b - terms.a) * d  # a's vote on p
        at_bq = self.cell_a + (terms.b - terms.a) * d  # b's vote on q
        opposite = ((sf[at_ap] * sf[self.cell_b] < 0) & (sf[at_bq] * sf[self.cell_a] < 0))
        # targets (the demanders' positions at the round's start) and directions
        t_p, t_q = self.x0f[at_ap], self.x0f[at_bq]
        self.round_terms = np.stack([t_p, t_q, np.sign(t_p - self.x0f[self.cell_b]),
                                     np.sign(t_q - self.x0f[self.cell_a])], axis=-1)
        # (S·C, 4 + len(COEFS)): a candidate's round terms and coefficients, one row each
        self.round_rows = np.concatenate([self.round_terms, terms.coef], axis=-1).reshape(
            S * C, 4 + len(COEFS))
        count_candidates = (opposite & terms.takes_part).sum(axis=1)
        c, valid = self.evaluate(dr, sl)
        alive = opposite & terms.able & valid
        if self.compat:
            self.last_move[..., 0] = np.where(alive, self.round_terms[..., 2] * c.move_b, 0.0)
            self.last_move[..., 1] = np.where(alive, self.round_terms[..., 3] * c.move_a, 0.0)
        tree = MaxTree(np.where(alive, c.gain, -np.inf))
        shift = np.ascontiguousarray(c.shift_p)  # ΔO_p of every candidate as last evaluated
        self.alive = alive
        # how far each demander's candidates can move the outcome on its issue: an outcome
        # farther than this from the demander's position cannot truncate any of them
        # (the full moves only shrink during a round)
        reach = np.where(side[:, :, None, :] * side[:, None, :, :] < 0,
                         self.pull[:, None, :, :] * np.abs(x0[:, :, None, :]
                                                           - x0[:, None, :, :]), 0.0)
        # kept per (draw, issue, actor), so that an exchange gathers whole rows (affected)
        # (S, d, 3, n): target, side and reach (−inf where it is 0: never near) by issue
        reach = reach.max(axis=2)
        self.by_issue = np.ascontiguousarray(np.stack(
            [x0, side, np.where(reach > 0, reach, -np.inf)], axis=2).transpose(0, 3, 2, 1))
        supplied = np.zeros((S, n, d), dtype=bool)
        made = np.zeros(S, dtype=int)
        log: list[dict[str, Any]] = []
        for _ in range(C):  # each exchange leaves the list for good
            best = tree.top()
            live = np.flatnonzero(best > -np.inf)
            if live.size == 0:
                break
            threshold = best[live] - _TIE
            slot = tree.first(live, threshold)
            if self.uniforms is not None and o.tie_break == "random":
                u = self.uniforms.take(live)
                many = np.flatnonzero(tree.first(live, threshold, last=True) != slot)
                if many.size:  # an exact tie: choose among all tied candidates
                    tied = tree.values[live[many]] >= threshold[many, None]
                    ties = tied.sum(axis=1)
                    pick = np.minimum((u[many] * ties).astype(int), ties - 1)
                    slot[many] = np.argmax(np.cumsum(tied, axis=1) > pick[:, None], axis=1)
            cell = live * C + slot
            ea, eb = terms.a.reshape(-1).take(cell), terms.b.reshape(-1).take(cell)
            pq = self.pq_of.take(slot, axis=0)
            ep, eq = pq[:, 0], pq[:, 1]
            rows = self.round_rows.take(cell, axis=0)  # targets, directions, coefficients
            coef = rows[:, 4:]
            cb, ca = self.cells.take(cell, axis=0).T  # b's vote on p, a's on q (flat)
            chosen_gain = tree.leaf(live, slot)
            d_p = shift.reshape(-1).take(cell)
            d_q = coef[:, 4] * d_p
            if self.uniforms is not None and o.p > 0:
                c, _ = self.evaluate(live, slot)
                u_split = self.uniforms.take(live) * o.p
                favour_a = self.uniforms.take(live) < 0.5
                d_p, d_q = frontier_split(c.cap_p, c.cap_q, c.shift_p, c.shift_q, coef[:, 0],
                                          coef[:, 1], coef[:, 2], coef[:, 3], u_split,
                                          favour_a)
            yf = self.yf
            before_b, before_a = yf.take(cb), yf.take(ca)
            yf[cb] = _move(before_b, rows[:, 0], d_p / coef[:, 5])  # toward a's start on p
            yf[ca] = _move(before_a, rows[:, 1], d_q / coef[:, 6])  # toward b's start on q
            at = live[:, None] * d + pq  # (draw, issue) of p and q, flat: (L, 2)
            old = outcome.reshape(-1).take(at)
            old_p, old_q = old[:, 0], old[:, 1]
            # the compromise on p and q anew, each a sum over the actors (rows of n)
            both = (self.weight[live[:, None], :, pq] * y[live[:, None], :, pq]).sum(axis=2)
            both /= self.total.reshape(-1).take(at)
            outcome.reshape(-1)[at] = both
            supplied.reshape(-1)[cb] = True
            supplied.reshape(-1)[ca] = True
            made[live] += 1
            if live[0] == 0:
                log.append(_log_entry(int(ea[0]), int(eb[0]), int(ep[0]), int(eq[0]), coef[0],
                                      y, outcome, float(old_p[0]), float(old_q[0]),
                                      float(before_a[0]), float(before_b[0]),
                                      float(chosen_gain[0])))
            alive.reshape(-1)[cell] = False
            if self.compat:
                self.learn(live, ea, eb, ep, eq)
                rd, rs = self.decide_affected(live, ea, eb, ep, eq)
            else:
                rd, rs = self.affected(live, ea, eb, pq, old)
            flat = rd * C + rs
            c, valid = self.evaluate(rd, rs, flat)
            alive.reshape(-1)[flat] = valid
            shift.reshape(-1)[flat] = c.shift_p
            if self.compat:
                signs = self.round_terms[rd, rs]  # decide lists signed moves
                self.last_move[rd, rs, 0] = signs[:, 2] * c.move_b
                self.last_move[rd, rs, 1] = signs[:, 3] * c.move_a
            tree.set(np.concatenate([live, rd]), np.concatenate([slot, rs]),
                     np.concatenate([np.full(live.size, -np.inf),
                                     np.where(valid, c.gain, -np.inf)]))
            out.recomputed += rd.size
        return y, supplied, made, count_candidates, log

    # ---------------------------------------------------------------- what to re-evaluate

    def _slots_of(self, draws: np.ndarray, actors: np.ndarray, issues: np.ndarray
                  ) -> np.ndarray:
        """Every slot of the given (draw, actor, issue) cells, as flat indices draw · C +
        slot."""
        slots = self.cell_slots.reshape(self.n * self.d, -1).take(actors * self.d + issues,
                                                                  axis=0)
        slots += (draws * self.C)[:, None]  # (M, (n - 1)(d - 1))
        return slots.reshape(-1)

    def _alive_unique(self, dr: np.ndarray, sl: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
        """The live candidates among (dr, sl) (or among the flat indices dr · C + sl given
        as ``dr`` alone), each once."""
        flat = dr * self.C + sl if sl is not None else dr
        flat = flat[self.alive.reshape(-1).take(flat)]
        order = np.arange(flat.size)
        self.stamp[flat] = order  # the last of repeated entries wins
        flat = flat[self.stamp[flat] == order]
        draws = flat // self.C
        return draws, flat - draws * self.C

    def _alive_in(self, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every live candidate of the given draws (a superset of :meth:`affected`'s: a
        candidate re-evaluated without need keeps its gain)."""
        row, sl = np.nonzero(self.alive[draws])
        return draws[row], sl

    def affected(self, live: np.ndarray, ea: np.ndarray, eb: np.ndarray, issues: np.ndarray,
                 old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The live candidates whose gain the exchange (a demands p from b, supplies q) can
        have changed: those in which b or a took part on p or q (their suppliers may have
        moved), and those whose demander on p or q lies within its reach of the old or the
        new outcome there (the truncation may bind, or have bound). issues: (L, 2) p and q;
        old: (L, 2) the outcomes there before the exchange."""
        if _FULL_RECOMPUTE:  # every live candidate (the check in the tests)
            dr = np.repeat(live, self.C)
            sl = np.tile(np.arange(self.C), live.size)
            return self._alive_unique(dr, sl)
        per_cell = self.cell_slots.shape[2]  # the slots of one (actor, issue) cell
        if 2 * per_cell >= self.C:  # few candidates a draw: all of them cost less to redo
            return self._alive_in(live)
        ep, eq = issues[:, 0], issues[:, 1]
        at = live[:, None] * self.d + issues  # (draw, issue), flat
        new = self.outcome.reshape(-1).take(at)
        # (draw, issue, actor) copies of the round's fixed terms: one gather of whole rows
        rows = self.by_issue.reshape(self.S * self.d, 3, self.n).take(at, axis=0)
        target, side, reach = rows[:, :, 0], rows[:, :, 1], rows[:, :, 2]  # (L, 2, n)
        near = ((side * (target - old[:, :, None]) < reach)
                | (side * (target - new[:, :, None]) < reach))  # (reach ≤ 0 is −inf here)
        l_, w_, k_ = np.nonzero(near)
        if (2 * live.size + l_.size) * per_cell >= live.size * self.C:
            return self._alive_in(live)
        draws = np.concatenate([live, live, live[l_]])
        actors = np.concatenate([eb, ea, k_])
        cells = np.concatenate([ep, eq, issues[l_, w_]])
        return self._alive_unique(self._slots_of(draws, actors, cells))

    def learn(self, live: np.ndarray, ea: np.ndarray, eb: np.ndarray, ep: np.ndarray,
              eq: np.ndarray) -> None:
        """decide's per-candidate compromise: every candidate with the same demander on an
        issue learns where this exchange's supplier there now stands (the first time only:
        decide keeps the first position it learned of an actor)."""
        for dem, sup, x in ((ea, eb, ep), (eb, ea, eq)):
            fresh = ~self.learned[live, dem, sup, x]
            dr, dm, sp, xx = live[fresh], dem[fresh], sup[fresh], x[fresh]
            now = self.yf[(dr * self.n + sp) * self.d + xx]
            self.learned[dr, dm, sp, xx] = True
            self.first_y[dr, dm, sp, xx] = now
            start = self.x0f[(dr * self.n + sp) * self.d + xx]
            self.known[dr, dm, xx] += self.pull[dr, sp, xx] * (now - start)

    def decide_affected(self, live: np.ndarray, ea: np.ndarray, eb: np.ndarray,
                        ep: np.ndarray, eq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """decide re-evaluates only the candidates that share an actor in the same role with
        the exchange: the same supplier of the same issue, or the same demander. A candidate
        re-evaluated because its supplier moved keeps its previous move on decide's list of
        that supplier's moves (the list whose sum may not exceed +100)."""
        flat = self._slots_of(np.concatenate([live, live, live, live]),
                              np.concatenate([eb, ea, ea, eb]),
                              np.concatenate([ep, eq, ep, eq]))
        dr, sl = self._alive_unique(flat)
        if not dr.size:
            return dr, sl
        where = np.searchsorted(live, dr)  # the exchange of each candidate's draw (live sorted)
        a, b = self.terms.a[dr, sl], self.terms.b[dr, sl]
        p, q = self.p_of[sl], self.q_of[sl]
        xa, xb, xp, xq = ea[where], eb[where], ep[where], eq[where]

        def supplies(k: np.ndarray, x: np.ndarray) -> np.ndarray:  # (k, x) is an E supplier
            return ((k == xb) & (x == xp)) | ((k == xa) & (x == xq))

        def demands(k: np.ndarray, x: np.ndarray) -> np.ndarray:
            return ((k == xa) & (x == xp)) | ((k == xb) & (x == xq))

        moved_b, moved_a = supplies(b, p), supplies(a, q)
        keep = moved_b | moved_a | demands(a, p) | demands(b, q)
        dr, sl, moved_b, moved_a = dr[keep], sl[keep], moved_b[keep], moved_a[keep]
        self.listed[dr, sl, 0] += np.where(moved_b, self.last_move[dr, sl, 0], 0.0)
        self.listed[dr, sl, 1] += np.where(moved_a, self.last_move[dr, sl, 1], 0.0)
        return dr, sl


def _log_entry(a: int, b: int, p: int, q: int, coef: np.ndarray, voting: np.ndarray,
               outcome: np.ndarray, old_p: float, old_q: float, before_a: float,
               before_b: float, chosen_gain: float) -> dict[str, Any]:
    """The executed exchange of draw 0, on the 0–100 scale, with each partner's gain
    measured from the outcomes' actual shifts."""
    s_ap, s_aq, s_bp, s_bq = coef[:4].tolist()
    d_p = abs(float(outcome[0, p]) - old_p)
    d_q = abs(float(outcome[0, q]) - old_q)
    return {"a": a, "b": b, "p": p, "q": q,
            "a_from": before_a, "a_to": float(voting[0, a, q]),
            "b_from": before_b, "b_to": float(voting[0, b, p]),
            "shift_p": d_p, "shift_q": d_q,
            "gain_a": s_ap * d_p - s_aq * d_q, "gain_b": s_bq * d_q - s_bp * d_p,
            "equal_gain": chosen_gain}


def _move(start: np.ndarray, target: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """Move from start toward target by distance, landing on target when (nearly) there."""
    gap = target - start
    full = distance >= np.abs(gap) * (1 - _SNAP)
    return np.where(full, target, start + np.sign(gap) * distance)


# --------------------------------------------------------------------------- explanation

from accord.models.base import Explanation, explains, on_scale  # noqa: E402


def executed_trades(forecast: Forecast) -> list[dict[str, Any]]:
    """Every exchange the central run executed (draw 0), in order, each with its round."""
    return [{"round": entry["round"], **e} for entry in forecast.details
            for e in entry.get("exchanges", [])]


@explains("exchange")
def explain(forecast: Forecast, arrays: ScenarioArrays) -> Explanation:
    """The trades in words, largest gain first: in each, actor i demands issue p (its partner
    j moves its vote there toward i) and supplies q (i moves toward j), and both gain the
    same salience-weighted amount (Stokman & Van Oosten 1994, equal gain). Per issue: the
    compromise before trading, the outcome after, and the trades that moved it."""
    why = Explanation("exchange")
    span = arrays.scale_range
    issues = arrays.issue_ids
    k_of = {iid: k for k, iid in enumerate(issues)}
    trades = executed_trades(forecast)

    def words(e: dict[str, Any]) -> str:
        p, q = e["i_demands"], e["i_supplies"]
        return (f"{e['j']} moves {p} {on_scale(e['j_from'], span[k_of[p]])} → "
                f"{on_scale(e['j_to'], span[k_of[p]])} toward {e['i']}; {e['i']} moves {q} "
                f"{on_scale(e['i_from'], span[k_of[q]])} → {on_scale(e['i_to'], span[k_of[q]])} "
                f"toward {e['j']}; both gain {e['gain']:.2g}")

    ranked = sorted(trades, key=lambda e: -e["gain"])
    if not trades:
        why.general = ["No trade is possible, so the forecast is the compromise (weighted mean)."]
    else:
        rounds = sorted({e["round"] for e in trades})
        why.general = [f"{len(trades)} trade{'s' if len(trades) != 1 else ''} over "
                       f"{len(rounds)} round{'s' if len(rounds) != 1 else ''}, largest first:"]
        why.general += [words(e) + f" (round {e['round']})." for e in ranked[:5]]
        if len(ranked) > 5:
            why.general.append(f"{len(ranked) - 5} smaller trades follow.")
    start = forecast.round_outcome[0, 0] if forecast.round_outcome is not None else None
    for k, iid in enumerate(issues):
        outcome = float(forecast.outcome[0, k])
        before = float(start[k]) if start is not None else outcome
        involved = [e for e in ranked if iid in (e["i_demands"], e["i_supplies"])]
        why.facts[iid] = {
            "outcome": outcome, "compromise_before_trading": before,
            "trades": [{"round": e["round"], "demander": e["i"] if e["i_demands"] == iid
                        else e["j"], "mover": e["j"] if e["i_demands"] == iid else e["i"],
                        "from": e["j_from"] if e["i_demands"] == iid else e["i_from"],
                        "to": e["j_to"] if e["i_demands"] == iid else e["i_to"],
                        "gain": e["gain"]} for e in involved],
            "deciding": list(dict.fromkeys(
                (e["j"] if e["i_demands"] == iid else e["i"]) for e in involved))[:3],
        }
        if not involved:
            why.sentences[iid] = [f"{iid} {on_scale(outcome, span[k])}: no trade touches it; "
                                  "it stays the compromise."]
            continue
        movers = why.facts[iid]["deciding"]
        why.sentences[iid] = [
            f"{iid}: the compromise {on_scale(before, span[k])} becomes "
            f"{on_scale(outcome, span[k])} through {len(involved)} trade"
            f"{'s' if len(involved) != 1 else ''}; the largest: {words(involved[0])}.",
            f"Those who give ground on {iid}: {', '.join(movers)}.",
        ]
    return why
