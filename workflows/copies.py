"""Certified copies from the school's archive (request → identity checked → issued, or refused in writing →
delivered; revoked when issued in error), composed from the copy rules, the renderer, the signer and the archive.
Every step is an audit event; every copy issued is in the copy register with its number."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from archive import (
    ArchiveService,
    BookFacts,
    CopyEntry,
    CopyStateError,
    CopyStatus,
    DocumentKind,
    SqlCopies,
    SqlCorrections,
    StaffFacts,
    UnknownDocumentError,
)
from records import Asker, Copy, CopyForm, CopySigner, Requester, asker_problem
from signer import KeySource, SigningService
from templates import VIETNAM, RenderedDocument, RenderOptions, render_copy, render_refusal

from .corrections import _record
from .errors import CopyAskError
from .lifecycle import Outcome, sign_and_archive


@dataclass(frozen=True)
class Issued:
    entry: CopyEntry
    copy: RenderedDocument
    outcome: Outcome
    """The copy signed by the designated signer and sealed (its final bytes in `outcome.pdf`)."""
    copy_facts: Copy
    """What the copy states."""


def _asker_json(asker: Asker) -> dict[str, object]:
    return {
        "kind": asker.kind.value,
        "full_name": asker.full_name.strip(),
        "relationship": asker.relationship.strip(),
        "identity_document": asker.identity_document.strip(),
        "student_deceased": asker.student_deceased,
    }


def ask(
    register: SqlCopies,
    books: SqlCorrections,
    school_code: str,
    document_id: str,
    asker: Asker,
    form: CopyForm,
    now: datetime,
    pages: tuple[int, ...] = (),
    account: str | None = None,
    actor: str | None = None,
) -> CopyEntry:
    """A request for a copy. One that cannot be met (no sealed book of this school under that id) is recorded
    refused at once, with the reason, so the asker receives a written answer."""
    problem = asker_problem(asker)
    if problem:
        raise CopyAskError(problem)
    if form is CopyForm.TRICH_SAO and not pages:
        raise CopyAskError("pages")
    entry = CopyEntry(
        id="SC-" + secrets.token_hex(6).upper(),
        school_code=school_code,
        document_id=document_id,
        form=form.value,
        pages=tuple(sorted(set(pages))) if form is CopyForm.TRICH_SAO else (),
        asker=_asker_json(asker),
        requested_at=now,
        account=account,
    )
    try:
        _, record_json = books.sealed_record(document_id)
        mine = _record(record_json).school.code == school_code
    except UnknownDocumentError:
        mine = False
    if not mine:
        reason = f"Không có học bạ đã lưu trữ {document_id} của trường / no sealed book {document_id} of this school"
        entry = replace(entry, status=CopyStatus.REFUSED, reason=reason, decided_at=now)
    return register.request(entry, actor or account or "console")


def issue(
    archive: ArchiveService,
    register: SqlCopies,
    books: SqlCorrections,
    signing: SigningService,
    request_id: str,
    signer: CopySigner,
    keys: Mapping[str, KeySource],
    abbreviation: str,
    clerk: str,
    now: datetime,
    place: str = "",
    options: RenderOptions | None = None,
    printable: bool = False,
) -> Issued:
    """Issue the copy of the book's current sealed version: numbered, rendered, signed by the designated
    signer (`keys[signer.staff_id]`), sealed by the school (`keys["school:<code>"]`) and kept in the archive."""
    entry = register.get(request_id)
    version, record_json = books.sealed_record(entry.document_id)
    record = _record(record_json)
    sealed = archive.version(entry.document_id, version)
    original = archive.sealed_bytes(sealed)
    year = now.astimezone(VIETNAM).year
    numbered = register.number(request_id, year, now, clerk)
    asked = entry.asker
    copy = Copy(
        original_id=entry.document_id,
        original_version=version,
        original_sha256=sealed.sealed_sha256 or "",
        record=record,
        form=CopyForm(entry.form),
        number=numbered.number or 0,
        number_year=year,
        school_abbreviation=abbreviation,
        reissue=register.issued_before(entry.document_id) + 1,
        asker=Asker(
            _kind(asked),
            str(asked["full_name"]),
            str(asked.get("relationship") or ""),
            str(asked.get("identity_document") or ""),
            bool(asked.get("student_deceased")),
        ),
        signer=signer,
        issued_at=now,
        place=place,
        pages=entry.pages,
        printable=printable,
    )
    rendered = render_copy(copy, original, options)
    facts = BookFacts(
        document_id=rendered.document_id,
        kind=DocumentKind.COPY,
        school_code=record.school.code,
        school_name=record.school.name,
        school_year=record.school_year,
        student_id=record.student.personal_id,
        student_name=record.student.full_name,
        content_hash=rendered.content_hash,
        record_json=json.dumps(copy.content(), ensure_ascii=False, sort_keys=True),
        staff=(StaffFacts(signer.staff_id, signer.full_name, "copy_signer"),),
        class_name=record.class_name,
        province=record.school.province,
    )
    for key in keys.values():
        signing.connect(key)  # a remote key fetches its certificate (a local one has nothing to do)
    outcome = sign_and_archive(signing, archive, facts, rendered.pdf, keys)
    done = register.issued(request_id, version, rendered.document_id, copy.number_text(), signer.staff_id, now, clerk)
    return Issued(done, rendered, outcome, copy)


def _kind(asked: Mapping[str, object]) -> Requester:
    return Requester(str(asked["kind"]))


def refusal_letter(register: SqlCopies, request_id: str) -> bytes:
    """The written answer to a refused request, as PDF/A (the same letter every time it is asked for)."""
    entry = register.get(request_id)
    if entry.status is not CopyStatus.REFUSED:
        raise CopyStateError("letter", request_id=request_id, status=entry.status.value)
    return render_refusal(
        entry.id,
        register.school_name(entry.school_code),
        entry.document_id,
        str(entry.asker.get("full_name") or ""),
        entry.requested_at,
        entry.decided_at or entry.requested_at,
        entry.reason or "",
    )
