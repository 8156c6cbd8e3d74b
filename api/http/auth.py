"""Signing in and out. Programs take a bearer token from `POST /v1/auth/token` (the OAuth2 password form, with
the second factor in `otp`); pages sign in with `POST /v1/auth/login` and get a session cookie (Secure,
HttpOnly, SameSite=Strict) and an anti-forgery cookie that they repeat in `X-CSRF-Token`."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Form, Request, Response
from pydantic import BaseModel, Field

from archive import Account
from workflows import Token

from .access import CSRF_COOKIE, SESSION_COOKIE, Caller, allow, guarded_router, services
from .problems import problem_response

router = guarded_router(prefix="/v1/auth", tags=["accounts"])

_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: problem_response(401, "Wrong username, password or second factor", "auth.failed"),
    429: problem_response(429, "Too many failed logins; see Retry-After", "auth.throttled"),
}


class AccountView(BaseModel):
    username: str
    role: str
    school_code: str | None = None
    staff_id: str | None = None
    student_id: str | None = None
    relationship: str | None = None
    province: str | None = None
    status: str

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            username=account.username,
            role=account.role.value,
            school_code=account.school_code,
            staff_id=account.staff_id,
            student_id=account.student_id,
            relationship=account.relationship,
            province=account.province,
            status=account.status.value,
        )


class TokenAnswer(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the token stays valid")


class Login(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    otp: str | None = Field(default=None, max_length=32, description="Authenticator code or recovery code")


class Session(BaseModel):
    account: AccountView
    csrf_token: str = Field(description="Repeat in X-CSRF-Token on every request that changes something")


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login(request: Request, username: str, password: str, otp: str | None) -> Token:
    return services(request).accounts().login(username.strip().lower(), password, _address(request), otp)


@router.post("/token", responses=_REFUSALS, dependencies=[allow("auth.token")])
def token(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    otp: Annotated[str | None, Form(max_length=32, description="Authenticator or recovery code")] = None,
) -> TokenAnswer:
    """A short-lived bearer token for a program (OAuth2 password form)."""
    issued = _login(request, username, password, otp)
    lifetime = int(services(request).policy.token_lifetime.total_seconds())
    return TokenAnswer(access_token=issued.value, expires_in=lifetime)


@router.post("/login", responses=_REFUSALS, dependencies=[allow("auth.login")])
def login(request: Request, response: Response, body: Login) -> Session:
    """Sign a page in: the session and anti-forgery cookies."""
    issued = _login(request, body.username, body.password, body.otp)
    return Session(account=AccountView.of(issued.account), csrf_token=set_session(request, response, issued))


def set_session(request: Request, response: Response, issued: Token) -> str:
    """The page session's cookies on `response`; the anti-forgery token the page repeats."""
    lifetime = int(services(request).policy.token_lifetime.total_seconds())
    csrf = secrets.token_urlsafe(24)
    response.set_cookie(
        SESSION_COOKIE, issued.value, max_age=lifetime, httponly=True, secure=True, samesite="strict", path="/"
    )
    response.set_cookie(CSRF_COOKIE, csrf, max_age=lifetime, httponly=False, secure=True, samesite="strict", path="/")
    return csrf


@router.post("/logout", status_code=204)
def logout(request: Request, caller: Annotated[Caller, allow("auth.logout")]) -> Response:
    """End this session (the token or cookie stops working at once)."""
    services(request).accounts().logout(caller.token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me")
def me(caller: Annotated[Caller, allow("auth.me")]) -> AccountView:
    """The signed-in account."""
    return AccountView.of(caller.account)


class PasswordChange(BaseModel):
    current: str = Field(max_length=1024)
    new: str = Field(max_length=1024)


@router.post("/password", status_code=204, responses=_REFUSALS)
def change_password(
    request: Request, body: PasswordChange, caller: Annotated[Caller, allow("auth.password")]
) -> Response:
    """Change one's own password: the current one first; every session ends (sign in again)."""
    book = services(request).accounts()
    book.change_password(caller.account.username, body.current, body.new, _address(request))
    return Response(status_code=204)
