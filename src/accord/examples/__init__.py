"""Built-in example scenarios (package data), loaded by name."""

from __future__ import annotations

from importlib import resources

from accord.scenario import Problem, Scenario, ScenarioError, loads

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
