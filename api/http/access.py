"""Who may call what: one table of route × role × scope, enforced in one place (the `allow` dependency every
route declares). Deny by default: a role missing from a route's row is refused (403), a resource outside the
caller's scope is answered as if it did not exist (404), and a request without a live session is 401.

A session is a bearer token (`Authorization: Bearer …`, for programs) or the `hocba_session` cookie (for pages);
a request that changes something with the cookie must repeat the `hocba_csrf` cookie in `X-CSRF-Token`."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from archive import (
    Account,
    BookEntry,
    BookQuery,
    Role,
    SqlCopies,
    SqlCorrections,
    SqlDisposals,
    SqlHolds,
    UnknownAccountError,
    UnknownCopyError,
    UnknownDisposalError,
    UnknownDocumentError,
    UnknownHoldError,
    UnknownJobError,
)
from records import HocbaError, register_wording

from ..wiring import Services

SESSION_COOKIE = "hocba_session"
CSRF_COOKIE = "hocba_csrf"
CSRF_HEADER = "X-CSRF-Token"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class Scope(StrEnum):
    PUBLIC = "public"
    """Anyone, signed in or not."""
    SIGNED_IN = "signed_in"
    """Any live session; the route itself answers only about the caller."""
    PLAN = "plan"
    """Books whose signing plan names the caller: a teacher's subject rows and homeroom class, the principal's."""
    SCHOOL = "school"
    PROVINCE = "province"
    RECORD = "record"
    """The student's own books (the student, and their parents or guardians)."""


_ALL = dict.fromkeys(Role, Scope.SIGNED_IN)
_READERS = {
    Role.TEACHER: Scope.PLAN,
    Role.PRINCIPAL: Scope.SCHOOL,
    Role.DEPUTY: Scope.SCHOOL,
    Role.CLERK: Scope.SCHOOL,
    Role.ARCHIVIST: Scope.SCHOOL,
    Role.STUDENT: Scope.RECORD,
    Role.PARENT: Scope.RECORD,
}
_WATCHERS = {
    Role.PRINCIPAL: Scope.SCHOOL,
    Role.DEPUTY: Scope.SCHOOL,
    Role.CLERK: Scope.SCHOOL,
    Role.ARCHIVIST: Scope.SCHOOL,
    Role.SUPERVISOR: Scope.PROVINCE,
}
_ADMIN = {Role.ADMIN: Scope.SCHOOL}
_OFFICE = {Role.PRINCIPAL: Scope.SCHOOL, Role.DEPUTY: Scope.SCHOOL, Role.CLERK: Scope.SCHOOL}
_SIGNERS = {Role.TEACHER: Scope.PLAN, Role.PRINCIPAL: Scope.PLAN, Role.DEPUTY: Scope.PLAN}
_KEEPERS = {Role.PRINCIPAL: Scope.SCHOOL, Role.CLERK: Scope.SCHOOL, Role.ARCHIVIST: Scope.SCHOOL}
_JOB_WATCHERS = {
    Role.TEACHER: Scope.PLAN,
    Role.PRINCIPAL: Scope.SCHOOL,
    Role.DEPUTY: Scope.SCHOOL,
    Role.CLERK: Scope.SCHOOL,
    Role.ARCHIVIST: Scope.SCHOOL,
}

