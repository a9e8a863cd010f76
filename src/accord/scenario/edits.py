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
          "ACTOR.salience.ISSUE=V, ISSUE.status_quo=V (also +=, -=, *=), drop:ACTOR, "
          "drop:ACTOR.ISSUE, add:ACTOR")


@dataclass(frozen=True)
class Edit:
    """One parsed edit of a shock."""

    text: str
    action: Literal["set", "drop", "add"]
    actor: str | None = None
    issue: str | None = None
    field: Literal["capability", "position", "salience", "status_quo"] | None = None
    op: Op = "="
    value: float = math.nan


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
    if len(parts) == 2 and parts[1] == "status_quo":
        return Edit(text, "set", issue=parts[0], field="status_quo", op=op, value=value)
    if len(parts) == 2 and parts[1] == "capability":
        return Edit(text, "set", actor=parts[0], field="capability", op=op, value=value)
    if len(parts) == 3 and parts[1] in ("capability", "position", "salience"):
        return Edit(text, "set", actor=parts[0], issue=parts[2], field=parts[1],  # type: ignore[arg-type]
                    op=op, value=value)
    raise ShockError(f"shock {text!r}: cannot tell what {m['target']!r} names; the forms are: "
                     f"{SYNTAX}")


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
