"""The HTTP face's one error handler: a package error becomes `application/problem+json` (RFC 9457) with its
stable code, whether a retry can help, and the message in the language the client asked for (Vietnamese unless
`Accept-Language` prefers English). The status is chosen here, by what the error means to a client."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from archive import (
    AccountExistsError,
    AnchorError,
    CopyStateError,
    CorruptObjectError,
    DatabaseConfigError,
    DatabaseOutdatedError,
    DatabaseUnavailableError,
    DisposalStateError,
    DocumentStateError,
    HoldStateError,
    IdempotencyKeyReusedError,
    IdentityProviderError,
    IdentityRefusedError,
    IdentityTakenError,
    ObjectLockedError,
    ObjectMissingError,
    StorageConfigError,
    StorageUnavailableError,
    UnknownAccountError,
    UnknownCopyError,
    UnknownDisposalError,
    UnknownDocumentError,
    UnknownHoldError,
    UnknownJobError,
)
from records import HocbaError, Problem, StaleRevisionError, TimestampUnavailableError
from signer import errors as signer_errors
from templates import OriginalUnreadableError, TemplatesError
from workflows import AuthenticationError, FederationOffError, JobStateError, ThrottledError, WorkerLostError

from ..settings import SettingsError
from .access import AccessDeniedError, SignInRequiredError

PROBLEM = "application/problem+json"

# The problems this face raises itself (about a request, not a package's error), worded here once.
REQUEST_WORDING: dict[str, tuple[str, str]] = {
    "request.invalid": (
        "Yêu cầu không hợp lệ; xem danh sách trường",
        "The request is not valid; see the list of fields",
    ),
    "request.too_large": (
        "Yêu cầu vượt quá {limit} byte",
        "The request is larger than {limit} bytes",
    ),
    "request.rate_limited": (
        "Quá nhiều yêu cầu từ địa chỉ này; thử lại sau {seconds} giây",
        "Too many requests from this address; try again in {seconds} s",
    ),
}

# The first class an error is an instance of gives its status; anything else about the input is 400.
_STATUS: tuple[tuple[tuple[type[HocbaError], ...], int], ...] = (
    ((AuthenticationError, SignInRequiredError, IdentityRefusedError), 401),
    ((AccessDeniedError,), 403),
    (
        (
            UnknownDocumentError,
            UnknownAccountError,
            UnknownJobError,
            UnknownCopyError,
            UnknownHoldError,
            UnknownDisposalError,
            ObjectMissingError,
            signer_errors.UnknownSessionError,
            FederationOffError,
        ),
        404,
    ),
    (
        (
            StaleRevisionError,
            DocumentStateError,
            ObjectLockedError,
            AccountExistsError,
            IdentityTakenError,
            CopyStateError,
            HoldStateError,
            DisposalStateError,
            JobStateError,
            IdempotencyKeyReusedError,
            signer_errors.FieldSignedError,
        ),
        409,
    ),
    ((ThrottledError,), 429),
    ((signer_errors.TooLargeError,), 413),
    ((signer_errors.UnreadableDocumentError, signer_errors.EncryptedDocumentError, signer_errors.TooComplexError), 422),
    ((OriginalUnreadableError,), 422),
    (
        (
            StorageUnavailableError,
            DatabaseUnavailableError,
            TimestampUnavailableError,
            signer_errors.RevocationUnavailableError,
            signer_errors.RemoteTimeoutError,
            IdentityProviderError,
            WorkerLostError,
        ),
        503,
    ),
    (
        (
            TemplatesError,
            StorageConfigError,
            DatabaseConfigError,
            DatabaseOutdatedError,
            CorruptObjectError,
            AnchorError,
            signer_errors.TrustRootsError,
            SettingsError,
        ),
        500,
    ),
)


def problem_response(status: int, description: str, code: str) -> dict[str, Any]:
    """An OpenAPI response documented as `application/problem+json`, with an example code."""
    example = {"type": f"urn:hocba:problem:{code}", "status": status, "code": code, "retryable": False}
    return {"description": description, "content": {PROBLEM: {"example": example}}}


def status_for(exc: HocbaError) -> int:
    return next((status for kinds, status in _STATUS if isinstance(exc, kinds)), 400)


def wants_english(request: Request) -> bool:
    """Vietnamese unless the client's first language is English."""
    first = request.headers.get("accept-language", "").split(",")[0].strip().lower()
    return first.startswith("en")


def problem_body(
    status: int, code: str, message_vi: str, message_en: str, english: bool, **extra: Any
) -> dict[str, Any]:
    """The RFC 9457 document: the code as type and title, the detail in one language, both messages."""
    return {
        "type": f"urn:hocba:problem:{code}",
        "title": code,
        "status": status,
        "detail": message_en if english else message_vi,
        "code": code,
        "message_vi": message_vi,
        "message_en": message_en,
        **extra,
    }


def problem(request: Request, status: int, code: str, message_vi: str, message_en: str, **extra: Any) -> JSONResponse:
    english = wants_english(request)
    body = problem_body(status, code, message_vi, message_en, english, **extra)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM, headers={"Content-Language": "en" if english else "vi"}
    )


def request_problem(
    request: Request, status: int, code: str, headers: dict[str, str] | None = None, **params: Any
) -> JSONResponse:
    """A problem of this face's own, worded from `REQUEST_WORDING`; `params` fill the wording and travel too."""
    vi, en = REQUEST_WORDING[code]
    response = problem(request, status, code, vi.format(**params), en.format(**params), **params)
    response.headers.update(headers or {})
    return response


async def handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HocbaError)
    status = status_for(exc)
    extra: dict[str, Any] = {"retryable": exc.retryable}
    named = getattr(exc, "problems", None)  # an error about fields names each one, with its path
    if isinstance(named, list | tuple) and all(isinstance(p, Problem) for p in named):
        extra["problems"] = [p.as_dict() for p in named]
    response = problem(request, status, exc.code, exc.message_vi, exc.message_en, **extra)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, ThrottledError):
        response.headers["Retry-After"] = str(exc.params["seconds"])
    return response
