"""The Scenario type, which is its own validator.

``Scenario.model_validate(data)`` (or ``Scenario(**data)``) either returns a scenario every
model can run on, or raises :class:`~accord.scenario.problems.ScenarioError` with every
problem found, each with its path, value and what is allowed. Types and the shape of a
number are checked by pydantic; the rules that tie fields together (ids, scales, ranges,
participation, sources, named shocks) by :func:`rules`, which runs once the types are
right (shared/DESIGN.md, "The scenario file"). Loaders add the file and line.

To add a section (``ledger:``, ``war:`` ...): declare it as a field of :class:`Scenario`, a
pydantic model of its own with ``extra="forbid"`` and defaults, so old files stay valid. Checks
within the section go on its model (constraints, or an after-validator raising
``ValueError("what is wrong")``: the message is reported at the section's path, with the
file's line). Checks that refer to actors or issues go in a function ``(Scenario) ->
list[Problem]`` called from :func:`rules`, like :func:`_source_problems`.
"""
# Longer than ~500 lines on purpose: the Scenario type and its rules are one concern (the type
# is the validator, issue 10); the cross-field rules need every section's type beside them.
# A section with many rules of its own gets its own module (conflict.py).

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from accord.errors import ShockError
from accord.scenario.conflict import conflict_problems
from accord.scenario.conflict import quantities as conflict_quantities
from accord.scenario.edits import edit_data
from accord.scenario.problems import (
    Problem,
    ScenarioError,
    fmt,
    is_number,
    path_of,
    problem,
    unique,
)

SALIENCE_RANGE = (0.0, 100.0)
DEFAULT_SCALE = (0.0, 100.0)
QUANTITY_FIELDS = frozenset({"value", "low", "high", "dist", "evidence", "source", "note"})
QUANTITY_FORM = "a number or an object {value, low, high, dist, evidence, source, note}"
SCALE_FORM = "a [low, high] pair with low < high"
#: The largest magnitude of any number in a scenario (README, "Limits"): far beyond any real
#: capability or scale, small enough that no model's arithmetic overflows.
MAX_MAGNITUDE = 1e12
MAGNITUDE_FORM = "a number within ±1e12"

Bounded = Annotated[float, Field(ge=-MAX_MAGNITUDE, le=MAX_MAGNITUDE)]


