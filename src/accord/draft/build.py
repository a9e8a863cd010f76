"""Findings → a scenario that passes validation, and a summary of what needs judgement.

Per actor and issue, the stances found vote on a direction (strong statements weigh 2,
inferred ones 1, hedged or anonymously sourced ones half); the best agreeing sentence is the
`evidence`, verbatim. An actor that resists giving ground on an issue without saying which end
it wants is placed opposite the other actors there, when they agree on a direction. Numbers
come from the `numbers` section of cues.yaml: wide ranges, widened further for hedges, each
with the note "drafted from text; check" and the reasons. Capability is left for the analyst
(a range over most of the scale, with a note) unless the text says something about clout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from accord.draft import lexicon
from accord.draft.schema import Findings, FoundStance
from accord.draft.text import Article
from accord.errors import DraftError
from accord.scenario import Scenario, ScenarioError, validate_data

NOTE = "drafted from text; check"


@dataclass
class Summary:
    """What the draft found and what the analyst must still decide (printed on stderr)."""

    actors: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    stances: int = 0
    judgement: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"actors found ({len(self.actors)}): {', '.join(self.actors) or 'none'}"]
        if self.mentioned:
            out.append(f"named without a stance (left out): {', '.join(self.mentioned)}")
        out.append(f"stances found: {self.stances}")
        if self.dropped:
            out.append(f"dropped ({len(self.dropped)}):")
            out += [f"  - {d}" for d in self.dropped]
        if self.judgement:
            out.append(f"needs the analyst's judgement ({len(self.judgement)}):")
            out += [f"  - {j}" for j in self.judgement]
        return out


@dataclass
class Draft:
    scenario: Scenario
    summary: Summary
    findings: Findings


def _weight(s: FoundStance) -> float:
    return (2.0 if s.strength == "strong" else 1.0) * (0.5 if s.hedges else 1.0)


def _scaled(triple: list[float], scale: tuple[float, float]) -> tuple[float, float, float]:
    lo, hi = scale
    v, a, b = (lo + x / 100.0 * (hi - lo) for x in triple)
    return round(v, 2), round(a, 2), round(b, 2)


def _widen(triple: list[float], by: float) -> list[float]:
    v, a, b = triple
    return [v, max(0.0, a - by), min(100.0, b + by)]


def _quantity(triple: list[float], scale: tuple[float, float], *, evidence: str | None,
              source: str | None, note: str) -> dict[str, Any]:
    v, a, b = _scaled(triple, scale)
    q: dict[str, Any] = {"value": v, "low": a, "high": b}
    if evidence is not None:
        q["evidence"] = evidence
        q["source"] = source
    q["note"] = note
    return q


def _hedge_note(hedges: list[str]) -> str:
    words = ", ".join(f"'{h}'" for h in hedges[:3])
    return f"hedged or anonymously sourced ({words}): range widened"


def _resolve_concessions(stances: list[FoundStance]) -> None:
    """Give a direction to 'resists giving ground' stances where the text allows."""
    definite: dict[tuple[str, str], set[str]] = {}
    for s in stances:
        if s.direction != "unclear":
            definite.setdefault((s.actor, s.issue), set()).add(s.direction)
    for s in stances:
        if s.concede is None:
            continue
        own = definite.get((s.actor, s.issue), set())
        if len(own) == 1:
            d = next(iter(own))
            s.direction = d if s.concede == "firm" else ("low" if d == "high" else "high")
            s.reason = "resists giving ground; the end it holds is from its other statements" \
                if s.concede == "firm" else "ready to give ground"
            continue
        others = {(a, d) for (a, i), ds in definite.items() if i == s.issue and a != s.actor
                  for d in ds}
        directions = {d for _, d in others}
        if len(directions) == 1:
            d = next(iter(directions))
            opposite = "low" if d == "high" else "high"
            names = ", ".join(sorted(a for a, _ in others))
            s.direction = opposite if s.concede == "firm" else d
            s.strength = "moderate"
            s.reason = (f"resists giving ground, so placed opposite {names}"
                        if s.concede == "firm" else f"ready to give ground to {names}")


def build(findings: Findings, articles: list[Article], *, title: str | None = None
          ) -> Draft:
    """The scenario of the findings (validated) and its summary."""
    numbers = lexicon.cues().numbers
    summary = Summary()
    texts = {a.id: a.text for a in articles}
    # every evidence string must be a verbatim substring of its article
    kept: list[FoundStance] = []
    for s in findings.stances:
        if s.source in texts and s.evidence and s.evidence in texts[s.source]:
            kept.append(s.model_copy())
        else:
            summary.dropped.append(f"{s.actor} on {s.issue}: evidence not found verbatim in "
                                   f"{s.source}: {s.evidence[:80]!r}")
    _resolve_concessions(kept)
    issue_ids = [i.id for i in findings.issues]
    names = {a.id: a.name for a in findings.actors}

    by_pair: dict[tuple[str, str], list[FoundStance]] = {}
    for s in kept:
        if s.issue not in issue_ids:
            summary.dropped.append(f"{s.actor}: stance on unknown issue {s.issue!r}")
            continue
        by_pair.setdefault((s.actor, s.issue), []).append(s)

    scale = (0.0, 100.0)
    pos_n, sal_n, cap_n = (numbers[k] for k in ("position", "salience", "capability"))
    actors: dict[str, dict[str, Any]] = {}
    for (aid, iid), group in by_pair.items():
        vote = sum((1 if s.direction == "high" else -1) * _weight(s)
                   for s in group if s.direction != "unclear")
        direction = "unclear" if vote == 0 else ("high" if vote > 0 else "low")
        agreeing = [s for s in group if s.direction == direction] or group
        best = max(agreeing, key=lambda s: (_weight(s), -group.index(s)))
        notes = [NOTE]
        if direction == "unclear":
            triple = list(pos_n["unclear"])
            notes.append("the text does not say which end this actor favours: set it")
            summary.judgement.append(f"{aid} on {iid}: direction unclear")
        else:
            strength = "strong" if any(s.strength == "strong" for s in agreeing) else "moderate"
            triple = list(pos_n[strength][direction])
            if best.reason:
                notes.append(best.reason)
            if best.hedges:
                triple = _widen(triple, pos_n["widen"])
                notes.append(_hedge_note(best.hedges))
                summary.judgement.append(f"{aid} on {iid}: hedged or anonymous source")
            if any(s.direction not in (direction, "unclear") for s in group):
                triple = _widen(triple, pos_n["widen"])
                notes.append("the text points both ways: range widened")
                summary.judgement.append(f"{aid} on {iid}: the text points both ways")
        others = list(dict.fromkeys(s.evidence for s in agreeing if s.evidence != best.evidence))
        if others:
            notes.append("also: " + " | ".join(f"«{e}»" for e in others[:3]))
        actor = actors.setdefault(aid, {"id": aid, "name": names.get(aid, aid),
                                        "position": {}, "salience": {}})
        actor["position"][iid] = _quantity(triple, scale, evidence=best.evidence,
                                           source=best.source, note="; ".join(notes))
        salient = [s for s in group if s.salience_high]
        sal_src = salient[0] if salient else best
        sal = list(sal_n["high" if salient else "normal"])
        sal_notes = [NOTE, "the text stresses it" if salient
                     else "how much it matters is the analyst's estimate"]
        if len(salient) > 1:
            sal_notes.append("also: " + " | ".join(f"«{s.evidence}»" for s in salient[1:4]))
        if sal_src.hedges:
            sal = _widen(sal, sal_n["widen"])
            sal_notes.append(_hedge_note(sal_src.hedges))
        actor["salience"][iid] = _quantity(sal, (0.0, 100.0), evidence=sal_src.evidence,
                                           source=sal_src.source, note="; ".join(sal_notes))
        summary.stances += 1

    caps = {}
    for c in findings.capabilities:
        if c.source in texts and c.evidence in texts[c.source]:
            caps.setdefault(c.actor, c)
    for aid, actor in actors.items():
        c = caps.get(aid)
        if c is None:
            actor["capability"] = _quantity(
                list(cap_n["unknown"]), (0.0, 100.0), evidence=None, source=None,
                note=f"{NOTE}; capability left for the analyst: the text says nothing about "
                     "this actor's clout, the range spans most of the scale")
            summary.judgement.append(f"{aid}: capability left for the analyst")
        else:
            triple = list(cap_n[c.level])
            note = f"{NOTE}; the text suggests {c.level} clout, the number is a guess"
            if c.hedges:
                triple = _widen(triple, 10)
                note += "; " + _hedge_note(c.hedges)
            actor["capability"] = _quantity(triple, (0.0, 100.0), evidence=c.evidence,
                                            source=c.source, note=note)
            summary.judgement.append(f"{aid}: capability from one sentence; check")

    used = {iid for _, iid in by_pair}
    issues = []
    for i in findings.issues:
        if i.id in used:
            issues.append({"id": i.id, "label": i.label, "low": i.low, "high": i.high})
        else:
            summary.judgement.append(f"issue {i.id}: no support in the text; left out")
    ordered = [actors[a.id] for a in findings.actors if a.id in actors]
    ordered += [a for k, a in actors.items() if k not in {x.id for x in findings.actors}]
    summary.actors = [f"{a['id']} ({a['name']})" for a in ordered]
    summary.mentioned = list(findings.mentioned)
    if not ordered:
        raise DraftError("no actor with a stance on an issue was found in the text: nothing "
                         "to draft (extend the gazetteer with --gazetteer, or give the "
                         "issues with --issues)")
    first = articles[0]
    data = {
        "title": title or f"Draft from {first.title or first.id}",
        "question": "What settlement do the parties reach? (drafted; state the question)",
        "sources": [{"id": a.id, "title": a.title or a.id} for a in articles],
        "issues": issues,
        "actors": ordered,
    }
    try:
        scenario = validate_data(data, "<draft>")
    except ScenarioError as err:  # a bug in the builder, never the user's fault
        raise AssertionError("the draft does not validate:\n" + "\n".join(err.lines())) from err
    return Draft(scenario=scenario, summary=summary, findings=findings)


def evidence_in(data: Any, source: str | None = None) -> dict[str, list[str]]:
    """Every evidence string of scenario data (plain, as edited) with where it is used
    ("RUS position on territory"); only those citing ``source`` when it is given."""
    found: dict[str, list[str]] = {}

    def take(q: Any, label: str) -> None:
        if isinstance(q, dict) and isinstance(q.get("evidence"), str) and (
                source is None or q.get("source") in (None, source)):
            found.setdefault(q["evidence"], []).append(label)

    if not isinstance(data, dict):
        return found
    for issue in data.get("issues") or []:
        if isinstance(issue, dict):
            take(issue.get("status_quo"), f"status quo of {issue.get('id')}")
    for actor in data.get("actors") or []:
        if not isinstance(actor, dict):
            continue
        aid = actor.get("id")
        for what in ("position", "salience"):
            table = actor.get(what)
            if isinstance(table, dict):
                for iid, q in table.items():
                    take(q, f"{aid} {what} on {iid}")
        cap = actor.get("capability")
        if isinstance(cap, dict) and "value" not in cap:
            for iid, q in cap.items():
                take(q, f"{aid} capability on {iid}")
        else:
            take(cap, f"{aid} capability")
    return found
