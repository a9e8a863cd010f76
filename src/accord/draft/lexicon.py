"""The offline engine's data: cue lexicon, issue catalog and gazetteer, loaded from YAML.

The rules live in ``accord/draft/data/*.yaml`` (package data), not in code: ``cues.yaml`` (cue
words per stance direction, hedges, anonymous sourcing, salience and capability cues, the
attribution word lists and how stances become numbers), ``issues.yaml`` (the issue catalog)
and ``gazetteer.yaml`` (states, leaders, organisations). Every ISO 3166 state is an actor
through ``pycountry``; a user's gazetteer file adds actors and aliases and takes precedence.

Phrase patterns are compiled to regular expressions by :func:`compile_phrases`: words match
whole and case-insensitively, ``word*`` matches any ending, ``...`` allows up to three words
in between, and the two apostrophes (’ ') are one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from accord.errors import DraftError

_APOSTROPHE = "['’]"
_GAP = r"(?:\s+\S+){0,3}?\s+"


def _word(word: str) -> str:
    star = word.endswith("*") and len(word) > 1
    core = word[:-1] if star else word
    pattern = "".join(_APOSTROPHE if c in "'’" else re.escape(c) for c in core)
    return pattern + (r"[\w'’-]*" if star else "")


def phrase_regex(phrase: str) -> str:
    """The regular expression of one phrase pattern (see the module docstring)."""
    words = phrase.split()
    if not words:
        raise DraftError(f"an empty phrase in the drafting lexicon: {phrase!r}")
    out = ""
    for k, w in enumerate(words):
        if w == "...":
            continue
        if k > 0:
            out += _GAP if words[k - 1] == "..." else r"[\s]+"
        out += _word(w)
    left = r"(?<![\w])" if (phrase[0].isalnum() and not phrase.startswith("n'")) else ""
    right = r"(?![\w])" if (phrase.rstrip("*")[-1].isalnum() or phrase.endswith("*")) else ""
    return left + out + right


def compile_phrases(phrases: list[str], *, case: bool = False) -> re.Pattern[str] | None:
    """One regex matching any of the phrases, longest first (None for no phrases)."""
    if not phrases:
        return None
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    flags = 0 if case else re.IGNORECASE
    return re.compile("|".join(f"(?:{phrase_regex(p)})" for p in ordered), flags)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str
    label: Any


def find_all(labelled: list[tuple[re.Pattern[str] | None, Any]], text: str) -> list[Match]:
    """Non-overlapping matches of several labelled patterns; where two overlap, the longer
    wins (then the earlier)."""
    found: list[Match] = []
    for pattern, label in labelled:
        if pattern is None:
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append(Match(m.start(), m.end(), m.group(0), label))
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    kept: list[Match] = []
    for m in found:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# --------------------------------------------------------------------------- loading


def _read_yaml(path: Path | Any, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DraftError(f"{path}: no such {what} file") from None
    except UnicodeDecodeError:
        raise DraftError(f"{path}: is not UTF-8 text") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise DraftError(f"{where}: malformed YAML in the {what} file: "
                         f"{getattr(err, 'problem', err)}") from None


def _data(name: str) -> Any:
    return _read_yaml(resources.files("accord.draft") / "data" / name, "drafting data")


def _phrases(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DraftError(f"{where}: expected a list of phrases, found {value!r}")
    return value


@dataclass(frozen=True)
class Cues:
    """The compiled cue lexicon (cues.yaml)."""

    sign: list[tuple[re.Pattern[str] | None, str]]  # support, oppose, negation, speech
    hedge: re.Pattern[str] | None
    anonymous: re.Pattern[str] | None
    salience_high: re.Pattern[str] | None
    capability: list[tuple[re.Pattern[str] | None, str]]
    reaction: list[tuple[re.Pattern[str] | None, str]]
    agent_nouns: str  # a regex alternation
    not_holder_after: frozenset[str]
    determiners: frozenset[str]
    barriers: tuple[str, ...]
    pronouns: tuple[str, ...]
    back_reference: tuple[str, ...]
    coordinators: re.Pattern[str]
    numbers: dict[str, Any]


@cache
def cues() -> Cues:
    data = _data("cues.yaml")
    att = data["attribution"]
    coord = "|".join(re.escape(c) for c in sorted(att["coordinators"], key=len, reverse=True))
    nouns = sorted(att["agent_nouns"], key=len, reverse=True)
    return Cues(
        sign=[(compile_phrases(data[k]), k) for k in ("support", "oppose", "negation", "speech")],
        hedge=compile_phrases(data["hedge"]),
        anonymous=compile_phrases(data["anonymous"]),
        salience_high=compile_phrases(data["salience_high"]),
        capability=[(compile_phrases(data["capability_high"]), "high"),
                    (compile_phrases(data["capability_low"]), "low")],
        reaction=[(compile_phrases(data["reaction_oppose"]), "oppose"),
                  (compile_phrases(data["reaction_support"]), "support"),
                  (compile_phrases(data["reaction_anchor"]), "anchor")],
        agent_nouns="|".join(re.escape(n).replace("’", _APOSTROPHE) for n in nouns),
        not_holder_after=frozenset(w.lower() for w in att["not_holder_after"]),
        determiners=frozenset(w.lower() for w in att["determiners"]),
        barriers=tuple(att["barriers"]),
        pronouns=tuple(att["pronouns"]),
        back_reference=tuple(att["back_reference"]),
        coordinators=re.compile(rf"^\s*(?:(?:{coord})\s*)+(?:the\s+|a\s+|an\s+)?$"),
        numbers=data["numbers"],
    )


# --------------------------------------------------------------------------- issues


@dataclass(frozen=True)
class IssueRules:
    """One issue with the meaning of its ends and the phrases that place stances on it."""

    id: str
    label: str
    low: str
    high: str
    terms: list[tuple[re.Pattern[str] | None, tuple[str, int]]]  # (kind, pole)
    context: re.Pattern[str] | None = None
    context_min: int = 0
    scale: tuple[float, float] | None = None

    def active(self, text: str) -> bool:
        """Whether the text has enough of the issue's context phrases to propose it."""
        if self.context is None or self.context_min <= 0:
            return True
        found = {m.group(0).lower() for m in self.context.finditer(text)}
        return len(found) >= self.context_min


