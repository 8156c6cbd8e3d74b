"""The outside world the archive needs: an object store (filesystem or S3), the metadata catalog (SQL), a clock
and a time-stamping authority."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, Protocol

from .audit_model import Anchor, AuditEvent
from .model import (
    BookFacts,
    DocumentKind,
    DocumentVersion,
    Lock,
    ObjectVersion,
    Renewal,
    RetentionSummary,
    Revision,
    StampFacts,
    StoredObject,
    VersionStatus,
)


class ObjectStore(Protocol):
    """Immutable objects under keys. Every adapter enforces retention and legal hold itself, whatever its backend
    allows: a protected object is never deleted or replaced, and its lock is never shortened or downgraded."""

    url: str
    """The store's configuration URL without secrets (for logs and reports)."""

    def put(self, key: str, data: bytes, lock: Lock | None = None, legal_hold: bool = False) -> StoredObject:
        """Store `data` under `key`. Writing the same bytes again returns the stored object (idempotent); other
        bytes under an existing key are refused (`ObjectExistsError`, or `ObjectLockedError` when locked)."""
        ...

    def get(self, key: str, version_id: str | None = None) -> bytes:
        """The bytes under `key`; with `version_id`, exactly that version (on S3 a later PUT makes a new latest
        version beside a locked one, so the archive reads the version it wrote)."""
        ...

    def versions(self, prefix: str = "") -> Iterator[ObjectVersion]:
        """Every version and delete marker under `prefix` (a store without versions: one per key)."""
        ...

    def stat(self, key: str) -> StoredObject: ...

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def delete(self, key: str, bypass_governance: bool = False) -> None:
        """Remove an unprotected object; with `bypass_governance`, also one under a GOVERNANCE lock (a working
        revision whose disposal was approved). Never one under a COMPLIANCE lock or a legal hold."""
        ...

    def extend_lock(self, key: str, lock: Lock, version_id: str | None = None) -> StoredObject:
        """Move the retain-until date later (renewal of the 100-year horizon). Never earlier, never weaker. With
        `version_id`, that version's lock (the one the archive wrote), not whatever is latest."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> StoredObject: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class Timestamper(Protocol):
    """An RFC 3161 time-stamping authority, for the audit trail's anchors."""

    @property
    def can_stamp(self) -> bool:
        """False when only checking is possible (no TSA configured): anchors are then written without a token."""
        ...

    def stamp(self, data: bytes) -> bytes:
        """A DER TimeStampToken (CMS ContentInfo) over sha256(`data`)."""
        ...

    def check(self, token: bytes, data: bytes) -> datetime:
        """The token's time, after checking that it covers `data` and that its signature is intact;
        raises `AnchorError` otherwise."""
        ...


class Documents(Protocol):
    """The documents, their versions and revisions: registration, signatures and the seal."""

    def register(self, book: BookFacts, first: Revision, at: datetime, actor: str) -> DocumentVersion: ...

    def add_revision(self, revision: Revision, parent_sha256: str, at: datetime, actor: str) -> Revision: ...

    def begin_seal(self, document_id: str, sha256: str, key_for: Callable[[int], str]) -> DocumentVersion: ...

    def finish_seal(
        self,
        version: DocumentVersion,
        stored: StoredObject,
        policy_id: str,
        at: datetime,
        actor: str,
        how: str,
        stamp: StampFacts | None = None,
    ) -> tuple[DocumentVersion, AuditEvent]: ...

    def abort_seal(self, version: DocumentVersion, reason: str, at: datetime, actor: str) -> None: ...

    def kind(self, document_id: str) -> DocumentKind: ...

    def version(self, document_id: str, version: int | None = None) -> DocumentVersion: ...

    def versions(
        self, status: VersionStatus | None = None, school_code: str | None = None
    ) -> list[DocumentVersion]: ...

    def revisions(self, document_id: str, version: int) -> list[Revision]: ...

    def in_signing(self, school_code: str, school_year: str) -> list[DocumentVersion]: ...

    def sealed_books(self, school_code: str, school_year: str) -> list[tuple[DocumentVersion, str]]: ...

    def find_sealed(self, sha256: str) -> DocumentVersion | None: ...


class StoredObjects(Protocol):
    """Which storage object (and which version of it) holds each revision, sealed book and anchor."""

    def stored_objects(self) -> list[tuple[str, str, str | None]]:
        """(key, sha256, storage version id) of every revision and sealed book."""
        ...

    def object_version(self, key: str) -> str | None: ...

    def object_versions(self, prefix: str = "") -> dict[str, str]: ...


class AuditLog(Protocol):
    """The hash-chained audit trail and its timestamped anchors."""

    def append(
        self, at: datetime, actor: str, action: str, refs: Mapping[str, Any], payload: Mapping[str, Any]
    ) -> AuditEvent: ...

    def events(self, after: int = 0) -> Iterator[AuditEvent]: ...

    def head(self) -> tuple[int, str]: ...

    def add_anchor(
        self, anchor: Anchor, stored: StoredObject, token: bytes | None, policy_id: str, at: datetime
    ) -> None: ...

    def anchors(self) -> list[tuple[Anchor, str, bytes | None]]: ...


class RetentionLedger(Protocol):
    """The retention each stored object was assigned, and when its lock must be moved later."""

    def retention_due(self, before: datetime) -> list[tuple[str, str, datetime]]: ...

    def retention_summary(self) -> list[RetentionSummary]: ...

    def record_renewal(
        self,
        version: DocumentVersion,
        stored: StoredObject,
        policy_id: str,
        at: datetime,
        actor: str,
        stamp: StampFacts | None = None,
    ) -> DocumentVersion: ...

    def kept_stamps(
        self, school_code: str | None = None, school_year: str | None = None
    ) -> list[tuple[DocumentVersion, StampFacts | None]]: ...

    def note_stamp(self, version: DocumentVersion, stamp: StampFacts) -> None: ...

    def renewal_history(self, school_code: str | None = None, school_year: str | None = None) -> list[Renewal]: ...

    def kept(self, stored: StoredObject, policy_id: str, at: datetime) -> None: ...

    def held(self, document_id: str) -> bool:
        """Whether a legal hold not released covers the document."""
        ...

    def unsealed_revisions(self, written_before: datetime) -> list[str]: ...

    def renewed(self, stored: StoredObject, policy_id: str, before: datetime, at: datetime, actor: str) -> None: ...


class Catalog(Documents, StoredObjects, AuditLog, RetentionLedger, Protocol):
    """What the archive knows about what it stores, by concern; one database holds them all, so that each change
    and its audit event commit together (the corrections ledger is a port of its own)."""
