"""Signing in plan order with the development PKI: rules refused before signing, PDF/A kept at every step."""

from __future__ import annotations

import hashlib
import io
import subprocess
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pikepdf
import pikepdf.pdfa
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from devtools.pki import revoke
from records import ARCHIVE_TIMESTAMP_FIELD, StaleRevisionError, signing_plan
from signer import SigningPolicy, SigningService, checks, errors
from templates import Profile

from .conftest import preflight, require_tool
from .signing_fixtures import EXPIRED, REVOKED, REVOKED_MIDWAY, School, count_calls, record_with

ALLOWED_UNCHECKED = {"pikepdf:schema-Catalog", "pikepdf:embedded-file"}


def no_pdfa_violation(flavour: str) -> Any:
    def check(pdf: bytes) -> None:
        report = pikepdf.pdfa.validate_written(io.BytesIO(pdf), flavour)
        assert list(report.violations) == []
        assert {f.rule for f in report.unsupported} <= ALLOWED_UNCHECKED

    return check


def test_primary_chain_to_archive_timestamp(school: School) -> None:
    pdf = school.sign_all(school.book(school.primary), school.primary, after=no_pdfa_violation("3b"))
    reader = PdfFileReader(io.BytesIO(pdf))
    signatures = {s.field_name: s for s in reader.embedded_signatures}
    assert set(signatures) == {"gvcn", "hieu_truong", "dau_truong", ARCHIVE_TIMESTAMP_FIELD}
    assert signatures[ARCHIVE_TIMESTAMP_FIELD].sig_object_type == "/DocTimeStamp"
    assert "/DSS" in reader.root and len(reader.root["/DSS"]["/OCSPs"]) >= 1
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.get("/Version", "/1.7")) == "/1.7"
    # The book and each update (three signatures; the validation data with the archive timestamp) end in a
    # classic cross-reference section.
    assert pdf.count(b"\nxref\n") == 5 and b"/XRef" not in pdf and b"/ObjStm" not in pdf
    # Only validation data and the archive timestamp came after the seal's "no changes" lock.
    root = school.policy.trust_roots[0]
    context = ValidationContext(trust_roots=[root], allow_fetching=True)
    seal = validate_pdf_signature(signatures["dau_truong"], signer_validation_context=context)
    assert seal.docmdp_ok and seal.modification_level == ModificationLevel.LTA_UPDATES
    assert seal.bottom_line, seal.summary()
    teacher = validate_pdf_signature(signatures["gvcn"], signer_validation_context=context)
    assert teacher.modification_level == ModificationLevel.FORM_FILLING and teacher.bottom_line


def test_pdfsig_confirms_every_signature(school: School, tmp_path: Any) -> None:
    require_tool("pdfsig")
    pdf = school.sign_all(school.book(school.primary), school.primary)
    path = tmp_path / "hb.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid.") == 3, out  # the document timestamp is reported apart
    assert "Ngô Thanh Mai" in out and school.primary.school.name in out


def test_pdfa_1b_chain_passes_preflight(school: School, tmp_path: Any) -> None:
    pdf = school.sign_all(school.book(school.primary, Profile.PDFA_1B), school.primary, after=no_pdfa_violation("1b"))
    path = tmp_path / "hb-1b.pdf"
    path.write_bytes(pdf)
    assert "is a valid PDF/A-1b file" in preflight(path)
    with pikepdf.open(path) as doc:
        assert "/Version" not in doc.Root and "/Extensions" not in doc.Root
    # PDF/A-1 books stop at B-LT: the validation data is there, the archive timestamp is not (see the service).
    reader = PdfFileReader(io.BytesIO(pdf))
    assert reader.embedded_signatures[-1].field_name == "dau_truong" and "/DSS" in reader.root


