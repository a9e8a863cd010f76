"""Scenario files: YAML, JSON and CSV text in, a validated Scenario out, and back.

YAML and JSON problems are placed at their line (a map of every path to its line, built
from the YAML node tree, which also parses JSON); a key given twice in one mapping is a
problem, not "the last one wins".
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml

from accord import fileio
from accord.scenario.problems import Problem, ScenarioError
from accord.scenario.schema import Scenario
from accord.scenario.tidy_csv import load_csv_text, to_csv_text
from accord.scenario.validate import validate_data

Format = Literal["yaml", "json", "csv"]
SCENARIO_SUFFIXES = {".yaml", ".yml", ".json", ".csv", ".txt"}
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's where built in:
# the pure-Python loader took most of a 200-actor file's load time (issue 12)
_OWN = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


def yaml_lines(text: str, file: str = "<scenario>") -> tuple[dict[str, int], list[Problem]]:
    """Each path of a YAML (or JSON) document mapped to its 1-based line, and a problem for
    every key given twice in one mapping."""
    try:
        root = yaml.compose(text, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return {}, []
    lines: dict[str, int] = {}
    twice: list[Problem] = []

    def walk(node: yaml.Node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                sub = f"{path}.{key.value}" if path else str(key.value)
                line = key.start_mark.line + 1
                if key.value in first:
                    twice.append(Problem(file, line, sub, f"the key {key.value!r} is given "
                                         f"twice in this mapping (first on line "
                                         f"{first[key.value]}): keep one", key.value))
                    continue
                first[key.value] = line
                lines[sub] = line
                walk(value, sub)
                lines[sub] = line
        elif isinstance(node, yaml.SequenceNode):
            for k, item in enumerate(node.value):
                walk(item, f"{path}[{k}]")

    if root is not None:
        walk(root, "")
    return lines, twice


def _normalise_dates(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("date"), date):
        data = {**data, "date": data["date"].isoformat()}
    return data


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError([Problem(file, line, "", f"malformed YAML: {problem}")]) from None


def _parse_json(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError([Problem(file, err.lineno, "", f"malformed JSON: {err.msg}")]
                            ) from None


def loads(text: str, fmt: Format, file: str = "<scenario>", salience_scale: float = 100.0
          ) -> Scenario:
    """Parse and validate scenario text in the given format."""
    if not text.strip():
        raise ScenarioError([Problem(file, None, "", "the file is empty: a scenario needs "
                                     "issues and actors")])
    if fmt == "csv":
        return load_csv_text(text, file, salience_scale)
    data = _parse_json(text, file) if fmt == "json" else _parse_yaml(text, file)
    lines, twice = yaml_lines(text, file)
    try:
        scenario = validate_data(_normalise_dates(data), file, lines)
    except ScenarioError as err:
        raise ScenarioError([*twice, *err.problems]) from None
    if twice:
        raise ScenarioError(twice)
    return scenario


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
    if suffix not in _OWN:
        raise ScenarioError([Problem(file, None, "", f"the file type {suffix or '(none)'!r} is "
                                     "not a scenario format: use .yaml, .yml, .json or .csv")])
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError([Problem(file, None, "", "is not UTF-8 text (a binary file?)")]
                            ) from None
    return loads(text, _OWN[suffix], file, salience_scale)  # type: ignore[arg-type]


def dumps(scenario: Scenario, fmt: Format) -> str:
    if fmt == "csv":
        return to_csv_text(scenario)
    data = scenario.to_data()
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write text to path via a temporary file and a rename: never a half-written file."""
    fileio.write_text(path, text)


def format_for(path: str | os.PathLike[str]) -> Format:
    """accord's own format named by a file's suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in _OWN:
        return _OWN[suffix]  # type: ignore[return-value]
    raise ScenarioError([Problem(str(path), None, "", f"cannot write the file type "
                                 f"{suffix or '(none)'!r}: use .yaml, .yml, .json or .csv")])


def save(scenario: Scenario, path: str | os.PathLike[str]) -> None:
    """Save as YAML, JSON or tidy CSV (by suffix), atomically."""
    write_atomic(path, dumps(scenario, format_for(path)))
