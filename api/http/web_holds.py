"""The legal holds page (`/phong-toa`): the school's holds with what they cover and why; the archivist places
one and asks for a release, and a second person (another archivist, or the principal) approves it. The same
workflow and rules as `/v1/retention/holds`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from archive import SqlHolds
from workflows import holds as holding

from .access import Caller, allow, guarded_router, services
from .rendering import page
from .retention import HoldBody, target_of
from .web import who

router = guarded_router(tags=["pages"], include_in_schema=False)

_STATUSES = {
    "active": ("Đang phong tỏa", "Active"),
    "release_asked": ("Đã đề nghị gỡ, chờ người thứ hai duyệt", "Release asked, waiting for a second person"),
    "released": ("Đã gỡ", "Released"),
}
_SCOPES = {
    "book": ("Một học bạ (mã hồ sơ)", "One book (document id)"),
    "student": ("Một học sinh (mã định danh)", "One student (personal id)"),
    "class": ("Một lớp của năm học", "A class of a school year"),
    "year": ("Cả năm học", "A whole school year"),
}


@router.get("/phong-toa", response_class=HTMLResponse)
def holds_page(request: Request, caller: Annotated[Caller, allow("retention.read")]) -> Response:
    """The school's legal holds, newest first."""
    found = SqlHolds(services(request).engine).holds(caller.account.school_code)
    values: dict[str, Any] = {
        "holds": found[::-1],
        "statuses": _STATUSES,
        "scopes": _SCOPES,
        "places": caller.account.role.value == "archivist",
        "years": services(request).books().school_years(school_code=caller.account.school_code),
    }
    return page(request, "holds.html", **values, **who(request, caller))


@router.post("/phong-toa")
def place_page(
    request: Request,
    caller: Annotated[Caller, allow("retention.hold")],
    scope: Annotated[str, Form(pattern="^(book|student|class|year)$")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    reference: Annotated[str, Form(min_length=1, max_length=500)],
    target: Annotated[str, Form(max_length=64)] = "",
    school_year: Annotated[str, Form(max_length=9)] = "",
) -> Response:
    """Place a hold; back to the list."""
    named = target.strip() or None
    try:
        body = HoldBody(
            scope=scope,
            document_id=named if scope == "book" else None,
            student_id=named if scope == "student" else None,
            class_name=named if scope == "class" else None,
            school_year=school_year or None,
            reason=reason,
            reference=reference,
        )
    except ValidationError:
        return page(request, "refused.html", 422, message_vi="Năm học không hợp lệ", message_en="Bad school year")
    archive, holds = services(request).archive(), SqlHolds(services(request).engine)
    holding.place(archive, holds, target_of(caller, body), reason, reference, caller.account.username, _now())
    return RedirectResponse("/phong-toa", status_code=303)


@router.post("/phong-toa/{hold_id}/go")
def ask_page(
    request: Request,
    hold_id: str,
    caller: Annotated[Caller, allow("retention.hold")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Ask for a release; a second person approves it."""
    holding.ask_release(SqlHolds(services(request).engine), hold_id, caller.account.username, reason, _now())
    return RedirectResponse("/phong-toa", status_code=303)


@router.post("/phong-toa/{hold_id}/duyet")
def approve_page(request: Request, hold_id: str, caller: Annotated[Caller, allow("retention.release")]) -> Response:
    """Approve a release someone else asked for."""
    archive, holds = services(request).archive(), SqlHolds(services(request).engine)
    holding.approve_release(archive, holds, hold_id, caller.account.username, _now())
    return RedirectResponse("/phong-toa", status_code=303)


def _now() -> datetime:
    return datetime.now(UTC)
