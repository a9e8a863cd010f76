"""Events on one issue's outcome (``"territory>=80"``) and their probability over draws."""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from accord.errors import AnalysisError

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
}
_THRESHOLD = re.compile(r"^\s*(?P<issue>[^<>=\s]+)\s*(?P<op>>=|<=|>|<)\s*(?P<value>\S+)\s*$")


@dataclass(frozen=True)
class Threshold:
    """An event on one issue's outcome, e.g. ``territory >= 80``."""

    issue: str
    op: Literal[">=", ">", "<=", "<"]
    value: float

    @property
    def text(self) -> str:
        return f"{self.issue}{self.op}{self.value:g}"

    def holds(self, outcome: np.ndarray) -> np.ndarray:
        """Element-wise truth of the event for outcomes of this issue."""
        return _OPS[self.op](outcome, self.value)


def parse_threshold(text: str | Threshold, issue_ids: Sequence[str]) -> Threshold:
    """Read ``"ISSUE>=V"`` (also ``>``, ``<=``, ``<``); the issue must exist."""
    if isinstance(text, Threshold):
        t = text
    else:
        m = _THRESHOLD.match(text)
        if not m:
            raise AnalysisError(f"--prob {text!r} is not ISSUE OP NUMBER with OP one of "
                                f">=, >, <=, < (e.g. \"territory>=80\")")
        try:
            value = float(m["value"])
        except ValueError:
            raise AnalysisError(f"--prob {text!r}: {m['value']!r} is not a number") from None
        if not math.isfinite(value):
            raise AnalysisError(f"--prob {text!r}: {m['value']!r} is not a finite number")
        t = Threshold(m["issue"], m["op"], value)  # type: ignore[arg-type]
    if t.issue not in issue_ids:
        raise AnalysisError(f"--prob {t.text!r}: no issue {t.issue!r}; the issues are: "
                            f"{', '.join(issue_ids)}")
    return t


def probability(outcome: np.ndarray, threshold: Threshold, issue_ids: Sequence[str]) -> float:
    """Share of draws of ``outcome`` (S, d) in which the threshold's event holds."""
    k = list(issue_ids).index(threshold.issue)
    return float(np.mean(threshold.holds(outcome[:, k])))
