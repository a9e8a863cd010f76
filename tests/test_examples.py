"""The built-in examples: the Ukraine scenario is coded from the article, number by number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
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

    rng = np.random.default_rng(0)
    assert get("compromise").run(arrays, rng=rng).outcome[0, 0] == pytest.approx(7.389956,
                                                                                 abs=5e-7)
    assert get("median").run(arrays, rng=rng).outcome[0, 0] == 7


# ------------------------------------------------------------------ published data sets
# Golden values: tests/data/bdm/other_datasets_summary.csv (initial c*s-weighted mean and
# median, 3 decimals) and tests/data/exchange/exchange_reference_outcomes.csv (initial
# compromise, 2 decimals), both copied from shared/reference/ (see the READMEs there).

DATA = Path(__file__).parent / "data"
BDM_EXAMPLES = {"argentina": "argentina", "brexit": "brexit", "china": "china",
                "columbus": "columbus", "greece2015": "greece-2015", "honduras": "honduras",
                "iran2013": "iran-2013", "sultan": "sultan", "uk_emu_labour": "uk-emu-labour"}
DECIDE_EXAMPLES = {"sample_data": "road-toll", "copenhagen": "copenhagen-2009",
                   "cop21": "cop21-2015"}
KTAB_EXAMPLES = {"SOE-Policy": "ktab-soe-policy", "SOE-Competitive": "ktab-soe-competitive",
                 "SOE-Pol-Comp": "ktab-soe-pol-comp", "dummyData_3Dim": "ktab-dummy-3dim",
                 "dummyData_6Dim": "ktab-dummy-6dim", "dummyData-a040": "ktab-dummy-a040"}


def rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def central(name: str, model: str) -> np.ndarray:

    arrays = to_arrays(example(name))
    return get(model).run(arrays, rng=np.random.default_rng(0)).outcome[0]


def test_published_data_sets_are_examples() -> None:
    names = set(example_names())
    for group in (BDM_EXAMPLES, DECIDE_EXAMPLES, KTAB_EXAMPLES):
        assert set(group.values()) <= names
    assert "mugabe" in names


@pytest.mark.parametrize("row", rows(DATA / "bdm" / "other_datasets_summary.csv"),
                         ids=lambda r: r["dataset"])
def test_bdm_example_starts_at_the_published_mean_and_median(row: dict[str, str]) -> None:
    name = {**BDM_EXAMPLES, "emission": "emission-1994"}[row["dataset"]]
    assert central(name, "compromise")[0] == pytest.approx(float(row["weighted_mean_r0"]),
                                                           abs=5e-4)
    assert central(name, "median")[0] == pytest.approx(float(row["weighted_median_r0"]),
                                                       abs=1e-9)


@pytest.mark.parametrize("dataset", sorted(DECIDE_EXAMPLES))
def test_decide_example_starts_at_the_published_compromise(dataset: str) -> None:
    name = DECIDE_EXAMPLES[dataset]
    expected = {r["issue"]: float(r["initial_compromise"])
                for r in rows(DATA / "exchange" / "exchange_reference_outcomes.csv")
                if r["dataset"] == dataset}
    got = dict(zip(example(name).issue_ids, central(name, "compromise"), strict=True))
    assert set(expected) == set(got)
    for issue, value in expected.items():
        assert got[issue] == pytest.approx(value, abs=5e-3), issue


@pytest.mark.parametrize("stem", sorted(KTAB_EXAMPLES))
def test_ktab_example_has_the_numbers_of_the_ktab_file(stem: str) -> None:
    """Read here with the csv module alone: line 1 counts, line 2 headers, then actors."""
    import csv

    with (DATA / "ktab" / f"{stem}.csv").open(encoding="utf-8", newline="") as fh:
        lines = [[c.strip() for c in r] for r in csv.reader(fh) if any(c.strip() for c in r)]
    n, k = int(float(lines[0][2])), int(float(lines[0][3]))
    sc = example(KTAB_EXAMPLES[stem])
    assert len(sc.actors) == n and len(sc.issues) == k
    for actor, line in zip(sc.actors, lines[2: 2 + n], strict=True):
        assert actor.id == line[0]
        assert actor.capability_on(sc.issue_ids[0]).value == float(line[2])
        for j, issue in enumerate(sc.issue_ids):
            assert actor.position[issue].value == float(line[3 + 2 * j])
            assert actor.salience[issue].value == float(line[4 + 2 * j])


@pytest.mark.parametrize("name", example_names())
def test_every_example_says_where_it_comes_from_and_forecasts(accord: Any, name: str) -> None:
    from accord.examples import example_text

    assert example_text(name).startswith("#"), "provenance comment at the top"
    assert example(name).sources, "provenance in sources"
    res = accord("forecast", name, "--model", "compromise", "--model", "median", "--json")
    assert res.returncode == 0, res.stderr
    assert res.stdout.lstrip().startswith("{")
