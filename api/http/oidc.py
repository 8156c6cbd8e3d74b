"""Signing in through the school's identity provider (OpenID Connect). `GET /v1/auth/oidc/login` sends the
browser to the provider; the provider sends it back to `/v1/auth/oidc/callback`, which opens a page session
(the same cookies as `POST /v1/auth/login`). A signed-in account links its own identity with
`POST /v1/auth/oidc/link`. The sign-in under way is bound to the browser by a `__Host-` cookie holding its
`state` (SameSite=Lax: it must come back on the provider's cross-site redirect)."""

from __future__ import annotations

import html
import math
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from archive import FlowPurpose
from workflows import FederatedSignIn, Started

from .access import Caller, allow, guarded_router, services
from .auth import set_session
from .problems import problem_response, request_problem

router = guarded_router(prefix="/v1/auth/oidc", tags=["accounts"])

FLOW_COOKIE = "__Host-hocba_oidc"
_FLOW_SECONDS = 600
_OFF: dict[int | str, dict[str, Any]] = {
    404: problem_response(404, "No identity provider is set up", "auth.federation_off"),
    503: problem_response(503, "The identity provider did not answer", "archive.identity_provider"),
}


class LinkStart(BaseModel):
    next: str | None = Field(default=None, max_length=512, description="Where to come back to, on this site")


class ProviderAddress(BaseModel):
    authorization_url: str = Field(description="Open it in the browser that asked (top-level navigation)")


def _federation(request: Request) -> FederatedSignIn:
    return services(request).federation(str(request.url_for("oidc_callback")))


def _keep_state(response: Response, started: Started) -> None:
    response.set_cookie(
        FLOW_COOKIE, started.state, max_age=_FLOW_SECONDS, httponly=True, secure=True, samesite="lax", path="/"
    )


@router.get("/login", status_code=302, response_class=RedirectResponse, responses=_OFF)
def oidc_login(
    request: Request,
    _: Annotated[None, allow("auth.oidc")],
    next: Annotated[str | None, Query(max_length=512, description="Where to go once signed in")] = None,
) -> Response:
    """Sign in at the school's identity provider: a redirect there (its answer comes back to the callback)."""
    wait = request.app.state.oidc_limit.take(request.client.host if request.client else "unknown")
    if wait:
        seconds = max(1, math.ceil(wait))
        return request_problem(request, 429, "request.rate_limited", {"Retry-After": str(seconds)}, seconds=seconds)
    started = _federation(request).start(next)
    response = RedirectResponse(started.url, status_code=302)
    _keep_state(response, started)
    return response


@router.post("/link", responses=_OFF)
def oidc_link(
    request: Request, response: Response, body: LinkStart, caller: Annotated[Caller, allow("auth.oidc_link")]
) -> ProviderAddress:
    """Link one's own identity at the provider to this account: the address to open; once the provider
    answers, signing in there opens this account."""
    started = _federation(request).start(body.next, linking=caller.account)
    _keep_state(response, started)
    return ProviderAddress(authorization_url=started.url)


@router.delete("/link", status_code=204)
def oidc_unlink(request: Request, caller: Annotated[Caller, allow("auth.oidc_link")]) -> Response:
    """Stop every identity at the provider from opening this account."""
    book = services(request).accounts()
    book.unlink_identities(caller.account.username, caller.account.username)
    return Response(status_code=204)


@router.get("/callback", response_class=HTMLResponse, responses=_OFF)
def oidc_callback(
    request: Request,
    _: Annotated[None, allow("auth.oidc")],
    code: Annotated[str, Query(max_length=2048)] = "",
    state: Annotated[str, Query(max_length=256)] = "",
) -> Response:
    """The provider's answer: a page session for the account the identity opens (or the identity linked),
    then on to where the sign-in was asked from."""
    finished = _federation(request).finish(request.cookies.get(FLOW_COOKIE, ""), state, code)
    # A page that moves on by itself rather than a redirect: the session cookie is SameSite=Strict, and a
    # browser does not send it on a redirect chain that began at another site.
    target = html.escape(finished.next_path, quote=True)
    page = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}"><title>hocba</title></head>'
        f'<body><a href="{target}">Tiếp tục / Continue</a></body></html>'
    )
    response = HTMLResponse(page)
    if finished.purpose is FlowPurpose.SIGN_IN and finished.token is not None:
        set_session(request, response, finished.token)
    response.delete_cookie(FLOW_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response
