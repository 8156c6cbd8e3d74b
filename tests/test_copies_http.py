"""Certified copies over HTTP: a student asks for a copy of their own book, the clerk checks their identity and
issues it (the designated signer's CSC key, the school's seal key), the student downloads it and it verifies;
a parent cannot ask for another child's book or read another's request; the public check follows a revocation."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest
from openpyxl import load_workbook

from archive import Role, SqlCopies
from devtools.pki import free_port
from devtools.pki.csc import CscService, serve_csc
from records import signing_plan
from signer import verify
from templates import VIETNAM, document_id
from templates._finish import pdfa_problems
from workflows import book_facts, sign_and_archive

from .http_fixtures import Site, open_site, signing_site
from .signing_fixtures import School


@pytest.fixture(scope="module")
def csc(school: School) -> Iterator[CscService]:
    with serve_csc(school.folder, free_port()) as service:
        yield service


@pytest.fixture
def site(school: School, csc: CscService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    settings = signing_site(school, tmp_path, csc.url, monkeypatch)
    with open_site(school, settings, books=False) as opened:
        record = school.primary
        keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
        archive = opened.client.app.state.services.archive()  # type: ignore[attr-defined]
        sign_and_archive(school.service, archive, book_facts(record), school.book(record), keys)
        yield opened


def test_a_student_asks_the_clerk_issues_and_the_student_downloads(site: Site, school: School) -> None:
    book = document_id(school.primary)
    student, parent, clerk = site.as_role(Role.STUDENT), site.as_role(Role.PARENT), site.as_role(Role.CLERK)
    asked = site.client.post("/v1/copies", json={"document_id": book, "full_name": "Võ Quỳnh Thảo"}, headers=student)
    assert asked.status_code == 201, asked.text
    entry = asked.json()
    assert entry["status"] == "requested" and entry["asker"]["kind"] == "student"
    not_theirs = site.client.post("/v1/copies", json={"document_id": book, "full_name": "Mẹ"}, headers=parent)
    assert not_theirs.status_code == 404  # the parent's child is another student
    assert site.client.get(f"/v1/copies/{entry['id']}", headers=parent).status_code == 404
    assert [e["id"] for e in site.client.get("/v1/copies", headers=student).json()] == [entry["id"]]

    early = site.client.post(f"/v1/copies/{entry['id']}/issue", json=_issue(school), headers=clerk)
    assert early.status_code == 409 and early.json()["code"] == "archive.copy_state"
    checked = site.client.post(
        f"/v1/copies/{entry['id']}/check", json={"identity_document": "CCCD 0311"}, headers=clerk
    )
    assert checked.json()["status"] == "checked"
    issued = site.client.post(f"/v1/copies/{entry['id']}/issue", json=_issue(school), headers=clerk)
    assert issued.status_code == 200, issued.text
    assert (issued.json()["status"], issued.json()["number"]) == ("issued", 1)

    pdf = site.client.get(f"/v1/copies/{entry['id']}/pdf", headers=student)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert verify(pdf.content, list(school.policy.trust_roots), offline=True).ok
    register = SqlCopies(site.client.app.state.services.engine)  # type: ignore[attr-defined]
    assert register.get(entry["id"]).delivery == "download"

    year = datetime.now(VIETNAM).year
    sheet = site.client.get("/v1/copies/register", params={"year": year, "format": "xlsx"}, headers=clerk)
    assert sheet.status_code == 200, sheet.text
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[2][0] == "01/SY-THDT" and rows[2][7] == "CCCD 0311" and rows[2][3] == book
    listing = site.client.get("/v1/copies/register", params={"year": year}, headers=clerk)
    assert listing.headers["content-type"] == "application/pdf" and pdfa_problems(listing.content, "3b") == []
    assert site.client.get("/v1/copies/register", params={"year": year}, headers=student).status_code == 403

    copy_id = issued.json()["copy_id"]
    assert site.client.get(f"/v1/public/documents/{copy_id}").json()["status"] == "valid"
    revoked = site.client.post(f"/v1/copies/{entry['id']}/revoke", json={"reason": "Cấp nhầm"}, headers=clerk)
    assert revoked.json()["status"] == "revoked"
    assert site.client.get(f"/v1/public/documents/{copy_id}").json()["status"] == "revoked"


def test_the_counter_records_refusals_and_who_may_not_ask(site: Site, school: School) -> None:
    clerk = site.as_role(Role.CLERK)
    stranger = {"kind": "relative", "full_name": "Người Lạ", "relationship": "hàng xóm"}
    refused = site.client.post(
        "/v1/copies", json={"document_id": document_id(school.primary), "asker": stranger}, headers=clerk
    )
    assert refused.status_code == 400 and refused.json()["code"] == "copy.asker"
    missing = site.client.post(
        "/v1/copies",
        json={"document_id": "HB-AAAA-BBBB-CCCC-DDDD", "asker": {"full_name": "Lê Văn Em"}},
        headers=clerk,
    )
    assert missing.status_code == 201 and missing.json()["status"] == "refused"
    assert "HB-AAAA-BBBB-CCCC-DDDD" in missing.json()["reason"]
    letter = site.client.get(f"/v1/copies/{missing.json()['id']}/refusal", headers=clerk)
    assert letter.status_code == 200 and pdfa_problems(letter.content, "3b") == []
    with pikepdf.open(io.BytesIO(letter.content)) as pdf:
        said = json.loads(pdf.attachments["tra-loi.json"].get_file().read_bytes())
    assert said["document_id"] == "HB-AAAA-BBBB-CCCC-DDDD" and said["reason"] == missing.json()["reason"]
    listed = site.client.get("/v1/copies", headers=site.as_role(Role.PRINCIPAL)).json()
    assert [e["status"] for e in listed] == ["refused"]


def _issue(school: School) -> dict[str, object]:
    deputy = school.thcs.staff_by_id()["pht"].full_name
    return {
        "signer": {"staff_id": "pht", "full_name": deputy, "title": "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"},
        "key": {"kind": "csc", "account": school.pki.csc_credential("pht")},
        "abbreviation": "THDT",
    }