RULES: Mapping[str, Mapping[Role, Scope] | Scope] = {
    "health": Scope.PUBLIC,
    "verify": Scope.PUBLIC,
    "public.status": Scope.PUBLIC,
    "pages.public": Scope.PUBLIC,
    "pages.signed_in": _ALL,
    # The school's own progress page: its staff who watch progress (never a student, a teacher or the province).
    "pages.school": {
        Role.PRINCIPAL: Scope.SCHOOL,
        Role.DEPUTY: Scope.SCHOOL,
        Role.CLERK: Scope.SCHOOL,
        Role.ARCHIVIST: Scope.SCHOOL,
    },
    "auth.token": Scope.PUBLIC,
    "auth.login": Scope.PUBLIC,
    "auth.logout": _ALL,
    "auth.me": _ALL,
    "auth.password": _ALL,
    "auth.oidc": Scope.PUBLIC,
    # An account links (or unlinks) only its own identity at the provider, signed in: nobody links one for it.
    "auth.oidc_link": _ALL,
    # The school's administrator manages accounts and nothing else: no book, no signature, no copy.
    "accounts.list": _ADMIN,
    "accounts.create": _ADMIN,
    "accounts.disable": _ADMIN,
    "books.list": _READERS,
    "books.read": _READERS,
    "books.download": _READERS,
    # The province watches progress: counts, never a student's book.
    "progress.read": _WATCHERS,
    # The school's records come in through its office; the administrator never touches results.
    "intake.check": _OFFICE,
    "renderings.start": _OFFICE,
    # A sitting signs only the caller's own fields, with their own key.
    "sittings.start": _SIGNERS,
    "signing.queue": _SIGNERS,
    "signing.external": _SIGNERS,
    # A teacher asks for a correction of a book naming them; the principal (or the acting deputy) decides; the
    # designated witness confirms. The workflow checks that each person is the one the book names.
    "corrections.request": _SIGNERS,
    "corrections.read": _JOB_WATCHERS,
    "corrections.decide": {Role.PRINCIPAL: Scope.SCHOOL, Role.DEPUTY: Scope.SCHOOL},
    "corrections.witness": {Role.TEACHER: Scope.SCHOOL, Role.PRINCIPAL: Scope.SCHOOL, Role.DEPUTY: Scope.SCHOOL},
    # The seal is kept by the office (văn thư) and the principal.
    "seals.start": {Role.PRINCIPAL: Scope.SCHOOL, Role.CLERK: Scope.SCHOOL},
    "exports.start": _KEEPERS,
    "exports.download": _KEEPERS,
    "archive.audit": {Role.ARCHIVIST: Scope.SCHOOL},
    # Legal holds: the archivist places them and asks for their release; a release is approved by a second
    # person (another archivist, or the principal), never by whoever asked.
    "retention.read": {Role.ARCHIVIST: Scope.SCHOOL, Role.PRINCIPAL: Scope.SCHOOL},
    "retention.hold": {Role.ARCHIVIST: Scope.SCHOOL},
    "retention.release": {Role.ARCHIVIST: Scope.SCHOOL, Role.PRINCIPAL: Scope.SCHOOL},
    "retention.renew": {Role.ARCHIVIST: Scope.SCHOOL},
    # A disposal is proposed and carried out by the archivist and decided by the principal alone.
    "retention.decide": {Role.PRINCIPAL: Scope.SCHOOL},
    # A student or parent asks for a copy of their own book; the office (văn thư) keeps the copy register and
    # issues copies; the principal and the archivist read the register.
    "copies.request": {Role.STUDENT: Scope.RECORD, Role.PARENT: Scope.RECORD, Role.CLERK: Scope.SCHOOL},
    "copies.read": {
        Role.STUDENT: Scope.RECORD,
        Role.PARENT: Scope.RECORD,
        Role.CLERK: Scope.SCHOOL,
        Role.PRINCIPAL: Scope.SCHOOL,
        Role.DEPUTY: Scope.SCHOOL,
        Role.ARCHIVIST: Scope.SCHOOL,
    },
    "copies.decide": {Role.CLERK: Scope.SCHOOL},
    "copies.register": {
        Role.CLERK: Scope.SCHOOL,
        Role.PRINCIPAL: Scope.SCHOOL,
        Role.DEPUTY: Scope.SCHOOL,
        Role.ARCHIVIST: Scope.SCHOOL,
    },
    # A job is seen by whoever started it, and by the school's staff who watch its work.
    "jobs.read": _JOB_WATCHERS,
    "jobs.cancel": _JOB_WATCHERS,
}
"""Route name → the scope each role has on it (or one scope for everyone). Every route names its rule; a test
walks every route × role."""


