"""The scenario: actors, issues, positions, saliences and capabilities, with evidence.

A scenario file (YAML, JSON or tidy CSV) is loaded into a :class:`Scenario` (pydantic).
Every number may be bare (``90``) or a :class:`Quantity` ``{value, low, high, dist,
evidence, source, note}``. Validation collects *every* problem before failing, each with
the file, the line where known, the path, the value and what is allowed; the loaders raise
one :class:`ScenarioError` carrying them all (shared/DESIGN.md, "The scenario file").
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from accord import fileio
from accord.errors import AccordError

SALIENCE_RANGE = (0.0, 100.0)
DEFAULT_SCALE = (0.0, 100.0)

# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(AccordError):
    """Raised by every loader with the complete list of problems found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        n = len(self.problems)
        return [str(p) for p in self.problems] + [f"{n} problem{'s' if n != 1 else ''} found."]


# --------------------------------------------------------------------------- schema


def _bare_to_quantity(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int | float):
        return {"value": value}
    return value


class Quantity(BaseModel):
    """A number with its uncertainty range and the evidence behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float
    low: float | None = None
    high: float | None = None
    dist: Literal["triangular", "uniform", "normal"] = "triangular"
    evidence: str | None = None
    source: str | None = None
    note: str | None = None

    @property
    def is_ranged(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high), each defaulting to the value."""
        low = self.value if self.low is None else self.low
        high = self.value if self.high is None else self.high
        return low, high


