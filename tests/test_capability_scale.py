"""The capability scale: what the models do with it, and one description of it everywhere.

The truth is in the models: each weighs actors by capability only relative to the others, so
multiplying every capability by the same factor leaves every forecast unchanged. The scale is
therefore "any number ≥ 0 (only ratios matter)", and the README, the template of
``accord new``, the dashboard's editor and the report say exactly that (they used to say
"0–100" in two of those places).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import accord
from accord import models
from accord.cli.scenarios import TEMPLATE
from accord.scenario import validate_data

PHRASE = "any number ≥ 0 (only ratios matter)"
ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "src" / "accord"

SCENARIO: dict[str, Any] = {
    "issues": [{"id": "x"}, {"id": "y", "scale": [-10, 10]}],
    "actors": [
        {"id": "A", "capability": 10, "position": {"x": 10, "y": -8},
         "salience": {"x": 90, "y": 40}},
        {"id": "B", "capability": 35, "position": {"x": 70, "y": 5},
         "salience": {"x": 50, "y": 80}},
        {"id": "C", "capability": 20, "position": {"x": 45, "y": 9},
         "salience": {"x": 70, "y": 30}},
        {"id": "D", "capability": {"x": 5, "y": 30}, "position": {"x": 95, "y": 0},
         "salience": {"x": 40, "y": 60}},
    ],
    "conflict": {  # so the war model runs too (its power is the sides' capability share)
        "issue": "x", "sides": {"a": ["B", "D"], "b": ["A"]}, "start": "2025-01-01",
        "horizon": 6, "front": 50, "truth": {"drift": 0.5, "volatility": 2},
        "beliefs": {"a": {"drift": 2, "sd": 0.5}, "b": {"drift": -1, "sd": 0.5}},
        "costs": {"a": 0.5, "b": 0.5},
    },
}


def _scaled(factor: float) -> dict[str, Any]:
    def times(cap: Any) -> Any:
        return {k: v * factor for k, v in cap.items()} if isinstance(cap, dict) else cap * factor
    return {**SCENARIO, "actors": [{**a, "capability": times(a["capability"])}
                                   for a in SCENARIO["actors"]]}


def _outcome(data: dict[str, Any], name: str) -> np.ndarray:
    result = accord.forecast(validate_data(data), [name], draws=1, seed=0)
    return np.asarray(result.results[0].outcome, dtype=float)


@pytest.mark.parametrize("name", models.names())
@settings(max_examples=5, deadline=None)
@given(factor=st.sampled_from([1e-3, 0.37, 2.0, 7.3, 1e4]))
def test_only_capability_ratios_matter(name: str, factor: float) -> None:
    base = _outcome(SCENARIO, name)
    np.testing.assert_allclose(_outcome(_scaled(factor), name), base, rtol=0, atol=1e-5)


def _capability_scale_claims(text: str) -> list[str]:
    """Sentences that state a scale of capability (a number range near the word)."""
    sentences = re.split(r"(?<=[.;\n])\s", text)
    return [s for s in sentences if re.search(r"capabilit", s, re.I)
            and re.search(r"0\s*[-–]\s*100|≥ 0|>= 0|ratio", s)]


@pytest.mark.parametrize("where", [
    "README.md",
    "src/accord/report/templates/report.html.j2",
    "src/accord/web/templates/_editor.html.j2",
    "accord new template",
])
def test_capability_scale_is_described_one_way(where: str) -> None:
    text = TEMPLATE if where == "accord new template" else (ROOT / where).read_text("utf-8")
    claims = _capability_scale_claims(text)
    assert claims, f"{where} does not say what scale capability is on"
    for claim in claims:
        assert PHRASE in claim, f"{where}: {claim.strip()!r}"
