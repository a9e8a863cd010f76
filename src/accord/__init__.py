"""accord: forecast how multi-party negotiations end.

    import accord
    scenario = accord.load("ukraine.yaml")          # or accord.example("ukraine-2025")
    result = accord.forecast(scenario, models=["compromise", "nash"], draws=2000, seed=1)
    accord.sensitivity(scenario, ...); accord.run_shocks(scenario, ...)
    accord.backtest.backtest(accord.load_deu("deu-dev.csv", "capabilities.csv"), ...)
"""

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use (start-up, issue 12: ``accord --help`` must not load numpy, pydantic
# or the models): name -> (module, attribute).
_LAZY = {
    "ForecastResult": ("accord.analysis", "ForecastResult"),
    "ModelResult": ("accord.analysis", "ModelResult"),
    "forecast": ("accord.analysis", "forecast"),
    "run_shocks": ("accord.analysis", "run_shocks"),
    "sensitivity": ("accord.analysis", "sensitivity"),
    "sweep": ("accord.analysis", "sweep"),
    "ScenarioArrays": ("accord.arrays", "ScenarioArrays"),
    "sample": ("accord.arrays", "sample"),
    "to_arrays": ("accord.arrays", "to_arrays"),
    "load_deu": ("accord.backtest", "load_deu"),
    "example": ("accord.examples", "example"),
    "example_names": ("accord.examples", "example_names"),
    "load": ("accord.io", "load_any"),
    "Problem": ("accord.scenario", "Problem"),
    "Scenario": ("accord.scenario", "Scenario"),
    "ScenarioError": ("accord.scenario", "ScenarioError"),
    "save": ("accord.scenario", "save"),
}

if TYPE_CHECKING:
    from accord.analysis import (
        ForecastResult,
        ModelResult,
        forecast,
        run_shocks,
        sensitivity,
        sweep,
    )
    from accord.arrays import ScenarioArrays, sample, to_arrays
    from accord.backtest import load_deu
    from accord.examples import example, example_names
    from accord.io import load_any as load
    from accord.scenario import Problem, Scenario, ScenarioError, save


def __getattr__(name: str) -> Any:
    """The names of ``__all__`` and the subpackages (``accord.backtest``), on first use."""
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"accord.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"accord.{name}":
                raise
    raise AttributeError(f"module 'accord' has no attribute {name!r}")


__all__ = [
    "ForecastResult",
    "ModelResult",
    "Problem",
    "Scenario",
    "ScenarioArrays",
    "ScenarioError",
    "example",
    "example_names",
    "forecast",
    "load",
    "load_deu",
    "run_shocks",
    "sample",
    "save",
    "sensitivity",
    "sweep",
    "to_arrays",
]

__version__ = "0.1.0"
