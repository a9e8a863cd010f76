"""The scenario editor's model: a draft (plain scenario data, possibly invalid) edited
through form fields, and validation problems placed next to the cell they concern.

A draft is the scenario as the YAML file holds it (``Scenario.to_data()`` shape). The editor
form names its fields by index so that ids can be renamed:

    title, question, date
    i{k}.id  i{k}.label  i{k}.low  i{k}.high  i{k}.sq.value  i{k}.sq.low  i{k}.sq.high
    a{a}.id  a{a}.name   a{a}.cap.value|low|high|evidence           (one capability)
    a{a}.cap.{k}.value|low|high|evidence                             (per issue)
    a{a}.pos.{k}.value|low|high|evidence   a{a}.sal.{k}.value|low|high|evidence

Only fields present in the form change the draft; what the form does not show (sources,
notes, distributions, shocks) is kept. A blank value removes the number (a blank position
means the actor does not take part in the issue). Text that is not a number is kept as text
so that validation reports it next to its cell.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.scenario import Problem, Scenario, ScenarioError, validate_data

KINDS = {"pos": "position", "sal": "salience", "cap": "capability"}


def _number(text: str) -> float | int | str:
    """A number typed in a cell; text that is no number stays text (validation says so)."""
    t = text.strip()
    try:
        x = float(t)
    except ValueError:
        return t
    if not math.isfinite(x):
        return t
    return int(x) if x.is_integer() and "." not in t and "e" not in t.lower() else x


def _as_dict(q: Any) -> dict[str, Any]:
    if isinstance(q, dict):
        return dict(q)
    if q is None:
        return {}
    return {"value": q}


def _compact(q: dict[str, Any]) -> Any:
    return q["value"] if set(q) == {"value"} else q


def merge_quantity(old: Any, form: Mapping[str, str], prefix: str) -> Any:
    """The number at ``prefix`` after the form's edit; None when its value is blank."""
    if f"{prefix}.value" not in form:
        return old
    value = form[f"{prefix}.value"].strip()
    if not value:
        return None
    q = _as_dict(old)
    q["value"] = _number(value)
    for key in ("low", "high"):
        if f"{prefix}.{key}" in form:
            text = form[f"{prefix}.{key}"].strip()
            if text:
                q[key] = _number(text)
            else:
                q.pop(key, None)
    if f"{prefix}.evidence" in form:
        text = form[f"{prefix}.evidence"].strip()
        if text:
            q["evidence"] = text
        else:
            q.pop("evidence", None)
    return _compact(q)


def _text(form: Mapping[str, str], key: str, target: dict[str, Any], name: str,
          required: bool = False) -> None:
    if key not in form:
        return
    text = form[key].strip()
    if text or required:
        target[name] = text
    else:
        target.pop(name, None)


