"""`hocba pki` and `hocba sign` as a school uses them, and eight teachers signing one book at once."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from typer.testing import CliRunner

from api.cli import app
from devtools.pki import DEV_PASSWORD
from records import dumps_jsonl, signing_plan
from workflows.sitting import sign_file

from .signing_fixtures import School

runner = CliRunner()


def invoke(*args: str, **env: str) -> Any:
    return runner.invoke(
        app, list(args), catch_exceptions=False, env={"HOCBA_P12_PASSWORD": DEV_PASSWORD.decode(), **env}
    )


def sign_args(school: School, signer_id: str) -> list[str]:
    return [
        "--p12",
        str(school.pki.p12_path(signer_id)),
        "--trust",
        str(school.folder / "root.pem"),
        "--tsa",
        school.pki.tsa_url,
    ]


def test_pki_init_and_revoke(tmp_path: Path, raw_samples: dict[str, list[dict[str, Any]]]) -> None:
    records = tmp_path / "lop.jsonl"
    records.write_text(dumps_jsonl(raw_samples["tieu_hoc"][:2]), encoding="utf-8")
    assert invoke("pki", "init", "--out", str(tmp_path / "pki"), "--records", str(records)).exit_code == 0
    assert (tmp_path / "pki" / "root.pem").is_file()
    assert (tmp_path / "pki" / "p12" / "staff-gvcn.p12").is_file()
    assert invoke("pki", "revoke", str(tmp_path / "pki"), "gvcn").exit_code == 0
    assert invoke("pki", "revoke", str(tmp_path / "pki"), "nobody").exit_code == 2


def test_pki_init_from_a_staff_file(tmp_path: Path) -> None:
    staff = tmp_path / "staff.json"
    staff.write_text(
        json.dumps(
            {
                "school": {"code": "31712345", "name": "Trường THCS Đại Thắng"},
                "staff": [{"id": "gv-1", "full_name": "Nguyễn Văn Ấn", "position": "giao_vien"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert invoke("pki", "init", "--out", str(tmp_path / "pki"), "--staff", str(staff)).exit_code == 0
    assert (tmp_path / "pki" / "p12" / "staff-gv-1.p12").is_file()
    assert (tmp_path / "pki" / "p12" / "dau-truong-31712345.p12").is_file()
    assert invoke("pki", "init", "--out", str(tmp_path / "x")).exit_code == 2


def test_sign_one_field_then_order_error(school: School, tmp_path: Path) -> None:
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    early = invoke("sign", str(book), "--field", "hieu_truong", *sign_args(school, "ht"))
    assert early.exit_code == 2 and "signer.order" in early.output
    done = invoke("sign", str(book), "-o", str(tmp_path / "out.pdf"), "--field", "gvcn", *sign_args(school, "gvcn"))
    assert done.exit_code == 0, done.output
    assert [
        s.field_name for s in PdfFileReader(io.BytesIO((tmp_path / "out.pdf").read_bytes())).embedded_signatures
    ] == ["gvcn"]


def test_sign_batch_is_resumable(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(school.book(school.primary))
    (folder / "b.pdf").write_bytes(school.book(school.thcs))  # subject teachers first: not the homeroom's turn
    (folder / "c.pdf").write_bytes(b"%PDF-1.7 broken")
    first = invoke("sign", "--batch", str(folder), "--as", "gvcn", *sign_args(school, "gvcn"))
    assert first.exit_code == 1 and '"signed": 1, "skipped": 1, "failed": 1' in first.output
    again = invoke("sign", "--batch", str(folder), "--as", "gvcn", *sign_args(school, "gvcn"))
    assert '"signed": 0, "skipped": 2' in again.output
    assert [s.field_name for s in PdfFileReader(io.BytesIO((folder / "a.pdf").read_bytes())).embedded_signatures] == [
        "gvcn"
    ]
    assert not list(folder.glob(".*.signed"))  # no new revision is left beside a book


def test_sign_batch_in_one_process_too(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(school.book(school.primary))
    (folder / "c.pdf").write_bytes(b"%PDF-1.7 broken")
    result = invoke("sign", "--batch", str(folder), "--as", "gvcn", "--jobs", "1", *sign_args(school, "gvcn"))
    assert result.exit_code == 1 and '"signed": 1, "skipped": 0, "failed": 1' in result.output


def test_sign_batch_on_two_cores(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    book = school.book(school.primary)
    for i in range(6):
        (folder / f"hs-{i}.pdf").write_bytes(book)
    result = invoke("sign", "--batch", str(folder), "--as", "gvcn", "--jobs", "2", *sign_args(school, "gvcn"))
    assert result.exit_code == 0 and '"signed": 6, "skipped": 0, "failed": 0' in result.output, result.output
    context = ValidationContext(trust_roots=list(school.policy.trust_roots), allow_fetching=True)
    for i in range(6):
        (signature,) = PdfFileReader(io.BytesIO((folder / f"hs-{i}.pdf").read_bytes())).embedded_signatures
        assert signature.field_name == "gvcn"
        assert validate_pdf_signature(signature, signer_validation_context=context).bottom_line
    assert not list(folder.glob(".*.signed"))


def test_sign_batch_with_a_wrong_password_starts_nothing(school: School, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(book := school.book(school.primary))
    args = ("sign", "--batch", str(folder), "--as", "gvcn", "--jobs", "2", *sign_args(school, "gvcn"))
    result = invoke(*args, HOCBA_P12_PASSWORD="sai")
    assert result.exit_code == 2 and "signer.key_source" in result.output
    assert (folder / "a.pdf").read_bytes() == book


def test_eight_teachers_at_the_same_moment(school: School, tmp_path: Path) -> None:
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.thcs))
    teachers = [e for e in signing_plan(school.thcs).entries if e.field.startswith("gvbm.")][:8]
    keys = {e.field: school.key(e.signer_id) for e in teachers}
    start = threading.Barrier(len(teachers))
    errors: list[BaseException] = []

    def sign(field: str) -> None:
        start.wait()
        try:
            sign_file(school.service, book, book, field, keys[field])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(e.field,)) for e in teachers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    reader = PdfFileReader(io.BytesIO(book.read_bytes()))
    assert sorted(s.field_name for s in reader.embedded_signatures) == sorted(keys)
    context = ValidationContext(trust_roots=list(school.policy.trust_roots), allow_fetching=True)
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, signer_validation_context=context)
        assert status.intact and status.valid and status.trusted, sig.field_name


@pytest.mark.parametrize("missing", ["--tsa"])
def test_sign_needs_a_tsa(school: School, tmp_path: Path, missing: str) -> None:
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    args = sign_args(school, "gvcn")
    args = args[: args.index(missing)]
    assert invoke("sign", str(book), "--field", "gvcn", *args, HOCBA_TSA_URL="").exit_code == 2
