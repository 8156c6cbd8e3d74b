"""Intake and rendering: a class's records checked (a JSON or JSON Lines file, a class workbook, or a CSV class
sheet with its companions) with every problem named by its path, then rendered into the archive as a job."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import File, Request, Response, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from records import Severity, parse_bytes, record_data, register_wording
from workflows import import_class
from workflows.jobs import JobKind

from .access import AccessDeniedError, Caller, allow, guarded_router
from .jobs import IdempotencyKey, JobView, started
from .problems import problem, problem_response

router = guarded_router(prefix="/v1", tags=["intake"])

register_wording(
    {
        "auth.forbidden:school": (
            "Hồ sơ thứ {index} thuộc trường {school_code}, không phải trường của bạn",
            "Record {index} belongs to the school {school_code}, not yours",
        ),
    }
)
_INVALID = ("Hồ sơ có lỗi; xem danh sách", "The records have problems; see the list")
_CHUNK = 1 << 20


class IntakeAnswer(BaseModel):
    records: list[dict[str, Any]] = Field(description="The records as the service will render them")
    warnings: list[dict[str, Any]] = Field(description="What is worth a look but does not stop rendering")


class RenderingBody(BaseModel):
    records: list[dict[str, Any]] = Field(min_length=1, max_length=2000)


async def _read(upload: UploadFile, folder: Path) -> Path:
    """The upload written to `folder` under its own name's suffix (the importers read files)."""
    suffix = Path(upload.filename or "").suffix.lower()
    path = folder / f"{len(list(folder.iterdir()))}{suffix}"
    with path.open("wb") as out:
        while chunk := await upload.read(_CHUNK):
            out.write(chunk)
    return path


Found = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def _check(files: dict[str, Path]) -> Found:
    """(records, errors, warnings) of the uploaded files, each problem with its path (and record, from JSON)."""
    sheet = files["file"]
    if sheet.suffix in (".xlsx", ".csv"):
        imported = import_class(sheet, files.get("info"), files.get("subjects"), files.get("staff"))
        errors = [p.as_dict() for p in imported.problems if p.severity is Severity.ERROR]
        warnings = [p.as_dict() for p in imported.problems if p.severity is Severity.WARNING]
        return imported.records, errors, warnings
    report = parse_bytes(sheet.read_bytes(), sheet.name)
    errors = [p.as_dict() for p in report.file_problems]
    errors += [p.as_dict(record=r.index) for r in report.records for p in r.errors]
    warnings = [p.as_dict(record=r.index) for r in report.records for p in r.warnings]
    records = [record_data(r.record) for r in report.records if r.record is not None]
    return records, errors, warnings


@router.post(
    "/intake",
    responses={422: problem_response(422, "Problems, each with its path (nothing was kept)", "intake.invalid")},
)
async def check_intake(
    request: Request,
    caller: Annotated[Caller, allow("intake.check")],
    file: Annotated[UploadFile, File(description="JSON, JSON Lines, a class workbook (.xlsx) or class sheet (.csv)")],
    info: Annotated[UploadFile | None, File(description="With a .csv: the class's info sheet")] = None,
    subjects: Annotated[UploadFile | None, File(description="With a .csv: the subjects sheet")] = None,
    staff: Annotated[UploadFile | None, File(description="With a .csv: the staff sheet")] = None,
) -> Any:
    """Check a class's records: every problem with its path and both messages, or the records ready to render.
    Nothing is kept: render them with `POST /v1/renderings`."""
    with tempfile.TemporaryDirectory(prefix="hocba-intake-") as folder:
        uploads = {"file": file, "info": info, "subjects": subjects, "staff": staff}
        files = {name: await _read(upload, Path(folder)) for name, upload in uploads.items() if upload is not None}
        records, errors, warnings = await run_in_threadpool(_check, files)
    if errors:
        return problem(request, 422, "intake.invalid", *_INVALID, problems=errors)
    return IntakeAnswer(records=records, warnings=warnings)


@router.post("/renderings", status_code=202)
def start_rendering(
    request: Request,
    response: Response,
    body: RenderingBody,
    caller: Annotated[Caller, allow("renderings.start")],
    idempotency_key: IdempotencyKey = None,
) -> JobView:
    """Render the records (as intake accepted them) into the archive, as a job: each book registered, ready
    for its first signature; a record rendered before keeps its first book."""
    for index, record in enumerate(body.records):
        school = record.get("school") if isinstance(record, dict) else None
        code = school.get("code") if isinstance(school, dict) else None
        if code != caller.account.school_code:
            raise AccessDeniedError("school", index=index, school_code=str(code))
    return started(request, response, JobKind.RENDER, caller, {"records": body.records}, idempotency_key)
