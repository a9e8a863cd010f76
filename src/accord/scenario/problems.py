"""Problems with a scenario: what is wrong, where (file, line, path), the value, what is allowed.

The :class:`~accord.scenario.schema.Scenario` type reports problems by path only (it does not
know the file); a loader knows the file and, for YAML/JSON/CSV, the line of each path, and
places the problems with :func:`located`. One :class:`ScenarioError` carries them all
(shared/DESIGN.md, "Style, by example": pydantic).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from accord.errors import AccordError

NO_FILE = "<scenario>"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, and what is wrong in words.

    ``value`` (the offending value, where there is one) and ``allowed`` (what would be
    accepted) let a program (the web editor) show them apart from the message.
    """

    file: str
    line: int | None
    path: str
    message: str
    value: Any = field(default=None, compare=False)
    allowed: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(AccordError):
    """Raised by the Scenario type and by every loader with the complete list of problems."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        n = len(self.problems)
        return [str(p) for p in self.problems] + [f"{n} problem{'s' if n != 1 else ''} found."]


def problem(path: str, message: str, value: Any = None, allowed: str | None = None) -> Problem:
    """A problem found by the type, not yet placed in a file."""
    return Problem(NO_FILE, None, path, message, value, allowed)


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of ``path``, else of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return lines.get(path)


def located(problems: Iterable[Problem], file: str, lines: Mapping[str, int] | None = None
            ) -> list[Problem]:
    """The problems placed in ``file``, each at the line of its path (where known)."""
    lines = lines or {}
    return [replace(p, file=file, line=p.line if p.line is not None else line_of(lines, p.path))
            if p.file == NO_FILE else p for p in problems]


def unique(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once (the same path and message found twice, e.g. by a reader and by
    validation), keeping the first."""
    seen: dict[tuple[int | None, str, str], Problem] = {}
    for p in problems:
        seen.setdefault((p.line, p.path, p.message), p)
    return list(seen.values())


def path_of(loc: Iterable[Any]) -> str:
    """``('actors', 2, 'salience', 'x')`` -> ``actors[2].salience.x``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def fmt(x: Any) -> str:
    """A value as the user typed it: ``4`` not ``4.0``, text quoted, a mapping abbreviated."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if isinstance(x, float):
        return f"{x:g}" if abs(x) >= 1e15 else repr(x)
    if isinstance(x, dict):
        return "{" + ", ".join(sorted(str(k) for k in x)) + "}"
    return repr(x) if isinstance(x, str) else str(x)
