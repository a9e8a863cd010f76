"""Request bodies shared by the web tests (test_web_api, test_web_jobs)."""

from __future__ import annotations

from typing import Any

TWO: dict[str, Any] = {
    "title": "Two",
    "issues": [{"id": "x"}],
    "actors": [
        {"id": "A", "capability": 1, "position": {"x": 0}, "salience": {"x": 100}},
        {"id": "B", "capability": 3, "position": {"x": 100}, "salience": {"x": 100}},
    ],
}  # compromise = 100 · 3 / 4 = 75
