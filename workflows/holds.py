"""Legal holds (Luật Lưu trữ 2024; a school's records under inspection or in a dispute): an archivist places a
hold on a book, a student, a class or a school year, with the reason and the reference it answers to; every
stored object of the documents it covers then carries the storage's legal hold, so that no retention end and no
disposal can remove it. A release takes two people: one asks, with a reason, another approves; only then are
the objects' legal holds lifted, and only where no other hold still covers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from archive import ArchiveService, Hold, HoldStateError, HoldTarget, SqlHolds


@dataclass(frozen=True)
class HoldOutcome:
    hold: Hold
    documents: int
    """Documents the hold covers."""
    objects: int
    """Stored objects whose legal hold was put on (placing) or lifted (releasing)."""


def place(
    archive: ArchiveService, holds: SqlHolds, target: HoldTarget, reason: str, reference: str, by: str, now: datetime
) -> HoldOutcome:
    """Place the hold, then put the storage's legal hold on every object it covers."""
    documents = holds.documents_of(target)
    if not documents:
        raise HoldStateError("empty", covers=target.label)
    hold = holds.place(target, reason, reference, by, now)
    changed = archive.set_legal_holds(holds.object_keys(documents), True)
    return HoldOutcome(hold, len(documents), changed)


def ask_release(holds: SqlHolds, hold_id: str, by: str, reason: str, now: datetime) -> Hold:
    """The first of the two people a release takes: the hold stays until another approves."""
    return holds.ask_release(hold_id, by, reason, now)


def approve_release(archive: ArchiveService, holds: SqlHolds, hold_id: str, by: str, now: datetime) -> HoldOutcome:
    """The second person: the hold ends, and the objects no other hold covers lose their legal hold."""
    hold = holds.approve_release(hold_id, by, now)
    documents = holds.documents_of(hold.target)
    changed = archive.set_legal_holds(holds.object_keys(_freed(holds, documents, hold_id)), False)
    return HoldOutcome(hold, len(documents), changed)


def release_preview(holds: SqlHolds, hold_id: str, by: str, approve: bool) -> HoldOutcome:
    """What asking for a hold's release (or approving it) would do, changing nothing: the same checks, the
    documents the hold covers, and the objects an approval would lift the legal hold of (no other hold covers
    them)."""
    hold = holds.releasable(hold_id, by, approve)
    documents = holds.documents_of(hold.target)
    return HoldOutcome(hold, len(documents), len(holds.object_keys(_freed(holds, documents, hold_id))))


def _freed(holds: SqlHolds, documents: list[str], hold_id: str) -> list[str]:
    """The documents that no hold but `hold_id` covers (released or not yet): those its release frees."""
    return [document for document in documents if all(other.id == hold_id for other in holds.holding(document))]


def reapply(archive: ArchiveService, holds: SqlHolds) -> int:
    """Put the storage's legal hold back on every object an active hold covers (after a crash between the
    database and the store, or objects written since); how many were missing it."""
    changed = 0
    for hold in holds.holds(active_only=True):
        changed += archive.set_legal_holds(holds.object_keys(holds.documents_of(hold.target)), True)
    return changed


def hold_json(hold: Hold) -> dict[str, Any]:
    """A hold as the console and the report show it."""
    target = hold.target
    return {
        "id": hold.id,
        "status": hold.status.value,
        "scope": target.scope.value,
        "school_code": target.school_code,
        "document_id": target.document_id,
        "student_id": target.student_id,
        "school_year": target.school_year,
        "class_name": target.class_name,
        "covers": target.label,
        "reason": hold.reason,
        "reference": hold.reference,
        "placed_by": hold.placed_by,
        "placed_at": hold.placed_at.isoformat(),
        "release_reason": hold.release_reason,
        "release_asked_by": hold.release_asked_by,
        "released_by": hold.released_by,
        "released_at": hold.released_at.isoformat() if hold.released_at else None,
    }
