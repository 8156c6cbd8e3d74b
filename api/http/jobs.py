"""Long work as jobs: a signer's sitting, a year's export, an integrity check of the archive. Starting one
answers 202 with the job and its URL (the same job again for a repeated `Idempotency-Key`); a job is followed by
polling `GET /v1/jobs/{id}` or as server-sent events, and can be cancelled (books already signed stay signed)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Header, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from archive import Job, JobStatus
from workflows import JobStateError
from workflows.jobs import JobKind, new_job, submit

from .access import Caller, allow, guarded_router, services

router = guarded_router(prefix="/v1", tags=["jobs"])

_POLL = 0.5
"""Seconds between two looks at a job streamed as events."""

SchoolYear = Annotated[str, Field(pattern=r"^\d{4}-\d{4}$", examples=["2026-2027"])]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        description="Send the same key again (after a timeout, say) to get the same job instead of a second one",
    ),
]


class JobView(BaseModel):
    id: str
    kind: str
    status: str = Field(description="queued, running, succeeded, failed or cancelled")
    account: str
    school_code: str | None
    params: dict[str, Any]
    done: int
    total: int | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    cancel_requested: bool
    attempts: int
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    waiting: str | None = Field(
        default=None, description="What a running job waits for: confirm (the signer's answer on the phone)"
    )
    url: str

    @classmethod
    def of(cls, job: Job) -> JobView:
        fields = {name: getattr(job, name) for name in cls.model_fields if name not in ("status", "url")}
        return cls(**fields, status=job.status.value, url=f"/v1/jobs/{job.id}")


class RemoteKeyBody(BaseModel):
    kind: Literal["confirm", "csc"] = Field(description="confirm: approved in the signer's phone app; csc: CSC v1")
    account: str | None = Field(
        default=None, max_length=128, description="The signer's id at the service (default: their staff id)"
    )


class SittingBody(BaseModel):
    school_year: SchoolYear
    key: RemoteKeyBody
    documents: list[str] | None = Field(
        default=None, max_length=2000, description="Only these books of the year (default: every book waiting)"
    )


class YearBody(BaseModel):
    """A school year's work (a seal sitting, an export)."""

    school_year: SchoolYear


class AuditBody(BaseModel):
    sample: int | None = Field(default=None, ge=1, description="Check the bytes of a random sample of N objects")


def started(
    request: Request, response: Response, kind: JobKind, caller: Caller, params: dict[str, Any], key: str | None
) -> JobView:
    account = caller.account
    job = new_job(kind, account.username, account.school_code, params, key)
    found = services(request)
    stored, created = submit(found.jobs(), job, request.app.state.runner.submit)
    response.status_code = 202
    response.headers["Location"] = f"/v1/jobs/{stored.id}"
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return JobView.of(stored)