def _bare_to_quantity(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # let pydantic reject it
    if isinstance(value, int | float):
        return {"value": value}
    return value


class Quantity(BaseModel):
    """A number with its uncertainty range and the evidence behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: Bounded
    low: Bounded | None = None
    high: Bounded | None = None
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


def _ordered(scale: tuple[Bounded, Bounded]) -> tuple[float, float]:
    if not scale[0] < scale[1]:
        raise ValueError(SCALE_FORM)
    return scale


Scale = Annotated[tuple[Bounded, Bounded], AfterValidator(_ordered)]


def _capability_form(value: Any) -> str:
    """One capability (a number or a number object), or a mapping issue -> capability."""
    if isinstance(value, dict) and not (set(value) & QUANTITY_FIELDS):
        return "per_issue"
    return "one"


Capability = Annotated[
    Annotated[Number, Tag("one")] | Annotated[dict[str, Number], Tag("per_issue")],
    Discriminator(_capability_form),
]


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
    scale: Scale | None = None
    status_quo: Number | None = None


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: str | None = None
    capability: Capability
    position: dict[str, Number]
    salience: dict[str, Number]

    def capability_on(self, issue_id: str) -> Quantity:
        if isinstance(self.capability, dict):
            return self.capability[issue_id]
        return self.capability

    def quantities(self, path: str) -> Iterator[tuple[str, Quantity]]:
        """(path, number) of every number of the actor."""
        if isinstance(self.capability, dict):
            for iid, q in self.capability.items():
                yield f"{path}.capability.{iid}", q
        else:
            yield f"{path}.capability", self.capability
        for field in ("position", "salience"):
            for iid, q in getattr(self, field).items():
                yield f"{path}.{field}.{iid}", q


# --------------------------------------------------------------------------- conflict


def _iso_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


class Sides(BaseModel):
    """Who fights: side ``a`` wants the top of the issue's scale, side ``b`` the bottom."""

    model_config = ConfigDict(extra="forbid")
    a: list[str]
    b: list[str]


class Truth(BaseModel):
    """The analyst's estimate of the front's process: it moves drift + volatility·ε a period."""

    model_config = ConfigDict(extra="forbid")
    drift: Number
    volatility: Number


class Belief(BaseModel):
    """A side's prior belief about the drift: normal with mean ``drift`` and sd ``sd``."""

    model_config = ConfigDict(extra="forbid")
    drift: Number
    sd: Number


class Conflict(BaseModel):
    """The fighting that decides one issue (shared/DESIGN.md, "Bargaining under fire"): the
    war model's inputs. Its rules are in :mod:`accord.scenario.conflict`."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    issue: str
    sides: Sides
    mediators: list[str] = Field(default_factory=list)
    start: Annotated[str | None, BeforeValidator(_iso_date)] = None
    period: Literal["day", "week", "month", "quarter", "year"] = "month"
    horizon: int
    front: Number | None = None
    truth: Truth
    beliefs: dict[str, Belief]
    costs: dict[str, Number]
    power: Number | None = None
RULE_KINDS = ("weighted-majority", "unanimity", "majority")


class Rule(BaseModel):
    """How the negotiation decides (shared/DESIGN.md, "Decision rules").

    kind: ``weighted-majority`` (a coalition wins with at least ``threshold`` of the
    weights), ``majority`` (more than half of the weights) or ``unanimity`` (every voter).
    weights: votes per actor id (actors not listed do not vote); default: capability.
    veto: actors whose consent every decision needs.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    kind: Literal["weighted-majority", "unanimity", "majority"]
    threshold: float | None = None
    weights: dict[str, float] | None = None
    veto: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _threshold_fits_kind(self) -> Rule:
        t = self.threshold
        if self.kind == "weighted-majority":
            if t is None:
                raise ValueError("threshold is required for a weighted-majority rule: the "
                                 "share of the weights a coalition needs, e.g. 0.72 (above "
                                 "0.5, at most 1)")
            if not 0.5 < t <= 1.0:
                raise ValueError(f"threshold {fmt(t)} is not allowed: a share above 0.5 and "
                                 "at most 1 (e.g. 232/321 = 0.7227)")
        elif t is not None:
            raise ValueError(f"threshold {fmt(t)} is not allowed: a {self.kind} rule fixes its "
                             "threshold (give kind: weighted-majority for another share)")
        if self.weights is not None:
            if any(w < 0 for w in self.weights.values()):
                bad = [a for a, w in self.weights.items() if w < 0]
                raise ValueError(f"weights of {', '.join(bad)} are negative: a vote weight is "
                                 "0 or more")
            if self.weights and all(w == 0 for w in self.weights.values()):
                raise ValueError("every weight is 0: nobody votes")
        return self

    @property
    def share(self) -> float:
        """The winning share τ of the weights (majority: 0.5, passed strictly)."""
        if self.kind == "unanimity":
            return 1.0
        if self.kind == "majority":
            return 0.5
        return float(self.threshold if self.threshold is not None else 0.5)

    @property
    def strict(self) -> bool:
        """True when a coalition must have more than τ (majority), not τ or more."""
        return self.kind == "majority"


class Scenario(BaseModel):
    """A negotiation: who bargains over what, from where, with how much clout."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    title: str = "Untitled scenario"
    date: str | None = None
    question: str | None = None
    sources: list[Source] = Field(default_factory=list)
    scale: Scale = DEFAULT_SCALE
    issues: list[Issue]
    actors: list[Actor]
    shocks: dict[str, list[str]] = Field(default_factory=dict)
    conflict: Conflict | None = None
    rule: Rule | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _whole(cls, data: Any, handler: Any) -> Scenario:
        unreadable = text_problems(data)
        if unreadable:
            raise ScenarioError(unreadable)
        try:
            scenario = handler(data)
        except ValidationError as err:
            found = [*type_problems(err, data), *_rules_of_what_typed(data)]
            raise ScenarioError(unique(found)) from None
        found = rules(scenario)
        if found:
            raise ScenarioError(unique(found))
        return scenario

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


# --------------------------------------------------------------------------- type problems


def text_problems(data: Any) -> list[Problem]:
    """Text no file can hold (a lone surrogate, e.g. ``"\\ud800"`` in JSON), by path; and
    data nested beyond any scenario (a list in a list in a list ...). Walked without
    recursion."""
    found: list[Problem] = []
    # each item's path as a chain (parent's chain, key), spelt out only for a problem
    todo: list[tuple[Any, Any, int]] = [(data, None, 0)]

    def loc(chain: Any) -> list[Any]:
        parts = []
        while chain is not None:
            chain, part = chain
            parts.append(part)
        return parts[::-1]

    while todo and len(found) < 20:
        item, chain, depth = todo.pop()
        if depth > 12:
            found.append(problem(path_of(loc(chain)), "is nested too deeply for a scenario"))
            continue
        if isinstance(item, str):
            if item.isascii():
                continue
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                found.append(problem(path_of(loc(chain)), f"{ascii(item)[:40]} holds a lone "
                                     "surrogate (\\ud800-\\udfff), which is not text",
                                     ascii(item), "text (UTF-8)"))
        elif isinstance(item, dict):
            depth += 1
            todo += [(k, (chain, "(key)"), depth) for k in item if isinstance(k, str)]
            todo += [(v, (chain, str(k)), depth) for k, v in item.items()]
        elif isinstance(item, list | tuple):
            depth += 1
            todo += [(v, (chain, k), depth) for k, v in enumerate(item)]
    return found



def _lookup(data: Any, loc: list[Any]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _type_message(e: Any) -> tuple[str, str | None]:
    """A pydantic error in the words of a scenario file's author: (message, allowed)."""
    value = e.get("input")
    kind = e["type"]
    if kind == "missing":
        return "is required but missing", None
    if kind == "extra_forbidden":
        return "is not a known field", None
    if kind in ("less_than_equal", "greater_than_equal"):
        return f"{fmt(value)} is too large: numbers must lie within ±1e12", MAGNITUDE_FORM
    if kind == "finite_number":
        return f"{fmt(value)} is not allowed: numbers must be finite", "a finite number"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        hint = " (write 25, not 25%)" if isinstance(value, str) and value.strip().endswith(
            "%") else ""
        return f"{fmt(value)} is not a number{hint}", "a number"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{fmt(value)} is not allowed: expected {QUANTITY_FORM}", QUANTITY_FORM
    if kind == "string_type":
        return f"{fmt(value)} is not text", "text"
    if kind == "list_type":
        return f"{fmt(value)} is not allowed: expected a list", "a list"
    if kind == "value_error":  # a section's own check: ``raise ValueError("what is wrong")``
        return str(e["ctx"]["error"]), None
    return f"{fmt(value)} is not allowed: {e['msg']}", None


def type_problems(err: ValidationError, data: Any) -> Iterator[Problem]:
    """The problems of a pydantic ValidationError, by path."""
    for e in err.errors():
        loc = [p for p in e["loc"] if p not in ("one", "per_issue")
               and not str(p).startswith("function-")]
        if "scale" in loc:  # one message for the pair, whatever is wrong in it
            loc = loc[: loc.index("scale") + 1]
            raw = _lookup(data, loc)
            if isinstance(raw, list | tuple) and any(
                    is_number(x) and abs(x) > MAX_MAGNITUDE for x in raw):
                yield problem(path_of(loc), f"{fmt(raw)} is too large: numbers must lie "
                              "within ±1e12", raw, f"{SCALE_FORM}, {MAGNITUDE_FORM}")
                continue
            yield problem(path_of(loc), f"{fmt(raw)} is not {SCALE_FORM}", raw, SCALE_FORM)
            continue
        if loc[:1] == ["shocks"] and e["type"] == "list_type":
            yield problem(path_of(loc), "must be a list of edits, e.g. ['RUS.capability=40']",
                          e.get("input"), "a list of edits")
            continue
        if loc and loc[-1] == "value" and is_number(_lookup(data, loc[:-1])) is False \
                and isinstance(_lookup(data, loc[:-1]), float):
            loc = loc[:-1]  # a bare number (nan, inf): name the number, not its .value
        message, allowed = _type_message(e)
        yield problem(path_of(loc), message, e.get("input"), allowed)


# --------------------------------------------------------------------------- rules


def _range_problems(path: str, q: Quantity, lo: float, hi: float) -> Iterator[Problem]:
    """Value and range inside [lo, hi] (hi may be inf), and low <= value <= high."""
    if lo <= q.value <= hi and (q.low is None or lo <= q.low <= q.value) and (
            q.high is None or q.value <= q.high <= hi):
        return  # nothing to say: no message formatted (a 200-actor file has 1 400 of these)
    allowed = f"{fmt(lo)}..{fmt(hi)}" if math.isfinite(hi) else f"{fmt(lo)} or more"
    where = f"outside {fmt(lo)}..{fmt(hi)}" if math.isfinite(hi) else f"below {fmt(lo)}"
    if not lo <= q.value <= hi:
        yield problem(path, f"{fmt(q.value)} is {where}", q.value, allowed)
    if q.low is not None:
        if q.low > q.value:
            yield problem(f"{path}.low", f"low {fmt(q.low)} is above the value "
                          f"{fmt(q.value)}", q.low, f"at most {fmt(q.value)}")
        elif not lo <= q.low <= hi:
            yield problem(f"{path}.low", f"{fmt(q.low)} is {where}", q.low, allowed)
    if q.high is not None:
        if q.high < q.value:
            yield problem(f"{path}.high", f"high {fmt(q.high)} is below the value "
                          f"{fmt(q.value)}", q.high, f"at least {fmt(q.value)}")
        elif not lo <= q.high <= hi:
            yield problem(f"{path}.high", f"{fmt(q.high)} is {where}", q.high, allowed)


def _rules_of_what_typed(data: Any) -> list[Problem]:
    """The rules, run on the issues and actors that typed well when others did not, so a
    file's problems are all reported at once. Checks that need a part that failed (the
    range of a position on an issue whose scale is wrong, who takes part, the shocks) are
    left out rather than reported as follow-on errors."""
    if not isinstance(data, dict):
        return []

    def typed(model: type[BaseModel], raw: Any) -> Any:
        try:
            return model.model_validate(raw)
        except ValidationError:
            return None

    raw_issues = data.get("issues") if isinstance(data.get("issues"), list) else []
    raw_actors = data.get("actors") if isinstance(data.get("actors"), list) else []
    issues = [typed(Issue, raw) for raw in raw_issues]
    actors = [typed(Actor, raw) for raw in raw_actors]
    scale_ok = typed(_ScaleOnly, {"scale": data.get("scale", DEFAULT_SCALE)})
    unusable = {raw["id"] for raw, issue in zip(raw_issues, issues, strict=True)
                if isinstance(raw, dict) and isinstance(raw.get("id"), str)
                and (issue is None or (scale_ok is None and issue.scale is None))}
    sources = [typed(Source, raw) for raw in data.get("sources") or []] \
        if isinstance(data.get("sources"), list) else [None]
    sc = Scenario.model_construct(
        issues=issues, actors=actors, sources=[] if None in sources else sources,
        scale=DEFAULT_SCALE if scale_ok is None else scale_ok.scale)
    return rules(sc, unusable, partial=True, check_sources=None not in sources)


class _ScaleOnly(BaseModel):
    scale: Scale


def rules(sc: Scenario, unusable: set[str] | None = None, partial: bool = False,
          check_sources: bool = True) -> list[Problem]:
    """Every rule that ties the fields of a well-typed scenario together.

    ``partial``: some issues or actors did not type (they are None in ``sc``); ``unusable``
    the ids of issues that exist but whose scale is unknown.
    """
    found: list[Problem] = []
    add = found.append
    unusable = unusable or set()
    if not sc.issues and not partial:
        add(problem("issues", "the scenario needs at least one issue"))
    if not sc.actors and not partial:
        add(problem("actors", "the scenario needs at least one actor"))

    scales: dict[str, tuple[float, float] | None] = dict.fromkeys(unusable)
    for k, issue in enumerate(sc.issues):
        if issue is None:
            continue
        if issue.id in scales and issue.id not in unusable:
            add(problem(f"issues[{k}].id", f"duplicate issue id {issue.id!r}", issue.id,
                        "an id no other issue has"))
            continue
        if issue.id in unusable:
            continue
        scales[issue.id] = sc.scale_of(issue)
        if issue.status_quo is not None:
            found += _range_problems(f"issues[{k}].status_quo", issue.status_quo,
                                     *sc.scale_of(issue))
    known = ", ".join(scales) or "(none)"

    def unknown(path: str, iid: str) -> Problem:
        return problem(path, f"unknown issue id {iid!r}; the issues are: {known}", iid, known)

    seen: set[str] = set()
    for a, actor in enumerate(sc.actors):
        if actor is None:
            continue
        path = f"actors[{a}]"
        if actor.id in seen:
            add(problem(f"{path}.id", f"duplicate actor id {actor.id!r}", actor.id,
                        "an id no other actor has"))
        seen.add(actor.id)
        pairs = (("position", actor.position, "salience", actor.salience),
                 ("salience", actor.salience, "position", actor.position))
        for field, table, other, other_table in pairs:
            for iid, q in table.items():
                if iid not in scales:
                    add(unknown(f"{path}.{field}.{iid}", iid))
                    continue
                bounds = scales[iid] if field == "position" else SALIENCE_RANGE
                if bounds is not None:
                    found += _range_problems(f"{path}.{field}.{iid}", q, *bounds)
                if iid not in other_table:
                    add(problem(f"{path}.{other}.{iid}", f"is missing: the actor has a {field} "
                                f"on {iid!r} but no {other}"))
        if isinstance(actor.capability, dict):
            for iid, q in actor.capability.items():
                if iid not in scales:
                    add(unknown(f"{path}.capability.{iid}", iid))
                else:
                    found += _range_problems(f"{path}.capability.{iid}", q, 0.0, math.inf)
            for iid in actor.position:
                if iid in scales and iid not in actor.capability:
                    add(problem(f"{path}.capability.{iid}", f"is missing: capability is given "
                                f"per issue but not for {iid!r}"))
        else:
            found += _range_problems(f"{path}.capability", actor.capability, 0.0, math.inf)
        found += _fractional_saliences(path, actor)

    if not partial:
        taking_part = {iid for actor in sc.actors for iid in actor.position}
        for k, issue in enumerate(sc.issues):
            if issue.id not in taking_part:
                add(problem(f"issues[{k}]", f"nobody takes part in issue {issue.id!r}"))
    if sc.conflict is not None and not partial:
        found += conflict_problems(sc, scales, _range_problems)
    if check_sources:
        found += _source_problems(sc)
    found += _rule_problems(sc)
    if not found and not partial:
        found += _shock_problems(sc)
    return found


def _rule_problems(sc: Scenario) -> list[Problem]:
    """The rule's weights and vetoes name actors of the scenario."""
    if sc.rule is None:
        return []
    ids = set(sc.actor_ids)
    known = ", ".join(sorted(ids))
    found = [problem(f"rule.weights.{a}", f"unknown actor id {a!r}; the actors are: {known}",
                     a, known) for a in (sc.rule.weights or {}) if a not in ids]
    found += [problem(f"rule.veto[{k}]", f"unknown actor id {a!r}; the actors are: {known}",
                      a, known) for k, a in enumerate(sc.rule.veto) if a not in ids]
    return found


def _fractional_saliences(path: str, actor: Actor) -> list[Problem]:
    """An actor whose saliences were typed on 0-1 in a 0-100 file (all at most 1, some
    fractional) would count as paying almost no attention: say so."""
    values = [q.value for q in actor.salience.values()]
    if not values or max(values) > 1.0 or not any(0.0 < v < 1.0 for v in values):
        return []
    shown = ", ".join(fmt(v) for v in values)
    return [problem(f"{path}.salience", f"every salience of {actor.id!r} is at most 1 ({shown}),"
                    " which on the 0-100 scale means almost no attention: if they are shares "
                    "of 1, multiply them by 100", values, "0..100")]


def _source_problems(sc: Scenario) -> list[Problem]:
    ids = {s.id for s in sc.sources}
    allowed = ", ".join(sorted(ids)) if ids else "(none: list them under sources:)"
    numbers = [(f"issues[{k}].status_quo", i.status_quo) for k, i in enumerate(sc.issues)
               if i is not None and i.status_quo is not None]
    numbers += [n for a, actor in enumerate(sc.actors) if actor is not None
                for n in actor.quantities(f"actors[{a}]")]
    if sc.conflict is not None:
        numbers += list(conflict_quantities(sc.conflict))
    return [problem(f"{path}.source", f"source {q.source!r} is not in sources; the sources "
                    f"are: {allowed}", q.source, allowed)
            for path, q in numbers if q.source is not None and q.source not in ids]


def _shock_problems(sc: Scenario) -> list[Problem]:
    """Dry-run every edit of the scenario's named shocks, so a typo is caught on load."""
    found: list[Problem] = []
    if not sc.shocks:
        return found
    base = sc.model_dump(mode="json", exclude_none=True)
    base.pop("shocks")
    for name, edits in sc.shocks.items():
        current = base
        for k, edit in enumerate(edits):
            path = f"shocks.{name}[{k}]"
            try:
                data = edit_data(current, [edit])
                Scenario.model_validate(data)
            except ShockError as err:
                found.append(problem(path, str(err), edit))
            except ScenarioError as err:
                reasons = "; ".join(f"{p.path}: {p.message}" for p in err.problems)
                found.append(problem(path, f"{edit!r} makes the scenario invalid: {reasons}",
                                     edit))
            else:
                current = data
    return found
