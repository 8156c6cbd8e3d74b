"""The pages over HTTP, without a browser: each page's script policy (none, or this site's own scripts and the
signing plug-in), pages vary by the language cookie, a form posted with the session's cookie but without its
anti-forgery token is refused, and the signers' and the school's pages read the archive right."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from api.http.access import CSRF_COOKIE, SESSION_COOKIE
from archive import Account, BookQuery, Role, SchoolCounts
from templates import document_id, read_plan
from workflows import sign_into_archive
from workflows.books import field_states
from workflows.desks import Step, class_progress, late_schools, school_progress, signer_desk

from .http_fixtures import Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture
def site(school: School, tmp_path: Path) -> Iterator[Site]:
    settings = embedded(school, tmp_path, signing_plugin="http://127.0.0.1:14999")
    with open_site(school, settings) as opened:
        yield opened


def _as(site: Site, role: Role) -> None:
    site.client.cookies.clear()
    site.client.cookies.set(SESSION_COOKIE, site.token(role))
    site.client.cookies.set(CSRF_COOKIE, "the-token")


def test_scripts_only_where_needed_and_only_from_here_and_the_plugin(site: Site) -> None:
    _as(site, Role.TEACHER)
    queue = site.client.get("/ky")
    policy = queue.headers["content-security-policy"]
    assert queue.status_code == 200 and "script-src 'self';" in policy
    assert policy.endswith("connect-src 'self' http://127.0.0.1:14999") and "'unsafe-inline'" not in policy
    assert '<script src="/static/usb.js" defer>' in queue.text and "<script>" not in queue.text
    books = site.client.get("/hoc-ba")
    assert "script-src" not in books.headers["content-security-policy"] and "<script" not in books.text
    assert site.client.get("/static/usb.js").headers["content-type"].startswith("text/javascript")
    assert site.client.get("/static/..%2Fpages.py").status_code == 404


def test_the_language_switch_is_kept_and_pages_vary_by_it(site: Site) -> None:
    _as(site, Role.STUDENT)
    vietnamese = site.client.get("/hoc-ba")
    assert 'lang="vi"' in vietnamese.text and "Đăng xuất" in vietnamese.text
    assert vietnamese.headers["vary"] == "Cookie"
    switched = site.client.get("/ngon-ngu?lang=en&next=/hoc-ba", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/hoc-ba"
    english = site.client.get("/hoc-ba")
    assert 'lang="en"' in english.text and "Sign out" in english.text and "Đăng xuất" not in english.text
    away = site.client.get("/ngon-ngu?lang=en&next=//evil.example", follow_redirects=False)
    assert away.headers["location"] == "/"  # never off this site
    assert site.client.get("/ngon-ngu?lang=fr").status_code == 422


def test_a_form_without_its_anti_forgery_token_is_refused(site: Site) -> None:
    _as(site, Role.TEACHER)
    data = {"school_year": "2024-2025", "key": "csc", "scope": "year"}
    forged = site.client.post("/ky", data=data, follow_redirects=False)
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/html")
    assert "chống giả mạo" in forged.text
    nothing = site.client.post("/ky", data={**data, "scope": "chosen", "csrf": "the-token"}, follow_redirects=False)
    assert nothing.status_code == 400 and "Chưa chọn sổ nào" in nothing.text
    usb = site.client.post("/ky", data={**data, "key": "usb", "csrf": "the-token"})  # the page's script signs these
    assert usb.status_code == 422 and usb.headers["content-type"].startswith("text/html") and ": key" in usb.text


def test_progress_per_class_step_and_signer(site: Site, school: School) -> None:
    index = site.client.app.state.services.books()  # type: ignore[attr-defined]
    code, year = school.thcs.school.code, school.thcs.school_year
    progress = school_progress(index, code, year)
    assert progress.classes[school.thcs.class_name] == {Step.SUBJECTS: 1}
    assert progress.classes[school.primary.class_name] == {Step.HOMEROOM: 1}  # primary: no subject rows
    rows = {r.field: r for r in class_progress(index, code, year, school.thcs.class_name)}
    assert (rows["gvbm.toan"].waiting, rows["gvcn"].later, rows["gvcn"].signed) == (1, 1, 0)
    _as(site, Role.TEACHER)
    queue = site.client.get("/ky")
    assert school.thcs.student.full_name in queue.text and school.primary.student.full_name not in queue.text


def test_the_homeroom_teacher_sees_the_class_per_signer(site: Site, school: School) -> None:
    record = school.thcs
    homeroom = Account(
        "gvcn.6a1", Role.TEACHER, school_code=record.school.code, staff_id=record.signers.homeroom_teacher
    )
    page = site.client.get("/ky", headers=site.as_account(homeroom))
    assert page.status_code == 200
    (table,) = [part for part in page.text.split("<h2>") if part.startswith(f"Lớp chủ nhiệm {record.class_name}")]
    teacher = record.staff_by_id()["gv-toan"].full_name
    row = next(r for r in table.split("<tr") if teacher in r)
    assert [c.split("<")[0] for c in row.split("<td>")[2:]] == ["0", "1", "0"]  # signed, waiting, later
    # Their own turn in 6A1 comes after the subject teachers': not offered for signing, listed as later.
    assert f"Lớp {record.class_name} ·" not in page.text and "Chưa đến lượt tôi" in page.text


def test_the_index_tells_each_signer_what_the_pdf_says(site: Site, school: School) -> None:
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    index = site.client.app.state.services.books()  # type: ignore[attr-defined]
    record = school.thcs
    pdf = archive.latest(document_id(record))
    for entry in read_plan(pdf).entries[:-1]:  # signed one field at a time, up to the seal
        desk = signer_desk(index, archive, BookQuery(limit=10), entry.signer_id)
        (mine,) = [b for b in desk.waiting if b.book.version.document_id == document_id(record)]
        assert list(mine.fields) == field_states(pdf) and mine.waiting_field == entry.field
        signed = school.service.sign(pdf, entry.field, school.key(entry.signer_id))
        pdf, _ = sign_into_archive(archive, pdf, lambda: signed, entry.field)  # noqa: B023  called at once


def test_a_school_is_late_only_after_the_deadline_and_while_books_are_unsealed() -> None:
    signing = SchoolCounts("1", "A", "Huyện X", {"signing": 3, "sealed": 5})
    done = SchoolCounts("2", "B", "Huyện X", {"sealed": 8})
    assert late_schools([signing, done], "2024-2025", "07-31", date(2025, 7, 31)) == []
    assert late_schools([signing, done], "2024-2025", "07-31", date(2025, 8, 1)) == [signing]
