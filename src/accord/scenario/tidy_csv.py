"""Scenarios as CSV: the tidy table (one row per actor and issue) and the one-issue table.

Tidy: ``actor,issue,position,salience,capability``, each number optionally with
``<column>_low``/``<column>_high`` (``low``/``high`` for the position), and optional issue
columns ``scale_low,scale_high`` (the issue's scale, default 0-100) and ``status_quo``
(with ``status_quo_low/_high``), repeated on every row of the issue.

One-issue: ``actor,capability,position,salience`` as in the published BDM data sets
(shared/reference/bdm/).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

from accord.scenario.problems import Problem, ScenarioError, fmt, line_of
from accord.scenario.schema import DEFAULT_SCALE, Quantity, Scenario
from accord.scenario.validate import validate_data

TIDY_COLUMNS = ("actor", "issue", "position", "salience", "capability")
ONE_ISSUE_COLUMNS = ("actor", "capability", "position", "salience")
SCALE_COLUMNS = ("scale_low", "scale_high")


class _Cells:
    """Collects the problems of cells that do not parse, at their lines."""

    def __init__(self, file: str):
        self.file = file
        self.lines: dict[str, int] = {}
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, value: Any = None) -> None:
        self.problems.append(Problem(self.file, line_of(self.lines, path), path, message, value))

    def number(self, path: str, text: str, column: str) -> float | None:
        text = (text or "").strip()
        if text == "":
            return None
        try:
            value = float(text)
        except ValueError:
            self.add(path, f"{text!r} in column {column!r} is not a number", text)
            return None
        if not math.isfinite(value):
            self.add(path, f"{text!r} in column {column!r} is not a finite number", text)
            return None
        return value

    def quantity(self, path: str, row: dict[str, str], column: str, line: int,
                 scale: float = 1.0, required: bool = True) -> dict[str, Any] | None:
        self.lines[path] = line
        value = self.number(path, row.get(column, ""), column)
        if value is None:
            if required and row.get(column, "") == "":
                self.add(path, f"column {column!r} is empty")
            return None
        q: dict[str, Any] = {"value": value * scale}
        lows = [f"{column}_low"] + (["low"] if column == "position" else [])
        highs = [f"{column}_high"] + (["high"] if column == "position" else [])
        for key, columns in (("low", lows), ("high", highs)):
            for c in columns:
                if c in row:
                    v = self.number(f"{path}.{key}", row[c], c)
                    if v is not None:
                        q[key] = v * scale
        return q

    def validate(self, data: dict[str, Any]) -> Scenario:
        """Validate what parsed, reporting it together with the cells that did not parse.

        A cell that did not parse is left out of ``data``; the "is missing" complaints this
        causes for the same actor are dropped, as the parse problem already names the cell.
        """
        if not self.problems:
            return validate_data(data, self.file, self.lines)
        bad_actors = {p.path.split(".")[0] for p in self.problems}
        problems = list(self.problems)
        try:
            validate_data(data, self.file, self.lines)
        except ScenarioError as err:
            problems += [p for p in err.problems
                         if not (p.path.split(".")[0] in bad_actors and "missing" in p.message)]
        raise ScenarioError(problems)


def _rows(text: str, file: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        reader = csv.reader(io.StringIO(text))
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as err:
        raise ScenarioError([Problem(file, None, "", f"malformed CSV: {err}")]) from None
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ScenarioError([Problem(file, None, "", "the file is empty: no header, no rows")])
    header = [h.strip().lower() for h in rows[0][1]]
    body = []
    problems = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(
                Problem(file, line, "", f"malformed CSV: {len(row)} fields where the header "
                        f"has {len(header)} ({', '.join(header)})")
            )
            continue
        body.append((line, {h: c.strip() for h, c in zip(header, row, strict=True)}))
    if problems:
        raise ScenarioError(problems)
    return header, body


def _issue_columns(cells: _Cells, issue: dict[str, Any], k: int, row: dict[str, str],
                   line: int) -> None:
    """The issue's scale and status quo from a row; every row of an issue must agree."""
    if all(c in row for c in SCALE_COLUMNS) and (row["scale_low"] or row["scale_high"]):
        path = f"issues[{k}].scale"
        cells.lines.setdefault(path, line)
        pair = [cells.number(path, row[c], c) for c in SCALE_COLUMNS]
        if None not in pair:
            if "scale" in issue and issue["scale"] != pair:
                cells.problems.append(Problem(cells.file, line, path, f"{fmt(pair)} differs "
                                              f"from the scale {fmt(issue['scale'])} of an "
                                              f"earlier row of issue {issue['id']!r}", pair))
            issue.setdefault("scale", pair)
    if row.get("status_quo"):
        path = f"issues[{k}].status_quo"
        q = cells.quantity(path, row, "status_quo", line, required=False)
        if q is not None:
            if "status_quo" in issue and issue["status_quo"] != q:
                cells.problems.append(Problem(cells.file, line, path, "differs from the status "
                                              f"quo of an earlier row of issue {issue['id']!r}"))
            issue.setdefault("status_quo", q)


