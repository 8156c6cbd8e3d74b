"""The retention page (`/phong-toa`): the school's legal holds with what they cover and why (the archivist
places one and asks for a release, a second person — another archivist, or the principal — approves it), and
its disposals (the archivist proposes what the review lists, the principal approves or keeps, the archivist
carries it out). The same workflows and rules as `/v1/retention/…`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from archive import SqlDisposals, SqlHolds
from workflows import disposition
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
_DISPOSALS = {
    "proposed": ("Chờ hiệu trưởng duyệt", "Waiting for the principal"),
    "approved": ("Đã duyệt, chờ thực hiện", "Approved, to be carried out"),
    "kept": ("Hiệu trưởng quyết định giữ lại", "Kept by the principal"),
    "done": ("Đã hủy", "Carried out"),
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
    engine, school = services(request).engine, caller.account.school_code or ""
    found = SqlHolds(engine).holds(school)
    disposals = SqlDisposals(engine)
    values: dict[str, Any] = {
        "holds": found[::-1],
        "disposals": disposals.disposals(school)[::-1],
        "review": disposition.review(disposals, SqlHolds(engine), school, _now()),
        "decides": caller.account.role.value == "principal",
        "statuses": _STATUSES,
        "disposal_statuses": _DISPOSALS,
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


@router.post("/phong-toa/huy")
def propose_page(
    request: Request,
    caller: Annotated[Caller, allow("retention.hold")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Propose for disposal what the review lists; the principal decides."""
    engine = services(request).engine
    school, by = caller.account.school_code or "", caller.account.username
    disposition.propose(SqlDisposals(engine), SqlHolds(engine), school, reason, by, _now())
    return RedirectResponse("/phong-toa", status_code=303)


@router.post("/phong-toa/huy/{disposal_id}/quyet-dinh")
def decide_page(
    request: Request,
    disposal_id: str,
    caller: Annotated[Caller, allow("retention.decide")],
    approve: Annotated[str, Form(pattern="^(yes|no)$")],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The principal approves the disposal, or keeps the objects with a reason."""
    engine, by = services(request).engine, caller.account.username
    disposition.decide(SqlDisposals(engine), disposal_id, by, approve == "yes", reason or None, _now())
    return RedirectResponse("/phong-toa", status_code=303)


@router.post("/phong-toa/huy/{disposal_id}/thuc-hien")
def run_page(request: Request, disposal_id: str, caller: Annotated[Caller, allow("retention.hold")]) -> Response:
    """Carry out an approved disposal."""
    built = services(request)
    disposals, by = SqlDisposals(built.engine), caller.account.username
    school = disposals.school_name(caller.account.school_code or "")
    seal = built.school_seal()
    disposition.carry_out(built.archive(), disposals, SqlHolds(built.engine), disposal_id, school, by, _now(), seal)
    return RedirectResponse("/phong-toa", status_code=303)