@router.post("/sittings", status_code=202)
def start_sitting(
    request: Request,
    response: Response,
    body: SittingBody,
    caller: Annotated[Caller, allow("sittings.start")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Sign, with the caller's remote key, every book of the school's year whose next field is theirs."""
    return started(request, response, JobKind.SITTING, caller, sitting_params(caller, body), idempotency_key)


def sitting_params(caller: Caller, body: SittingBody) -> dict[str, Any]:
    """A sitting's job parameters: the caller signs, with their own key."""
    staff_id = caller.account.staff_id
    params: dict[str, Any] = {
        "school_year": body.school_year,
        "signer_id": staff_id,
        "key": {"kind": body.key.kind, "account": body.key.account or staff_id},
    }
    if body.documents:
        params["documents"] = sorted(set(body.documents))
    return params


@router.post("/seals", status_code=202)
def start_seal(
    request: Request,
    response: Response,
    body: YearBody,
    caller: Annotated[Caller, allow("seals.start")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Seal, with the school's organisation key, every book of the year whose signatures are complete: each is
    closed with its validation data and archive timestamp and locked in the archive."""
    return started(request, response, JobKind.SITTING, caller, seal_params(caller, body.school_year), idempotency_key)


def seal_params(caller: Caller, school_year: str) -> dict[str, Any]:
    """A seal sitting's job parameters: the school signs, with its organisation key."""
    return {"school_year": school_year, "signer_id": f"school:{caller.account.school_code}", "key": {"kind": "seal"}}


@router.post("/exports", status_code=202)
def start_export(
    request: Request,
    response: Response,
    body: YearBody,
    caller: Annotated[Caller, allow("exports.start")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Write the BagIt export of the school's sealed books of a year (downloadable when the job ends)."""
    return started(request, response, JobKind.EXPORT, caller, {"school_year": body.school_year}, idempotency_key)


@router.post("/archive/audit", status_code=202)
def start_audit(
    request: Request,
    response: Response,
    body: AuditBody,
    caller: Annotated[Caller, allow("archive.audit")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Check the audit trail's chain and anchors, and the bytes of every stored object (or a sample)."""
    return started(request, response, JobKind.AUDIT, caller, {"sample": body.sample}, idempotency_key)


@router.get("/jobs")
def list_jobs(
    request: Request,
    caller: Annotated[Caller, allow("jobs.read")],
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobView]:
    """The caller's own jobs, oldest first (resume after `cursor`, the last id seen)."""
    found = services(request).jobs().jobs(account=caller.account.username, after=cursor, limit=limit)
    return [JobView.of(job) for job in found]


@router.get("/jobs/{job_id}")
async def read_job(request: Request, job_id: str, caller: Annotated[Caller, allow("jobs.read")]) -> JobView:
    """Where a job stands: its progress, and its result or error once it has ended."""
    # No I/O here (the access check read the job): answered on the event loop, without a second thread hop.
    return JobView.of(request.state.job)


@router.post("/jobs/{job_id}/cancel", status_code=202)
def cancel_job(request: Request, job_id: str, caller: Annotated[Caller, allow("jobs.cancel")]) -> JobView:
    """Stop a job: at once if it has not started, else after the books in hand (signed books stay signed)."""
    return JobView.of(services(request).jobs().cancel(job_id, datetime.now(UTC)))


@router.post("/jobs/{job_id}/retry", status_code=202)
def retry_job(
    request: Request,
    response: Response,
    job_id: str,
    caller: Annotated[Caller, allow("jobs.cancel")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Run a job that failed or was cancelled again, as a new job with the same request (a sitting resumes: the
    books signed before are skipped)."""
    earlier: Job = request.state.job
    if earlier.status not in (JobStatus.FAILED, JobStatus.CANCELLED) or earlier.account != caller.account.username:
        raise JobStateError("retry", job_id=job_id, status=earlier.status.value)
    return started(request, response, JobKind(earlier.kind), caller, earlier.params, idempotency_key)


@router.get(
    "/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "progress events, then `end`"}},
)
async def job_events(request: Request, job_id: str, caller: Annotated[Caller, allow("jobs.read")]) -> StreamingResponse:
    """The job as server-sent events: `progress` whenever it moves, then `end` with its final state."""
    jobs = services(request).jobs()

    async def stream() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            job = await run_in_threadpool(jobs.get, job_id)
            view = JobView.of(job).model_dump(mode="json")
            if view != last:
                last = view
                kind = "end" if job.status.finished else "progress"
                yield f"event: {kind}\ndata: {json.dumps(view, ensure_ascii=False)}\n\n"
            if job.status.finished:
                return
            await asyncio.sleep(_POLL)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})


@router.get(
    "/exports/{job_id}/bag",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The BagIt bag, zipped"}},
)
def download_export(
    request: Request, job_id: str, caller: Annotated[Caller, allow("exports.download")]
) -> FileResponse:
    """The export's bag as one zip file (made once, then kept beside the bag)."""
    job = services(request).jobs().get(job_id)
    bag = (job.result or {}).get("bag") if job.kind == JobKind.EXPORT.value else None
    if job.status is not JobStatus.SUCCEEDED or not bag:
        raise JobStateError(job_id=job_id, status=job.status.value)
    exports: Path = services(request).settings.exports
    archive = exports / f"{job_id}.zip"
    if not archive.exists():
        made = shutil.make_archive(str(exports / f".{job_id}.partial"), "zip", exports / bag)
        os.replace(made, archive)  # whole or absent: a reader never gets half a zip
    return FileResponse(archive, media_type="application/zip", filename=f"hocba-export-{job_id}.zip")
