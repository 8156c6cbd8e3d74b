"""`POST /v1/verify`: anyone may check that a học bạ or a copy is genuine. The file is bounded before it is read
into memory; the answer is the same report the command line prints with `--json`."""

from __future__ import annotations

import asyncio
import math
from typing import Annotated, Any

from fastapi import File, Request, Response, UploadFile

from signer import VerifyPolicy, errors

from .access import allow, guarded_router
from .limits import RateLimiter
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
    refused = rate_limited(request, request.app.state.public_limit)
    if refused is not None:
        return refused
    etsi = ETSI_XML in request.headers.get("accept", "")
    _, _, answer = await check_upload(request, file, etsi)
    if etsi:
        return Response(answer, media_type=ETSI_XML)
    return Response(answer, media_type="application/json")


def rate_limited(request: Request, limiter: RateLimiter) -> Response | None:
    """The 429 answer when the caller's address is over `limiter`'s rate, else None."""
    wait = limiter.take(request.client.host if request.client else "unknown")
    if not wait:
        return None
    seconds = max(1, math.ceil(wait))
    return request_problem(request, 429, "request.rate_limited", {"Retry-After": str(seconds)}, seconds=seconds)


async def check_upload(request: Request, file: UploadFile, etsi: bool = False) -> tuple[bytes, str, Any]:
    """The uploaded file (read within the verifier's bound), the verdict and the report (JSON text, or the ETSI
    XML): checked offline in the check's worker processes, never on the event loop."""
    policy = VerifyPolicy()
    data = bytearray()
    while chunk := await file.read(_CHUNK):  # never more than the limit in memory
        data += chunk
        policy.check_size(len(data))
    if not request.app.state.trust_roots:
        raise errors.TrustRootsError("none")
    verdict, answer = await asyncio.wrap_future(request.app.state.verifier.submit(bytes(data), policy, etsi))
    if not etsi:
        request.app.state.metrics.verifications.labels(verdict).inc()
    return bytes(data), verdict, answer
