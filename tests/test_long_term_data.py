"""The seal's long-term validation data: answers fetched for one seal serve the next ones for a while, and each
book's DSS carries only what its own signatures need."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from asn1crypto import ocsp
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import ocsp_client

from records import Record, signing_plan
from signer import SigningService, verify

from .signing_fixtures import School, count_calls


def _dss_serials(pdf: bytes) -> set[int]:
    """Serial numbers of the certificates the OCSP responses in the book's DSS speak about."""
    dss = PdfFileReader(io.BytesIO(pdf)).root["/DSS"]
    serials = set()
    for stream in dss["/OCSPs"]:
        response = ocsp.OCSPResponse.load(stream.get_object().data)
        for answer in response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]:
            serials.add(answer["cert_id"]["serial_number"].native)
    return serials


def _seal(school: School, service: SigningService, record: Record, requests: list[str]) -> tuple[bytes, int]:
    """The book of `record` signed through by `service`; also how many OCSP requests its seal made."""
    pdf = school.book(record)
    *approvals, seal = signing_plan(record).entries
    for entry in approvals:
        pdf = service.sign(pdf, entry.field, school.key(entry.signer_id))
    before = len(requests)
    pdf = service.sign(pdf, seal.field, school.key(seal.signer_id))
    return pdf, len(requests) - before


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return count_calls(monkeypatch, ocsp_client, "_grab_ocsp", "ocsp")


def test_a_second_seal_reuses_the_answers_of_the_first(school: School, requests: list[str]) -> None:
    with SigningService(school.policy) as service:
        first, asked_first = _seal(school, service, school.thcs, requests)
        second, asked_second = _seal(school, service, school.thcs, requests)
    signers = len(signing_plan(school.thcs).entries)
    assert asked_first >= signers  # every signer's certificate, the TSA's, the CA's
    assert asked_second <= 1  # at most the archive timestamp's own TSA status
    assert _dss_serials(second) == _dss_serials(first)
    roots = list(school.policy.trust_roots)
    assert verify(first, roots, offline=True).ok and verify(second, roots, offline=True).ok


def test_nothing_is_reused_without_a_reuse_window(school: School, requests: list[str]) -> None:
    with SigningService(replace(school.policy, status_reuse=timedelta(0))) as service:
        _, asked_first = _seal(school, service, school.primary, requests)
        _, asked_second = _seal(school, service, school.primary, requests)
    assert asked_second == asked_first > 0


def test_a_book_carries_only_its_own_signers_answers(school: School, requests: list[str]) -> None:
    with SigningService(school.policy) as service:
        secondary, _ = _seal(school, service, school.thcs, requests)
        primary, _ = _seal(school, service, school.primary, requests)  # after the other class's seal
    subject_teacher = school.pki.cert_of(signing_plan(school.thcs).entries[0].signer_id).serial_number
    primary_signers = {school.pki.cert_of(e.signer_id).serial_number for e in signing_plan(school.primary).entries}
    assert subject_teacher in _dss_serials(secondary)
    assert subject_teacher not in _dss_serials(primary)
    assert primary_signers <= _dss_serials(primary)
    assert verify(primary, list(school.policy.trust_roots), offline=True).ok
