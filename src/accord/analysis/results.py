"""Results with named axes: one model's forecast, the run's, and their summaries.

Axis order is documented once, in :data:`accord.models.base.AXES` (outcome: draw × issue;
trajectory: draw × round × actor × issue). Here the numbers a user reads come labelled:

- :attr:`ModelResult.outcome` is an :class:`IssueValues` (issue id -> point forecast), which
  prints as a dict and converts to an array with ``np.asarray``;
- :meth:`ModelResult.quantiles` computes the mean and the 5/10/50/90/95 % quantiles over the
  draws once, for all issues (one ``np.quantile`` over the draw axis), and caches them;
- :meth:`ModelResult.distribution` reads them per issue (issue id -> {mean, q05, …}); without
  draws it is the point forecast alone, with a note saying so (never None).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.analysis.calibration import Calibration
from accord.analysis.thresholds import Threshold, probability
from accord.models.base import DRAW, Forecast, axis
from accord.scenario import Scenario

if TYPE_CHECKING:  # the war model's types: accord.analysis.war loads it when it runs
    from accord.analysis.war import WarEvent, WarSummary

QUANTILES = {"q05": 0.05, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q95": 0.95}
STATISTICS = ("mean", *QUANTILES)
NO_DRAWS = "one run on the central values, no spread: forecast with draws > 1 for intervals"


class IssueValues(Mapping[str, float]):
    """One number per issue, labelled by issue id.

    Read it as a mapping (``outcome["territory"]``, ``dict(outcome)``) or as the (d,) array
    (``outcome.array``, ``np.asarray(outcome)``; axis: issue). An integer key is the issue's
    position (as the bare array was indexed before), so ``outcome[k]`` keeps working.
    """

    __slots__ = ("array", "ids")

    def __init__(self, ids: Sequence[str], values: Any) -> None:
        self.ids = tuple(ids)
        self.array = np.asarray(values, dtype=float)
        if self.array.shape != (len(self.ids),):
            raise ValueError(f"{len(self.ids)} issues but values of shape {self.array.shape}")

    def __getitem__(self, key: str | int) -> float:
        if isinstance(key, int | np.integer):
            return float(self.array[key])
        try:
            return float(self.array[self.ids.index(key)])
        except ValueError:
            raise KeyError(f"no issue {key!r}; the issues are: {', '.join(self.ids)}"
                           ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.asarray(self.array, dtype=dtype)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {v:.6g}" for k, v in self.items()) + "}"


@dataclass(frozen=True)
class Quantiles:
    """Mean and quantiles of draws, computed once for all issues.

    values: (len(statistics), d), axes (statistic, issue); statistics ``mean`` and the
    names of :data:`QUANTILES` (``q05, …, q95``).
    ``q["q90"]`` is an :class:`IssueValues`; :meth:`issue` one issue's statistics.
    """

    issue_ids: tuple[str, ...]
    values: np.ndarray
    draws: int
    statistics: tuple[str, ...]

    def __getitem__(self, statistic: str) -> IssueValues:
        return IssueValues(self.issue_ids, self.values[self.statistics.index(statistic)])

    def issue(self, issue_id: str) -> dict[str, float]:
        k = self.issue_ids.index(issue_id)
        return {s: float(self.values[j, k]) for j, s in enumerate(self.statistics)}


def linear_quantiles(a: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """``np.quantile(a, q, axis=0)`` for a float array, the same numbers bit for bit (its
    default method, Hyndman & Fan's 7th: linear between order statistics; a NaN anywhere
    along the axis gives NaN), by the same floating-point steps on a sorted copy.

    Why not ``np.quantile`` itself: since numpy 2.3 it calls ``np.unique``, which imports
    ``numpy.ma`` (~10 ms, a fortieth of ``accord forecast``'s start-up; issue 12). Tests
    compare the two on random arrays with ties, infinities and NaNs."""
    arr = np.sort(a, axis=0)  # NaNs last, as numpy's partition puts them
    n = arr.shape[0]
    qa = np.asarray(q, dtype=np.float64)
    virtual = (n - 1) * qa  # as numpy computes it for this method
    previous = np.floor(virtual)
    following = previous + 1.0
    above = virtual >= n - 1
    previous[above] = -1
    following[above] = -1
    below = virtual < 0
    previous[below] = 0
    following[below] = 0
    lo = previous.astype(np.intp)
    hi = following.astype(np.intp)
    gamma = (virtual - lo).reshape(qa.shape + (1,) * (arr.ndim - 1))
    left, right = arr[lo], arr[hi]
    diff = right - left
    out = np.add(left, diff * gamma)
    np.subtract(right, diff * (1 - gamma), out=out, where=gamma >= 0.5, casting="unsafe")
    nans = np.isnan(arr[-1, ...])
    if np.any(nans):
        np.copyto(out, arr[-1, ...], where=nans)
    return out


def quantiles(outcome: np.ndarray, issue_ids: Sequence[str]) -> Quantiles:
    """Mean and the :data:`QUANTILES` of outcome (draw × issue) over the draw axis, in one
    pass for every issue."""
    over = axis("outcome", DRAW)
    assert over == 0
    qs = (linear_quantiles(outcome, list(QUANTILES.values()))
          if outcome.dtype.kind == "f" else
          np.quantile(outcome, list(QUANTILES.values()), axis=over))
    values = np.concatenate([outcome.mean(axis=over)[None], qs])
    return Quantiles(tuple(issue_ids), values, outcome.shape[over], ("mean", *QUANTILES))


class Distribution(Mapping[str, dict[str, float]]):
    """Per issue the mean and quantiles over the draws (issue id -> {mean, q05, …, q95}).

    ``draws`` says how many draws they summarise; with one (no Monte Carlo) every statistic
    is the point forecast and ``note`` says so.
    """

    def __init__(self, q: Quantiles, note: str = "") -> None:
        self.quantiles = q
        self.draws = q.draws
        self.note = note

    @property
    def has_draws(self) -> bool:
        return self.draws > 1

    def __getitem__(self, issue_id: str) -> dict[str, float]:
        if issue_id not in self.quantiles.issue_ids:
            raise KeyError(f"no issue {issue_id!r}; the issues are: "
                           f"{', '.join(self.quantiles.issue_ids)}")
        return self.quantiles.issue(issue_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.quantiles.issue_ids)

    def __len__(self) -> int:
        return len(self.quantiles.issue_ids)

    def __repr__(self) -> str:
        body = ", ".join(f"{k!r}: {v}" for k, v in self.items())
        return f"Distribution({{{body}}}, draws={self.draws}" + (
            f", note={self.note!r})" if self.note else ")")


@dataclass
class ModelResult:
    """One model's forecast of a scenario: the point run and, with draws, the distribution."""

    model: str
    options: dict[str, Any]
    point: Forecast
    draws: Forecast | None = None
    thresholds: tuple[Threshold, ...] = ()
    label: str = ""  # unique within its run (see unique_labels); defaults to the model name
    _quantiles: Quantiles | None = field(default=None, init=False, repr=False, compare=False)
    events: tuple[WarEvent, ...] = ()  # "agreement<=DATE": events of the war model
    war: WarSummary | None = None  # the war model's answer (None for the other models)
    predictive: np.ndarray | None = None  # (M, d) calibrated predictive draws
    calibration: Calibration | None = None  # where the model-error term comes from

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.model

    @property
    def issue_ids(self) -> tuple[str, ...]:
        return self.point.issue_ids

    @property
    def outcome(self) -> IssueValues:
        """Point forecast per issue: issue id -> value (``np.asarray`` gives the (d,) array)."""
        return IssueValues(self.point.issue_ids, self.point.outcome[0])

    def quantiles(self) -> Quantiles:
        """Mean and quantiles over the draws for all issues, computed once; without draws,
        the point forecast as every statistic (``draws == 1``)."""
        if self._quantiles is None:
            source = self.draws if self.draws is not None else self.point
            self._quantiles = quantiles(source.outcome, self.point.issue_ids)
        return self._quantiles

    def distribution(self) -> Distribution:
        """Per issue: mean and quantiles of the outcome over the draws (see
        :class:`Distribution`); without draws the point forecast, with a note."""
        return Distribution(self.quantiles(), "" if self.draws is not None else NO_DRAWS)

    def predictive_distribution(self) -> Distribution | None:
        """Per issue: mean and quantiles of the calibrated predictive draws (the model's
        error added; :mod:`accord.analysis.calibration`); None without a calibration."""
        if self.predictive is None:
            return None
        return Distribution(quantiles(self.predictive, self.point.issue_ids))

    def probabilities(self) -> dict[str, float] | None:
        """P(event) over the draws for each threshold, keyed by its text; None without draws
        or thresholds."""
        out: dict[str, float] = {}
        if self.draws is not None:
            ids = list(self.point.issue_ids)
            for t in self.thresholds:
                if np.all(np.isnan(self.draws.outcome[:, ids.index(t.issue)])):
                    continue  # the model says nothing on this issue (the war model)
                out[t.text] = probability(self.draws.outcome, t, self.point.issue_ids)
        if self.war is not None:
            out.update({e.text: e.probability(self.war) for e in self.events})
        return out or None


@dataclass
class ForecastResult:
    scenario: Scenario
    draws: int
    seed: int
    results: list[ModelResult] = field(default_factory=list)
    thresholds: tuple[Threshold, ...] = ()
    events: tuple[WarEvent, ...] = ()  # events of the war model ("agreement<=2025-12-31")
    notes: list[str] = field(default_factory=list)  # e.g. a model left out, and why

    def result(self, label: str) -> ModelResult:
        """The result with this label (see :func:`unique_labels`), or with this model name
        when exactly one result has it; KeyError otherwise."""
        for r in self.results:
            if r.label == label:
                return r
        named = [r for r in self.results if r.model == label]
        if len(named) == 1:
            return named[0]
        labels = ", ".join(r.label for r in self.results)
        if named:
            raise KeyError(f"{label!r} names {len(named)} results; choose one of: {labels}")
        raise KeyError(f"no result {label!r}; the results are: {labels}")


def summarise(outcome: np.ndarray, issue_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    """Mean and quantiles per issue of outcome (draw × issue), as plain dicts (JSON)."""
    return dict(Distribution(quantiles(outcome, issue_ids)))