def test_ecdsa_deputy_keeps_pdfa_2b(school: School) -> None:
    """The deputy's key is ECDSA P-256: pyHanko would declare ISO 32002 and move to PDF 2.0."""
    record = school.thcs
    assert signing_plan(record).entry("hieu_truong").signer_id == "pht"
    pdf = school.book(record, Profile.PDFA_2B)
    pdf = school.sign_all(pdf, record, until="dau_truong")
    no_pdfa_violation("2b")(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert str(doc.Root.get("/Version", "/1.7")) == "/1.7"
        assert "/ISO_" not in str(doc.Root.get("/Extensions", {}))


def test_order_is_enforced(school: School) -> None:
    pdf = school.book(school.primary)
    with pytest.raises(errors.OrderError) as caught:
        school.service.sign(pdf, "hieu_truong", school.key("ht"))
    assert "gvcn" in caught.value.message_vi and caught.value.code == "signer.order"


def test_subject_rows_before_homeroom(school: School) -> None:
    pdf = school.book(school.thcs)
    pdf = school.service.sign(pdf, "gvbm.toan", school.key(signing_plan(school.thcs).entry("gvbm.toan").signer_id))
    with pytest.raises(errors.OrderError):
        school.service.sign(pdf, "gvcn", school.key("gvcn"))


def test_someone_elses_field(school: School) -> None:
    pdf = school.book(school.primary)
    with pytest.raises(errors.IdentityMismatchError):
        school.service.sign(pdf, "gvcn", school.key("ht"))
    with pytest.raises(errors.WrongSignerError):
        school.service.sign(pdf, "gvcn", school.key("gvcn"), acting_as="ht")


def test_seal_certificate_only_on_the_seal_field(school: School) -> None:
    pdf = school.book(school.primary)
    seal = f"school:{school.primary.school.code}"
    with pytest.raises(errors.SealOnlyError):
        school.service.sign(pdf, "gvcn", school.key(seal))
    pdf = school.sign_all(pdf, school.primary, until="dau_truong")
    with pytest.raises(errors.SealOnlyError):
        school.service.sign(pdf, "dau_truong", school.key("ht"))


def test_field_signed_once(school: School) -> None:
    pdf = school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))
    with pytest.raises(errors.FieldSignedError):
        school.service.sign(pdf, "gvcn", school.key("gvcn"))
    with pytest.raises(errors.UnknownFieldError):
        school.service.sign(pdf, "khong_co", school.key("gvcn"))


def test_revoked_certificate_refused_before_signing(school: School) -> None:
    record = record_with(school, REVOKED, "Đinh Thị Thu Hồi")
    pdf = school.book(record)
    revoke(school.folder, REVOKED)
    with pytest.raises(errors.RevokedError) as caught:
        school.service.sign(pdf, "gvcn", school.key(REVOKED))
    assert not caught.value.retryable


def test_good_status_reused_within_window_never_a_revocation(school: School, monkeypatch: pytest.MonkeyPatch) -> None:
    record = record_with(school, REVOKED_MIDWAY, "Lò Văn Giữa")
    calls = count_calls(monkeypatch, checks, "check_certificate", "check")
    key = school.key(REVOKED_MIDWAY)
    school.service.sign(school.book(record), "gvcn", key)
    school.service.sign(school.book(record), "gvcn", key)
    assert calls == ["check"]  # the second book reuses the first answer (policy.status_reuse)
    revoke(school.folder, REVOKED_MIDWAY)
    with SigningService(replace(school.policy, status_reuse=timedelta(0))) as strict:
        with pytest.raises(errors.RevokedError):
            strict.sign(school.book(record), "gvcn", key)
        with pytest.raises(errors.RevokedError):  # a refusal is not remembered as an answer either
            strict.sign(school.book(record), "gvcn", key)
    assert calls == ["check"] * 3


def test_expired_certificate_refused(school: School) -> None:
    record = record_with(school, EXPIRED, "Tạ Văn Hết Hạn")
    with pytest.raises(errors.CertificateExpiredError):
        school.service.sign(school.book(record), "gvcn", school.key(EXPIRED))


