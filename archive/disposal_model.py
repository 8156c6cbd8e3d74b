"""Disposition (pure): objects whose retention period has ended are proposed for disposal by the archivist, in a
yearly review; the principal approves (or keeps them, saying why); only then are they deleted — each only if no
lock and no legal hold still covers it — and a certificate of destruction listing every object deleted, with its
hash, policy and the approvals, is kept permanently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DisposalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    KEPT = "kept"
    """The principal decided to keep the objects (with a reason): a later review may propose them again."""
    DONE = "done"


@dataclass(frozen=True)
class DisposalItem:
    object_key: str
    sha256: str
    document_id: str
    version: int
    policy_id: str
    ended_at: datetime
    """When the object's retention period ended."""
    deleted_at: datetime | None = None
    note: str | None = None
    """Why it was not deleted when the disposal ran (held, locked)."""


@dataclass(frozen=True)
class Disposal:
    id: str
    school_code: str
    status: DisposalStatus
    reason: str
    proposed_by: str
    proposed_at: datetime
    items: tuple[DisposalItem, ...]
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    done_at: datetime | None = None
    certificate_key: str | None = None
    certificate_sha256: str | None = None
