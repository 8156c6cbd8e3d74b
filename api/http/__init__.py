"""The HTTP face: a FastAPI application built from `Settings` (`create_app`), with one error handler turning
package errors into `application/problem+json`, a request id and security headers on every response, and
routers per workflow. No business logic here: the routes call `workflows/`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from records import HocbaError
from signer import VerifyPolicy

from .. import wiring
from ..settings import Settings
from ..worker import runner_for
from ..worker.verifier import VerifyPool
from . import (
    accounts,
    auth,
    books,
    copies,
    corrections,
    health,
    intake,
    jobs,
    observing,
    oidc,
    pages,
    problems,
    public,
    retention,
    signing,
    verifying,
    web,
    web_archive,
    web_copies,
    web_corrections,
    web_holds,
    web_progress,
    web_signing,
)
from .bodylimit import BodyLimit
from .limits import RateLimiter

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


_FRAMING = 64 * 1024


def create_app(settings: Settings) -> FastAPI:
    """The service on these settings (the composition root configures the packages once)."""
    wiring.start(settings)
    app = FastAPI(
        lifespan=_lifespan,
        title="hocba",
        summary="Học bạ số: ký số, lưu trữ và kiểm tra / signing, archive and verification",
        version="1",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.services = wiring.Services(settings)
    app.state.runner = runner_for(app.state.services)
    app.state.trust_roots = app.state.services.trust_roots()  # read now: a bad file stops the start
    app.state.verifier = VerifyPool(app.state.trust_roots)
    app.state.metrics = observing.Metrics(app.state.services)
    app.state.public_limit = RateLimiter(settings.public_rate)
    app.state.oidc_limit = RateLimiter(settings.public_rate)
    app.state.status_limit = RateLimiter(settings.public_status_rate)
    app.add_exception_handler(HocbaError, _handle)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.include_router(health.router)
    app.include_router(observing.router)
    # A file to check and its multipart framing; no route takes more.
    app.add_middleware(BodyLimit, max_bytes=VerifyPolicy().max_bytes + _FRAMING)
    app.add_middleware(observing.Observe, metrics=app.state.metrics, headers=_SECURITY_HEADERS)
    app.include_router(verifying.router)
    app.include_router(public.router)
    app.include_router(pages.router)
    app.include_router(web.router)
    app.include_router(web_copies.router)
    for page_module in (web_signing, web_progress, web_corrections, web_archive, web_holds):
        app.include_router(page_module.router)
    for module in (auth, oidc, accounts, books, intake, jobs, corrections, copies, signing, retention):
        app.include_router(module.router)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.runner.close()
    app.state.verifier.close()
    app.state.services.close()


async def _handle(request: Request, exc: Exception) -> Response:
    """A refusal as problem+json for programs, or as a page (the sign-in form, or the reason) for people."""
    assert isinstance(exc, HocbaError)
    if pages.is_page(request):
        return pages.problem_page(request, problems.status_for(exc), exc.message_vi, exc.message_en)
    return await problems.handle(request, exc)


async def _invalid_request(request: Request, exc: Exception) -> Response:
    """A request that does not parse: every field at fault, with its path, as a problem (or, for a page's
    form, a page naming them)."""
    assert isinstance(exc, RequestValidationError)
    fields = [
        {"path": ".".join(str(part) for part in error["loc"]), "code": error["type"], "message_en": error["msg"]}
        for error in exc.errors()
    ]
    if pages.is_page(request):
        named = ", ".join(str(field["path"]).rpartition(".")[2] for field in fields)
        return pages.problem_page(
            request, 422, f"Thông tin gửi lên không hợp lệ: {named}", f"What was sent is not valid: {named}"
        )
    return problems.request_problem(request, 422, "request.invalid", fields=fields)
