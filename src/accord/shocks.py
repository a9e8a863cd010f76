"""Shocks: named what-if edits of a scenario, run beside the base case.

A shock is a list of edits, each one short line an analyst can type on the command line or
keep in the scenario file's ``shocks:`` section (shared/DESIGN.md, "Sensitivity and shocks"):

===============================  ==========================================================
``RUS.capability=40``            set an actor's capability (every issue)
``RUS.capability.territory=40``  set its capability on one issue
``USA.position.ceasefire=20``    set a position (on the issue's scale)
``USA.salience.ceasefire=95``    set a salience (0-100)
``territory.status_quo=50``      set an issue's status quo
``RUS.capability*=0.8``          relative edits: ``+=``, ``-=``, ``*=``
``drop:EUR``                     remove an actor
``drop:EUR.guarantees``          the actor leaves one issue (position and salience)
``conflict.costs.a+=0.5``        the ``conflict:`` section's numbers (the war model):
                                 ``conflict.front``, ``conflict.truth.drift``,
                                 ``conflict.truth.volatility``, ``conflict.beliefs.a.sd``
                                 (``.drift``), ``conflict.costs.b``, ``conflict.power``,
                                 ``conflict.horizon``; a side is ``a``, ``b`` or one of its
                                 actors. Mediators act this way: sanctions raise a side's
                                 cost, aid moves the drift or a belief
``add:CHN``                      add an actor (capability 0, no positions): give it some with
                                 ``CHN.capability=30``, ``CHN.position.territory=60``,
                                 ``CHN.salience.territory=40`` in the same shock
===============================  ==========================================================

A number's uncertainty range moves with it: ``=`` and ``+=``/``-=`` shift ``low`` and
``high`` by the same amount, ``*=`` scales them, and the range is clipped to what the number
may take, so the shocked scenario keeps the base case's uncertainty around the new value and
Monte Carlo compares like with like. The edited number's ``note`` records the edit.

Edits are applied in order; the result is validated like any scenario file, every problem
reported at once (:class:`~accord.scenario.ScenarioError`). A malformed edit raises
:class:`ShockError` (a user's mistake: the CLI prints it and exits with code 2).
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.errors import ShockError
from accord.scenario import Problem, Scenario, ScenarioError, validate_data
from accord.scenario.edits import SYNTAX, Edit, Op, edit_data, parse_edit

__all__ = ["SYNTAX", "Edit", "Op", "ShockError", "apply_edits", "parse_edit", "resolve"]


def apply_edits(scenario: Scenario, edits: Sequence[str], name: str = "shock") -> Scenario:
    """The scenario after the edits; raises ShockError or ScenarioError (every problem)."""
    data = edit_data(scenario.model_dump(mode="json", exclude_none=True), edits)
    try:
        return validate_data(data, file=f"shock {name!r}")
    except ScenarioError as e:
        raise ScenarioError(
            [Problem(p.file, None, p.path, p.message) for p in e.problems]
        ) from None


def resolve(scenario: Scenario, refs: Sequence[str]) -> dict[str, list[str]]:
    """Shocks to run from command-line references.

    A reference that names a shock of the scenario's ``shocks:`` section runs that shock;
    every other reference is an edit, and all such edits together form one more shock
    (named after its edits). Edits are parsed here so mistakes surface before any run.
    """
    named: dict[str, list[str]] = {}
    loose: list[str] = []
    for ref in refs:
        if ref in scenario.shocks:
            named[ref] = list(scenario.shocks[ref])
        else:
            try:
                parse_edit(ref)
            except ShockError as e:
                if scenario.shocks and "." not in ref and ":" not in ref:
                    raise ShockError(f"{e}; or name a shock of the scenario: "
                                     f"{', '.join(scenario.shocks)}") from None
                raise
            loose.append(ref)
    if loose:
        named["; ".join(loose)] = loose
    return named
