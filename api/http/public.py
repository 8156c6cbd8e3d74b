"""`GET /v1/public/documents/{document_id}`: what anyone may learn of a document from its QR code's link,
without signing in (the status of a book or a copy, and whether the code's hash names a version on record; of
the student only their initials and year of birth). Rate-limited per address; cacheable for a minute."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel, Field

from archive import SqlCopies
from workflows.public import PublicState, PublicStatus, public_status

from .access import allow, guarded_router, services
from .problems import problem_response, request_problem

router = guarded_router(prefix="/v1/public", tags=["verification"])

_MESSAGES = {
    PublicState.VALID: (
        "Hồ sơ có giá trị: là phiên bản hiện hành được nhà trường lưu giữ",
        "Valid: the current version the school keeps",
    ),
    PublicState.SIGNING: ("Hồ sơ chưa hoàn tất: đang được ký", "Not finished: still being signed"),
    PublicState.SUPERSEDED: ("Hồ sơ đã được thay thế bằng phiên bản mới hơn", "Superseded by a later version"),
    PublicState.REVOKED: ("Bản sao đã bị nhà trường thu hồi", "A copy the school has revoked"),
}


class CopyView(BaseModel):
    number: str = Field(description="The copy's number", examples=["07/SY-THCSNT"])
    form: str = Field(description="sao_y or trich_sao")
    issued_on: str
    original_id: str
    original_version: int
    original_superseded_by: int | None = Field(description="Set when the book copied has since been corrected")
    revoked_on: str | None
    revoked_reason: str | None


class PublicDocument(BaseModel):
    document_id: str
    kind: str = Field(description="hoc_ba (a book), ban_sao (a certified copy), correction_minutes")
    school_code: str
    school_name: str
    school_year: str
    student_initials: str = Field(description="The student's initials only", examples=["V.Q.T."])
    birth_year: int | None
    status: PublicState
    message_vi: str
    message_en: str
    version: int = Field(description="The version the QR code's hash names (the latest when it names none)")
    latest_version: int
    superseded_by: int | None
    hash_matches: bool | None = Field(description="Whether `h` names a version on record (null without `h`)")
    copy_of: CopyView | None = Field(default=None, description="For a certified copy")


_REFUSALS: dict[int | str, dict[str, Any]] = {
    404: problem_response(404, "No document with this id", "archive.unknown_document"),
    429: problem_response(429, "Too many lookups from this address; see Retry-After", "request.rate_limited"),
}


@router.get("/documents/{document_id}", response_model=PublicDocument, responses=_REFUSALS)
def public_document(
    request: Request,
    response: Response,
    document_id: Annotated[str, Path(max_length=32)],
    _: Annotated[None, allow("public.status")],
    h: Annotated[str | None, Query(max_length=64, description="The content hash in the QR code")] = None,
) -> Any:
    """The document's status, as the QR code's link shows it to anyone (nothing personal beyond the student's
    initials and year of birth; the file itself, uploaded to `POST /v1/verify`, is checked in full)."""
    wait = request.app.state.status_limit.take(request.client.host if request.client else "unknown")
    if wait:
        seconds = max(1, math.ceil(wait))
        return request_problem(request, 429, "request.rate_limited", {"Retry-After": str(seconds)}, seconds=seconds)
    found = public_status(services(request).books(), SqlCopies(services(request).engine), document_id, h)
    response.headers["Cache-Control"] = "public, max-age=60"
    return present(found)


def present(found: PublicStatus) -> PublicDocument:
    """The public status as answered (JSON) and shown (the QR code's page)."""
    vi, en = _MESSAGES[found.state]
    copy = found.copy
    return PublicDocument(
        document_id=found.document_id,
        kind=found.kind,
        school_code=found.school_code,
        school_name=found.school_name,
        school_year=found.school_year,
        student_initials=found.student_initials,
        birth_year=found.birth_year,
        status=found.state,
        message_vi=vi,
        message_en=en,
        version=found.version,
        latest_version=found.latest_version,
        superseded_by=found.superseded_by,
        hash_matches=found.hash_matches,
        copy_of=None if copy is None else CopyView(**copy.__dict__),
    )
