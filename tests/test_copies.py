"""Certified copies: the copy of a sealed book as PDF/A-3b (cover, the original's pages reproduced, the copy
block, the sealed original embedded as its source), signed by the designated signer and sealed like a book; the
copy verifies offline, and so does the original taken out of it."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pikepdf
import pytest
import zxingcpp
from PIL import Image

from records import Asker, Copy, CopyForm, CopySigner, Requester, asker_problem, copy_number, due_on
from signer import verify
from templates import (
    DEFAULT_VERIFY_URL,
    VIETNAM,
    Identity,
    OriginalUnreadableError,
    document_id,
    read_identity,
    read_plan,
    render_copy,
)
from templates._finish import pdfa_problems
from templates.cross_seal import cross_seal_pages

from .signing_fixtures import School

ISSUED = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def sealed(school: School) -> bytes:
    return school.sign_all(school.book(school.primary), school.primary)


def _copy(school: School, sealed: bytes, form: CopyForm = CopyForm.SAO_Y, pages: tuple[int, ...] = ()) -> Copy:
    record = school.primary
    return Copy(
        original_id=document_id(record),
        original_version=1,
        original_sha256=hashlib.sha256(sealed).hexdigest(),
        record=record,
        form=form,
        number=7,
        number_year=2026,
        school_abbreviation="THDT",
        reissue=1,
        asker=Asker(Requester.GUARDIAN, "Nguyễn Thị Mẹ", "mẹ", "CCCD 001190000001"),
        signer=CopySigner("pht", _deputy(school), "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"),
        issued_at=ISSUED,
        place="Hải Phòng",
        pages=pages,
    )


def _deputy(school: School) -> str:
    return school.thcs.staff_by_id()["pht"].full_name


def test_who_may_ask_and_how_a_copy_is_numbered() -> None:
    assert asker_problem(Asker(Requester.STUDENT, "Lê Văn Em")) is None
    assert asker_problem(Asker(Requester.GUARDIAN, "Lê Thị Mẹ")) == "relationship"
    assert asker_problem(Asker(Requester.RELATIVE, "Lê Văn Anh", "anh trai")) == "relative"
    assert asker_problem(Asker(Requester.RELATIVE, "Lê Văn Anh", "anh trai", student_deceased=True)) is None
    assert asker_problem(Asker(Requester.STUDENT, " ")) == "name"
    assert copy_number(7, CopyForm.SAO_Y, "THDT") == "07/SY-THDT"
    friday = datetime(2026, 12, 4, 14, 59, tzinfo=VIETNAM)
    assert due_on(friday) == friday.date()
    assert due_on(friday.replace(hour=15)) == datetime(2026, 12, 7).date()  # after 15:00: Monday
    assert due_on(datetime(2026, 12, 5, 9, tzinfo=VIETNAM)) == datetime(2026, 12, 7).date()  # a Saturday
    assert copy_number(123, CopyForm.TRICH_SAO, "THDT") == "123/TrS-THDT"


def test_a_sao_y_copy_reproduces_every_page_and_carries_its_original(school: School, sealed: bytes) -> None:
    copy = _copy(school, sealed)
    rendered = render_copy(copy, sealed)
    assert rendered.document_id == copy.copy_id() and rendered.document_id.startswith("BS-")
    assert read_plan(rendered.pdf).fields() == ["nguoi_ky_sao", "dau_truong"]
    assert read_identity(rendered.pdf)["document_id"] == copy.copy_id()
    with pikepdf.open(io.BytesIO(sealed)) as original, pikepdf.open(io.BytesIO(rendered.pdf)) as made:
        assert len(made.pages) == len(original.pages) + 2  # the cover and the copy block
        embedded = made.attachments[f"ban-chinh-{copy.original_id}.pdf"]
        assert embedded.get_file().read_bytes() == sealed
        assert str(embedded.obj.AFRelationship) == "/Source"
        text = made.pages[0].Contents.read_bytes() if "/Contents" in made.pages[0] else b""
        assert text  # the cover is drawn
        for page in made.pages[1:-1]:
            assert "/Annots" not in page  # the original's stamps are part of the page, not fields
    assert rendered.pages == len(original_pages(sealed)) + 2


def original_pages(pdf: bytes) -> list[int]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return list(range(len(doc.pages)))


def test_an_extract_reproduces_the_chosen_pages_only(school: School, sealed: bytes) -> None:
    rendered = render_copy(_copy(school, sealed, CopyForm.TRICH_SAO, pages=(1,)), sealed)
    with pikepdf.open(io.BytesIO(rendered.pdf)) as made:
        assert len(made.pages) == 3
    with pytest.raises(OriginalUnreadableError):
        render_copy(_copy(school, sealed, CopyForm.TRICH_SAO, pages=(99,)), sealed)


def test_a_printable_copy_carries_the_cross_page_seal_in_groups_of_five(school: School, sealed: bytes) -> None:
    electronic = render_copy(_copy(school, sealed), sealed)
    printable = render_copy(replace(_copy(school, sealed), printable=True), sealed)
    assert pdfa_problems(printable.pdf, "3b") == []
    if keep := os.environ.get("HOCBA_KEEP_COPY"):
        Path(keep).write_bytes(printable.pdf)
    with pikepdf.open(io.BytesIO(electronic.pdf)) as plain, pikepdf.open(io.BytesIO(printable.pdf)) as marked:
        assert len(plain.pages) == len(marked.pages)
        for a, b in zip(plain.pages, marked.pages, strict=True):
            assert len(b.Resources.XObject) == len(a.Resources.get("/XObject", {})) + 1  # one slice a sheet
    with pikepdf.open(io.BytesIO(cross_seal_pages(7, "Trường"))) as slices:
        assert len(slices.pages) == 7  # two impressions: five sheets, then two


def test_a_copy_must_be_made_of_the_version_it_names(school: School, sealed: bytes) -> None:
    with pytest.raises(OriginalUnreadableError) as wrong:
        render_copy(_copy(school, sealed), sealed + b"\n")
    assert wrong.value.key == "templates.original_unreadable:hash"


def test_a_signed_and_sealed_copy_verifies_and_so_does_its_original(school: School, sealed: bytes) -> None:
    copy = _copy(school, sealed)
    pdf = render_copy(copy, sealed).pdf
    for entry in read_plan(pdf).entries:
        pdf = school.service.sign(pdf, entry.field, school.key(entry.signer_id))
    roots = list(school.policy.trust_roots)
    report = verify(pdf, roots, offline=True)
    assert report.ok, report
    with pikepdf.open(io.BytesIO(pdf)) as made:
        inside = made.attachments[f"ban-chinh-{copy.original_id}.pdf"].get_file().read_bytes()
    assert verify(inside, roots, offline=True).ok


def test_the_qr_code_on_every_page_leads_to_the_copys_public_check(
    school: School, sealed: bytes, tmp_path: Path
) -> None:
    copy = _copy(school, sealed)
    rendered = render_copy(copy, sealed)
    (tmp_path / "copy.pdf").write_bytes(rendered.pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(tmp_path / "copy.pdf"), str(tmp_path / "p")], check=True)
    expected = Identity(copy.copy_id(), rendered.content_hash, DEFAULT_VERIFY_URL).qr_payload
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == rendered.pages
    for page in pages:
        found = {code.text for code in zxingcpp.read_barcodes(Image.open(page))}
        assert expected in found, (page.name, found)
    link = urlsplit(expected)
    assert link.path == "/xac-thuc" and parse_qs(link.query) == {
        "id": [copy.copy_id()],
        "h": [rendered.content_hash[:16]],
    }
