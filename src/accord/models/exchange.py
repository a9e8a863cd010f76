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
  capped at ``cap_p = min(w_bp |x_ap − x_bp| / W_p, |x_ap − O_p|)`` and likewise on q, and
  ΔO_p = min(cap_p, cap_q / rate), ΔO_q = rate · ΔO_p (:func:`equal_gain`).
* Step 3. A round starts from the list of every valid candidate, executes the one with the
  highest gain and takes it off the list, moves the two voting positions, recomputes the
  candidates on the issue pairs that share an issue with it (their outcomes moved; all others
  are unchanged), drops those that are no longer valid, and repeats until the list is empty.
  A dropped candidate does not come back within the round, so a round ends after at most as
  many exchanges as it started with candidates. (Recomputing without dropping need not end:
  partial moves leave partners on opposite sides with ever smaller gains.) Ties (gains within
  1e-12 of the best) go, with ``tie_break = order``, to the candidate whose actor pair comes
  first (pairs (i, j), i < j, in lexicographic order), and among those to the first issue pair
  (likewise ordered); with ``tie_break = random``, to a uniform choice among the tied ones.
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
    Forecast,
    Fraction,
    ModelOptions,
    register,
)
from accord.models.compromise import weighted_mean

SCALE = 100.0  # gains are computed on positions rescaled to 0–100 per issue
_TIE = 1e-12  # gains this close to the best count as a tie
_MIN_GAIN = 1e-12  # a candidate must gain more than this
_BLOCK_CELLS = 1 << 16  # candidate cells (draws × issue pairs × actor pairs) per block
_SNAP = 1e-12  # a move within this fraction of the full distance lands on the partner


@dataclass(frozen=True)
class ExchangeOptions(ModelOptions):
    """Options of the exchange model (defaults: decide-exchange-model's, DESIGN.md)."""

    rounds: Count = 10  # DESIGN.md step 5; decide-exchange-model's default
    stop: Literal["fixed", "no_exchanges"] = "fixed"  # DESIGN.md step 5
    preference_update: Literal["on", "off"] = "on"  # DESIGN.md step 4
    tie_break: Literal["order", "random"] = "order"  # DESIGN.md step 3 (random: seeded)
    p: Fraction = 0.0  # randomised equal gain; 0 = equal gain (Stokman & Van Oosten 1994)


# --------------------------------------------------------------------------- kernels


