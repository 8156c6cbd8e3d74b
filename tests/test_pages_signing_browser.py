"""The signers' journeys in headless Chromium: a teacher signs their class with a remote key confirmed on the
phone (the page shows the phone's state while it waits), and with a USB token through the local signing
plug-in (a test double holding the teacher's key); the deputy acting for the principal runs a sitting and sees
it finish; the clerk runs the seal sitting; the archivist runs the integrity check; the English switch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest

from archive import ArchiveService, CorrectionStatus, SqlCatalog, SqlCorrections, SqlHolds
from devtools.pki import free_port
from devtools.pki.confirm import Answer, ConfirmService, serve_confirm
from devtools.pki.plugin import PluginService, serve_plugin
from records import Record, Role
from signer import verify
from templates import document_id, read_plan
from workflows import corrections as correcting
from workflows import sign_into_archive
from workflows.books import field_states

from .browser_fixtures import off_loop, serious_violations, served
from .http_fixtures import PASSWORD, Site, open_site, signing_site
from .signing_fixtures import School
from .storage_fixtures import MovableClock
from .test_archive_db import facts
from .test_corrections import consistent_change


@pytest.fixture(scope="module")
def confirming(school: School) -> Iterator[ConfirmService]:
    with serve_confirm(school.folder, free_port()) as service:
        yield service


@pytest.fixture(scope="module")
def plugin(school: School) -> Iterator[PluginService]:
    with serve_plugin(school.folder, free_port(), "gv-toan") as service:
        yield service


@pytest.fixture
def signing(
    school: School,
    confirming: ConfirmService,
    plugin: PluginService,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Site, str]]:
    settings = signing_site(school, tmp_path, school.pki.url, monkeypatch)
    settings = replace(settings, confirm_url=confirming.url, signing_plugin=plugin.url, csc_url=None)
    with open_site(school, settings) as site, served(site.client.app) as url:
        yield site, url


def sign_in(page: Any, url: str, username: str, site: Site | None = None) -> None:
    page.goto(f"{url}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    if site is not None:
        store = site.client.app.state.services.accounts().store  # type: ignore[attr-defined]
        page.fill("#otp", pyotp.TOTP(store.second_factor(username)).now())
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _states(site: Site, record: Record) -> dict[str, str]:
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    return {s.field: s.status.value for s in field_states(archive.latest(document_id(record)))}


def _sign_until(site: Site, school: School, record: Record, stop: set[Role]) -> None:
    """Sign the book's fields in plan order, in the archive, up to the first field of a role in `stop`."""
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    pdf = archive.latest(document_id(record))
    for entry in read_plan(pdf).entries:
        if entry.role in stop:
            return
        current = pdf
        pdf, _ = off_loop(
            sign_into_archive,
            archive,
            current,
            lambda: school.service.sign(current, entry.field, school.key(entry.signer_id)),  # noqa: B023
            entry.field,
        )


def test_a_teacher_signs_the_class_confirming_on_the_phone(
    browser: Any, signing: tuple[Site, str], school: School, confirming: ConfirmService
) -> None:
    site, url = signing
    confirming.answers["gv-toan"] = Answer("confirm", after_polls=3)  # picks the phone up after ~6 s
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, "gv.toan")
    page.wait_for_url(f"{url}/ky")
    assert serious_violations(page) == []
    section = page.locator("section", has_text=school.thcs.student.full_name)
    section.locator("input[name=key][value=confirm]").check()
    section.locator("button[value=class]").click()
    page.wait_for_url(f"{url}/cong-viec/*")
    page.locator("#phone").wait_for(state="visible", timeout=60_000)  # the phone has the request
    assert "điện thoại" in page.text_content("#phone")
    page.locator("table tbody tr").first.wait_for(timeout=120_000)  # the job ended: the page shows each book
    assert "Đã ký" in page.text_content("tbody") and page.locator("#phone").is_hidden()
    assert _states(site, school.thcs)["gvbm.toan"] == "signed"
    assert serious_violations(page) == []
    page.goto(f"{url}/ky")
    assert school.thcs.student.full_name in page.text_content("main")  # now under "signed by me"
    assert page.locator("form.sitting").count() == 0
    context.close()


def test_a_teacher_signs_with_the_usb_token_through_the_plugin(
    browser: Any, signing: tuple[Site, str], school: School, plugin: PluginService
) -> None:
    site, url = signing
    page = browser.new_page()  # the page's own policy: its script runs, and may call only the plug-in
    sign_in(page, url, "gv.toan")
    page.goto(f"{url}/ky")
    form = page.locator("form.sitting").first
    form.locator("input[name=key][value=usb]").check()
    plugin.plugged = False
    form.locator("button[value=chosen]").click()
    assert "Chưa chọn" in form.locator(".usb-state").text_content()
    form.locator("input[name=documents]").first.check()
    form.locator("button[value=chosen]").click()
    form.locator(".usb-state", has_text="phần mềm ký").wait_for()  # unplugged: said so, nothing sent
    assert _states(site, school.thcs)["gvbm.toan"] == "waiting"
    plugin.plugged = True
    form.locator("button[value=chosen]").click()
    form.locator(".usb-state li.passed").wait_for(timeout=60_000)
    assert _states(site, school.thcs)["gvbm.toan"] == "signed"
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    signed = archive.latest(document_id(school.thcs))
    report = off_loop(lambda: verify(signed, list(school.policy.trust_roots), offline=True))
    assert report.signatures[-1].field == "gvbm.toan" and report.signatures[-1].intact
    page.close()


