"""Wiring signing to the archive: every revision is kept as it appears, and a sealed book goes to the locked store.

The archive never opens a PDF, so the facts it records (school, student, staff, record version) are read here from
the record and the rendered book.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pyhanko.pdf_utils.reader import PdfFileReader

from archive import (
    ArchiveService,
    BookFacts,
    DocumentKind,
    DocumentVersion,
    StaffFacts,
    VersionStatus,
    sha256_hex,
)
from records import Record, Role, SigningPlan, canonical_json, content_hash
from signer import KeySource, SigningService
from templates import document_id, read_identity, read_plan

from .renewal import stamp_facts


def book_facts(record: Record, kind: DocumentKind = DocumentKind.HOC_BA) -> BookFacts:
    """The facts the archive records about a record's book; the id and hash are the ones rendering printed."""
    return BookFacts(
        document_id=document_id(record),
        kind=kind,
        school_code=record.school.code,
        school_name=record.school.name,
        school_year=record.school_year,
        student_id=record.student.personal_id,
        student_name=record.student.full_name,
        content_hash=content_hash(record),
        record_json=canonical_json(record).decode(),
        staff=tuple(StaffFacts(m.id, m.full_name, m.position) for m in record.staff),
        class_name=record.class_name,
        province=record.school.province,
        district=record.school.district or "",
    )


@dataclass(frozen=True)
class Registered:
    version: DocumentVersion
    """The archive's version of the book: the one just rendered, or the one rendered before."""
    earlier: bool
    """True when the record had been rendered before: that book (perhaps signed since) is kept, and signatures go
    on it, not on the new file."""


def register_book(archive: ArchiveService, record: Record, pdf: bytes) -> Registered:
    """Register a rendered book (its first revision, its record, school, student and staff). A record rendered
    before keeps its first book."""
    version = archive.register(book_facts(record), pdf)
    return Registered(version, earlier=version.head_sha256 != sha256_hex(pdf))


@dataclass
class Outcome:
    pdf: bytes
    archived: bool
    """False when the archive already held this book sealed (a re-run): nothing was signed again."""
    signed: list[str] = field(default_factory=list)


def keep_signature(
    archive: ArchiveService, document_id: str, plan: SigningPlan, parent: bytes, signed: bytes, field: str
) -> DocumentVersion | None:
    """Record a new signature on top of `parent`; when it was the school seal's, the book is finished (B-LTA) and
    goes to the locked store under the retention of the kind it was registered as. Returns the sealed version,
    else None."""
    entry = plan.entry(field)
    archive.record_revision(document_id, parent, signed, field, entry.signer_id)
    if entry.role is not Role.SCHOOL_SEAL:
        return None
    return archive.seal(document_id, signed, actor=entry.signer_id, stamp=stamp_facts(signed))


def sign_into_archive(
    archive: ArchiveService, parent: bytes, sign: Callable[[], bytes], field: str | None = None
) -> tuple[bytes, DocumentVersion | None]:
    """A signature on `parent`, a book the archive knows, made by `sign`. `parent` is checked first to be the
    archive's latest revision, so that nobody signs a copy the archive would refuse; then the new revision is kept
    (and the book sealed when the seal signed). `field` is the one signed, or None to read it from the new
    signature (a two-phase signature completed elsewhere). Returns the signed bytes and the sealed version."""
    document_id = read_identity(parent)["document_id"]
    archive.expect_head(document_id, parent)
    signed = sign()
    field = field or PdfFileReader(io.BytesIO(signed)).embedded_signatures[-1].field_name
    return signed, keep_signature(archive, document_id, read_plan(parent), parent, signed, field)


def sign_and_archive(
    signing: SigningService,
    archive: ArchiveService | None,
    facts: BookFacts | None,
    pdf: bytes,
    keys: Mapping[str, KeySource],
) -> Outcome:
    """Sign every field of the plan in order; with an archive (and the book's facts), record each revision as it
    appears and seal the finished book into the locked store under its kind's retention."""
    if archive and facts and archive.register(facts, pdf).status is not VersionStatus.SIGNING:
        return Outcome(pdf, archived=False)
    outcome = Outcome(pdf, archived=archive is not None)
    plan = read_plan(pdf)
    for entry in plan.entries:
        signed = signing.sign(outcome.pdf, entry.field, keys[entry.signer_id])
        if archive and facts:
            keep_signature(archive, facts.document_id, plan, outcome.pdf, signed, entry.field)
        outcome.pdf = signed
        outcome.signed.append(entry.field)
    return outcome
