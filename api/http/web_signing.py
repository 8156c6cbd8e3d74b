"""The signers' pages: the books waiting for me, by class (`/ky`), one of them with my row (`/ky/{id}`), a
sitting over a selection, a class or the whole year with my remote key, or with a USB token through the local
signing plug-in (the page's script hands it the hash and sends back its signature: `/v1/books/{id}/signatures`),
the homeroom teacher's class per signer, and a job followed live (`/cong-viec/{id}`, server-sent events)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import BookEntry, BookQuery, Job, JobStatus, VersionStatus
from records import HocbaError, register_wording
from workflows.books import field_states
from workflows.desks import class_progress, signer_desk
from workflows.jobs import JobKind

from .access import Caller, allow, guarded_router, services
from .jobs import RemoteKeyBody, SittingBody, sitting_params, started
from .rendering import page
from .web import STATUSES, who

router = guarded_router(tags=["pages"], include_in_schema=False)

register_wording(
    {
        "request.nothing_chosen": (
            "Chưa chọn sổ nào để ký",
            "No book was chosen to sign",
        )
    }
)


class NothingChosenError(HocbaError):
    code = "request.nothing_chosen"


Year = Annotated[str | None, Query(alias="nam", pattern=r"^\d{4}-\d{4}$")]
_FIELD_STATUSES = {"signed": ("Đã ký", "Signed"), "waiting": ("Chờ ký", "Waiting"), "later": ("Chưa đến lượt", "Later")}
_OUTCOMES = {
    "signed": ("Đã ký", "Signed"),
    "sealed": ("Đã ký và đóng dấu", "Signed and sealed"),
    "skipped": ("Bỏ qua (chưa đến lượt hoặc đã ký)", "Skipped (not your turn, or done)"),
    "failed": ("Không ký được", "Failed"),
}
_JOB_KINDS = {
    JobKind.SITTING.value: ("Phiên ký", "Signing sitting"),
    JobKind.RENDER.value: ("Tạo học bạ", "Rendering books"),
    JobKind.EXPORT.value: ("Xuất dữ liệu năm học", "The year's export"),
    JobKind.AUDIT.value: ("Kiểm tra toàn vẹn kho lưu trữ", "Archive integrity check"),
    JobKind.RENEWAL.value: ("Gia hạn dấu thời gian lưu trữ", "Archive timestamp renewal"),
}
_JOB_STATUSES = {
    JobStatus.QUEUED.value: ("Đang chờ", "Queued"),
    JobStatus.RUNNING.value: ("Đang chạy", "Running"),
    JobStatus.SUCCEEDED.value: ("Đã xong", "Finished"),
    JobStatus.FAILED.value: ("Thất bại", "Failed"),
    JobStatus.CANCELLED.value: ("Đã hủy", "Cancelled"),
}


def keys_for(request: Request) -> list[tuple[str, tuple[str, str]]]:
    """The remote keys this installation can use, as the sitting forms offer them."""
    settings = services(request).settings
    keys = []
    if settings.csc_url:
        keys.append(("csc", ("Chữ ký số từ xa (CSC)", "Remote signing (CSC)")))
    if settings.confirm_url:
        keys.append(("confirm", ("Xác nhận trên điện thoại", "Confirm on your phone")))
    return keys


@router.get("/ky", response_class=HTMLResponse)
def queue_page(request: Request, caller: Annotated[Caller, allow("signing.queue")], year: Year = None) -> Response:
    """The books waiting for my signature by class, those not yet my turn, those I signed; the homeroom
    teacher's class per signer; what my last sittings could not sign, and why."""
    found = services(request)
    staff_id = caller.account.staff_id or ""
    query = caller.book_query(BookQuery(school_year=year, limit=2000))
    desk = signer_desk(found.books(), found.archive(), query, staff_id) if query is not None else None
    homeroom: dict[tuple[str, str], Any] = {}
    for entry in (desk.waiting + desk.later + desk.signed) if desk else ():
        book = entry.book
        if book.class_name and any(s.role == "homeroom_teacher" for s in entry.mine):
            key = (book.school_year, book.class_name)
            if key not in homeroom:
                homeroom[key] = class_progress(found.books(), book.school_code, *key)
    jobs = [j for j in found.jobs().jobs(account=caller.account.username, limit=1000) if j.kind == JobKind.SITTING]
    refused = [(job, b) for job in jobs[-5:] for b in (job.result or {}).get("books", []) if b["outcome"] == "failed"]
    values: dict[str, Any] = {
        "desk": desk,
        "year": year,
        "homeroom": homeroom,
        "refused": refused,
        "keys": keys_for(request),
        "field_statuses": _FIELD_STATUSES,
        "plugin": found.settings.signing_plugin,
    }
    plugin = (found.settings.signing_plugin,)
    return page(request, "queue.html", scripts=("usb.js",), connect=plugin, **values, **who(request, caller))