def _load_tidy(body: list[tuple[int, dict[str, str]]], file: str) -> Scenario:
    cells = _Cells(file)
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    caps: dict[str, dict[str, dict[str, Any]]] = {}
    for line, row in body:
        aid, iid = row.get("actor", ""), row.get("issue", "")
        if not aid or not iid:
            cells.problems.append(Problem(file, line, "", "the actor and issue columns must "
                                          "not be empty"))
            continue
        issue = issues.setdefault(iid, {"id": iid})
        cells.lines.setdefault(f"issues[{list(issues).index(iid)}]", line)
        _issue_columns(cells, issue, list(issues).index(iid), row, line)
        actor = actors.setdefault(aid, {"id": aid, "position": {}, "salience": {}})
        a = list(actors).index(aid)
        if iid in actor["position"]:
            cells.problems.append(Problem(file, line, f"actors[{a}].position.{iid}",
                                          f"duplicate row for actor {aid!r} and issue {iid!r}"))
            continue
        cells.lines.setdefault(f"actors[{a}]", line)
        for field in ("position", "salience"):
            q = cells.quantity(f"actors[{a}].{field}.{iid}", row, field, line)
            if q is not None:
                actor[field][iid] = q
        q = cells.quantity(f"actors[{a}].capability.{iid}", row, "capability", line)
        if q is not None:
            caps.setdefault(aid, {})[iid] = q
    for aid, actor in actors.items():
        per_issue = caps.get(aid, {})
        distinct = {json.dumps(q, sort_keys=True) for q in per_issue.values()}
        actor["capability"] = next(iter(per_issue.values())) if len(distinct) == 1 else per_issue
    data = {"title": Path(file).stem, "issues": list(issues.values()),
            "actors": list(actors.values())}
    return cells.validate(data)


