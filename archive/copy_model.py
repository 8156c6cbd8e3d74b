"""The copy register (pure): a request for a certified copy and where it stands. What a copy states and who may
ask are the records package's rules (`records.copies`); the register keeps who asked, what was checked, what was
decided and the number given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CopyStatus(StrEnum):
    REQUESTED = "requested"
    CHECKED = "checked"
    """The clerk checked the asker's identity document (and relationship or authorisation)."""
    ISSUED = "issued"
    REFUSED = "refused"
    """Refused in writing, with the reason."""
    REVOKED = "revoked"
    """Issued in error, or its original was superseded: the copy stays kept and says so."""


@dataclass(frozen=True)
class CopyEntry:
    id: str
    school_code: str
    document_id: str
    """The book asked for (its id is the same for every version)."""
    form: str
    pages: tuple[int, ...]
    asker: dict[str, object]
    """Who asked (kind, full name, relationship, identity document checked, whether the student has died)."""
    requested_at: datetime
    status: CopyStatus = CopyStatus.REQUESTED
    account: str | None = None
    """The account that asked, or None when the clerk entered the request at the counter."""
    version: int | None = None
    """The sealed version copied (set when issued)."""
    number: int | None = None
    number_year: int | None = None
    number_text: str | None = None
    """The number as printed on the copy, e.g. "07/SY-THCSNT"."""
    copy_id: str | None = None
    signer_id: str | None = None
    reason: str | None = None
    delivery: str | None = None
    checked_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    revoked_at: datetime | None = None
    delivered_at: datetime | None = None
