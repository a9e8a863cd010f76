"""Readers of scenario files: accord's own formats and other tools' formats.

Each reader of another tool's format registers a ``sniff(path, text) -> bool`` and a
``load(path, text) -> Scenario``; :func:`load_any` picks the first reader that recognises
the file, else loads accord's own YAML / JSON / tidy CSV.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from accord import scenario as _scenario
from accord.scenario import Problem, Scenario, ScenarioError


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[Path, str], bool]
    load: Callable[[Path, str], Scenario]


_READERS: list[Reader] = []
_WRITERS: dict[str, Callable[[Scenario], str]] = {}


def register_writer(fmt: str, write: Callable[[Scenario], str]) -> None:
    """Make ``accord convert --format FMT`` write another tool's format."""
    _WRITERS[fmt] = write


def writer_names() -> list[str]:
    return ["yaml", "json", "csv", *_WRITERS]


def lost_in(scenario: Scenario, fmt: str) -> list[str]:
    """What writing ``scenario`` as ``fmt`` leaves out or changes, in words (empty: nothing).

    YAML and JSON keep everything; the tidy CSV keeps actors, issues and every number with
    its range; other tools' formats keep only central values (and what the tool knows).
    """
    if fmt in ("yaml", "json"):
        return []
    quantities = [q for a in scenario.actors
                  for q in (*a.position.values(), *a.salience.values(),
                            *(a.capability.values() if isinstance(a.capability, dict)
                              else [a.capability]))]
    lost = []
    if fmt not in ("csv",) and any(q.is_ranged for q in quantities):
        lost.append("uncertainty ranges (low/high)")
    if any(q.evidence or q.source or q.note for q in quantities):
        lost.append("evidence, sources and notes")
    if any(q.dist != "triangular" for q in quantities):
        lost.append("distributions (dist)")
    if any(i.status_quo is not None for i in scenario.issues):
        lost.append("status quo")
    if any(i.label or i.low or i.high for i in scenario.issues) and fmt != "decide":
        lost.append("issue labels and scale meanings")
    if fmt == "csv" and (any(i.scale is not None for i in scenario.issues)
                         or tuple(scenario.scale) != (0.0, 100.0)):
        lost.append("issue scales")
    if scenario.question or scenario.sources or scenario.date:
        lost.append("question, date and sources")
    if scenario.shocks:
        lost.append("named shocks")
    if fmt == "ktab" and any(sum(q.value for q in a.salience.values()) > 100.0
                             for a in scenario.actors):
        lost.append("saliences: KTAB scales an actor's saliences down to sum to 100")
    return lost


def dumps_as(scenario: Scenario, fmt: str) -> str:
    """The scenario as text in a named format (accord's own or a registered one)."""
    if fmt in _WRITERS:
        return _WRITERS[fmt](scenario)
    if fmt in ("yaml", "json", "csv"):
        return _scenario.dumps(scenario, fmt)  # type: ignore[arg-type]
    raise ScenarioError([Problem(fmt, None, "", f"unknown output format; choose one of: "
                                 f"{', '.join(writer_names())}")])


def register_reader(reader: Reader) -> None:
    _READERS.append(reader)


def readers() -> list[Reader]:
    return list(_READERS)


def load_any(path: str | os.PathLike[str], salience_scale: float = 100.0) -> Scenario:
    """Load a scenario from a file in any known format; raise :class:`ScenarioError`."""
    p = Path(path)
    if p.is_file() and _READERS:
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ScenarioError([Problem(p.name, None, "", "is not UTF-8 text (a binary "
                                         "file?)")]) from None
        for reader in _READERS:
            if reader.sniff(p, text):
                return reader.load(p, text)
    return _scenario.load(p, salience_scale=salience_scale)


# Readers and writers of other tools' formats register themselves on import.
from accord.io import ktab  # noqa: E402, F401  isort: skip
from accord.io import decide  # noqa: E402, F401  isort: skip