@router.get("/ky/{document_id}", response_class=HTMLResponse)
def book_page(request: Request, document_id: str, caller: Annotated[Caller, allow("books.read")]) -> Response:
    """One book: every field of its plan, mine marked, and its PDF."""
    book: BookEntry = request.state.book
    states = field_states(services(request).archive().latest(document_id))
    values: dict[str, Any] = {
        "book": book,
        "states": states,
        "staff_id": caller.account.staff_id,
        "field_statuses": _FIELD_STATUSES,
        "statuses": STATUSES,
    }
    return page(request, "book.html", **values, **who(request, caller))


@router.post("/ky")
def sign_page(
    request: Request,
    caller: Annotated[Caller, allow("sittings.start")],
    school_year: Annotated[str, Form(pattern=r"^\d{4}-\d{4}$")],
    key: Annotated[str, Form(pattern="^(csc|confirm)$")],
    documents: Annotated[list[str], Form(max_length=2000)] = [],  # noqa: B006  FastAPI copies form defaults
    class_name: Annotated[str, Form(max_length=32)] = "",
    scope: Annotated[str, Form(pattern="^(chosen|class|year)$")] = "chosen",
    key_account: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Start a sitting over the chosen books, a whole class, or every book of the year waiting for me; on to
    the page that follows it."""
    chosen: list[str] | None = [d[:32] for d in documents]
    if scope == "class":
        query = caller.book_query(
            BookQuery(school_year=school_year, class_name=class_name, status=VersionStatus.SIGNING, limit=2000)
        )
        chosen = [b.version.document_id for b in services(request).books().books(query)] if query else []
    elif scope == "year":
        chosen = None
    if chosen is not None and not chosen:
        raise NothingChosenError()
    body = SittingBody(
        school_year=school_year, key=RemoteKeyBody(kind=key, account=key_account.strip() or None), documents=chosen
    )
    job = started(request, Response(), JobKind.SITTING, caller, sitting_params(caller, body), None)
    return RedirectResponse(f"/cong-viec/{job.id}", status_code=303)


@router.post("/cong-viec/{job_id}/huy")
def cancel_page(request: Request, job_id: str, caller: Annotated[Caller, allow("jobs.cancel")]) -> Response:
    """Stop a job (books already signed stay signed); back to its page."""
    services(request).jobs().cancel(job_id, datetime.now(UTC))
    return RedirectResponse(f"/cong-viec/{job_id}", status_code=303)


@router.get("/cong-viec/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str, caller: Annotated[Caller, allow("jobs.read")]) -> Response:
    """A job as it runs (a bar that moves by itself, and the phone's confirmation when it waits for one), then
    its result, book by book."""
    job: Job = request.state.job
    names: dict[str, str] = {}
    result = job.result or {}
    if result.get("books") and job.school_code:
        year = job.params.get("school_year")
        for book in (
            services(request).books().books(BookQuery(school_code=job.school_code, school_year=year, limit=5000))
        ):
            names[book.version.document_id] = f"{book.student_name} ({book.class_name or ''})"
    values: dict[str, Any] = {
        "job": job,
        "running": not job.status.finished,
        "names": names,
        "outcomes_of_books": _OUTCOMES,
        "succeeded": job.status is JobStatus.SUCCEEDED,
        "job_kinds": _JOB_KINDS,
        "job_statuses": _JOB_STATUSES,
    }
    scripts = ("job.js",) if not job.status.finished else ()
    return page(request, "job.html", scripts=scripts, **values, **who(request, caller))
