"""KTAB's CSV scenario layout (KAPSARC Toolkit for Behavioral Analysis, `smpc`): read and write.

The layout (shared/reference/README.md, "KTAB CSV input format"):

* line 1: scenario name, scenario description, number of actors N, number of dimensions K
  (further fields ignored);
* line 2: headers: actor, description, capability, then a position and a salience header per
  dimension; the position headers name the dimensions;
* lines 3 to N + 2: name, description, capability, then position and salience for each
  dimension in turn. Later lines are ignored.

Positions and saliences are on 0–100; one actor's saliences sum to at most 100; capability
is any non-negative number. Fields are trimmed (lines often end in a comma and fields carry
padding) and may be double-quoted. Blank lines are skipped.

In accord terms: actor ids are KTAB's short names, actor names its descriptions, issue ids
its dimension names (the position headers) on the scale 0–100, the title its scenario name
and the question its description. Every problem is reported at once, with its line.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from accord.scenario import Problem, Scenario, ScenarioError, format_number, validate_after

SALIENCE_TOTAL = 100.0  # KTAB: an actor's saliences sum to at most 100
_TOTAL_SLACK = 1e-6


def _rows(text: str, file: str) -> list[tuple[int, list[str]]]:
    """Non-blank CSV rows with their 1-based line numbers, every field trimmed."""
    try:
        reader = csv.reader(io.StringIO(text))
        rows = []
        for row in reader:
            cells = [c.strip() for c in row]
            if any(cells):
                rows.append((reader.line_num, cells))
    except csv.Error as err:
        raise ScenarioError([Problem(file, None, "", f"malformed CSV: {err}")]) from None
    return rows


def _count(cell: str) -> int | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return int(value) if value.is_integer() and value >= 0 else None


def sniff(path: Path, text: str) -> bool:
    """A KTAB file: a CSV whose first line's third and fourth fields are counts."""
    if path.suffix.lower() not in (".csv", ".txt", ".ktab"):
        return False
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        cells = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    cells = [c.strip() for c in cells]
    return len(cells) >= 4 and _count(cells[2]) is not None and _count(cells[3]) is not None