class SignInRequiredError(HocbaError):
    code = "auth.required"


class AccessDeniedError(HocbaError):
    code = "auth.forbidden"


register_wording(
    {
        "auth.required": ("Cần đăng nhập", "Sign in first"),
        "auth.forbidden": (
            "Vai trò {role} không được phép làm việc này",
            "The role {role} may not do this",
        ),
        "auth.forbidden:csrf": (
            "Thiếu hoặc sai mã chống giả mạo yêu cầu ({header})",
            "The anti-forgery token ({header}) is missing or wrong",
        ),
    }
)


@dataclass(frozen=True)
class Caller:
    """The signed-in account and the scope its role has on the route being called."""

    account: Account
    scope: Scope
    token: str

    def sees_book(self, book: BookEntry) -> bool:
        return self.sees(book.school_code, book.province, book.staff_ids, book.student_id)

    def sees(
        self,
        school_code: str | None,
        province: str | None = None,
        staff_ids: tuple[str, ...] = (),
        student_id: str | None = None,
    ) -> bool:
        account = self.account
        match self.scope:
            case Scope.SIGNED_IN | Scope.PUBLIC:
                return True
            case Scope.SCHOOL:
                return account.school_code == school_code
            case Scope.PLAN:
                return account.school_code == school_code and account.staff_id in staff_ids
            case Scope.PROVINCE:
                return _same_province(account.province, province)
            case Scope.RECORD:
                return account.student_id is not None and account.student_id == student_id

    def book_query(self, query: BookQuery) -> BookQuery | None:
        """`query` narrowed to the caller's scope; None when it asks for something outside it."""
        account = self.account
        narrowing: dict[str, Any] = {}
        match self.scope:
            case Scope.SCHOOL:
                narrowing = {"school_code": account.school_code}
            case Scope.PLAN:
                narrowing = {"school_code": account.school_code, "staff_id": account.staff_id}
            case Scope.PROVINCE:
                narrowing = {"province": account.province}
            case Scope.RECORD:
                narrowing = {"student_id": account.student_id}
        for name, value in narrowing.items():
            asked = getattr(query, name)
            if asked is not None and asked != value:
                return None
        return replace(query, **narrowing)