def pair_indices(m: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (first < second) of m items in lexicographic order."""
    first, second = np.triu_indices(m, k=1)
    return first.astype(np.intp), second.astype(np.intp)


TERMS = ("a", "b", "s_ap", "s_aq", "s_bp", "s_bq", "rate", "pull_b", "pull_a")


@dataclass(frozen=True)
class Terms:
    """What a candidate exchange depends on that is fixed for a whole run (saliences and
    capabilities do not change), for actor pairs (i, j) and issue pairs (p, q) of one
    broadcast shape (DESIGN.md steps 1–2).

    ``table[..., k]`` holds the field ``TERMS[k]`` (one array, so that picking candidates
    is one gather): a, b: the actor demanding p (it supplies q) and its partner (demands q,
    supplies p); i is ``a`` when s_ip/s_iq ≥ s_jp/s_jq (with equal ratios the gain is zero
    either way). s_ap, s_aq, s_bp, s_bq: their saliences. rate: ΔO_q / ΔO_p for equal gain,
    (s_ap + s_bp) / (s_aq + s_bq). pull_b = w_bp / W_p and pull_a = w_aq / W_q: the outcome
    shift per unit move of the mover. takes_part: both actors take part in both issues.
    able: they take part, both care about both issues, and both movers carry weight.
    """

    table: np.ndarray
    takes_part: np.ndarray
    able: np.ndarray

    def field(self, name: str) -> np.ndarray:
        value = self.table[..., TERMS.index(name)]
        return value.astype(np.intp) if name in ("a", "b") else value

    @property
    def a(self) -> np.ndarray:
        return self.field("a")

    @property
    def b(self) -> np.ndarray:
        return self.field("b")

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
    table = np.stack(np.broadcast_arrays(a, b, s_ap, s_aq, s_bp, s_bq, rate, pull_b, pull_a),
                     axis=-1).astype(float)
    return Terms(table, np.ascontiguousarray(takes_part), able)


@dataclass(frozen=True)
class Shifts:
    """The equal-gain exchange of a candidate at given voting positions and outcomes.

    opposite: the two lie on opposite sides of both outcomes (step 1). cap_p, cap_q: the
    largest outcome shifts allowed (the mover's full move, or the demanding partner's
    position). shift_p, shift_q: the equal-gain shifts ΔO_p, ΔO_q (≥ 0, points of 0–100).
    gain: each partner's gain (step 2).
    """

    opposite: np.ndarray
    cap_p: np.ndarray
    cap_q: np.ndarray
    shift_p: np.ndarray
    shift_q: np.ndarray
    gain: np.ndarray


def equal_gain(y_ap: np.ndarray, y_bp: np.ndarray, y_aq: np.ndarray, y_bq: np.ndarray,
               o_p: np.ndarray, o_q: np.ndarray, s_ap: np.ndarray, s_aq: np.ndarray,
               rate: np.ndarray, pull_b: np.ndarray, pull_a: np.ndarray) -> Shifts:
    """The equal-gain exchange where ``a`` demands p and supplies q (Stokman & Van Oosten
    1994; DESIGN.md step 2). y: voting positions, o: outcomes (0–100); rate = ΔO_q / ΔO_p;
    pull_b = w_bp / W_p, pull_a = w_aq / W_q.

    One partner moves all the way and the other as far as equal gain needs: ΔO_p =
    min(cap_p, cap_q / rate), ΔO_q = rate · ΔO_p, where each cap is the full move's shift,
    truncated at the demanding partner's own position. Gain s_ap ΔO_p − s_aq ΔO_q, the same
    for b."""
    opposite = ((y_ap - o_p) * (y_bp - o_p) < 0) & ((y_aq - o_q) * (y_bq - o_q) < 0)
    cap_p = np.minimum(pull_b * np.abs(y_ap - y_bp), np.abs(y_ap - o_p))
    cap_q = np.minimum(pull_a * np.abs(y_bq - y_aq), np.abs(y_bq - o_q))
    shift_p = np.minimum(cap_p, cap_q / np.where(rate > 0, rate, 1.0))
    shift_q = rate * shift_p
    gain = s_ap * shift_p - s_aq * shift_q
    return Shifts(opposite, cap_p, cap_q, shift_p, shift_q, gain)


def evaluate(voting: np.ndarray, outcome: np.ndarray, table: np.ndarray, draw: np.ndarray,
             p: np.ndarray, q: np.ndarray) -> Shifts:
    """:func:`equal_gain` of candidates with terms ``table`` (..., len(TERMS)) (see
    :class:`Terms`) in the given draws, on issues p, q (index arrays broadcasting with the
    table's leading shape). voting (S, n, d), outcome (S, d) on 0–100."""
    n, d = voting.shape[1:]
    flat = voting.reshape(-1)
    row = draw * n
    at_a = (row + table[..., 0].astype(np.intp)) * d
    at_b = (row + table[..., 1].astype(np.intp)) * d
    return equal_gain(flat[at_a + p], flat[at_b + p], flat[at_a + q], flat[at_b + q],
                      outcome[draw, p], outcome[draw, q], table[..., 2], table[..., 3],
                      table[..., 6], table[..., 7], table[..., 8])


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


@register
class ExchangeModel(BaseModel):
    """Stokman & Van Oosten's (1994) exchange model with equal gain (DESIGN.md)."""

    name = "exchange"
    Options = ExchangeOptions
    # 460 ns per draw × actor³ × issue at 10 rounds (web budget, measured before issue 10)
    cost = Cost(ns=46.0, rounds="rounds")
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        # decide-exchange-model's run: equal gain, 10 rounds, random ties (seeded here)
        "decide": {"tie_break": "random"},
        # the randomised equal-gain variant
        "randomised": {"tie_break": "random", "p": 0.5},
    }

    @property
    def uses_random(self) -> bool:
        """Whether a run draws random numbers (random ties or the randomised split)."""
        o: ExchangeOptions = self.options
        return o.tie_break == "random" or o.p > 0

    def run(self, arrays: ScenarioArrays, *, rng: np.random.Generator) -> Forecast:
        """Run every draw; draw k's random numbers come from ``rng.spawn(S)[k]`` (module
        docstring, "Random numbers"). ``rng``'s own stream is not drawn from, but spawning
        advances its SeedSequence, so a second run with the same generator gets new streams."""
        streams = rng.spawn(arrays.draws) if self.uses_random else None
        return self.run_streams(arrays, streams)

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

        ia, ja = pair_indices(n)
        pp, qq = pair_indices(d)
        cells = max(1, ia.size * pp.size)
        block = max(1, _BLOCK_CELLS // cells)
        runs = [self._run_block(scaled[k:k + block], arrays.salience[k:k + block],
                                weight[k:k + block], arrays.mask, ia, ja, pp, qq,
                                _Uniforms(list(streams[k:k + block]))
                                if self.uses_random and streams is not None else None)
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
                                "exchanges": exchanges, "candidates": candidates},
                        notes=notes)

    # ---------------------------------------------------------------- one block of draws

    def _run_block(self, scaled: np.ndarray, salience: np.ndarray, weight: np.ndarray,
                   mask: np.ndarray, ia: np.ndarray, ja: np.ndarray, pp: np.ndarray,
                   qq: np.ndarray, uniforms: _Uniforms | None) -> _Run:
        o: ExchangeOptions = self.options
        S, d = scaled.shape[0], scaled.shape[2]
        total = weight.sum(axis=1)
        total = np.where(total > 0, total, 1.0)
        # candidates as (draw, issue pair, actor pair): a gather over issue pairs is cheap
        terms = exchange_terms(salience, weight, mask, np.arange(S)[:, None, None],
                               ia[None, None, :], ja[None, None, :], pp[None, :, None],
                               qq[None, :, None])
        preference = scaled.copy()
        zeros = np.zeros(S, dtype=int)
        out = _Run([scaled.copy()], [scaled.copy()], [zeros], [zeros], [[]])
        # issue pairs that contain each issue: (d, d - 1)
        pair_of = np.array([[k for k in range(pp.size) if pp[k] == x or qq[k] == x]
                            for x in range(d)], dtype=np.intp)
        update = 0.1 + 0.4 * (1.0 - salience)  # DESIGN.md step 4
        for _ in range(o.rounds):
            voting, supplied, count, cands, log = self._play_round(
                preference, weight, total, terms, pp, qq, pair_of, uniforms)
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

    def _play_round(self, preference: np.ndarray, weight: np.ndarray, total: np.ndarray,
                    terms: Terms, pp: np.ndarray, qq: np.ndarray, pair_of: np.ndarray,
                    uniforms: _Uniforms | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                               list[dict[str, Any]]]:
        """One round of DESIGN.md step 3 for every draw of the block at once.

        The candidate list is kept as arrays over (draw, issue pair, actor pair): ``alive``
        (still on the list), ``gain`` (−inf off the list) and the equal-gain shifts.
        ``uniforms``: the block's per-draw random numbers (None when none are used)."""
        o: ExchangeOptions = self.options
        S, n, d = preference.shape
        P, A = terms.able.shape[1:]
        voting = preference.copy()
        outcome = (weight * voting).sum(axis=1) / total
        supplied = np.zeros((S, n, d), dtype=bool)
        full = evaluate(voting, outcome, terms.table, np.arange(S)[:, None, None],
                        pp[None, :, None], qq[None, :, None])
        count_candidates = (full.opposite & terms.takes_part).reshape(S, -1).sum(axis=1)
        alive = full.opposite & terms.able & (full.gain > _MIN_GAIN)
        gain = np.where(alive, full.gain, -np.inf)
        flat_gain = gain.reshape(S, P * A)  # a view
        shift_p, shift_q = full.shift_p, full.shift_q
        # rank of each candidate in actor-pair-then-issue-pair order (ties go to the first)
        rank = (np.arange(A)[None, :] * P + np.arange(P)[:, None]).reshape(-1)
        made = np.zeros(S, dtype=int)
        log: list[dict[str, Any]] = []
        for _ in range(P * A):  # each exchange leaves the list for good
            best = flat_gain.max(axis=1)
            live = np.flatnonzero(best > -np.inf)
            if live.size == 0:
                break
            tied = flat_gain[live] >= (best[live] - _TIE)[:, None]
            if uniforms is not None and o.tie_break == "random":
                ties = tied.sum(axis=1)
                pick = np.minimum((uniforms.take(live) * ties).astype(int), ties - 1)
                flat = np.argmax(np.cumsum(tied, axis=1) > pick[:, None], axis=1)
            else:
                flat = np.where(tied, rank, P * A).argmin(axis=1)
            k_issues, k_pair = np.divmod(flat, A)
            at = (live, k_issues, k_pair)
            row = terms.table[at]  # (L, len(TERMS))
            a, b = row[:, 0].astype(np.intp), row[:, 1].astype(np.intp)
            p, q = pp[k_issues], qq[k_issues]
            d_p, d_q, chosen_gain = shift_p[at], shift_q[at], gain[at]
            if uniforms is not None and o.p > 0:
                c = evaluate(voting, outcome, row, live, p, q)
                u = uniforms.take(live) * o.p
                favour_a = uniforms.take(live) < 0.5
                d_p, d_q = frontier_split(c.cap_p, c.cap_q, c.shift_p, c.shift_q, row[:, 2],
                                          row[:, 3], row[:, 4], row[:, 5], u, favour_a)
            before_b, before_a = voting[live, b, p], voting[live, a, q]
            voting[live, b, p] = _move(before_b, voting[live, a, p], d_p / row[:, 7])
            voting[live, a, q] = _move(before_a, voting[live, b, q], d_q / row[:, 8])
            old_p, old_q = outcome[live, p], outcome[live, q]
            outcome[live, p] = (weight[live, :, p] * voting[live, :, p]).sum(axis=1) / total[
                live, p]
            outcome[live, q] = (weight[live, :, q] * voting[live, :, q]).sum(axis=1) / total[
                live, q]
            supplied[live, b, p] = True
            supplied[live, a, q] = True
            made[live] += 1
            if live[0] == 0:
                log.append(self._log_entry(row[0], int(p[0]), int(q[0]), voting, outcome,
                                           float(old_p[0]), float(old_q[0]), float(before_a[0]),
                                           float(before_b[0]), float(chosen_gain[0])))
            # recompute the candidates on every issue pair that contains p or q; drop those
            # that are no longer valid (and the one just executed)
            touched = np.concatenate([pair_of[p], pair_of[q]], axis=1)  # (L, 2(d-1))
            ix = (live[:, None], touched)
            fresh = evaluate(voting, outcome, terms.table[ix], live[:, None, None],
                             pp[touched][:, :, None], qq[touched][:, :, None])
            alive[at] = False
            kept = alive[ix] & fresh.opposite & (fresh.gain > _MIN_GAIN)
            alive[ix] = kept
            gain[ix] = np.where(kept, fresh.gain, -np.inf)
            shift_p[ix] = fresh.shift_p
            shift_q[ix] = fresh.shift_q
        return voting, supplied, made, count_candidates, log

    @staticmethod
    def _log_entry(row: np.ndarray, p: int, q: int, voting: np.ndarray, outcome: np.ndarray,
                   old_p: float, old_q: float, before_a: float, before_b: float,
                   chosen_gain: float) -> dict[str, Any]:
        """The executed exchange of draw 0 (``row``: its terms), on the 0–100 scale, with
        each partner's gain measured from the outcomes' actual shifts."""
        a, b = int(row[0]), int(row[1])
        s_ap, s_aq, s_bp, s_bq = (float(v) for v in row[2:6])
        d_p = abs(float(outcome[0, p]) - old_p)
        d_q = abs(float(outcome[0, q]) - old_q)
        return {"a": a, "b": b, "p": p, "q": q,
                "a_from": before_a, "a_to": float(voting[0, a, q]),
                "b_from": before_b, "b_to": float(voting[0, b, p]),
                "shift_p": d_p, "shift_q": d_q,
                "gain_a": s_ap * d_p - s_aq * d_q, "gain_b": s_bq * d_q - s_bp * d_p,
                "equal_gain": chosen_gain}

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


def _move(start: np.ndarray, target: np.ndarray, distance: np.ndarray) -> np.ndarray:
    """Move from start toward target by distance, landing on target when (nearly) there."""
    gap = target - start
    full = distance >= np.abs(gap) * (1 - _SNAP)
    return np.where(full, target, start + np.sign(gap) * distance)
