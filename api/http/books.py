"""Books: lists by school, year, class and status (scoped to the caller, paged by cursor), one book with the
state of every field, its PDF, and the progress counts the school and the province watch."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import Query, Request, Response
from pydantic import BaseModel, Field

from archive import BookEntry, BookQuery, VersionStatus
from records import HocbaError, register_wording
from signer import next_field_for
from workflows.books import field_states

from .access import Caller, Scope, allow, guarded_router, services
from .downloads import attachment

router = guarded_router(prefix="/v1", tags=["books"])

register_wording(
    {
        "request.bad_cursor": (
            "Con trỏ trang không hợp lệ: dùng đúng giá trị next_cursor đã nhận",
            "The page cursor is not valid: pass back the next_cursor you were given",
        )
    }
)


class BadCursorError(HocbaError):
    code = "request.bad_cursor"


class BookView(BaseModel):
    document_id: str
    version: int
    status: VersionStatus
    kind: str
    school_code: str
    school_year: str
    class_name: str | None
    student_id: str
    student_name: str
    revision_count: int
    head_sha256: str
    sealed_sha256: str | None = None

    @classmethod
    def of(cls, book: BookEntry) -> BookView:
        version = book.version
        return cls(
            document_id=version.document_id,
            version=version.version,
            status=version.status,
            kind=book.kind.value,
            school_code=book.school_code,
            school_year=book.school_year,
            class_name=book.class_name,
            student_id=book.student_id,
            student_name=book.student_name,
            revision_count=version.revision_count,
            head_sha256=version.head_sha256,
            sealed_sha256=version.sealed_sha256,
        )


class BookPage(BaseModel):
    items: list[BookView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class FieldView(BaseModel):
    field: str
    role: str
    group: int
    signer_id: str
    signer_name: str
    label: str
    status: str = Field(description="signed, waiting (may be signed now) or later")


class BookDetail(BookView):
    fields: list[FieldView]


def _cursor(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        padded = value.encode("ascii") + b"=" * (-len(value) % 4)
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise BadCursorError() from None


def _next_cursor(items: list[BookEntry], limit: int) -> str | None:
    if len(items) < limit:
        return None
    return base64.urlsafe_b64encode(items[-1].version.document_id.encode()).decode().rstrip("=")


@router.get("/books")
def list_books(
    request: Request,
    caller: Annotated[Caller, allow("books.list")],
    school_code: Annotated[str | None, Query(max_length=32)] = None,
    school_year: Annotated[str | None, Query(max_length=9, examples=["2026-2027"])] = None,
    class_name: Annotated[str | None, Query(max_length=32, examples=["6A1"])] = None,
    status: VersionStatus | None = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BookPage:
    """The books the caller may see, by document id; every filter given must match."""
    asked = BookQuery(school_code, school_year, class_name, status, after=_cursor(cursor), limit=limit)
    query = caller.book_query(asked)
    items = services(request).books().books(query) if query is not None else []
    return BookPage(items=[BookView.of(b) for b in items], next_cursor=_next_cursor(items, limit))


@router.get("/books/{document_id}")
def read_book(request: Request, document_id: str, caller: Annotated[Caller, allow("books.read")]) -> BookDetail:
    """One book: its latest version and the state of every field of its signing plan."""
    book: BookEntry = request.state.book
    pdf = services(request).archive().latest(document_id)
    fields = [FieldView(**{**state.__dict__, "status": state.status.value}) for state in field_states(pdf)]
    return BookDetail(**BookView.of(book).model_dump(), fields=fields)


@router.get(
    "/books/{document_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The book's PDF"}},
)
def download_book(
    request: Request,
    document_id: str,
    caller: Annotated[Caller, allow("books.download")],
    version: Annotated[int | None, Query(ge=1, description="A sealed or superseded version; default: latest")] = None,
) -> Response:
    """The latest revision of the book (the sealed book once sealed), or a numbered sealed version."""
    archive = services(request).archive()
    if version is None:
        data = archive.latest(document_id)
        number = archive.version(document_id).version
    else:
        found = archive.version(document_id, version)
        data = archive.sealed_bytes(found)
        number = found.version
    name = f"{document_id}-v{number}.pdf"
    return attachment(data, "application/pdf", name)


class Progress(BaseModel):
    schools: dict[str, dict[str, int]] = Field(description="school code → status → number of books")


@router.get("/progress")
def progress(
    request: Request,
    caller: Annotated[Caller, allow("progress.read")],
    school_year: Annotated[str | None, Query(max_length=9)] = None,
) -> Progress:
    """How many books of each school the caller watches are being signed, sealed or superseded."""
    return Progress(schools=progress_for(request, caller, school_year))


def progress_for(request: Request, caller: Caller, school_year: str | None = None) -> dict[str, dict[str, int]]:
    """School → status → books, over the schools the caller watches (the API and the pages alike)."""
    account = caller.account
    index = services(request).books()
    if caller.scope is Scope.PROVINCE:
        return index.progress(province=account.province, school_year=school_year)
    return index.progress(school_code=account.school_code, school_year=school_year)


class Waiting(BaseModel):
    book: BookView
    field: str = Field(description="The field that waits for the caller now")


class WaitingPage(BaseModel):
    items: list[Waiting]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


@router.get("/signing/queue")
def signing_queue(
    request: Request,
    caller: Annotated[Caller, allow("signing.queue")],
    school_year: Annotated[str | None, Query(max_length=9)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WaitingPage:
    """The books whose next field is the caller's now, with that field. A page covers `limit` of the books
    naming the caller, so it may hold fewer: follow `next_cursor` to the end."""
    query = caller.book_query(
        BookQuery(school_year=school_year, status=VersionStatus.SIGNING, after=_cursor(cursor), limit=limit)
    )
    books = services(request).books().books(query) if query is not None else []
    archive = services(request).archive()
    staff_id = caller.account.staff_id or ""
    waiting = []
    for book in books:
        field = next_field_for(archive.latest(book.version.document_id), staff_id)
        if field is not None:
            waiting.append(Waiting(book=BookView.of(book), field=field))
    return WaitingPage(items=waiting, next_cursor=_next_cursor(books, limit))
