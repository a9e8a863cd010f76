"""What the war model says, in the words an analyst asks it (shared/DESIGN.md, "Bargaining under
fire", outputs): is there a deal now, when does one become possible, on what terms, and how
likely is an outright victory; per period the front, both sides' beliefs and the range [L, U].

:func:`summarise_war` turns the war model's per-draw (or per-path) arrays into a
:class:`WarSummary`; :func:`period_date` and :func:`period_index` convert between periods and
dates; :func:`parse_war_event` reads ``--prob`` events on the time of agreement
(``"agreement<=2025-12-31"``, ``"agreement<=6"`` periods).
"""

from __future__ import annotations

import calendar
import math
import re
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from accord.errors import AnalysisError
from accord.models.base import Forecast
from accord.models.war import paths_of, victory_probabilities
from accord.scenario import Scenario
from accord.scenario.conflict import start_of

PERIODS = ("day", "week", "month", "quarter", "year")
BAND = 0.90  # the band of P(agreement by t): a Wilson interval for the Monte Carlo error
TIME_QUANTILES = {"q10": 0.10, "q50": 0.50, "q90": 0.90}
TERMS_QUANTILES = {"q05": 0.05, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q95": 0.95}


def period_date(start: date, period: str, t: int) -> date:
    """The date of period ``t`` counted from ``start`` (t = 0 is ``start``). Months and longer
    keep the day of the month where it exists, else the month's last day."""
    if period == "day":
        return start + timedelta(days=t)
    if period == "week":
        return start + timedelta(weeks=t)
    months = {"month": 1, "quarter": 3, "year": 12}[period] * t
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def period_index(start: date, period: str, when: date) -> int:
    """The last period t whose date is on or before ``when`` (−1 if ``when`` is before the
    start)."""
    if when < start:
        return -1
    if period in ("day", "week"):
        return (when - start).days // (1 if period == "day" else 7)
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    t = ((when.year - start.year) * 12 + when.month - start.month) // step
    while period_date(start, period, t) > when:
        t -= 1
    return t


def _wilson(p: np.ndarray, n: int, level: float = BAND) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share p of n draws (the Monte Carlo error of the curve)."""
    z = {0.90: 1.6448536269514722, 0.95: 1.959963984540054}[level]
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _quantile_of_curve(curve: np.ndarray, q: float) -> int | None:
    """The first period by which P(agreement) reaches q; None if it never does within H."""
    hit = np.flatnonzero(curve >= q - 1e-12)
    return int(hit[0]) if hit.size else None


def _median(x: np.ndarray) -> np.ndarray:
    """Median over axis 0 ignoring NaN (the draws no longer fighting); NaN where none is."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(x, axis=0)


@dataclass
class WarSummary:
    """The war model's answer for one scenario (from draws, or from paths at the central
    values). Periods count from ``start`` in ``period`` units; T is censored at ``horizon``."""

    issue: str
    side_a: list[str]
    side_b: list[str]
    mediators: list[str]
    start: date
    period: str
    horizon: int
    draws: int
    central: bool  # True: paths of the front at the central values, no input uncertainty
    range_now: float
    agreement_by: np.ndarray  # (H,) P(T <= t)
    band: tuple[np.ndarray, np.ndarray]  # (H,) each: the 90 % Wilson interval of agreement_by
    time: dict[str, int | None]  # q10/q50/q90 of T in periods; None: beyond the horizon
    terms: dict[str, float] | None  # quantiles of the terms, over draws that agree
    terms_draws: np.ndarray  # (k,) the terms of the draws that agree
    victory_a: float
    victory_b: float
    per_period: dict[str, np.ndarray] = field(default_factory=dict)
    scale: tuple[float, float] = (0.0, 100.0)

    @property
    def agreement_at_horizon(self) -> float:
        return float(self.agreement_by[-1])

    @property
    def no_deal(self) -> float:
        """P(no agreement within the horizon and no outright victory)."""
        return max(0.0, 1.0 - self.agreement_at_horizon - self.victory_a - self.victory_b)

    def date(self, t: int) -> date:
        return period_date(self.start, self.period, t)

    def agreement_by_date(self, when: date) -> float:
        t = period_index(self.start, self.period, when)
        if t < 0:
            return 0.0
        return float(self.agreement_by[min(t, self.horizon - 1)])

    def checkpoints(self) -> list[tuple[date, float]]:
        """(date, P(agreement by it)) for each 31 December within the horizon."""
        last = self.date(self.horizon - 1)
        ends = [date(y, 12, 31) for y in range(self.start.year, last.year + 1)]
        return [(d, self.agreement_by_date(d)) for d in ends if d <= last]

    def to_json(self) -> dict[str, Any]:
        def clean(x: Any) -> Any:
            if isinstance(x, float) and not math.isfinite(x):
                return None
            return x

        def arr(a: np.ndarray) -> list[Any]:
            return [clean(float(v)) for v in np.asarray(a, dtype=float)]

        dates = [self.date(t).isoformat() for t in range(self.horizon + 1)]
        return {
            "issue": self.issue,
            "sides": {"a": self.side_a, "b": self.side_b},
            "mediators": self.mediators,
            "start": self.start.isoformat(),
            "period": self.period,
            "horizon": self.horizon,
            "draws": self.draws,
            "central_values": self.central,
            "p_range_now": self.range_now,
            "p_agreement_by_year_end": {d.isoformat(): p for d, p in self.checkpoints()},
            "p_agreement_by_horizon": self.agreement_at_horizon,
            "agreement_by": [{"period": t, "date": dates[t], "p": clean(float(p)),
                              "low": clean(float(lo)), "high": clean(float(hi))}
                             for t, (p, lo, hi) in enumerate(zip(self.agreement_by, *self.band,
                                                                 strict=True))],
            "time_to_agreement": {
                k: None if v is None else {"periods": v, "date": dates[v]}
                for k, v in self.time.items()},
            "terms": self.terms,
            "p_victory": {"a": self.victory_a, "b": self.victory_b},
            "p_no_deal": self.no_deal,
            "per_period": {"date": dates, **{k: arr(v) for k, v in self.per_period.items()}},
        }


def summarise_war(forecast: Forecast, scenario: Scenario) -> WarSummary:
    """The :class:`WarSummary` of a war model forecast of ``scenario``."""
    conflict = scenario.conflict
    if conflict is None:
        raise AnalysisError("the scenario has no conflict: section")
    p = paths_of(forecast)
    n = p.outcome.shape[0]
    H = p.lower.shape[1]
    T = p.agreement_period
    agreed = ~np.isnan(T)
    by = np.where(agreed, T, np.inf)[:, None] <= np.arange(H)[None, :]  # (n, H): T <= t
    curve = by.mean(axis=0) if n else np.zeros(H)
    lo, hi = _wilson(curve, max(n, 1))
    time = {k: _quantile_of_curve(curve, q) for k, q in TIME_QUANTILES.items()}
    terms_draws = p.terms[agreed]
    terms = None
    if terms_draws.size:
        qs = np.quantile(terms_draws, list(TERMS_QUANTILES.values()))
        terms = {"mean": float(terms_draws.mean()),
                 **{k: float(v) for k, v in zip(TERMS_QUANTILES, qs, strict=True)}}
    va, vb = victory_probabilities(p.winner)
    front_q = np.quantile(p.front, [0.1, 0.5, 0.9], axis=0)
    fighting = ~np.isnan(p.lower)
    remaining = H - np.arange(H)
    x = p.front[:, :H]
    per = {
        "front_q10": front_q[0], "front_q50": front_q[1], "front_q90": front_q[2],
        "fighting": fighting.mean(axis=0),
        "belief_a": _median(p.belief_a),
        "belief_b": _median(p.belief_b),
        "expect_a": _median(np.where(fighting, x + p.belief_a * remaining, np.nan)),
        "expect_b": _median(np.where(fighting, x + p.belief_b * remaining, np.nan)),
        "lower": _median(p.lower),
        "upper": _median(p.upper),
    }
    issue = next(i for i in scenario.issues if i.id == conflict.issue)
    return WarSummary(
        issue=conflict.issue, side_a=list(conflict.sides.a), side_b=list(conflict.sides.b),
        mediators=list(conflict.mediators), start=start_of(scenario), period=conflict.period,
        horizon=H, draws=n, central=bool(forecast.extras.get("central", False)),
        range_now=float(np.mean(T == 0)), agreement_by=curve, band=(lo, hi), time=time,
        terms=terms, terms_draws=terms_draws, victory_a=va, victory_b=vb, per_period=per,
        scale=scenario.scale_of(issue))


# --------------------------------------------------------------------------- --prob events

_EVENT = re.compile(r"^\s*agreement\s*(?P<op><=|<)\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class WarEvent:
    """``agreement<=WHEN``: agreement within the horizon by a date or a period."""

    text: str
    op: str
    when: date | None
    period: int | None

    def probability(self, summary: WarSummary) -> float:
        if self.when is not None:
            t = period_index(summary.start, summary.period, self.when)
            if self.op == "<" and t >= 0 and summary.date(t) == self.when:
                t -= 1
        else:
            assert self.period is not None
            t = self.period - (1 if self.op == "<" else 0)
        if t < 0:
            return 0.0
        return float(summary.agreement_by[min(t, summary.horizon - 1)])


def is_war_event(text: str) -> bool:
    return bool(_EVENT.match(text))


def parse_war_event(text: str) -> WarEvent:
    m = _EVENT.match(text)
    if not m:
        raise AnalysisError(f"{text!r} is not an event on the time of agreement; write e.g. "
                            "\"agreement<=2025-12-31\" or \"agreement<=6\" (periods)")
    raw = m["value"]
    try:
        return WarEvent(text.strip(), m["op"], date.fromisoformat(raw), None)
    except ValueError:
        pass
    try:
        k = int(raw)
    except ValueError:
        raise AnalysisError(f"{text!r}: {raw!r} is neither a date (YYYY-MM-DD) nor a whole "
                            "number of periods") from None
    if k < 0:
        raise AnalysisError(f"{text!r}: the number of periods must be 0 or more")
    return WarEvent(text.strip(), m["op"], None, k)
