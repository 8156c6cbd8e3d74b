"""The signed-in pages in a real browser (headless Chromium): signing in with a password, and with the
authenticator code where the role needs one; each role's books; signing out; a page without a session leads
to the sign-in form and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from templates import document_id

from .browser_fixtures import serious_violations, served
from .http_fixtures import PASSWORD, Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture
def site_url(school: School, tmp_path: Path) -> Iterator[tuple[Site, str]]:
    with open_site(school, embedded(school, tmp_path)) as site, served(site.client.app) as url:
        yield site, url


def _sign_in(page: Any, url: str, username: str, otp: str = "") -> None:
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    if otp:
        page.fill("#otp", otp)
    page.click("button[type=submit]")


def test_a_student_signs_in_and_sees_their_own_book(
    browser: Any,
    site_url: tuple[Site, str],
    school: School,
) -> None:
    _, url = site_url
    page = browser.new_page()
    page.goto(f"{url}/hoc-ba")
    assert page.url.startswith(f"{url}/dang-nhap?next=")  # no session: to the sign-in form
    _sign_in(page, url, "hoc.sinh")
    page.wait_for_url(f"{url}/hoc-ba")
    assert page.locator("h2").first.text_content().startswith("Học bạ")
    rows = page.locator("tbody tr")
    assert rows.count() == 1 and document_id(school.primary) in rows.first.text_content()
    assert document_id(school.thcs) not in page.content()  # another student's book is not shown
    page.click("text=Đăng xuất")
    page.wait_for_url(f"{url}/dang-nhap")
    page.goto(f"{url}/hoc-ba")
    assert "/dang-nhap" in page.url  # the session ended at once
    page.close()


def test_the_principal_needs_the_authenticator_code(browser: Any, site_url: tuple[Site, str]) -> None:
    site, url = site_url
    page = browser.new_page()
    page.goto(f"{url}/dang-nhap")
    _sign_in(page, url, "hieu.truong")
    assert "/dang-nhap" in page.url and "cần mã xác thực hai lớp" in page.text_content("[role=alert]")
    secret = site.client.app.state.services.accounts().store.second_factor("hieu.truong")  # type: ignore[attr-defined]
    _sign_in(page, url, "hieu.truong", pyotp.TOTP(secret).now())
    page.wait_for_url(f"{url}/truong")  # the principal's first page: the school's progress
    page.goto(f"{url}/hoc-ba")
    assert page.locator("tbody tr").count() == 2  # the school's books
    page.close()


def test_a_role_without_books_sees_why(browser: Any, site_url: tuple[Site, str]) -> None:
    site, url = site_url
    page = browser.new_page()
    page.goto(f"{url}/dang-nhap")
    secret = site.client.app.state.services.accounts().store.second_factor("quan.tri")  # type: ignore[attr-defined]
    _sign_in(page, url, "quan.tri", pyotp.TOTP(secret).now())
    page.wait_for_load_state()
    assert "hocba account" in page.text_content("main")  # the administrator is told where accounts are managed
    page.goto(f"{url}/hoc-ba")
    assert "Không được phép" in page.title() and "admin" in page.text_content("[role=alert]")
    page.close()


def test_the_pages_pass_the_accessibility_checks(browser: Any, site_url: tuple[Site, str], school: School) -> None:
    _, url = site_url
    context = browser.new_context(bypass_csp=True)  # axe is a script; the pages themselves allow none
    page = context.new_page()
    found: dict[str, list[str]] = {}
    page.goto(f"{url}/dang-nhap")
    found["/dang-nhap"] = serious_violations(page)
    _sign_in(page, url, "hoc.sinh")
    page.wait_for_url(f"{url}/hoc-ba")
    found["/hoc-ba"] = serious_violations(page)
    page.goto(f"{url}/xac-thuc?id={document_id(school.primary)}")
    found["/xac-thuc?id"] = serious_violations(page)
    page.goto(f"{url}/xac-thuc")
    found["/xac-thuc"] = serious_violations(page)
    context.close()
    assert all(not problems for problems in found.values()), found


def test_the_province_sees_progress_as_a_chart_and_a_table(
    browser: Any, site_url: tuple[Site, str], school: School
) -> None:
    _, url = site_url
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{url}/dang-nhap")
    _sign_in(page, url, "so.gd")  # the province's supervisor: no second factor, reads counts only
    page.goto(f"{url}/tien-do")
    assert page.locator("svg[role=img] rect").count() == 3  # one school, three statuses
    cells = page.locator("tbody tr").first.locator("th, td").all_text_contents()
    assert cells == [school.thcs.school.code, "2", "0", "0", "2"]  # both books still being signed
    assert serious_violations(page) == []
    assert school.thcs.student.full_name not in page.content()
    context.close()
