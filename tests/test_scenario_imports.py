"""No import cycle through the scenario, the shocks and the readers (issue 10).

The import graph is read from the source (every ``import``, also inside functions), each
edge to the module named (``from accord.io import ktab`` is an edge to ``accord.io.ktab``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import accord

SRC = Path(accord.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                           else node.module for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles_through(graph: dict[str, set[str]], prefixes: tuple[str, ...]) -> list[list[str]]:
    """Each cycle (as a path) that starts at a module with one of the prefixes."""
    found = []
    for start in (m for m in graph if m.startswith(prefixes)):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    found.append([*path, start])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return found


def test_the_graph_sees_a_known_edge() -> None:
    graph = import_graph()
    assert "accord.scenario.schema" in graph["accord.scenario.validate"]
    assert "accord.io.ktab" in graph["accord.io"]


def test_no_cycle_through_scenario_shocks_or_io() -> None:
    assert cycles_through(import_graph(), ("accord.scenario", "accord.shocks", "accord.io")
                          ) == []


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles_through({"a.x": {"a.y"}, "a.y": {"a.x"}}, ("a.x",)) == [["a.x", "a.y", "a.x"]]


def test_deu_reading_lives_in_io_and_backtest_keeps_its_names() -> None:
    from accord import backtest
    from accord.io import deu

    assert backtest.load_deu is deu.load_deu and backtest.Proposal is deu.Proposal
    assert "accord.analysis" not in import_graph()["accord.io.deu"]
