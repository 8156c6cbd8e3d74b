"""What the archive stores: immutable objects, each with its sha256 and, for sealed books, a write-once lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .errors import InvalidKeyError


class LockMode(StrEnum):
    COMPLIANCE = "COMPLIANCE"
    """Nobody, not even the storage's administrator, may delete the object or shorten its retention."""
    GOVERNANCE = "GOVERNANCE"
    """An ordinary deletion is refused; a deletion with the storage's bypass right is not. The service sets it on
    working revisions, which only an approved disposal removes."""


@dataclass(frozen=True)
class Lock:
    until: datetime
    """Retain-until date (aware, UTC). May only ever be extended."""
    mode: LockMode = LockMode.COMPLIANCE

    def covers(self, moment: datetime) -> bool:
        return moment < self.until


@dataclass(frozen=True)
class StoredObject:
    key: str
    sha256: str
    """Hex digest of the bytes, kept by the service (an S3 ETag is not a content hash)."""
    size: int
    lock: Lock | None = None
    legal_hold: bool = False
    version_id: str | None = None
    """The storage's version id, as text (UUIDs on MinIO, 32 hex on SeaweedFS, none on the filesystem)."""

    def protected(self, moment: datetime, bypass_governance: bool = False) -> bool:
        """Deleting or replacing it now would break its retention or its legal hold (with `bypass_governance`, a
        GOVERNANCE lock does not count)."""
        if self.legal_hold:
            return True
        if self.lock is None or not self.lock.covers(moment):
            return False
        return not (bypass_governance and self.lock.mode is LockMode.GOVERNANCE)


class DocumentKind(StrEnum):
    """What a document is, stored when it is registered: its retention policy follows from it."""

    HOC_BA = "hoc_ba"
    CORRECTION_MINUTES = "correction_minutes"
    COPY = "ban_sao"
    """A certified copy of one sealed version of a book (its number and request are in the copy register)."""


@dataclass(frozen=True)
class ObjectVersion:
    """One version of an object in a store (or a delete marker), as the store lists it."""

    key: str
    version_id: str | None
    delete_marker: bool = False


# Layout shared by every store: working revisions, content-addressed and unlocked; sealed books and audit anchors,
# locked.
REVISIONS = "revisions/"
SEALED = "sealed/"
ANCHORS = "anchors/"


def revision_key(sha256: str) -> str:
    return f"{REVISIONS}{sha256[:2]}/{sha256}.pdf"


def sealed_key(document_id: str, version: int, sha256: str) -> str:
    return f"{SEALED}{document_id}/v{version}-{sha256[:16]}.pdf"


def check_key(key: str) -> str:
    """Keys are relative paths of plain segments: no '..', no leading '/', no empty segment."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key:
        raise InvalidKeyError(
            key=repr(key),
        )
    return key


class VersionStatus(StrEnum):
    SIGNING = "signing"
    """Revisions are being added; nothing is locked yet."""
    SEALING = "sealing"
    """The sealed object is being written; not sealed until its row says so (a crash here is reconciled)."""
    SEALED = "sealed"
    """Stored under its write-once lock."""
    SUPERSEDED = "superseded"
    """Sealed, then replaced by a corrected version; still stored, never deleted."""


@dataclass(frozen=True)
class StaffFacts:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class BookFacts:
    """What the archive records about a book when its first revision arrives (given by the caller: the archive
    never opens a PDF)."""

    document_id: str
    kind: DocumentKind
    """Stored with the document; sealing and reconciliation read it back for the retention policy."""
    school_code: str
    school_name: str
    school_year: str
    student_id: str
    student_name: str
    content_hash: str
    """Hash of the record version the book was rendered from."""
    record_json: str
    staff: tuple[StaffFacts, ...] = ()
    """Everyone the book's signing plan names (their accounts see the book)."""
    class_name: str = ""
    province: str = ""
    district: str = ""


