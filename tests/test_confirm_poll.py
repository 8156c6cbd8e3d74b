"""Remote signing confirmed in a phone app (the SmartCA style) against the development confirming service."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from typer.testing import CliRunner

from api.cli import app
from devtools.pki import free_port
from devtools.pki.confirm import Answer, ConfirmService, serve_confirm
from signer import ConfirmAndPollKeySource, errors

from .signing_fixtures import School, sign_at_once

FAST = {"poll_interval": timedelta(milliseconds=20), "batch_window": timedelta(milliseconds=50)}


@pytest.fixture()
def confirming(school: School) -> Iterator[ConfirmService]:
    with serve_confirm(school.folder, free_port()) as service:
        yield service


def connect(school: School, service: ConfirmService, user: str, **options: object) -> ConfirmAndPollKeySource:
    source = ConfirmAndPollKeySource(service.url, user, **{**FAST, **options})  # type: ignore[arg-type]
    school.service.connect(source)
    return source


def valid(school: School, pdf: bytes, field: str) -> bool:
    context = ValidationContext(trust_roots=list(school.policy.trust_roots), allow_fetching=True)
    (signature,) = [s for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures if s.field_name == field]
    return bool(validate_pdf_signature(signature, signer_validation_context=context).bottom_line)


def test_signature_after_the_person_confirms(school: School, confirming: ConfirmService) -> None:
    confirming.answers["gvcn"] = Answer("confirm", after_polls=3)  # picks up the phone on the fourth poll
    key = connect(school, confirming, "gvcn")
    assert key.certificate.subject.native["common_name"] == "Ngô Thanh Mai"
    pdf = school.service.sign(school.book(school.primary), "gvcn", key)
    assert valid(school, pdf, "gvcn")
    assert confirming.transactions == [("gvcn", 1)]


def test_refused_in_the_app(school: School, confirming: ConfirmService) -> None:
    confirming.answers["gvcn"] = Answer("refuse")
    key = connect(school, confirming, "gvcn")
    with pytest.raises(errors.RemoteRefusedError) as caught:
        school.service.sign(school.book(school.primary), "gvcn", key)
    assert caught.value.code == "signer.remote_refused" and not caught.value.retryable
    assert "từ chối" in caught.value.message_vi


def test_no_answer_before_the_deadline_is_retryable(school: School, confirming: ConfirmService) -> None:
    confirming.answers["gvcn"] = Answer("ignore")
    key = connect(school, confirming, "gvcn", deadline=timedelta(milliseconds=300))
    with pytest.raises(errors.RemoteTimeoutError) as caught:
        school.service.sign(school.book(school.primary), "gvcn", key)
    assert caught.value.code == "signer.remote_timeout" and caught.value.retryable


def test_a_faulty_answer_is_refused_at_once(school: School, confirming: ConfirmService) -> None:
    confirming.answers["gvcn"] = Answer("short")
    key = connect(school, confirming, "gvcn", deadline=timedelta(minutes=5))
    with pytest.raises(errors.KeySourceError) as caught:
        school.service.sign(school.book(school.primary), "gvcn", key)
    assert "0 signatures for 1 hashes" in caught.value.message_en


def test_a_principal_confirms_once_for_books_signed_together(school: School, confirming: ConfirmService) -> None:
    books = [school.service.sign(school.book(school.primary), "gvcn", school.key("gvcn")) for _ in range(3)]
    principal = connect(school, confirming, "ht", batch_size=3, batch_window=timedelta(seconds=5))
    results = sign_at_once(school, books, "hieu_truong", principal)
    assert confirming.transactions == [("ht", 3)]  # one request on the phone for the three books
    assert all(valid(school, pdf, "hieu_truong") for pdf in results)


def test_a_lone_book_is_not_kept_waiting_for_a_full_batch(school: School, confirming: ConfirmService) -> None:
    principal = connect(school, confirming, "gvcn", batch_size=16)
    pdf = school.service.sign(school.book(school.primary), "gvcn", principal)
    assert valid(school, pdf, "gvcn") and confirming.transactions == [("gvcn", 1)]


def test_sign_batch_from_the_command_line(school: School, confirming: ConfirmService, tmp_path: Path) -> None:
    folder = tmp_path / "lop"
    folder.mkdir()
    for i in range(3):
        (folder / f"hs-{i}.pdf").write_bytes(school.book(school.primary))
    args = ["--trust", str(school.folder / "root.pem"), "--tsa", school.pki.tsa_url]
    remote = ["--confirm-url", confirming.url, "--confirm-user", "gvcn"]
    result = CliRunner().invoke(app, ["sign", "--batch", str(folder), "--as", "gvcn", *remote, *args])
    assert result.exit_code == 0 and '"signed": 3, "skipped": 0, "failed": 0' in result.output, result.output
    assert sum(count for _, count in confirming.transactions) == 3
    assert len(confirming.transactions) < 3  # the sitting's books went to the phone together
