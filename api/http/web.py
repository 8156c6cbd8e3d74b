"""The pages of signed-in people, on the same workflows and access table as the API: `/dang-nhap` (the
password, and the authenticator code where the role needs one), `/dang-xuat`, and the books each role may see
(`/hoc-ba`). Forms repeat the session's anti-forgery token in a `csrf` field; a page that needs a session sends
the browser to `/dang-nhap` and back."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import BookQuery, VersionStatus
from workflows import AuthenticationError, ThrottledError
from workflows.federation import safe_next

from .access import CSRF_COOKIE, SESSION_COOKIE, Caller, allow, guarded_router, services
from .auth import set_session
from .books import progress_for
from .pages import page

router = guarded_router(tags=["pages"], include_in_schema=False)

LOGIN_CSRF = "hocba_login_csrf"
_STATUSES = {
    VersionStatus.SIGNING.value: "Đang ký / being signed",
    VersionStatus.SEALING.value: "Đang đóng dấu / being sealed",
    VersionStatus.SEALED.value: "Đã đóng dấu, lưu trữ / sealed",
    VersionStatus.SUPERSEDED.value: "Đã được thay thế / superseded",
}
_ROLES = {
    "teacher": "giáo viên",
    "principal": "hiệu trưởng",
    "deputy": "phó hiệu trưởng",
    "clerk": "văn thư",
    "archivist": "lưu trữ",
    "admin": "quản trị",
    "student": "học sinh",
    "parent": "phụ huynh",
    "supervisor": "Sở GD&ĐT",
}


def _login_page(request: Request, code: int = 200, **values: Any) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page("login.html", code, csrf=token, **values)
    response.set_cookie(LOGIN_CSRF, token, max_age=1800, httponly=True, secure=True, samesite="strict", path="/")
    return response


@router.get("/dang-nhap", response_class=HTMLResponse, dependencies=[allow("pages.public")])
def login_form(
    request: Request, next_path: Annotated[str | None, Query(alias="next", max_length=512)] = None
) -> Response:
    """The sign-in form."""
    return _login_page(request, next_path=safe_next(next_path))


@router.post("/dang-nhap", response_class=HTMLResponse, dependencies=[allow("pages.public")])
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=64)] = "",
    otp: Annotated[str, Form(max_length=32)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=512)] = "/",
) -> Response:
    """Sign in: on to where the person was going, or the form again with what went wrong."""
    expected = request.cookies.get(LOGIN_CSRF, "")
    where = safe_next(next_path)
    if not (csrf and expected and secrets.compare_digest(csrf, expected)):
        message = ("Phiên của biểu mẫu đã hết; hãy đăng nhập lại", "The form expired; sign in again")
        return _login_page(request, 400, message=message, username=username, next_path=where)
    address = request.client.host if request.client else "unknown"
    try:
        issued = services(request).accounts().login(username.strip().lower(), password, address, otp or None)
    except ThrottledError as exc:
        message = (exc.message_vi, exc.message_en)
        return _login_page(request, 429, message=message, username=username, next_path=where)
    except AuthenticationError as exc:
        wants_code = exc.key.endswith("second_factor")
        message = (exc.message_vi, exc.message_en)
        return _login_page(request, 401, message=message, username=username, next_path=where, ask_otp=wants_code)
    response = RedirectResponse(where, status_code=303)
    set_session(request, response, issued)
    response.delete_cookie(LOGIN_CSRF, path="/")
    return response


@router.post("/dang-xuat")
def logout(request: Request, caller: Annotated[Caller, allow("pages.signed_in")]) -> Response:
    """Sign out: the session ends at once."""
    services(request).accounts().logout(caller.token)
    response = RedirectResponse("/dang-nhap", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, caller: Annotated[Caller, allow("pages.signed_in")]) -> Response:
    """Each role's starting page: the record books it may see."""
    return RedirectResponse("/hoc-ba", status_code=303)


@router.get("/hoc-ba", response_class=HTMLResponse)
def books_page(request: Request, caller: Annotated[Caller, allow("books.list")]) -> Response:
    """The record books the person may see: a student's or parent's own, a teacher's, the school's."""
    query = caller.book_query(BookQuery(limit=500))
    found = services(request).books().books(query) if query is not None else []
    return page("books.html", books=found, statuses=_STATUSES, **who(request, caller))


def who(request: Request, caller: Caller) -> dict[str, Any]:
    """What every signed-in page shows of its person, and the token its forms repeat."""
    role = _ROLES.get(caller.account.role.value, caller.account.role.value)
    return {"account": caller.account, "role": role, "csrf": request.cookies.get(CSRF_COOKIE, "")}


_LEGEND = (
    (VersionStatus.SIGNING.value, "Đang ký / being signed", "#a86b00"),
    (VersionStatus.SEALED.value, "Đã đóng dấu / sealed", "#1b6e35"),
    (VersionStatus.SUPERSEDED.value, "Đã thay thế / superseded", "#5f5f5f"),
)
_LABEL, _BAR = 110, 420  # px: the schools' codes, then the longest bar


@router.get("/tien-do", response_class=HTMLResponse)
def progress_page(request: Request, caller: Annotated[Caller, allow("progress.read")]) -> Response:
    """Books per status for each school the person watches (the school's office, the province), drawn as bars
    on the server (no script) with the numbers in a table beside."""
    counts = progress_for(request, caller)
    largest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    bars = []
    for row, (school, by_status) in enumerate(sorted(counts.items())):
        x, segments = float(_LABEL), []
        for status, label, colour in _LEGEND:
            count = by_status.get(status, 0)
            width = _BAR * count / largest
            segments.append(
                {"x": round(x, 1), "width": round(width, 1), "colour": colour, "label": label, "count": count}
            )
            x += width
        total = sum(by_status.values())
        bars.append(
            {
                "school": school,
                "y": row * 26,
                "segments": segments,
                "end": round(x, 1),
                "total": total,
                "counts": by_status,
            }
        )
    width, height = _LABEL + _BAR + 50, max(26, len(bars) * 26)
    return page("progress.html", bars=bars, legend=_LEGEND, width=width, height=height, **who(request, caller))
