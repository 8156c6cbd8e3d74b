"""Years later: the responders are gone and the embedded answers are long out of date. A sealed B-LTA book still
verifies from its own DSS and archive timestamp, online as offline; a book without that evidence says what could
not be checked instead of passing."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from asn1crypto import pem, x509

from devtools.pki import DEV_PASSWORD, Person, free_port, init, serve
from records import Record, signing_plan
from signer import Pkcs12KeySource, SigningPolicy, SigningService, VerifyPolicy, verify
from signer.errors import NotRenewableError
from templates import Profile, RenderOptions, render

from .conftest import to_record

LATER = datetime(2040, 6, 1, tzinfo=UTC)  # every certificate of the development PKI is valid until 2045


@dataclass
class GoneSchool:
    root: x509.Certificate
    sealed: bytes
    approved: bytes
    port: int
    renewed: bytes
    """The sealed book with its archive timestamp renewed by the second TSA (valid to 2069, the first to 2060)."""
    renewed_twice: bytes


@pytest.fixture(scope="module")
def gone(
    raw_samples: dict[str, list[dict[str, object]]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GoneSchool]:
    """A school whose PKI served the signatures and then disappeared."""

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    record: Record = to_record(raw_samples["tieu_hoc"][1])
    people = [Person(m.id, m.full_name) for m in record.staff]
    people.append(Person(f"school:{record.school.code}", record.school.name))
    folder = tmp_path_factory.mktemp("gone-pki")
    port = free_port()
    init(folder, record.school.name, people, port)
    root = x509.Certificate.load(pem.unarmor((folder / "root.pem").read_bytes())[2])
    pdf = render(record, RenderOptions(profile=Profile.PDFA_3B)).pdf
    with serve(folder) as pki, SigningService(SigningPolicy(trust_roots=(root,), tsa_url=pki.tsa_url)) as service:
        approved = b""
        for entry in signing_plan(record).entries:
            pdf = service.sign(pdf, entry.field, Pkcs12KeySource(pki.p12_path(entry.signer_id), DEV_PASSWORD))
            approved = approved or pdf
        with SigningService(SigningPolicy(trust_roots=(root,), tsa_url=pki.tsa2_url)) as renewing:
            renewed = renewing.renew(pdf).pdf
            renewed_twice = renewing.renew(renewed).pdf  # the second renewal carries the first's TSA data, fresh
    yield GoneSchool(root, pdf, approved, port, renewed, renewed_twice)


@pytest.mark.parametrize("offline", [False, True])
def test_sealed_book_verifies_years_later_with_the_responders_gone(gone: GoneSchool, offline: bool) -> None:
    check = verify(gone.sealed, [gone.root], offline=offline, now=LATER, policy=VerifyPolicy(fetch_timeout=2))
    assert check.verdict == "genuine", [(s.field, s.sub_indication, s.problems) for s in check.signatures]
    assert check.state == "sealed" and check.lta
    archive = check.signatures[-1]
    assert archive.kind == "archive_timestamp" and archive.timestamp_time is not None
    assert archive.notes  # judged at its own time from the embedded data, and the report says so
    assert all(s.pades_level == "B-LTA" and s.revocation == "good" for s in check.signatures[:-1])


def test_a_book_without_long_term_data_could_not_be_checked_years_later(gone: GoneSchool) -> None:
    check = verify(gone.approved, [gone.root], offline=False, now=LATER, policy=VerifyPolicy(fetch_timeout=2))
    assert check.verdict == "indeterminate" and check.indication == "INDETERMINATE"
    first = check.signatures[0]
    assert first.revocation == "unknown" and first.problems and not first.ok


def test_an_archive_timestamp_whose_certificate_expired_is_not_rescued(gone: GoneSchool) -> None:
    """After 2060 the archive timestamp's own certificate has expired: only a renewed archive timestamp could
    carry the proof further, so the book could not be checked (it is not called genuine)."""
    check = verify(gone.sealed, [gone.root], offline=True, now=datetime(2061, 1, 1, tzinfo=UTC))
    assert check.verdict == "indeterminate"
    assert check.signatures[-1].timestamp_time is None and not check.signatures[-1].notes


def test_a_renewed_archive_timestamp_carries_the_proof_past_the_first_tsa(gone: GoneSchool) -> None:
    """In 2065 the first TSA's certificate is long expired: the book verifies offline only because its archive
    timestamp was renewed (by a TSA valid to 2069, over the first timestamp's validation data)."""
    years_later = datetime(2065, 1, 1, tzinfo=UTC)
    assert gone.renewed.startswith(gone.sealed)  # an incremental update: nothing signed is rewritten
    unrenewed = verify(gone.sealed, [gone.root], offline=True, now=years_later)
    assert unrenewed.verdict == "indeterminate"
    check = verify(gone.renewed, [gone.root], offline=True, now=years_later)
    assert check.verdict == "genuine", [(s.field, s.sub_indication, s.problems) for s in check.signatures]
    stamps = [s for s in check.signatures if s.kind == "archive_timestamp"]
    assert [s.field for s in stamps] == ["luu_tru", "luu_tru_2"] and all(s.ok for s in stamps)
    assert verify(gone.renewed, [gone.root], offline=True).verdict == "genuine"  # and today, of course
    assert verify(gone.renewed_twice, [gone.root], offline=True, now=years_later).verdict == "genuine"
    policy = SigningPolicy(trust_roots=(gone.root,), tsa_url="http://127.0.0.1:9/tsa")
    with SigningService(policy) as service, pytest.raises(NotRenewableError):
        service.renew(gone.approved)  # not sealed: no archive timestamp to renew


def test_responders_that_never_answer_cost_one_timeout_not_one_per_signature(gone: GoneSchool) -> None:
    """The responders' address now takes connections and never answers (a black hole, not a refusal)."""
    hole = socket.socket()
    hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    hole.bind(("127.0.0.1", gone.port))
    hole.listen(64)  # never accepted: the kernel completes the connection, nobody ever reads the request
    try:
        started = time.monotonic()
        check = verify(gone.sealed, [gone.root], offline=False, now=LATER, policy=VerifyPolicy(fetch_timeout=1))
        elapsed = time.monotonic() - started
    finally:
        hole.close()
    assert check.verdict == "genuine", [(s.field, s.sub_indication) for s in check.signatures]
    assert elapsed < 6, elapsed
