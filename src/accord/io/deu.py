"""The DEU data format (Decision-making in the European Union I-III): read into scenarios.

The DEU data (Thomson et al. 2006, 2012; Arregui & Perarnaud 2021) code, for each issue of
an EU legislative proposal, the positions (``p<actor>``) and saliences (``s<actor>``) of the
Commission, the Parliament and the member states on 0-100, the reference point ``rp`` and the
decision outcome ``out`` (one row per issue; shared/DESIGN.md, "Validation on real
outcomes"). A blank position means the actor took no part; a participant's blank salience is
50. Capabilities come from a separate table (``capabilities.csv``:
``actor,name,council_votes_pre_nice,council_votes_nice``): pre-Nice Council votes on an issue
where only EU-15 states take part, Nice votes otherwise; actors without votes (Commission,
Parliament) get the largest state's weight unless ``institutions`` says otherwise.

:func:`load_deu` reads a file into :class:`Proposal` objects, one multi-issue
:class:`~accord.scenario.Scenario` per proposal. :mod:`accord.backtest` scores models on them.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from accord.scenario import Problem, Scenario, ScenarioError, validate_data

DEFAULT_SALIENCE = 50.0

@dataclass(frozen=True)
class DeuIssue:
    """One row of a DEU file: an issue of a proposal, with its outcome if known."""

    id: str
    line: int
    outcome: float | None
    reference_point: float | None
    meta: dict[str, str]  # the row's other columns (proc, counvte, council, ...)


@dataclass(frozen=True)
class Proposal:
    """A legislative proposal: its issues (rows) and the scenario built from them.

    ``scenario.issues`` are ``issues`` in the same order (issues nobody took part in are
    left out and listed in ``skipped``).
    """

    id: str
    name: str
    scenario: Scenario
    issues: tuple[DeuIssue, ...]
    skipped: tuple[DeuIssue, ...] = ()

    @property
    def outcomes(self) -> np.ndarray:
        """(d,) outcomes, NaN where the file has none."""
        return np.array([np.nan if i.outcome is None else i.outcome for i in self.issues])


@dataclass(frozen=True)
class Capabilities:
    """Council votes per actor code (None where the actor has none in that system)."""

    names: dict[str, str]
    pre_nice: dict[str, float | None]
    nice: dict[str, float | None]

    @property
    def actors(self) -> list[str]:
        return list(self.names)


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def read_capabilities(path: str | os.PathLike[str]) -> Capabilities:
    """The Council votes table; raises ScenarioError listing every problem."""
    p = Path(path)
    file = p.name
    if not p.is_file():
        raise ScenarioError([Problem(str(path), None, "", "no such file")])
    problems: list[Problem] = []
    names: dict[str, str] = {}
    pre: dict[str, float | None] = {}
    nice: dict[str, float | None] = {}
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"actor", "council_votes_pre_nice", "council_votes_nice"}
        missing = need - set(reader.fieldnames or [])
        if missing:
            raise ScenarioError([Problem(file, 1, "", f"the header lacks "
                                         f"{', '.join(sorted(missing))}")])
        for row in reader:
            line = reader.line_num
            code = (row.get("actor") or "").strip()
            if not code:
                problems.append(Problem(file, line, "actor", "is empty"))
                continue
            if code in names:
                problems.append(Problem(file, line, "actor", f"duplicate actor {code!r}"))
                continue
            names[code] = (row.get("name") or code).strip()
            for column, table in (("council_votes_pre_nice", pre), ("council_votes_nice", nice)):
                try:
                    v = _number(row.get(column) or "")
                except ValueError:
                    problems.append(Problem(file, line, column, f"{row[column]!r} is not a "
                                            "number"))
                    continue
                if v is not None and v < 0:
                    problems.append(Problem(file, line, column, f"{v:g} is negative"))
                table[code] = v
    if problems:
        raise ScenarioError(problems)
    if not names:
        raise ScenarioError([Problem(file, None, "", "no actors")])
    return Capabilities(names, pre, nice)


Institutions = Literal["largest", "mean", "none"]


def issue_capabilities(participants: Sequence[str], caps: Capabilities,
                       institutions: Institutions | float = "largest",
                       proxy: Literal["votes", "equal"] = "votes") -> dict[str, float]:
    """Capability of each participant of one issue.

    ``votes``: pre-Nice Council votes when every participating state has them (only EU-15
    states take part), Nice votes otherwise. Actors with no votes in either system (the
    Commission, the Parliament) get the largest state's weight in the system used
    (``largest``), the mean state weight (``mean``), nothing (``none``), or a given number.
    ``equal``: every participant 1.
    """
    if proxy == "equal":
        return dict.fromkeys(participants, 1.0)
    institutional = [a for a in participants if caps.pre_nice.get(a) is None
                     and caps.nice.get(a) is None]
    states = [a for a in participants if a not in institutional]
    table = caps.pre_nice if all(caps.pre_nice.get(a) is not None for a in states) else caps.nice
    out = {a: float(table[a]) for a in states if table.get(a) is not None}
    weights = [v for v in table.values() if v is not None]
    if institutions == "largest":
        inst = max(weights) if weights else 1.0
    elif institutions == "mean":
        inst = float(np.mean(weights)) if weights else 1.0
    elif institutions == "none":
        inst = 0.0
    else:
        inst = float(institutions)
    out.update(dict.fromkeys(institutional, inst))
    return out


QMV_PRE_NICE = 62 / 87  # qualified majority, pre-Nice weights (62 of 87 votes)
QMV_NICE = 232 / 321  # Nice weights (232 of 321 votes)


def council_rule(counvte: str, participants: Sequence[str], caps: Capabilities
                 ) -> dict[str, Any] | None:
    """The ``rule:`` of a DEU proposal from its ``counvte`` column: QMV (62/87 with pre-Nice
    votes, 232/321 with Nice votes, the system :func:`issue_capabilities` would use for the
    proposal's states) or unanimity, the Council members voting with their Council votes
    (the Commission and the Parliament have none). Other or blank values: no rule."""
    kind = counvte.strip().lower()
    if kind not in ("qmv", "unan"):
        return None
    states = [a for a in participants if caps.pre_nice.get(a) is not None
              or caps.nice.get(a) is not None]
    if not states:
        return None
    pre = all(caps.pre_nice.get(a) is not None for a in states)
    table = caps.pre_nice if pre else caps.nice
    weights = {a: float(table[a]) for a in states if table.get(a)}
    if kind == "unan":
        return {"kind": "unanimity", "weights": weights}
    return {"kind": "weighted-majority", "threshold": QMV_PRE_NICE if pre else QMV_NICE,
            "weights": weights}


def load_deu(path: str | os.PathLike[str], capabilities_path: str | os.PathLike[str], *,
             institutions: Institutions | float = "largest",
             capability: Literal["votes", "equal"] = "votes",
             proposal_column: str = "prnr", issue_column: str = "isnr") -> list[Proposal]:
    """Read a DEU-format file into proposals, each with one multi-issue scenario.

    Raises :class:`~accord.scenario.ScenarioError` listing every problem with its line.
    """
    caps = read_capabilities(capabilities_path)
    p = Path(path)
    file = p.name
    if not p.is_file():
        raise ScenarioError([Problem(str(path), None, "", "no such file")])
    problems: list[Problem] = []
    with p.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ScenarioError([Problem(file, None, "", "the file is empty")]) from None
        rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    col = {h: k for k, h in enumerate(header)}
    missing = [c for c in (proposal_column, issue_column, "out") if c not in col]
    if missing:
        raise ScenarioError([Problem(file, 1, "", f"the header lacks {', '.join(missing)}: a "
                                     "DEU file has p<actor>/s<actor> columns, rp and out")])
    actors = [a for a in caps.actors if f"p{a}" in col]
    unknown = sorted(h[1:] for h in header if h.startswith("p") and f"s{h[1:]}" in col
                     and h[1:] not in caps.names)
    for code in unknown:
        problems.append(Problem(file, 1, f"p{code}", f"actor {code!r} has positions but no row "
                                f"in {Path(capabilities_path).name}"))
    if not actors:
        problems.append(Problem(file, 1, "", "no p<actor> column names an actor of "
                                f"{Path(capabilities_path).name}"))
    actor_cols = {f"p{a}" for a in actors} | {f"s{a}" for a in actors}
    meta_cols = [h for h in header if h not in actor_cols and h not in ("rp", "out")]

    grouped: dict[str, list[tuple[DeuIssue, dict[str, float], dict[str, float]]]] = {}
    names: dict[str, str] = {}
    seen: set[str] = set()
    for line, row in rows:
        if len(row) != len(header):
            problems.append(Problem(file, line, "", f"{len(row)} fields where the header has "
                                    f"{len(header)}"))
            continue

        def num(column: str, lo: float, hi: float, line: int = line, row: list[str] = row
                ) -> float | None:
            if column not in col:
                return None
            text = row[col[column]]
            try:
                v = _number(text)
            except ValueError:
                problems.append(Problem(file, line, column, f"{text.strip()!r} is not a number"))
                return None
            if v is not None and not lo <= v <= hi:
                problems.append(Problem(file, line, column, f"{v:g} is outside {lo:g}..{hi:g}"))
                return None
            return v

        iid = row[col[issue_column]].strip()
        pid = row[col[proposal_column]].strip()
        if not iid or not pid:
            problems.append(Problem(file, line, issue_column if not iid else proposal_column,
                                    "is empty"))
            continue
        if iid in seen:
            problems.append(Problem(file, line, issue_column, f"duplicate issue {iid!r}"))
            continue
        seen.add(iid)
        positions: dict[str, float] = {}
        saliences: dict[str, float] = {}
        for a in actors:
            x = num(f"p{a}", 0.0, 100.0)
            s = num(f"s{a}", 0.0, 100.0)
            if x is not None:
                positions[a] = x
                saliences[a] = DEFAULT_SALIENCE if s is None else s
        issue = DeuIssue(iid, line, num("out", 0.0, 100.0), num("rp", 0.0, 100.0),
                         {h: row[col[h]].strip() for h in meta_cols})
        grouped.setdefault(pid, []).append((issue, positions, saliences))
        names.setdefault(pid, issue.meta.get("prname", pid))
    if problems:
        raise ScenarioError(problems)

    proposals = []
    for pid, entries in grouped.items():
        kept = [(i, x, s) for i, x, s in entries if x]
        skipped = tuple(i for i, x, _ in entries if not x)
        if not kept:
            continue
        proposals.append(_proposal(pid, names[pid], kept, skipped, caps, institutions,
                                   capability, file))
    return proposals


def _proposal(pid: str, name: str, entries: list[tuple[DeuIssue, dict[str, float],
                                                        dict[str, float]]],
              skipped: tuple[DeuIssue, ...], caps: Capabilities,
              institutions: Institutions | float, capability: Literal["votes", "equal"],
              file: str) -> Proposal:
    issues = []
    lines: dict[str, int] = {}
    per_actor: dict[str, dict[str, Any]] = {}
    for k, (issue, positions, saliences) in enumerate(entries):
        spec: dict[str, Any] = {"id": issue.id, "label": f"{name} ({issue.id})"}
        if issue.reference_point is not None:
            spec["status_quo"] = issue.reference_point
        issues.append(spec)
        lines[f"issues[{k}]"] = issue.line
        weights = issue_capabilities(list(positions), caps, institutions, capability)
        for a, x in positions.items():
            entry = per_actor.setdefault(a, {"position": {}, "salience": {}, "capability": {}})
            entry["position"][issue.id] = x
            entry["salience"][issue.id] = saliences[a]
            entry["capability"][issue.id] = weights[a]
    actors = []
    for a in caps.actors:  # the capability table's order
        if a not in per_actor:
            continue
        entry = per_actor[a]
        cap = entry["capability"]
        distinct = set(cap.values())
        actors.append({"id": a, "name": caps.names[a], "position": entry["position"],
                       "salience": entry["salience"],
                       "capability": distinct.pop() if len(distinct) == 1 else cap})
    data: dict[str, Any] = {"title": f"{name} ({pid})", "issues": issues, "actors": actors}
    rule = council_rule(entries[0][0].meta.get("counvte", ""), list(per_actor), caps)
    if rule is not None:
        data["rule"] = rule
    scenario = validate_data(data, file, lines)
    return Proposal(pid, name, scenario, tuple(i for i, _, _ in entries), skipped)