Number = Annotated[Quantity, BeforeValidator(_bare_to_quantity)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    text: str | None = None


class Issue(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: str
    label: str | None = None
    low: str | None = Field(default=None, description="What the low end of the scale means")
    high: str | None = Field(default=None, description="What the high end of the scale means")
    scale: tuple[float, float] | None = None
    status_quo: Number | None = None


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str | None = None
    capability: Number | dict[str, Number]
    position: dict[str, Number]
    salience: dict[str, Number]

    def capability_on(self, issue_id: str) -> Quantity:
        if isinstance(self.capability, dict):
            return self.capability[issue_id]
        return self.capability


class Scenario(BaseModel):
    """A negotiation: who bargains over what, from where, with how much clout."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    title: str = "Untitled scenario"
    date: str | None = None
    question: str | None = None
    sources: list[Source] = Field(default_factory=list)
    scale: tuple[float, float] = DEFAULT_SCALE
    issues: list[Issue]
    actors: list[Actor]
    shocks: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def scale_of(self, issue: Issue) -> tuple[float, float]:
        return issue.scale if issue.scale is not None else self.scale

    def to_data(self) -> dict[str, Any]:
        """Plain data for YAML/JSON, numbers without a range written bare."""
        return _compact(self.model_dump(mode="json", exclude_defaults=True))


def _compact(obj: Any) -> Any:
    if isinstance(obj, dict):
        if "value" in obj and set(obj) == {"value"}:
            return obj["value"]
        return {k: _compact(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_compact(v) for v in obj]
    return obj


# --------------------------------------------------------------------------- validation


def _path(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _fmt(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x) if isinstance(x, str) else str(x)


class _Checker:
    """Collects problems; knows the line of each path where the format gives one."""

    def __init__(self, file: str, lines: dict[str, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def line_of(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.lines.get(path)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line_of(path), path, message))


_QUANTITY_FORM = "a number or an object {value, low, high, dist, evidence, source, note}"


def _lookup(data: Any, loc: Iterable[Any]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _pydantic_message(e: Any) -> str:
    """A pydantic error in the words of a scenario file's author."""
    value = e.get("input")
    kind = e["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "finite_number":
        return f"{_fmt(value)} is not allowed: numbers must be finite"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"{_fmt(value)} is not a number"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{_fmt(value)} is not allowed: expected {_QUANTITY_FORM}"
    if kind == "string_type":
        return f"{_fmt(value)} is not text"
    return f"{_fmt(value)} is not allowed: {e['msg']}"


def _capability_problem(data: Any, loc: list[Any], check: _Checker) -> None:
    cap = _lookup(data, loc[:3])
    entries = {"": cap}
    if isinstance(cap, dict) and "value" not in cap:  # the per-issue form
        entries = {f".{k}": v for k, v in cap.items()
                   if not (_is_number(v) or (isinstance(v, dict) and _is_number(v.get("value"))))}
    for suffix, value in entries.items():
        number = value.get("value") if isinstance(value, dict) else value
        if isinstance(number, float) and not math.isfinite(number):
            message = f"{_fmt(number)} is not allowed: numbers must be finite"
        else:
            message = f"{_fmt(value)} is not allowed: expected {_QUANTITY_FORM}" + (
                "" if suffix else ", or one such per issue")
        check.add(_path(loc[:3]) + suffix, message)


def _pydantic_problems(data: Any, check: _Checker) -> None:
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        for e in err.errors():
            loc = [p for p in e["loc"] if p not in ("function-after", "function-before")]
            if "scale" in loc:
                continue  # the semantic check explains a bad scale better
            # the capability union reports every branch; give one message per bad entry
            if (len(loc) >= 3 and loc[0] == "actors" and loc[2] == "capability"
                    and not (len(loc) == 3 and e["type"] == "missing")):
                _capability_problem(data, loc, check)
                continue
            check.add(_path(loc), _pydantic_message(e))


def _check_quantity(check: _Checker, path: str, q: Any, lo: float, hi: float) -> None:
    """Value and range inside [lo, hi] (hi may be inf), and low <= value <= high."""
    if _is_number(q):
        q = {"value": q}
    if not isinstance(q, dict) or not _is_number(q.get("value")):
        return  # pydantic reports the type problem
    allowed = f"outside {_fmt(lo)}..{_fmt(hi)}" if math.isfinite(hi) else f"below {_fmt(lo)}"
    value = q["value"]
    low, high = q.get("low"), q.get("high")
    if not (lo <= value <= hi):
        check.add(path, f"{_fmt(value)} is {allowed}")
    if _is_number(low):
        if low > value:
            check.add(f"{path}.low", f"low {_fmt(low)} is above the value {_fmt(value)}")
        elif not lo <= low <= hi:
            check.add(f"{path}.low", f"{_fmt(low)} is {allowed}")
    if _is_number(high):
        if high < value:
            check.add(f"{path}.high", f"high {_fmt(high)} is below the value {_fmt(value)}")
        elif not lo <= high <= hi:
            check.add(f"{path}.high", f"{_fmt(high)} is {allowed}")


def _semantic_problems(data: dict[str, Any], check: _Checker) -> None:
    """Checks pydantic cannot express: ids, ranges, scales, participation."""
    default_scale = data.get("scale", DEFAULT_SCALE)
    if not (
        isinstance(default_scale, list | tuple)
        and len(default_scale) == 2
        and all(_is_number(v) for v in default_scale)
        and default_scale[0] < default_scale[1]
    ):
        if "scale" in data:
            check.add("scale", f"{default_scale} is not a [low, high] pair with low < high")
        default_scale = DEFAULT_SCALE

    issues = data.get("issues")
    actors = data.get("actors")
    issues = issues if isinstance(issues, list) else []
    actors = actors if isinstance(actors, list) else []
    if "issues" in data and not issues:
        check.add("issues", "the scenario needs at least one issue")
    if "actors" in data and not actors:
        check.add("actors", "the scenario needs at least one actor")

    scales: dict[str, tuple[float, float]] = {}
    for k, issue in enumerate(issues):
        if not isinstance(issue, dict) or not isinstance(issue.get("id"), str):
            continue
        iid = issue["id"]
        if iid in scales:
            check.add(f"issues[{k}].id", f"duplicate issue id {iid!r}")
            continue
        scale = issue.get("scale") if issue.get("scale") is not None else default_scale
        ok = (
            isinstance(scale, list | tuple)
            and len(scale) == 2
            and all(_is_number(v) for v in scale)
            and scale[0] < scale[1]
        )
        if not ok:
            check.add(f"issues[{k}].scale", f"{scale} is not a [low, high] pair with low < high")
            scale = default_scale
        scales[iid] = (float(scale[0]), float(scale[1]))
        if "status_quo" in issue:
            _check_quantity(check, f"issues[{k}].status_quo", issue["status_quo"], *scales[iid])

    participants: dict[str, int] = dict.fromkeys(scales, 0)
    seen_actors: set[str] = set()
    for a, actor in enumerate(actors):
        if not isinstance(actor, dict):
            continue
        aid = actor.get("id")
        if isinstance(aid, str):
            if aid in seen_actors:
                check.add(f"actors[{a}].id", f"duplicate actor id {aid!r}")
            seen_actors.add(aid)
        positions = actor.get("position") if isinstance(actor.get("position"), dict) else {}
        saliences = actor.get("salience") if isinstance(actor.get("salience"), dict) else {}
        capability = actor.get("capability")
        allowed = ", ".join(scales) or "(none)"
        pairs = (("position", positions, "salience", saliences),
                 ("salience", saliences, "position", positions))
        for field, table, other, other_table in pairs:
            for iid, q in table.items():
                if iid not in scales:
                    check.add(f"actors[{a}].{field}.{iid}",
                              f"unknown issue id {iid!r}; the issues are: {allowed}")
                    continue
                bounds = scales[iid] if field == "position" else SALIENCE_RANGE
                _check_quantity(check, f"actors[{a}].{field}.{iid}", q, *bounds)
                if iid not in other_table:
                    check.add(f"actors[{a}].{other}.{iid}", f"is missing: the actor has a "
                              f"{field} on {iid!r} but no {other}")
        participants.update({iid: participants[iid] + 1 for iid in positions if iid in scales})
        if isinstance(capability, dict) and "value" not in capability:
            for iid, q in capability.items():
                if iid not in scales:
                    check.add(
                        f"actors[{a}].capability.{iid}",
                        f"unknown issue id {iid!r}; the issues are: {allowed}",
                    )
                else:
                    _check_quantity(check, f"actors[{a}].capability.{iid}", q, 0.0, math.inf)
            for iid in positions:
                if iid in scales and iid not in capability:
                    check.add(
                        f"actors[{a}].capability.{iid}",
                        f"is missing: capability is given per issue but not for {iid!r}",
                    )
        elif capability is not None:
            _check_quantity(check, f"actors[{a}].capability", capability, 0.0, math.inf)

    for k, issue in enumerate(issues):
        if isinstance(issue, dict) and participants.get(issue.get("id"), 1) == 0:
            check.add(f"issues[{k}]", f"nobody takes part in issue {issue['id']!r}")

    shocks = data.get("shocks")
    if isinstance(shocks, dict):
        for name, edits in shocks.items():
            if isinstance(edits, str):
                check.add(f"shocks.{name}", "must be a list of edits, e.g. ['RUS.capability=40']")


def validate_data(data: Any, file: str = "<scenario>", lines: dict[str, int] | None = None
                  ) -> Scenario:
    """Validate plain data; raise :class:`ScenarioError` listing every problem."""
    check = _Checker(file, lines or {})
    if data is None or data == {} or data == []:
        check.add("", "the file is empty: a scenario needs issues and actors")
        raise ScenarioError(check.problems)
    if not isinstance(data, dict):
        check.add("", f"expected a mapping with issues and actors, found a {type(data).__name__}")
        raise ScenarioError(check.problems)
    _pydantic_problems(data, check)
    _semantic_problems(data, check)
    if check.problems:
        # one problem may be reported by both layers; keep the first of each path+message
        unique = {(p.path, p.message): p for p in reversed(check.problems)}
        raise ScenarioError(unique.values())
    scenario = Scenario.model_validate(data)
    _shock_problems(scenario, check)
    if check.problems:
        raise ScenarioError(check.problems)
    return scenario


def _shock_problems(scenario: Scenario, check: _Checker) -> None:
    """Dry-run every edit of the scenario's named shocks, so a typo is caught on load."""
    if not scenario.shocks:
        return
    from accord.shocks import ShockError, apply_edits  # shocks builds on this module

    plain = scenario.model_copy(update={"shocks": {}})  # the edits' own validation: no recursion
    for name, edits in scenario.shocks.items():
        current = plain
        for k, edit in enumerate(edits):
            try:
                current = apply_edits(current, [edit], name)
            except ShockError as err:
                check.add(f"shocks.{name}[{k}]", str(err))
            except ScenarioError as err:
                reasons = "; ".join(f"{p.path}: {p.message}" for p in err.problems)
                check.add(f"shocks.{name}[{k}]", f"{edit!r} makes the scenario invalid: "
                          f"{reasons}")


# --------------------------------------------------------------------------- YAML / JSON


def _yaml_lines(text: str) -> dict[str, int]:
    """Map each path in a YAML (or JSON) document to its 1-based line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = f"{path}.{key.value}" if path else str(key.value)
                lines[sub] = key.start_mark.line + 1
                walk(value, sub)
                lines[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for k, item in enumerate(node.value):
                walk(item, f"{path}[{k}]")

    if root is not None:
        walk(root, "")
    return lines


def _normalise_dates(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("date"), date):
        data = {**data, "date": data["date"].isoformat()}
    return data


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML: {problem}")]) from None


def _parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError([Problem(file, err.lineno, "", f"malformed JSON: {err.msg}")]) from None


# --------------------------------------------------------------------------- tidy CSV

TIDY_COLUMNS = ("actor", "issue", "position", "salience", "capability")
ONE_ISSUE_COLUMNS = ("actor", "capability", "position", "salience")
_RANGE_SUFFIXES = ("low", "high")


def _csv_number(check: _Checker, path: str, text: str, column: str) -> float | None:
    text = (text or "").strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        check.add(path, f"{text!r} in column {column!r} is not a number")
        return None
    if not math.isfinite(value):
        check.add(path, f"{text!r} in column {column!r} is not a finite number")
        return None
    return value


def _csv_rows(text: str, file: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
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


def _quantity_from_row(
    check: _Checker, path: str, row: dict[str, str], column: str, line_path: dict[str, int],
    line: int, default: float | None = None, scale: float = 1.0
) -> dict[str, Any] | None:
    line_path[path] = line
    value = _csv_number(check, path, row.get(column, ""), column)
    if value is None:
        if default is None:
            if row.get(column, "") == "":
                check.add(path, f"column {column!r} is empty")
            return None
        value = default
    q: dict[str, Any] = {"value": value * scale}
    lows = [f"{column}_low"] + (["low"] if column == "position" else [])
    highs = [f"{column}_high"] + (["high"] if column == "position" else [])
    for key, columns in (("low", lows), ("high", highs)):
        for c in columns:
            if c in row:
                v = _csv_number(check, f"{path}.{key}", row[c], c)
                if v is not None:
                    q[key] = v * scale
    line_path[path] = line
    return q


def validate_after(data: Any, file: str, lines: dict[str, int], earlier: Iterable[Problem]
                   ) -> Scenario:
    """Validate data a reader built, reporting the problems the reader already found with
    those of validation, all at once (each once). For readers of other tools' formats."""
    problems = list(earlier)
    scenario: Scenario | None = None
    try:
        scenario = validate_data(data, file, lines)
    except ScenarioError as err:
        problems.extend(err.problems)
    if problems or scenario is None:
        unique = {(p.line, p.path, p.message): p for p in problems}
        raise ScenarioError(unique.values())
    return scenario


def _validate_with_parse_problems(data: dict[str, Any], check: _Checker) -> Scenario:
    """Validate what parsed, reporting it together with the cells that did not parse.

    A cell that did not parse is left out of ``data``; the "is missing" complaints this
    causes for the same actor are dropped, as the parse problem already names the cell.
    """
    if not check.problems:
        return validate_data(data, check.file, check.lines)
    bad_actors = {p.path.split(".")[0] for p in check.problems}
    problems = list(check.problems)
    try:
        validate_data(data, check.file, check.lines)
    except ScenarioError as err:
        problems += [p for p in err.problems
                     if not (p.path.split(".")[0] in bad_actors and "missing" in p.message)]
    raise ScenarioError(problems)


def _load_tidy_csv(header: list[str], body: list[tuple[int, dict[str, str]]], file: str
                   ) -> Scenario:
    lines: dict[str, int] = {}
    check = _Checker(file, lines)
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    caps: dict[str, dict[str, dict[str, Any]]] = {}
    for line, row in body:
        aid, iid = row.get("actor", ""), row.get("issue", "")
        if not aid or not iid:
            check.problems.append(Problem(file, line, "", "the actor and issue columns must "
                                          "not be empty"))
            continue
        issues.setdefault(iid, {"id": iid})
        actor = actors.setdefault(aid, {"id": aid, "position": {}, "salience": {}})
        a = list(actors).index(aid)
        if iid in actor["position"]:
            check.problems.append(Problem(file, line, f"actors[{a}].position.{iid}",
                                          f"duplicate row for actor {aid!r} and issue {iid!r}"))
            continue
        lines.setdefault(f"actors[{a}]", line)
        for field in ("position", "salience"):
            q = _quantity_from_row(check, f"actors[{a}].{field}.{iid}", row, field, lines, line)
            if q is not None:
                actor[field][iid] = q
        q = _quantity_from_row(check, f"actors[{a}].capability.{iid}", row, "capability",
                               lines, line)
        if q is not None:
            caps.setdefault(aid, {})[iid] = q
    for aid, actor in actors.items():
        per_issue = caps.get(aid, {})
        distinct = {json.dumps(q, sort_keys=True) for q in per_issue.values()}
        actor["capability"] = next(iter(per_issue.values())) if len(distinct) == 1 else per_issue
    data = {"title": Path(file).stem, "issues": list(issues.values()),
            "actors": list(actors.values())}
    return _validate_with_parse_problems(data, check)


def _load_one_issue_csv(header: list[str], body: list[tuple[int, dict[str, str]]], file: str,
                        salience_scale: float) -> Scenario:
    """The one-issue table ``actor,capability,position,salience`` of reference/bdm/.

    The issue's scale is the range of the positions held (the published data sets have no
    other); saliences are 0–100 unless ``salience_scale`` = 1 says they are 0–1.
    """
    lines: dict[str, int] = {}
    check = _Checker(file, lines)
    actors = []
    factor = 100.0 / salience_scale
    for a, (line, row) in enumerate(body):
        actor: dict[str, Any] = {"id": row.get("actor", ""), "position": {}, "salience": {}}
        lines[f"actors[{a}]"] = line
        if not actor["id"]:
            check.add(f"actors[{a}].id", "the actor column must not be empty")
        for field, scale in (("position", 1.0), ("salience", factor)):
            q = _quantity_from_row(check, f"actors[{a}].{field}.issue", row, field, lines, line,
                                   scale=scale)
            if q is not None:
                actor[field]["issue"] = q
        cap = _quantity_from_row(check, f"actors[{a}].capability", row, "capability", lines,
                                 line)
        actor["capability"] = cap if cap is not None else {"value": 0.0}
        if row.get("actor_english"):
            actor["name"] = row["actor_english"]
        actors.append(actor)
    saliences = [a["salience"]["issue"]["value"] for a in actors if "issue" in a["salience"]]
    if salience_scale == 100.0 and saliences and max(saliences) <= 1.0:
        check.add("", f"every salience is at most 1 (largest {_fmt(max(saliences))}), which on "
                  "the 0–100 scale means almost no attention: if they are on 0–1, load with "
                  "--salience-scale 1 (salience_scale=1)")
    values = [a["position"]["issue"]["value"] for a in actors if "issue" in a["position"]]
    issue: dict[str, Any] = {"id": "issue", "label": Path(file).stem}
    if values and min(values) < max(values):
        issue["scale"] = [min(values), max(values)]
    elif values:
        issue["scale"] = [min(values) - 1.0, max(values) + 1.0]
    data = {"title": Path(file).stem, "issues": [issue], "actors": actors}
    return _validate_with_parse_problems(data, check)


def load_csv_text(text: str, file: str = "<csv>", salience_scale: float = 100.0) -> Scenario:
    """Load the tidy CSV, or the one-issue table of reference/bdm/."""
    header, body = _csv_rows(text, file)
    if all(c in header for c in TIDY_COLUMNS):
        return _load_tidy_csv(header, body, file)
    if all(c in header for c in ONE_ISSUE_COLUMNS):
        if salience_scale not in (1.0, 100.0):
            raise ScenarioError([Problem(file, None, "", f"salience scale {salience_scale} is "
                                         "not allowed: use 1 or 100")])
        return _load_one_issue_csv(header, body, file, salience_scale)
    missing = [c for c in TIDY_COLUMNS if c not in header]
    raise ScenarioError([Problem(
        file, 1, "", f"the CSV header lacks {', '.join(missing)}: a tidy scenario CSV has the "
        f"columns {','.join(TIDY_COLUMNS)} (optional low/high or <column>_low/_high), and a "
        f"one-issue table has {','.join(ONE_ISSUE_COLUMNS)}")])


def to_csv_text(scenario: Scenario) -> str:
    """The tidy CSV: one row per actor and issue the actor takes part in."""
    out = io.StringIO()
    columns = ["actor", "issue"]
    for field in ("position", "salience", "capability"):
        columns += [field, f"{field}_low", f"{field}_high"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)

    def cells(q: Quantity) -> list[str]:
        return [format_number(q.value), "" if q.low is None else format_number(q.low),
                "" if q.high is None else format_number(q.high)]

    for actor in scenario.actors:
        for issue in scenario.issues:
            if issue.id not in actor.position:
                continue
            writer.writerow([actor.id, issue.id, *cells(actor.position[issue.id]),
                             *cells(actor.salience[issue.id]),
                             *cells(actor.capability_on(issue.id))])
    return out.getvalue()


def format_number(x: float) -> str:
    """A number as a data file writes it: ``4`` for an integer value, else full precision."""
    if math.isfinite(x) and float(x).is_integer():
        return str(int(x))
    return repr(float(x))


# --------------------------------------------------------------------------- entry points

SCENARIO_SUFFIXES = {".yaml", ".yml", ".json", ".csv", ".txt"}


def loads(text: str, fmt: Literal["yaml", "json", "csv"], file: str = "<scenario>",
          salience_scale: float = 100.0) -> Scenario:
    """Parse and validate scenario text in the given format."""
    if not text.strip():
        raise ScenarioError([Problem(file, None, "", "the file is empty: a scenario needs "
                                     "issues and actors")])
    if fmt == "csv":
        return load_csv_text(text, file, salience_scale)
    data = _parse_json(text, file) if fmt == "json" else _parse_yaml(text, file)
    return validate_data(_normalise_dates(data), file, _yaml_lines(text))


def load(path: str | os.PathLike[str], salience_scale: float = 100.0) -> Scenario:
    """Load a scenario file (.yaml/.yml, .json or .csv), or raise :class:`ScenarioError`.

    Formats of other tools (KTAB CSV, Decide ``#A/#P/#M/#D``) are recognised by
    :func:`accord.io.load_any`, which calls this for accord's own formats.
    """
    p = Path(path)
    file = p.name
    if not p.exists():
        raise ScenarioError([Problem(str(path), None, "", "no such file")])
    if p.is_dir():
        raise ScenarioError([Problem(str(path), None, "", "is a directory, not a scenario file")])
    suffix = p.suffix.lower()
    if suffix not in {".yaml", ".yml", ".json", ".csv"}:
        raise ScenarioError([Problem(file, None, "", f"the file type {suffix or '(none)'!r} is "
                                     "not a scenario format: use .yaml, .yml, .json or .csv")])
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(file, None, "", "is not UTF-8 text (a binary file?)")]
                            ) from None
    fmt: Literal["yaml", "json", "csv"] = (
        "json" if suffix == ".json" else "csv" if suffix == ".csv" else "yaml"
    )
    return loads(text, fmt, file, salience_scale)


def dumps(scenario: Scenario, fmt: Literal["yaml", "json", "csv"]) -> str:
    if fmt == "csv":
        return to_csv_text(scenario)
    data = scenario.to_data()
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write text to path via a temporary file and a rename: never a half-written file."""
    fileio.write_text(path, text)


def format_for(path: str | os.PathLike[str]) -> Literal["yaml", "json", "csv"]:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix == ".csv":
        return "csv"
    raise ScenarioError([Problem(str(path), None, "", f"cannot write the file type "
                                 f"{suffix or '(none)'!r}: use .yaml, .yml, .json or .csv")])


def save(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Save as YAML, JSON or tidy CSV (by suffix), atomically."""
    write_atomic(path, dumps(scenario, format_for(path)))
