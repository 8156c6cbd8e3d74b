"""What anyone may learn of a document from its id (the QR code's link), without signing in: whether it exists,
its kind, school and year, whether it is the valid version, superseded or a revoked copy, and whether the
QR code's hash names a version on record — and of the student only their initials and year of birth (the
file itself, uploaded to the check, shows the rest)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from archive import (
    CopyStatus,
    DocumentKind,
    PublicVersion,
    PublicView,
    SqlBookIndex,
    SqlCopies,
    UnknownDocumentError,
    VersionStatus,
)


class PublicState(StrEnum):
    VALID = "valid"
    SIGNING = "signing"
    """Not finished: still being signed."""
    SUPERSEDED = "superseded"
    REVOKED = "revoked"
    """A copy withdrawn by the school (issued in error); it stays on record."""


@dataclass(frozen=True)
class CopyFacts:
    number: str
    form: str
    issued_on: str
    original_id: str
    original_version: int
    original_superseded_by: int | None = None
    """Set when the book copied has since been corrected: the copy shows the version it was made of."""
    revoked_on: str | None = None
    revoked_reason: str | None = None


@dataclass(frozen=True)
class PublicStatus:
    document_id: str
    kind: str
    school_code: str
    school_name: str
    school_year: str
    student_initials: str
    birth_year: int | None
    state: PublicState
    version: int
    """The version the QR code's hash names (the latest when no hash was given or it names none)."""
    latest_version: int
    superseded_by: int | None
    hash_matches: bool | None
    """None when no hash was given."""
    copy: CopyFacts | None = None


def initials(full_name: str) -> str:
    """ "Võ Quỳnh Thảo" → "V.Q.T." (no more of a name is shown to a stranger)."""
    return "".join(f"{part[0].upper()}." for part in full_name.split() if part)


def public_status(
    index: SqlBookIndex, register: SqlCopies, document_id: str, short_hash: str | None = None
) -> PublicStatus:
    view = index.public_view(document_id)
    if view is None:
        raise UnknownDocumentError("public", document_id=document_id)
    latest = view.versions[-1]
    named = _named(view, short_hash) if short_hash else None
    shown = named or latest
    content = _content(view.record_json)
    book = _original(index, view, content)  # a copy's or minutes' book, read once for both uses
    copy = _copy(register, view, content, book) if view.kind is DocumentKind.COPY else None
    student = content.get("student") if isinstance(content.get("student"), dict) else {}
    birth = _birth_year(content) or (_birth_year(_content(book.record_json)) if book else None)
    return PublicStatus(
        document_id=document_id,
        kind=view.kind.value,
        school_code=view.school_code,
        school_name=view.school_name,
        school_year=view.school_year,
        student_initials=initials(str((student or {}).get("full_name") or "")),
        birth_year=birth,
        state=_state(shown, copy),
        version=shown.version,
        latest_version=latest.version,
        superseded_by=_successor(view, shown),
        hash_matches=None if not short_hash else named is not None,
        copy=copy,
    )


def _named(view: PublicView, short_hash: str) -> PublicVersion | None:
    wanted = short_hash.strip().lower()
    if len(wanted) < 16:
        return None
    return next((v for v in view.versions if v.content_hash.startswith(wanted)), None)


def _state(version: PublicVersion, copy: CopyFacts | None) -> PublicState:
    if copy is not None and copy.revoked_on is not None:
        return PublicState.REVOKED
    if version.status is VersionStatus.SEALED:
        return PublicState.VALID
    if version.status is VersionStatus.SUPERSEDED:
        return PublicState.SUPERSEDED
    return PublicState.SIGNING


def _successor(view: PublicView, version: PublicVersion) -> int | None:
    if version.status is not VersionStatus.SUPERSEDED:
        return None
    later = [v.version for v in view.versions if v.version > version.version]
    return min(later) if later else None


def _content(record_json: str) -> dict[str, Any]:
    try:
        found = json.loads(record_json)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _birth_year(content: dict[str, Any]) -> int | None:
    student = content.get("student") or {}
    born = str(student.get("date_of_birth") or "") if isinstance(student, dict) else ""
    return int(born[:4]) if born[:4].isdigit() else None


def _original(index: SqlBookIndex, view: PublicView, content: dict[str, Any]) -> PublicView | None:
    """The book a copy (`original`) or correction minutes (`document_id`) were made from; None for a book."""
    original = content.get("original") or content.get("document_id")
    original_id = original.get("document_id") if isinstance(original, dict) else original
    if isinstance(original_id, str) and original_id != view.document_id:
        return index.public_view(original_id)
    return None


def _copy(register: SqlCopies, view: PublicView, content: dict[str, Any], book: PublicView | None) -> CopyFacts:
    entry = register.by_copy(view.document_id)
    original = content.get("original") or {}
    original_id, original_version = str(original.get("document_id")), int(original.get("version") or 0)
    later = None
    if book is not None:
        copied = next((v for v in book.versions if v.version == original_version), None)
        later = _successor(book, copied) if copied is not None else None
    revoked = entry is not None and entry.status is CopyStatus.REVOKED
    return CopyFacts(
        number=str(content.get("number") or ""),
        form=str(content.get("form") or ""),
        issued_on=str(content.get("issued_at") or "")[:10],
        original_id=original_id,
        original_version=original_version,
        original_superseded_by=later,
        revoked_on=entry.revoked_at.date().isoformat() if revoked and entry and entry.revoked_at else None,
        revoked_reason=entry.reason if revoked and entry else None,
    )
