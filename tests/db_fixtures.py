"""Both metadata databases for the tests: SQLite in a temporary folder and PostgreSQL from
HOCBA_TEST_DATABASE_URL (`.ci/run` points it at the server on 127.0.0.1:5432).

The run gets its own PostgreSQL database, dropped at the end; each test gets its own schema in it (selected by the
URL's `options=-csearch_path=…`, so that subprocesses given the URL land in the same place).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from archive import open_database, upgrade_database

from .conftest import require

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_run_database() -> Iterator[str]:
    base = os.environ.get("HOCBA_TEST_DATABASE_URL", "")
    require(bool(base), "PostgreSQL (HOCBA_TEST_DATABASE_URL)")
    name = f"hocba_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # unreachable server: a missing component, not a test failure of ours
        require(False, f"PostgreSQL at {make_url(base).render_as_string()} ({exc})")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pg_schema_url(run_url: str) -> str:
    """A fresh schema in the run's database, as a URL."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(run_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{run_url}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new metadata database of each kind: an SQLite file not yet created (it upgrades itself on first use),
    and a PostgreSQL schema brought to the latest revision as an operator does (`hocba db upgrade`)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hocba.db'}"
    run_url: str = request.getfixturevalue("pg_run_database")
    url = pg_schema_url(run_url)
    upgrade_database(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Engine:
    """An engine on the metadata database of each kind."""
    return open_database(database_url)
