"""Start-up (issue 12): the command and the registry import nothing heavy until needed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from accord import models
from accord.models import base


def imported_after(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter (what ``code``
    prints itself comes before the marker line and is left out)."""
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys\n"
                          "print('\\n-- modules --\\n' + '\\n'.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return set(out.split("\n-- modules --\n", 1)[1].split())


def run_command(*args: str) -> str:
    """Code that runs ``accord ARGS`` as the console script does, then carries on."""
    return ("import sys\nfrom accord.cli import main\n"
            f"sys.argv = ['accord', *{list(args)!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")


HEAVY = ("numpy", "pydantic", "accord.models", "accord.analysis", "accord.scenario",
         "matplotlib", "plotly", "fastapi", "yaml", "orjson", "rich", "markdown_it")


def test_the_command_loads_no_numpy_pydantic_or_models() -> None:
    loaded = imported_after("import accord.cli")
    for heavy in HEAVY:
        assert heavy not in loaded, heavy


@pytest.mark.parametrize("args", [("--help",), ()])
def test_help_loads_no_rich_markdown_numpy_or_pydantic(args: tuple[str, ...]) -> None:
    """Help is Click's plain formatter: Typer's Rich help would load rich, rich.markdown and
    markdown_it (half of ``accord --help``'s time before issue 12)."""
    loaded = imported_after(run_command(*args))
    assert "accord.cli" in loaded and "typer" in loaded
    for heavy in HEAVY:
        assert heavy not in loaded, heavy


# Typer (0.2x) checks each given value through a pydantic TypeAdapter once it parses a
# command's arguments, so pydantic may load from here on; nothing else heavy may.
LIGHT = tuple(h for h in HEAVY if h != "pydantic")


@pytest.mark.parametrize("args", [("forecast", "--help"), ("ledger", "--help"),
                                  ("ledger", "score", "--help"),
                                  ("forecast", "x.yaml", "--no-such-option")])
def test_command_help_and_usage_errors_load_no_rich_or_numpy(args: tuple[str, ...]) -> None:
    loaded = imported_after(run_command(*args))
    assert "accord.cli" in loaded
    for heavy in LIGHT:
        assert heavy not in loaded, heavy


def test_a_plain_forecast_loads_no_war_sensitivity_shocks_or_thread_pool() -> None:
    """Nor Rich: printed to a pipe, the tables are drawn without it, as Rich would draw them
    (accord.cli.plain; tests/test_plain.py compares the two)."""
    loaded = imported_after(run_command("forecast", "tests/data/ktab/dummyData_3Dim.csv",
                                        "--model", "smp"))
    assert "accord.analysis.forecast" in loaded
    for module in ("accord.analysis.war", "accord.models.war", "accord.analysis.sensitivity",
                   "accord.analysis.shocks", "accord.analysis.explain", "concurrent.futures",
                   "rich", "numpy.ma"):
        assert module not in loaded, module


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


def test_loading_a_csv_file_imports_no_yaml_and_forecasting_no_advice() -> None:
    loaded = imported_after("from accord.io import load_any\n"
                            "sc = load_any('tests/data/ktab/dummyData_3Dim.csv')\n"
                            "from accord import analysis\n"
                            "analysis.forecast(sc, ['compromise'])")
    assert "accord.analysis.forecast" in loaded
    for module in ("yaml", "accord.analysis.advice", "rich", "orjson", "plotly"):
        assert module not in loaded, module


