"""DEU reading lives in accord.io.deu (issue 10); accord.backtest keeps its public names."""

from __future__ import annotations

import ast
from pathlib import Path

from accord import backtest
from accord.io import deu


def test_backtest_keeps_the_deu_names() -> None:
    assert backtest.load_deu is deu.load_deu
    assert backtest.Proposal is deu.Proposal and backtest.read_capabilities is deu.read_capabilities


def test_the_reader_imports_only_the_scenario_layer() -> None:
    tree = ast.parse(Path(deu.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert {m for m in imported if m.startswith("accord")} == {"accord.scenario"}
