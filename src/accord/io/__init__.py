"""Scenario files in any known format: accord's own and other tools' (KTAB CSV, Decide).

:func:`load_any` asks each reader of another tool's format whether it recognises the file
(``sniff(path, text) -> bool``), else loads accord's own YAML / JSON / tidy CSV.
:func:`convert` writes a scenario in a named format, and refuses (unless ``lossy``) when the
format cannot hold something that changes a forecast; :func:`output_format` picks the format
from ``--format`` or the output file's suffix.

The readers (``ktab``, ``decide``, ``deu``) import only :mod:`accord.scenario`; this module
lists them, so there is no import cycle.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from accord import scenario as _scenario
from accord.errors import UserError
from accord.io import decide, ktab
from accord.scenario import DEFAULT_SCALE, Problem, Quantity, Scenario, ScenarioError


@dataclass(frozen=True)
class Reader:
    name: str
    sniff: Callable[[Path, str], bool]
    load: Callable[[Path, str], Scenario]


_READERS: list[Reader] = [Reader("ktab", ktab.sniff, ktab.load),
                          Reader("decide", decide.sniff, decide.load)]
_WRITERS: dict[str, Callable[[Scenario], str]] = {"ktab": ktab.dumps, "decide": decide.dumps}
OWN_FORMATS = ("yaml", "json", "csv")
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".ktab": "ktab",
            ".decide": "decide"}


def register_writer(fmt: str, write: Callable[[Scenario], str]) -> None:
    """Make ``accord convert --format FMT`` write another tool's format."""
    _WRITERS[fmt] = write


def register_reader(reader: Reader) -> None:
    _READERS.append(reader)


def readers() -> list[Reader]:
    return list(_READERS)


def writer_names() -> list[str]:
    return [*OWN_FORMATS, *_WRITERS]


def output_format(target: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format to write: ``fmt`` if given, else the one the target's suffix names."""
    if fmt is not None:
        if fmt not in writer_names():
            raise UserError(f"--format {fmt!r} is not a format accord writes; choose one of: "
                            f"{', '.join(writer_names())}")
        return fmt
    suffix = Path(target).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise UserError(f"{target}: cannot tell the format from the suffix {suffix or '(none)'!r}: "
                    f"use {', '.join(SUFFIXES)}, or name it with --format "
                    f"({', '.join(writer_names())})")


def _numbers(sc: Scenario) -> list[Quantity]:
    out = [i.status_quo for i in sc.issues if i.status_quo is not None]
    for a in sc.actors:
        out += [q for _, q in a.quantities("")]
    return out


def losses(sc: Scenario, fmt: str) -> tuple[list[str], list[str]]:
    """What writing ``sc`` as ``fmt`` would lose: (what changes a forecast, what is only
    description), each in words; both empty when the format holds everything.

    The tidy CSV holds every number with its range, issue scales and status quo; KTAB holds
    central values on one 0-100 scale, one capability per actor and every actor on every
    issue; Decide holds central values, scales and per-issue capabilities.
    """
    if fmt in ("yaml", "json"):
        return [], []
    numbers = _numbers(sc)
    changes: list[str] = []
    described: list[str] = []
    if fmt != "csv" and any(q.is_ranged for q in numbers):
        changes.append("uncertainty ranges (low/high)")
    if any(q.dist != "triangular" for q in numbers):
        changes.append("distributions (dist)")
    if fmt != "csv" and any(i.status_quo is not None for i in sc.issues):
        changes.append("status quo")
    if sc.shocks:
        changes.append("named shocks")
    if fmt == "ktab":
        if any(tuple(sc.scale_of(i)) != DEFAULT_SCALE for i in sc.issues):
            changes.append("issue scales (KTAB rescales every position to 0-100)")
        if any(isinstance(a.capability, dict)
               and len({q.value for q in a.capability.values()}) > 1 for a in sc.actors):
            changes.append("capabilities per issue (KTAB has one per actor)")
        if any(set(a.position) != set(sc.issue_ids) for a in sc.actors):
            changes.append("who takes part in which issue (KTAB puts every actor on every "
                           "issue)")
        if any(sum(q.value for q in a.salience.values()) > 100.0 for a in sc.actors):
            changes.append("saliences (KTAB scales an actor's saliences down to sum to 100)")
    if any(q.evidence or q.source or q.note for q in numbers):
        described.append("evidence, sources and notes")
    if fmt != "decide" and any(i.label or i.low or i.high for i in sc.issues):
        described.append("issue labels and scale meanings")
    if sc.question or sc.sources or sc.date:
        described.append("question, date and sources")
    if fmt == "csv" and (sc.title != "Untitled scenario" or any(a.name for a in sc.actors)):
        described.append("the title and actor names")
    return changes, described


def lost_in(sc: Scenario, fmt: str) -> list[str]:
    """Everything writing ``sc`` as ``fmt`` leaves out or changes, in words."""
    changes, described = losses(sc, fmt)
    return changes + described


def dumps_as(sc: Scenario, fmt: str) -> str:
    """The scenario as text in a named format (accord's own or a registered one)."""
    if fmt in _WRITERS:
        return _WRITERS[fmt](sc)
    if fmt in OWN_FORMATS:
        return _scenario.dumps(sc, fmt)  # type: ignore[arg-type]
    raise ScenarioError([Problem(fmt, None, "", f"unknown output format; choose one of: "
                                 f"{', '.join(writer_names())}")])


def convert(sc: Scenario, fmt: str, lossy: bool = False) -> tuple[str, list[str]]:
    """The scenario as ``fmt`` text, and what the format leaves out (description only).

    Raises :class:`UserError` naming what would be lost when the format cannot hold
    something that changes a forecast, unless ``lossy`` (then that is listed too).
    """
    changes, described = losses(sc, fmt)
    if changes and not lossy:
        raise UserError(f"the {fmt} format cannot hold: {'; '.join(changes)}. A forecast of "
                        f"the written file would differ; convert with --lossy to write it "
                        f"anyway, or choose yaml or json")
    return dumps_as(sc, fmt), changes + described


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