def test_stale_revision_is_retryable(school: School) -> None:
    pdf = school.book(school.primary)
    stale = hashlib.sha256(pdf).hexdigest()
    pdf = school.service.sign(pdf, "gvcn", school.key("gvcn"))
    with pytest.raises(StaleRevisionError) as caught:
        school.service.sign(pdf, "hieu_truong", school.key("ht"), expected_sha256=stale)
    assert caught.value.retryable


def test_untrusted_root_refused(school: School) -> None:
    policy = SigningPolicy(trust_roots=(school.pki.cert_of(REVOKED),), tsa_url=school.policy.tsa_url)
    with SigningService(policy) as service, pytest.raises(errors.UntrustedError):
        service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))


def test_b_b_only_when_allowed(school: School) -> None:
    with pytest.raises(ValueError, match="TSA"):
        SigningService(SigningPolicy(trust_roots=school.policy.trust_roots, tsa_url=None))


def test_not_a_hocba(school: School) -> None:
    buf = io.BytesIO()
    with pikepdf.new() as doc:
        doc.add_blank_page()
        doc.save(buf)
    with pytest.raises(errors.NotSignableError):
        school.service.sign(buf.getvalue(), "gvcn", school.key("gvcn"))
    with pytest.raises(errors.NotSignableError):
        school.service.sign(b"%PDF-1.7 broken", "gvcn", school.key("gvcn"))


def _stamp_font_programs(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [
            bytes(obj.FontFile2.read_bytes())
            for obj in doc.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor" and "/CIDSet" in obj
        ]


def test_stamps_of_one_person_share_one_font_subset(school: School) -> None:
    first = school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))
    second = school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn"))
    (a,), (b,) = _stamp_font_programs(first), _stamp_font_programs(second)
    assert a == b  # the second stamp reuses the subset made for the first (other signing time, same glyphs)
    no_pdfa_violation("3b")(second)
    fonts = subprocess.run(["pdffonts", "-"], input=second, capture_output=True, check=False)
    if fonts.returncode != 0:  # older poppler reads no stdin
        path = school.folder / "fonts.pdf"
        path.write_bytes(second)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True)
    rows = fonts.stdout.decode().splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), rows  # columns end: emb sub uni object-id


def test_stamp_text_the_font_cannot_draw_is_refused(school: School) -> None:
    """A name with a character outside the stamp font would draw an undefined glyph, which PDF/A forbids."""
    record = record_with(school, "gv-han", "Lý 王 Long")
    binding = {"gv-han": checks.fingerprint(school.key("gvcn").certificate)}
    policy = replace(school.policy, bindings=binding)
    pdf = school.book(record)
    with SigningService(policy) as service, pytest.raises(errors.StampCharacterError) as caught:
        service.sign(pdf, "gvcn", school.key("gvcn"))
    assert caught.value.code == "signer.stamp_character" and "王" in caught.value.message_vi
    assert "王" in caught.value.message_en and "gvcn" in caught.value.message_en


def test_pdfa_validated_at_the_seal_and_at_every_step_on_request(
    school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = school.primary
    book, other = school.book(record), school.book(record)  # rendering validates the book too
    calls: list[str] = []
    validate = pikepdf.pdfa.validate_written

    def counted(pdf: Any, flavour: str, *args: Any) -> Any:
        calls.append(flavour)
        return validate(pdf, flavour, *args)

    monkeypatch.setattr(pikepdf.pdfa, "validate_written", counted)
    pdf = school.sign_all(book, record, until="dau_truong")
    assert calls == []  # approvals: their stamp text is checked before signing, the whole file is not
    seal = signing_plan(record).entry("dau_truong").signer_id
    sealed = school.service.sign(pdf, "dau_truong", school.key(seal))
    assert calls == ["3b"]  # the finished book, in full
    with SigningService(replace(school.policy, check_pdfa_every_signature=True)) as careful:
        careful.sign(other, "gvcn", school.key("gvcn"))
    assert calls == ["3b", "3b"]
    no_pdfa_violation("3b")(sealed)