def test_the_deputy_runs_a_sitting_and_sees_it_finish(browser: Any, signing: tuple[Site, str], school: School) -> None:
    site, url = signing
    _sign_until(site, school, school.thcs, {Role.PRINCIPAL, Role.ACTING_PRINCIPAL})
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, "pho.hieu.truong", site)
    page.wait_for_url(f"{url}/truong")
    assert page.locator("svg[role=img] rect").count() > 0  # the chart of classes and steps
    assert "1" in page.text_content(".tiles li:first-child")  # one book waits for the principal
    assert serious_violations(page) == []
    page.locator("form.sitting input[name=key][value=confirm]").check()
    page.click("form.sitting button[type=submit]")
    page.wait_for_url(f"{url}/cong-viec/*")
    page.locator("table tbody tr").first.wait_for(timeout=120_000)
    assert "Đã ký" in page.text_content("tbody")
    assert page.locator("progress").get_attribute("value") == page.locator("progress").get_attribute("max")
    states = _states(site, school.thcs)
    assert states["hieu_truong"] == "signed" and states["dau_truong"] == "waiting"
    context.close()

    clerk = browser.new_page()
    sign_in(clerk, url, "van.thu", site)
    clerk.goto(f"{url}/van-thu/ban-sao")
    clerk.click("button:has-text('Đóng dấu')")
    clerk.wait_for_url(f"{url}/cong-viec/*")
    clerk.locator("table tbody tr").first.wait_for(timeout=120_000)
    assert "đóng dấu" in clerk.text_content("tbody")
    services = site.client.app.state.services  # type: ignore[attr-defined]
    assert services.archive().version(document_id(school.thcs)).status.value == "sealed"
    clerk.close()


def test_the_archivist_runs_the_integrity_check(browser: Any, signing: tuple[Site, str]) -> None:
    site, url = signing
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, "luu.tru", site)
    page.wait_for_url(f"{url}/luu-tru")
    assert serious_violations(page) == []
    page.click("text=Chạy kiểm tra")
    page.wait_for_url(f"{url}/cong-viec/*")
    page.locator("#audit-h").wait_for(timeout=120_000)
    findings = page.text_content("section.card")
    assert "Đạt" in findings and "Không đạt" not in findings
    assert serious_violations(page) == []
    page.goto(f"{url}/luu-tru")
    assert page.locator("td.passed").count() == 1  # the run, listed with its outcome
    context.close()


def test_the_pages_switch_to_english_and_back(browser: Any, signing: tuple[Site, str]) -> None:
    _, url = signing
    page = browser.new_page()
    sign_in(page, url, "gv.toan")
    with page.expect_navigation():
        page.click("text=English")
    assert page.url == f"{url}/ky"
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Books waiting for my signature" in page.text_content("h2") and "Sign out" in page.content()
    page.goto(f"{url}/xac-thuc")
    assert "Check the PDF itself" in page.content()
    with page.expect_navigation():
        page.click("text=Tiếng Việt")
    assert page.locator("html").get_attribute("lang") == "vi" and "Kiểm tra tệp PDF" in page.content()
    page.close()


def test_a_refusal_on_the_phone_is_shown_with_its_reason(
    browser: Any, signing: tuple[Site, str], school: School, confirming: ConfirmService
) -> None:
    site, url = signing
    confirming.answers["gv-toan"] = Answer("refuse")
    try:
        page = browser.new_page()
        sign_in(page, url, "gv.toan")
        section = page.locator("section", has_text=school.thcs.student.full_name)
        section.locator("input[name=key][value=confirm]").check()
        section.locator("button[value=class]").click()
        page.wait_for_url(f"{url}/cong-viec/*")
        page.locator(".failed").first.wait_for(timeout=120_000)
        assert "từ chối" in page.text_content("main").lower()
        page.goto(f"{url}/ky")
        refused = page.text_content("#refused-h + ul")
        assert document_id(school.thcs) in refused and "từ chối" in refused.lower()
        assert _states(site, school.thcs)["gvbm.toan"] == "waiting"  # nothing signed, still waiting
        page.close()
    finally:
        confirming.answers.pop("gv-toan")


def test_a_page_of_another_role_says_why_it_is_refused(browser: Any, signing: tuple[Site, str]) -> None:
    _, url = signing
    page = browser.new_page()
    sign_in(page, url, "gv.toan")
    answer = page.goto(f"{url}/luu-tru")
    assert answer is not None and answer.status == 403
    assert "không được phép" in page.text_content("[role=alert]") and page.locator("a[href='/']").count() == 1
    page.close()


