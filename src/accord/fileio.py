"""Writing files atomically: a reader sees the old file or the new one, never half of one.

:func:`atomic_path` gives a temporary path beside the target (same directory, so the final
:func:`os.replace` is a rename on one file system); whatever the body writes there replaces
the target only when the body finishes without an exception. Every writer of the package's
output files (reports, PDFs, PNGs, scenarios) goes through it.

- The temporary file is named ``.NAME.PID-RANDOM.accord-tmp.SUFFIX`` (hidden, recognisable,
  keeping the target's suffix). One left behind by a killed writer (its process is gone, or
  it is over a day old) is removed by the next write of the same target.
- An existing target keeps its mode; a new one gets the mode ``open(..., "w")`` would give.
- A symbolic link is written through: the file it points to is replaced, the link stays.
- A failure of the file system is a :class:`FileWriteError` naming the target.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from accord.errors import AccordError

TAG = ".accord-tmp"
STALE_SECONDS = 24 * 3600


class FileWriteError(AccordError, OSError):
    """An output file that cannot be written (a missing permission, a full disk ...)."""


def _ordinary_mode() -> int:
    """The mode an ordinary ``open(..., "w")`` gives a new file (0666 less the umask)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the temporary files a killed writer of ``target`` left; return them."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)-[0-9a-f]+"
                         + re.escape(TAG + target.suffix) + "$")
    removed = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = pattern.match(entry.name)
        if m is None:
            continue
        try:
            old = now - entry.lstat().st_mtime > STALE_SECONDS
            if old or not _alive(int(m.group(1))):
                entry.unlink()
                removed.append(entry)
        except OSError:
            continue
    return removed


def _write_error(named: Path, err: OSError) -> FileWriteError:
    where = f" ({err.filename})" if err.filename and str(err.filename) != str(named) \
        and ".accord-tmp" not in str(err.filename) else ""
    return FileWriteError(f"cannot write {named}: {err.strerror or err}{where}")


def temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}"
                            f"{TAG}{target.suffix}")


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s new content to; renamed onto ``path`` on success.

    The temporary file exists (empty) when the body starts and keeps the target's suffix, so
    writers that choose the format by suffix (matplotlib) or that print to a path (Chromium)
    work on it. If the body raises, the temporary file is removed and ``path`` is untouched.
    The target's directory is created when missing.
    """
    named = Path(path)
    target = Path(os.path.realpath(named))  # through a symbolic link, to the file itself
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = (stat.S_IMODE(target.stat().st_mode) if target.exists()
                else _ordinary_mode())
        clean_stale(target)
        tmp = temp_name(target)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except OSError as err:
        raise _write_error(named, err) from None
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise _write_error(named, err) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write text (UTF-8) to path atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
