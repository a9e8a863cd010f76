"""Edits of scenario data: the one-line what-ifs of a shock (``RUS.capability=40``).

The forms are listed in :mod:`accord.shocks`, which runs shocks on a Scenario; this module
works on plain data, so the Scenario type can dry-run its own named shocks without importing
anything above it.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from accord.errors import ShockError

Op = Literal["=", "+=", "-=", "*="]

_EDIT = re.compile(
    r"^\s*(?P<target>[^\s=+\-*:][^=+*]*?)\s*(?P<op>\+=|-=|\*=|=)\s*(?P<value>[^\s].*?)\s*$"
)
_ACTION = re.compile(r"^\s*(?P<action>drop|add)\s*:\s*(?P<what>\S+)\s*$")

SYNTAX = ("ACTOR.capability=V, ACTOR.capability.ISSUE=V, ACTOR.position.ISSUE=V, "
          "ACTOR.salience.ISSUE=V, ISSUE.status_quo=V, conflict.NUMBER=V (also +=, -=, *=), "
          "drop:ACTOR, drop:ACTOR.ISSUE, add:ACTOR")
CONFLICT_SYNTAX = ("conflict.front, conflict.truth.drift, conflict.truth.volatility, "
                   "conflict.beliefs.SIDE.drift, conflict.beliefs.SIDE.sd, conflict.costs.SIDE, "
                   "conflict.power, conflict.horizon (SIDE: a, b or an actor of the side)")


@dataclass(frozen=True)
class Edit:
    """One parsed edit of a shock."""

    text: str
    action: Literal["set", "drop", "add"]
    actor: str | None = None
    issue: str | None = None
    field: Literal["capability", "position", "salience", "status_quo", "conflict"] | None = None
    op: Op = "="
    value: float = math.nan
    path: tuple[str, ...] = ()  # conflict edits: the number's path below ``conflict``


def parse_edit(text: str) -> Edit:
    """Read one edit (see the module docstring for the forms)."""
    m = _ACTION.match(text)
    if m:
        action, what = m["action"], m["what"]
        if action == "add":
            if "." in what:
                raise ShockError(f"shock {text!r}: an added actor's id may not contain '.'; "
                                 f"write add:ID and then ID.capability=..., "
                                 f"ID.position.ISSUE=..., ID.salience.ISSUE=...")
            return Edit(text, "add", actor=what)
        actor, _, issue = what.partition(".")
        return Edit(text, "drop", actor=actor, issue=issue or None)
    m = _EDIT.match(text)
    if not m:
        raise ShockError(f"shock {text!r} is not an edit; the forms are: {SYNTAX}")
    raw = m["value"]
    try:
        value = float(raw)
    except ValueError:
        raise ShockError(f"shock {text!r}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ShockError(f"shock {text!r}: {raw!r} is not a finite number")
    op: Op = m["op"]  # type: ignore[assignment]
    parts = [p.strip() for p in m["target"].split(".")]
    if any(not p for p in parts):
        raise ShockError(f"shock {text!r}: {m['target']!r} has an empty part; the forms are: "
                         f"{SYNTAX}")
    if parts[0] == "conflict" and len(parts) >= 2:
        return _conflict_edit(text, parts[1:], op, value)
    if len(parts) == 2 and parts[1] == "status_quo":
        return Edit(text, "set", issue=parts[0], field="status_quo", op=op, value=value)
    if len(parts) == 2 and parts[1] == "capability":
        return Edit(text, "set", actor=parts[0], field="capability", op=op, value=value)
    if len(parts) == 3 and parts[1] in ("capability", "position", "salience"):
        return Edit(text, "set", actor=parts[0], issue=parts[2], field=parts[1],  # type: ignore[arg-type]
                    op=op, value=value)
    raise ShockError(f"shock {text!r}: cannot tell what {m['target']!r} names; the forms are: "
                     f"{SYNTAX}")


def _conflict_edit(text: str, path: list[str], op: Op, value: float) -> Edit:
    """``conflict.<path>``: one of the section's numbers (shared/DESIGN.md, "Bargaining under
    fire": mediators act through shocks, e.g. sanctions raise a side's cost)."""
    shape = (path[0], len(path))
    ok = shape in {("front", 1), ("power", 1), ("horizon", 1), ("costs", 2)} or (
        shape == ("truth", 2) and path[1] in ("drift", "volatility")) or (
        shape == ("beliefs", 3) and path[2] in ("drift", "sd"))
    if not ok:
        raise ShockError(f"shock {text!r}: conflict.{'.'.join(path)} is not a number of the "
                         f"conflict section; the forms are: {CONFLICT_SYNTAX}")
    if path[0] == "horizon" and (not value.is_integer() or op == "*="):
        raise ShockError(f"shock {text!r}: the horizon is a whole number of periods; use =, "
                         "+= or -= with a whole number")
    return Edit(text, "set", field="conflict", op=op, value=value, path=tuple(path))


