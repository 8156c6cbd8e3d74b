"""The metadata database chosen by URL (`sqlite:///path.db`, `postgresql+psycopg://…`).

Migrations are applied on purpose: `upgrade_database` (the `hocba db upgrade` command) brings a database to the
latest schema. An embedded SQLite file upgrades itself when opened (it belongs to the one installation that uses
it); any other database at an older revision is refused with `archive.database_outdated`, which names the
command, so that a shared production database never changes schema as a side effect of an ordinary command."""

from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from .errors import DatabaseConfigError, DatabaseOutdatedError, DatabaseUnavailableError

DEFAULT_DATABASE = "sqlite:///./var/hocba.db"
READ_ONLY = "hocba_read_only"
"""The execution option of a connection that only reads (SQLite then begins without the write lock)."""


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.rsplit("@", maxsplit=1)[-1]


def database_backend(url: str) -> str:
    """`sqlite` or `postgresql`, the backends the archive runs on; anything else is `archive.database_config`
    (the password never echoed). Checked without connecting."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise DatabaseConfigError("url", shown=str(_shown(url))) from exc
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseConfigError(
            "backend",
            shown=str(_shown(url)),
        )
    return backend


def open_database(url: str, migrate: bool | None = None) -> Engine:
    """An engine on `url` whose schema is the latest: `migrate` None upgrades an SQLite file and refuses any
    other database at an older revision (`archive.database_outdated`); True upgrades; False checks nothing."""
    backend = database_backend(url)
    try:
        engine = _sqlite(url, make_url(url).database) if backend == "sqlite" else create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseConfigError("open_database", shown=str(_shown(url))) from exc
    if migrate or (migrate is None and backend == "sqlite"):
        upgrade(engine)
    elif migrate is None:
        _require_latest(engine)
    return engine


def upgrade_database(url: str) -> tuple[str | None, str]:
    """Bring the database at `url` to the latest schema; (revision before, revision after)."""
    engine = open_database(url, migrate=False)
    try:
        before = current_revision(engine)
        upgrade(engine)
        return before, current_revision(engine) or ""
    finally:
        engine.dispose()


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("archive") / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None  # the package ships its migrations
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            revision: str | None = MigrationContext.configure(connection).get_current_revision()
            return revision
    except OperationalError as exc:
        raise DatabaseUnavailableError(
            "current_revision",
            shown=str(_shown(str(engine.url))),
            orig=str(exc.orig),
        ) from exc


def _require_latest(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        engine.dispose()
        raise DatabaseOutdatedError(shown=str(_shown(str(engine.url))), current=current or "—", head=head)


def _sqlite(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        path = Path(database)
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        # The catalog holds students' personal data: only its owner reads it. SQLite gives its WAL and shared
        # memory files the database file's mode.
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is turned off so that every transaction starts with BEGIN
        # IMMEDIATE: two writers then queue for the write lock instead of failing halfway through.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A reader takes no write lock: in WAL mode it neither waits for writers nor holds them up.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


_MIGRATING = threading.Lock()
"""Alembic's commands work through module-level proxies (`alembic.context`, `alembic.op`): two migrations at once
in one process (two services starting in threads) would run one database's steps on the other's connection."""


def upgrade(engine: Engine) -> None:
    config = _config()
    try:
        with _MIGRATING, engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except OperationalError as exc:
        raise DatabaseUnavailableError(
            "upgrade",
            shown=str(_shown(str(engine.url))),
            orig=str(exc.orig),
        ) from exc
