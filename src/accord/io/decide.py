"""The Decide tools' ``#A/#P/#M/#D`` scenario format (decide-exchange-model): read and write.

Each line is one record whose first field is a tag (shared/reference/README.md, "exchange/"):

* ``#A`` actor id, name, comment;
* ``#P`` issue id, description(s);
* ``#M`` issue id, scale value, [meaning]: an issue's bounds are the min and max of its
  ``#M`` values (0–100 when it has none);
* ``#D`` actor id, issue id, position, salience (0–1), power (the capability on that issue);
* ``#/`` and ``#O`` comments (the first ``#O`` names the data set: it becomes the title).

Fields are TAB-separated, or comma-separated when a line has no TAB, and may be quoted with
single or double quotes. An actor without a ``#D`` record on an issue takes no part in it.

In accord terms: saliences are multiplied by 100 (exactly, on the decimal text), powers become
capabilities (one number when an actor's powers are equal on every issue, else one per
issue), ``#M`` meanings at the bounds become the issue's ``low``/``high`` texts. Every problem
is reported at once, with its line; the numbers of a faulty record are checked in Decide's own
units (salience 0..1, power ≥ 0), positions against the issue's scale.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from accord.scenario import Problem, Scenario, ScenarioError, format_number, validate_after

TAGS = ("#A", "#P", "#M", "#D", "#/", "#O")
SALIENCE_FACTOR = Decimal(100)  # Decide 0–1 -> accord 0–100


def split_record(line: str) -> list[str]:
    """The fields of one line: TAB-separated (or comma-separated when there is no TAB),
    trimmed, with one pair of surrounding single or double quotes removed.

    TAB-separated fields are split on the TAB alone, so an apostrophe inside a quoted name
    (``'Cote d'Ivoire'``) stays in it; comma-separated lines follow CSV's double quotes."""
    stripped = line.strip()
    if "\t" in stripped:
        fields = stripped.split("\t")
    else:
        try:
            fields = next(csv.reader([stripped], skipinitialspace=True))
        except (csv.Error, StopIteration):
            fields = stripped.split(",")
    out = []
    for f in fields:
        f = f.strip()
        if len(f) >= 2 and f[0] == f[-1] and f[0] in ("'", '"'):
            f = f[1:-1].strip()
        out.append(f)
    return out


def _lines(text: str) -> list[str]:
    """Physical lines, split on newlines only (str.splitlines would also split on form
    feeds and other separators and so shift every later line number); a BOM is dropped."""
    return [line.rstrip("\r") for line in text.removeprefix("\ufeff").split("\n")]


def _records(text: str) -> list[tuple[int, list[str]]]:
    return [(k, split_record(line)) for k, line in enumerate(_lines(text), start=1)
            if line.strip()]


_TAG_SHAPE = re.compile(r"^#[A-Za-z/]$")


def sniff(path: Path, text: str) -> bool:
    """A Decide file: its first record starts with a tag-shaped field (``#A``, or a typo
    such as ``#X``, which then gets the line-numbered Decide report) and it has #A or #D
    lines."""
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return False
    records = [split_record(line)[0] for line in _lines(text) if line.strip()]
    return bool(records) and bool(_TAG_SHAPE.match(records[0])) and any(
        r in ("#A", "#D") for r in records)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Reader:
    """Collects the records of one file and the problems found in them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}

    def problem(self, line: int, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, path, message))

    def number(self, line: int, path: str, text: str, what: str) -> Decimal | None:
        if text == "":
            self.problem(line, path, f"the {what} is empty")
            return None
        value = _decimal(text)
        if value is None:
            self.problem(line, path, f"{text!r} ({what}) is not a number")
        return value