def _side_key(conflict: Mapping[str, Any], table: str, key: str, text: str) -> str:
    """The key of ``conflict[table]`` that ``key`` names: itself, or the entry of its side."""
    entries = conflict.get(table) or {}
    if key in entries:
        return key
    sides = conflict.get("sides") or {}
    side = key if key in ("a", "b") else next(
        (s for s in ("a", "b") if key in (sides.get(s) or [])), None)
    for k in entries:
        if k == side or k in (sides.get(side) or []):
            return k
    known = ", ".join(entries) or "(none)"
    raise ShockError(f"shock {text!r}: {key!r} names no entry of conflict.{table}; the entries "
                     f"are: {known} (or a side, a or b)")


def _edit_conflict(data: dict[str, Any], edit: Edit, scale: tuple[float, float]) -> None:
    conflict = data.get("conflict")
    if not conflict:
        raise ShockError(f"shock {edit.text!r}: the scenario has no conflict section")
    head, *rest = edit.path
    if head == "horizon":
        old = int(conflict["horizon"])
        conflict["horizon"] = int({"=": edit.value, "+=": old + edit.value,
                                   "-=": old - edit.value}[edit.op])
        return
    unbounded = (-math.inf, math.inf)
    if head in ("front", "power"):
        old = conflict.get(head)
        if old is None and head == "front":  # the front starts at the issue's status quo
            issue = next((i for i in data["issues"] if i["id"] == conflict.get("issue")), {})
            old = issue.get("status_quo")
        conflict[head] = _new_number(old, edit, scale if head == "front" else (0.0, 1.0))
        return
    if head == "truth":
        bounds = unbounded if rest[0] == "drift" else (0.0, math.inf)
        conflict["truth"][rest[0]] = _new_number(conflict["truth"].get(rest[0]), edit, bounds)
        return
    key = _side_key(conflict, head, rest[0], edit.text)
    if head == "costs":
        conflict["costs"][key] = _new_number(conflict["costs"][key], edit, (0.0, math.inf))
        return
    belief = conflict["beliefs"][key]
    bounds = unbounded if rest[1] == "drift" else (0.0, math.inf)
    belief[rest[1]] = _new_number(belief.get(rest[1]), edit, bounds)


def _drop_from_conflict(data: dict[str, Any], actor: str) -> None:
    """A dropped actor leaves the conflict's sides and mediators; a belief or cost keyed by
    it stays with its side (keyed by the side's letter)."""
    conflict = data.get("conflict")
    if not conflict:
        return
    sides = conflict.get("sides") or {}
    for side in ("a", "b"):
        members = sides.get(side) or []
        if actor in members:
            for table in ("beliefs", "costs"):
                entries = conflict.get(table) or {}
                if actor in entries and side not in entries:
                    entries[side] = entries.pop(actor)
            members.remove(actor)
    if actor in (conflict.get("mediators") or []):
        conflict["mediators"].remove(actor)


def _new_number(old: Mapping[str, Any] | None, edit: Edit, bounds: tuple[float, float]
                ) -> dict[str, Any]:
    """The edited quantity, its range moved with it and clipped to ``bounds``."""
    if old is None:
        if edit.op != "=":
            raise ShockError(f"shock {edit.text!r}: there is no value to change with {edit.op}; "
                             f"use =")
        return {"value": edit.value, "note": f"shock: {edit.text}"}
    q = dict(old)
    v = float(q["value"])
    new = {"=": edit.value, "+=": v + edit.value, "-=": v - edit.value,
           "*=": v * edit.value}[edit.op]
    lo_b, hi_b = bounds

    def moved(x: float | None) -> float | None:
        if x is None:
            return None
        y = x * edit.value if edit.op == "*=" else x + (new - v)
        return min(max(y, lo_b), hi_b)

    low, high = moved(q.get("low")), moved(q.get("high"))
    if not lo_b <= new <= hi_b:  # validation reports the value; its range says nothing
        low = high = None
    q.update(value=new, low=None if low is None else min(low, new),
             high=None if high is None else max(high, new))
    q["note"] = f"shock: {edit.text} (was {v:g})"
    return q


