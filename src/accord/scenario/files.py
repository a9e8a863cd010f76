"""Scenario files: YAML, JSON and CSV text in, a validated Scenario out, and back.

YAML and JSON problems are placed at their line (a map of every path to its line, built
from the YAML node tree, which also parses JSON); a key given twice in one mapping is a
problem, not "the last one wins".
"""

from __future__ import annotations

import functools
import json
import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from accord import fileio
from accord.scenario.problems import Problem, ScenarioError
from accord.scenario.schema import Scenario
from accord.scenario.tidy_csv import load_csv_text, to_csv_text
from accord.scenario.validate import validate_data

if TYPE_CHECKING:
    import yaml

Format = Literal["yaml", "json", "csv"]
SCENARIO_SUFFIXES = {".yaml", ".yml", ".json", ".csv", ".txt"}
_OWN = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


# --------------------------------------------------------------------------- safe parsing

#: Limits a scenario file must keep before anything builds its data: nesting depth, alias
#: nodes, the size of the tree with every alias expanded, and digits of one number.
MAX_DEPTH = 40
MAX_ALIASES = 100
MAX_NODES = 200_000
MAX_DIGITS = 30

_FLOAT_12 = re.compile(r"""^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_LONG_NUMBER = re.compile(r"^[-+]?[0-9_.]{" + str(MAX_DIGITS + 1) + r",}(?:[eE][-+]?[0-9]+)?$")


@functools.cache
def _loaders() -> tuple[Any, Any]:
    """PyYAML's safe loader (libyaml's C parser where built in: the pure-Python loader took
    most of a 200-actor file's load time, issue 12) and the scenario loader built on it, with
    YAML 1.2 numbers: ``1e5`` is a number, as in JSON, not the text YAML 1.1 makes of it.
    Made on first use, so loading a CSV file does not import PyYAML (start-up, issue 12)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class ScenarioLoader(base):  # type: ignore[misc,valid-type]
        """The safe YAML loader with YAML 1.2 numbers. A node's tag is a function of its
        kind, text and implicit flags alone (no path resolvers are registered), so each is
        resolved once: a scenario repeats its keys (a 200-actor file: 4 228 scalars, 5 ms
        of PyYAML's regular expressions saved, issue 12)."""

        _tags: ClassVar[dict[tuple[Any, Any, Any], str]] = {}

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            key = (kind, value, implicit)
            tag = self._tags.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._tags) < 10_000:
                    self._tags[key] = tag
            return tag

    ScenarioLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT_12,
                                         list("-+0123456789."))
    return base, ScenarioLoader


def _budget_problem(file: str, line: int | None, message: str) -> ScenarioError:
    return ScenarioError([Problem(file, line, "", message)])


def check_budget(text: str, file: str = "<scenario>") -> None:
    """Refuse, from the parser's events alone (nothing is built), a document nested deeper
    than :data:`MAX_DEPTH`, with more than :data:`MAX_ALIASES` aliases, an alias inside its
    own anchor, more than :data:`MAX_NODES` nodes once aliases are expanded (a "billion
    laughs" bomb) or a number of more than :data:`MAX_DIGITS` digits.

    A YAML syntax error is left for the parser proper to report.
    """
    import yaml

    base, _ = _loaders()
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] of each open collection
    aliases = 0
    try:
        for event in yaml.parse(text, Loader=base):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > MAX_DEPTH:
                    raise _too_deep(file, line)
                stack.append([event.anchor, 1])
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                if (not event.style and event.implicit[0]
                        and _LONG_NUMBER.match(event.value)):
                    raise _long_number(file, line, event.value)
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                stack[-1][1] += 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _budget_problem(file, line, f"more than {MAX_ALIASES} aliases (*name):"
                                          " write the values out")
                if event.anchor not in sizes:
                    raise _budget_problem(file, line, f"the alias *{event.anchor} refers to "
                                          "its own anchor (or to none): write the value out")
                stack[-1][1] += sizes[event.anchor]
            else:
                continue
            if sum(s[1] for s in stack) > MAX_NODES:
                raise _too_many_nodes(file, line)
    except yaml.YAMLError as err:  # the parser proper reports it, but for too deep
        problem = getattr(err, "problem", None) or ""
        if "nesting depth" in problem:
            raise _yaml_error(err, file) from None


def _long_number(file: str, line: int, value: str) -> ScenarioError:
    return _budget_problem(file, line, f"the number {value[:20]}… has {len(value)} "
                           "characters: numbers must lie within ±1e12")


def _too_many_nodes(file: str, line: int) -> ScenarioError:
    return _budget_problem(file, line, f"more than {MAX_NODES} values once the aliases "
                           "(*name) are expanded: write the values out")