def loads(text: str, file: str = "<decide>") -> Scenario:
    """Parse and validate Decide text; raise :class:`ScenarioError` with every problem."""
    r = _Reader(file)
    records = _records(text)
    if not records:
        raise ScenarioError([Problem(file, None, "", "the file is empty")])
    title: str | None = None
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    marks: dict[str, list[tuple[Decimal, str, int]]] = {}
    data_rows: list[tuple[int, list[str]]] = []
    declared_issues = {f[1] for _, f in records if len(f) > 1 and f[0] == "#P" and f[1]}

    for line, f in records:
        tag = f[0]
        if tag not in TAGS:
            r.problem(line, "", f"{tag!r} is not a Decide record: a line starts with one of "
                      f"{', '.join(TAGS)}")
            continue
        if tag == "#O":
            if title is None and len(f) > 1 and f[1]:
                title = f[1]
            continue
        if tag == "#/":
            continue
        if tag == "#D":
            data_rows.append((line, f))
            continue
        ident = f[1] if len(f) > 1 else ""
        if not ident:
            r.problem(line, "", f"the {tag} record has no id")
            continue
        if tag == "#A":
            if ident in actors:
                r.problem(line, f"actors[{list(actors).index(ident)}].id",
                          f"duplicate actor {ident!r} (first on line "
                          f"{r.lines[f'actors[{list(actors).index(ident)}]']})")
                continue
            a = len(actors)
            actor: dict[str, Any] = {"id": ident, "position": {}, "salience": {}}
            if len(f) > 2 and f[2] and f[2] != ident:
                actor["name"] = f[2]
            actors[ident] = actor
            r.lines[f"actors[{a}]"] = line
        elif tag == "#P":
            if ident in issues:
                k = list(issues).index(ident)
                r.problem(line, f"issues[{k}].id", f"duplicate issue {ident!r} (first on line "
                          f"{r.lines[f'issues[{k}]']})")
                continue
            k = len(issues)
            issue: dict[str, Any] = {"id": ident}
            texts = list(dict.fromkeys(t for t in f[2:] if t and t != ident))
            if texts:
                issue["label"] = " — ".join(texts)
            issues[ident] = issue
            r.lines[f"issues[{k}]"] = line
        elif tag == "#M":
            if ident not in declared_issues:
                r.problem(line, "", f"#M names issue {ident!r}, which no #P record declares")
                continue
            value = r.number(line, "", f[2] if len(f) > 2 else "", f"scale value of {ident!r}")
            if value is not None:
                marks.setdefault(ident, []).append((value, f[3] if len(f) > 3 else "", line))

    issue_ids = list(issues)
    for iid, values in marks.items():
        k = issue_ids.index(iid)
        lo = min(values, key=lambda v: v[0])
        hi = max(values, key=lambda v: v[0])
        r.lines[f"issues[{k}].scale"] = lo[2]
        if lo[0] == hi[0]:
            r.problem(lo[2], f"issues[{k}].scale", f"the #M values of {iid!r} are all "
                      f"{lo[0]}: the scale needs two different bounds")
            continue
        if (float(lo[0]), float(hi[0])) != (0.0, 100.0):  # 0–100 is the default: leave it so
            issues[iid]["scale"] = [float(lo[0]), float(hi[0])]
        if lo[1]:
            issues[iid]["low"] = lo[1]
        if hi[1]:
            issues[iid]["high"] = hi[1]

    powers: dict[str, dict[str, float]] = {}
    actor_ids = list(actors)
    for line, f in data_rows:
        if len(f) < 6:
            r.problem(line, "", f"a #D record needs actor, issue, position, salience and power; "
                      f"this one has {len(f) - 1} field{'s' if len(f) != 2 else ''}")
            continue
        aid, iid = f[1], f[2]
        known = True
        if aid not in actors:
            r.problem(line, "", f"actor {aid!r} has no #A record")
            known = False
        if iid not in issues:
            r.problem(line, "", f"issue {iid!r} has no #P record")
            known = False
        if not known:
            continue
        a = actor_ids.index(aid)
        actor = actors[aid]
        base = f"actors[{a}]"
        if f"{base}.position.{iid}" in r.lines:
            r.problem(line, f"{base}.position.{iid}", f"a second #D record for actor {aid!r} "
                      f"on issue {iid!r} (first on line {r.lines[f'{base}.position.{iid}']})")
            continue
        for field in ("position", "salience", "capability"):
            r.lines[f"{base}.{field}.{iid}"] = line
        position = r.number(line, f"{base}.position.{iid}", f[3], f"position of {aid!r} on "
                            f"{iid!r}")
        salience = r.number(line, f"{base}.salience.{iid}", f[4], f"salience of {aid!r} on "
                            f"{iid!r}")
        power = r.number(line, f"{base}.capability.{iid}", f[5], f"power of {aid!r} on "
                         f"{iid!r}")
        if salience is not None and not 0 <= salience <= 1:
            r.problem(line, f"{base}.salience.{iid}", f"salience {salience} is outside 0..1 "
                      "(Decide saliences are shares, 0 to 1)")
            salience = min(max(salience, Decimal(0)), Decimal(1))
        if power is not None and power < 0:
            r.problem(line, f"{base}.capability.{iid}", f"power {power} is negative: a "
                      "capability must be 0 or more")
            power = Decimal(0)
        if position is None or salience is None or power is None:
            continue  # reported; leave the actor out of the issue
        actor["position"][iid] = float(position)
        actor["salience"][iid] = float(salience * SALIENCE_FACTOR)
        powers.setdefault(aid, {})[iid] = float(power)

    for a, (aid, actor) in enumerate(actors.items()):
        per_issue = powers.get(aid, {})
        values = set(per_issue.values())
        if len(values) == 1:
            actor["capability"] = values.pop()
            line = min(r.lines[f"actors[{a}].capability.{iid}"] for iid in per_issue)
            r.lines[f"actors[{a}].capability"] = line
        elif per_issue:
            actor["capability"] = per_issue
        else:
            actor["capability"] = 0.0  # an actor with no #D record takes part in nothing

    data: dict[str, Any] = {"title": title or Path(file).stem, "issues": list(issues.values()),
                            "actors": list(actors.values())}
    return validate_after(data, file, r.lines, r.problems)


