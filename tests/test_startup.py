"""Start-up (issue 12): the command and the registry import nothing heavy until needed."""

from __future__ import annotations

import subprocess
import sys

from accord import models
from accord.models import base


def imported_after(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                          "print('\\n'.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return set(out.split())


def test_the_command_loads_no_numpy_pydantic_or_models() -> None:
    loaded = imported_after("import accord.cli")
    for heavy in ("numpy", "pydantic", "accord.models", "accord.analysis", "accord.scenario",
                  "matplotlib", "plotly", "fastapi"):
        assert heavy not in loaded, heavy


def test_the_registry_knows_names_without_importing_models() -> None:
    loaded = imported_after("from accord import models\nprint(models.names())")
    assert not {f"accord.models.{m}" for m in base.BUILTIN} & loaded
    one = imported_after("from accord import models\nmodels.get('smp')")
    assert "accord.models.smp" in one and "accord.models.bdm" not in one


def test_builtin_table_matches_the_model_modules() -> None:
    """Every name of BUILTIN registers a model of that name from that module, in order."""
    classes = models.model_classes()
    assert [c.name for c in classes] == list(base.BUILTIN) == models.names()
    for cls in classes:
        assert cls.__module__ == base.BUILTIN[cls.name]


def test_lazy_package_attributes() -> None:
    import accord

    assert accord.forecast.__module__ == "accord.analysis.forecast"
    assert accord.load.__name__ == "load_any"
    assert accord.backtest.__name__ == "accord.backtest"
    assert models.smp.__name__ == "accord.models.smp"
    for mod, name in ((accord, "nonsense"), (models, "nonsense")):
        try:
            getattr(mod, name)
        except AttributeError:
            pass
        else:
            raise AssertionError(name)
