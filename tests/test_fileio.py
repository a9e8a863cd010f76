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
