"""What every SQL adapter shares: one transaction per use case, database errors translated, and the audit
append that commits together with the change it records."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from records import StaleRevisionError

from ..audit_model import AuditEvent, new_event
from ..database import READ_ONLY
from ..errors import DatabaseUnavailableError
from .tables import audit_events, audit_head

# Built once: every change of every use case appends an event, and building a statement (and its cache key)
# costs more than running it.
_HEAD = select(audit_head).where(audit_head.c.id == 1).with_for_update()
_NEW_EVENT = insert(audit_events)
_MOVE_HEAD = update(audit_head).where(audit_head.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))


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
        head = conn.execute(_HEAD).one()
        event = new_event(int(head.seq), head.hash, at, actor, action, refs, payload)
        conn.execute(_NEW_EVENT, event.__dict__)
        conn.execute(_MOVE_HEAD, {"new_seq": event.seq, "new_hash": event.hash})
        return event
