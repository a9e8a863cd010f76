"""What a drafting engine finds in a text, before it becomes numbers (pydantic).

Both engines produce a :class:`Findings`: the offline rules directly, the LLM engine by asking
the model for :class:`LLMFindings` (its JSON schema is sent with the request). The builder
(:mod:`accord.draft.build`) turns findings into a :class:`accord.scenario.Scenario`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Direction = Literal["low", "high", "unclear"]


class FoundActor(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(description="Short id, e.g. an ISO 3166 alpha-3 code for a state: RUS")
    name: str = Field(description="Display name, e.g. 'Russia'")
    aliases: list[str] = Field(default_factory=list,
                               description="The names the text uses for this actor")


class FoundIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    label: str
    low: str = Field(description="What the low end of the 0-100 scale means")
    high: str = Field(description="What the high end of the 0-100 scale means")


class FoundStance(BaseModel):
    """One statement placing an actor toward one end of an issue."""

    model_config = ConfigDict(extra="forbid")
    actor: str
    issue: str
    direction: Direction = Field(description="The end of the issue's scale the actor favours")
    strength: Literal["strong", "moderate"] = Field(
        "strong", description="strong: the actor states it; moderate: inferred")
    salience_high: bool = Field(False, description="The text says the issue matters greatly "
                                "to the actor")
    evidence: str = Field(description="The supporting sentence, copied verbatim from the text")
    hedges: list[str] = Field(default_factory=list, description="Hedging or anonymous-source "
                              "words in the evidence ('is unlikely to', 'a source close to')")
    source: str = "article"
    reason: str | None = Field(None, description="How the direction was inferred, if it was")
    concede: Literal["firm", "yield"] | None = None


class FoundCapability(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str
    level: Literal["low", "high"]
    evidence: str
    hedges: list[str] = Field(default_factory=list)
    source: str = "article"


class Findings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actors: list[FoundActor] = Field(default_factory=list)
    issues: list[FoundIssue] = Field(default_factory=list)
    stances: list[FoundStance] = Field(default_factory=list)
    capabilities: list[FoundCapability] = Field(default_factory=list)
    mentioned: list[str] = Field(default_factory=list,
                                 description="Actors named without a stance")


class LLMStance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str
    issue: str
    direction: Literal["low", "high"]
    salience_high: bool
    evidence: str
    hedged: bool


class LLMCapability(BaseModel):
    model_config = ConfigDict(extra="forbid")
    actor: str
    level: Literal["low", "high"]
    evidence: str


class LLMFindings(BaseModel):
    """The schema the LLM engine asks the model to fill (strict JSON-schema output)."""

    model_config = ConfigDict(extra="forbid")
    actors: list[FoundActor]
    issues: list[FoundIssue]
    stances: list[LLMStance]
    capabilities: list[LLMCapability]
