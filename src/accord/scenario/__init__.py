"""The scenario: actors, issues, positions, saliences and capabilities, with evidence.

A scenario file (YAML, JSON or tidy CSV) is loaded into a :class:`Scenario` (pydantic).
Every number may be bare (``90``) or a :class:`Quantity` ``{value, low, high, dist,
evidence, source, note}``. The type is the validator: every way of building a Scenario
(a file, ``Scenario.model_validate``, the web editor, a shock, another tool's format)
collects *every* problem before failing, and raises one :class:`ScenarioError`; loaders add
the file and the line (shared/DESIGN.md, "The scenario file").

Modules: ``schema`` (the type and its rules), ``problems`` (Problem, ScenarioError, lines),
``edits`` (shock edits on data), ``validate`` (data -> Scenario, placed in a file),
``tidy_csv`` and ``files`` (formats).
"""

from accord.scenario.files import (
    SCENARIO_SUFFIXES,
    dumps,
    format_for,
    load,
    loads,
    parse_text,
    save,
    write_atomic,
    yaml_lines,
)
from accord.scenario.problems import Problem, ScenarioError
from accord.scenario.schema import (
    DEFAULT_SCALE,
    SALIENCE_RANGE,
    Actor,
    Issue,
    Number,
    Quantity,
    Scenario,
    Source,
)
from accord.scenario.tidy_csv import (
    ONE_ISSUE_COLUMNS,
    TIDY_COLUMNS,
    format_number,
    load_csv_text,
    to_csv_text,
)
from accord.scenario.validate import validate_after, validate_data

__all__ = [
    "DEFAULT_SCALE",
    "ONE_ISSUE_COLUMNS",
    "SALIENCE_RANGE",
    "SCENARIO_SUFFIXES",
    "TIDY_COLUMNS",
    "Actor",
    "Issue",
    "Number",
    "Problem",
    "Quantity",
    "Scenario",
    "ScenarioError",
    "Source",
    "dumps",
    "format_for",
    "format_number",
    "load",
    "load_csv_text",
    "loads",
    "parse_text",
    "save",
    "to_csv_text",
    "validate_after",
    "validate_data",
    "write_atomic",
    "yaml_lines",
]