def _number(problems: list[Problem], file: str, line: int, path: str, cell: str, what: str
            ) -> float | None:
    if cell == "":
        problems.append(Problem(file, line, path, f"the {what} is empty"))
        return None
    try:
        value = float(cell)
    except ValueError:
        problems.append(Problem(file, line, path, f"{cell!r} ({what}) is not a number"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(file, line, path, f"{cell!r} ({what}) is not a finite number"))
        return None
    return value


@dataclass
class _Row:
    """One actor line: its numbers, with problems collected (missing fields are reported once
    for the whole line, so they read as 0 here without a second message)."""

    problems: list[Problem]
    file: str
    line: int
    cells: list[str]

    def number(self, col: int, path: str, what: str) -> float:
        if col >= len(self.cells):
            return 0.0
        value = _number(self.problems, self.file, self.line, path, self.cells[col], what)
        return 0.0 if value is None else value


def loads(text: str, file: str = "<ktab>") -> Scenario:
    """Parse and validate KTAB CSV text; raise :class:`ScenarioError` with every problem."""
    rows = _rows(text, file)
    problems: list[Problem] = []
    if not rows:
        raise ScenarioError([Problem(file, None, "", "the file is empty")])
    line1, head = rows[0]
    if len(head) < 4:
        raise ScenarioError([Problem(file, line1, "", "the first line needs the scenario name, "
                                     "description, number of actors and number of dimensions")])
    n_actors, n_dims = _count(head[2]), _count(head[3])
    if n_actors is None or n_actors < 1:
        problems.append(Problem(file, line1, "actors", f"the number of actors {head[2]!r} is "
                                "not a positive whole number"))
    if n_dims is None or n_dims < 1:
        problems.append(Problem(file, line1, "issues", f"the number of dimensions {head[3]!r} "
                                "is not a positive whole number"))
    if problems:
        raise ScenarioError(problems)
    assert n_actors is not None and n_dims is not None
    width = 3 + 2 * n_dims
    lines: dict[str, int] = {"title": line1, "question": line1}
    if len(rows) < 2:
        raise ScenarioError([Problem(file, line1, "", "the header line (actor, description, "
                                     "capability, position/salience per dimension) is missing")])
    line2, header = rows[1]
    if len(header) < width:
        problems.append(Problem(file, line2, "issues", f"the header has {len(header)} fields; "
                                f"{n_dims} dimensions need {width} (actor, description, "
                                "capability, then position and salience per dimension)"))
    issues: list[dict[str, Any]] = []
    for k in range(n_dims):
        name = header[3 + 2 * k] if 3 + 2 * k < len(header) else ""
        lines[f"issues[{k}]"] = line2
        if not name:
            problems.append(Problem(file, line2, f"issues[{k}].id", f"dimension {k + 1} has no "
                                    "position header to name it"))
            name = f"dim{k + 1}"
        issues.append({"id": name})
    body = rows[2:2 + n_actors]
    if len(body) < n_actors:
        last = rows[-1][0]
        problems.append(Problem(file, last, "actors", f"the first line says {n_actors} actors "
                                f"but only {len(body)} actor lines follow"))
    actors: list[dict[str, Any]] = []
    for a, (line, cells) in enumerate(body):
        lines[f"actors[{a}]"] = line
        given = len(cells)
        if given < width:
            problems.append(Problem(file, line, f"actors[{a}]", f"{given} fields where "
                                    f"{n_dims} dimensions need {width}"))
            cells = cells + [""] * (width - given)
        actor: dict[str, Any] = {"id": cells[0], "position": {}, "salience": {}}
        if cells[1]:
            actor["name"] = cells[1]
        if not cells[0]:
            problems.append(Problem(file, line, f"actors[{a}].id", "the actor's name is empty"))
            actor["id"] = f"actor{a + 1}"
        row = _Row(problems, file, line, cells[:given])
        actor["capability"] = row.number(2, f"actors[{a}].capability", "capability")
        total = 0.0
        for k, issue in enumerate(issues):
            iid = issue["id"]
            actor["position"][iid] = row.number(3 + 2 * k, f"actors[{a}].position.{iid}",
                                                f"position on {iid!r}")
            actor["salience"][iid] = row.number(4 + 2 * k, f"actors[{a}].salience.{iid}",
                                                f"salience on {iid!r}")
            total += actor["salience"][iid]
        if total > SALIENCE_TOTAL + _TOTAL_SLACK:
            problems.append(Problem(file, line, f"actors[{a}].salience", f"the saliences sum to "
                                    f"{total:g}; KTAB allows at most {SALIENCE_TOTAL:g}"))
        actors.append(actor)
    data: dict[str, Any] = {"title": head[0] or Path(file).stem, "issues": issues,
                            "actors": actors}
    if head[1]:
        data["question"] = head[1]
    return validate_after(data, file, lines, problems)


def load(path: Path, text: str) -> Scenario:
    return loads(text, path.name)


def _salience_header(issue_id: str) -> str:
    if issue_id.endswith("Position"):
        return issue_id[: -len("Position")] + "Salience"
    return f"{issue_id} Salience"


def dumps(scenario: Scenario) -> str:
    """The scenario in KTAB's CSV layout.

    KTAB has one scale (0–100), one capability per actor and no ranges, so: positions are
    rescaled from each issue's scale to 0–100; central values are written; an actor with
    capabilities per issue gets their salience-weighted mean; an issue an actor does not take
    part in gets salience 0 and the issue's status quo (else the c·s-weighted mean of the
    participants) as position; an actor whose saliences sum above 100 has them scaled to 100.
    These are the conventions accord's SMP model applies to such scenarios too.
    """
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([scenario.title, scenario.question or "", len(scenario.actors),
                len(scenario.issues)])
    header = ["Actor", "Description", "Capability"]
    for issue in scenario.issues:
        header += [issue.id, _salience_header(issue.id)]
    w.writerow(header)

    def cap_of(actor: Any) -> float:
        if not isinstance(actor.capability, dict):
            return actor.capability.value
        caps = {k: q.value for k, q in actor.capability.items() if k in actor.position}
        if not caps:
            return 0.0
        if len(set(caps.values())) == 1:
            return next(iter(caps.values()))
        sal = {k: actor.salience[k].value for k in caps}
        total = sum(sal.values())
        if total <= 0:
            return sum(caps.values()) / len(caps)
        return sum(caps[k] * sal[k] for k in caps) / total

    caps = [cap_of(a) for a in scenario.actors]
    fills: dict[str, float] = {}
    for issue in scenario.issues:
        lo, hi = scenario.scale_of(issue)
        if issue.status_quo is not None:
            fills[issue.id] = issue.status_quo.value
            continue
        held = [(a.position[issue.id].value, a.salience[issue.id].value * c)
                for a, c in zip(scenario.actors, caps, strict=True) if issue.id in a.position]
        weight = sum(wt for _, wt in held)
        fills[issue.id] = (sum(x * wt for x, wt in held) / weight if weight > 0
                           else sum(x for x, _ in held) / max(len(held), 1))
        fills[issue.id] = min(max(fills[issue.id], lo), hi)
    for actor, cap in zip(scenario.actors, caps, strict=True):
        sal = {i.id: (actor.salience[i.id].value if i.id in actor.position else 0.0)
               for i in scenario.issues}
        total = sum(sal.values())
        factor = 100.0 / total if total > 100.0 else 1.0
        row = [actor.id, actor.name or "", format_number(cap)]
        for issue in scenario.issues:
            lo, hi = scenario.scale_of(issue)
            x = actor.position[issue.id].value if issue.id in actor.position else fills[issue.id]
            x100 = x if (lo, hi) == (0.0, 100.0) else 100.0 * (x - lo) / (hi - lo)
            row += [format_number(x100), format_number(sal[issue.id] * factor)]
        w.writerow(row)
    return out.getvalue()

