"""What every command shares: the ``app``, the consoles, user-error handling, loading.

Only light imports here (typer, rich, accord.errors): ``accord --help`` must not load numpy,
the models or the web app. Commands import those inside their function bodies.

The consoles have Rich markup switched off: every string the CLI prints (titles, labels, actor
names, file names, model labels) is shown literally, so a title like ``Talks [/x]`` cannot be
read as markup. Style comes from ``style=`` arguments, never from ``[bold]`` in a string.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console

from accord.errors import AccordError, UserError

if TYPE_CHECKING:
    from accord.scenario import Scenario


def reflow(doc: str | None) -> str | None:
    """A docstring as help text: paragraphs kept, line breaks inside a paragraph joined.

    Typer's Rich help keeps single line breaks, so a docstring wrapped at 100 columns would
    break mid-sentence in ``--help``; the first paragraph is the one-line summary in the
    command list.
    """
    if doc is None:
        return None
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


class App(typer.Typer):
    """A Typer app whose commands take their help from the docstring, reflowed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[Any], Any]:
        register = super().command

        def decorator(f: Callable[..., Any]) -> Callable[..., Any]:
            kwargs.setdefault("help", reflow(f.__doc__))
            return register(name, **kwargs)(f)

        return decorator


app = App(help="accord: forecast how multi-party negotiations end.")
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def fail(lines: list[str]) -> NoReturn:
    """Print the lines on stderr and exit 2 (a user mistake)."""
    for line in lines:
        err.print(line)
    raise typer.Exit(code=2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every user mistake (an ``AccordError``, an unreadable path) into exit code 2."""
    try:
        yield
    except AccordError as e:
        fail(e.lines())
    except OSError as e:  # a path the user gave cannot be read or written
        where = e.filename if e.filename is not None else "a file"
        fail([f"error: cannot read or write {where}: {e.strerror or e}"])


def load_scenario(ref: str, salience_scale: float = 100.0) -> Scenario:
    """A scenario from a file path or a built-in example name."""
    from pathlib import Path

    from accord import examples as builtin
    from accord.io import load_any

    path = Path(ref)
    if path.exists():
        return load_any(path, salience_scale=salience_scale)
    if ref in builtin.example_names():
        return builtin.example(ref)
    raise UserError(f"{ref}: no such file, and not a built-in example "
                    f"(examples: {', '.join(builtin.example_names())})")


def parse_options(pairs: list[str] | None) -> dict[str, str]:
    """``--option KEY=VALUE`` pairs as a mapping (the models check keys and values)."""
    options: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--option {pair!r} is not KEY=VALUE (e.g. --option rounds=20)")
        options[key.strip()] = value.strip()
    return options


@contextmanager
def progress_on_stderr(enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """A spinner on stderr naming the model that runs; yields its ``step(name)`` or None."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def step(name: str) -> None:
            bar.update(task, description=f"running {name}")

        yield step


def write_json(doc: Any) -> None:
    """The JSON document on stdout (nothing else goes there), indented, written by orjson
    (the standard library's encoder falls back to pure Python when it indents; issue 12)."""
    import sys

    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    sys.stdout.write(orjson.dumps(finite(doc), option=options).decode("utf-8") + "\n")


def finite(doc: Any) -> Any:
    """``doc`` with every NaN or infinite number replaced by null (JSON has neither), and a
    note saying so under ``"notes"`` of the top level mapping."""
    import math

    replaced = 0

    def clean(x: Any) -> Any:
        nonlocal replaced
        if isinstance(x, float) and not math.isfinite(x):
            replaced += 1
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    out = clean(doc)
    if replaced and isinstance(out, dict):
        note = (f"{replaced} number(s) were not finite (overflow or undefined) and are "
                "written as null")
        notes = out.get("notes")
        out["notes"] = [*notes, note] if isinstance(notes, list) else [note]
    return out
