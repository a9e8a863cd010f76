"""Writing files atomically: a reader sees the old file or the new one, never half of one.

:func:`atomic_path` gives a temporary path beside the target (same directory, so the final
:func:`os.replace` is a rename on one file system); whatever the body writes there replaces
the target only when the body finishes without an exception. Every writer of the package's
output files (reports, PDFs, PNGs) goes through it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _ordinary_mode(fd: int) -> None:
    """Give a file the mode an ordinary ``open(..., "w")`` would, not mkstemp's 0600."""
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed onto ``path`` on success.

    The temporary file exists (empty) when the body starts and keeps the target's suffix, so
    writers that choose the format by suffix (matplotlib) or that print to a path (Chromium)
    work on it. If the body raises, the temporary file is removed and ``path`` is untouched.
    The target's directory is created when missing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.",
                                suffix=f".tmp{target.suffix}")
    tmp = Path(name)
    try:
        try:
            _ordinary_mode(fd)
        finally:
            os.close(fd)
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8) to path atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
