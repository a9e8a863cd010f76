"""The LLM drafting engine: any OpenAI-compatible chat endpoint (optional extra ``accord[llm]``).

The user names the endpoint (``--llm-url``, e.g. a local llama.cpp or Ollama server at
``http://127.0.0.1:8080/v1``, or a hosted one) and the model (``--llm-model``); the key, if the
endpoint needs one, comes from the environment (``ACCORD_LLM_API_KEY``, else
``OPENAI_API_KEY``). Nothing is sent anywhere unless an endpoint is named.

The request asks for structured output with the JSON schema of
:class:`~accord.draft.schema.LLMFindings` (``response_format: json_schema``, strict). The answer
is validated against the same pydantic model; every evidence string must be a verbatim
substring of one of the articles, and anything else is dropped and reported. Timeouts,
connection failures, HTTP 429/5xx and answers that do not parse are retried with exponential
back-off.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from accord.draft.lexicon import IssueRules, catalog
from accord.draft.schema import (
    Findings,
    FoundActor,
    FoundCapability,
    FoundIssue,
    FoundStance,
    LLMFindings,
)
from accord.draft.text import Article
from accord.errors import DraftError

KEY_VARIABLES = ("ACCORD_LLM_API_KEY", "OPENAI_API_KEY")

SYSTEM = """You code negotiations for a forecasting model. From the news text, list:
- actors: the parties that negotiate or take a stance (states, governments, leaders,
  organisations, parties, groups), each with a short id (ISO 3166 alpha-3 for states, e.g.
  RUS) and every name the text uses for it as aliases. Reporters, analysts, experts and
  unnamed sources are never actors.
- issues: what is being negotiated, each with what the low and the high end of a 0-100 scale
  mean. Use the issues given by the user when there are any.
- stances: for each actor and issue the text supports, the end (low or high) the actor
  favours, whether the text says the issue matters greatly to it (salience_high), whether the
  statement is hedged or anonymously sourced (hedged), and as evidence the supporting
  sentence copied EXACTLY, character for character, from the text.
- capabilities: only where the text says something about an actor's clout (level low or high),
  with the sentence copied exactly.