def load(path: Path, text: str) -> Scenario:
    return loads(text, path.name)


def _share(salience: float) -> str:
    """An accord salience (0–100) as Decide's share (0–1), exactly on the decimal text."""
    share = Decimal(repr(float(salience))) / SALIENCE_FACTOR
    return format(share.normalize(), "f")


def _field(text: str) -> str:
    return " ".join(str(text).split())  # no TABs or line breaks inside a field


def dumps(scenario: Scenario) -> str:
    """The scenario in Decide's format (TAB-separated, unquoted).

    Central values only: ranges, evidence, sources and status quo have no place in the
    format (a ``#/`` comment says so when the scenario has any)."""
    out: list[str] = [f"#O\t{_field(scenario.title)}"]
    if scenario.question:
        out.append(f"#/\t{_field(scenario.question)}")
    ranged = any(q.is_ranged or q.evidence or q.source
                 for actor in scenario.actors
                 for q in [*actor.position.values(), *actor.salience.values(),
                           *(actor.capability.values() if isinstance(actor.capability, dict)
                             else [actor.capability])])
    if ranged or any(i.status_quo is not None for i in scenario.issues):
        out.append("#/\twritten by accord: central values only (ranges, evidence and status "
                   "quo are not part of this format)")
    for actor in scenario.actors:
        out.append(f"#A\t{_field(actor.id)}\t{_field(actor.name or actor.id)}")
    for issue in scenario.issues:
        lo, hi = scenario.scale_of(issue)
        out.append(f"#P\t{_field(issue.id)}\t{_field(issue.label or issue.id)}")
        if (lo, hi) == (0.0, 100.0) and not (issue.low or issue.high):
            continue  # Decide's default scale: no #M lines needed
        out.append(f"#M\t{_field(issue.id)}\t{format_number(lo)}"
                   + (f"\t{_field(issue.low)}" if issue.low else ""))
        out.append(f"#M\t{_field(issue.id)}\t{format_number(hi)}"
                   + (f"\t{_field(issue.high)}" if issue.high else ""))
    for actor in scenario.actors:
        for issue in scenario.issues:
            if issue.id not in actor.position:
                continue
            out.append("\t".join([
                "#D", _field(actor.id), _field(issue.id),
                format_number(actor.position[issue.id].value),
                _share(actor.salience[issue.id].value),
                format_number(actor.capability_on(issue.id).value),
            ]))
    return "\n".join(out) + "\n"

