"""Rendered books, checked from outside: PDF/A validators, poppler, qpdf, and the signature fields."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest

from records import ARCHIVE_TIMESTAMP_FIELD, Record, content_hash, generate_sample, signing_plan, to_json, to_xml
from templates import PlanMissingError, Profile, RenderOptions, parse_now, read_identity, read_plan, render

from .conftest import as_json, preflight, require_tool, to_record

LEVELS = ("thcs", "thpt", "tieu_hoc")
PRAISE = "Em chăm ngoan, lễ phép, tích cực phát biểu xây dựng bài và giúp đỡ bạn bè trong học tập."
CASES = [(level, profile) for level in LEVELS for profile in Profile]


@pytest.fixture(scope="session")
def books(raw_samples: dict[str, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Any]:
    """Sample 4 of each level (a deputy signs for the principal) in every profile, rendered once."""
    out: dict[Any, Any] = {}
    folder = tmp_path_factory.mktemp("books")
    for level in LEVELS:
        record = to_record(raw_samples[level][4])
        for profile in Profile:
            document = render(record, RenderOptions(profile=profile))
            path = folder / f"{level}-{profile.value}.pdf"
            path.write_bytes(document.pdf)
            out[level, profile] = (record, document, path)
    return out


def _fields(pdf: pikepdf.Pdf) -> Iterator[tuple[str, pikepdf.Object]]:
    def walk(field: pikepdf.Object, prefix: str) -> Iterator[tuple[str, pikepdf.Object]]:
        name = prefix + str(field.T)
        if "/Kids" in field:
            for kid in field.Kids:
                yield from walk(kid, name + ".")
        else:
            yield name, field

    for top in pdf.Root.AcroForm.Fields:
        yield from walk(top, "")


@pytest.mark.parametrize(("level", "profile"), CASES)
def test_pdfa_has_no_violation(books: dict[Any, Any], level: str, profile: Profile) -> None:
    _, _, path = books[level, profile]
    report = pikepdf.pdfa.validate_written(path, profile.flavour)
    assert list(report.violations) == []
    unchecked = {(f.rule, f.message) for f in report.unsupported}
    allowed = {
        ("pikepdf:schema-Catalog", "interactive forms (/AcroForm) are not supported"),
        ("pikepdf:schema-Catalog", "unrecognized key(s) /PieceInfo are not checked"),
        ("pikepdf:embedded-file", "embedded files are not supported"),
    }
    assert unchecked <= allowed, unchecked - allowed


@pytest.mark.parametrize("level", LEVELS)
def test_base_layer_passes_pdfa_in_full(books: dict[Any, Any], level: str, tmp_path: Path) -> None:
    """Without the three constructs pikepdf does not judge, the document passes outright."""
    _, document, _ = books[level, Profile.PDFA_3B]
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        for page in pdf.pages:
            if "/Annots" in page.obj:
                del page.obj["/Annots"]
        for key in ("/AcroForm", "/PieceInfo", "/Names", "/AF"):
            del pdf.Root[key]
        pdf.save(tmp_path / "base.pdf", **pikepdf.pdfa.resolve_save_kwargs("3b"))
    report = pikepdf.pdfa.validate_written(tmp_path / "base.pdf", "3b")
    found = [(v.rule, v.message) for v in report.violations] + [(f.rule, f.message) for f in report.unsupported]
    assert report.verdict == "pass", found


@pytest.mark.parametrize("level", LEVELS)
def test_preflight_passes_pdfa_1b(books: dict[Any, Any], level: str) -> None:
    _, _, path = books[level, Profile.PDFA_1B]
    assert "is a valid PDF/A-1b file" in preflight(path)


@pytest.mark.parametrize(("level", "profile"), CASES)
def test_every_font_embedded(books: dict[Any, Any], level: str, profile: Profile) -> None:
    require_tool("pdffonts")
    _, _, path = books[level, profile]
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert lines, "no fonts listed"
    for line in lines:
        emb = line.split()[-5]
        assert emb == "yes", line
        assert "Liberation" in line


@pytest.mark.parametrize(("level", "profile"), CASES)
def test_text_extracts(books: dict[Any, Any], level: str, profile: Profile) -> None:
    require_tool("pdftotext")
    record, _, path = books[level, profile]
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    text = unicodedata.normalize("NFC", raw.decode())
    assert record.student.full_name.upper() in text
    assert record.student.full_name in text
    assert record.student.personal_id in text
    assert "KT. HIỆU TRƯỞNG" in text and "PHÓ HIỆU TRƯỞNG" in text
    assert re.search(r"Trang 1/\d", text)


@pytest.mark.parametrize("level", LEVELS)
def test_attachments_in_pdfa_3b_only(books: dict[Any, Any], level: str) -> None:
    record, document, _ = books[level, Profile.PDFA_3B]
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        assert set(pdf.attachments) == {"hocba.xml", "hocba.json"}
        assert pdf.attachments["hocba.json"].get_file().read_bytes() == to_json(record)
        assert pdf.attachments["hocba.xml"].get_file().read_bytes() == to_xml(record)
        assert len(pdf.Root.AF) == 2
        for spec in pdf.Root.AF:
            assert spec.AFRelationship == pikepdf.Name.Data
    for profile in (Profile.PDFA_2B, Profile.PDFA_1B):
        with pikepdf.open(io.BytesIO(books[level, profile][1].pdf)) as pdf:
            assert len(pdf.attachments) == 0 and "/AF" not in pdf.Root


@pytest.mark.parametrize(("level", "profile"), CASES)
def test_signature_fields_equal_the_plan(books: dict[Any, Any], level: str, profile: Profile) -> None:
    record, document, _ = books[level, profile]
    plan = signing_plan(record)
    assert read_plan(document.pdf) == plan == document.plan
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        fields = dict(_fields(pdf))
        assert list(fields) == plan.fields()
        assert ARCHIVE_TIMESTAMP_FIELD not in fields  # created by the seal, never before
        for name, field in fields.items():
            assert pikepdf.Name.Sig == field.FT and "/V" not in field
            x0, y0, x1, y1 = (float(v) for v in field.Rect)
            assert x1 - x0 > 20 and y1 - y0 > 10, name
            assert int(field.F) & 4  # printable
            assert any(a.objgen == field.objgen for a in field.P.Annots)
        principal, seal = fields["hieu_truong"], fields["dau_truong"]
        # The principal locks everything but the seal's field: nothing else can be filled after the approval.
        assert principal.Lock.Action == pikepdf.Name.Exclude and [str(f) for f in principal.Lock.Fields] == [
            "dau_truong"
        ]
        assert seal.Lock.Action == pikepdf.Name.All and int(seal.Lock.P) == 1
        # NĐ 30/2020: the seal covers about a third of the principal's signature, on its left.
        px0, _, px1, _ = (float(v) for v in principal.Rect)
        sx0, _, sx1, _ = (float(v) for v in seal.Rect)
        assert sx0 < px0 < sx1 < px1
        assert abs((sx1 - px0) - (px1 - px0) / 3) < 2
    expected = ["gvcn", "hieu_truong", "dau_truong"]
    if level != "tieu_hoc":
        expected = [f"gvbm.{s.code}" for s in record.subjects if not s.exempt] + expected
    assert plan.fields() == expected
    assert plan.entry("hieu_truong").label == "KT. HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG"


def test_subject_fields_sit_in_their_rows(books: dict[Any, Any]) -> None:
    """Every subject teacher's field is on the results page, one below the other in table order."""
    _, document, _ = books["thcs", Profile.PDFA_3B]
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        subject_fields = [(n, f) for n, f in _fields(pdf) if n.startswith("gvbm.")]
        tops = [float(f.Rect[3]) for _, f in subject_fields]
        assert tops == sorted(tops, reverse=True)
        pages = {f.P.objgen for _, f in subject_fields}
        assert pages == {pdf.pages[1].obj.objgen}