Answer with JSON that follows the schema."""


@dataclass(frozen=True)
class LLMSettings:
    """Where and how to ask. ``url``: the endpoint's base URL (``…/v1``) or its full
    ``…/chat/completions`` URL."""

    url: str
    model: str
    timeout: float = 60.0
    retries: int = 2
    backoff: float = 1.0
    api_key: str | None = None

    @property
    def endpoint(self) -> str:
        url = self.url.rstrip("/")
        return url if url.endswith("/chat/completions") else f"{url}/chat/completions"

    def key(self) -> str | None:
        if self.api_key:
            return self.api_key
        return next((os.environ[v] for v in KEY_VARIABLES if os.environ.get(v)), None)


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON schema in the strict form structured output asks for: every property
    required, no extra properties, no defaults."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items() if k not in ("default", "title")}
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def response_schema() -> dict[str, Any]:
    return _strict(LLMFindings.model_json_schema())


def _prompt(articles: list[Article], issues: list[IssueRules] | None) -> str:
    parts = []
    if issues:
        listed = "\n".join(f"- {i.id}: {i.label} (0 = {i.low}; 100 = {i.high})" for i in issues)
        parts.append(f"Use exactly these issues:\n{listed}")
    else:
        known = "\n".join(f"- {i.id}: {i.label} (0 = {i.low}; 100 = {i.high})"
                          for i in catalog())
        parts.append("Propose the issues; reuse these ids where one fits:\n" + known)
    for a in articles:
        parts.append(f"=== TEXT {a.id} ===\n{a.text.strip()}\n=== END {a.id} ===")
    return "\n\n".join(parts)


def request_body(articles: list[Article], settings: LLMSettings,
                 issues: list[IssueRules] | None) -> dict[str, Any]:
    return {
        "model": settings.model,
        "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM},
                     {"role": "user", "content": _prompt(articles, issues)}],
        "response_format": {"type": "json_schema", "json_schema": {
            "name": "accord_draft", "strict": True, "schema": response_schema()}},
    }


def _ask(body: dict[str, Any], settings: LLMSettings) -> LLMFindings:
    try:
        import httpx
    except ImportError:
        raise DraftError("the llm engine needs the optional extra: pip install "
                         "'accord[llm]'") from None
    headers = {"Content-Type": "application/json"}
    key = settings.key()
    if key:
        headers["Authorization"] = f"Bearer {key}"
    last = "no answer"
    for attempt in range(settings.retries + 1):
        if attempt:
            time.sleep(settings.backoff * 2 ** (attempt - 1))
        try:
            r = httpx.post(settings.endpoint, json=body, headers=headers,
                           timeout=settings.timeout)
        except httpx.TimeoutException:
            last = f"no answer within {settings.timeout:g} s"
            continue
        except httpx.HTTPError as e:
            last = f"cannot reach it ({e})"
            continue
        if r.status_code == 429 or r.status_code >= 500:
            last = f"HTTP {r.status_code}"
            continue
        if r.status_code >= 400:
            hint = " (set ACCORD_LLM_API_KEY)" if r.status_code in (401, 403) else ""
            raise DraftError(f"{settings.endpoint}: HTTP {r.status_code}{hint}: "
                             f"{r.text[:200]}")
        try:
            content = r.json()["choices"][0]["message"]["content"]
            return LLMFindings.model_validate(json.loads(content))
        except (ValueError, KeyError, IndexError, TypeError, ValidationError) as e:
            last = f"an answer that does not follow the schema ({str(e).splitlines()[0]})"
            continue
    raise DraftError(f"{settings.endpoint}: {last}, after {settings.retries + 1} "
                     f"tr{'ies' if settings.retries else 'y'}")


def _source_of(evidence: str, articles: list[Article]) -> str | None:
    return next((a.id for a in articles if evidence and evidence in a.text), None)


def to_findings(answer: LLMFindings, articles: list[Article],
                issues: list[IssueRules] | None) -> tuple[Findings, list[str]]:
    """Findings from the model's answer, keeping only verbatim evidence; and what was dropped."""
    dropped: list[str] = []
    if issues:
        found_issues = [FoundIssue(id=i.id, label=i.label, low=i.low, high=i.high)
                        for i in issues]
    else:
        found_issues = list({i.id: i for i in answer.issues}.values())
    issue_ids = {i.id for i in found_issues}
    actor_ids = {a.id for a in answer.actors}
    stances = []
    for s in answer.stances:
        source = _source_of(s.evidence, articles)
        if source is None:
            dropped.append(f"{s.actor} on {s.issue}: evidence not in the text: "
                           f"{s.evidence[:80]!r}")
        elif s.issue not in issue_ids or s.actor not in actor_ids:
            dropped.append(f"{s.actor} on {s.issue}: unknown actor or issue")
        else:
            stances.append(FoundStance(
                actor=s.actor, issue=s.issue, direction=s.direction,
                salience_high=s.salience_high, evidence=s.evidence, source=source,
                hedges=["hedged (per the model)"] if s.hedged else []))
    caps = []
    for c in answer.capabilities:
        source = _source_of(c.evidence, articles)
        if source is None:
            dropped.append(f"{c.actor} capability: evidence not in the text: "
                           f"{c.evidence[:80]!r}")
        elif c.actor in actor_ids:
            caps.append(FoundCapability(actor=c.actor, level=c.level, evidence=c.evidence,
                                        source=source))
    with_stance = {s.actor for s in stances}
    actors = [FoundActor(id=a.id, name=a.name, aliases=a.aliases) for a in answer.actors
              if a.id in with_stance]
    return Findings(actors=actors, issues=found_issues, stances=stances, capabilities=caps,
                    mentioned=sorted(actor_ids - with_stance)), dropped


def run_llm(articles: list[Article], settings: LLMSettings,
            issues: list[IssueRules] | None = None) -> tuple[Findings, list[str]]:
    """Ask the endpoint; findings with verbatim evidence only, and the list of what was
    dropped."""
    answer = _ask(request_body(articles, settings, issues), settings)
    return to_findings(answer, articles, issues)
