"""`POST /v1/verify`: anyone may check that a học bạ or a copy is genuine. The file is bounded before it is read
into memory; the answer is the same report the command line prints with `--json`."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import File, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from signer import VerifyPolicy, errors, etsi_report
from workflows.verifying import verify_with_archive

from ..reports import check_as_json
from .access import allow, guarded_router
from .problems import problem_response, request_problem

router = guarded_router(prefix="/v1", tags=["verification"], dependencies=[allow("verify")])

_CHUNK = 1 << 20


ETSI_XML = "application/xml"


@router.post(
    "/verify",
    responses={
        200: {"content": {ETSI_XML: {"description": "The ETSI TS 119 102-2 validation report"}}},
        413: problem_response(413, "The file (or the request) is larger than allowed", "signer.too_large"),
        422: problem_response(422, "A file that cannot be checked at all (not a PDF, encrypted…)", "signer.unreadable"),
        429: problem_response(429, "Too many checks from this address; see Retry-After", "request.rate_limited"),
    },
)
async def verify_upload(request: Request, file: Annotated[UploadFile, File(description="The PDF to check")]) -> Any:
    """Every signature, the archive timestamp and the book as a whole: genuine, not genuine, or could not be
    checked, with the reasons in Vietnamese and English; with `Accept: application/xml`, the ETSI TS 119 102-2
    validation report instead. Checked offline, from the validation data the file carries."""
    wait = request.app.state.public_limit.take(request.client.host if request.client else "unknown")
    if wait:
        seconds = max(1, math.ceil(wait))
        return request_problem(request, 429, "request.rate_limited", {"Retry-After": str(seconds)}, seconds=seconds)
    policy = VerifyPolicy()
    data = bytearray()
    while chunk := await file.read(_CHUNK):  # never more than the limit in memory
        data += chunk
        policy.check_size(len(data))
    roots = request.app.state.trust_roots
    if not roots:
        raise errors.TrustRootsError("none")
    # PDF work is CPU-bound: it runs in a worker thread, never on the event loop. Offline: a file from anyone must
    # not make the service fetch the addresses it names; a sealed book carries its own validation data.
    if ETSI_XML in request.headers.get("accept", ""):
        report = await run_in_threadpool(etsi_report, bytes(data), roots, True, policy)
        return Response(report, media_type=ETSI_XML)
    verification = await run_in_threadpool(verify_with_archive, bytes(data), roots, True, policy)
    request.app.state.metrics.verifications.labels(verification.check.verdict).inc()
    return check_as_json(verification.check)