def test_the_deputy_approves_and_refuses_corrections_on_the_page(
    browser: Any, signing: tuple[Site, str], school: School
) -> None:
    site, url = signing
    record = school.thcs
    _sign_until(site, school, record, set())  # every field, the seal too: a sealed book
    teacher = next(s.teacher_id for s in record.subjects if s.teacher_id)
    ledger = SqlCorrections(site.client.app.state.services.engine)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    asked = [
        correcting.request(
            ledger, document_id(record), consistent_change(record), why, teacher, record.signers.homeroom_teacher, now
        )
        for why in ("Nhập nhầm điểm học kỳ II", "Nhập nhầm lần nữa")
    ]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, "pho.hieu.truong", site)
    page.goto(f"{url}/dieu-chinh")
    assert serious_violations(page) == []
    first, second = (page.locator(f"section[aria-labelledby='c-{c.id}']") for c in asked)
    assert "Nhập nhầm điểm học kỳ II" in first.text_content()
    first.locator("button:has-text('Duyệt')").click()
    page.wait_for_url(f"{url}/dieu-chinh")
    second.locator("input[name=reason]").fill("Chưa có minh chứng")
    second.locator("button:has-text('Từ chối')").click()
    page.wait_for_url(f"{url}/dieu-chinh")
    assert [ledger.get(c.id).status for c in asked] == [CorrectionStatus.APPROVED, CorrectionStatus.REFUSED]
    assert "Chưa có minh chứng" in page.text_content("main")
    context.close()


def test_the_archivist_holds_a_class_and_the_principal_approves_its_release(
    browser: Any, signing: tuple[Site, str], school: School
) -> None:
    site, url = signing
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, url, "luu.tru", site)
    page.goto(f"{url}/phong-toa")
    page.check("input[name=scope][value=class]")
    page.fill("#hold-target", school.thcs.class_name)
    page.select_option("#hold-year", school.thcs.school_year)
    page.fill("#hold-reason", "Thanh tra năm học")
    page.fill("#hold-ref", "QĐ 12/QĐ-SGDĐT")
    page.click("button:has-text('Phong tỏa')")
    page.wait_for_url(f"{url}/phong-toa")
    assert "Đang phong tỏa" in page.text_content("main") and serious_violations(page) == []
    page.fill("input[name=reason]", "Thanh tra đã kết thúc")
    page.click("button:has-text('Đề nghị gỡ')")
    page.wait_for_url(f"{url}/phong-toa")
    assert page.locator("button:has-text('Duyệt gỡ phong tỏa')").count() == 0  # not by whoever asked
    context.close()
    head = browser.new_context(bypass_csp=True)
    principal = head.new_page()
    sign_in(principal, url, "hieu.truong", site)
    principal.goto(f"{url}/phong-toa")
    assert serious_violations(principal) == []
    principal.click("button:has-text('Duyệt gỡ phong tỏa')")
    principal.wait_for_url(f"{url}/phong-toa")
    assert "Đã gỡ" in principal.text_content("main")
    (hold,) = SqlHolds(site.client.app.state.services.engine).holds()  # type: ignore[attr-defined]
    assert (hold.placed_by, hold.release_asked_by, hold.released_by) == ("luu.tru", "luu.tru", "hieu.truong")
    head.close()


def test_the_archivist_proposes_a_disposal_and_the_principal_approves_it(
    browser: Any, signing: tuple[Site, str], school: School
) -> None:
    site, url = signing
    services = site.client.app.state.services  # type: ignore[attr-defined]
    clock = MovableClock()
    clock.offset = -timedelta(days=6 * 366)  # a book sealed six years ago: its working revisions have ended
    archive = ArchiveService(services.archive()._store, SqlCatalog(services.engine), clock)
    first, signed = b"%PDF old", b"%PDF old +GV"
    archive.register(replace(facts("HB-TEST-OLD1", "old"), school_code=school.thcs.school.code), first)
    archive.record_revision("HB-TEST-OLD1", first, signed, "f", "GV01")
    archive.seal("HB-TEST-OLD1", signed)
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    sign_in(page, url, "luu.tru", site)
    page.goto(f"{url}/phong-toa")
    page.fill("#dispose-reason", "Bản ký trung gian hết thời hạn")
    page.click("button:has-text('Đề xuất hủy')")
    page.wait_for_url(f"{url}/phong-toa")
    assert "Chờ hiệu trưởng duyệt" in page.text_content("main") and serious_violations(page) == []
    head = browser.new_context(bypass_csp=True)
    principal = head.new_page()
    sign_in(principal, url, "hieu.truong", site)
    principal.goto(f"{url}/phong-toa")
    principal.click("button:has-text('Duyệt hủy')")
    principal.wait_for_url(f"{url}/phong-toa")
    head.close()
    page.reload()
    page.click("button:has-text('Thực hiện hủy')")
    page.wait_for_url(f"{url}/phong-toa")
    assert "Đã hủy" in page.text_content("main")
    with page.expect_download() as waiting:
        page.click("text=Biên bản hủy (PDF/A)")
    assert Path(waiting.value.path()).read_bytes().startswith(b"%PDF")
    context.close()
