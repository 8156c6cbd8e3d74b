"""The corrections page (`/dieu-chinh`): the requests to correct sealed books of the school, each with its
changes and reason; the principal (or the acting deputy) approves or refuses them here, through the same
workflow as `/v1/corrections`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import SqlCorrections
from workflows import corrections as correcting

from .access import Caller, allow, guarded_router, services
from .rendering import page
from .web import who

router = guarded_router(tags=["pages"], include_in_schema=False)

_STATUSES = {
    "requested": ("Chờ duyệt", "To decide"),
    "approved": ("Đã duyệt, chờ người chứng kiến", "Approved, waiting for the witness"),
    "refused": ("Đã từ chối", "Refused"),
    "witnessed": ("Đang ký bản điều chỉnh", "Corrected book being signed"),
    "completed": ("Đã hoàn tất", "Completed"),
}


@router.get("/dieu-chinh", response_class=HTMLResponse)
def corrections_page(request: Request, caller: Annotated[Caller, allow("corrections.read")]) -> Response:
    """The school's correction requests, newest first, with their changes."""
    index = services(request).books()
    seen: dict[str, bool] = {}
    entries = []
    for correction in SqlCorrections(services(request).engine).list():
        if correction.document_id not in seen:
            seen[correction.document_id] = caller.sees_book(index.book(correction.document_id))
        if seen[correction.document_id]:
            entries.append((correction, json.loads(correction.changes)))
    values: dict[str, Any] = {
        "entries": entries[::-1],
        "statuses": _STATUSES,
        "decides": caller.account.role.value in ("principal", "deputy"),
    }
    return page(request, "corrections.html", **values, **who(request, caller))


@router.post("/dieu-chinh/{correction_id}/duyet")
def approve_page(
    request: Request, correction_id: str, caller: Annotated[Caller, allow("corrections.decide")]
) -> Response:
    ledger = SqlCorrections(services(request).engine)
    correcting.decide(ledger, correction_id, caller.account.staff_id or "", True, None, datetime.now(UTC))
    return RedirectResponse("/dieu-chinh", status_code=303)


@router.post("/dieu-chinh/{correction_id}/tu-choi")
def refuse_page(
    request: Request,
    correction_id: str,
    caller: Annotated[Caller, allow("corrections.decide")],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    ledger = SqlCorrections(services(request).engine)
    correcting.decide(ledger, correction_id, caller.account.staff_id or "", False, reason, datetime.now(UTC))
    return RedirectResponse("/dieu-chinh", status_code=303)
