"""The public status over HTTP (`GET /v1/public/documents/{id}`, the QR code's link): no sign-in, nothing
personal beyond initials and year of birth, cacheable, rate-limited, unknown ids answered 404."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from records import content_hash, signing_plan
from templates import DEFAULT_VERIFY_URL, Identity, document_id
from workflows import book_facts, sign_and_archive

from .http_fixtures import Site, embedded, open_site
from .signing_fixtures import School


@pytest.fixture
def site(school: School, tmp_path: Path) -> Iterator[Site]:
    settings = embedded(school, tmp_path, tsa_url=school.pki.tsa_url, public_status_rate=5)
    with open_site(school, settings, books=False) as opened:
        record = school.primary
        keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
        archive = opened.client.app.state.services.archive()  # type: ignore[attr-defined]
        sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
        yield opened


def test_a_qr_link_shows_the_status_and_nothing_personal(site: Site, school: School) -> None:
    record = school.primary
    answer = site.client.get(f"/v1/public/documents/{document_id(record)}", params={"h": content_hash(record)[:16]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["kind"], body["hash_matches"], body["version"]) == ("valid", "hoc_ba", True, 1)
    assert body["birth_year"] == record.student.date_of_birth.year and body["student_initials"].endswith(".")
    assert record.student.full_name not in answer.text and record.student.personal_id not in answer.text
    assert answer.headers["cache-control"] == "public, max-age=60"
    forged = site.client.get(f"/v1/public/documents/{document_id(record)}", params={"h": "f" * 16}).json()
    assert forged["hash_matches"] is False
    unknown = site.client.get("/v1/public/documents/HB-AAAA-BBBB-CCCC-DDDD", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "archive.unknown_document"
    assert "QR" in unknown.json()["detail"]


def test_lookups_are_rate_limited_per_address(site: Site, school: School) -> None:
    url = f"/v1/public/documents/{document_id(school.primary)}"
    codes = [site.client.get(url).status_code for _ in range(8)]
    assert codes[:5] == [200] * 5 and 429 in codes[5:]


def test_the_qr_codes_page_shows_the_status_without_the_name(site: Site, school: School) -> None:
    record = school.primary
    payload = Identity(document_id(record), content_hash(record), DEFAULT_VERIFY_URL).qr_payload
    link = urlsplit(payload)
    assert link.path == "/xac-thuc"
    page = site.client.get(f"{link.path}?{link.query}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Hồ sơ có giá trị" in page.text and "khớp với hồ sơ lưu trữ" in page.text
    assert record.student.full_name not in page.text
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    css = site.client.get("/static/hocba.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    unknown = site.client.get("/xac-thuc", params={"id": "HB-<script>"})
    assert unknown.status_code == 404 and "<script>" not in unknown.text and "&lt;script&gt;" in unknown.text
    assert "<form" in site.client.get("/xac-thuc").text


def test_an_uploaded_file_is_checked_check_by_check(site: Site, school: School) -> None:
    archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
    sealed = archive.sealed_bytes(archive.version(document_id(school.primary)))
    good = site.client.post("/xac-thuc", files={"file": ("hb.pdf", sealed, "application/pdf")})
    assert good.status_code == 200, good.text
    assert "Tệp là bản gốc hợp lệ" in good.text and "Đang lưu giữ: phiên bản 1" in good.text
    assert "Không đạt" not in good.text
    at = sealed.rindex(b"/Contents <") - 400  # inside the last signed revision's bytes
    tampered = sealed[:at] + (b"0" if sealed[at : at + 1] != b"0" else b"1") + sealed[at + 1 :]
    bad = site.client.post("/xac-thuc", files={"file": ("hb.pdf", tampered, "application/pdf")})
    assert bad.status_code == 200 and "Đạt / passed" not in bad.text.split("Hồ sơ")[0]
    assert "Tệp là bản gốc hợp lệ" not in bad.text and "Không có trong kho lưu trữ này" in bad.text
    half = school.service.sign(school.book(school.primary), "gvcn", school.key(school.primary.signers.homeroom_teacher))
    unfinished = site.client.post("/xac-thuc", files={"file": ("hb.pdf", half, "application/pdf")})
    assert "Không kiểm tra được" in unfinished.text  # the seal: not there yet, never shown as passed
