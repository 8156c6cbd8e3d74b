"""Corrections on SQL: each step is one transaction with its audit event. The rules about who may decide are the
caller's (they depend on the record); this adapter keeps the order of steps."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from ..clock import as_utc
from ..errors import DocumentStateError, UnknownDocumentError
from ..model import Correction, CorrectionStatus, VersionStatus
from ._sql import SqlBase
from .tables import corrections, document_versions, record_versions


class SqlCorrections(SqlBase):
    def sealed_record(self, document_id: str) -> tuple[int, str]:
        """The latest sealed version of a book and the record it was rendered from."""
        with self._tx() as conn:
            row = conn.execute(
                select(document_versions.c.version, record_versions.c.record_json)
                .join(record_versions, record_versions.c.id == document_versions.c.record_version_id)
                .where(
                    document_versions.c.document_id == document_id,
                    document_versions.c.status == VersionStatus.SEALED.value,
                )
                .order_by(document_versions.c.version.desc())
                .limit(1)
            ).first()
        if row is None:
            raise UnknownDocumentError("sealed_record", document_id=document_id)
        return int(row.version), str(row.record_json)

    def request(
        self,
        document_id: str,
        changes: str,
        reason: str,
        requester_id: str,
        witness_id: str,
        at: datetime,
    ) -> tuple[Correction, str]:
        """A new request against the document's latest sealed version; returns it with the record it corrects."""
        version, record_json = self.sealed_record(document_id)
        with self._tx() as conn:
            correction_id = "DC-" + secrets.token_hex(6).upper()
            values = {
                "id": correction_id,
                "document_id": document_id,
                "version": version,
                "status": CorrectionStatus.REQUESTED.value,
                "changes": changes,
                "reason": reason,
                "requester_id": requester_id,
                "witness_id": witness_id,
                "requested_at": at,
            }
            conn.execute(insert(corrections).values(**values))
            refs = {"document_id": document_id, "version": version, "correction": correction_id}
            self._append(conn, at, requester_id, "correction.requested", refs, {"changes": changes, "reason": reason})
            return self._get(conn, correction_id), record_json

    def decide(
        self, correction_id: str, principal_id: str, approve: bool, refusal: str | None, at: datetime
    ) -> Correction:
        with self._tx() as conn:
            current = self._step(conn, correction_id, CorrectionStatus.REQUESTED)
            status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REFUSED
            conn.execute(
                update(corrections)
                .where(corrections.c.id == correction_id)
                .values(status=status.value, principal_id=principal_id, refusal=refusal, decided_at=at)
            )
            action = "correction.approved" if approve else "correction.refused"
            self._append(conn, at, principal_id, action, _refs(current), {"refusal": refusal} if refusal else {})
            return self._get(conn, correction_id)

    def witness(self, correction_id: str, witness_id: str, record_json: str, at: datetime) -> Correction:
        with self._tx() as conn:
            current = self._step(conn, correction_id, CorrectionStatus.APPROVED)
            conn.execute(
                update(corrections)
                .where(corrections.c.id == correction_id)
                .values(status=CorrectionStatus.WITNESSED.value, record_json=record_json, witnessed_at=at)
            )
            self._append(conn, at, witness_id, "correction.witnessed", _refs(current), {})
            return self._get(conn, correction_id)

    def link_minutes(self, correction_id: str, minutes_document_id: str, at: datetime) -> None:
        with self._tx() as conn:
            current = self._get(conn, correction_id)
            conn.execute(
                update(corrections)
                .where(corrections.c.id == correction_id)
                .values(minutes_document_id=minutes_document_id)
            )
            payload = {"minutes": minutes_document_id}
            self._append(conn, at, "system", "correction.minutes_rendered", _refs(current), payload)

    def get(self, correction_id: str) -> Correction:
        with self._tx() as conn:
            return self._get(conn, correction_id)

    def list(self, document_id: str | None = None, status: CorrectionStatus | None = None) -> list[Correction]:
        query = select(corrections).order_by(corrections.c.requested_at)
        if document_id:
            query = query.where(corrections.c.document_id == document_id)
        if status:
            query = query.where(corrections.c.status == status.value)
        with self._tx() as conn:
            return [_correction(r) for r in conn.execute(query)]

    def _get(self, conn: Connection, correction_id: str, lock: bool = False) -> Correction:
        query = select(corrections).where(corrections.c.id == correction_id)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise UnknownDocumentError("correction", correction_id=correction_id)
        return _correction(row)

    def _step(self, conn: Connection, correction_id: str, expected: CorrectionStatus) -> Correction:
        """The request, locked, when it is at `expected`: the steps happen in order, each once."""
        current = self._get(conn, correction_id, lock=True)
        if current.status is not expected:
            raise DocumentStateError(
                "correction", correction_id=correction_id, status=current.status.value, expected=expected.value
            )
        return current


def _refs(correction: Correction) -> dict[str, Any]:
    return {"document_id": correction.document_id, "version": correction.version, "correction": correction.id}


def _correction(row: Row[Any]) -> Correction:
    return Correction(
        row.id,
        row.document_id,
        int(row.version),
        CorrectionStatus(row.status),
        row.changes,
        row.reason,
        row.requester_id,
        row.witness_id,
        row.principal_id,
        row.refusal,
        row.record_json,
        row.minutes_document_id,
        as_utc(row.decided_at) if row.decided_at else None,
    )
