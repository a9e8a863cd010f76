"""Shocks: named what-if edits of a scenario, run beside the base case.

A shock is a list of edits, each one short line an analyst can type on the command line or
keep in the scenario file's ``shocks:`` section (shared/DESIGN.md, "Sensitivity and shocks"):

===============================  ==========================================================
``RUS.capability=40``            set an actor's capability (every issue)
``RUS.capability.territory=40``  set its capability on one issue
``USA.position.ceasefire=20``    set a position (on the issue's scale)
``USA.salience.ceasefire=95``    set a salience (0-100)
``territory.status_quo=50``      set an issue's status quo
``RUS.capability*=0.8``          relative edits: ``+=``, ``-=``, ``*=``
``drop:EUR``                     remove an actor
``drop:EUR.guarantees``          the actor leaves one issue (position and salience)
``add:CHN``                      add an actor (capability 0, no positions): give it some with
                                 ``CHN.capability=30``, ``CHN.position.territory=60``,
                                 ``CHN.salience.territory=40`` in the same shock
===============================  ==========================================================

A number's uncertainty range moves with it: ``=`` and ``+=``/``-=`` shift ``low`` and
``high`` by the same amount, ``*=`` scales them, and the range is clipped to what the number
may take, so the shocked scenario keeps the base case's uncertainty around the new value and
Monte Carlo compares like with like. The edited number's ``note`` records the edit.

Edits are applied in order; the result is validated like any scenario file, every problem
reported at once (:class:`~accord.scenario.ScenarioError`). A malformed edit raises
:class:`ShockError` (a user's mistake: the CLI prints it and exits with code 2).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from accord.errors import ShockError
from accord.scenario import Problem, Scenario, ScenarioError, validate_data

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


def apply_edits(scenario: Scenario, edits: Sequence[str], name: str = "shock") -> Scenario:
    """The scenario after the edits; raises ShockError or ScenarioError (every problem)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
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
        lo, hi = issue.get("scale", data["scale"])
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
    try:
        return validate_data(data, file=f"shock {name!r}")
    except ScenarioError as e:
        raise ScenarioError(
            [Problem(p.file, None, p.path, p.message) for p in e.problems]
        ) from None


def resolve(scenario: Scenario, refs: Sequence[str]) -> dict[str, list[str]]:
    """Shocks to run from command-line references.

    A reference that names a shock of the scenario's ``shocks:`` section runs that shock;
    every other reference is an edit, and all such edits together form one more shock
    (named after its edits). Edits are parsed here so mistakes surface before any run.
    """
    named: dict[str, list[str]] = {}
    loose: list[str] = []
    for ref in refs:
        if ref in scenario.shocks:
            named[ref] = list(scenario.shocks[ref])
        else:
            try:
                parse_edit(ref)
            except ShockError as e:
                if scenario.shocks and "." not in ref and ":" not in ref:
                    raise ShockError(f"{e}; or name a shock of the scenario: "
                                     f"{', '.join(scenario.shocks)}") from None
                raise
            loose.append(ref)
    if loose:
        named["; ".join(loose)] = loose
    return named
