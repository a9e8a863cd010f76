"""Plain text where Rich would write plain text: a forecast's tables without importing Rich.

Importing Rich and drawing a forecast's few small tables was ~40 ms of ``accord forecast``'s
0.40 s (issue 12: start-up). Where the output is not a terminal (a pipe, a file, a test),
Rich writes no styles, and a table whose columns fit the width is a fixed drawing: the title,
the box (Rich's default, ``box.HEAVY_HEAD``), one padded cell per column, the caption. This
module draws exactly that, and says *no* whenever Rich would do anything else: a terminal
(or ``FORCE_COLOR``/``TTY_COMPATIBLE=1``), Jupyter, Windows, an encoding other than UTF-8
(Rich draws ASCII boxes then), text it would expand or measure differently (tabs, control
or wide characters, repeated or edge spaces), a table wider than the console. The
caller then hands the same table to Rich (:meth:`Table.to_rich`). Tests compare the two
drawings, character for character (tests/test_plain.py).
"""

from __future__ import annotations

import builtins
import os
import sys
from typing import IO, Any

# Characters Rich counts as one cell each: printable ASCII and the Latin, punctuation and
# dash ranges a scenario's labels use (no combining marks, nothing East Asian wide).
_NARROW = (range(0x20, 0x7F), range(0xA0, 0x300), range(0x370, 0x530), range(0x2010, 0x2028),
           range(0x2030, 0x205F))


def _narrow(ch: str) -> bool:
    o = ord(ch)
    return any(o in r for r in _NARROW)


def simple(text: str) -> bool:
    """Text Rich prints as written at one cell a character: no tabs, newlines or control
    characters, no wide or combining characters, no leading, trailing or doubled spaces."""
    if text != text.strip(" ") or "  " in text:
        return False
    if text.isascii():
        return text.isprintable()
    return all(_narrow(ch) for ch in text)


def width(stream: IO[str]) -> int | None:
    """The width Rich's console would use on ``stream``, or None where Rich would write
    styles or draw differently (as ``rich.console.Console`` decides it, for a console made
    with no width and not forced to a terminal)."""
    if sys.platform == "win32" or hasattr(builtins, "get_ipython"):
        return None
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None
    env = os.environ
    compatible = env.get("TTY_COMPATIBLE", "")
    if compatible == "1":
        return None
    if compatible != "0":
        force = env.get("FORCE_COLOR")
        if force is not None:
            if force != "":
                return None
        else:
            isatty = getattr(stream, "isatty", None)
            try:
                if isatty is not None and isatty():
                    return None
            except ValueError:
                pass
    columns = env.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    size = 0
    for fd in (0, 1, 2):
        try:
            size = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return size or 80


class Table:
    """The part of ``rich.table.Table`` a forecast's tables use: a title and caption
    (justified left), columns with a header and a justification, rows of strings."""

    def __init__(self, title: str | None = None, title_justify: str = "left") -> None:
        self.title = title
        self.title_justify = title_justify
        self.caption: str | None = None
        self.caption_justify = "left"
        self.columns: list[tuple[str, str]] = []
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, header: str, justify: str = "left") -> None:
        self.columns.append((header, justify))

    def add_row(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def to_rich(self) -> Any:
        """The same table as a ``rich.table.Table``."""
        from rich.table import Table as RichTable

        table = RichTable(title=self.title, title_justify=self.title_justify)
        for header, justify in self.columns:
            table.add_column(header, justify=justify)
        for row in self.rows:
            table.add_row(*row)
        table.caption = self.caption
        table.caption_justify = self.caption_justify
        return table

    def plain(self, max_width: int) -> str | None:
        """The table as Rich draws it without styles at ``max_width`` columns (lines ending
        in a newline), or None where Rich might draw it otherwise."""
        ncol = len(self.columns)
        if not ncol or not self.rows or any(len(r) != ncol for r in self.rows):
            return None
        texts = [h for h, _ in self.columns] + [c for r in self.rows for c in r]
        notes = [t for t in (self.title, self.caption) if t]
        if any(not isinstance(t, str) or not simple(t) for t in texts + notes):
            return None
        if (self.title and self.title_justify != "left") or (
                self.caption and self.caption_justify != "left"):
            return None
        if any(j not in ("left", "right") for _, j in self.columns):
            return None
        widths = [max(len(self.columns[k][0]), *(len(r[k]) for r in self.rows))
                  for k in range(ncol)]
        total = sum(widths) + 3 * ncol + 1  # a space each side of a cell, a rule between
        if total > max_width:  # Rich would narrow the columns and wrap their cells
            return None  # (a longer title or caption is not wrapped: the consoles soft-wrap)

        def line(cells: tuple[str, ...] | list[str], edge: str, mid: str, end: str) -> str:
            parts = [c.rjust(w) if j == "right" else c.ljust(w)
                     for c, w, (_, j) in zip(cells, widths, self.columns, strict=True)]
            return edge + " " + f" {mid} ".join(parts) + " " + end

        def rule(left: str, fill: str, mid: str, right: str) -> str:
            return left + mid.join(fill * (w + 2) for w in widths) + right

        lines = [self.title] if self.title else []
        lines += [rule("┏", "━", "┳", "┓"),
                  line([h for h, _ in self.columns], "┃", "┃", "┃"),
                  rule("┡", "━", "╇", "┩")]
        lines += [line(r, "│", "│", "│") for r in self.rows]
        lines.append(rule("└", "─", "┴", "┘"))
        if self.caption:
            lines.append(self.caption)
        return "".join(ln + "\n" for ln in lines)
