"""Built-in example scenarios (package data), loaded by name."""

from __future__ import annotations

from importlib import resources

from accord.scenario import Problem, Scenario, ScenarioError, loads, validate_data

_SUFFIX = ".yaml"


def example_names() -> list[str]:
    """Names of the built-in examples."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name[: -len(_SUFFIX)] for f in files if f.name.endswith(_SUFFIX))


def example_text(name: str) -> str:
    if name not in example_names():
        raise ScenarioError([Problem(name, None, "", "is not a built-in "
                                     f"example; the examples are: {', '.join(example_names())}")])
    return resources.files(__name__).joinpath(name + _SUFFIX).read_text(encoding="utf-8")


def example(name: str) -> Scenario:
    """A built-in example scenario by name (see ``accord examples``)."""
    return loads(example_text(name), "yaml", name + _SUFFIX)


def random_scenario(actors: int, issues: int, seed: int = 0) -> Scenario:
    """A scenario of random numbers, for timings and trials (not an example): capabilities
    U(1, 100), positions, saliences and status quo U(0, 100), each ranged ±10 within those
    bounds."""
    import numpy as np  # here: loading an example needs no numpy

    rng = np.random.default_rng(seed)

    def ranged(lo: float, hi: float) -> dict[str, float]:
        v = float(rng.uniform(lo, hi))
        return {"value": v, "low": max(lo, v - 10), "high": min(hi, v + 10)}

    return validate_data({
        "issues": [{"id": f"i{p}", "status_quo": ranged(0, 100)} for p in range(issues)],
        "actors": [{"id": f"a{k}", "capability": ranged(1, 100),
                    "position": {f"i{p}": ranged(0, 100) for p in range(issues)},
                    "salience": {f"i{p}": ranged(0, 100) for p in range(issues)}}
                   for k in range(actors)]})