def _list_of_dicts(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def editable(draft: Any) -> bool:
    """Whether the table editor can show the draft (else only its YAML text can be edited)."""
    return (isinstance(draft, dict) and isinstance(draft.get("issues", []), list)
            and isinstance(draft.get("actors", []), list)
            and all(isinstance(x, dict) for x in draft.get("issues", []))
            and all(isinstance(x, dict) for x in draft.get("actors", [])))


def apply_form(draft: dict[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """A new draft: ``draft`` with the form's edits applied."""
    new = copy.deepcopy(draft)
    for key in ("title", "question", "date"):
        _text(form, key, new, key, required=key == "title")
    issues = _list_of_dicts(new.get("issues"))
    actors = _list_of_dicts(new.get("actors"))
    old_ids = [str(i.get("id", "")) for i in issues]
    for k, issue in enumerate(issues):
        _text(form, f"i{k}.id", issue, "id", required=True)
        for name in ("label", "low", "high"):
            _text(form, f"i{k}.{name}", issue, name)
        sq = merge_quantity(issue.get("status_quo"), form, f"i{k}.sq")
        if sq is None:
            issue.pop("status_quo", None)
        else:
            issue["status_quo"] = sq
    new_ids = [str(i.get("id", "")) for i in issues]
    for a, actor in enumerate(actors):
        _text(form, f"a{a}.id", actor, "id", required=True)
        _text(form, f"a{a}.name", actor, "name")
        cap = actor.get("capability")
        if isinstance(cap, dict) and "value" not in cap:
            actor["capability"] = _merge_table(cap, form, f"a{a}.cap", old_ids, new_ids)
        else:
            merged = merge_quantity(cap, form, f"a{a}.cap")
            if merged is None:
                actor.pop("capability", None)
            else:
                actor["capability"] = merged
        for short, name in (("pos", "position"), ("sal", "salience")):
            table = actor.get(name)
            actor[name] = _merge_table(table if isinstance(table, dict) else {}, form,
                                       f"a{a}.{short}", old_ids, new_ids)
    return new


def _merge_table(table: dict[str, Any], form: Mapping[str, str], prefix: str,
                 old_ids: list[str], new_ids: list[str]) -> dict[str, Any]:
    """Per-issue numbers after the form's edits, re-keyed when issue ids were renamed."""
    out: dict[str, Any] = {}
    for k, (old, new) in enumerate(zip(old_ids, new_ids, strict=True)):
        q = merge_quantity(table.get(old), form, f"{prefix}.{k}")
        if q is not None:
            out[new] = q
    for key, q in table.items():  # numbers on ids that are not issues: keep (validation says)
        if key not in old_ids and key not in out:
            out[key] = q
    return out


def _fresh_id(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def add_actor(draft: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(draft)
    actors = new.setdefault("actors", [])
    aid = _fresh_id("actor", {str(a.get("id")) for a in _list_of_dicts(actors)})
    actors.append({"id": aid, "name": "New actor", "capability": 50, "position": {},
                   "salience": {}})
    return new


def add_issue(draft: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(draft)
    issues = new.setdefault("issues", [])
    iid = _fresh_id("issue", {str(i.get("id")) for i in _list_of_dicts(issues)})
    issues.append({"id": iid, "label": "New issue"})
    return new


def remove_actor(draft: dict[str, Any], index: int) -> dict[str, Any]:
    new = copy.deepcopy(draft)
    actors = new.get("actors")
    if isinstance(actors, list) and 0 <= index < len(actors):
        del actors[index]
    return new


def remove_issue(draft: dict[str, Any], index: int) -> dict[str, Any]:
    """Remove an issue and every actor's numbers on it."""
    new = copy.deepcopy(draft)
    issues = new.get("issues")
    if not (isinstance(issues, list) and 0 <= index < len(issues)):
        return new
    gone = issues[index].get("id") if isinstance(issues[index], dict) else None
    del issues[index]
    for actor in _list_of_dicts(new.get("actors")):
        for name in ("position", "salience", "capability"):
            table = actor.get(name)
            if isinstance(table, dict) and "value" not in table:
                table.pop(gone, None)
    return new


# --------------------------------------------------------------------------- problems


@dataclass
class Placed:
    """Problems grouped by where the editor shows them."""

    cells: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (actor, issue)
    actors: dict[int, list[str]] = field(default_factory=dict)
    issues: dict[int, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    count: int = 0


_CELL = re.compile(r"^actors\[(\d+)\]\.(position|salience|capability)\.([^.\[]+)(\..*)?$")
_ACTOR = re.compile(r"^actors\[(\d+)\](\..*)?$")
_ISSUE = re.compile(r"^issues\[(\d+)\](\..*)?$")


def place(problems: list[Problem], draft: Any) -> Placed:
    """Put each problem next to its cell, actor, issue, or in the general list."""
    ids = ([str(i.get("id")) for i in _list_of_dicts(draft.get("issues"))]
           if isinstance(draft, dict) else [])
    out = Placed(count=len(problems))
    for p in problems:
        text = f"{p.path}: {p.message}" if p.path else p.message
        m = _CELL.match(p.path)
        if m and m[3] in ids:
            out.cells.setdefault((int(m[1]), ids.index(m[3])), []).append(text)
            continue
        m = _ACTOR.match(p.path)
        if m:
            out.actors.setdefault(int(m[1]), []).append(text)
            continue
        m = _ISSUE.match(p.path)
        if m:
            out.issues.setdefault(int(m[1]), []).append(text)
            continue
        out.general.append(text)
    return out


def check(draft: Any) -> tuple[Scenario | None, list[Problem]]:
    """Validate a draft: the scenario, or None and every problem."""
    try:
        return validate_data(copy.deepcopy(draft), "scenario"), []
    except ScenarioError as err:
        return None, list(err.problems)


# --------------------------------------------------------------------------- view


@dataclass(frozen=True)
class CellView:
    value: str
    low: str
    high: str
    evidence: str
    source: str
    note: str

    @property
    def present(self) -> bool:
        return self.value != ""


def _s(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def cell_view(q: Any) -> CellView:
    d = _as_dict(q)
    return CellView(_s(d.get("value")), _s(d.get("low")), _s(d.get("high")),
                    _s(d.get("evidence")), _s(d.get("source")), _s(d.get("note")))


def table_view(draft: dict[str, Any]) -> dict[str, Any]:
    """What the editor table shows, every value as text."""
    issues = _list_of_dicts(draft.get("issues"))
    actors = _list_of_dicts(draft.get("actors"))
    ids = [str(i.get("id", "")) for i in issues]
    iv = [{"id": _s(i.get("id")), "label": _s(i.get("label")), "low": _s(i.get("low")),
           "high": _s(i.get("high")), "sq": cell_view(i.get("status_quo"))} for i in issues]
    av = []
    for a in actors:
        cap = a.get("capability")
        per_issue = isinstance(cap, dict) and "value" not in cap
        pos = a.get("position") if isinstance(a.get("position"), dict) else {}
        sal = a.get("salience") if isinstance(a.get("salience"), dict) else {}
        av.append({
            "id": _s(a.get("id")), "name": _s(a.get("name")), "per_issue": per_issue,
            "cap": None if per_issue else cell_view(cap),
            "cells": [{"pos": cell_view(pos.get(i)), "sal": cell_view(sal.get(i)),
                       "cap": cell_view(cap.get(i)) if per_issue else None} for i in ids],
        })
    return {"title": _s(draft.get("title")), "question": _s(draft.get("question")),
            "date": _s(draft.get("date")), "issues": iv, "actors": av}