def test_xmp_metadata(books: dict[Any, Any]) -> None:
    record, document, _ = books["thcs", Profile.PDFA_3B]
    with pikepdf.open(io.BytesIO(document.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert record.student.full_name in meta["dc:title"]
        assert record.school_year in meta["dc:title"]
        assert meta["dc:identifier"] == document.document_id
        assert record.school.name in meta["dc:publisher"]
        assert meta["pdfaid:part"] == "3"
        assert "/Producer" not in pdf.docinfo
    assert read_identity(document.pdf) == {"document_id": document.document_id, "content_hash": document.content_hash}


def test_same_input_same_bytes(raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    record = to_record(raw_samples["thcs"][0])
    options = RenderOptions(now=parse_now("2025-06-02T09:30:00+07:00"))
    first, second = render(record, options), render(record, options)
    assert first.pdf == second.pdf
    other = render(record, RenderOptions(now=parse_now("2025-06-03T09:30:00+07:00")))
    assert other.pdf != first.pdf
    with pikepdf.open(io.BytesIO(first.pdf)) as pdf:
        assert str(pdf.docinfo.CreationDate) == "D:20250602093000+07'00'"


def test_long_comment_flows_and_renders_in_full(raw_samples: dict[str, list[dict[str, Any]]], tmp_path: Path) -> None:
    require_tool("pdftotext")
    base = as_json(generate_sample("tieu_hoc", 2, 1, seed=5)[0])
    value = dict(base)
    words = PRAISE.split()
    comment = " ".join(words[i % len(words)] for i in range(400))[:2000].rsplit(" ", 1)[0] + " HẾT."
    value["homeroom_comment"] = comment
    record: Record = to_record(value)
    short = render(to_record(base))
    document = render(record)
    assert (short.pages, document.pages) == (2, 3)  # the comment moved on to a page of its own
    path = tmp_path / "long.pdf"
    path.write_bytes(document.pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    flat = " ".join(unicodedata.normalize("NFC", text.decode()).split())
    assert comment in flat


def test_qpdf_finds_the_file_sound(books: dict[Any, Any]) -> None:
    require_tool("qpdf")
    for _, _, path in books.values():
        run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(("level", "profile"), CASES)
def test_plain_cross_reference_table(books: dict[Any, Any], level: str, profile: Profile) -> None:
    """Every object readable in the plain file: a classic cross-reference table, no object or xref streams."""
    data = books[level, profile][1].pdf
    assert b"/ObjStm" not in data and b"/XRef" not in data
    assert data.count(b"\nxref\n") == 1 and re.search(rb"trailer\s*<<", data)


def test_qr_code_decodes_to_the_verification_link(books: dict[Any, Any], tmp_path: Path) -> None:
    zbarimg = require_tool("zbarimg")
    require_tool("pdftoppm")
    record, document, path = books["thcs", Profile.PDFA_3B]
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "3", "-l", "3", str(path), str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p*.png")
    decoded = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True, check=True).stdout
    assert (
        decoded.strip() == f"https://hocba.example.vn/xac-thuc?id={document.document_id}&h={document.content_hash[:16]}"
    )
    assert document.content_hash == content_hash(record)


def test_plan_missing_in_a_foreign_pdf(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buf)
    with pytest.raises(PlanMissingError):
        read_plan(buf.getvalue())
