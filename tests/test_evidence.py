"""Evidence records (RFC 4998) for books that cannot carry an archive timestamp: many books under one token (a
hash tree), each record standing alone; a change to the book or to the record is found; a renewal chains a new
timestamp over the last, so that decades later, with the first TSA's certificate long expired, the record still
proves the book, and an unrenewed one cannot."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api.cli import app
from archive import ArchiveService, FileStore, ObjectStore, Role, SqlCatalog, open_database
from records import signing_plan
from signer import SigningPolicy, SigningService
from signer.evidence import MAX_RECORD_BYTES, EvidenceRecord, check_record, hash_tree, root_of, stamp_until
from templates import Profile, document_id
from workflows import book_facts, sign_and_archive
from workflows import evidence as evidence_workflow
from workflows.renewal import renew_due

from .http_fixtures import embedded, open_site
from .signing_fixtures import School
from .storage_fixtures import MovableClock

runner = CliRunner()
YEARS_LATER = datetime(2065, 1, 1, tzinfo=UTC)  # the first TSA's certificate ends in 2060, the second's in 2069


@pytest.fixture
def renewing(school: School) -> Iterator[SigningService]:
    with SigningService(SigningPolicy(trust_roots=school.policy.trust_roots, tsa_url=school.pki.tsa2_url)) as service:
        yield service


def _check(der: bytes, book: bytes, school: School, now: datetime | None = None) -> object:
    return asyncio.run(check_record(der, book, list(school.policy.trust_roots), now))


@pytest.mark.parametrize("leaves", [1, 2, 3, 7, 8])
def test_every_leaf_of_a_hash_tree_leads_to_its_root(leaves: int) -> None:
    values = [os.urandom(32) for _ in range(leaves)]
    root, paths = hash_tree(values)
    assert [root_of(v, p) for v, p in zip(values, paths, strict=True)] == [root] * leaves
    assert root_of(os.urandom(32), paths[0]) is None  # another leaf is not in its group


def test_records_prove_books_and_find_every_change(school: School, renewing: SigningService) -> None:
    books = [b"%PDF-1.4 book " + os.urandom(64) for _ in range(3)]
    records = school.service.new_evidence([hashlib.sha256(b).digest() for b in books])
    tokens = {r["archive_time_stamp_sequence"][0][0]["time_stamp"].dump() for r in records}
    assert len(tokens) == 1  # one TSA request for the whole run
    for book, record in zip(books, records, strict=True):
        check = _check(record.dump(), book, school)
        assert check.outcome == "proven" and check.existed_at is not None, check.problems  # type: ignore[attr-defined]
    assert _check(records[0].dump(), books[1], school).outcome == "altered"  # type: ignore[attr-defined]
    assert _check(records[0].dump(), books[0] + b"\n", school).outcome == "altered"  # type: ignore[attr-defined]

    der = records[0].dump()
    node = EvidenceRecord.load(der)["archive_time_stamp_sequence"][0][0]["reduced_hashtree"][-1][-1].native
    forged = der.replace(node, os.urandom(32))  # a node of the hash tree replaced
    assert forged != der and _check(forged, books[0], school).outcome == "altered"  # type: ignore[attr-defined]
    garbage = _check(b"\x30\x03\x02\x01\x01", books[0], school)
    assert garbage.outcome == "unchecked" and garbage.problems  # type: ignore[attr-defined]
    huge = _check(b"\x30" + b"\x00" * MAX_RECORD_BYTES, books[0], school)
    assert huge.outcome == "unchecked"  # type: ignore[attr-defined]
    not_a_token = EvidenceRecord(
        {
            "version": 1,
            "digest_algorithms": [{"algorithm": "sha256"}],
            "archive_time_stamp_sequence": [[{"time_stamp": {"content_type": "data", "content": b"x"}}]],
        }
    )
    forged_token = _check(not_a_token.dump(), books[0], school)  # well-formed, but no timestamp token inside
    assert forged_token.outcome == "unchecked" and forged_token.problems  # type: ignore[attr-defined]
    stranger = school.key(f"school:{school.thcs.school.code}").certificate  # not the TSA's root
    untrusted = asyncio.run(check_record(records[0].dump(), books[0], [stranger]))
    assert untrusted.outcome == "unchecked" and untrusted.problems  # never "proven" when a check could not pass

    until = stamp_until(records[0])
    assert until is not None and until.year == 2060
    renewed = renewing.renew_evidence(records)
    assert [len(r["archive_time_stamp_sequence"][0]) for r in renewed] == [2, 2, 2]
    assert stamp_until(renewed[0]).year == 2069  # type: ignore[union-attr]
    later = _check(renewed[0].dump(), books[0], school, YEARS_LATER)
    assert later.outcome == "proven", later.problems  # type: ignore[attr-defined]
    assert len(later.times) == 2 and later.existed_at == later.times[0]  # type: ignore[attr-defined]
    unrenewed = _check(records[0].dump(), books[0], school, YEARS_LATER)
    assert unrenewed.outcome != "proven"  # type: ignore[attr-defined]
    assert _check(renewed[0].dump(), books[1], school, YEARS_LATER).outcome == "altered"  # type: ignore[attr-defined]


def test_a_new_chain_under_a_stronger_digest_proves_the_book_and_everything_before(
    school: School, renewing: SigningService
) -> None:
    books = [b"%PDF-1.4 book " + os.urandom(64) for _ in range(3)]
    records = renewing.renew_evidence(school.service.new_evidence([hashlib.sha256(b).digest() for b in books]))
    rehashed = renewing.rehash_evidence(records, [hashlib.sha512(b).digest() for b in books])
    sequence = rehashed[0]["archive_time_stamp_sequence"]
    assert [len(chain) for chain in sequence] == [2, 1]  # the chain before, kept whole, and the new one
    assert [a["algorithm"].native for a in rehashed[0]["digest_algorithms"]] == ["sha256", "sha512"]
    assert sequence[1][0]["digest_algorithm"]["algorithm"].native == "sha512"
    for book, record in zip(books, rehashed, strict=True):
        check = _check(record.dump(), book, school, YEARS_LATER)
        assert check.outcome == "proven" and len(check.times) == 3, check.problems  # type: ignore[attr-defined]
    assert _check(rehashed[0].dump(), books[1], school).outcome == "altered"  # type: ignore[attr-defined]

    # The new chain covers the chains before it: one of their hash-tree nodes changed is found.
    der = rehashed[0].dump()
    node = sequence[0][0]["reduced_hashtree"][-1][-1].native
    assert der.count(node) == 1
    assert _check(der.replace(node, os.urandom(32)), books[0], school).outcome == "altered"  # type: ignore[attr-defined]
    # ... and so does a chain before it dropped: its first token alone no longer leads to the new chain's root.
    dropped = EvidenceRecord(
        {
            "version": 1,
            "digest_algorithms": rehashed[0]["digest_algorithms"],
            "archive_time_stamp_sequence": [[sequence[0][0]], sequence[1]],
        }
    )
    assert _check(dropped.dump(), books[0], school).outcome == "altered"  # type: ignore[attr-defined]
    renewed_again = renewing.renew_evidence(rehashed)  # a timestamp renewal in the new chain uses its digest
    assert [len(chain) for chain in renewed_again[0]["archive_time_stamp_sequence"]] == [2, 2]
    later = _check(renewed_again[0].dump(), books[0], school, YEARS_LATER)
    assert later.outcome == "proven", later.problems  # type: ignore[attr-defined]


def test_the_yearly_run_keeps_evidence_for_books_without_an_archive_timestamp(
    school: School, engine: Engine, store: ObjectStore, renewing: SigningService
) -> None:
    archive = ArchiveService(store, SqlCatalog(engine), MovableClock())
    record = school.primary
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record, Profile.PDFA_1B), keys)
    version = archive.version(document_id(record))
    book = archive.sealed_bytes(version)
    now = datetime.now(UTC)

    planned = renew_due(archive, school.service, timedelta(days=3650), now, dry_run=True)
    assert planned.without_stamp == [f"{version.document_id} v1"] and planned.due == []
    assert [(d.version.document_id, d.action) for d in planned.evidence] == [(version.document_id, "new")]
    assert archive.evidence(version) is None  # a dry run keeps nothing
    done = renew_due(archive, school.service, timedelta(days=3650), now, actor="lt1")
    assert done.evidence_kept == [f"{version.document_id} v1"] and done.failed == {}
    first = archive.evidence(version)
    assert first is not None and _check(first, book, school).outcome == "proven"  # type: ignore[attr-defined]
    assert renew_due(archive, school.service, timedelta(days=3650), now).evidence == []  # ten years: nothing due
    events = [e for e in archive._catalog.events() if e.action == "book.evidence_kept"]
    assert len(events) == 1 and events[0].actor == "lt1"

    forty = timedelta(days=round(365.25 * 40))  # the first TSA's certificate ends in 2060
    assert [d.action for d in renew_due(archive, renewing, forty, now, dry_run=True).evidence] == ["renew"]
    assert renew_due(archive, renewing, forty, now).evidence_kept == [f"{version.document_id} v1"]
    second = archive.evidence(version)
    assert second is not None and second != first
    assert _check(second, book, school, YEARS_LATER).outcome == "proven"  # type: ignore[attr-defined]
    assert _check(first, book, school, YEARS_LATER).outcome != "proven"  # type: ignore[attr-defined]
    assert store.stat(f"evidence/{version.document_id}/v1-001.ers").lock is not None  # both kept, locked

    # Some day SHA-256 weakens: the record gets a new chain under SHA-512, over the book read again.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_workflow, "WEAK_DIGESTS", frozenset({"md5", "sha1", "sha256"}))
        ten = timedelta(days=3650)
        assert [d.action for d in renew_due(archive, renewing, ten, now, dry_run=True).evidence] == ["rehash"]
        assert renew_due(archive, renewing, ten, now).evidence_kept == [f"{version.document_id} v1"]
        third = archive.evidence(version)
        assert third is not None and store.stat(f"evidence/{version.document_id}/v1-003.ers").lock is not None
        assert [len(c) for c in EvidenceRecord.load(third)["archive_time_stamp_sequence"]] == [2, 1]
        assert _check(third, book, school, YEARS_LATER).outcome == "proven"  # type: ignore[attr-defined]
        assert renew_due(archive, renewing, ten, now).evidence == []  # its chain's digest is SHA-512 now
    fixity = archive.fixity()
    assert fixity.intact, fixity


def test_the_record_from_the_console_and_its_check_by_anyone(
    school: School, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, storage = f"sqlite:///{tmp_path / 'hocba.db'}", f"file://{tmp_path / 'objects'}"
    archive = ArchiveService(FileStore(tmp_path / "objects"), SqlCatalog(open_database(database)), MovableClock())
    record = school.primary
    keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
    sign_and_archive(school.service, archive, book_facts(record), school.book(record, Profile.PDFA_1B), keys)
    book_id = document_id(record)
    book = tmp_path / "book.pdf"
    book.write_bytes(archive.sealed_bytes(archive.version(book_id)))
    monkeypatch.setenv("HOCBA_TRUST", str(school.folder / "root.pem"))
    where = ["--database", database, "--storage", storage]
    ers = tmp_path / "book.ers"
    missing = runner.invoke(app, ["retention", "evidence", book_id, "-o", str(ers), *where])
    assert missing.exit_code == 2 and "no evidence record yet" in missing.output and not ers.exists()
    made = runner.invoke(app, ["retention", "retimestamp", "--tsa", school.pki.tsa_url, "--json", *where])
    assert made.exit_code == 0 and json.loads(made.stdout)["evidence_kept"] == [f"{book_id} v1"], made.output
    written = runner.invoke(app, ["retention", "evidence", book_id, "-o", str(ers), "--json", *where])
    assert written.exit_code == 0 and ers.stat().st_size == json.loads(written.stdout)["bytes"]

    checked = runner.invoke(app, ["verify", str(book), "--evidence", str(ers), "--offline", "--json"])
    assert json.loads(checked.stdout)["evidence"]["outcome"] == "proven", checked.output
    other = tmp_path / "other.pdf"
    other.write_bytes(book.read_bytes() + b"\n")
    refused = runner.invoke(app, ["verify", str(other), "--evidence", str(ers), "--offline", "--json"])
    assert refused.exit_code == 1 and json.loads(refused.stdout)["evidence"]["outcome"] == "altered"


def test_the_archivist_downloads_the_record(school: School, tmp_path: Path) -> None:
    with open_site(school, embedded(school, tmp_path), books=False) as site:
        archive = site.client.app.state.services.archive()  # type: ignore[attr-defined]
        record = school.primary
        keys = {e.signer_id: school.key(e.signer_id) for e in signing_plan(record).entries}
        sign_and_archive(school.service, archive, book_facts(record), school.book(record, Profile.PDFA_1B), keys)
        book_id = document_id(record)
        url = f"/v1/retention/evidence/{book_id}"
        archivist = site.as_role(Role.ARCHIVIST)
        early = site.client.get(url, headers=archivist)
        assert early.status_code == 409 and early.json()["code"] == "archive.document_state"
        renew_due(archive, school.service, timedelta(days=3650), datetime.now(UTC))
        got = site.client.get(url, headers=site.as_role(Role.PRINCIPAL))
        assert got.status_code == 200 and got.headers["content-type"] == "application/octet-stream"
        book = archive.sealed_bytes(archive.version(book_id))
        assert _check(got.content, book, school).outcome == "proven"  # type: ignore[attr-defined]
        assert site.client.get(url, headers=site.as_role(Role.TEACHER)).status_code == 403
