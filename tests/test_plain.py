"""accord.cli.plain draws what Rich draws where Rich would write plain text (issue 12: a
forecast's tables without importing Rich). Rich itself is the oracle: every text the plain
path accepts must equal Rich's drawing of the same table or string, character for character."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from accord.cli import app, common, plain
from accord.cli.common import LazyConsole

KTAB = Path(__file__).parent / "data" / "ktab" / "dummyData_3Dim.csv"


def rich_text(obj: object, width: int) -> str:
    """What the CLI's console (markup, emoji and highlighting off, soft wrap) writes to a
    file that is not a terminal, ``width`` columns wide."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, soft_wrap=True, markup=False, emoji=False,
                      highlight=False)
    console.print(obj.to_rich() if isinstance(obj, plain.Table) else obj)
    return buf.getvalue()


def make(title: str | None, caption: str | None, columns: list[tuple[str, str]],
         rows: list[list[str]]) -> plain.Table:
    table = plain.Table(title=title, title_justify="left")
    for header, justify in columns:
        table.add_column(header, justify=justify)
    for row in rows:
        table.add_row(*row)
    table.caption = caption
    return table


def test_a_forecast_table_is_drawn_as_rich_draws_it() -> None:
    table = make("Pstn1", "scale 0–100", [("model", "left"), ("forecast", "right"),
                                          ("10–90 % calibrated", "right")],
                 [["smp", "78.1", "69.4 – 87.1"], ["ensemble", "5.0", "–"]])
    text = table.plain(80)
    assert text is not None
    assert text == rich_text(table, 80)
    assert text.splitlines()[2] == "┃ model    ┃ forecast ┃ 10–90 % calibrated ┃"
    assert text.splitlines()[4] == "│ smp      │     78.1 │        69.4 – 87.1 │"


WORD = st.text(alphabet="abcxyzABC019.%()–-_:é<=>/[]", min_size=1, max_size=9)
TEXT = st.lists(WORD, min_size=1, max_size=5).map(" ".join)  # what plain accepts
ODD = st.text(min_size=0, max_size=12)  # anything at all: tabs, wide, combining, spaces


def tables(text: st.SearchStrategy[str]) -> st.SearchStrategy[plain.Table]:
    @st.composite
    def build(draw: st.DrawFn) -> plain.Table:
        columns = draw(st.lists(st.tuples(text, st.sampled_from(["left", "right"])),
                                min_size=1, max_size=5))
        rows = draw(st.lists(st.lists(text, min_size=len(columns), max_size=len(columns)),
                             min_size=1, max_size=4))
        return make(draw(st.none() | text), draw(st.none() | text), columns, rows)
    return build()


@settings(max_examples=150, deadline=None)
@given(table=tables(TEXT), width=st.integers(10, 160))
def test_plain_draws_what_rich_draws(table: plain.Table, width: int) -> None:
    text = table.plain(width)
    widths = [max(len(h), *(len(r[k]) for r in table.rows))
              for k, (h, _) in enumerate(table.columns)]
    assert (text is None) == (sum(widths) + 3 * len(widths) + 1 > width)
    if text is not None:
        assert text == rich_text(table, width)


@settings(max_examples=150, deadline=None)
@given(table=tables(TEXT), odd=ODD, where=st.integers(0, 10_000), width=st.integers(10, 160))
def test_with_any_text_plain_draws_what_rich_draws_or_declines(table: plain.Table, odd: str,
                                                               where: int, width: int) -> None:
    """One cell, header, title or caption anything at all."""
    cells = [table.title, table.caption, *(h for h, _ in table.columns),
             *(c for r in table.rows for c in r)]
    k = where % len(cells)
    if k == 0:
        table.title = odd
    elif k == 1:
        table.caption = odd
    elif k < 2 + len(table.columns):
        table.columns[k - 2] = (odd, table.columns[k - 2][1])
    else:
        i, j = divmod(k - 2 - len(table.columns), len(table.columns))
        table.rows[i] = (*table.rows[i][:j], odd, *table.rows[i][j + 1:])
    text = table.plain(width)
    if text is not None:
        assert text == rich_text(table, width)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_plain_string_is_written_as_rich_writes_it(s: str) -> None:
    console = LazyConsole(soft_wrap=True, markup=False, emoji=False, highlight=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        console.print(s, style="bold")
    assert console._console is None or not s.isprintable()
    assert buf.getvalue() == rich_text(s, 80)


def test_a_table_too_wide_or_odd_goes_to_rich() -> None:
    wide = make("t", None, [("x" * 50, "left"), ("y" * 50, "right")], [["a", "b"]])
    assert wide.plain(80) is None and wide.plain(120) is not None
    assert make("a\tb", None, [("h", "left")], [["c"]]).plain(80) is None
    long = make("long title " * 5 + "end", "caption " * 12 + "end", [("h", "left")], [["c"]])
    assert long.plain(80) == rich_text(long, 80)  # the consoles soft-wrap: no wrapping
    assert make(None, None, [("h", "left")], [["漢字"]]).plain(80) is None
    assert make(None, None, [("h", "left")], [[" c"]]).plain(80) is None
    console = LazyConsole(soft_wrap=True, markup=False, emoji=False, highlight=False)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        console.print(wide)
    assert console._console is not None  # Rich drew it (and wraps it at 80 columns)
    assert buf.getvalue() == rich_text(wide, 80)


class Stream(io.StringIO):
    def __init__(self, tty: bool = False, encoding: str = "utf-8") -> None:
        super().__init__()
        self._tty, self._encoding = tty, encoding

    def isatty(self) -> bool:
        return self._tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


@pytest.mark.parametrize(("env", "tty", "encoding"), [
    ({}, False, "utf-8"), ({}, True, "utf-8"), ({}, False, "ascii"),
    ({"COLUMNS": "123"}, False, "utf-8"), ({"COLUMNS": "wide"}, False, "utf-8"),
    ({"FORCE_COLOR": "1"}, False, "utf-8"), ({"FORCE_COLOR": ""}, True, "utf-8"),
    ({"TTY_COMPATIBLE": "1"}, False, "utf-8"), ({"TTY_COMPATIBLE": "0"}, True, "utf-8"),
    ({"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, False, "UTF-8"),
])
def test_width_is_riches_where_rich_writes_plain_text(monkeypatch, env, tty,
                                                      encoding) -> None:
    for name in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE", "LINES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = Stream(tty, encoding)
    console = Console(file=stream)
    plain_as_rich = not console.is_terminal and not console.options.ascii_only
    got = plain.width(stream)
    assert (got is not None) == plain_as_rich
    if got is not None:
        assert got == console.width


def test_forecast_output_is_the_same_with_and_without_rich(monkeypatch) -> None:
    """The whole ``accord forecast`` text, plain path against Rich (plain switched off)."""
    args = ["forecast", str(KTAB), "--model", "smp", "--draws", "20", "--intervals", "both",
            "--prob", "Pstn1>50", "--shock", "SActor-00.capability=40"]
    runner = CliRunner()
    monkeypatch.setattr(common.out, "_console", None)
    fast = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert fast.exit_code == 0, fast.output
    assert common.out._console is None  # every line and table went the plain way
    monkeypatch.setattr(plain, "width", lambda stream: None)
    slow = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert slow.exit_code == 0, slow.output
    assert "┏" in fast.stdout and "Probabilities over 20 draws" in fast.stdout
    assert fast.stdout == slow.stdout
