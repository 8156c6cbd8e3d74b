"""Attacks built here, each against the verifier and the signer: forged time, shadow attacks after every step of
the chain, form fields outside the plan, and unsigned changes under a later signature."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import HTTPTimeStamper
from typer.testing import CliRunner

from api.cli import app
from devtools.pki import revoke
from records import signing_plan
from signer import SignerError, same_person

from .attacks import SHADOW_CLASSES, add_text_field, annotate, fill_text_field, self_made_tsa, shadow, sign_outside
from .signing_fixtures import COMPROMISED, School, record_with

runner = CliRunner()


def verify_json(school: School, pdf: bytes, tmp_path: Path, *extra: str) -> tuple[int, Any]:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(
        app, ["verify", str(path), "--trust", str(school.folder / "root.pem"), "--json", *extra], catch_exceptions=False
    )
    return result.exit_code, json.loads(result.stdout)


def test_revoked_key_with_a_backdated_self_made_timestamp_is_not_genuine(school: School, tmp_path: Path) -> None:
    record = record_with(school, COMPROMISED, "Hà Thị Lộ")
    revoked_at = revoke(school.folder, COMPROMISED, reason="key_compromise")
    forged = sign_outside(
        school.book(record), "gvcn", school.key(COMPROMISED), self_made_tsa(revoked_at - timedelta(days=30))
    )
    code, report = verify_json(school, forged, tmp_path)  # online: the responders are up and say "revoked"
    assert code == 1
    first = report["signatures"][0]
    assert first["timestamp_trusted"] is False and first["timestamp_time"] is None
    assert first["revocation"] == "revoked" and not first["trusted"]
    assert first["indication"] != "TOTAL-PASSED" and first["pades_level"] == "B-B"
    assert any("timestamp is not trusted" in n["message_en"] for n in first["notes"])
    assert report["verdict"] != "genuine"


def test_an_untrusted_timestamp_proves_no_time(school: School, tmp_path: Path) -> None:
    """A good certificate with a timestamp from outside the trust roots: judged now, and the report says so."""
    book = sign_outside(
        school.book(school.primary), "gvcn", school.key("gvcn"), self_made_tsa(datetime(2021, 1, 1, tzinfo=UTC))
    )
    code, report = verify_json(school, book, tmp_path)
    first = report["signatures"][0]
    assert first["timestamp_time"] is None and first["timestamp_trusted"] is False and first["pades_level"] == "B-B"
    assert first["notes"] and code == 0 and first["revocation"] == "good"


def _chain(school: School) -> list[tuple[str, bytes]]:
    """The primary book after each step of its plan."""
    pdf = school.book(school.primary)
    steps = []
    for entry in signing_plan(school.primary).entries:
        pdf = school.service.sign(pdf, entry.field, school.key(entry.signer_id))
        steps.append((entry.field, pdf))
    return steps


@pytest.fixture(scope="module")
def chain(school: School) -> list[tuple[str, bytes]]:
    return _chain(school)


@pytest.mark.parametrize("kind", SHADOW_CLASSES)
def test_shadow_attacks_after_every_step(
    school: School, chain: list[tuple[str, bytes]], kind: str, tmp_path: Path
) -> None:
    entries = signing_plan(school.primary).entries
    for step, (field, pdf) in enumerate(chain):
        attacked = shadow(pdf, kind)
        code, report = verify_json(school, attacked, tmp_path, "--offline")
        assert code == 1 and report["verdict"] == "not_genuine", (kind, field)
        assert any(s["sub_indication"] == "FORMAT_FAILURE" for s in report["signatures"]), (kind, field)
        if step + 1 < len(entries):  # nobody signs on top of it
            nxt = entries[step + 1]
            with pytest.raises(SignerError) as refused:
                school.service.sign(attacked, nxt.field, school.key(nxt.signer_id))
            assert refused.value.code == "signer.unsigned_changes", (kind, field)


def test_the_untouched_chain_verifies_at_every_step(
    school: School, chain: list[tuple[str, bytes]], tmp_path: Path
) -> None:
    states = []
    for _, pdf in chain:
        code, report = verify_json(school, pdf, tmp_path)
        assert code == 0 and report["verdict"] == "genuine", report
        states.append((report["state"], tuple(report["remaining"])))
    assert states == [("in_progress", ("hieu_truong", "dau_truong")), ("complete", ("dau_truong",)), ("sealed", ())]


def test_a_field_outside_the_plan_is_refused_and_its_late_fill_is_caught(school: School, tmp_path: Path) -> None:
    prepared = add_text_field(school.book(school.primary), "diem_toan", "5.0")
    with pytest.raises(SignerError) as refused:
        school.service.sign(prepared, "gvcn", school.key("gvcn"))
    assert refused.value.code == "signer.foreign_form"
    # Signed by other software through the principal, then the field is filled: never genuine.
    tsa = HTTPTimeStamper(school.pki.tsa_url)
    pdf = prepared
    for entry in signing_plan(school.primary).entries[:2]:
        pdf = sign_outside(pdf, entry.field, school.key(entry.signer_id), tsa)
    code, report = verify_json(school, fill_text_field(pdf, "diem_toan", "9.5"), tmp_path)
    assert code == 1 and report["verdict"] == "not_genuine"
    assert any("diem_toan" in p["message_en"] for p in report["problems"])
    assert any(s["sub_indication"] == "FORMAT_FAILURE" for s in report["signatures"])


def test_nothing_is_signed_or_sealed_on_top_of_an_unsigned_change(
    school: School, chain: list[tuple[str, bytes]]
) -> None:
    _, approved = chain[1]  # the principal has signed; the seal is next
    with pytest.raises(SignerError) as refused:
        school.service.sign(annotate(approved), "dau_truong", school.key(f"school:{school.primary.school.code}"))
    assert refused.value.code == "signer.unsigned_changes"
    with pytest.raises(SignerError) as blank:
        school.service.sign(annotate(school.book(school.primary)), "gvcn", school.key("gvcn"))
    assert blank.value.code == "signer.unsigned_changes"


def test_the_principal_locks_every_field_but_the_seal(school: School, chain: list[tuple[str, bytes]]) -> None:
    reader = PdfFileReader(io.BytesIO(chain[1][1]))
    principal = next(s for s in reader.embedded_signatures if s.field_name == "hieu_truong")
    lock = principal.fieldmdp
    assert lock is not None and lock.action.value == "/Exclude" and lock.fields == ["dau_truong"]


def test_a_plan_field_signed_by_someone_else_or_out_of_order_is_not_genuine(school: School, tmp_path: Path) -> None:
    """Sound signatures by trusted certificates, made by other software: the wrong person in the principal's
    field, and the principal before the homeroom teacher."""
    tsa = HTTPTimeStamper(school.pki.tsa_url)
    book = school.book(school.primary)
    homeroom = school.service.sign(book, "gvcn", school.key("gvcn"))
    impostor = sign_outside(homeroom, "hieu_truong", school.key("gvcn"), tsa)
    code, report = verify_json(school, impostor, tmp_path)
    assert code == 1 and report["verdict"] == "not_genuine"
    assert any("'hieu_truong'" in p["message_en"] and "signed by" in p["message_en"] for p in report["problems"])
    principal = signing_plan(school.primary).entry("hieu_truong").signer_id
    early = sign_outside(book, "hieu_truong", school.key(principal), tsa)
    code, report = verify_json(school, sign_outside(early, "gvcn", school.key("gvcn"), tsa), tmp_path)
    assert code == 1 and any("signed before gvcn" in p["message_en"] for p in report["problems"])


def test_names_match_whatever_the_case_spacing_and_diacritics() -> None:
    assert same_person("NGUYEN VAN  AN", "Nguyễn Văn An") and same_person("Đặng Thị Hà", "dang thi ha")
    assert not same_person("Trần Văn Bình", "Nguyễn Văn An")
