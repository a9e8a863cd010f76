"""Bargaining models behind one interface; ``get("compromise")`` builds one by name."""

from accord.models.base import (
    BaseModel,
    Forecast,
    Model,
    ModelSpecError,
    get,
    model_class,
    names,
    register,
)

# Registration order is the order models are shown in. One import per model module.
from accord.models import compromise, median, nash, bdm, smp, exchange  # noqa: F401  isort: skip

__all__ = ["BaseModel", "Forecast", "Model", "ModelSpecError", "get", "model_class", "names",
           "register"]
