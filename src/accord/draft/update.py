"""A new article against an existing scenario: the changes it suggests, as a patch.

:func:`propose` compares a draft with the scenario and lists:

- issues and actors the scenario does not have (added with the draft's stances);
- stances the scenario lacks (an actor and issue it has, with no position yet);
- stances whose direction the new text contradicts (the scenario's position on one side of
  the middle of the scale, the new evidence on the other): the drafted number, with its
  evidence, is proposed in its place;
- stances the new text confirms: reported with the new evidence, never changed.

:func:`apply` makes the new scenario from a patch (validated); the CLI writes it only with
``--write``, atomically. The scenario file is otherwise never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.draft.build import Draft
from accord.scenario import Quantity, Scenario, validate_data


@dataclass
class Change:
    actor: str
    issue: str
    kind: str  # new-stance, changed, confirmed
    old: Quantity | None
    position: Quantity
    salience: Quantity
    why: str


@dataclass
class Patch:
    add_issues: list[dict[str, Any]] = field(default_factory=list)
    add_actors: list[dict[str, Any]] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def edits(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "confirmed"]

    @property
    def empty(self) -> bool:
        return not (self.add_issues or self.add_actors or self.edits)

    def to_data(self) -> dict[str, Any]:
        """The patch as plain data (the YAML patch the CLI writes)."""
        def q(x: Quantity | None) -> Any:
            return None if x is None else x.model_dump(exclude_defaults=True)

        return {
            "add_issues": self.add_issues,
            "add_actors": self.add_actors,
            "changes": [{"actor": c.actor, "issue": c.issue, "kind": c.kind, "why": c.why,
                         "old_position": q(c.old), "position": q(c.position),
                         "salience": q(c.salience)} for c in self.edits],
            "confirmed": [{"actor": c.actor, "issue": c.issue, "evidence": c.position.evidence,
                           "source": c.position.source}
                          for c in self.changes if c.kind == "confirmed"],
        }


def _side(value: float, scale: tuple[float, float]) -> int:
    mid = (scale[0] + scale[1]) / 2
    return (value > mid) - (value < mid)


def propose(scenario: Scenario, draft: Draft) -> Patch:
    """The changes the draft suggests for the scenario."""
    new = draft.scenario
    patch = Patch()
    have_issues = set(scenario.issue_ids)
    have_actors = {a.id: a for a in scenario.actors}
    for issue in new.issues:
        if issue.id not in have_issues:
            patch.add_issues.append(issue.model_dump(exclude_defaults=True))
    for actor in new.actors:
        if actor.id not in have_actors:
            for iid in actor.position:  # onto the scenario's scale where the issue exists
                issue = next((i for i in scenario.issues if i.id == iid), None)
                if issue is not None:
                    actor.position[iid] = _rescaled(actor.position[iid],
                                                    scenario.scale_of(issue))
            patch.add_actors.append(_compact(actor.model_dump(exclude_defaults=True)))
            continue
        old_actor = have_actors[actor.id]
        for iid, pos in actor.position.items():
            sal = actor.salience[iid]
            if iid not in have_issues:
                patch.changes.append(Change(actor.id, iid, "new-stance", None, pos, sal,
                                            "new issue"))
                continue
            old = old_actor.position.get(iid)
            if old is None:
                patch.changes.append(Change(actor.id, iid, "new-stance", None, pos, sal,
                                            "the scenario has no position here"))
                continue
            issue = next(i for i in scenario.issues if i.id == iid)
            scale = scenario.scale_of(issue)
            drafted = _side(pos.value, (0.0, 100.0))
            if drafted != 0 and _side(old.value, scale) != drafted:
                ends = {1: "high", -1: "low", 0: "middle"}
                patch.changes.append(Change(
                    actor.id, iid, "changed", old, _rescaled(pos, scale), sal,
                    f"the scenario has it at the {ends[_side(old.value, scale)]} end; the new "
                    f"text puts it at the {ends[drafted]} end"))
            else:
                patch.changes.append(Change(actor.id, iid, "confirmed", old, pos, sal,
                                            "the new text agrees"))
    return patch


def _rescaled(q: Quantity, scale: tuple[float, float]) -> Quantity:
    lo, hi = scale
    if (lo, hi) == (0.0, 100.0):
        return q

    def f(x: float | None) -> float | None:
        return None if x is None else round(lo + x / 100.0 * (hi - lo), 4)

    return q.model_copy(update={"value": f(q.value), "low": f(q.low), "high": f(q.high)})


def _compact(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _compact(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_compact(v) for v in data]
    return data


def apply(scenario: Scenario, patch: Patch, sources: list[dict[str, Any]]) -> Scenario:
    """The scenario with the patch applied (validated)."""
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("sources", [])
    known = {s["id"] for s in data["sources"]}
    data["sources"] += [s for s in sources if s["id"] not in known]
    data.setdefault("issues", []).extend(patch.add_issues)
    data.setdefault("actors", []).extend(patch.add_actors)
    by_id = {a["id"]: a for a in data["actors"]}
    for c in patch.edits:
        actor = by_id[c.actor]
        actor.setdefault("position", {})[c.issue] = c.position.model_dump(exclude_defaults=True)
        actor.setdefault("salience", {})[c.issue] = c.salience.model_dump(exclude_defaults=True)
        cap = actor.get("capability")
        if isinstance(cap, dict) and "value" not in cap and c.issue not in cap:
            # per-issue capability: the actor's mean clout for the new issue, for the analyst
            values = [v["value"] if isinstance(v, dict) else v for v in cap.values()]
            cap[c.issue] = {"value": sum(values) / len(values),
                            "note": "drafted: the mean of this actor's other issues; check"}
    return validate_data(data, "<updated scenario>")
