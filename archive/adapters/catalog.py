"""The metadata catalog on SQLAlchemy Core (SQLite and PostgreSQL).

Every change of state and the audit event that records it are committed in one transaction: there is no fact
without its event and no event without its fact. Appends to the audit chain lock its one head row, so they are
serial on every database (SQLite transactions begin IMMEDIATE; PostgreSQL takes the row lock).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, case, func, insert, select, update

from records import StaleRevisionError

from ..audit_model import Anchor, AuditEvent
from ..clock import as_utc
from ..errors import DocumentStateError, UnknownDocumentError
from ..model import (
    BookFacts,
    CorrectionStatus,
    DocumentKind,
    DocumentVersion,
    Lock,
    Renewal,
    RetentionSummary,
    Revision,
    StampFacts,
    StoredObject,
    VersionStatus,
)
from ._sql import SqlBase
from .disposals import SqlDisposals
from .holds import SqlHolds
from .tables import (
    audit_anchors,
    audit_events,
    audit_head,
    corrections,
    disposals,
    document_staff,
    document_versions,
    documents,
    object_versions,
    record_versions,
    renewals,
    retention_assignments,
    revisions,
    schools,
    staff,
    students,
)

# The statements every book's signature, seal and renewal runs, built once: building a statement (and its cache
# key) costs more than running it.
_VERSIONS_OF = select(document_versions).where(document_versions.c.document_id == bindparam("document_id"))
_LIVE = _VERSIONS_OF.order_by(document_versions.c.version.desc()).limit(1)
_NUMBERED = _VERSIONS_OF.where(document_versions.c.version == bindparam("number"))
_LIVE_LOCKED, _NUMBERED_LOCKED = _LIVE.with_for_update(), _NUMBERED.with_for_update()
_STORAGE_VERSION = select(object_versions.c.version_id).where(object_versions.c.object_key == bindparam("key"))
_NEW_STORAGE_VERSION = insert(object_versions)
_KIND = select(documents.c.kind).where(documents.c.id == bindparam("document_id"))
_NEW_RENEWAL = insert(renewals)
_NEW_ASSIGNMENT = insert(retention_assignments)
_POINT_TO_RENEWED = (
    update(document_versions)
    .where(document_versions.c.id == bindparam("row_id"))
    .values(
        sealed_key=bindparam("new_key"),
        sealed_sha256=bindparam("new_sha256"),
        stamp_count=bindparam("new_count"),
        stamp_until=bindparam("new_until"),
        stamp_digest=bindparam("new_digest"),
    )
)


class SqlCatalog(SqlBase):
    # -- documents and revisions -------------------------------------------------------------------------

    def register(self, book: BookFacts, first: Revision, at: datetime, actor: str) -> DocumentVersion:
        """The book's document version with its first revision (the rendered PDF). Idempotent."""
        with self._tx() as conn:
            self._upsert_people(conn, book, at)
            record_id = self._record_version(conn, book, at)
            if conn.execute(select(documents.c.id).where(documents.c.id == book.document_id)).first() is None:
                conn.execute(
                    insert(documents).values(
                        id=book.document_id,
                        kind=book.kind,
                        school_code=book.school_code,
                        student_id=book.student_id,
                        school_year=book.school_year,
                        created_at=at,
                        class_name=book.class_name or None,
                        province=book.province or None,
                        district=book.district or None,
                    )
                )
                for staff_id in sorted({member.id for member in book.staff}):
                    conn.execute(insert(document_staff).values(document_id=book.document_id, staff_id=staff_id))
            found = conn.execute(
                select(document_versions).where(
                    document_versions.c.document_id == book.document_id,
                    document_versions.c.record_version_id == record_id,
                )
            ).first()
            if found is not None:
                return _version(found)
            number = 1 + _scalar(
                conn,
                select(func.coalesce(func.max(document_versions.c.version), 0)).where(
                    document_versions.c.document_id == book.document_id
                ),
            )
            version_id = conn.execute(
                insert(document_versions)
                .returning(document_versions.c.id)
                .values(
                    document_id=book.document_id,
                    version=number,
                    record_version_id=record_id,
                    status=VersionStatus.SIGNING.value,
                    head_sha256=first.sha256,
                    revision_count=1,
                    created_at=at,
                )
            ).scalar_one()
            self._insert_revision(conn, version_id, 1, first, None, at)
            refs = {"document_id": book.document_id, "version": number}
            payload = {"sha256": first.sha256, "key": first.object_key, "content_hash": book.content_hash}
            self._append(conn, at, actor, "document.registered", refs, payload)
            return DocumentVersion(book.document_id, number, VersionStatus.SIGNING, first.sha256, 1)

    def _upsert_people(self, conn: Connection, book: BookFacts, at: datetime) -> None:
        # The school's row lock serializes its registrations: two at once (a book and a copy of the same student,
        # eight copies issued together) would otherwise both number the same record version, or both add the
        # same staff member. SQLite's writers are serialized already.
        school = select(schools.c.code).where(schools.c.code == book.school_code).with_for_update()
        if conn.execute(school).first() is None:
            conn.execute(insert(schools).values(code=book.school_code, name=book.school_name, created_at=at))
        if conn.execute(select(students.c.id).where(students.c.id == book.student_id)).first() is None:
            conn.execute(
                insert(students).values(
                    id=book.student_id, school_code=book.school_code, name=book.student_name, created_at=at
                )
            )
        known = set(conn.scalars(select(staff.c.id).where(staff.c.school_code == book.school_code)))
        for member in book.staff:
            if member.id not in known:
                conn.execute(
                    insert(staff).values(
                        school_code=book.school_code, id=member.id, name=member.name, role=member.role, created_at=at
                    )
                )
                known.add(member.id)

    def _record_version(self, conn: Connection, book: BookFacts, at: datetime) -> int:
        found = conn.execute(
            select(record_versions.c.id).where(record_versions.c.content_hash == book.content_hash)
        ).first()
        if found is not None:
            return int(found[0])
        number = 1 + _scalar(
            conn,
            select(func.coalesce(func.max(record_versions.c.version), 0)).where(
                record_versions.c.student_id == book.student_id, record_versions.c.school_year == book.school_year
            ),
        )
        return int(
            conn.execute(
                insert(record_versions)
                .returning(record_versions.c.id)
                .values(
                    student_id=book.student_id,
                    school_year=book.school_year,
                    version=number,
                    content_hash=book.content_hash,
                    record_json=book.record_json,
                    created_at=at,
                )
            ).scalar_one()
        )

    def add_revision(self, revision: Revision, parent_sha256: str, at: datetime, actor: str) -> Revision:
        """Record a signed revision made on `parent_sha256`. Refused (retryable) when another revision was
        recorded on that parent first: the signer signs again on the newer one."""
        with self._tx() as conn:
            row = self._live(conn, revision.document_id, revision.version)
            if row.head_sha256 == revision.sha256:  # the same revision again: already recorded
                return replace(revision, seq=int(row.revision_count), version=int(row.version))
            if row.status != VersionStatus.SIGNING.value:
                raise DocumentStateError(
                    "add_signature", document_id=revision.document_id, version=row.version, status=row.status
                )
            moved = conn.execute(
                update(document_versions)
                .where(document_versions.c.id == row.id, document_versions.c.head_sha256 == parent_sha256)
                .values(head_sha256=revision.sha256, revision_count=document_versions.c.revision_count + 1)
            )
            if moved.rowcount != 1:
                raise StaleRevisionError(
                    "add_revision",
                    document_id=revision.document_id,
                )
            seq = int(row.revision_count) + 1
            self._insert_revision(conn, row.id, seq, revision, parent_sha256, at)
            refs = {"document_id": revision.document_id, "version": int(row.version), "field": revision.field}
            payload = {"seq": seq, "sha256": revision.sha256, "key": revision.object_key, "signer": revision.signer_id}
            self._append(conn, at, actor, "revision.stored", refs, payload)
            return replace(revision, seq=seq, version=int(row.version))

    def _insert_revision(
        self, conn: Connection, version_id: int, seq: int, revision: Revision, parent: str | None, at: datetime
    ) -> None:
        conn.execute(
            insert(revisions).values(
                document_version_id=version_id,
                seq=seq,
                sha256=revision.sha256,
                parent_sha256=parent,
                object_key=revision.object_key,
                size=revision.size,
                field=revision.field,
                signer_id=revision.signer_id,
                created_at=at,
            )
        )
        self._remember(conn, revision.object_key, revision.storage_version, revision.sha256, at)

    def _remember(self, conn: Connection, key: str, version: str | None, sha256: str, at: datetime) -> None:
        """The storage version of an object, the first time the archive writes it (a content-addressed
        revision written again is the same version)."""
        if version is None:
            return
        if conn.execute(_STORAGE_VERSION, {"key": key}).first():
            return
        conn.execute(
            _NEW_STORAGE_VERSION, {"object_key": key, "version_id": version, "sha256": sha256, "recorded_at": at}
        )

    def object_version(self, key: str) -> str | None:
        """The storage version the archive wrote under `key`, if the store has versions."""
        with self._read() as conn:
            row = conn.execute(_STORAGE_VERSION, {"key": key}).first()
        return str(row[0]) if row else None

    def object_versions(self, prefix: str = "") -> dict[str, str]:
        """Every key under `prefix` with the storage version the archive wrote there, in one query."""
        with self._read() as conn:
            return self._object_versions(conn, prefix)

    def _object_versions(self, conn: Connection, prefix: str) -> dict[str, str]:
        query = select(object_versions.c.object_key, object_versions.c.version_id)
        if prefix:
            query = query.where(object_versions.c.object_key.startswith(prefix, autoescape=True))
        return {r.object_key: r.version_id for r in conn.execute(query)}

    def _live(self, conn: Connection, document_id: str, version: int | None = None, lock: bool = True) -> Row[Any]:
        """The live (or numbered) version's row, locked for the update that follows unless only read."""
        if version:
            found = conn.execute(
                _NUMBERED_LOCKED if lock else _NUMBERED, {"document_id": document_id, "number": version}
            )
        else:
            found = conn.execute(_LIVE_LOCKED if lock else _LIVE, {"document_id": document_id})
        row = found.first()
        if row is None:
            raise UnknownDocumentError("live", document_id=document_id)
        return row

    # -- sealing --------------------------------------------------------------------------------------------

    def begin_seal(self, document_id: str, sha256: str, key_for: Callable[[int], str]) -> DocumentVersion:
        """Mark the live version as being sealed, before its object (`key_for(version)`) is written: a crash leaves
        it `sealing`, never `sealed`, and reconciliation finishes or undoes it."""
        with self._tx() as conn:
            row = self._live(conn, document_id)
            if row.status != VersionStatus.SIGNING.value or row.head_sha256 != sha256:
                raise DocumentStateError("seal", document_id=document_id, version=row.version, status=row.status)
            key = key_for(int(row.version))
            conn.execute(
                update(document_versions)
                .where(document_versions.c.id == row.id)
                .values(status=VersionStatus.SEALING.value, sealed_key=key, sealed_sha256=sha256)
            )
            kind = DocumentKind(
                conn.execute(select(documents.c.kind).where(documents.c.id == document_id)).scalar_one()
            )
            return replace(_version(row), status=VersionStatus.SEALING, sealed_key=key, sealed_sha256=sha256, kind=kind)

    def finish_seal(
        self,
        version: DocumentVersion,
        stored: StoredObject,
        policy_id: str,
        at: datetime,
        actor: str,
        how: str,
        stamp: StampFacts | None = None,
    ) -> tuple[DocumentVersion, AuditEvent]:
        lock = stored.lock or Lock(at)
        with self._tx() as conn:
            row = self._live(conn, version.document_id, version.version)
            if row.status != VersionStatus.SEALING.value:
                raise DocumentStateError(
                    "finish_seal", document_id=version.document_id, version=row.version, status=row.status
                )
            conn.execute(
                update(document_versions)
                .where(document_versions.c.id == row.id)
                .values(status=VersionStatus.SEALED.value, sealed_at=at, **_stamp_values(stamp))
            )
            conn.execute(insert(retention_assignments).values(**_assignment(stored, policy_id, lock, at)))
            self._remember(conn, stored.key, stored.version_id, stored.sha256, at)
            refs = {"document_id": version.document_id, "version": version.version}
            payload = {
                "key": stored.key,
                "sha256": stored.sha256,
                "size": stored.size,
                "policy": policy_id,
                "retain_until": lock.until.date().isoformat(),
                "mode": lock.mode.value,
                "how": how,
            }
            event = self._append(conn, at, actor, "book.sealed", refs, payload)
            self._supersede_earlier(conn, row, at, actor)
        sealed = DocumentVersion(
            version.document_id,
            version.version,
            VersionStatus.SEALED,
            version.head_sha256,
            version.revision_count,
            stored.key,
            stored.sha256,
        )
        return sealed, event

    def record_renewal(
        self,
        version: DocumentVersion,
        stored: StoredObject,
        policy_id: str,
        at: datetime,
        actor: str,
        stamp: StampFacts | None = None,
    ) -> DocumentVersion:
        """A sealed (or superseded) version's renewed book: the version now points to it, the object before
        stays stored, and both hashes name the version."""
        lock = stored.lock or Lock(at)
        with self._tx() as conn:
            row = self._live(conn, version.document_id, version.version)
            if row.status not in (VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value) or (
                row.sealed_sha256 != version.sealed_sha256
            ):
                raise DocumentStateError(
                    "renew", document_id=version.document_id, version=row.version, status=row.status
                )
            conn.execute(
                _NEW_RENEWAL,
                {
                    "document_version_id": row.id,
                    "previous_key": row.sealed_key,
                    "previous_sha256": row.sealed_sha256,
                    "key": stored.key,
                    "sha256": stored.sha256,
                    "renewed_at": at,
                },
            )
            facts = {f"new_{name.removeprefix('stamp_')}": value for name, value in _stamp_values(stamp).items()}
            conn.execute(
                _POINT_TO_RENEWED, {"row_id": row.id, "new_key": stored.key, "new_sha256": stored.sha256, **facts}
            )
            conn.execute(_NEW_ASSIGNMENT, _assignment(stored, policy_id, lock, at))
            self._remember(conn, stored.key, stored.version_id, stored.sha256, at)
            refs = {"document_id": version.document_id, "version": version.version}
            payload = {
                "key": stored.key,
                "sha256": stored.sha256,
                "previous_key": row.sealed_key,
                "previous_sha256": row.sealed_sha256,
                "retain_until": lock.until.date().isoformat(),
            }
            self._append(conn, at, actor, "book.retimestamped", refs, payload)
        return replace(version, sealed_key=stored.key, sealed_sha256=stored.sha256)

    def renewal_history(self, school_code: str | None = None, school_year: str | None = None) -> list[Renewal]:
        """The renewals of archive timestamps (of a school, of a year), oldest first."""
        query = (
            select(
                document_versions.c.document_id,
                document_versions.c.version,
                documents.c.school_year,
                renewals.c.previous_sha256,
                renewals.c.sha256,
                renewals.c.renewed_at,
            )
            .join(document_versions, document_versions.c.id == renewals.c.document_version_id)
            .join(documents, documents.c.id == document_versions.c.document_id)
            .order_by(renewals.c.id)
        )
        if school_code is not None:
            query = query.where(documents.c.school_code == school_code)
        if school_year is not None:
            query = query.where(documents.c.school_year == school_year)
        with self._read() as conn:
            return [
                Renewal(r.document_id, int(r.version), r.school_year, r.previous_sha256, r.sha256, as_utc(r.renewed_at))
                for r in conn.execute(query)
            ]

    def _supersede_earlier(self, conn: Connection, row: Row[Any], at: datetime, actor: str) -> None:
        """A newly sealed version (a correction) supersedes the sealed versions before it; they stay stored."""
        if int(row.version) == 1:  # the usual case: nothing before it, no query
            return
        earlier = conn.execute(
            select(document_versions).where(
                document_versions.c.document_id == row.document_id,
                document_versions.c.version < row.version,
                document_versions.c.status == VersionStatus.SEALED.value,
            )
        ).all()
        for old in earlier:
            conn.execute(
                update(document_versions)
                .where(document_versions.c.id == old.id)
                .values(status=VersionStatus.SUPERSEDED.value, superseded_by=row.id)
            )
            refs = {"document_id": row.document_id, "version": int(old.version)}
            self._append(conn, at, actor, "book.superseded", refs, {"by_version": int(row.version)})
        if earlier:
            conn.execute(
                update(corrections)
                .where(
                    corrections.c.document_id == row.document_id,
                    corrections.c.status == CorrectionStatus.WITNESSED.value,
                )
                .values(status=CorrectionStatus.COMPLETED.value)
            )

    def find_sealed(self, sha256: str) -> DocumentVersion | None:
        """The sealed (or superseded) version whose bytes have this hash, with its successor's number."""
        successor = document_versions.alias("successor")
        query = (
            select(document_versions, successor.c.version.label("successor_version"))
            .outerjoin(successor, successor.c.id == document_versions.c.superseded_by)
            .where(document_versions.c.sealed_sha256 == sha256)
        )
        with self._read() as conn:
            row = conn.execute(query).first()
            if row is None:  # the book as it was before a renewal of its archive timestamp
                renewed = select(renewals.c.document_version_id).where(renewals.c.previous_sha256 == sha256)
                row = conn.execute(
                    select(document_versions, successor.c.version.label("successor_version"))
                    .outerjoin(successor, successor.c.id == document_versions.c.superseded_by)
                    .where(document_versions.c.id.in_(renewed))
                ).first()
        if row is None:
            return None
        return replace(_version(row), superseded_by=row.successor_version)

    def abort_seal(self, version: DocumentVersion, reason: str, at: datetime, actor: str) -> None:
        with self._tx() as conn:
            row = self._live(conn, version.document_id, version.version)
            if row.status != VersionStatus.SEALING.value:
                return
            conn.execute(
                update(document_versions)
                .where(document_versions.c.id == row.id)
                .values(status=VersionStatus.SIGNING.value, sealed_key=None, sealed_sha256=None)
            )
            refs = {"document_id": version.document_id, "version": version.version}
            self._append(conn, at, actor, "book.seal_undone", refs, {"reason": reason})

    # -- reading ----------------------------------------------------------------------------------------------

    def kind(self, document_id: str) -> DocumentKind:
        """The kind the document was registered as."""
        with self._read() as conn:
            row = conn.execute(_KIND, {"document_id": document_id}).first()
        if row is None:
            raise UnknownDocumentError("kind", document_id=document_id)
        return DocumentKind(row[0])

    def version(self, document_id: str, version: int | None = None) -> DocumentVersion:
        with self._read() as conn:
            return _version(self._live(conn, document_id, version, lock=False))

    def versions(self, status: VersionStatus | None = None, school_code: str | None = None) -> list[DocumentVersion]:
        query = select(document_versions).order_by(document_versions.c.id)
        if status is not None:
            query = query.where(document_versions.c.status == status.value)
        if school_code is not None:
            mine = select(documents.c.id).where(documents.c.school_code == school_code)
            query = query.where(document_versions.c.document_id.in_(mine))
        with self._read() as conn:
            return [_version(r) for r in conn.execute(query)]

    def kept_stamps(
        self, school_code: str | None = None, school_year: str | None = None
    ) -> list[tuple[DocumentVersion, StampFacts | None]]:
        """Every sealed and superseded version (of a school, of a year, or all), with its last archive timestamp's
        facts (None where not yet read)."""
        query = (
            select(document_versions)
            .where(document_versions.c.status.in_((VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value)))
            .order_by(document_versions.c.id)
        )
        wanted = [documents.c.school_code == school_code] if school_code is not None else []
        wanted += [documents.c.school_year == school_year] if school_year is not None else []
        if wanted:
            query = query.where(document_versions.c.document_id.in_(select(documents.c.id).where(*wanted)))
        with self._read() as conn:
            return [(_version(r), _stamp(r)) for r in conn.execute(query)]

    def note_stamp(self, version: DocumentVersion, stamp: StampFacts) -> None:
        """Keep the facts of a version's last archive timestamp, read from its book (a version sealed before they
        were kept); only while the book read is still the version's."""
        with self._tx() as conn:
            conn.execute(
                update(document_versions)
                .where(
                    document_versions.c.document_id == version.document_id,
                    document_versions.c.version == version.version,
                    document_versions.c.sealed_sha256 == version.sealed_sha256,
                )
                .values(**_stamp_values(stamp))
            )

    def revisions(self, document_id: str, version: int) -> list[Revision]:
        query = (
            select(revisions, document_versions.c.document_id, document_versions.c.version)
            .join(document_versions, revisions.c.document_version_id == document_versions.c.id)
            .where(and_(document_versions.c.document_id == document_id, document_versions.c.version == version))
            .order_by(revisions.c.seq)
        )
        with self._read() as conn:
            return [
                Revision(r.document_id, r.version, r.seq, r.sha256, r.object_key, r.size, r.field, r.signer_id)
                for r in conn.execute(query)
            ]

    def in_signing(self, school_code: str, school_year: str) -> list[DocumentVersion]:
        """The versions of a school's year still being signed, by document id."""
        query = (
            select(document_versions)
            .join(documents, documents.c.id == document_versions.c.document_id)
            .where(
                documents.c.school_code == school_code,
                documents.c.school_year == school_year,
                document_versions.c.status == VersionStatus.SIGNING.value,
            )
            .order_by(document_versions.c.document_id)
        )
        with self._read() as conn:
            return [_version(r) for r in conn.execute(query)]

    def sealed_books(self, school_code: str, school_year: str) -> list[tuple[DocumentVersion, str]]:
        """Every sealed (or superseded) version of a school's year, with the record it was rendered from."""
        query = (
            select(document_versions, record_versions.c.record_json)
            .join(documents, documents.c.id == document_versions.c.document_id)
            .join(record_versions, record_versions.c.id == document_versions.c.record_version_id)
            .where(
                documents.c.school_code == school_code,
                documents.c.school_year == school_year,
                document_versions.c.status.in_([VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value]),
            )
            .order_by(document_versions.c.document_id, document_versions.c.version)
        )
        with self._read() as conn:
            return [(_version(r), str(r.record_json)) for r in conn.execute(query)]

    def stored_objects(self) -> list[tuple[str, str, str | None]]:
        """Every (key, sha256, storage version) the archive says it holds: revisions and sealed books."""
        with self._read() as conn:
            found = {(r.object_key, r.sha256) for r in conn.execute(select(revisions.c.object_key, revisions.c.sha256))}
            sealed = select(document_versions.c.sealed_key, document_versions.c.sealed_sha256).where(
                document_versions.c.status.in_([VersionStatus.SEALED.value, VersionStatus.SUPERSEDED.value])
            )
            found |= {(r[0], r[1]) for r in conn.execute(sealed)}
            found |= {(r[0], r[1]) for r in conn.execute(select(renewals.c.previous_key, renewals.c.previous_sha256))}
            certificates = select(disposals.c.certificate_key, disposals.c.certificate_sha256).where(
                disposals.c.certificate_key.is_not(None)
            )
            found |= {(r[0], r[1]) for r in conn.execute(certificates)}
            gone = SqlDisposals(self.engine).deleted_keys(conn)
            versions = self._object_versions(conn, "")
        return sorted((key, digest, versions.get(key)) for key, digest in found if key not in gone)

    def kept(self, stored: StoredObject, policy_id: str, at: datetime) -> None:
        """An object the archive keeps on its own (a certificate of destruction): its storage version and its
        retention assignment."""
        with self._tx() as conn:
            self._remember(conn, stored.key, stored.version_id, stored.sha256, at)
            if stored.lock is not None:
                conn.execute(insert(retention_assignments).values(**_assignment(stored, policy_id, stored.lock, at)))

    # -- audit trail ----------------------------------------------------------------------------------------

    def append(
        self, at: datetime, actor: str, action: str, refs: Mapping[str, Any], payload: Mapping[str, Any]
    ) -> AuditEvent:
        with self._tx() as conn:
            return self._append(conn, at, actor, action, refs, payload)

    def events(self, after: int = 0) -> Iterator[AuditEvent]:
        with self.engine.connect() as conn:
            query = select(audit_events).where(audit_events.c.seq > after).order_by(audit_events.c.seq)
            for row in conn.execute(query.execution_options(yield_per=1000)):
                yield AuditEvent(**row._asdict())

    def head(self) -> tuple[int, str]:
        with self._read() as conn:
            row = conn.execute(select(audit_head).where(audit_head.c.id == 1)).one()
            return int(row.seq), str(row.hash)

    def add_anchor(
        self, anchor: Anchor, stored: StoredObject, token: bytes | None, policy_id: str, at: datetime
    ) -> None:
        with self._tx() as conn:
            conn.execute(
                insert(audit_anchors).values(
                    head_seq=anchor.head_seq,
                    head_hash=anchor.head_hash,
                    at=anchor.at,
                    object_key=stored.key,
                    timestamp_token=token,
                )
            )
            self._remember(conn, stored.key, stored.version_id, stored.sha256, at)
            if stored.lock is not None:  # so that renewal finds it like any sealed book
                conn.execute(insert(retention_assignments).values(**_assignment(stored, policy_id, stored.lock, at)))

    # -- retention ------------------------------------------------------------------------------------------

    def retention_due(self, before: datetime) -> list[tuple[str, str, datetime]]:
        """(key, policy id, retain-until) of every locked object whose latest assignment ends before `before`."""
        latest = (
            select(retention_assignments.c.object_key, func.max(retention_assignments.c.id).label("id"))
            .group_by(retention_assignments.c.object_key)
            .subquery()
        )
        query = (
            select(retention_assignments)
            .join(latest, latest.c.id == retention_assignments.c.id)
            .where(retention_assignments.c.retain_until < before)
            .order_by(retention_assignments.c.retain_until)
        )
        with self._read() as conn:
            return [(r.object_key, r.policy_id, as_utc(r.retain_until)) for r in conn.execute(query)]

    def held(self, document_id: str) -> bool:
        return bool(SqlHolds(self.engine).holding(document_id))

    def unsealed_revisions(self, written_before: datetime) -> list[str]:
        """The object keys of the working revisions written before `written_before` of versions not sealed."""
        query = (
            select(revisions.c.object_key)
            .join(document_versions, revisions.c.document_version_id == document_versions.c.id)
            .where(
                document_versions.c.status.in_((VersionStatus.SIGNING.value, VersionStatus.SEALING.value)),
                revisions.c.created_at < written_before,
            )
            .distinct()
            .order_by(revisions.c.object_key)
        )
        with self._read() as conn:
            return [str(r.object_key) for r in conn.execute(query)]

    def retention_summary(self) -> list[RetentionSummary]:
        """Per policy, the objects whose latest assignment is under it: their number, holds and lock ends."""
        latest = (
            select(func.max(retention_assignments.c.id).label("id"))
            .group_by(retention_assignments.c.object_key)
            .subquery()
        )
        held = func.sum(case((retention_assignments.c.legal_hold, 1), else_=0))
        query = (
            select(
                retention_assignments.c.policy_id,
                func.count(),
                held,
                func.min(retention_assignments.c.retain_until),
                func.max(retention_assignments.c.retain_until),
            )
            .join(latest, latest.c.id == retention_assignments.c.id)
            .group_by(retention_assignments.c.policy_id)
            .order_by(retention_assignments.c.policy_id)
        )
        with self._read() as conn:
            return [
                RetentionSummary(policy, int(n), int(holds or 0), as_utc(first), as_utc(last))
                for policy, n, holds, first, last in conn.execute(query)
            ]

    def renewed(self, stored: StoredObject, policy_id: str, before: datetime, at: datetime, actor: str) -> None:
        """A lock moved later: its new assignment and the audit event, together."""
        lock = stored.lock or Lock(at)
        with self._tx() as conn:
            conn.execute(insert(retention_assignments).values(**_assignment(stored, policy_id, lock, at)))
            payload = {"retain_until_was": before.date().isoformat(), "retain_until": lock.until.date().isoformat()}
            self._append(conn, at, actor, "retention.renewed", {"key": stored.key, "policy": policy_id}, payload)

    def anchors(self) -> list[tuple[Anchor, str, bytes | None]]:
        with self._read() as conn:
            rows = conn.execute(select(audit_anchors).order_by(audit_anchors.c.id))
            return [(Anchor(r.head_seq, r.head_hash, r.at), r.object_key, r.timestamp_token) for r in rows]


def _assignment(stored: StoredObject, policy_id: str, lock: Lock, at: datetime) -> dict[str, Any]:
    return {
        "object_key": stored.key,
        "policy_id": policy_id,
        "retain_until": lock.until,
        "mode": lock.mode.value,
        "legal_hold": stored.legal_hold,
        "assigned_at": at,
    }


def _scalar(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar_one())


def _stamp_values(stamp: StampFacts | None) -> dict[str, Any]:
    if stamp is None:  # not known: the renewal run reads the book (once) and keeps them
        return {"stamp_count": None, "stamp_until": None, "stamp_digest": None}
    return {"stamp_count": stamp.count, "stamp_until": stamp.valid_until, "stamp_digest": stamp.digest}


def _stamp(row: Row[Any]) -> StampFacts | None:
    if row.stamp_count is None:
        return None
    until = as_utc(row.stamp_until) if row.stamp_until is not None else None
    return StampFacts(int(row.stamp_count), until, row.stamp_digest)


def _version(row: Row[Any]) -> DocumentVersion:
    return DocumentVersion(
        row.document_id,
        int(row.version),
        VersionStatus(row.status),
        row.head_sha256,
        int(row.revision_count),
        row.sealed_key,
        row.sealed_sha256,
        None,
    )