def test_analysis_exports_every_name_from_its_module() -> None:
    """Each name of ``accord.analysis.__all__`` is the object its submodule defines (lazy
    attributes, PEP 562), and the TYPE_CHECKING imports list the same names."""
    import ast
    import importlib
    from pathlib import Path

    from accord import analysis

    exports = analysis._EXPORTS
    assert sorted(exports) == sorted(analysis.__all__)
    for name, module in exports.items():
        assert getattr(analysis, name) is getattr(importlib.import_module(module), name), name
    tree = ast.parse(Path(analysis.__file__).read_text(encoding="utf-8"))
    checked = {(node.module, alias.name) for block in tree.body if isinstance(block, ast.If)
               for node in block.body if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert checked == {(module, name) for name, module in exports.items()}


def test_functions_named_like_their_module_stay_functions() -> None:
    """``forecast`` and ``sensitivity`` are functions and submodules; whichever is imported
    first, the package attribute is the function (as with the eager imports of before)."""
    code = ("import accord.analysis.forecast, accord.analysis.sensitivity\n"
            "from accord import analysis\n"
            "from accord.analysis import forecast, sensitivity\n"
            "import accord\n"
            "assert callable(analysis.forecast) and callable(analysis.sensitivity)\n"
            "assert forecast is analysis.forecast is accord.forecast\n"
            "assert sensitivity.__module__ == 'accord.analysis.sensitivity'\n"
            "assert analysis.results.__name__ == 'accord.analysis.results'\n")
    assert "accord.analysis.forecast" in imported_after(code)


@pytest.mark.parametrize("text", [
    "a:\n" + "".join("  " * k + "- \n" for k in range(1, 45)),       # 44 levels deep
    "a: [" + ", ".join(["1"] * 60) + "]\n",                         # 61 values (limit 50 here)
    "a:\n  b: 1" + "2" * 40 + "\n",                                 # a 41-digit number
    "x: 1\n" + "a:\n  " + "1" * 35 + ": 2\n",                       # ... as a key
])
def test_a_document_without_aliases_meets_the_same_limits(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an alias the limits are checked on the composed tree (start-up, issue 12);
    the message and line are those of the event check that runs when a "*" is in the text."""
    from accord.scenario import ScenarioError, files

    monkeypatch.setattr(files, "MAX_NODES", 50)
    found = []
    for variant in (text, text + "# a * in a comment sends it through the event check\n"):
        try:
            files.parse_text(variant, "yaml", "f.yaml")
        except ScenarioError as e:
            found.append(e.lines())
        else:
            raise AssertionError("accepted")
    assert found[0] == found[1]


def test_resolved_tags_are_remembered_apart_for_quoted_and_plain_text() -> None:
    """The scenario loader resolves each (kind, text, flags) once (start-up, issue 12): the
    same text quoted and plain, as a key and as a value, keeps the type YAML gives it."""
    import yaml

    from accord.scenario import files

    text = "a: 1\nb: '1'\n1: x\ne: 1e5\nf: 'true'\ng: true\nh: ~\ni: '~'\nj: [1, '1']\n"
    want = {"a": 1, "b": "1", 1: "x", "e": 1e5, "f": "true", "g": True, "h": None,
            "i": "~", "j": [1, "1"]}
    for _ in range(2):
        assert files.parse_text(text, "yaml", "f.yaml")[0] == want
    assert yaml.safe_load(text.replace("1e5", "100000.0")) == want  # PyYAML's own reading


def test_text_problems_name_paths_as_before() -> None:
    """text_problems keeps each path as a chain and spells it out only for a problem
    (start-up, issue 12); the paths, order and depth limit are the same."""
    from accord.scenario import schema

    data = {"title": "ok", "actors": [{"id": "a", "name": "b\ud800"}], "\udc00k": 1,
            "deep": [[[[[[[[[[[[[1]]]]]]]]]]]]]}
    assert [str(p) for p in schema.text_problems(data)] == [
        "<scenario> deep[0][0][0][0][0][0][0][0][0][0][0][0]: is nested too deeply for a "
        "scenario",
        "<scenario> actors[0].name: 'b\\ud800' holds a lone surrogate (\\ud800-\\udfff), "
        "which is not text",
        "<scenario> (key): '\\udc00k' holds a lone surrogate (\\ud800-\\udfff), which is not "
        "text"]
    assert schema.text_problems({"a": [[[[[[[[[[[1]]]]]]]]]]]}) == []  # 12 levels: allowed


def test_the_commands_table_names_each_commands_module() -> None:
    """``accord NAME`` imports only COMMANDS[NAME]'s module: the table must name the module
    that defines each command of the whole app, and no other name."""
    from typer.main import get_group

    import accord.cli as cli

    group = get_group(cli.app)
    assert set(group.commands) == set(cli.COMMANDS)
    assert set(cli.COMMANDS.values()) == set(cli.MODULES)
    for name, command in group.commands.items():
        callbacks = ([command.callback] if command.callback is not None else
                     [c.callback for c in command.commands.values()])
        assert {c.__module__ for c in callbacks} == {f"accord.cli.{cli.COMMANDS[name]}"}, name


def test_a_command_imports_its_module_alone() -> None:
    loaded = imported_after(run_command("forecast", "--help"))
    assert "accord.cli.forecast" in loaded
    assert not {f"accord.cli.{m}" for m in ("explain", "ledger", "backtest", "serve",
                                            "draft", "scenarios")} & loaded
    everything = imported_after(run_command("--help"))
    assert {"accord.cli.ledger", "accord.cli.serve", "accord.cli.forecast"} <= everything
