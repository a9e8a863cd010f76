"""The offline drafting engine: rules over sentences, with every rule's words in data files.

Per sentence (:mod:`accord.draft.text`):

1. **Mentions** of actors from the gazetteer (aliases, possessives, a demonym before an agent
   noun: "Russian troops"). A mention right after a preposition, a condition or an object-taking
   verb ("with Putin", "if Washington", "support Ukraine") is not a *holder* of a statement.
   A sentence opening with "They"/"He"/"She" refers to the previous sentence's first holder.
2. **Terms**: issue phrases of the catalog, each with the end of the scale it names (acts,
   topics, concessions; see issues.yaml).
3. **Attribution**: for each term, the nearest holder before it holds the statement, with the
   sign of the cues between them (support +1, oppose −1, negation flips; cues before a clause
   barrier do not count). A holder further back whose own cue governs the clause ("European
   leaders are concerned that Trump may push for a quick peace deal") takes the product of
   both signs: an inferred, moderate stance. Holders joined by "and" share a stance. A
   reaction after the statement ("…, a step the SPD rejects"; "met with caution in Europe")
   gives the named actor the opposite (or same) side.
4. **Hedges and anonymous sourcing** in the sentence, or in a following sentence that only
   says where the claim came from, are recorded on the stance; the builder widens its range.
5. **Salience and capability** cues mark the sentence's stances as salient or give its
   holder a capability reading.

This is a bag of transparent heuristics (in the tradition of event coders such as TABARI and
PETRARCH: dictionaries of actors and verb phrases), not a parser: it proposes, the analyst
decides. Its accuracy is measured in benchmarks/bench_draft.py.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from accord.draft import lexicon
from accord.draft.lexicon import Cues, Gazetteer, IssueRules, Match, find_all
from accord.draft.schema import Findings, FoundActor, FoundCapability, FoundStance
from accord.draft.text import Article, Sentence

_SIGN = {"support": 1, "oppose": -1, "negation": -1, "speech": 1}


@dataclass
class Mention:
    start: int
    end: int
    actor: str
    text: str
    holder: bool


@dataclass
class Term:
    start: int
    end: int
    issue: str
    kind: str  # act, topic, concede
    pole: int  # +1 high, -1 low, 0 concession


@dataclass
class _Chain:
    holder: Mention
    sign: int
    cued: bool


@dataclass
class _Sentence:
    sentence: Sentence
    mentions: list[Mention] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)


def _word_before(text: str, start: int, skip: frozenset[str]) -> str:
    words = re.findall(r"[\w'’-]+|[^\w\s]", text[:start])
    while words and words[-1].lower() in skip:
        words.pop()
    return words[-1].lower() if words else ""


def find_mentions(text: str, gaz: Gazetteer, cues: Cues, pattern: re.Pattern[str]
                  ) -> list[Mention]:
    """Actor mentions in one sentence, adjacent mentions of one actor merged."""
    raw: list[Mention] = []
    for m in pattern.finditer(text):
        if m.group("dem") is not None:
            actor = gaz.demonyms[_canonical(m.group("dem"), gaz.demonyms)]
        else:
            actor = gaz.aliases[_canonical(m.group("alias"), gaz.aliases)]
        before = _word_before(text, m.start(), cues.determiners)
        raw.append(Mention(m.start(), m.end(), actor, m.group(0),
                           holder=before not in cues.not_holder_after))
    for prev, m in itertools.pairwise(raw):  # "between Putin and Trump"
        if not prev.holder and cues.coordinators.match(text[prev.end:m.start]):
            m.holder = False
    merged: list[Mention] = []
    for m in raw:
        prev = merged[-1] if merged else None
        if prev and prev.actor == m.actor and not text[prev.end:m.start].strip():
            merged[-1] = Mention(prev.start, m.end, m.actor, text[prev.start:m.end], prev.holder)
        else:
            merged.append(m)
    return merged


def _canonical(found: str, table: dict[str, str]) -> str:
    if found in table:
        return found
    key = re.sub(r"\s+", " ", found.replace("’", "'"))
    for name in table:
        if re.sub(r"\s+", " ", name.replace("’", "'")) == key:
            return name
    raise KeyError(found)


def _barrier_end(text: str, start: int, end: int, barriers: tuple[str, ...]) -> int:
    """The end of the last clause barrier in text[start:end], or start."""
    span = text[start:end]
    best = 0
    for b in barriers:
        k = span.rfind(b)
        if k >= 0:
            best = max(best, k + len(b))
    return start + best


def _sign(cues_in: list[Match]) -> tuple[int, bool]:
    sign = 1
    for c in cues_in:
        sign *= _SIGN[c.label]
    attitude = any(c.label in ("support", "oppose", "negation") for c in cues_in)
    return sign, bool(cues_in) and (attitude or any(c.label == "speech" for c in cues_in))


class OfflineEngine:
    """Drafts findings from articles with the rules of accord/draft/data."""

    def __init__(self, issues: list[IssueRules] | None = None,
                 gazetteer: Gazetteer | None = None, *, propose_issues: bool = True):
        self.cues = lexicon.cues()
        self.gaz = gazetteer or lexicon.gazetteer()
        self.pattern = self.gaz.matcher(self.cues.agent_nouns)
        self.issues = issues if issues is not None else lexicon.catalog()
        self.propose = propose_issues and issues is None

    # ------------------------------------------------------------------ per sentence

    def _terms(self, text: str, issues: list[IssueRules]) -> list[Term]:
        labelled = [(p, (rules.id, kind, pole)) for rules in issues
                    for p, (kind, pole) in rules.terms]
        return [Term(m.start, m.end, *m.label) for m in find_all(labelled, text)]

    def _stances(self, text: str, mentions: list[Mention], terms: list[Term],
                 signs: list[Match], reactions: list[Match]) -> list[tuple[Mention, Term, int,
                                                                          str, str | None]]:
        """(holder, term, direction sign, strength, reason) for each statement."""
        cues = self.cues
        out: list[tuple[Mention, Term, int, str, str | None]] = []
        last: dict[int, tuple[_Chain, int]] = {}  # holder start -> (chain, end of its term)
        for t_index, term in enumerate(terms):
            holders = [m for m in mentions if m.holder and m.end <= term.start]
            if not holders:
                continue
            inner = holders[-1]
            prev_end = max([inner.end] + [t.end for t in terms[:t_index] if t.end <= term.start])
            window_start = _barrier_end(text, prev_end, term.start, cues.barriers)
            window = [c for c in signs if window_start <= c.start and c.end <= term.start]
            sign, cued = _sign(window)
            strength = "strong"
            if not cued:
                previous = last.get(inner.start)
                barrier = _barrier_end(text, previous[1], term.start, cues.barriers) \
                    if previous else None
                if previous and barrier == previous[1]:
                    sign, cued = previous[0].sign, previous[0].cued  # "… and take control"
                    strength = "strong" if cued else "moderate"
                elif term.kind in ("act", "concede"):
                    sign, strength = 1, "moderate"  # a bare description of what it does
                else:
                    continue  # a topic named without a stance toward it
            last[inner.start] = (_Chain(inner, sign, cued), term.end)
            out.append((inner, term, sign, strength, None))
            # holders joined to the inner one ("the EU and AOSIS are pushing for ...")
            k = holders.index(inner)
            while k > 0 and cues.coordinators.match(text[holders[k - 1].end:holders[k].start]):
                k -= 1
                out.append((holders[k], term, sign, strength, None))
            # outer holders whose own attitude governs the clause
            chain_sign = sign
            for j in range(k - 1, -1, -1):
                outer, nxt = holders[j], holders[j + 1]
                gap = text[outer.end:nxt.start]
                if _barrier_end(text, outer.end, nxt.start, cues.barriers) != outer.end:
                    break
                between = [c for c in signs if outer.end <= c.start and c.end <= nxt.start]
                if not any(c.label in ("support", "oppose") for c in between) or not gap:
                    break
                chain_sign *= _sign(between)[0]
                if outer.actor != inner.actor:
                    out.append((outer, term, chain_sign, "moderate",
                                f"inferred from its reaction to {nxt.text}"))
        # reactions after a statement
        for r in reactions:
            before = [s for s in out if s[1].end <= r.start]
            if not before:
                continue
            holder, term, sign, _, _ = before[-1]
            after = [m for m in mentions if m.start >= r.end and m.actor != holder.actor
                     and m.start - r.end < 40]
            if not after:
                continue
            who = after[0]
            if r.label == "anchor":
                end = _barrier_end(text, who.end, len(text), cues.barriers)
                end = len(text) if end == who.end else end
                own = [c for c in signs if who.end <= c.start and c.end <= end]
                if not any(c.label in ("support", "oppose") for c in own):
                    continue
                react = _sign(own)[0]
            else:
                react = -1 if r.label == "oppose" else 1
            out.append((who, term, react * sign, "moderate",
                        f"inferred from its reaction to {holder.text}"))
        return out

    # ------------------------------------------------------------------ per article

    def run(self, articles: list[Article]) -> Findings:
        cues = self.cues
        whole = "\n".join(a.text for a in articles)
        issues = [r for r in self.issues if not self.propose or r.active(whole)]
        stances: list[FoundStance] = []
        capabilities: list[FoundCapability] = []
        seen: dict[str, set[str]] = {}
        for article in articles:
            done: list[_Sentence] = []
            for sent in article.sentences():
                text = sent.text
                info = _Sentence(sent)
                mentions = find_mentions(text, self.gaz, cues, self.pattern)
                if done and text.startswith(cues.pronouns):
                    first = next((m for m in done[-1].mentions if m.holder), None)
                    word = text.split()[0]
                    if first is not None:
                        mentions.insert(0, Mention(0, len(word), first.actor, word, True))
                info.mentions = mentions
                for m in mentions:
                    seen.setdefault(m.actor, set()).add(m.text.removesuffix("’s")
                                                         .removesuffix("'s"))
                hedges = [m.group(0) for p in (cues.hedge, cues.anonymous) if p is not None
                          for m in p.finditer(text)]
                info.hedges = list(dict.fromkeys(hedges))
                anonymous = cues.anonymous is not None and cues.anonymous.search(text)
                terms = self._terms(text, issues)
                if anonymous and not terms and done and text.startswith(cues.back_reference):
                    done[-1].hedges.append(anonymous.group(0))  # "This comes from a source …"
                    for s in stances:
                        if s.evidence == done[-1].sentence.text and s.source == article.id:
                            s.hedges = list(dict.fromkeys([*s.hedges, anonymous.group(0)]))
                signs = find_all(cues.sign, text)
                reactions = find_all(cues.reaction, text)
                salient = cues.salience_high is not None and bool(cues.salience_high.search(text))
                for holder, term, sign, strength, reason in self._stances(
                        text, mentions, terms, signs, reactions):
                    concede = None
                    if term.kind == "concede":
                        direction = "unclear"
                        concede = "firm" if sign < 0 else "yield"
                    else:
                        direction = "high" if sign * term.pole > 0 else "low"
                    stances.append(FoundStance(
                        actor=holder.actor, issue=term.issue, direction=direction,
                        strength=strength, salience_high=salient, evidence=text,
                        hedges=info.hedges, source=article.id, reason=reason,
                        concede=concede))
                for m in find_all(cues.capability, text):
                    holders = [h for h in mentions if h.holder and h.end <= m.start]
                    if holders:
                        capabilities.append(FoundCapability(
                            actor=holders[-1].actor, level=m.label, evidence=text,
                            hedges=info.hedges, source=article.id))
                done.append(info)
        with_stance = {s.actor for s in stances}
        actors = [FoundActor(id=a, name=self.gaz.names.get(a, a), aliases=sorted(seen[a]))
                  for a in seen if a in with_stance]
        used = {s.issue for s in stances}
        from accord.draft.schema import FoundIssue

        found_issues = [FoundIssue(id=r.id, label=r.label, low=r.low, high=r.high)
                        for r in issues if r.id in used or not self.propose]
        return Findings(actors=actors, issues=found_issues, stances=stances,
                        capabilities=[c for c in capabilities if c.actor in with_stance],
                        mentioned=sorted(a for a in seen if a not in with_stance))
