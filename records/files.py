"""Durable file writes, shared by every package that writes files (rendering, signing, the filesystem store):
readers see a whole file or the old one, and what was written survives a crash once the call returns."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, read_only: bool = False) -> None:
    """Write a file so that readers see either nothing or all of it, never a partial PDF, and so that it survives
    a crash once this returns (file and directory synced). The file is its owner's only (0600, 0400 with
    `read_only`, for files nobody may change: locked archive objects)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if read_only:
            os.chmod(tmp, stat.S_IRUSR)
        put_in_place(Path(tmp), path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def put_in_place(written: Path, path: Path) -> None:
    """Sync `written` (a finished file beside `path`, whoever wrote it) and rename it over `path`: readers see the
    old file or the new one, and the new one survives a crash once this returns."""
    fd = os.open(written, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(written, path)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
