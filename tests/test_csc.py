"""CSC v1 remote signing against certomancer-csc-dummy (SCAL 2), including batched signHash."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from typer.testing import CliRunner

from api.cli import app
from devtools.pki import free_port
from devtools.pki.csc import CscService, serve_csc
from signer.adapters.csc import CscKeySource

from .signing_fixtures import School, sign_at_once


@pytest.fixture(scope="module")
def csc(school: School) -> Iterator[CscService]:
    with serve_csc(school.folder, free_port()) as service:
        yield service


def connect(school: School, csc: CscService, signer_id: str, batch_size: int = 1) -> CscKeySource:
    source = CscKeySource(csc.url, school.pki.csc_credential(signer_id), batch_size=batch_size)
    school.service.connect(source)
    return source


def test_remote_signature(school: School, csc: CscService) -> None:
    key = connect(school, csc, "gvcn")
    assert key.certificate.subject.native["common_name"] == "Ngô Thanh Mai"
    pdf = school.service.sign(school.book(school.primary), "gvcn", key)
    assert [s.field_name for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures] == ["gvcn"]
    assert csc.sign_hash_calls and csc.sign_hash_calls[-1] == 1


def test_batched_sign_hash_for_a_principal(school: School, csc: CscService) -> None:
    books = [school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn")) for _ in range(2)]
    principal = connect(school, csc, "ht", batch_size=2)
    before = len(csc.sign_hash_calls)
    results = sign_at_once(school, books, "hieu_truong", principal)
    assert csc.sign_hash_calls[before:] == [2]  # both books' hashes in one signHash call
    for pdf in results:
        assert [s.field_name for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures] == ["gvcn", "hieu_truong"]


def test_sign_command_with_a_remote_credential(school: School, csc: CscService, tmp_path: Path) -> None:
    book = tmp_path / "hb.pdf"
    book.write_bytes(school.book(school.primary))
    args = [
        "sign",
        str(book),
        "--field",
        "gvcn",
        "--csc-url",
        csc.url,
        "--csc-credential",
        school.pki.csc_credential("gvcn"),
        "--trust",
        str(school.folder / "root.pem"),
        "--tsa",
        school.pki.tsa_url,
    ]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [s.field_name for s in PdfFileReader(io.BytesIO(book.read_bytes())).embedded_signatures] == ["gvcn"]