def _same_province(mine: str | None, theirs: str | None) -> bool:
    return mine is not None and theirs is not None and mine.casefold().strip() == theirs.casefold().strip()


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _token(request: Request) -> tuple[str, bool]:
    """The session token and whether it came in the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    return request.cookies.get(SESSION_COOKIE, ""), True


def allow(rule: str) -> Any:
    """The dependency of a route under `rule`: the `Caller`, once every check has passed (None on a public
    route). Resources named by the path (`document_id`, `username`) are checked against the scope here."""
    if rule not in RULES:
        raise KeyError(f"no access rule {rule!r}")  # a route without a rule is a programming error: no start
    row = RULES[rule]

    def check(request: Request, sent: str) -> Caller | None:
        if row is Scope.PUBLIC:
            return None
        token, from_cookie = _token(request)
        if not token:
            raise SignInRequiredError()
        account = services(request).accounts().caller(token)
        scope = row.get(account.role) if isinstance(row, Mapping) else row
        if scope is None:
            raise AccessDeniedError(role=account.role.value)
        if from_cookie and request.method not in _SAFE:
            expected = request.cookies.get(CSRF_COOKIE, "")
            if not (sent and expected and secrets.compare_digest(sent, expected)):
                raise AccessDeniedError("csrf", header=CSRF_HEADER)
        caller = Caller(account, scope, token)
        _check_target(request, caller)
        return caller

    async def dependency(request: Request) -> Caller | None:
        # A page's form cannot send a header: it repeats the anti-forgery token in its `csrf` field instead.
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent and row is not Scope.PUBLIC and request.method not in _SAFE and _is_form(request):
            sent = str((await request.form()).get("csrf") or "")
        return await run_in_threadpool(check, request, sent)

    dependency.rule = rule  # type: ignore[attr-defined]  # read by the test that walks every route
    return Depends(dependency)


def _is_form(request: Request) -> bool:
    """A page's form post with its session cookie (never a program's bearer token)."""
    kind = request.headers.get("content-type", "")
    from_cookie = not request.headers.get("authorization")
    return from_cookie and kind.startswith("application/x-www-form-urlencoded")


def _check_target(request: Request, caller: Caller) -> None:
    params = request.path_params
    if "document_id" in params:
        book = services(request).books().book(params["document_id"])
        request.state.book = book  # the route answers with what was checked, without reading it again
        if not caller.sees_book(book):
            raise UnknownDocumentError("live", document_id=params["document_id"])
    if "correction_id" in params:
        found = SqlCorrections(services(request).engine).get(params["correction_id"])
        if not caller.sees_book(services(request).books().book(found.document_id)):
            raise UnknownDocumentError("correction", correction_id=params["correction_id"])
    if "job_id" in params:
        job = services(request).jobs().get(params["job_id"])
        request.state.job = job  # the route answers with what was checked, without reading it again
        mine = job.account == caller.account.username
        if not (mine or (caller.scope is Scope.SCHOOL and job.school_code == caller.account.school_code)):
            raise UnknownJobError(job_id=params["job_id"])
    if "copy_request_id" in params:
        entry = SqlCopies(services(request).engine).get(params["copy_request_id"])
        request.state.copy_request = entry  # the route answers with what was checked, without reading it again
        own = caller.scope is Scope.RECORD and entry.account == caller.account.username
        if not (own or (caller.scope is Scope.SCHOOL and entry.school_code == caller.account.school_code)):
            raise UnknownCopyError(request_id=params["copy_request_id"])
    if "disposal_id" in params:
        disposal = SqlDisposals(services(request).engine).get(params["disposal_id"])
        if disposal.school_code != caller.account.school_code:
            raise UnknownDisposalError(disposal_id=params["disposal_id"])
    if "hold_id" in params:
        hold = SqlHolds(services(request).engine).get(params["hold_id"])
        if hold.target.school_code != caller.account.school_code:
            raise UnknownHoldError(hold_id=params["hold_id"])
    if "username" in params:
        target = services(request).accounts().store.get(params["username"])
        if not caller.sees(target.school_code):
            raise UnknownAccountError(username=params["username"])


def _rules(dependant: Dependant) -> set[str]:
    found = {rule for rule in [getattr(dependant.call, "rule", None)] if rule is not None}
    for sub in dependant.dependencies:
        found |= _rules(sub)
    return found


GUARDED: dict[tuple[str, str], str] = {}
"""(method, path) → rule of every route built with `Guarded`: what the test of every route × role walks."""


class Guarded(APIRoute):
    """A route that names exactly one access rule, or the service does not start. Its rule is also written
    into the OpenAPI description (`x-hocba-access`: role → scope)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        rules = _rules(self.dependant)
        if len(rules) != 1:
            raise RuntimeError(f"{path} names {sorted(rules) or 'no'} access rule")
        (self.access_rule,) = rules
        row = RULES[self.access_rule]
        shown = row.value if isinstance(row, Scope) else {role.value: scope.value for role, scope in row.items()}
        self.openapi_extra = {**(self.openapi_extra or {}), "x-hocba-access": shown}
        for method in self.methods or ():
            GUARDED[(method, self.path)] = self.access_rule


def guarded_router(**kwargs: Any) -> APIRouter:
    """A router whose every route must name its access rule."""
    return APIRouter(route_class=Guarded, **kwargs)
