"""The built-in examples: the Ukraine scenario is coded from the article, number by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.arrays import to_arrays
from accord.examples import example, example_names
from accord.models import get
from accord.scenario import Quantity

ARTICLE = (Path(__file__).parent / "data" / "baseline" / "article.txt").read_text("utf-8")


def quantities(name: str) -> list[tuple[str, Quantity]]:
    sc = example(name)
    out = [(f"issues[{k}].status_quo", i.status_quo) for k, i in enumerate(sc.issues)
           if i.status_quo is not None]
    for a in sc.actors:
        caps = a.capability if isinstance(a.capability, dict) else {"": a.capability}
        out += [(f"{a.id}.capability{'.' + k if k else ''}", q) for k, q in caps.items()]
        out += [(f"{a.id}.position.{k}", q) for k, q in a.position.items()]
        out += [(f"{a.id}.salience.{k}", q) for k, q in a.salience.items()]
    return out


def test_examples_listed() -> None:
    assert {"ukraine-2025", "emission-1994"} <= set(example_names())


def test_ukraine_has_the_article_actors_and_issues() -> None:
    sc = example("ukraine-2025")
    assert {"RUS", "USA", "UKR", "EUR"} <= set(sc.actor_ids)
    assert {"territory", "ceasefire", "guarantees"} <= set(sc.issue_ids)


@pytest.mark.parametrize("path,q", quantities("ukraine-2025"))
def test_every_ukraine_number_has_a_range_and_evidence_or_note(path: str, q: Quantity) -> None:
    assert q.low is not None and q.high is not None, f"{path} has no range"
    assert q.low < q.high, f"{path}: an empty range"
    assert q.evidence or q.note, f"{path} has neither evidence nor a note"
    if q.evidence:
        assert q.evidence in ARTICLE, f"{path}: evidence is not a verbatim quote: {q.evidence!r}"
        assert q.source == "article"
    if q.note:
        assert "judgement" in q.note, f"{path}: a note must say it is the analyst's judgement"


def test_emission_example_matches_the_reference_table() -> None:
    arrays = to_arrays(example("emission-1994"))
    import numpy as np

    rng = np.random.default_rng(0)
    assert get("compromise").run(arrays, rng=rng).outcome[0, 0] == pytest.approx(7.389956,
                                                                                 abs=5e-7)
    assert get("median").run(arrays, rng=rng).outcome[0, 0] == 7
