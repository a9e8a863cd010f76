"""Drafting a scenario from news text (shared/DESIGN.md, "Drafting a scenario from text").

    from accord.draft import draft, read_article
    result = draft([read_article("article.txt")])          # the offline engine
    result.scenario, result.summary.lines()

Engines: ``offline`` (rules over sentences; the rules are data files in accord/draft/data)
and ``llm`` (any OpenAI-compatible chat endpoint the user names; :mod:`accord.draft.llm`).
Both produce :class:`~accord.draft.schema.Findings`, which :func:`~accord.draft.build.build`
turns into a validated scenario whose every evidence string is a verbatim substring of its
article. :mod:`accord.draft.update` compares a draft with an existing scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from accord.draft.build import Draft, Summary, build
from accord.draft.text import Article, article_from_text, read_article, unique_ids

if TYPE_CHECKING:
    from accord.draft.llm import LLMSettings

__all__ = ["Article", "Draft", "Summary", "article_from_text", "draft", "read_article"]


def draft(articles: list[Article], *, engine: Literal["offline", "llm"] = "offline",
          issues: str | Path | None = None, gazetteer: str | Path | None = None,
          llm: LLMSettings | None = None, title: str | None = None) -> Draft:
    """Draft a scenario from articles.

    ``issues``: a YAML file of the analyst's issues (otherwise issues are proposed from the
    catalog); ``gazetteer``: the analyst's extra actors and aliases; ``llm``: the endpoint
    for ``engine="llm"`` (nothing is sent anywhere unless it is given).
    """
    from accord.draft import lexicon
    from accord.errors import DraftError

    articles = unique_ids(list(articles))
    if not articles:
        raise DraftError("no article given")
    issue_rules = lexicon.user_issues(issues) if issues is not None else None
    if engine == "offline":
        from accord.draft.offline import OfflineEngine

        gaz = lexicon.gazetteer(gazetteer)
        findings = OfflineEngine(issue_rules, gaz).run(articles)
        return build(findings, articles, title=title)
    if engine == "llm":
        from accord.draft.llm import run_llm

        if llm is None:
            raise DraftError("the llm engine needs an endpoint: give --llm-url and "
                             "--llm-model (nothing is sent anywhere unless you name one)")
        findings, dropped = run_llm(articles, llm, issue_rules)
        result = build(findings, articles, title=title)
        result.summary.dropped[:0] = dropped
        return result
    raise DraftError(f"unknown engine {engine!r}: use offline or llm")
