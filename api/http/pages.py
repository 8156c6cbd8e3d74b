"""`/xac-thuc`, the address in every QR code: a page anyone can open on the phone that scanned it, in Vietnamese
with English beside. With `?id=…&h=…` it shows the document's public status (as `GET /v1/public/documents/{id}`);
a PDF uploaded to it is checked in full, each check shown as passed, failed or could not be checked — never
"passed" for a check that could not run."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import File, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import SqlCopies, UnknownDocumentError, VersionStatus
from workflows.public import public_status

from .access import allow, guarded_router, services
from .public import present
from .rendering import page
from .verifying import check_upload, rate_limited

router = guarded_router(tags=["pages"], include_in_schema=False, dependencies=[allow("pages.public")])
"""The public pages (the QR code's page) and the pages' stylesheet and scripts."""

_VERDICTS = {
    "genuine": ("passed", "Tệp là bản gốc hợp lệ: mọi kiểm tra đều đạt", "Genuine: every check passed"),
    "not_genuine": ("failed", "Tệp KHÔNG hợp lệ: có kiểm tra không đạt", "Not genuine: a check failed"),
    "indeterminate": (
        "unchecked",
        "Chưa kết luận được: có kiểm tra không thực hiện được (xem lý do)",
        "Could not be concluded: a check could not run (see why)",
    ),
}
_STATIC = {"hocba.css": "text/css", "job.js": "text/javascript", "usb.js": "text/javascript"}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The pages' stylesheet and their few scripts (nothing else is served from here)."""
    kind = _STATIC.get(name)
    if kind is None:
        return Response(status_code=404)
    data = resources.files("api.http").joinpath(f"static/{name}").read_bytes()
    return Response(data, media_type=kind, headers={"Cache-Control": "public, max-age=3600"})


@router.get("/xac-thuc", response_class=HTMLResponse)
def statuspage(
    request: Request,
    document_id: Annotated[str | None, Query(alias="id", max_length=32)] = None,
    h: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The QR code's page: the document's public status, and the forms to look up an id or check a file."""
    if not document_id:
        return page(request, "status.html", cache="public, max-age=3600")
    refused = rate_limited(request, request.app.state.status_limit)
    if refused is not None:
        return refused
    try:
        found = public_status(services(request).books(), SqlCopies(services(request).engine), document_id, h)
    except UnknownDocumentError:
        return page(request, "status.html", 404, document_id=document_id, missing=True)
    return page(request, "status.html", cache="public, max-age=60", status=present(found), document_id=document_id)


@router.post("/xac-thuc", response_class=HTMLResponse)
async def reportpage(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """A file checked in full: the document as a whole, then every signature, check by check."""
    refused = rate_limited(request, request.app.state.public_limit)
    if refused is not None:
        return refused
    data, verdict, answer = await check_upload(request, file)
    report = json.loads(answer)
    kept = services(request).archive().known_sealed(hashlib.sha256(data).hexdigest())
    outcome, vi, en = _VERDICTS.get(verdict, _VERDICTS["indeterminate"])
    return page(
        request,
        "report.html",
        report=report,
        verdict_class=outcome,
        verdict_vi=vi,
        verdict_en=en,
        document_rows=_document_rows(report, kept),
        signatures=[_signature(s) for s in report.get("signatures", [])],
    )


def _row(name_vi: str, name_en: str, outcome: str, detail: tuple[str, str] = ("", "")) -> dict[str, Any]:
    return {"name_vi": name_vi, "name_en": name_en, "outcome": outcome, "detail": detail}


def _same(text: str) -> tuple[str, str]:
    """A detail that reads the same in both languages (a status word, a time)."""
    return text, text


def _document_rows(report: dict[str, Any], kept: Any) -> list[dict[str, str]]:
    sealed = _row("Dấu của nhà trường", "School seal", "passed" if report.get("sealed") else "unchecked")
    archived = _row(
        "Dấu thời gian lưu trữ", "Archive timestamp (long-term)", "passed" if report.get("lta") else "unchecked"
    )
    if kept is None:
        archive = _row("Kho lưu trữ", "Archive", "unchecked", ("Không có trong kho lưu trữ này", "Not in this archive"))
    elif kept.status is VersionStatus.SUPERSEDED:
        detail = (f"Đã được thay thế (phiên bản {kept.version})", f"Superseded (version {kept.version})")
        archive = _row("Kho lưu trữ", "Archive", "failed", detail)
    else:
        detail = (f"Đang lưu giữ: phiên bản {kept.version}", f"Kept: version {kept.version}")
        archive = _row("Kho lưu trữ", "Archive", "passed", detail)
    return [sealed, archived, archive]


def _signature(s: dict[str, Any]) -> dict[str, Any]:
    if s.get("kind") == "archive_timestamp":
        title = ("Dấu thời gian lưu trữ", "Archive timestamp")
    else:
        named = f"{s.get('role') or s.get('field')}: {s.get('signer')}"
        title = (named, named)
    revocation = {"good": "passed", "revoked": "failed"}.get(str(s.get("revocation")), "unchecked")
    trust = "failed" if not s.get("valid") else ("passed" if s.get("trusted") else "unchecked")
    stamped = s.get("timestamp_trusted")
    rows = [
        _row("Toàn vẹn", "Integrity", "passed" if s.get("intact") else "failed"),
        _row("Người ký và độ tin cậy", "Signer identity and trust", trust),
        _row(
            "Tình trạng chứng thư khi ký",
            "Certificate status at signing time",
            revocation,
            _same(str(s.get("revocation"))),
        ),
        _row(
            "Dấu thời gian",
            "Timestamp",
            "passed" if stamped else "unchecked",
            _same(str(s.get("timestamp_time") or "")) if stamped else ("", ""),
        ),
    ]
    return {"title": title, "rows": rows, "problems": s.get("problems", []), "notes": s.get("notes", [])}


_API_PREFIXES = ("/v1/", "/healthz", "/readyz", "/metrics", "/static/")


def is_page(request: Request) -> bool:
    """A request a person's browser made for a page (not the API's, nor a probe's)."""
    return not request.url.path.startswith(_API_PREFIXES)


def problem_page(request: Request, status: int, message_vi: str, message_en: str) -> Response:
    """What a page shows when it is refused: the sign-in form (and back) without a session, else the reason."""
    if status == 401:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/dang-nhap?next={quote(back)}", status_code=303)
    return page(request, "refused.html", status, message_vi=message_vi, message_en=message_en)
