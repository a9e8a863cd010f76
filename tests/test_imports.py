"""The import graph of src/accord has no cycle (shared/DESIGN.md "Layout").

Counted: every ``import`` and ``from … import`` of an accord module, at module level and
inside functions (the lazy imports that keep ``accord --help`` fast) alike, because the
layers must not call upward even lazily; not counted: imports under ``if TYPE_CHECKING:``
(they never run). Importing ``accord.a.b`` also initialises the packages ``accord`` and
``accord.a``; those implicit edges to a parent package are not counted (Python has the parent
half-loaded by then), only the names a statement asks for. An edge ``from accord.pkg import
name`` goes to the submodule ``accord.pkg.name`` when that is a module, else to
``accord.pkg`` (its ``__init__``).

The module-level edges alone (what runs at import) are checked separately: the CLI must load
no heavy module when it starts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src"
ROOT = SRC / "accord"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _module_level_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The imports that run when the module is imported."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                found += _module_level_imports(node.body)
            found += _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody,
                          *(h.body for h in node.handlers)):
                found += _module_level_imports(block)
        elif isinstance(node, ast.With):
            found += _module_level_imports(node.body)
    return found


def _all_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """Every import of the module, lazy ones in functions included, but none under
    ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.AST] = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            todo += node.orelse
        else:
            todo += ast.iter_child_nodes(node)
    return found


def _resolve(name: str) -> str | None:
    """The accord module an imported dotted name loads, or None outside accord."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def edges(module: str, lazy: bool = True) -> set[str]:
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str] = set()
    collect = _all_imports if lazy else _module_level_imports
    for node in collect(tree.body):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                     for alias in node.names]
        for name in names:
            target = _resolve(name)
            if target is not None and target != module:
                targets.add(target)
    return targets


GRAPH = {m: edges(m) for m in MODULES}
AT_IMPORT = {m: edges(m, lazy=False) for m in MODULES}

# Cycles known when this test was written (scenario <-> shocks, io/__init__ <-> its readers)
# were broken under issue 10. Each entry would be a strongly connected component exactly; any
# other cycle, or one of these grown, fails.
KNOWN_CYCLES: set[frozenset[str]] = set()


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan 1972)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a list of modules (first = last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_is_read() -> None:
    """The parser sees the edges it must (so an empty graph cannot pass for an acyclic one)."""
    assert "accord.errors" in AT_IMPORT["accord.cli.common"]
    assert "accord.cli.common" in AT_IMPORT["accord.cli.forecast"]
    assert "accord.models.base" in AT_IMPORT["accord.models.bdm"]
    assert "accord.analysis" not in AT_IMPORT["accord.cli.forecast"]  # imported lazily
    assert "accord.analysis" in GRAPH["accord.cli.forecast"]


def test_the_cycle_finders_find_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert sorted(map(sorted, cycles(graph))) == [["a", "b", "c"], ["d", "e"]]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_import_cycle() -> None:
    unknown = [c for c in cycles(GRAPH) if c not in KNOWN_CYCLES]
    rest = {m: {t for t in targets if not any({m, t} <= c for c in KNOWN_CYCLES)}
            for m, targets in GRAPH.items()}
    assert not unknown, "import cycle: " + " -> ".join(find_cycle(rest) or sorted(unknown[0]))


def test_known_cycles_are_still_there() -> None:
    """When a known cycle is broken, remove it from KNOWN_CYCLES so it cannot come back."""
    assert set(cycles(GRAPH)) >= KNOWN_CYCLES


@pytest.mark.parametrize("module", ["accord.cli", "accord.cli.common", "accord.cli.options"])
def test_the_cli_loads_no_heavy_module_at_import(module: str) -> None:
    """``accord --help`` must not need the models, the analysis, plotting or the web app.

    (Parent packages are not followed: that ``import accord`` itself loads everything is
    ``accord/__init__.py``'s business, tuned separately.)
    """
    heavy = {"accord.analysis", "accord.models", "accord.report", "accord.web", "accord.backtest"}
    seen: set[str] = set()
    todo = [module]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo += AT_IMPORT[m]
    loaded = {m for m in seen if any(m == h or m.startswith(h + ".") for h in heavy)}
    assert not loaded
