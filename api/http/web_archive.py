"""The archivist's page (`/luu-tru`): the audit trail's and the stored objects' integrity checks and their
findings, the year's export (a job, then its download), the retention locks and holds per policy, and the copy
register. Checks and exports run as jobs, followed on their own page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from templates import VIETNAM
from workflows.jobs import JobKind
from workflows.renewal import find_due
from workflows.retention_report import RENEWAL_WINDOW

from .access import Caller, allow, guarded_router, services
from .jobs import started
from .rendering import page
from .web import who

router = guarded_router(tags=["pages"], include_in_schema=False)


@router.get("/luu-tru", response_class=HTMLResponse)
def archive_page(request: Request, caller: Annotated[Caller, allow("archive.audit")]) -> Response:
    """The archive's integrity, exports and retention, and the copy register."""
    found = services(request)
    jobs = found.jobs().jobs(school_code=caller.account.school_code, limit=1000)
    values: dict[str, Any] = {
        "audits": [j for j in jobs if j.kind == JobKind.AUDIT.value][-5:][::-1],
        "exports": [j for j in jobs if j.kind == JobKind.EXPORT.value][-5:][::-1],
        "renewals": [j for j in jobs if j.kind == JobKind.RENEWAL.value][-5:][::-1],
        "retention": found.archive().retention(),
        "due": find_due(
            found.archive(), RENEWAL_WINDOW, datetime.now(UTC), caller.account.school_code, read_unknown=False
        ),
        "years": found.books().school_years(school_code=caller.account.school_code),
        "register_year": datetime.now(VIETNAM).year,
    }
    return page(request, "archive.html", **values, **who(request, caller))


@router.post("/luu-tru/kiem-tra")
def audit_page(
    request: Request,
    caller: Annotated[Caller, allow("archive.audit")],
    sample: Annotated[str, Form(pattern=r"^\d{0,6}$")] = "",
) -> Response:
    """Check the audit trail and the stored objects' bytes (all of them, or a sample); on to the job's page."""
    params = {"sample": int(sample) if sample else None}
    job = started(request, Response(), JobKind.AUDIT, caller, params, None)
    return RedirectResponse(f"/cong-viec/{job.id}", status_code=303)


@router.post("/luu-tru/gia-han")
def renewal_page(
    request: Request,
    caller: Annotated[Caller, allow("retention.renew")],
    within_years: Annotated[int, Form(ge=1, le=50)] = 5,
    dry_run: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Renew the archive timestamps that end within N years (or only list them); on to the job's page."""
    params = {"within_years": within_years, "dry_run": bool(dry_run)}
    job = started(request, Response(), JobKind.RENEWAL, caller, params, None)
    return RedirectResponse(f"/cong-viec/{job.id}", status_code=303)


@router.post("/luu-tru/xuat")
def export_page(
    request: Request,
    caller: Annotated[Caller, allow("exports.start")],
    school_year: Annotated[str, Form(pattern=r"^\d{4}-\d{4}$")],
) -> Response:
    """Write the year's export; on to the job's page, where it can be downloaded once written."""
    job = started(request, Response(), JobKind.EXPORT, caller, {"school_year": school_year}, None)
    return RedirectResponse(f"/cong-viec/{job.id}", status_code=303)