def _walk_lines(root: yaml.Node | None, file: str, budget: bool = False
                ) -> tuple[dict[str, int], list[Problem]]:
    """Each path's line and the keys given twice, from the composed node tree. With
    ``budget``, the tree of a document without aliases (so each node is one value) is held to
    :func:`check_budget`'s limits on the way: depth, values, digits of a number."""
    import yaml

    lines: dict[str, int] = {}
    twice: list[Problem] = []
    nodes = 0

    def held(node: yaml.Node, depth: int) -> None:
        nonlocal nodes
        nodes += 1
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            if not node.style and _LONG_NUMBER.match(node.value):
                raise _long_number(file, line, node.value)
        elif depth > MAX_DEPTH:
            raise _too_deep(file, line)
        if nodes > MAX_NODES:
            raise _too_many_nodes(file, line)

    def walk(node: yaml.Node, path: str, depth: int) -> None:
        if budget:
            held(node, depth)
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if budget:
                    held(key, depth + 1)
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
                sub = f"{path}.{name}" if path else name
                line = key.start_mark.line + 1
                if name in first and isinstance(key, yaml.ScalarNode):
                    twice.append(Problem(file, line, sub, f"the key {name!r} is given "
                                         f"twice in this mapping (first on line "
                                         f"{first[name]}): keep one", name))
                    continue
                first[name] = line
                lines[sub] = line
                walk(value, sub, depth + 1)
                lines[sub] = line
        elif isinstance(node, yaml.SequenceNode):
            for k, item in enumerate(node.value):
                walk(item, f"{path}[{k}]", depth + 1)

    if root is not None:
        walk(root, "", 1)
    return lines, twice


def yaml_lines(text: str, file: str = "<scenario>", checked: bool = False
               ) -> tuple[dict[str, int], list[Problem]]:
    """Each path of a YAML (or JSON) document mapped to its 1-based line, and a problem for
    every key given twice in one mapping (``checked``: the text is known to be within
    :func:`check_budget`'s limits)."""
    import yaml

    try:
        if not checked:
            check_budget(text, file)
        root = yaml.compose(text, Loader=_loaders()[1])
    except (yaml.YAMLError, ScenarioError):
        return {}, []
    return _walk_lines(root, file)


def _too_deep(file: str, line: int | None = None) -> ScenarioError:
    return _budget_problem(file, line, f"nested more than {MAX_DEPTH} levels deep: a scenario "
                           "needs a few levels")


def _yaml_error(err: yaml.YAMLError, file: str) -> ScenarioError:
    mark = getattr(err, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(err, "problem", None) or str(err)
    if "nesting depth" in problem:
        return _too_deep(file, line)
    return ScenarioError([Problem(file, line, "", f"malformed YAML: {problem}")])


def parse_text(text: str, fmt: Literal["yaml", "json"], file: str = "<scenario>"
               ) -> tuple[Any, dict[str, int], list[Problem]]:
    """YAML or JSON text read once, within the budget (:func:`check_budget`): the data, the
    line of each path, and the keys given twice. A byte-order mark is ignored."""
    text = text.removeprefix("\ufeff")
    # Without an alias (its token needs a "*") each node is one value, and the limits are
    # checked on the composed tree (_walk_lines), which costs nothing extra; with one, on the
    # parser's events first, before anything is built (a 200-actor file: ~20 ms less).
    aliases = "*" in text or fmt == "json"
    if aliases:
        check_budget(text, file)
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ScenarioError([Problem(file, err.lineno, "", f"malformed JSON: {err.msg}")]
                                ) from None
        except RecursionError:  # nesting the parser refused before the budget saw it
            raise _too_deep(file) from None
        except ValueError as err:
            raise ScenarioError([Problem(file, None, "", f"cannot be read: {err}")]) from None
        return data, *yaml_lines(text, file, checked=True)
    import yaml

    loader = _loaders()[1](text)
    try:
        root = loader.get_single_node()
        lines, twice = _walk_lines(root, file, budget=not aliases)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as err:
        raise _yaml_error(err, file) from None
    except RecursionError:
        raise _too_deep(file) from None
    except ValueError as err:
        raise ScenarioError([Problem(file, None, "", f"cannot be read: {err}")]) from None
    finally:
        loader.dispose()
    return data, lines, twice


def _normalise_dates(data: Any) -> Any:
    if isinstance(data, dict) and isinstance(data.get("date"), date):
        data = {**data, "date": data["date"].isoformat()}
    return data


def loads(text: str, fmt: Format, file: str = "<scenario>", salience_scale: float = 100.0
          ) -> Scenario:
    """Parse and validate scenario text in the given format."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ScenarioError([Problem(file, None, "", "the file is empty: a scenario needs "
                                     "issues and actors")])
    if fmt == "csv":
        return load_csv_text(text, file, salience_scale)
    data, lines, twice = parse_text(text, fmt, file)
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
    import yaml

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
