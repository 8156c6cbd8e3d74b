"""Certified copies over HTTP. A student or parent asks for a copy of their own book; the clerk (văn thư) records
requests made at the counter, checks the asker's identity document, issues the copy (signed by the person the
principal designated, with their remote key, and sealed with the school's key) or refuses it in writing; the
asker follows their request and downloads the copy. The school's copy register is read by its office."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from archive import CopyEntry, Role, SqlCopies, SqlCorrections, UnknownDocumentError
from records import Asker, CopyForm, CopySigner, Requester, due_on
from templates import VIETNAM
from workflows import copies as desk
from workflows.copy_register import register_files

from .. import wiring
from .access import Caller, allow, guarded_router, services
from .downloads import attachment
from .jobs import RemoteKeyBody

router = guarded_router(prefix="/v1/copies", tags=["copies"])
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AskerBody(BaseModel):
    kind: Requester = Requester.STUDENT
    full_name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(default="", max_length=200, description="To the student, or the authorisation")
    student_deceased: bool = Field(default=False, description="A relative asks: the proof was seen")


class CopyAsk(BaseModel):
    document_id: str = Field(max_length=32)
    form: CopyForm = CopyForm.SAO_Y
    pages: list[Annotated[int, Field(ge=1, le=10_000)]] = Field(
        default_factory=list, max_length=200, description="TRÍCH SAO: the original's pages"
    )
    full_name: str | None = Field(default=None, max_length=200, description="A student's or parent's own name")
    asker: AskerBody | None = Field(default=None, description="At the counter (the clerk): who asks")


class IdentityCheck(BaseModel):
    identity_document: str = Field(min_length=3, max_length=200, description="Kind and number, e.g. CCCD …")


class SignerBody(BaseModel):
    staff_id: str = Field(max_length=64)
    full_name: str = Field(max_length=200)
    title: str = Field(max_length=200, examples=["KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"])


class CopyIssue(BaseModel):
    signer: SignerBody = Field(description="The person the principal designated to sign copies")
    key: RemoteKeyBody = Field(description="The designated signer's remote key")
    abbreviation: str = Field(default="", max_length=32, description="The school's mark in the number")
    place: str = Field(default="", max_length=100)
    printable: bool = Field(default=False, description="To be printed: the cross-page seal drawn on the edges")


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class CopyView(BaseModel):
    id: str
    status: str = Field(description="requested, checked, issued, refused or revoked")
    document_id: str
    form: str
    pages: list[int]
    asker: dict[str, Any]
    number: int | None
    number_year: int | None
    number_text: str | None = Field(description="As printed on the copy, e.g. 07/SY-THCSNT")
    copy_id: str | None = Field(description="The issued copy's document id")
    reason: str | None = Field(description="Why it was refused or revoked")
    requested_at: datetime
    due_on: date = Field(description="The same working day, or the next one when asked after 15:00")
    decided_at: datetime | None

    @classmethod
    def of(cls, entry: CopyEntry) -> CopyView:
        return cls(
            id=entry.id,
            status=entry.status.value,
            document_id=entry.document_id,
            form=entry.form,
            pages=list(entry.pages),
            asker=dict(entry.asker),
            number=entry.number,
            number_year=entry.number_year,
            number_text=entry.number_text,
            copy_id=entry.copy_id,
            reason=entry.reason,
            requested_at=entry.requested_at,
            due_on=due_on(entry.requested_at.astimezone(VIETNAM)),
            decided_at=entry.decided_at,
        )


def _register(request: Request) -> SqlCopies:
    return SqlCopies(services(request).engine)


def _now() -> datetime:
    return datetime.now(UTC)


def _asker(caller: Caller, body: CopyAsk) -> Asker:
    account = caller.account
    if account.role is Role.STUDENT:
        return Asker(Requester.STUDENT, body.full_name or "")
    if account.role is Role.PARENT:
        return Asker(Requester.GUARDIAN, body.full_name or "", account.relationship or "")
    given = body.asker
    if given is None:  # a name alone: the student at the counter
        return Asker(Requester.STUDENT, body.full_name or "")
    return Asker(given.kind, given.full_name, given.relationship, student_deceased=given.student_deceased)


@router.post("", status_code=201)
def ask(request: Request, body: CopyAsk, caller: Annotated[Caller, allow("copies.request")]) -> CopyView:
    """Ask for a copy: a student or parent for their own book, the clerk for someone at the counter. One that
    cannot be met is answered at once with the written refusal and its reason."""
    return CopyView.of(ask_for(request, caller, body))


def ask_for(request: Request, caller: Caller, body: CopyAsk) -> CopyEntry:
    """The request, as the API and the pages take it."""
    account = caller.account
    if caller.account.role in (Role.STUDENT, Role.PARENT):
        try:
            book = services(request).books().book(body.document_id)
        except UnknownDocumentError:
            book = None
        if book is None or not caller.sees_book(book):
            raise UnknownDocumentError("live", document_id=body.document_id)
    books = SqlCorrections(services(request).engine)
    return desk.ask(
        _register(request),
        books,
        account.school_code or "",
        body.document_id,
        _asker(caller, body),
        body.form,
        _now(),
        tuple(body.pages),
        account=account.username if account.role in (Role.STUDENT, Role.PARENT) else None,
        actor=account.username,
    )


def entries_for(request: Request, caller: Caller, year: int | None = None) -> list[CopyEntry]:
    """The caller's own requests (a student or parent), or the school's register (its office)."""
    account = caller.account
    if account.role in (Role.STUDENT, Role.PARENT):
        return _register(request).entries(account=account.username)
    return _register(request).entries(school_code=account.school_code, year=year)


@router.get("")
def register(
    request: Request,
    caller: Annotated[Caller, allow("copies.read")],
    year: Annotated[int | None, Query(ge=2000, le=2200, description="Calendar year of the numbers")] = None,
) -> list[CopyView]:
    """The caller's own requests (a student or parent), or the school's copy register (its office)."""
    return [CopyView.of(entry) for entry in entries_for(request, caller, year)]


@router.get(
    "/register",
    response_class=Response,
    responses={200: {"content": {PDF: {}, XLSX: {}}, "description": "The year's copy register"}},
)
def register_file(
    request: Request,
    caller: Annotated[Caller, allow("copies.register")],
    year: Annotated[int, Query(ge=2000, le=2200, description="Calendar year of the numbers")],
    file_format: Annotated[Literal["pdf", "xlsx"], Query(alias="format")] = "pdf",
    abbreviation: Annotated[str, Query(max_length=32, description="The school's mark in the numbers")] = "",
) -> Response:
    """The school's copy register (sổ cấp bản sao) of a calendar year, as PDF/A or a workbook."""
    school = caller.account.school_code or ""
    copies = _register(request)
    sheet, pdf = register_files(copies, school, copies.school_name(school), year, abbreviation)
    name = f"so-cap-ban-sao-{school}-{year}.{file_format}"
    return attachment(sheet, XLSX, name) if file_format == "xlsx" else attachment(pdf, PDF, name)


