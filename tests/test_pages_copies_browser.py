"""A parent asks for a copy of their child's book on the pages, the office checks their identity and issues it,
the parent downloads it, and the copy's QR page says it is valid — in headless Chromium."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import zxingcpp
from PIL import Image

from devtools.pki import free_port
from devtools.pki.csc import CscService, serve_csc
from records import signing_plan
from signer import verify
from templates import document_id
from workflows import book_facts, sign_and_archive

from .browser_fixtures import off_loop, serious_violations, served
from .conftest import require_tool
from .http_fixtures import PASSWORD, Site, open_site, signing_site
from .signing_fixtures import School


@pytest.fixture(scope="module")
def csc(school: School) -> Iterator[CscService]:
    with serve_csc(school.folder, free_port()) as service:
        yield service


@pytest.fixture
def desk_site(
    school: School, csc: CscService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Site, str]]:
    settings = signing_site(school, tmp_path, csc.url, monkeypatch)
    with open_site(school, settings, books=False) as site, served(site.client.app) as url:
        record = school.thcs  # the parent's child
        keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
        archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
        off_loop(sign_and_archive, school.service, archive, book_facts(record), school.book(record), keys)
        yield site, url


def _sign_in(page: Any, url: str, username: str, otp: str = "") -> None:
    page.goto(f"{url}/dang-nhap")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    if otp:
        page.fill("#otp", otp)
    page.click("button[type=submit]")


def _qr_link(pdf: bytes, folder: Path) -> str:
    require_tool("pdftoppm")
    (folder / "copy.pdf").write_bytes(pdf)
    first_page = ["-f", "1", "-l", "1"]
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", *first_page, str(folder / "copy.pdf"), str(folder / "p")], check=True
    )
    (page,) = sorted(folder.glob("p-*.png"))
    found = [code.text for code in zxingcpp.read_barcodes(Image.open(page)) if "/xac-thuc" in code.text]
    assert len(found) == 1, found
    return found[0]


def test_a_parent_asks_the_office_issues_the_parent_downloads(
    browser: Any, desk_site: tuple[Site, str], school: School, tmp_path: Path
) -> None:
    site, url = desk_site
    book = document_id(school.thcs)
    parent = browser.new_context(bypass_csp=True, accept_downloads=True)
    page = parent.new_page()
    _sign_in(page, url, "phu.huynh")
    page.goto(f"{url}/ban-sao")
    page.select_option("#document_id", book)
    page.fill("#full_name", "Nguyễn Thị Mẹ")
    page.click("text=Gửi đề nghị")
    page.wait_for_url(f"{url}/ban-sao")
    assert "Đã nhận" in page.text_content("tbody")
    assert serious_violations(page) == []

    office = browser.new_context(bypass_csp=True)
    desk = office.new_page()
    secret = site.client.app.state.services.accounts().store.second_factor("van.thu")  # type: ignore[attr-defined]
    _sign_in(desk, url, "van.thu", pyotp.TOTP(secret).now())
    desk.goto(f"{url}/van-thu/ban-sao")
    assert serious_violations(desk) == []
    desk.fill("input[name=identity_document]", "CCCD 001190000001")
    desk.click("button:has-text('Đã kiểm tra')")
    desk.wait_for_url(f"{url}/van-thu/ban-sao")
    desk.fill("input[name=staff_id]", "pht")
    desk.fill("input[name=full_name]", school.thcs.staff_by_id()["pht"].full_name)
    desk.fill("input[name=key_account]", school.pki.csc_credential("pht"))
    desk.click("button:has-text('Cấp bản sao')")
    desk.wait_for_url(f"{url}/van-thu/ban-sao")
    assert "Đã cấp" in desk.content() and "01/SY-" in desk.content()
    office.close()

    page.reload()
    assert "Đã cấp" in page.text_content("tbody")
    with page.expect_download() as waiting:
        page.click("text=Tải bản sao")
    pdf = Path(waiting.value.path()).read_bytes()
    assert off_loop(lambda: verify(pdf, list(school.policy.trust_roots), offline=True)).ok
    services = site.client.app.state.services  # type: ignore[attr-defined]
    copy_id = services.archive().known_sealed(hashlib.sha256(pdf).hexdigest()).document_id
    link = urlsplit(_qr_link(pdf, tmp_path))  # the QR code printed on the copy, as a phone reads it
    assert link.path == "/xac-thuc" and parse_qs(link.query)["id"] == [copy_id]
    page.goto(f"{url}{link.path}?{link.query}")
    assert "Hồ sơ có giá trị" in page.content() and "Bản sao" in page.content()
    assert "khớp với hồ sơ lưu trữ" in page.content()  # the printed hash is the copy's on record
    parent.close()