def _issue_rules(entry: dict[str, Any], where: str, base: dict[str, Any] | None = None
                 ) -> IssueRules:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise DraftError(f"{where}: each issue needs an id (text), found {entry!r}")
    merged = {**(base or {}), **entry}
    terms: list[tuple[re.Pattern[str] | None, tuple[str, int]]] = []
    for kind in ("acts", "topics"):
        section = merged.get(kind) or {}
        if not isinstance(section, dict):
            raise DraftError(f"{where}.{kind}: expected {{high: [...], low: [...]}}")
        for end, pole in (("high", 1), ("low", -1)):
            phrases = _phrases(section.get(end), f"{where}.{kind}.{end}")
            terms.append((compile_phrases(phrases), (kind[:-1], pole)))
    terms.append((compile_phrases(_phrases(merged.get("concede"), f"{where}.concede")),
                  ("concede", 0)))
    context = merged.get("context") or {}
    scale = merged.get("scale")
    return IssueRules(
        id=merged["id"],
        label=str(merged.get("label") or merged["id"]),
        low=str(merged.get("low") or "low end"),
        high=str(merged.get("high") or "high end"),
        terms=terms,
        context=compile_phrases(_phrases(context.get("terms"), f"{where}.context.terms")),
        context_min=int(context.get("min", 0)),
        scale=tuple(scale) if isinstance(scale, list | tuple) and len(scale) == 2 else None,
    )


@cache
def _catalog_data() -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in _data("issues.yaml")["issues"]}


def catalog() -> list[IssueRules]:
    """The built-in issue catalog (issues.yaml)."""
    return list(_catalog())


@cache
def _catalog() -> tuple[IssueRules, ...]:
    return tuple(_issue_rules(e, f"issues.yaml: issues[{k}]")
                 for k, e in enumerate(_catalog_data().values()))


def user_issues(path: str | Path) -> list[IssueRules]:
    """The analyst's issues (``--issues FILE``): a YAML list of {id, label, low, high} with
    optional phrases; an id of the catalog borrows the catalog's phrases."""
    p = Path(path)
    data = _read_yaml(p, "issues")
    if isinstance(data, dict) and "issues" in data:
        data = data["issues"]
    if not isinstance(data, list) or not data:
        raise DraftError(f"{p}: expected a YAML list of issues, each {{id, label, low, high}}")
    known = _catalog_data()
    out = []
    seen = set()
    for k, entry in enumerate(data):
        where = f"{p}: issues[{k}]"
        rules = _issue_rules(entry, where, known.get(entry.get("id")) if isinstance(
            entry, dict) else None)
        if rules.id in seen:
            raise DraftError(f"{where}.id: duplicate issue id {rules.id!r}")
        seen.add(rules.id)
        for key in ("low", "high"):
            if not isinstance(entry.get(key, known.get(rules.id, {}).get(key)), str):
                raise DraftError(f"{where}.{key}: say what the {key} end of the scale means "
                                 f"(text), e.g. {key}: 'No ceasefire'")
        out.append(rules)
    return out