def edit_data(data: Mapping[str, Any], edits: Sequence[str]) -> dict[str, Any]:
    """Scenario data (as ``Scenario.model_dump(mode="json")`` gives it) after the edits.

    The input is not modified. Raises :class:`ShockError` for an edit that cannot be read or
    applied; the result is not validated (the caller builds a ``Scenario`` from it).
    """
    data = copy.deepcopy(dict(data))
    data.pop("shocks", None)  # the what-ifs belong to the base case, not to a shocked one
    actors: list[dict[str, Any]] = data["actors"]
    issues: list[dict[str, Any]] = data["issues"]
    issue_ids = [i["id"] for i in issues]

    def actor_of(edit: Edit) -> dict[str, Any]:
        for a in actors:
            if a["id"] == edit.actor:
                return a
        known = ", ".join(a["id"] for a in actors)
        raise ShockError(f"shock {edit.text!r}: no actor {edit.actor!r}; the actors are: "
                         f"{known}")

    def check_issue(edit: Edit) -> dict[str, Any]:
        for i in issues:
            if i["id"] == edit.issue:
                return i
        raise ShockError(f"shock {edit.text!r}: no issue {edit.issue!r}; the issues are: "
                         f"{', '.join(issue_ids)}")

    def scale(issue: dict[str, Any]) -> tuple[float, float]:
        lo, hi = issue.get("scale", data.get("scale", (0.0, 100.0)))
        return float(lo), float(hi)

    for text in edits:
        edit = parse_edit(text)
        if edit.action == "add":
            if any(a["id"] == edit.actor for a in actors):
                raise ShockError(f"shock {text!r}: actor {edit.actor!r} already exists")
            actors.append({"id": edit.actor, "capability": {"value": 0.0}, "position": {},
                           "salience": {}})
            continue
        if edit.action == "drop":
            actor = actor_of(edit)
            if edit.issue is None:
                actors.remove(actor)
                _drop_from_conflict(data, actor["id"])
                continue
            check_issue(edit)
            if edit.issue not in actor["position"]:
                raise ShockError(f"shock {text!r}: actor {edit.actor!r} takes no part in "
                                 f"{edit.issue!r}")
            actor["position"].pop(edit.issue)
            actor["salience"].pop(edit.issue, None)
            cap = actor["capability"]
            if "value" not in cap:
                cap.pop(edit.issue, None)
            continue
        if edit.field == "conflict":
            iid = (data.get("conflict") or {}).get("issue")
            issue = next((i for i in issues if i["id"] == iid), None)
            _edit_conflict(data, edit, scale(issue) if issue else (-math.inf, math.inf))
            continue
        if edit.field == "status_quo":
            issue = check_issue(edit)
            issue["status_quo"] = _new_number(issue.get("status_quo"), edit, scale(issue))
            continue
        actor = actor_of(edit)
        if edit.field == "capability" and edit.issue is None:
            cap = actor["capability"]
            if "value" in cap:
                actor["capability"] = _new_number(cap, edit, (0.0, math.inf))
            else:  # per-issue capabilities: apply to each
                actor["capability"] = {i: _new_number(q, edit, (0.0, math.inf))
                                       for i, q in cap.items()}
            continue
        issue = check_issue(edit)
        iid = issue["id"]
        if edit.field == "capability":
            cap = actor["capability"]
            if "value" in cap:  # one capability for all issues: split it per issue
                cap = {i: dict(cap) for i in actor["position"]}
            cap[iid] = _new_number(cap.get(iid), edit, (0.0, math.inf))
            actor["capability"] = cap
        else:
            bounds = scale(issue) if edit.field == "position" else (0.0, 100.0)
            table = actor[edit.field]
            table[iid] = _new_number(table.get(iid), edit, bounds)
    return data
