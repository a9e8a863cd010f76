"""Atomic writes: the target is the old file or the complete new one, never anything else."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from accord.fileio import atomic_path, write_text


def test_atomic_path_replaces_on_success_with_an_ordinary_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.png"  # the directory is created
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".png" and tmp.exists()
        assert not target.exists()
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["out.png"]


def test_atomic_path_keeps_the_old_file_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("writer died")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_write_text(tmp_path: Path) -> None:
    write_text(tmp_path / "a.txt", "héllo")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "héllo"


def test_a_killed_writer_leaves_nothing_after_the_next_write(tmp_path: Path) -> None:
    """A writer killed (SIGKILL) while writing leaves its temporary file; the next write of
    the same target removes it, and the target holds the new content."""
    import signal
    import subprocess
    import sys

    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    script = ("import sys, time\nfrom accord.fileio import atomic_path\n"
              "with atomic_path(sys.argv[1]) as tmp:\n"
              "    tmp.write_text('half'); print('writing', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(target)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    child.send_signal(signal.SIGKILL)
    child.wait()
    left = [p.name for p in tmp_path.iterdir() if p.name != "report.html"]
    assert len(left) == 1 and left[0].startswith(".report.html.") and ".accord-tmp" in left[0]
    assert target.read_text(encoding="utf-8") == "old"
    write_text(target, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    assert target.read_text(encoding="utf-8") == "new"


def test_a_live_writers_temporary_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    mine = tmp_path / f".out.txt.{os.getpid()}-abcd.accord-tmp.txt"  # this process: alive
    mine.write_text("x")
    other = tmp_path / ".other.txt.1-abcd.accord-tmp.txt"  # another target's
    other.write_text("x")
    write_text(target, "new")
    assert mine.exists() and other.exists()


def test_the_targets_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "private.yaml"
    target.write_text("old")
    target.chmod(0o600)
    write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o640)
    write_text(target, "newer")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "data" / "real.yaml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new" and link.read_text() == "new"
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.yaml"]


def test_a_write_that_cannot_happen_names_the_target(tmp_path: Path) -> None:
    from accord.errors import AccordError

    (tmp_path / "out.html").mkdir()  # a directory where the file should go
    with pytest.raises(AccordError, match=r"cannot write .*out\.html"):
        write_text(tmp_path / "out.html", "x")
    assert [p.name for p in tmp_path.iterdir()] == ["out.html"]