@router.get("/{copy_request_id}")
def read(request: Request, copy_request_id: str, caller: Annotated[Caller, allow("copies.read")]) -> CopyView:
    """Where a request stands."""
    return CopyView.of(request.state.copy_request)


@router.get("/{copy_request_id}/pdf", response_class=Response)
def download(request: Request, copy_request_id: str, caller: Annotated[Caller, allow("copies.read")]) -> Response:
    """The issued copy (PDF/A-3b, signed and sealed); the first download by the asker is recorded as its
    delivery."""
    entry: CopyEntry = request.state.copy_request
    archive = services(request).archive()
    if entry.copy_id is None:
        raise UnknownDocumentError("live", document_id=copy_request_id)
    pdf = archive.sealed_bytes(archive.version(entry.copy_id))
    if entry.delivery is None and entry.account == caller.account.username:
        _register(request).deliver(entry.id, "download", _now(), caller.account.username)
    name = f"{entry.copy_id}.pdf"
    return attachment(pdf, "application/pdf", name)


@router.get("/{copy_request_id}/refusal", response_class=Response)
def refusal(request: Request, copy_request_id: str, caller: Annotated[Caller, allow("copies.read")]) -> Response:
    """The written refusal (PDF/A): the reason the request could not be met."""
    letter = desk.refusal_letter(_register(request), copy_request_id)
    name = f"tra-loi-{copy_request_id}.pdf"
    return attachment(letter, PDF, name)


@router.post("/{copy_request_id}/check")
def check(
    request: Request, copy_request_id: str, body: IdentityCheck, caller: Annotated[Caller, allow("copies.decide")]
) -> CopyView:
    """The clerk saw the asker's identity document (and the proof of relationship or authorisation)."""
    entry = _register(request).check(copy_request_id, body.identity_document, _now(), caller.account.username)
    return CopyView.of(entry)


@router.post("/{copy_request_id}/issue")
def issue(
    request: Request, copy_request_id: str, body: CopyIssue, caller: Annotated[Caller, allow("copies.decide")]
) -> CopyView:
    """Issue the copy: numbered, rendered, signed with the designated signer's remote key, sealed with the
    school's key (HOCBA_SEAL_KEY) and kept in the archive."""
    return CopyView.of(issue_for(request, caller, copy_request_id, body))


def issue_for(request: Request, caller: Caller, copy_request_id: str, body: CopyIssue) -> CopyEntry:
    """The issue, as the API and the pages ask for it."""
    built = services(request)
    settings = built.settings
    school = caller.account.school_code or ""
    signer = CopySigner(body.signer.staff_id, body.signer.full_name, body.signer.title)
    account = body.key.account or signer.staff_id
    keys = {
        signer.staff_id: wiring.remote_key(settings, {"kind": body.key.kind, "account": account}),
        f"school:{school}": wiring.remote_key(settings, {"kind": "seal"}),
    }
    issued = desk.issue(
        built.archive(),
        _register(request),
        SqlCorrections(built.engine),
        built.signing(),
        copy_request_id,
        signer,
        keys,
        body.abbreviation or school,
        caller.account.username,
        _now(),
        body.place,
        built.render_options(),
        printable=body.printable,
    )
    return issued.entry


class Delivery(BaseModel):
    how: Literal["printed", "download", "post"] = Field(description="Handed over printed, downloaded, or posted")


@router.post("/{copy_request_id}/deliver")
def deliver(
    request: Request, copy_request_id: str, body: Delivery, caller: Annotated[Caller, allow("copies.decide")]
) -> CopyView:
    """Record how the issued copy was handed over (a printed copy at the counter, by post)."""
    return CopyView.of(_register(request).deliver(copy_request_id, body.how, _now(), caller.account.username))


@router.post("/{copy_request_id}/refuse")
def refuse(
    request: Request, copy_request_id: str, body: Reason, caller: Annotated[Caller, allow("copies.decide")]
) -> CopyView:
    """Refuse in writing, with the reason the asker receives."""
    return CopyView.of(_register(request).refuse(copy_request_id, body.reason, _now(), caller.account.username))


@router.post("/{copy_request_id}/revoke")
def revoke(
    request: Request, copy_request_id: str, body: Reason, caller: Annotated[Caller, allow("copies.decide")]
) -> CopyView:
    """Revoke an issued copy (issued in error): it stays kept, and its public check says it is revoked."""
    return CopyView.of(_register(request).revoke(copy_request_id, body.reason, _now(), caller.account.username))
