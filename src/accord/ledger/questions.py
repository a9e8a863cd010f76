"""Questions and the ids the ledger hands out: what a question asks (:class:`QuestionSpec`,
read by :func:`make_question`), dates and ``Q12``/``R12`` references as the user writes
them, and the probability of a threshold question's event over forecast draws.

Pure: no database (the ledger, :mod:`accord.ledger.store`, stores what these build).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import LedgerError

if TYPE_CHECKING:
    from accord.scenario import Scenario


def parse_date(text: str | dt.date | None, what: str = "--date") -> dt.date | None:
    """An ISO date (YYYY-MM-DD), or a clear message naming what was given."""
    if text is None or isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise LedgerError(f"{what} {text!r} is not a date: write it as YYYY-MM-DD "
                          "(e.g. 2025-12-31)") from None


def _sha(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def question_id(ref: str | int) -> int:
    """``Q12``, ``q12`` or ``12`` -> 12."""
    text = str(ref).strip()
    body = text[1:] if text[:1] in ("Q", "q") else text
    if not body.isdigit():
        raise LedgerError(f"{ref!r} is not a question id: write it as Q12 or 12 "
                          "(see `accord ledger list`)")
    return int(body)


def run_id(ref: str | int) -> int:
    text = str(ref).strip()
    body = text[1:] if text[:1] in ("R", "r") else text
    if not body.isdigit():
        raise LedgerError(f"{ref!r} is not a run id: write it as R12 (see `accord ledger "
                          "list --runs`)")
    return int(body)



@dataclass(frozen=True)
class QuestionSpec:
    """What a question asks, before it is stored: an issue of a scenario, and for a
    threshold question the event (``op``, ``threshold``)."""

    scenario: str
    issue: str
    op: str | None
    threshold: float | None
    scale: tuple[float, float]
    title: str
    deadline: dt.date | None = None
    criteria: str = ""

    @property
    def text(self) -> str:
        return self.issue if self.op is None else f"{self.issue}{self.op}{self.threshold:g}"

    def uid(self) -> str:
        return _sha({"scenario": self.scenario, "issue": self.issue, "op": self.op,
                     "threshold": self.threshold, "deadline": self.deadline,
                     "title": self.title, "criteria": self.criteria})


def make_question(scenario: Scenario, text: str, *, deadline: str | dt.date | None = None,
                  title: str | None = None, criteria: str = "") -> QuestionSpec:
    """Read a question on a scenario: ``"territory>=80"`` (threshold, like ``--prob``) or
    ``"territory"`` (the value of the issue)."""
    from accord.analysis import parse_threshold

    issue_ids = scenario.issue_ids
    words = text.strip()
    op: str | None = None
    value: float | None = None
    if any(c in words for c in "<>="):
        try:
            t = parse_threshold(words, issue_ids)
        except Exception as e:  # AnalysisError: reworded for --question
            raise LedgerError(str(e).replace("--prob", "--question")) from None
        issue, op, value = t.issue, t.op, t.value
    else:
        if words not in issue_ids:
            raise LedgerError(f"--question {text!r}: no issue {words!r}; the issues are: "
                              f"{', '.join(issue_ids)} (a value question names an issue, a "
                              "threshold question reads like territory>=80)")
        issue = words
    when = parse_date(deadline, "--deadline")
    iss = next(i for i in scenario.issues if i.id == issue)
    scale = scenario.scale_of(iss)
    if value is not None and not scale[0] <= value <= scale[1]:
        raise LedgerError(f"--question {text!r}: {value:g} is outside the scale of "
                          f"{issue!r} ({scale[0]:g}..{scale[1]:g})")
    if title is None:
        what = f"{issue} {op} {value:g}" if op else f"value of {issue}"
        title = what + (f" by {when.isoformat()}" if when else "")
    return QuestionSpec(scenario.title, issue, op, value, (float(scale[0]), float(scale[1])),
                        title, when, criteria)


def event_probabilities(items: Sequence[tuple[Any, np.ndarray, str, float]]) -> list[float]:
    """P(event) over each item's draws, for items (tag, draws, op, threshold): one
    vectorised comparison per number of draws and operator."""
    out = np.full(len(items), np.nan)
    keys: dict[tuple[int, str], list[int]] = {}
    for k, (_, draws, op, _) in enumerate(items):
        keys.setdefault((draws.size, op), []).append(k)
    for (_, op), idx in keys.items():
        stacked = np.stack([items[k][1] for k in idx])
        thr = np.array([items[k][3] for k in idx], float)[:, None]
        out[idx] = _holds(op, thr, stacked).mean(axis=1)  # type: ignore[arg-type]
    return out.tolist()


def _holds(op: str, threshold: float, x: np.ndarray) -> np.ndarray:
    from accord.analysis import Threshold

    return Threshold("x", op, threshold).holds(x)  # type: ignore[arg-type]
