"""Bargaining models behind one interface; ``get("compromise")`` builds one by name.

The registry (:mod:`accord.models.base`) knows the built-in models' names without importing
their modules; ``get``/``model_class`` import a model's module when it is first asked for, and
``accord.models.<module>`` imports it on first access (start-up, issue 12).
"""

import importlib
from typing import Any

from accord.models.base import (
    BaseModel,
    Forecast,
    Model,
    ModelSpecError,
    get,
    model_class,
    model_classes,
    names,
    register,
)

__all__ = ["BaseModel", "Forecast", "Model", "ModelSpecError", "get", "model_class",
           "model_classes", "names", "register"]


def __getattr__(name: str) -> Any:
    """``accord.models.smp`` and the like: the model modules, imported on first access."""
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"accord.models.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"accord.models.{name}":
                raise
    raise AttributeError(f"module 'accord.models' has no attribute {name!r}")
