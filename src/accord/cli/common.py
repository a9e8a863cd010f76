"""What every command shares: the ``app``, the consoles, user-error handling, loading.

Only light imports here (typer, accord.errors): ``accord --help`` must load neither numpy,
pydantic, the models, the web app nor Rich (issue 12: start-up). Commands import those inside
their function bodies; the consoles ``out`` and ``err`` create their Rich console on first use.
Help is Click's plain formatter (``rich_markup_mode=None``): Typer's Rich help loads Rich,
rich.markdown and markdown_it, about half of ``accord --help``'s time.

The consoles have Rich markup switched off: every string the CLI prints (titles, labels, actor
names, file names, model labels) is shown literally, so a title like ``Talks [/x]`` cannot be
read as markup (nor ``:flag:`` as an emoji). Style comes from ``style=`` arguments, never from
``[bold]`` in a string.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from accord.errors import AccordError, UserError

if TYPE_CHECKING:
    from rich.console import Console

    from accord.scenario import Scenario


def reflow(doc: str | None) -> str | None:
    """A docstring as help text: paragraphs kept, line breaks inside a paragraph joined.

    A docstring wrapped at 100 columns must not break mid-sentence in ``--help``; the first
    paragraph is the one-line summary in the command list.
    """
    if doc is None:
        return None
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def summary(text: str | None) -> str | None:
    """The first paragraph of a (reflowed) help text: a command's line in the command list,
    whole (Click would cut it at the terminal's width with "...")."""
    return None if text is None else text.split("\n\n", 1)[0]




class App(typer.Typer):
    """A Typer app whose commands take their help from the docstring, reflowed, shown by
    Click's plain help formatter."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("pretty_exceptions_enable", False)
        kwargs.setdefault("rich_markup_mode", None)
        if kwargs.get("help"):
            kwargs.setdefault("short_help", summary(kwargs["help"]))
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[Any], Any]:
        register = super().command

        def decorator(f: Callable[..., Any]) -> Callable[..., Any]:
            kwargs.setdefault("help", reflow(f.__doc__))
            kwargs.setdefault("short_help", summary(kwargs["help"]))
            return register(name, **kwargs)(f)

        return decorator


class LazyConsole:
    """A Rich console made on first use: importing Rich costs ~25 ms that ``accord --help``
    and the JSON paths do without. ``console`` is the real one (for ``Progress(console=…)``)."""

    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._kwargs)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """``Console.print``; where Rich would write plain text (not a terminal, see
        :mod:`accord.cli.plain`), one string or one :class:`plain.Table` is written without
        Rich, as Rich would write it, until something needs Rich itself."""
        from accord.cli import plain

        if self._console is None and len(objects) <= 1 and set(kwargs) <= {"style"}:
            stream = sys.stderr if self._kwargs.get("stderr") else sys.stdout
            width = plain.width(stream) if stream is not None else None
            if width is not None:
                obj = objects[0] if objects else ""
                text = (obj.plain(width) if isinstance(obj, plain.Table) else
                        obj + "\n" if isinstance(obj, str) and obj.isprintable() else None)
                if text is not None:
                    stream.write(text)
                    stream.flush()
                    return
        self.console.print(*(o.to_rich() if isinstance(o, plain.Table) else o
                             for o in objects), **kwargs)


# Help up to 100 columns wide where the terminal is (Click's default stops at 80); the
# commands' contexts inherit it.
app = App(help="accord: forecast how multi-party negotiations end.",
          context_settings={"max_content_width": 100})
# No emoji codes either (":flag:" in a title prints as written) and no automatic highlighting
# of numbers in what ``out`` prints (its regular expressions were a tenth of a small table's
# time, issue 12); tables style their cells with ``style=``.
out = LazyConsole(soft_wrap=True, markup=False, emoji=False, highlight=False)
err = LazyConsole(stderr=True, soft_wrap=True, markup=False, emoji=False, highlight=False)


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
                  TimeElapsedColumn(), console=err.console, transient=True) as bar:
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
