"""Value objects of rendering: profiles, options, field boxes and the rendered document."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from records import Record, SigningPlan

VIETNAM = timezone(timedelta(hours=7), "ICT")
DEFAULT_VERIFY_URL = "https://hocba.example.vn/xac-thuc"


class Profile(StrEnum):
    """Output profiles. PDF/A-1b is TCVN 14159-1:2024 and cannot carry attachments."""

    PDFA_3B = "pdfa-3b"
    PDFA_2B = "pdfa-2b"
    PDFA_1B = "pdfa-1b"

    @property
    def flavour(self) -> str:
        return self.value.removeprefix("pdfa-")

    @property
    def attachments(self) -> bool:
        return self is Profile.PDFA_3B


@dataclass(frozen=True, slots=True)
class RenderOptions:
    profile: Profile = Profile.PDFA_3B
    now: datetime | None = None
    """Creation time written into the file; None means the record's `finalized_at`, so output is reproducible."""
    verify_url: str = DEFAULT_VERIFY_URL
    """Base of the verification link in every page's QR code."""


@dataclass(frozen=True, slots=True)
class FieldBox:
    """Where a signature field sits: 1-based page and a rectangle in PDF points."""

    field: str
    page: int
    x: float
    y: float
    width: float
    height: float

    @property
    def rect(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True, slots=True)
class Identity:
    """What a printed page and the QR code say about the document."""

    document_id: str
    content_hash: str
    verify_url: str

    @property
    def short_hash(self) -> str:
        return self.content_hash[:16]

    @property
    def qr_payload(self) -> str:
        return f"{self.verify_url}?id={self.document_id}&h={self.short_hash}"


def document_id(record: Record) -> str:
    """Stable id of a student's học bạ for one school year: the same for every corrected version.

    Derived from school, year and personal id through a hash, so the id printed on every page does not
    disclose the personal id.
    """
    key = f"{record.school.code}|{record.school_year}|{record.student.personal_id}".encode()
    code = base64.b32encode(hashlib.sha256(key).digest()).decode()[:16]
    return "HB-" + "-".join(code[i : i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class RenderedDocument:
    pdf: bytes
    document_id: str
    content_hash: str
    plan: SigningPlan
    pages: int
    profile: Profile


@dataclass(frozen=True)
class Description:
    """What the document's metadata (XMP and Info) says it is."""

    title: str
    author: str
    """The issuing school (also the publisher)."""
    subject: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF/A-3 output (the machine-readable data behind the pages)."""

    name: str
    data: bytes
    mime: str
    what: str
    relationship: str = "Data"
    """PDF/A-3's AFRelationship: `Data` for the data behind the pages, `Source` for what a copy was made from."""
