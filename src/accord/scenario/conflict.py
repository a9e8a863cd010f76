"""The ``conflict:`` section's rules and helpers (shared/DESIGN.md, "Bargaining under fire").

The section's types live in :mod:`accord.scenario.schema` (:class:`Conflict`); this module
holds the rules that tie it to the rest of the scenario (its issue, its sides' actors, the
scale), run by :func:`accord.scenario.schema.rules`, and small helpers: which side a
``beliefs:``/``costs:`` key names, the start date, the numbers with their paths.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from typing import Any

from accord.scenario.problems import Problem, fmt, problem

# The types (Conflict, Quantity, Scenario) live in accord.scenario.schema, which imports this
# module; they are named as Any here so the import goes one way only.
Conflict = Quantity = Scenario = Any

MAX_HORIZON = 1200  # periods; a century of months
SIDES = ("a", "b")


def side_of(conflict: Conflict, key: str) -> str | None:
    """The side (``"a"``/``"b"``) a key of ``beliefs:`` or ``costs:`` names: the side itself
    or one of its actors; None for anything else."""
    if key in SIDES:
        return key
    for side in SIDES:
        if key in getattr(conflict.sides, side):
            return side
    return None


def by_side(conflict: Conflict, table: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """side -> (key, entry) of a ``beliefs:``/``costs:`` table (the first key per side)."""
    out: dict[str, tuple[str, Any]] = {}
    for key, entry in table.items():
        side = side_of(conflict, key)
        if side is not None and side not in out:
            out[side] = (key, entry)
    return out


def start_of(scenario: Scenario) -> date:
    """The conflict's first period: its ``start``, else the scenario's date."""
    assert scenario.conflict is not None
    return date.fromisoformat(scenario.conflict.start or scenario.date or "")


def front_of(scenario: Scenario) -> tuple[str, Quantity] | None:
    """(path, number) of the front X_0: ``conflict.front``, else the issue's status quo."""
    c = scenario.conflict
    assert c is not None
    if c.front is not None:
        return "conflict.front", c.front
    for k, issue in enumerate(scenario.issues):
        if issue is not None and issue.id == c.issue and issue.status_quo is not None:
            return f"issues[{k}].status_quo", issue.status_quo
    return None


def quantities(conflict: Conflict, path: str = "conflict") -> Iterator[tuple[str, Quantity]]:
    """(path, number) of every number of the section."""
    if conflict.front is not None:
        yield f"{path}.front", conflict.front
    yield f"{path}.truth.drift", conflict.truth.drift
    yield f"{path}.truth.volatility", conflict.truth.volatility
    for key, belief in conflict.beliefs.items():
        yield f"{path}.beliefs.{key}.drift", belief.drift
        yield f"{path}.beliefs.{key}.sd", belief.sd
    for key, q in conflict.costs.items():
        yield f"{path}.costs.{key}", q
    if conflict.power is not None:
        yield f"{path}.power", conflict.power


def _positive(path: str, q: Quantity) -> Iterator[Problem]:
    for part, v in (("", q.value), (".low", q.low), (".high", q.high)):
        if v is not None and not v > 0:
            yield problem(path + part, f"{fmt(v)} is not allowed: must be above 0", v,
                          "a number above 0")


def conflict_problems(sc: Scenario, scales: dict[str, tuple[float, float] | None],
                      range_problems: Any) -> list[Problem]:
    """Every rule of the ``conflict:`` section. ``scales``: issue id -> scale (None where the
    issue's scale is unusable); ``range_problems(path, q, lo, hi)`` the scenario's range check.
    """
    c = sc.conflict
    if c is None:
        return []
    found: list[Problem] = []
    add = found.append
    actors = [a.id for a in sc.actors if a is not None]
    known = ", ".join(actors) or "(none)"
    if c.issue not in scales:
        issues = ", ".join(scales) or "(none)"
        add(problem("conflict.issue", f"unknown issue id {c.issue!r}; the issues are: {issues}",
                    c.issue, issues))
    seen: dict[str, str] = {}
    for group in ("a", "b", "mediators"):
        ids = c.mediators if group == "mediators" else getattr(c.sides, group)
        path = "conflict.mediators" if group == "mediators" else f"conflict.sides.{group}"
        if group != "mediators" and not ids:
            add(problem(path, "needs at least one actor", ids, "a list of actor ids"))
        for k, aid in enumerate(ids):
            if aid not in actors:
                add(problem(f"{path}[{k}]", f"unknown actor id {aid!r}; the actors are: "
                            f"{known}", aid, known))
            elif aid in seen:
                where = "side b" if group == "b" else group
                first = "side a" if seen[aid] == "a" else (
                    "side b" if seen[aid] == "b" else "the mediators")
                add(problem(f"{path}[{k}]", f"actor {aid!r} is on {first} and in {where}: "
                            "sides and mediators may not overlap", aid,
                            "an actor on no other side"))
            else:
                seen[aid] = group
    if sc.date is None and c.start is None:
        add(problem("conflict.start", "is required: the scenario has no date", None,
                    "a date YYYY-MM-DD"))
    for path, text in (("conflict.start", c.start), ("date", sc.date if c.start is None
                                                    else None)):
        if text is not None:
            try:
                date.fromisoformat(text)
            except ValueError:
                add(problem(path, f"{fmt(text)} is not a date", text, "a date YYYY-MM-DD"))
    if not 1 <= c.horizon <= MAX_HORIZON:
        add(problem("conflict.horizon", f"{c.horizon} is outside 1..{MAX_HORIZON}", c.horizon,
                    f"a whole number of periods, 1..{MAX_HORIZON}"))
    scale = scales.get(c.issue)
    if c.front is not None and scale is not None:
        found += range_problems("conflict.front", c.front, *scale)
    if c.front is None and c.issue in scales and front_of(sc) is None:
        add(problem("conflict.front", f"is required: issue {c.issue!r} has no status_quo to "
                    "start the front from", None, "a number on the issue's scale"))
    found += _positive("conflict.truth.volatility", c.truth.volatility)
    if c.power is not None:
        found += range_problems("conflict.power", c.power, 0.0, 1.0)
    for table, what in (("beliefs", "a belief about the drift {drift, sd}"),
                        ("costs", "a cost per period")):
        entries = getattr(c, table)
        sides_seen: dict[str, str] = {}
        for key in entries:
            side = side_of(c, key)
            if side is None:
                add(problem(f"conflict.{table}.{key}", f"{key!r} is neither a side (a, b) nor "
                            "an actor on one", key, "a, b or an actor of a side"))
            elif side in sides_seen:
                add(problem(f"conflict.{table}.{key}", f"side {side} already has "
                            f"{table[:-1]} {sides_seen[side]!r}: one per side", key,
                            "one entry per side"))
            else:
                sides_seen[side] = key
        for side in SIDES:
            if side not in sides_seen:
                add(problem(f"conflict.{table}", f"side {side} has none: give {what} for "
                            f"{side!r} (or one of its actors)", None, what))
    for key, belief in c.beliefs.items():
        found += _positive(f"conflict.beliefs.{key}.sd", belief.sd)
    for key, q in c.costs.items():
        found += range_problems(f"conflict.costs.{key}", q, 0.0, math.inf)
    return found
