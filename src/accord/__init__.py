"""accord: forecast how multi-party negotiations end.

    import accord
    scenario = accord.load("ukraine.yaml")          # or accord.example("ukraine-2025")
    result = accord.forecast(scenario, models=["compromise", "nash"], draws=2000, seed=1)
    accord.sensitivity(scenario, ...); accord.run_shocks(scenario, ...)
    accord.backtest.backtest(accord.load_deu("deu-dev.csv", "capabilities.csv"), ...)
"""

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
