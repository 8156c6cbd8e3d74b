"""Secrets and personal data on disk are their owner's only: private keys and PKCS#12 copies 0600 in 0700 folders,
the SQLite catalog 0600 (with its WAL)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from archive import open_database
from devtools.pki import Person, free_port, init


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The usual umask, under which files would be world-readable by default."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_development_pki_keys_are_private(tmp_path: Path) -> None:
    init(tmp_path, "Trường THCS Thử", [Person("gv1", "Nguyễn Văn A")], free_port())
    keys = list((tmp_path / "keys").glob("*.pem"))
    bundles = list((tmp_path / "p12").glob("*.p12"))
    assert keys and bundles
    assert all(_mode(path) == 0o600 for path in [*keys, *bundles])
    assert _mode(tmp_path / "keys") == 0o700 and _mode(tmp_path / "p12") == 0o700
    (keys[0]).chmod(0o644)  # a key left readable by an earlier version is made private at the next init
    init(tmp_path, "Trường THCS Thử", [Person("gv1", "Nguyễn Văn A")], free_port())
    assert _mode(keys[0]) == 0o600


def test_sqlite_catalog_is_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "hocba.db"
    engine = open_database(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    try:
        assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
        for extra in path.parent.glob("hocba.db-*"):  # WAL and shared memory take the database's mode
            assert not _mode(extra) & 0o077, extra
    finally:
        engine.dispose()