# --------------------------------------------------------------------------- gazetteer


@dataclass
class Gazetteer:
    """Actors and the names that refer to them."""

    names: dict[str, str] = field(default_factory=dict)  # actor id -> display name
    kinds: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> actor id
    demonyms: dict[str, str] = field(default_factory=dict)  # demonym -> actor id
    _matcher: tuple[Any, re.Pattern[str]] | None = field(default=None, repr=False)

    def add(self, entry: dict[str, Any], where: str, *, override: bool) -> None:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise DraftError(f"{where}: each actor needs an id (text), found {entry!r}")
        aid = entry["id"]
        self.names[aid] = str(entry.get("name") or self.names.get(aid) or aid)
        self.kinds[aid] = str(entry.get("kind") or self.kinds.get(aid) or "actor")
        for key, table in (("aliases", self.aliases), ("demonyms", self.demonyms)):
            for alias in _phrases(entry.get(key), f"{where}.{key}"):
                if override or alias not in table:
                    table[alias] = aid

    def matcher(self, agent_nouns: str) -> re.Pattern[str]:
        key = (agent_nouns, len(self.aliases), len(self.demonyms))
        if self._matcher is None or self._matcher[0] != key:
            self._matcher = (key, self._compile(agent_nouns))
        return self._matcher[1]

    def _compile(self, agent_nouns: str) -> re.Pattern[str]:
        """One regex over every alias (with an optional possessive) and demonym + agent noun;
        the group name tells which."""
        def alt(names: list[str]) -> str:
            return "|".join(_exact(n) for n in sorted(names, key=len, reverse=True))

        return re.compile(
            rf"(?<![\w.])(?:(?P<dem>{alt(list(self.demonyms))})\s+(?:\w+\s+)?(?:{agent_nouns})"
            rf"|(?P<alias>{alt(list(self.aliases))}))(?P<poss>['’]s)?(?![\w])"
        )


def _exact(name: str) -> str:
    return "".join(_APOSTROPHE if c in "'’" else re.escape(c) for c in name).replace(
        r"\ ", r"\s+")


def _pycountry_entries() -> list[dict[str, Any]]:
    import pycountry  # lazy: only drafting needs it

    entries = []
    for c in pycountry.countries:
        names = {c.name, getattr(c, "common_name", c.name)}
        entries.append({"id": c.alpha_3, "name": getattr(c, "common_name", c.name),
                        "kind": "state", "aliases": sorted(n for n in names if "," not in n)})
    return entries


@cache
def _builtin_gazetteer_data() -> list[dict[str, Any]]:
    return _data("gazetteer.yaml")["actors"]


def gazetteer(extra: str | Path | None = None) -> Gazetteer:
    """The built-in gazetteer (pycountry's states plus gazetteer.yaml), extended by the user's
    file (same format; its aliases take precedence)."""
    if extra is None:
        return _builtin_gazetteer()
    return _gazetteer(extra)


@cache
def _builtin_gazetteer() -> Gazetteer:
    return _gazetteer(None)


def _gazetteer(extra: str | Path | None) -> Gazetteer:
    g = Gazetteer()
    for entry in _pycountry_entries():
        g.add(entry, "pycountry", override=False)
    for k, entry in enumerate(_builtin_gazetteer_data()):
        g.add(entry, f"gazetteer.yaml: actors[{k}]", override=True)
    if extra is not None:
        p = Path(extra)
        data = _read_yaml(p, "gazetteer")
        actors = data.get("actors") if isinstance(data, dict) else None
        if not isinstance(actors, list):
            raise DraftError(f"{p}: expected a mapping with a list `actors:` of "
                             "{id, name, aliases, demonyms}")
        for k, entry in enumerate(actors):
            g.add(entry, f"{p}: actors[{k}]", override=True)
    return g
