"""Legal holds on SQL: each step is one transaction with its audit event; which documents and stored objects a
hold covers is read from the catalog."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, bindparam, insert, select, update

from ..clock import as_utc
from ..errors import HoldStateError, UnknownHoldError
from ..hold_model import Hold, HoldScope, HoldStatus, HoldTarget
from ._sql import SqlBase
from .tables import document_versions, documents, legal_holds, renewals, revisions

# Asked for every book written (is it held?): built once, as building a statement costs more than running it.
_SCHOOL_OF = select(documents.c.school_code).where(documents.c.id == bindparam("document_id"))
_ACTIVE = select(legal_holds).where(
    legal_holds.c.school_code == bindparam("school_code"), legal_holds.c.status != HoldStatus.RELEASED.value
)


def _check_ask(hold: Hold) -> None:
    if hold.status is not HoldStatus.ACTIVE:
        raise HoldStateError("ask", hold_id=hold.id, status=hold.status.value)


def _check_approve(hold: Hold, by: str) -> None:
    if hold.status is not HoldStatus.RELEASE_ASKED:
        raise HoldStateError("approve", hold_id=hold.id, status=hold.status.value)
    if by == hold.release_asked_by:  # two people for a release
        raise HoldStateError("same_person", hold_id=hold.id, person=by)


class SqlHolds(SqlBase):
    def place(self, target: HoldTarget, reason: str, reference: str, by: str, at: datetime) -> Hold:
        hold_id = "LH-" + secrets.token_hex(5).upper()
        with self._tx() as conn:
            conn.execute(
                insert(legal_holds).values(
                    id=hold_id,
                    school_code=target.school_code,
                    scope=target.scope.value,
                    document_id=target.document_id,
                    student_id=target.student_id,
                    school_year=target.school_year,
                    class_name=target.class_name,
                    reason=reason,
                    reference=reference,
                    status=HoldStatus.ACTIVE.value,
                    placed_by=by,
                    placed_at=at,
                )
            )
            refs = {"hold_id": hold_id, "school_code": target.school_code}
            self._append(conn, at, by, "retention.hold_placed", refs, {"covers": target.label, "reason": reason})
        return self.get(hold_id)

    def get(self, hold_id: str) -> Hold:
        with self._read() as conn:
            row = conn.execute(select(legal_holds).where(legal_holds.c.id == hold_id)).first()
        if row is None:
            raise UnknownHoldError(hold_id=hold_id)
        return _hold(row)

    def releasable(self, hold_id: str, by: str, approve: bool) -> Hold:
        """The hold, when `by` may ask for its release (or, with `approve`, approve the release asked): the checks
        of `ask_release` and `approve_release`, changing nothing (their dry run)."""
        hold = self.get(hold_id)
        if approve:
            _check_approve(hold, by)
        else:
            _check_ask(hold)
        return hold

    def holds(self, school_code: str | None = None, active_only: bool = False) -> list[Hold]:
        """Holds by the time they were placed (of one school, or all; only those not released, or all)."""
        query = select(legal_holds).order_by(legal_holds.c.placed_at, legal_holds.c.id)
        if school_code is not None:
            query = query.where(legal_holds.c.school_code == school_code)
        if active_only:
            query = query.where(legal_holds.c.status != HoldStatus.RELEASED.value)
        with self._read() as conn:
            return [_hold(row) for row in conn.execute(query)]

    def ask_release(self, hold_id: str, by: str, reason: str, at: datetime) -> Hold:
        with self._tx() as conn:
            hold = self._locked(conn, hold_id)
            _check_ask(hold)
            conn.execute(
                update(legal_holds)
                .where(legal_holds.c.id == hold_id)
                .values(
                    status=HoldStatus.RELEASE_ASKED.value,
                    release_reason=reason,
                    release_asked_by=by,
                    release_asked_at=at,
                )
            )
            refs = {"hold_id": hold_id, "school_code": hold.target.school_code}
            self._append(conn, at, by, "retention.hold_release_asked", refs, {"reason": reason})
        return self.get(hold_id)

    def approve_release(self, hold_id: str, by: str, at: datetime) -> Hold:
        """The second person's approval: the hold ends (the caller then lifts the objects' legal holds)."""
        with self._tx() as conn:
            hold = self._locked(conn, hold_id)
            _check_approve(hold, by)
            conn.execute(
                update(legal_holds)
                .where(legal_holds.c.id == hold_id)
                .values(status=HoldStatus.RELEASED.value, released_by=by, released_at=at)
            )
            refs = {"hold_id": hold_id, "school_code": hold.target.school_code}
            payload = {"asked_by": hold.release_asked_by, "reason": hold.release_reason}
            self._append(conn, at, by, "retention.hold_released", refs, payload)
        return self.get(hold_id)

    def _locked(self, conn: Connection, hold_id: str) -> Hold:
        row = conn.execute(select(legal_holds).where(legal_holds.c.id == hold_id).with_for_update()).first()
        if row is None:
            raise UnknownHoldError(hold_id=hold_id)
        return _hold(row)

    def documents_of(self, target: HoldTarget) -> list[str]:
        """The documents a hold on `target` covers, by id."""
        query = select(documents.c.id).where(_covers(target)).order_by(documents.c.id)
        with self._read() as conn:
            return list(conn.scalars(query))

    def object_keys(self, document_ids: Iterable[str]) -> list[str]:
        """Every stored object of these documents: each version's revisions and its sealed book."""
        ids = sorted(set(document_ids))
        if not ids:
            return []
        versions = select(document_versions.c.id).where(document_versions.c.document_id.in_(ids))
        with self._read() as conn:
            keys = set(
                conn.scalars(select(revisions.c.object_key).where(revisions.c.document_version_id.in_(versions)))
            )
            sealed = select(document_versions.c.sealed_key).where(
                document_versions.c.document_id.in_(ids), document_versions.c.sealed_key.is_not(None)
            )
            keys.update(str(key) for key in conn.scalars(sealed))
            before = select(renewals.c.previous_key).where(renewals.c.document_version_id.in_(versions))
            keys.update(str(key) for key in conn.scalars(before))
        return sorted(keys)

    def holding(self, document_id: str) -> list[Hold]:
        """The holds not released that cover the document (judged by the same rule as `documents_of`)."""
        with self._read() as conn:
            school = conn.scalar(_SCHOOL_OF, {"document_id": document_id})
            if school is None:
                return []
            holds = [_hold(row) for row in conn.execute(_ACTIVE, {"school_code": school})]
            return [
                hold
                for hold in holds
                if conn.scalar(select(documents.c.id).where(documents.c.id == document_id, _covers(hold.target)))
            ]


def _covers(target: HoldTarget) -> ColumnElement[bool]:
    school = documents.c.school_code == target.school_code
    match target.scope:
        case HoldScope.BOOK:
            return and_(school, documents.c.id == target.document_id)
        case HoldScope.STUDENT:
            return and_(school, documents.c.student_id == target.student_id)
        case HoldScope.CLASS:
            return and_(
                school, documents.c.school_year == target.school_year, documents.c.class_name == target.class_name
            )
        case HoldScope.YEAR:
            return and_(school, documents.c.school_year == target.school_year)


def _hold(row: Row[Any]) -> Hold:
    target = HoldTarget(
        HoldScope(row.scope), row.school_code, row.document_id, row.student_id, row.school_year, row.class_name
    )
    return Hold(
        id=row.id,
        target=target,
        reason=row.reason,
        reference=row.reference,
        placed_by=row.placed_by,
        placed_at=as_utc(row.placed_at),
        status=HoldStatus(row.status),
        release_reason=row.release_reason,
        release_asked_by=row.release_asked_by,
        release_asked_at=as_utc(row.release_asked_at) if row.release_asked_at else None,
        released_by=row.released_by,
        released_at=as_utc(row.released_at) if row.released_at else None,
    )