@dataclass(frozen=True)
class DocumentVersion:
    document_id: str
    version: int
    status: VersionStatus
    head_sha256: str
    revision_count: int
    sealed_key: str | None = None
    sealed_sha256: str | None = None
    superseded_by: int | None = None
    """Version number of the successor when superseded."""
    kind: DocumentKind = DocumentKind.HOC_BA
    """The kind the document was registered as (read with the version where sealing needs it)."""


@dataclass(frozen=True)
class StampFacts:
    """What a sealed book's last archive timestamp proves, and until when: read from the book by the signer when
    it is sealed or renewed, and kept with the version, so that finding the books due for renewal is a query
    rather than a read of every book."""

    count: int
    """Archive timestamps in the book; 0 for a book without one (PDF/A-1: it stops at B-LT)."""
    valid_until: datetime | None = None
    """When the last one's TSA certificate ends."""
    digest: str | None = None
    """Its digest algorithm (``sha256``…): a weakened one makes the book due at once."""


@dataclass(frozen=True)
class Revision:
    document_id: str
    version: int
    seq: int
    sha256: str
    object_key: str
    size: int
    field: str | None
    signer_id: str | None
    storage_version: str | None = None
    """The storage's version id of the object (S3), recorded so that reads take exactly that version."""


class CorrectionStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    WITNESSED = "witnessed"
    """Approved and confirmed by the witness: the corrected book and the minutes go to signing."""
    COMPLETED = "completed"
    """The corrected book is sealed and supersedes the old one."""


@dataclass(frozen=True)
class Correction:
    id: str
    document_id: str
    version: int
    """The sealed version being corrected."""
    status: CorrectionStatus
    changes: str
    """Canonical JSON list of {path, before, after}."""
    reason: str
    requester_id: str
    witness_id: str
    principal_id: str | None = None
    refusal: str | None = None
    record_json: str | None = None
    """The corrected record (set when the witness confirms)."""
    minutes_document_id: str | None = None
    decided_at: datetime | None = None
    """When the principal approved or refused."""


@dataclass(frozen=True)
class BookQuery:
    """Which books a list shows: every given field must match. Lists are ordered by document id and resume after
    `after` (the cursor: the last id of the previous page)."""

    school_code: str | None = None
    school_year: str | None = None
    class_name: str | None = None
    status: VersionStatus | None = None
    """The status of the book's latest version."""
    province: str | None = None
    staff_id: str | None = None
    """Only books whose signing plan names this staff member."""
    student_id: str | None = None
    after: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class BookEntry:
    """A book as lists show it: its latest version and who and what it belongs to."""

    version: DocumentVersion
    school_code: str
    school_year: str
    class_name: str | None
    province: str | None
    student_id: str
    student_name: str
    kind: DocumentKind
    staff_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RetentionSummary:
    """The locked objects of one retention policy: how many, how many under a legal hold, and when the
    earliest and the latest of their locks end."""

    policy_id: str
    objects: int
    holds: int
    earliest: datetime
    latest: datetime


@dataclass(frozen=True)
class Renewal:
    """One renewal of a sealed version's archive timestamp."""

    document_id: str
    version: int
    school_year: str
    previous_sha256: str
    sha256: str
    renewed_at: datetime


@dataclass(frozen=True)
class SignedFields:
    """A record book's latest version as the school's progress counts it: the record its plan comes from and
    the fields signed in it so far."""

    document_id: str
    school_year: str
    class_name: str | None
    status: VersionStatus
    record_json: str
    fields: frozenset[str]


@dataclass(frozen=True)
class SchoolCounts:
    """A school's books by status (of their latest version), with where the school is."""

    school_code: str
    school_name: str
    district: str | None
    counts: dict[str, int]


@dataclass(frozen=True)
class PublicVersion:
    version: int
    status: VersionStatus
    content_hash: str
    """Of the record (or copy) the version was rendered from: what a QR code's `h` names."""
    sealed_at: datetime | None = None


@dataclass(frozen=True)
class PublicView:
    """What the public check reads of a document by its id alone (its versions, oldest first, and the record of
    the latest): the faces show only what the law lets a stranger see."""

    document_id: str
    kind: DocumentKind
    school_code: str
    school_name: str
    school_year: str
    versions: tuple[PublicVersion, ...]
    record_json: str