def _load_one_issue(body: list[tuple[int, dict[str, str]]], file: str, salience_scale: float
                    ) -> Scenario:
    """The one-issue table ``actor,capability,position,salience`` of reference/bdm/.

    The issue's scale is the range of the positions held (the published data sets have no
    other); saliences are 0-100 unless ``salience_scale`` = 1 says they are 0-1.
    """
    cells = _Cells(file)
    actors = []
    factor = 100.0 / salience_scale
    for a, (line, row) in enumerate(body):
        actor: dict[str, Any] = {"id": row.get("actor", ""), "position": {}, "salience": {}}
        cells.lines[f"actors[{a}]"] = line
        if not actor["id"]:
            cells.add(f"actors[{a}].id", "the actor column must not be empty")
        position = cells.quantity(f"actors[{a}].position.issue", row, "position", line)
        if position is not None:
            actor["position"]["issue"] = position
        path = f"actors[{a}].salience.issue"
        salience = cells.quantity(path, row, "salience", line)
        if salience is not None:
            typed = [salience[k] for k in ("value", "low", "high") if k in salience]
            outside = [v for v in typed if not 0.0 <= v <= salience_scale]
            if outside:  # report the number as typed, on the scale the user declared
                hint = ("; without --salience-scale 1 (salience_scale=1) they are read on "
                        "0-100" if salience_scale == 1.0 and max(outside) > 1.0 else "")
                cells.add(path, f"{fmt(outside[0])} is outside 0..{fmt(salience_scale)}, "
                          f"the saliences' scale{hint}", outside[0])
            else:
                actor["salience"]["issue"] = {k: v * factor for k, v in salience.items()}
        cap = cells.quantity(f"actors[{a}].capability", row, "capability", line)
        actor["capability"] = cap if cap is not None else {"value": 0.0}
        if row.get("actor_english"):
            actor["name"] = row["actor_english"]
        actors.append(actor)
    saliences = [a["salience"]["issue"]["value"] for a in actors if "issue" in a["salience"]]
    if salience_scale == 100.0 and saliences and max(saliences) <= 1.0:
        cells.add("", f"every salience is at most 1 (largest {fmt(max(saliences))}), which on "
                  "the 0-100 scale means almost no attention: if they are on 0-1, load with "
                  "--salience-scale 1 (salience_scale=1)")
    values = [a["position"]["issue"]["value"] for a in actors if "issue" in a["position"]]
    issue: dict[str, Any] = {"id": "issue", "label": Path(file).stem}
    if values and min(values) < max(values):
        issue["scale"] = [min(values), max(values)]
    elif values:
        issue["scale"] = [min(values) - 1.0, max(values) + 1.0]
    data = {"title": Path(file).stem, "issues": [issue], "actors": actors}
    return cells.validate(data)


def load_csv_text(text: str, file: str = "<csv>", salience_scale: float = 100.0) -> Scenario:
    """Load the tidy CSV, or the one-issue table of reference/bdm/."""
    header, body = _rows(text, file)
    if all(c in header for c in TIDY_COLUMNS):
        return _load_tidy(body, file)
    if all(c in header for c in ONE_ISSUE_COLUMNS):
        if salience_scale not in (1.0, 100.0):
            raise ScenarioError([Problem(file, None, "", f"salience scale {fmt(salience_scale)}"
                                         " is not allowed: use 1 or 100")])
        return _load_one_issue(body, file, salience_scale)
    missing = [c for c in TIDY_COLUMNS if c not in header]
    raise ScenarioError([Problem(
        file, 1, "", f"the CSV header lacks {', '.join(missing)}: a tidy scenario CSV has the "
        f"columns {','.join(TIDY_COLUMNS)} (optional low/high or <column>_low/_high), and a "
        f"one-issue table has {','.join(ONE_ISSUE_COLUMNS)}")])


def format_number(x: float) -> str:
    """A number as a data file writes it: ``4`` for an integer value, else full precision."""
    if math.isfinite(x) and float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def to_csv_text(scenario: Scenario) -> str:
    """The tidy CSV: one row per actor and issue the actor takes part in; the issue columns
    (scale, status quo) only where some issue needs them."""
    out = io.StringIO()
    columns = ["actor", "issue"]
    for field in ("position", "salience", "capability"):
        columns += [field, f"{field}_low", f"{field}_high"]
    scales = {i.id: scenario.scale_of(i) for i in scenario.issues}
    with_scale = any(tuple(s) != DEFAULT_SCALE for s in scales.values())
    with_sq = any(i.status_quo is not None for i in scenario.issues)
    columns += list(SCALE_COLUMNS) if with_scale else []
    columns += ["status_quo", "status_quo_low", "status_quo_high"] if with_sq else []
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)

    def cells(q: Quantity | None) -> list[str]:
        if q is None:
            return ["", "", ""]
        return [format_number(q.value), "" if q.low is None else format_number(q.low),
                "" if q.high is None else format_number(q.high)]

    for actor in scenario.actors:
        for issue in scenario.issues:
            if issue.id not in actor.position:
                continue
            row = [actor.id, issue.id, *cells(actor.position[issue.id]),
                   *cells(actor.salience[issue.id]), *cells(actor.capability_on(issue.id))]
            row += [format_number(v) for v in scales[issue.id]] if with_scale else []
            row += cells(issue.status_quo) if with_sq else []
            writer.writerow(row)
    return out.getvalue()
