"""The pages of certified copies: a student or parent asks for a copy of their book and follows it
(`/ban-sao`); the office checks the asker's identity, issues or refuses (`/van-thu/ban-sao`). The same
workflow and access rules as `/v1/copies`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from archive import BookQuery, CopyEntry, SqlCopies
from records import CopyForm, due_on
from templates import VIETNAM
from workflows.jobs import JobKind

from .access import Caller, allow, guarded_router, services
from .copies import CopyAsk, CopyIssue, SignerBody, ask_for, entries_for, issue_for
from .jobs import RemoteKeyBody, seal_params, started
from .rendering import page
from .web import who

router = guarded_router(tags=["pages"], include_in_schema=False)

_FORMS = {CopyForm.SAO_Y.value: ("Sao y", "Whole book"), CopyForm.TRICH_SAO.value: ("Trích sao", "Extract")}
_STATUSES = {
    "requested": ("Đã nhận", "Received"),
    "checked": ("Đã kiểm tra giấy tờ", "Identity checked"),
    "issued": ("Đã cấp", "Issued"),
    "refused": ("Từ chối", "Refused"),
    "revoked": ("Đã thu hồi", "Revoked"),
}
_DESK = "/van-thu/ban-sao"


def _due(entry: CopyEntry) -> str:
    return f"{due_on(entry.requested_at.astimezone(VIETNAM)):%d/%m/%Y}"


def _pages(text: str) -> list[int]:
    return [int(part) for part in text.replace(";", ",").split(",") if part.strip().isdigit()]


@router.get("/ban-sao", response_class=HTMLResponse)
def copies_page(request: Request, caller: Annotated[Caller, allow("copies.read")]) -> Response:
    """My requests for copies, and the form to ask for one (a student or parent)."""
    query = caller.book_query(BookQuery(limit=200))
    mine = services(request).books().books(query) if query is not None and caller.scope.value == "record" else []
    entries = entries_for(request, caller)
    values: dict[str, Any] = {"entries": entries, "books": mine, "forms": _FORMS, "statuses": _STATUSES}
    return page(request, "copies.html", due=_due, **values, **who(request, caller))


@router.post("/ban-sao")
def ask_page(
    request: Request,
    caller: Annotated[Caller, allow("copies.request")],
    document_id: Annotated[str, Form(max_length=32)],
    full_name: Annotated[str, Form(max_length=200)],
    form: Annotated[CopyForm, Form()] = CopyForm.SAO_Y,
    pages: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Send a request; back to the list, where it shows with its status and the day it is due."""
    try:
        body = CopyAsk(document_id=document_id, form=form, pages=_pages(pages), full_name=full_name)
    except ValidationError:
        return page(request, "refused.html", 400, message_vi="Trang cần trích không hợp lệ", message_en="Bad pages")
    ask_for(request, caller, body)
    return RedirectResponse("/ban-sao", status_code=303)


@router.get(_DESK, response_class=HTMLResponse)
def desk_page(request: Request, caller: Annotated[Caller, allow("copies.decide")]) -> Response:
    """The office's desk: requests to check, to issue or to refuse, and the year's register."""
    year = datetime.now(VIETNAM).year
    years = services(request).books().school_years(school_code=caller.account.school_code)
    values: dict[str, Any] = {
        "entries": entries_for(request, caller),
        "forms": _FORMS,
        "statuses": _STATUSES,
        "seal": True,
        "school_year": years[0] if years else "",
    }
    return page(request, "desk.html", year=year, due=_due, **values, **who(request, caller))


@router.post("/dong-dau")
def seal_page(
    request: Request,
    caller: Annotated[Caller, allow("seals.start")],
    school_year: Annotated[str, Form(pattern=r"^\d{4}-\d{4}$")],
) -> Response:
    """The school seal sitting over the year's books whose signatures are complete; on to the page following
    it."""
    job = started(request, Response(), JobKind.SITTING, caller, seal_params(caller, school_year), None)
    return RedirectResponse(f"/cong-viec/{job.id}", status_code=303)


@router.post(_DESK + "/{copy_request_id}/kiem-tra")
def check_page(
    request: Request,
    copy_request_id: str,
    caller: Annotated[Caller, allow("copies.decide")],
    identity_document: Annotated[str, Form(min_length=3, max_length=200)],
) -> Response:
    register = SqlCopies(services(request).engine)
    register.check(copy_request_id, identity_document, datetime.now(UTC), caller.account.username)
    return RedirectResponse(_DESK, status_code=303)


@router.post(_DESK + "/{copy_request_id}/cap")
def issue_page(
    request: Request,
    copy_request_id: str,
    caller: Annotated[Caller, allow("copies.decide")],
    staff_id: Annotated[str, Form(max_length=64)],
    full_name: Annotated[str, Form(max_length=200)],
    title: Annotated[str, Form(max_length=200)],
    key_account: Annotated[str, Form(max_length=128)] = "",
    printable: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    body = CopyIssue(
        signer=SignerBody(staff_id=staff_id, full_name=full_name, title=title),
        key=RemoteKeyBody(kind="csc", account=key_account or None),
        printable=bool(printable),
    )
    issue_for(request, caller, copy_request_id, body)
    return RedirectResponse(_DESK, status_code=303)


@router.post(_DESK + "/{copy_request_id}/tu-choi")
def refuse_page(
    request: Request,
    copy_request_id: str,
    caller: Annotated[Caller, allow("copies.decide")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    register = SqlCopies(services(request).engine)
    register.refuse(copy_request_id, reason, datetime.now(UTC), caller.account.username)
    return RedirectResponse(_DESK, status_code=303)
