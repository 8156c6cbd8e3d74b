"""Disposition on SQL: the review's candidates (working revisions of versions sealed before a date), proposals,
decisions and what was deleted, each step one transaction with its audit event."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from ..clock import as_utc
from ..disposal_model import Disposal, DisposalItem, DisposalStatus
from ..errors import DisposalStateError, UnknownDisposalError
from ..model import VersionStatus
from ._sql import SqlBase
from .tables import disposal_items, disposals, document_versions, documents, revisions, schools

_PENDING = (DisposalStatus.PROPOSED.value, DisposalStatus.APPROVED.value, DisposalStatus.DONE.value)


class SqlDisposals(SqlBase):
    def revisions_sealed_before(
        self, school_code: str, before: datetime, school_year: str | None = None
    ) -> list[tuple[str, str, str, int, datetime]]:
        """(key, sha256, document id, version, sealed at) of every working revision of the school's versions (of
        a year) sealed (or since superseded) before `before`, that no proposal, approval or disposal names
        already."""
        named = select(disposal_items.c.object_key).join(disposals).where(disposals.c.status.in_(_PENDING))
        query = (
            select(
                revisions.c.object_key,
                revisions.c.sha256,
                document_versions.c.document_id,
                document_versions.c.version,
                document_versions.c.sealed_at,
            )
            .join(document_versions, document_versions.c.id == revisions.c.document_version_id)
            .join(documents, documents.c.id == document_versions.c.document_id)
            .where(
                documents.c.school_code == school_code,
                document_versions.c.status.in_([VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value]),
                document_versions.c.sealed_at < before,
                revisions.c.object_key.not_in(named),
            )
            .order_by(document_versions.c.document_id, document_versions.c.version, revisions.c.seq)
        )
        if school_year is not None:
            query = query.where(documents.c.school_year == school_year)
        with self._read() as conn:
            return [(r[0], r[1], r[2], int(r[3]), as_utc(r[4])) for r in conn.execute(query)]

    def propose(self, school_code: str, items: Iterable[DisposalItem], reason: str, by: str, at: datetime) -> Disposal:
        disposal_id = "HUY-" + secrets.token_hex(5).upper()
        kept = list(items)
        with self._tx() as conn:
            conn.execute(
                insert(disposals).values(
                    id=disposal_id,
                    school_code=school_code,
                    status=DisposalStatus.PROPOSED.value,
                    reason=reason,
                    proposed_by=by,
                    proposed_at=at,
                )
            )
            for item in kept:
                conn.execute(
                    insert(disposal_items).values(
                        disposal_id=disposal_id,
                        object_key=item.object_key,
                        sha256=item.sha256,
                        document_id=item.document_id,
                        version=item.version,
                        policy_id=item.policy_id,
                        ended_at=item.ended_at,
                    )
                )
            refs = {"disposal_id": disposal_id, "school_code": school_code}
            self._append(conn, at, by, "retention.disposal_proposed", refs, {"objects": len(kept), "reason": reason})
        return self.get(disposal_id)

    def decide(self, disposal_id: str, by: str, approve: bool, reason: str | None, at: datetime) -> Disposal:
        with self._tx() as conn:
            found = self._locked(conn, disposal_id)
            if found.status is not DisposalStatus.PROPOSED:
                raise DisposalStateError("decide", disposal_id=disposal_id, status=found.status.value)
            if by == found.proposed_by:
                raise DisposalStateError("same_person", disposal_id=disposal_id, person=by)
            if not approve and not reason:
                raise DisposalStateError("keep_reason", disposal_id=disposal_id)
            status = DisposalStatus.APPROVED if approve else DisposalStatus.KEPT
            conn.execute(
                update(disposals)
                .where(disposals.c.id == disposal_id)
                .values(status=status.value, decided_by=by, decided_at=at, decision_reason=reason)
            )
            refs = {"disposal_id": disposal_id, "school_code": found.school_code}
            action = "retention.disposal_approved" if approve else "retention.disposal_kept"
            self._append(conn, at, by, action, refs, {"reason": reason})
        return self.get(disposal_id)

    def deleted(self, disposal_id: str, key: str, at: datetime | None, note: str | None = None) -> None:
        """An item deleted from the store (`at`), or left with why (`note`)."""
        with self._tx() as conn:
            conn.execute(
                update(disposal_items)
                .where(disposal_items.c.disposal_id == disposal_id, disposal_items.c.object_key == key)
                .values(deleted_at=at, note=note)
            )

    def finish(
        self, disposal_id: str, certificate_key: str, certificate_sha256: str, by: str, at: datetime
    ) -> Disposal:
        with self._tx() as conn:
            found = self._locked(conn, disposal_id)
            if found.status is not DisposalStatus.APPROVED:
                raise DisposalStateError("run", disposal_id=disposal_id, status=found.status.value)
            conn.execute(
                update(disposals)
                .where(disposals.c.id == disposal_id)
                .values(
                    status=DisposalStatus.DONE.value,
                    done_at=at,
                    certificate_key=certificate_key,
                    certificate_sha256=certificate_sha256,
                )
            )
            deleted = [i for i in found.items if i.deleted_at is not None]
            refs = {"disposal_id": disposal_id, "school_code": found.school_code}
            payload = {
                "deleted": [{"key": i.object_key, "sha256": i.sha256} for i in deleted],
                "left": [{"key": i.object_key, "note": i.note} for i in found.items if i.deleted_at is None],
                "certificate_key": certificate_key,
                "certificate_sha256": certificate_sha256,
            }
            self._append(conn, at, by, "retention.disposed", refs, payload)
        return self.get(disposal_id)

    def get(self, disposal_id: str) -> Disposal:
        with self._read() as conn:
            return self._get(conn, disposal_id)

    def disposals(self, school_code: str | None = None) -> list[Disposal]:
        query = select(disposals.c.id).order_by(disposals.c.proposed_at, disposals.c.id)
        if school_code is not None:
            query = query.where(disposals.c.school_code == school_code)
        with self._read() as conn:
            return [self._get(conn, disposal_id) for disposal_id in conn.scalars(query)]

    def school_name(self, school_code: str) -> str:
        with self._read() as conn:
            name = conn.scalar(select(schools.c.name).where(schools.c.code == school_code))
        return str(name or school_code)

    def deleted_keys(self, conn: Connection) -> set[str]:
        """The objects a disposal deleted (fixity no longer expects them)."""
        query = select(disposal_items.c.object_key).where(disposal_items.c.deleted_at.is_not(None))
        return set(conn.scalars(query))

    def _locked(self, conn: Connection, disposal_id: str) -> Disposal:
        row = conn.execute(select(disposals.c.id).where(disposals.c.id == disposal_id).with_for_update()).first()
        if row is None:
            raise UnknownDisposalError(disposal_id=disposal_id)
        return self._get(conn, disposal_id)

    def _get(self, conn: Connection, disposal_id: str) -> Disposal:
        row = conn.execute(select(disposals).where(disposals.c.id == disposal_id)).first()
        if row is None:
            raise UnknownDisposalError(disposal_id=disposal_id)
        items = conn.execute(
            select(disposal_items)
            .where(disposal_items.c.disposal_id == disposal_id)
            .order_by(disposal_items.c.object_key)
        )
        return _disposal(row, tuple(_item(i) for i in items))


def _item(row: Row[Any]) -> DisposalItem:
    return DisposalItem(
        row.object_key,
        row.sha256,
        row.document_id,
        int(row.version),
        row.policy_id,
        as_utc(row.ended_at),
        as_utc(row.deleted_at) if row.deleted_at else None,
        row.note,
    )


def _disposal(row: Row[Any], items: tuple[DisposalItem, ...]) -> Disposal:
    return Disposal(
        id=row.id,
        school_code=row.school_code,
        status=DisposalStatus(row.status),
        reason=row.reason,
        proposed_by=row.proposed_by,
        proposed_at=as_utc(row.proposed_at),
        items=items,
        decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        decision_reason=row.decision_reason,
        done_at=as_utc(row.done_at) if row.done_at else None,
        certificate_key=row.certificate_key,
        certificate_sha256=row.certificate_sha256,
    )
