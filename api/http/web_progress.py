"""The progress pages: the school's (`/truong`: its books per class and per step, what waits for the principal,
corrections and copies to decide) and the province's (`/tien-do`: its schools by district, and who is late).
Charts are drawn on the server, numbers beside them; nobody here sees a student's name."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import CopyStatus, CorrectionStatus, SqlCopies, SqlCorrections, VersionStatus
from templates import VIETNAM
from workflows.desks import Step, deadline_of, late_schools, school_progress

from .access import Caller, Scope, allow, guarded_router, services
from .charts import Series, stacked
from .rendering import page
from .web import who
from .web_signing import keys_for

router = guarded_router(tags=["pages"], include_in_schema=False)

Year = Annotated[str | None, Query(alias="nam", pattern=r"^\d{4}-\d{4}$")]

STEPS = (
    Series(Step.SUBJECTS.value, ("Chờ giáo viên bộ môn", "Subject teachers"), "#8a5a00"),
    Series(Step.HOMEROOM.value, ("Chờ GVCN", "Homeroom teacher"), "#6d3fa0"),
    Series(Step.PRINCIPAL.value, ("Chờ hiệu trưởng", "Principal"), "#1f5fa8"),
    Series(Step.SEAL.value, ("Chờ đóng dấu", "School seal"), "#9c2f6b"),
    Series(Step.SEALED.value, ("Đã đóng dấu", "Sealed"), "#1b6e35"),
)
STATUSES = (
    Series(VersionStatus.SIGNING.value, ("Đang ký", "Being signed"), "#8a5a00"),
    Series(VersionStatus.SEALING.value, ("Đang đóng dấu", "Being sealed"), "#9c2f6b"),
    Series(VersionStatus.SEALED.value, ("Đã đóng dấu", "Sealed"), "#1b6e35"),
)


def _year(asked: str | None, years: list[str]) -> str | None:
    return asked if asked is not None else (years[0] if years else None)


@router.get("/truong", response_class=HTMLResponse)
def school_page(request: Request, caller: Annotated[Caller, allow("pages.school")], year: Year = None) -> Response:
    """The school's progress per class and per step, and what waits for its office."""
    school = caller.account.school_code or ""
    index = services(request).books()
    years = index.school_years(school_code=school)
    chosen = _year(year, years)
    progress = school_progress(index, school, chosen) if chosen else None
    classes = progress.classes if progress else {}
    rows = [(name or "–", {step.value: n for step, n in counts.items()}) for name, counts in classes.items()]
    chart = stacked(("Học bạ theo lớp và bước ký", "Books per class and step"), STEPS, rows)
    corrections = SqlCorrections(services(request).engine).list(None, CorrectionStatus.REQUESTED)
    mine = [c for c in corrections if caller.sees_book(index.book(c.document_id))]
    copies = [e for e in SqlCopies(services(request).engine).entries(school) if e.status in _OPEN_COPIES]
    values: dict[str, Any] = {
        "years": years,
        "year": chosen,
        "chart": chart if rows else None,
        "ready": progress.total(Step.PRINCIPAL) if progress else 0,
        "to_seal": progress.total(Step.SEAL) if progress else 0,
        "corrections": len(mine),
        "copies": len(copies),
        "signer": caller.account.role.value in ("principal", "deputy"),
        "keys": keys_for(request),
    }
    return page(request, "school.html", **values, **who(request, caller))


_OPEN_COPIES = (CopyStatus.REQUESTED, CopyStatus.CHECKED)


@router.get("/tien-do", response_class=HTMLResponse)
def province_page(request: Request, caller: Annotated[Caller, allow("progress.read")], year: Year = None) -> Response:
    """The province's schools by district: books per status as bars, the numbers beside, and the schools still
    signing after the year's deadline."""
    if caller.scope is not Scope.PROVINCE:
        return RedirectResponse("/truong", status_code=303)
    province = caller.account.province or ""
    index = services(request).books()
    years = index.school_years(province=province)
    chosen = _year(year, years)
    schools = index.school_counts(province, chosen) if chosen else []
    districts: dict[str, list[Any]] = {}
    for school in schools:
        districts.setdefault(school.district or "", []).append(school)
    charts = [
        (
            district,
            stacked(
                (
                    f"Học bạ theo trường – {district or 'chưa rõ huyện'}",
                    f"Books per school – {district or 'no district'}",
                ),
                STATUSES,
                [(s.school_code, s.counts) for s in found],
            ),
        )
        for district, found in sorted(districts.items())
    ]
    deadline_text = services(request).settings.signing_deadline
    today = datetime.now(VIETNAM).date()
    late = late_schools(schools, chosen, deadline_text, today) if chosen else []
    values: dict[str, Any] = {
        "years": years,
        "year": chosen,
        "charts": charts,
        "schools": {s.school_code: s.school_name for s in schools},
        "late": late,
        "deadline": deadline_of(chosen, deadline_text) if chosen else None,
    }
    return page(request, "progress.html", **values, **who(request, caller))
