"""Validating plain data into a Scenario, the problems placed in their file and line."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accord.scenario.problems import NO_FILE, Problem, ScenarioError, located, unique
from accord.scenario.schema import Scenario


def validate_data(data: Any, file: str = NO_FILE, lines: Mapping[str, int] | None = None
                  ) -> Scenario:
    """Validate plain data; raise :class:`ScenarioError` listing every problem, each with
    ``file`` and the line ``lines`` gives its path (or the nearest parent's)."""
    if data is None or data == {} or data == []:
        raise ScenarioError([Problem(file, None, "", "the file is empty: a scenario needs "
                                     "issues and actors")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(file, None, "", f"expected a mapping with issues and "
                                     f"actors, found a {type(data).__name__}")])
    try:
        return Scenario.model_validate(data)
    except ScenarioError as err:
        raise ScenarioError(located(err.problems, file, lines)) from None


def validate_after(data: Any, file: str, lines: Mapping[str, int], earlier: Iterable[Problem]
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
        raise ScenarioError(unique(problems))
    return scenario
