"""The copy register in the metadata database. Every step is an audit event in the same transaction; a copy's
number is taken under the lock of its school's counter for the year, so numbers have no gap and no duplicate
however many clerks issue at once, and a request keeps its number when its issue is tried again."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from records import StaleRevisionError

from ..clock import as_utc
from ..copy_model import CopyEntry, CopyStatus
from ..errors import CopyStateError, UnknownCopyError
from ._sql import SqlBase
from .tables import copy_numbers, copy_requests, schools

_MOVES: dict[str, tuple[CopyStatus, ...]] = {
    "check": (CopyStatus.REQUESTED, CopyStatus.CHECKED),
    "number": (CopyStatus.CHECKED,),
    "issue": (CopyStatus.CHECKED,),
    "refuse": (CopyStatus.REQUESTED, CopyStatus.CHECKED),
    "revoke": (CopyStatus.ISSUED,),
    "deliver": (CopyStatus.ISSUED,),
}


class SqlCopies(SqlBase):
    def request(self, entry: CopyEntry, actor: str) -> CopyEntry:
        with self._tx() as conn:
            conn.execute(
                insert(copy_requests).values(
                    id=entry.id,
                    school_code=entry.school_code,
                    document_id=entry.document_id,
                    form=entry.form,
                    pages=json.dumps(list(entry.pages)),
                    asker=json.dumps(entry.asker, ensure_ascii=False, sort_keys=True),
                    account=entry.account,
                    status=entry.status.value,
                    reason=entry.reason,
                    requested_at=entry.requested_at,
                    decided_at=entry.decided_at,
                    decided_by=entry.decided_by,
                )
            )
            action = "copy.refused" if entry.status is CopyStatus.REFUSED else "copy.requested"
            payload = {"form": entry.form, "asker": entry.asker.get("kind"), "reason": entry.reason}
            self._append(conn, entry.requested_at, actor, action, _refs(entry), payload)
        return entry

    def get(self, request_id: str) -> CopyEntry:
        with self._read() as conn:
            row = conn.execute(select(copy_requests).where(copy_requests.c.id == request_id)).first()
        if row is None:
            raise UnknownCopyError(request_id=request_id)
        return _entry(row)

    def school_name(self, school_code: str) -> str:
        """The school's name as its books give it (its code when it has none in the archive yet)."""
        with self._read() as conn:
            name = conn.execute(select(schools.c.name).where(schools.c.code == school_code)).scalar()
        return str(name) if name else school_code

    def by_copy(self, copy_id: str) -> CopyEntry | None:
        """The register's entry of an issued copy, by the copy's document id."""
        with self._read() as conn:
            row = conn.execute(select(copy_requests).where(copy_requests.c.copy_id == copy_id)).first()
        return None if row is None else _entry(row)

    def entries(
        self,
        school_code: str | None = None,
        year: int | None = None,
        document_id: str | None = None,
        account: str | None = None,
    ) -> list[CopyEntry]:
        query = select(copy_requests).order_by(copy_requests.c.requested_at, copy_requests.c.id)
        if school_code is not None:
            query = query.where(copy_requests.c.school_code == school_code)
        if year is not None:
            query = query.where(copy_requests.c.number_year == year)
        if document_id is not None:
            query = query.where(copy_requests.c.document_id == document_id)
        if account is not None:
            query = query.where(copy_requests.c.account == account)
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def issued_before(self, document_id: str) -> int:
        """Copies of the book issued so far (revoked ones included): the next one is reissue number this + 1."""
        query = select(func.count()).where(
            copy_requests.c.document_id == document_id,
            copy_requests.c.status.in_([CopyStatus.ISSUED.value, CopyStatus.REVOKED.value]),
        )
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def check(self, request_id: str, identity_document: str, at: datetime, actor: str) -> CopyEntry:
        """The clerk saw the asker's identity document (recorded with the request)."""
        with self._tx() as conn:
            entry = self._moving(conn, request_id, "check")
            asker = {**entry.asker, "identity_document": identity_document}
            conn.execute(
                update(copy_requests)
                .where(copy_requests.c.id == request_id)
                .values(
                    asker=json.dumps(asker, ensure_ascii=False, sort_keys=True),
                    status=CopyStatus.CHECKED.value,
                    checked_at=at,
                )
            )
            self._append(conn, at, actor, "copy.checked", _refs(entry), {"identity_document": identity_document})
        return self.get(request_id)

    def number(self, request_id: str, year: int, at: datetime, actor: str) -> CopyEntry:
        """The request's number for the year: the next of its school's, taken once (asked again, the same)."""
        self._counter(self.get(request_id).school_code, year)
        with self._tx() as conn:
            entry = self._moving(conn, request_id, "number")
            if entry.number is not None:
                return entry
            key = (copy_numbers.c.school_code == entry.school_code, copy_numbers.c.year == year)
            taken = int(conn.execute(select(copy_numbers.c.last).where(*key).with_for_update()).scalar_one()) + 1
            conn.execute(update(copy_numbers).where(*key).values(last=taken))
            conn.execute(
                update(copy_requests).where(copy_requests.c.id == request_id).values(number=taken, number_year=year)
            )
            self._append(conn, at, actor, "copy.numbered", _refs(entry), {"number": taken, "year": year})
        return replace(entry, number=taken, number_year=year)

    def _counter(self, school_code: str, year: int) -> None:
        """The school's counter for the year, created at 0 when missing. In a transaction of its own: a row lock
        cannot be taken on a row that does not exist yet, and two first issues of a year may both create it."""
        key = (copy_numbers.c.school_code == school_code, copy_numbers.c.year == year)
        with self._read() as conn:
            if conn.execute(select(copy_numbers.c.last).where(*key)).first() is not None:
                return
        try:
            with self._tx() as conn:
                conn.execute(insert(copy_numbers).values(school_code=school_code, year=year, last=0))
        except StaleRevisionError:  # another issue created it first
            pass

    def issued(
        self,
        request_id: str,
        version: int,
        copy_id: str,
        number_text: str,
        signer_id: str,
        at: datetime,
        actor: str,
    ) -> CopyEntry:
        with self._tx() as conn:
            entry = self._moving(conn, request_id, "issue")
            values = {"status": CopyStatus.ISSUED.value, "version": version, "copy_id": copy_id}
            values["number_text"] = number_text
            values |= {"signer_id": signer_id, "decided_at": at, "decided_by": actor}
            conn.execute(update(copy_requests).where(copy_requests.c.id == request_id).values(**values))
            payload = {"copy_id": copy_id, "version": version, "number": number_text, "signer": signer_id}
            self._append(conn, at, actor, "copy.issued", _refs(entry), payload)
        return self.get(request_id)

    def refuse(self, request_id: str, reason: str, at: datetime, actor: str) -> CopyEntry:
        return self._close(request_id, "refuse", CopyStatus.REFUSED, reason, at, actor)

    def revoke(self, request_id: str, reason: str, at: datetime, actor: str) -> CopyEntry:
        return self._close(request_id, "revoke", CopyStatus.REVOKED, reason, at, actor)

    def deliver(self, request_id: str, how: str, at: datetime, actor: str) -> CopyEntry:
        with self._tx() as conn:
            entry = self._moving(conn, request_id, "deliver")
            conn.execute(
                update(copy_requests).where(copy_requests.c.id == request_id).values(delivery=how, delivered_at=at)
            )
            self._append(conn, at, actor, "copy.delivered", _refs(entry), {"delivery": how})
        return self.get(request_id)

    def _close(
        self, request_id: str, move: str, status: CopyStatus, reason: str, at: datetime, actor: str
    ) -> CopyEntry:
        with self._tx() as conn:
            entry = self._moving(conn, request_id, move)
            stamp = {"revoked_at": at} if status is CopyStatus.REVOKED else {"decided_at": at, "decided_by": actor}
            conn.execute(
                update(copy_requests)
                .where(copy_requests.c.id == request_id)
                .values(status=status.value, reason=reason, **stamp)
            )
            self._append(conn, at, actor, f"copy.{status.value}", _refs(entry), {"reason": reason})
        return self.get(request_id)

    def _moving(self, conn: Connection, request_id: str, move: str) -> CopyEntry:
        row = conn.execute(select(copy_requests).where(copy_requests.c.id == request_id).with_for_update()).first()
        if row is None:
            raise UnknownCopyError(request_id=request_id)
        entry = _entry(row)
        if entry.status not in _MOVES[move]:
            raise CopyStateError(move, request_id=request_id, status=entry.status.value)
        return entry


def _refs(entry: CopyEntry) -> dict[str, Any]:
    return {"copy_request": entry.id, "document_id": entry.document_id}


def _stamp(value: Any) -> datetime | None:
    return None if value is None else as_utc(value)


def _entry(row: Row[Any]) -> CopyEntry:
    return CopyEntry(
        id=row.id,
        school_code=row.school_code,
        document_id=row.document_id,
        form=row.form,
        pages=tuple(json.loads(row.pages)),
        asker=json.loads(row.asker),
        requested_at=as_utc(row.requested_at),
        status=CopyStatus(row.status),
        account=row.account,
        version=row.version,
        number=row.number,
        number_year=row.number_year,
        number_text=row.number_text,
        copy_id=row.copy_id,
        signer_id=row.signer_id,
        reason=row.reason,
        delivery=row.delivery,
        checked_at=_stamp(row.checked_at),
        decided_at=_stamp(row.decided_at),
        decided_by=row.decided_by,
        revoked_at=_stamp(row.revoked_at),
        delivered_at=_stamp(row.delivered_at),
    )
