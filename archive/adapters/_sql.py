"""What every SQL adapter shares: one transaction per use case, database errors translated, and the audit
append that commits together with the change it records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from records import StaleRevisionError

from ..audit_model import AuditEvent, new_event
from ..database import READ_ONLY
from ..errors import DatabaseUnavailableError
from .tables import audit_events, audit_head


class SqlBase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError as exc:
            raise StaleRevisionError("concurrent") from exc
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseUnavailableError(
                "operation",
                orig=str(exc.orig),
            ) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A transaction that only reads: on SQLite it takes no write lock, so reads never queue behind writes
        or behind each other."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{READ_ONLY: True})
                with conn.begin():
                    yield conn
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseUnavailableError(
                "operation",
                orig=str(exc.orig),
            ) from exc

    def _append(
        self,
        conn: Connection,
        at: datetime,
        actor: str,
        action: str,
        refs: Mapping[str, Any],
        payload: Mapping[str, Any],
    ) -> AuditEvent:
        head = conn.execute(select(audit_head).where(audit_head.c.id == 1).with_for_update()).one()
        event = new_event(int(head.seq), head.hash, at, actor, action, refs, payload)
        conn.execute(insert(audit_events).values(**event.__dict__))
        conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=event.seq, hash=event.hash))
        return event
