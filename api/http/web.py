"""The pages of signed-in people, on the same workflows and access table as the API: `/dang-nhap` (the
password, and the authenticator code where the role needs one), `/dang-xuat`, and the books each role may see
(`/hoc-ba`). Forms repeat the session's anti-forgery token in a `csrf` field; a page that needs a session sends
the browser to `/dang-nhap` and back."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from archive import BookQuery, Role, VersionStatus
from workflows import AuthenticationError, ThrottledError
from workflows.federation import safe_next

from .access import CSRF_COOKIE, SESSION_COOKIE, Caller, allow, guarded_router, services
from .auth import set_session
from .rendering import LANG_COOKIE, page

router = guarded_router(tags=["pages"], include_in_schema=False)

LOGIN_CSRF = "hocba_login_csrf"
STATUSES = {
    VersionStatus.SIGNING.value: ("Đang ký", "Being signed"),
    VersionStatus.SEALING.value: ("Đang đóng dấu", "Being sealed"),
    VersionStatus.SEALED.value: ("Đã đóng dấu, lưu trữ", "Sealed and kept"),
    VersionStatus.SUPERSEDED.value: ("Đã được thay thế", "Superseded"),
}
_ROLES = {
    Role.TEACHER: ("giáo viên", "teacher"),
    Role.PRINCIPAL: ("hiệu trưởng", "principal"),
    Role.DEPUTY: ("phó hiệu trưởng", "deputy principal"),
    Role.CLERK: ("văn thư", "clerk"),
    Role.ARCHIVIST: ("lưu trữ", "archivist"),
    Role.ADMIN: ("quản trị", "administrator"),
    Role.STUDENT: ("học sinh", "student"),
    Role.PARENT: ("phụ huynh", "parent"),
    Role.SUPERVISOR: ("Sở GD&ĐT", "province supervisor"),
}
_BOOKS = ("/hoc-ba", ("Học bạ", "Record books"))
_QUEUE = ("/ky", ("Chờ tôi ký", "To sign"))
_SCHOOL = ("/truong", ("Tiến độ của trường", "School progress"))
_HOLDS = ("/phong-toa", ("Phong tỏa", "Legal holds"))
_MENUS: dict[Role, tuple[tuple[str, tuple[str, str]], ...]] = {
    Role.TEACHER: (_QUEUE, _BOOKS),
    Role.PRINCIPAL: (_SCHOOL, _QUEUE, ("/dieu-chinh", ("Điều chỉnh", "Corrections")), _HOLDS, _BOOKS),
    Role.DEPUTY: (_SCHOOL, _QUEUE, ("/dieu-chinh", ("Điều chỉnh", "Corrections")), _BOOKS),
    Role.CLERK: (("/van-thu/ban-sao", ("Bản sao, đóng dấu", "Copies and seal")), _SCHOOL, _BOOKS),
    Role.ARCHIVIST: (("/luu-tru", ("Lưu trữ", "Archive")), _HOLDS, _BOOKS),
    Role.STUDENT: (_BOOKS, ("/ban-sao", ("Bản sao", "Copies"))),
    Role.PARENT: (_BOOKS, ("/ban-sao", ("Bản sao", "Copies"))),
    Role.SUPERVISOR: (("/tien-do", ("Tiến độ các trường", "Schools' progress")),),
    Role.ADMIN: (),
}


def _login_page(request: Request, code: int = 200, **values: Any) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", code, csrf=token, **values)
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
    """Each role's starting page: the first of its menu."""
    menu = _MENUS[caller.account.role]
    if not menu:  # the administrator manages accounts, from the console or the API: no page of books
        message = (
            "Tài khoản quản trị quản lý tài khoản bằng lệnh `hocba account` hoặc API /v1/accounts.",
            "The administrator manages accounts with `hocba account` or the API, /v1/accounts.",
        )
        return page(request, "notice.html", message=message, **who(request, caller))
    return RedirectResponse(menu[0][0], status_code=303)


@router.get("/hoc-ba", response_class=HTMLResponse)
def books_page(request: Request, caller: Annotated[Caller, allow("books.list")]) -> Response:
    """The record books the person may see: a student's or parent's own, a teacher's, the school's."""
    query = caller.book_query(BookQuery(limit=500))
    found = services(request).books().books(query) if query is not None else []
    return page(request, "books.html", books=found, statuses=STATUSES, **who(request, caller))


def who(request: Request, caller: Caller) -> dict[str, Any]:
    """What every signed-in page shows of its person (their menu), and the token its forms repeat."""
    account = caller.account
    return {
        "account": account,
        "role": _ROLES[account.role],
        "menu": _MENUS[account.role],
        "csrf": request.cookies.get(CSRF_COOKIE, ""),
    }


@router.get("/ngon-ngu", dependencies=[allow("pages.public")])
def switch_language(
    lang: Annotated[str, Query(pattern="^(vi|en)$")],
    next_path: Annotated[str | None, Query(alias="next", max_length=512)] = None,
) -> Response:
    """Show the pages in Vietnamese or English from now on (a preference kept in the browser)."""
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, secure=True, samesite="lax", path="/")
    return response
